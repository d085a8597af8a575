// The admission and revocation parts of the trust map, read from the planned Kyverno policies, the
// verifier's Deployment and the pipelines' CodeBuild projects.
import { isObject } from './iam-catalogue/documents.js';
import type { NamespaceEntry, RevocationPoint, TrustPolicyEntry } from './trust-map.js';
import { asArray, byName, parseDocument, sorted, str, strings, type Found } from './trust-map-read.js';

interface Admission {
  readonly namespaces: NamespaceEntry[];
  readonly otherNamespaces: string[];
  readonly webhookFailurePolicy: string | undefined;
}

const IMAGE_BY_DIGEST = /^(.*)@sha256:\?+$/;

/** Every `image` value in a Kyverno pattern. */
function patternImages(pattern: unknown): string[] {
  if (Array.isArray(pattern)) return pattern.flatMap(patternImages);
  if (!isObject(pattern)) return [];
  return Object.entries(pattern).flatMap(([key, value]) =>
    key === 'image' && typeof value === 'string' ? [value] : patternImages(value),
  );
}

/** The `trustPolicy` a rule's verifier call names, if it makes one. */
function verifierTrustPolicy(rule: Record<string, unknown>): string | undefined {
  for (const entry of asArray(rule['context']).filter(isObject)) {
    const call = isObject(entry['apiCall']) ? entry['apiCall'] : undefined;
    for (const item of asArray(call?.['data']).filter(isObject)) {
      if (item['key'] === 'trustPolicy') return str(item['value']);
    }
  }
  return undefined;
}

const matchedNamespaces = (block: unknown): string[] =>
  asArray(isObject(block) ? block['any'] : undefined)
    .filter(isObject)
    .flatMap((m) => strings(isObject(m['resources']) ? m['resources']['namespaces'] : undefined));

/** What each namespace admits, from the planned Kyverno ClusterPolicies. */
export function admissionOf(all: Found[]): Admission {
  const namespaces = new Map<
    string,
    { repositories: string[]; trustPolicies: string[]; rules: string[]; actions: string[] }
  >();
  const other: string[] = [];
  let failurePolicy: string | undefined;
  for (const policy of all.filter((r) => r.type === 'kubernetes:kyverno.io/v1:ClusterPolicy')) {
    const spec = isObject(policy.inputs['spec']) ? policy.inputs['spec'] : {};
    const policyName = str(
      isObject(policy.inputs['metadata']) ? policy.inputs['metadata']['name'] : undefined,
    );
    const webhook = isObject(spec['webhookConfiguration']) ? spec['webhookConfiguration'] : {};
    failurePolicy = str(webhook['failurePolicy']) ?? failurePolicy;
    for (const rule of asArray(spec['rules']).filter(isObject)) {
      const validate = isObject(rule['validate']) ? rule['validate'] : {};
      const matched = matchedNamespaces(rule['match']);
      const ruleName = `${policyName ?? policy.name}/${str(rule['name']) ?? ''}`;
      if (matched.length === 0) {
        // A rule for every namespace but the excluded ones: what runs outside the app namespaces.
        other.push(...matchedNamespaces(rule['exclude']));
        continue;
      }
      const repositories = patternImages(validate['pattern'])
        .map((image) => IMAGE_BY_DIGEST.exec(image)?.[1])
        .filter((r): r is string => r !== undefined);
      const trustPolicy = verifierTrustPolicy(rule);
      for (const ns of matched) {
        const entry = namespaces.get(ns) ?? { repositories: [], trustPolicies: [], rules: [], actions: [] };
        entry.repositories.push(...repositories);
        if (trustPolicy !== undefined) entry.trustPolicies.push(trustPolicy);
        entry.rules.push(ruleName);
        entry.actions.push(str(validate['failureAction']) ?? 'Audit');
        namespaces.set(ns, entry);
      }
    }
  }
  return {
    namespaces: [...namespaces]
      .map(([namespace, e]) => ({
        namespace,
        repositories: sorted(e.repositories),
        trustPolicies: sorted(e.trustPolicies),
        // One rule that only audits makes the namespace's admission only as strong as that rule.
        failureAction: e.actions.every((a) => a === 'Enforce') ? 'Enforce' : sorted(e.actions).join(', '),
        rules: sorted(e.rules),
      }))
      .sort((a, b) => byName(a.namespace, b.namespace)),
    otherNamespaces: sorted(other.filter((ns) => !namespaces.has(ns))),
    webhookFailurePolicy: failurePolicy,
  };
}

/** `--name=value` of a container's args. */
function argValue(args: string[], name: string): string | undefined {
  const prefix = `--${name}=`;
  return args.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

/** Where a revocation takes effect: the verifier's cache, the pipelines' strict verification. */
export function revocationOf(all: Found[], policies: readonly TrustPolicyEntry[]): RevocationPoint[] {
  const points: RevocationPoint[] = [];
  for (const deployment of all.filter((r) => r.type === 'kubernetes:apps/v1:Deployment')) {
    const spec = isObject(deployment.inputs['spec']) ? deployment.inputs['spec'] : {};
    const template = isObject(spec['template']) ? spec['template'] : {};
    const podSpec = isObject(template['spec']) ? template['spec'] : {};
    for (const container of asArray(podSpec['containers']).filter(isObject)) {
      const args = strings(container['args']);
      const ttl = argValue(args, 'cacheTTLDurationSeconds');
      if (ttl === undefined) continue;
      const metadata = isObject(deployment.inputs['metadata']) ? deployment.inputs['metadata'] : {};
      const where = `admission: verifier \`${str(metadata['name']) ?? deployment.name}\` in namespace \`${str(metadata['namespace']) ?? ''}\``;
      const cached = args.includes('--cacheEnabled') || argValue(args, 'cacheEnabled') === 'true';
      points.push({
        where,
        when: cached
          ? `new Pods with a revoked signature are refused at most ${ttl} s after the revocation (verification results are cached ${ttl} s); Pods already running keep running until they are re-created`
          : 'new Pods with a revoked signature are refused at once (no verification cache); Pods already running keep running until they are re-created',
      });
    }
  }
  const strict = policies.filter((p) => p.level === 'strict').map((p) => `\`${p.name}\``);
  if (strict.length > 0) {
    points.push({
      where: `admission: trust policies ${strict.join(', ')}`,
      when: 'level strict enforces the revocation check (the status AWS Signer reports for the signing job and profile version) on every verification the cache does not answer',
    });
  }
  for (const project of all.filter((r) => r.type === 'aws:codebuild/project:Project')) {
    const source = isObject(project.inputs['source']) ? project.inputs['source'] : {};
    const buildspec = str(source['buildspec']) ?? '';
    if (!buildspec.includes('notation verify')) continue;
    const env = isObject(project.inputs['environment']) ? project.inputs['environment'] : {};
    const trust = asArray(env['environmentVariables'])
      .filter(isObject)
      .find((v) => v['name'] === 'SIGNET_TRUST_POLICY');
    const document = parseDocument(trust?.['value']);
    const levels = sorted(
      asArray(document?.['trustPolicies'])
        .filter(isObject)
        .map(
          (p) =>
            str(isObject(p['signatureVerification']) ? p['signatureVerification']['level'] : undefined) ?? '',
        ),
    );
    const name = str(project.inputs['name']) ?? project.name;
    points.push({
      where: `pipeline: CodeBuild project \`${name}\` (\`notation verify\`)`,
      when:
        levels.length === 1 && levels[0] === 'strict'
          ? 'at its next run: strict verification asks AWS Signer for the revocation status on every run (no cache), so a revoked signature stops the pipeline before deployment'
          : `verification level ${levels.join(', ') || 'unknown'}: a revocation is not enforced here`,
    });
  }
  return points.sort((a, b) => byName(a.where, b.where));
}
