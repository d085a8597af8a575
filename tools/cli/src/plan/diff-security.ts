import type { PlanDocument } from './document.js';
import type { ChangedResource, InputChange, ResourceKey } from './diff.js';
import { findPolicyDocuments, type FoundPolicy } from './iam-catalogue.js';

/** What kind of control a security-relevant change touches. */
export type SecurityCategory =
  | 'iam'
  | 'admission'
  | 'kubernetes-rbac'
  | 'signing-identity'
  | 'public-access'
  | 'privileged-mode'
  | 'encryption';

/** One change a security reviewer must read, said in words. */
export interface SecurityChange extends ResourceKey {
  readonly category: SecurityCategory;
  readonly text: string;
}

const list = (value: unknown): string[] =>
  value === undefined ? [] : (Array.isArray(value) ? value : [value]).map((v) => JSON.stringify(v));

const plain = (items: readonly string[]): string => items.map((i) => JSON.parse(i) as string).join(', ');

/** A statement as sets, so that a widening is a set difference. */
interface Statement {
  readonly sid?: string;
  readonly effect: string;
  readonly actions: string[];
  readonly notActions: string[];
  readonly resources: string[];
  readonly notResources: string[];
  readonly principals: string[];
  readonly condition: string;
}

function principals(value: unknown): string[] {
  if (value === undefined) return [];
  if (typeof value === 'string') return [JSON.stringify(value)];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([kind, ids]) =>
    list(ids).map((id) => JSON.stringify(`${kind}:${JSON.parse(id) as string}`)),
  );
}

function statementsOf(document: Readonly<Record<string, unknown>>): Statement[] {
  const raw = document['Statement'];
  return (Array.isArray(raw) ? raw : [raw]).map((s) => {
    const st = (s ?? {}) as Record<string, unknown>;
    return {
      ...(typeof st['Sid'] === 'string' && { sid: st['Sid'] }),
      effect: typeof st['Effect'] === 'string' ? st['Effect'] : 'Allow',
      actions: list(st['Action']),
      notActions: list(st['NotAction']),
      resources: list(st['Resource']),
      notResources: list(st['NotResource']),
      principals: principals(st['Principal']),
      condition: JSON.stringify(st['Condition'] ?? {}),
    };
  });
}

const more = (after: readonly string[], before: readonly string[]): string[] =>
  after.filter((a) => !before.includes(a));

/** What the document is, for the sentence: reviewers read "the trust policy of role x". */
function documentKind(found: FoundPolicy): string {
  if (found.type === 'aws:kms/key:Key') return 'KMS key policy';
  if (found.type.startsWith('aws:ecr/repositoryPolicy')) return 'repository policy';
  if (found.type.startsWith('aws:iam/role:Role') && found.path === 'assumeRolePolicy') return 'trust policy';
  if (found.type.startsWith('aws:s3/bucketPolicy')) return 'bucket policy';
  return 'IAM policy';
}

const docKey = (f: FoundPolicy): string => `${f.stack}\u0000${f.type}\u0000${f.name}\u0000${f.path}`;
const label = (s: Statement, i: number): string => (s.sid !== undefined ? `Sid "${s.sid}"` : `#${i + 1}`);

/** The widening sentences of one document of the head against the same document of the base. */
function widenings(head: FoundPolicy, base: FoundPolicy | undefined): string[] {
  const kind = documentKind(head);
  const where = head.path === '' ? '' : ` (${head.path})`;
  const after = statementsOf(head.document);
  const before = base === undefined ? [] : statementsOf(base.document);
  const texts: string[] = [];
  const matched = new Set<number>();
  after.forEach((statement, i) => {
    let j = statement.sid !== undefined ? before.findIndex((b) => b.sid === statement.sid) : -1;
    if (j < 0 && statement.sid === undefined && before[i] !== undefined && before[i].sid === undefined) j = i;
    const old = j >= 0 ? before[j] : undefined;
    if (j >= 0) matched.add(j);
    const name = `${kind}${where}, statement ${label(statement, i)}`;
    if (statement.effect !== 'Allow') {
      if (old !== undefined && old.condition !== statement.condition)
        texts.push(`${name}: the condition of a Deny changed`);
      return;
    }
    if (old === undefined || old.effect !== 'Allow') {
      const on = statement.resources.length > 0 ? ` on ${plain(statement.resources)}` : '';
      const to = statement.principals.length > 0 ? ` to ${plain(statement.principals)}` : '';
      texts.push(
        `${name} ${base === undefined ? 'is new' : 'is added'}: allows ${plain(statement.actions) || `all but ${plain(statement.notActions)}`}${on}${to}`,
      );
      return;
    }
    const actions = more(statement.actions, old.actions);
    if (actions.length > 0) texts.push(`${name}: allows more actions: ${plain(actions)}`);
    const resources = more(statement.resources, old.resources);
    if (resources.length > 0) texts.push(`${name}: on more resources: ${plain(resources)}`);
    const trusted = more(statement.principals, old.principals);
    if (trusted.length > 0) texts.push(`${name}: trusts more principals: ${plain(trusted)}`);
    if (
      more(old.notActions, statement.notActions).length > 0 ||
      more(old.notResources, statement.notResources).length > 0
    )
      texts.push(`${name}: excludes less (NotAction or NotResource shrank)`);
    if (old.condition !== statement.condition) {
      const oldKeys = Object.keys(JSON.parse(old.condition) as object);
      const dropped = oldKeys.filter((k) => !(k in (JSON.parse(statement.condition) as object)));
      texts.push(
        dropped.length > 0
          ? `${name}: condition ${dropped.join(', ')} removed`
          : `${name}: its condition changed`,
      );
    }
  });
  before.forEach((statement, j) => {
    if (!matched.has(j) && statement.effect === 'Deny')
      texts.push(`${kind}${where}: Deny statement ${label(statement, j)} removed`);
  });
  return texts;
}

const ADMISSION_TYPES = /(kyverno\.io|admissionregistration\.k8s\.io|notation\.nirmata\.io)/;
const RBAC_TYPES = /rbac\.authorization\.k8s\.io/;
const SIGNER_TYPES = /^aws:signer\//;
const PUBLIC_INPUT = /public/i;
const ENCRYPTION_INPUT =
  /^(kmsKeyId|kmsKeyArn|kmsMasterKeyId|encryptionKey|encryptionConfiguration|encryptionConfigurations|encryptionType|serverSideEncryption\w*|sseAlgorithm)$/;

const segments = (path: string): string[] => path.split(/[.[\]{}]+/).filter((s) => s !== '');
const isTagPath = (path: string): boolean => ['tags', 'tagsAll'].includes(segments(path)[0] ?? '');
const shown = (value: unknown): string => (value === undefined ? 'unset' : JSON.stringify(value));
const describe = (c: InputChange): string => `${c.path}: ${shown(c.before)} → ${shown(c.after)}`;

/**
 * The security-relevant part of a plan diff, in words: IAM, key, repository and trust policies that
 * allow more (statements added, actions, resources or principals added, conditions removed, Deny
 * statements removed), admission policy and trust resources, Kubernetes RBAC, signing identities,
 * public access, privileged builds and encryption settings. Tags never count.
 */
export function securityChanges(
  base: PlanDocument,
  head: PlanDocument,
  diff: {
    added: readonly ResourceKey[];
    removed: readonly ResourceKey[];
    changed: readonly ChangedResource[];
  },
): SecurityChange[] {
  const out: SecurityChange[] = [];
  const push = (r: ResourceKey, category: SecurityCategory, text: string): void => {
    out.push({ stack: r.stack, type: r.type, name: r.name, category, text });
  };

  const baseDocs = new Map(findPolicyDocuments(base).map((f) => [docKey(f), f]));
  for (const found of findPolicyDocuments(head)) {
    for (const text of widenings(found, baseDocs.get(docKey(found)))) push(found, 'iam', text);
  }

  const byType = (r: ResourceKey, verb: string): void => {
    if (ADMISSION_TYPES.test(r.type)) push(r, 'admission', `admission or trust resource ${verb}`);
    else if (RBAC_TYPES.test(r.type)) push(r, 'kubernetes-rbac', `Kubernetes RBAC ${verb}`);
    else if (SIGNER_TYPES.test(r.type)) push(r, 'signing-identity', `signing identity ${verb}`);
  };
  diff.added.forEach((r) => byType(r, 'added'));
  diff.removed.forEach((r) => byType(r, 'removed'));

  for (const resource of diff.changed) {
    const changes = resource.changes.filter((c) => !isTagPath(c.path));
    if (changes.length === 0) continue;
    if (
      ADMISSION_TYPES.test(resource.type) ||
      RBAC_TYPES.test(resource.type) ||
      SIGNER_TYPES.test(resource.type)
    ) {
      byType(resource, `changed: ${changes.map(describe).join('; ')}`);
    }
    for (const change of changes) {
      const last = segments(change.path).at(-1) ?? '';
      if (segments(change.path).some((s) => PUBLIC_INPUT.test(s)))
        push(resource, 'public-access', `public access changed: ${describe(change)}`);
      if (last === 'privilegedMode')
        push(resource, 'privileged-mode', `privileged mode: ${describe(change)}`);
      if (segments(change.path).some((s) => ENCRYPTION_INPUT.test(s)))
        push(resource, 'encryption', `encryption setting changed: ${describe(change)}`);
    }
  }
  return out;
}
