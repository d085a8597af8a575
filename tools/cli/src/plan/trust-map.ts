/**
 * The trust map of a plan: who signs what, what each namespace admits under which trust policy,
 * what each role may do, and where a revocation takes effect. Read only from the planned
 * resources (their types and inputs), never from the code that names them, so it shows what the
 * stacks would deploy, including what a change under review did to it.
 */
import type { PlanDocument } from './document.js';
import { isObject } from './iam-catalogue/documents.js';
import { admissionOf, revocationOf } from './trust-map-admission.js';
import {
  afterLast,
  asArray,
  byName,
  parseDocument,
  sorted,
  str,
  strings,
  wildcard,
  type Found,
} from './trust-map-read.js';

/** One statement of an IAM document, as the map shows it. */
export interface Permission {
  readonly effect: string;
  readonly sid: string | undefined;
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  /** Condition keys the statement requires (values are in the plan). */
  readonly conditionKeys: readonly string[];
}

/** An IAM role of the plan and what it may do. */
export interface RoleEntry {
  readonly stack: string;
  readonly role: string;
  /** Principals its trust policy lets assume it: services, federated providers, accounts. */
  readonly assumedBy: readonly string[];
  /** Inline policies (the role's own and its RolePolicy resources), statement by statement. */
  readonly permissions: readonly Permission[];
  /** Managed policies attached to it. */
  readonly managedPolicies: readonly string[];
  /** In the cluster: Kubernetes groups and access policies of its EKS access entry. */
  readonly cluster: readonly string[];
  /** The CodeBuild projects running as this role, with their pipeline stage. */
  readonly stages: readonly StageRef[];
}

/** A CodeBuild project and the pipeline stage that runs it. */
export interface StageRef {
  readonly project: string;
  readonly pipeline: string | undefined;
  readonly stage: string | undefined;
}

/** A signing identity (an AWS Signer profile) and who may sign with it. */
export interface Identity {
  readonly profile: string;
  readonly platform: string;
  readonly validity: string;
  /** Roles allowed `signer:SignPayload` with this profile, and the repositories they may push to. */
  readonly signers: readonly { role: string; stages: readonly StageRef[]; repositories: readonly string[] }[];
  /** Trust policies that trust signatures of this profile. */
  readonly trustedBy: readonly string[];
}

/** A Notation trust policy of the cluster. */
export interface TrustPolicyEntry {
  readonly name: string;
  readonly repositories: readonly string[];
  readonly level: string;
  readonly identities: readonly string[];
  readonly trustStores: readonly string[];
}

/** What admission lets run in a namespace. */
export interface NamespaceEntry {
  readonly namespace: string;
  /** Repositories whose images, by digest, the namespace's pattern rule admits. */
  readonly repositories: readonly string[];
  /** Trust policies the namespace's verification rules ask the verifier to apply. */
  readonly trustPolicies: readonly string[];
  readonly failureAction: string;
  /** The Kyverno policy and rules that decide. */
  readonly rules: readonly string[];
}

/** Where a revoked signature stops being accepted, and how soon. */
export interface RevocationPoint {
  readonly where: string;
  readonly when: string;
}

export interface TrustMap {
  readonly environment: string;
  readonly identities: readonly Identity[];
  readonly trustPolicies: readonly TrustPolicyEntry[];
  readonly namespaces: readonly NamespaceEntry[];
  /** Namespaces no app rule covers and the rule that refuses Pods in any other namespace. */
  readonly otherNamespaces: readonly string[];
  readonly webhookFailurePolicy: string | undefined;
  readonly roles: readonly RoleEntry[];
  readonly revocation: readonly RevocationPoint[];
}

function statements(document: unknown): Permission[] {
  const doc = parseDocument(document);
  return asArray(doc?.['Statement'])
    .filter(isObject)
    .map((s) => ({
      effect: str(s['Effect']) ?? 'Allow',
      sid: str(s['Sid']),
      actions: strings(s['Action'] ?? s['NotAction']),
      resources: strings(s['Resource'] ?? s['NotResource']),
      conditionKeys: sorted(
        Object.values(isObject(s['Condition']) ? s['Condition'] : {}).flatMap((c) =>
          isObject(c) ? Object.keys(c) : [],
        ),
      ),
    }));
}

/** Who may assume a role; a federated principal with the subjects its condition admits. */
function principals(document: unknown): string[] {
  const doc = parseDocument(document);
  return sorted(
    asArray(doc?.['Statement'])
      .filter(isObject)
      .filter((s) => s['Effect'] === 'Allow')
      .flatMap((s) => {
        const p = s['Principal'];
        if (typeof p === 'string') return [p];
        if (!isObject(p)) return [];
        const conditions = Object.values(isObject(s['Condition']) ? s['Condition'] : {}).filter(isObject);
        const subjects = conditions.flatMap((c) =>
          Object.entries(c).flatMap(([key, value]) => (key.endsWith(':sub') ? strings(value) : [])),
        );
        return Object.entries(p).flatMap(([kind, value]) =>
          strings(value).map((v) =>
            kind === 'Federated' && subjects.length > 0 ? `${v} for ${subjects.join(', ')}` : v,
          ),
        );
      }),
  );
}

const roleNameOfArn = (arn: string): string => arn.replace(/^arn:[^:]+:iam::[^:]*:role\//, '');

function resourcesOf(plan: PlanDocument): Found[] {
  return plan.stacks.flatMap((s) =>
    s.resources.map((r) => ({ stack: s.name, type: r.type, name: r.name, inputs: r.inputs })),
  );
}

function stageRefs(all: Found[]): Map<string, StageRef[]> {
  const stageOf = new Map<string, { pipeline: string; stage: string }>();
  for (const p of all.filter((r) => r.type === 'aws:codepipeline/pipeline:Pipeline')) {
    for (const stage of asArray(p.inputs['stages']).filter(isObject)) {
      for (const action of asArray(stage['actions']).filter(isObject)) {
        const project = str(
          isObject(action['configuration']) ? action['configuration']['ProjectName'] : undefined,
        );
        if (project !== undefined)
          stageOf.set(project, {
            pipeline: str(p.inputs['name']) ?? p.name,
            stage: str(stage['name']) ?? '',
          });
      }
    }
  }
  const byRole = new Map<string, StageRef[]>();
  for (const project of all.filter((r) => r.type === 'aws:codebuild/project:Project')) {
    const role = str(project.inputs['serviceRole']);
    const name = str(project.inputs['name']) ?? project.name;
    if (role === undefined) continue;
    const ref = { project: name, pipeline: stageOf.get(name)?.pipeline, stage: stageOf.get(name)?.stage };
    byRole.set(roleNameOfArn(role), [...(byRole.get(roleNameOfArn(role)) ?? []), ref]);
  }
  return byRole;
}

function roles(all: Found[]): RoleEntry[] {
  const stages = stageRefs(all);
  const entries = all
    .filter((r) => r.type === 'aws:iam/role:Role')
    .map((r) => {
      const role = str(r.inputs['name']) ?? r.name;
      const arnSuffix = `:role/${role}`;
      const inline = asArray(r.inputs['inlinePolicies'])
        .filter(isObject)
        .flatMap((p) => statements(p['policy']));
      const attached = all.filter(
        (p) => p.type === 'aws:iam/rolePolicy:RolePolicy' && p.inputs['role'] === role,
      );
      const managed = all.filter(
        (p) => p.type === 'aws:iam/rolePolicyAttachment:RolePolicyAttachment' && p.inputs['role'] === role,
      );
      const ownsEntry = (p: Found) => str(p.inputs['principalArn'])?.endsWith(arnSuffix) === true;
      const cluster = [
        ...all
          .filter((p) => p.type === 'aws:eks/accessEntry:AccessEntry' && ownsEntry(p))
          .flatMap((p) => strings(p.inputs['kubernetesGroups']).map((g) => `group ${g}`)),
        ...all
          .filter((p) => p.type === 'aws:eks/accessPolicyAssociation:AccessPolicyAssociation' && ownsEntry(p))
          .map((p) => {
            const scope = isObject(p.inputs['accessScope']) ? p.inputs['accessScope'] : {};
            const where =
              scope['type'] === 'namespace'
                ? `namespaces ${strings(scope['namespaces']).join(', ')}`
                : 'cluster';
            return `${afterLast(str(p.inputs['policyArn']) ?? '', '/')} in ${where}`;
          }),
      ];
      return {
        stack: r.stack,
        role,
        assumedBy: principals(r.inputs['assumeRolePolicy']),
        permissions: [...inline, ...attached.flatMap((p) => statements(p.inputs['policy']))],
        managedPolicies: sorted(managed.map((p) => afterLast(str(p.inputs['policyArn']) ?? '', '/'))),
        cluster: sorted(cluster),
        stages: [...(stages.get(role) ?? [])].sort((a, b) => byName(a.project, b.project)),
      };
    });
  return entries.sort((a, b) => byName(a.role, b.role));
}

function trustPolicies(all: Found[]): TrustPolicyEntry[] {
  return all
    .filter((r) => r.type.endsWith(':TrustPolicy') && r.type.startsWith('kubernetes:notation'))
    .flatMap((r) => {
      const spec = isObject(r.inputs['spec']) ? r.inputs['spec'] : {};
      return asArray(spec['trustPolicies'])
        .filter(isObject)
        .map((p) => ({
          name: str(spec['trustPolicyName']) ?? str(p['name']) ?? r.name,
          repositories: sorted(strings(p['registryScopes'])),
          level:
            str(isObject(p['signatureVerification']) ? p['signatureVerification']['level'] : undefined) ?? '',
          identities: sorted(strings(p['trustedIdentities']).map((i) => afterLast(i, '/signing-profiles/'))),
          trustStores: sorted(strings(p['trustStores'])),
        }));
    })
    .sort((a, b) => byName(a.name, b.name));
}

/** The trust map of `plan` (every stack of it: plan the whole environment). */
export function buildTrustMap(plan: PlanDocument): TrustMap {
  const all = resourcesOf(plan);
  const roleEntries = roles(all);
  const policies = trustPolicies(all);
  const identities = all
    .filter((r) => r.type === 'aws:signer/signingProfile:SigningProfile')
    .map((r) => {
      const profile = str(r.inputs['name']) ?? r.name;
      const arn = `arn:aws:signer:*:*:/signing-profiles/${profile}`;
      const signers = roleEntries
        .filter((role) =>
          role.permissions.some(
            (p) =>
              p.effect === 'Allow' &&
              p.actions.some((a) => wildcard(a, 'signer:SignPayload', true)) &&
              p.resources.some((res) =>
                wildcard(res.replace(/^arn:[^:]+:signer:[^:]*:[^:]*:/, 'arn:aws:signer:*:*:'), arn),
              ),
          ),
        )
        .map((role) => ({
          role: role.role,
          stages: role.stages,
          repositories: sorted(
            role.permissions
              .filter((p) => p.effect === 'Allow' && p.actions.some((a) => wildcard(a, 'ecr:PutImage', true)))
              .flatMap((p) => p.resources.map((res) => afterLast(res, ':repository/'))),
          ),
        }));
      const validity = isObject(r.inputs['signatureValidityPeriod'])
        ? `${String(r.inputs['signatureValidityPeriod']['value'])} ${String(r.inputs['signatureValidityPeriod']['type']).toLowerCase()}`
        : 'the platform default';
      return {
        profile,
        platform: str(r.inputs['platformId']) ?? '',
        validity,
        signers,
        trustedBy: policies.filter((p) => p.identities.includes(profile)).map((p) => p.name),
      };
    })
    .sort((a, b) => byName(a.profile, b.profile));
  const admission = admissionOf(all);
  return {
    environment: plan.environment,
    identities,
    trustPolicies: policies,
    ...admission,
    roles: roleEntries,
    revocation: revocationOf(all, policies),
  };
}
