import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { PolicyInputError } from '../errors.js';
import { admissionInput, AGENT_IMAGE, BILLING_REPO, HELLO_REPO, REGISTRY } from '../test/fixtures.js';
import { appTrustPolicyName } from '../trust/app-trust-policy.js';
import {
  CLUSTER_POLICY_DEPRECATED_PATHS,
  CLUSTER_POLICY_ENUMS,
  CLUSTER_POLICY_OPAQUE_PATHS,
  schemaPaths,
  undeclaredClusterPolicyPaths,
} from '../test/kyverno-schema.js';
import {
  AUTOGEN_CONTROLLERS,
  buildImageVerificationClusterPolicy,
  DEFAULT_IMAGE_VERIFICATION_POLICY_NAME,
  IMAGE_VERIFICATION_RULES,
  MATCHED_KINDS,
  type ClusterPolicy,
} from './cluster-policy.js';
import { NO_VERIFIER_REASON, VERIFIED_EXACTLY_TRUE, type ApiCallContextEntry } from './verifier-call.js';

const enforce = buildImageVerificationClusterPolicy(admissionInput({ failureAction: 'Enforce' }));
const audit = buildImageVerificationClusterPolicy(admissionInput({ failureAction: 'Audit' }));

function rule(policy: ClusterPolicy, name: string) {
  const found = policy.spec.rules.find((r) => r.name === name);
  if (found === undefined) throw new Error(`no rule ${name}`);
  return found;
}

const HELLO_RULES = ['images-hello-server', 'signed-hello-server'];
const BILLING_RULES = ['images-billing', 'signed-billing'];
const ALL_RULES = [...HELLO_RULES, ...BILLING_RULES, 'platform-monitoring', 'no-app-namespace'];
const SYSTEM = ['kube-system', 'kube-public', 'kube-node-lease', 'kyverno', 'kyverno-notation-aws'];

function contextEntry(policy: ClusterPolicy, name: string, app = 'hello-server'): ApiCallContextEntry {
  const found = rule(policy, `signed-${app}`).context?.find((c) => c.name === name);
  if (found === undefined) throw new Error(`no context ${name}`);
  return found;
}

// Kyverno's wildcard semantics in patterns: `*` any run of characters, `?` exactly one, `|` or.
function kyvernoPatternAccepts(pattern: string, value: string): boolean {
  return pattern
    .split('|')
    .map((alternative) => alternative.trim())
    .some((alternative) => {
      const regex = alternative
        .replace(/[.+^${}()[\]\\/]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.');
      return new RegExp(`^${regex}$`).test(value);
    });
}

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

describe('buildImageVerificationClusterPolicy', () => {
  it.each([
    ['Enforce', enforce],
    ['Audit', audit],
  ] as const)(
    '%s: fails closed at the webhook and applies the failure action to every rule',
    (action, policy) => {
      expect(policy.spec.webhookConfiguration).toEqual({ failurePolicy: 'Fail', timeoutSeconds: 30 });
      expect(policy.spec.rules.map((r) => r.validate.failureAction)).toEqual(ALL_RULES.map(() => action));
      expect(policy.spec.rules.map((r) => r.name)).toEqual([
        IMAGE_VERIFICATION_RULES.repository('hello-server'),
        IMAGE_VERIFICATION_RULES.signatures('hello-server'),
        IMAGE_VERIFICATION_RULES.repository('billing'),
        IMAGE_VERIFICATION_RULES.signatures('billing'),
        IMAGE_VERIFICATION_RULES.platformImages('monitoring'),
        IMAGE_VERIFICATION_RULES.unlistedNamespaces,
      ]);
      expect(policy.spec.rules.map((r) => r.name)).toEqual(ALL_RULES);
      expect(policy.spec.background).toBe(false);
      expect(policy.spec.admission).toBe(true);
    },
  );

  it('is named signet-verify-images unless the input names it', () => {
    expect(enforce.metadata.name).toBe(DEFAULT_IMAGE_VERIFICATION_POLICY_NAME);
    expect(DEFAULT_IMAGE_VERIFICATION_POLICY_NAME).toBe('signet-verify-images');
    expect(buildImageVerificationClusterPolicy(admissionInput({ name: 'verify' })).metadata.name).toBe(
      'verify',
    );
  });

  it('matches the reviewed rendering (complement to the assertions above)', () => {
    expect(stringify(enforce)).toMatchSnapshot();
  });

  it('renders as plain YAML, without anchors from shared objects', () => {
    expect(stringify(enforce)).not.toMatch(/[&*]a\d/);
  });

  it('takes the webhook timeout from the input', () => {
    const policy = buildImageVerificationClusterPolicy(admissionInput({ timeoutSeconds: 12 }));
    expect(policy.spec.webhookConfiguration.timeoutSeconds).toBe(12);
  });

  it("matches Pods created or updated: each app's rules in its namespace, platform rules in theirs, the last rule everywhere else", () => {
    expect(MATCHED_KINDS).toEqual(['Pod']);
    const matched = (namespaces?: string[]) => ({
      any: [
        {
          resources: {
            kinds: ['Pod'],
            ...(namespaces && { namespaces }),
            operations: ['CREATE', 'UPDATE'],
          },
        },
      ],
    });
    for (const name of HELLO_RULES) expect(rule(enforce, name).match).toEqual(matched(['hello-server']));
    for (const name of BILLING_RULES) expect(rule(enforce, name).match).toEqual(matched(['billing']));
    expect(rule(enforce, 'platform-monitoring').match).toEqual(matched(['monitoring']));
    // No namespace list: a namespace created after the policy is matched the moment it exists.
    expect(rule(enforce, 'no-app-namespace').match).toEqual(matched());
    expect(rule(enforce, 'no-app-namespace').exclude).toEqual({
      any: [
        {
          resources: { kinds: ['Pod'], namespaces: [...SYSTEM, 'hello-server', 'billing', 'monitoring'] },
        },
      ],
    });
  });

  it('denies every Pod in a namespace of no app, and says again in its condition which namespaces it leaves out', () => {
    const unlisted = rule(enforce, 'no-app-namespace').validate;
    expect(unlisted.deny).toEqual({
      conditions: {
        any: [
          {
            key: '{{ request.namespace }}',
            operator: 'AnyNotIn',
            value: [...SYSTEM, 'hello-server', 'billing', 'monitoring'],
          },
        ],
      },
    });
    expect(unlisted.message).toContain('Namespace {{ request.namespace }} belongs to no app');
    const none = buildImageVerificationClusterPolicy(admissionInput({ platformImages: {} }));
    expect(none.spec.rules.map((r) => r.name)).toEqual([
      ...HELLO_RULES,
      ...BILLING_RULES,
      'no-app-namespace',
    ]);
  });

  it("binds each app's namespace to its own trust policy and its own repository", () => {
    expect(contextEntry(enforce, 'verification', 'hello-server').apiCall.data).toContainEqual({
      key: 'trustPolicy',
      value: appTrustPolicyName('hello-server'),
    });
    expect(contextEntry(enforce, 'verification', 'billing').apiCall.data).toContainEqual({
      key: 'trustPolicy',
      value: appTrustPolicyName('billing'),
    });
    const image = (name: string) =>
      (rule(enforce, name).validate.pattern as { spec: { containers: [{ image: string }] } }).spec
        .containers[0].image;
    expect(kyvernoPatternAccepts(image('images-hello-server'), `${HELLO_REPO}@${DIGEST}`)).toBe(true);
    expect(kyvernoPatternAccepts(image('images-hello-server'), `${BILLING_REPO}@${DIGEST}`)).toBe(false);
    expect(kyvernoPatternAccepts(image('images-billing'), `${BILLING_REPO}@${DIGEST}`)).toBe(true);
    expect(kyvernoPatternAccepts(image('images-billing'), `${HELLO_REPO}@${DIGEST}`)).toBe(false);
  });

  it('admits in a platform namespace exactly the listed images, by their digest', () => {
    const pattern = rule(enforce, 'platform-monitoring').validate.pattern as {
      spec: Record<string, [{ image: string }]>;
    };
    for (const [field, [{ image }]] of Object.entries(pattern.spec)) {
      expect(kyvernoPatternAccepts(image, AGENT_IMAGE), field).toBe(true);
      expect(kyvernoPatternAccepts(image, AGENT_IMAGE.replace(/ab$/, 'cd')), field).toBe(false);
      expect(kyvernoPatternAccepts(image, `${REGISTRY}/platform/agent:1.0`), field).toBe(false);
      expect(kyvernoPatternAccepts(image, `${HELLO_REPO}@${DIGEST}`), field).toBe(false);
    }
  });

  // Kyverno 1.19 derives controller rules only when every match and exclude block names `Pod` alone
  // and no name, names, selector or annotations (CanAutoGen, pkg/autogen/v1/autogen.go); the
  // stack-eks engine test proves the derived rules on Deployments, Jobs and CronJobs.
  it('leaves Kyverno free to derive the rules for every Pod controller', () => {
    for (const r of enforce.spec.rules) {
      for (const block of r.match.any) {
        expect(block.resources.kinds).toEqual(['Pod']);
        expect(
          Object.keys(block.resources).filter((k) => !['kinds', 'namespaces', 'operations'].includes(k)),
        ).toEqual([]);
      }
      for (const block of r.exclude?.any ?? []) {
        expect(block.resources.kinds).toEqual(['Pod']);
        expect(Object.keys(block.resources).sort()).toEqual(['kinds', 'namespaces']);
      }
    }
    expect(Object.keys(enforce.metadata.annotations)).not.toContain(
      'pod-policies.kyverno.io/autogen-controllers',
    );
    expect([...AUTOGEN_CONTROLLERS].sort()).toEqual([
      'CronJob',
      'DaemonSet',
      'Deployment',
      'Job',
      'ReplicaSet',
      'ReplicationController',
      'StatefulSet',
    ]);
  });

  it('judges an UPDATE on the new object: no rule lets an existing violation continue', () => {
    expect(enforce.spec.rules.map((r) => r.validate.allowExistingViolations)).toEqual(
      ALL_RULES.map(() => false),
    );
    expect(audit.spec.rules.map((r) => r.validate.allowExistingViolations)).toEqual(
      ALL_RULES.map(() => false),
    );
  });

  it('leaves cluster, Kyverno and verifier namespaces out by name, never by a selector', () => {
    const policy = buildImageVerificationClusterPolicy(admissionInput());
    const matchedNamespaces = policy.spec.rules.flatMap((r) =>
      r.match.any.flatMap((f) => f.resources.namespaces ?? []),
    );
    for (const ns of SYSTEM) expect(matchedNamespaces).not.toContain(ns);
    expect(
      rule(policy, 'no-app-namespace')
        .exclude?.any.flatMap((f) => f.resources.namespaces)
        .slice(0, 5),
    ).toEqual(SYSTEM);
    const keys = schemaPaths(enforce, new Set()).map((entry) => entry.path);
    expect(keys.filter((key) => /selector/i.test(key))).toEqual([]);
  });

  it('calls the verifier over TLS pinned to the certificate in its secret, with no default', () => {
    const ca = contextEntry(enforce, 'verifierCaBundle');
    expect(ca.apiCall).toEqual({
      urlPath: '/api/v1/namespaces/kyverno-notation-aws/secrets/svc.kyverno-notation-aws.svc.tls-pair',
      jmesPath: 'base64_decode(data."tls.crt")',
    });
    const call = contextEntry(enforce, 'verification');
    expect(call.apiCall.service).toEqual({
      url: 'https://svc.kyverno-notation-aws.svc:443/checkimages?trustPolicy=signet-app-hello-server',
      caBundle: '{{ verifierCaBundle }}',
    });
    expect(call.apiCall.method).toBe('POST');
    expect(call.apiCall.data).toEqual([
      { key: 'images', value: '{{ images }}' },
      { key: 'imageReferences', value: ['*'] },
      { key: 'trustPolicy', value: 'signet-app-hello-server' },
    ]);
    for (const entry of rule(enforce, 'signed-hello-server').context ?? []) {
      expect(Object.keys(entry.apiCall)).not.toContain('default');
    }
  });

  it('uses a custom service port, path and TLS secret', () => {
    const policy = buildImageVerificationClusterPolicy(
      admissionInput({
        verifier: {
          serviceName: 'verifier',
          namespace: 'notation',
          port: 9443,
          path: '/verify',
          tlsSecretName: 'verifier-tls',
          tlsSecretKey: 'ca.crt',
        },
      }),
    );
    expect(contextEntry(policy, 'verification').apiCall.service?.url).toBe(
      'https://verifier.notation.svc:9443/verify?trustPolicy=signet-app-hello-server',
    );
    expect(contextEntry(policy, 'verifierCaBundle').apiCall).toEqual({
      urlPath: '/api/v1/namespaces/notation/secrets/verifier-tls',
      jmesPath: 'base64_decode(data."ca.crt")',
    });
  });

  it('asks the verifier a second time, under the release trust policy, for an app that requires the release signature', () => {
    const input = admissionInput({ failureAction: 'Enforce' });
    const policy = buildImageVerificationClusterPolicy({
      ...input,
      apps: input.apps.map((app) => ({ ...app, requireReleaseSignature: app.name === 'hello-server' })),
    });
    expect(policy.spec.rules.map((r) => r.name)).toEqual([
      'images-hello-server',
      'signed-hello-server',
      'relsig-hello-server',
      ...BILLING_RULES,
      'platform-monitoring',
      'no-app-namespace',
    ]);
    const trustPolicyOf = (name: string) =>
      rule(policy, name)
        .context?.find((c) => c.name === 'verification')
        ?.apiCall.data?.find((d) => d.key === 'trustPolicy')?.value;
    expect(trustPolicyOf('signed-hello-server')).toBe('signet-app-hello-server');
    expect(trustPolicyOf('relsig-hello-server')).toBe('signet-app-hello-server-release');
    expect(trustPolicyOf('signed-billing')).toBe('signet-app-billing');
    // Two independent deny rules on the same Pods: each one alone refuses an image.
    for (const name of ['signed-hello-server', 'relsig-hello-server']) {
      expect(rule(policy, name).match).toEqual(rule(policy, 'images-hello-server').match);
      expect(rule(policy, name).validate.deny).toEqual(rule(enforce, 'signed-hello-server').validate.deny);
      expect(rule(policy, name).validate.failureAction).toBe('Enforce');
    }
  });

  it('denies unless the verifier answers verified: true, as a JSON boolean', () => {
    const verify = rule(enforce, 'signed-billing').validate;
    expect(verify.deny).toEqual({
      conditions: {
        all: [{ key: '{{ verification.verified == `true` }}', operator: 'NotEquals', value: true }],
      },
    });
    expect(VERIFIED_EXACTLY_TRUE).toBe('{{ verification.verified == `true` }}');
    expect(verify.message).toBe(
      "Image signature verification failed: {{ verification.message || 'the verifier gave no reason' }}",
    );
    expect(NO_VERIFIER_REASON).toBe('the verifier gave no reason');
  });

  it("admits in an app's namespace only its repository, by digest, in every kind of container", () => {
    const pattern = rule(enforce, 'images-hello-server').validate.pattern as {
      spec: Record<string, [{ image: string }]>;
    };
    expect(Object.keys(pattern.spec).sort()).toEqual([
      '=(ephemeralContainers)',
      '=(initContainers)',
      'containers',
    ]);
    for (const [field, [{ image }]] of Object.entries(pattern.spec)) {
      expect(kyvernoPatternAccepts(image, `${HELLO_REPO}@${DIGEST}`), field).toBe(true);
      expect(kyvernoPatternAccepts(image, `${BILLING_REPO}@${DIGEST}`), field).toBe(false);
      expect(kyvernoPatternAccepts(image, `${HELLO_REPO}:latest`), field).toBe(false);
      expect(kyvernoPatternAccepts(image, `${HELLO_REPO}:v1@${DIGEST}`), field).toBe(false);
      expect(kyvernoPatternAccepts(image, `${HELLO_REPO}@sha256:abc`), field).toBe(false);
      expect(kyvernoPatternAccepts(image, `${HELLO_REPO}-evil@${DIGEST}`), field).toBe(false);
      expect(kyvernoPatternAccepts(image, `docker.io/library/nginx@${DIGEST}`), field).toBe(false);
    }
  });

  describe('against the ClusterPolicy CRD schema (Kyverno v1.19.0)', () => {
    it.each([
      ['Enforce', enforce],
      ['Audit', audit],
    ] as const)(
      '%s: every generated key is declared, so the API server prunes nothing',
      (_action, policy) => {
        expect(undeclaredClusterPolicyPaths(policy)).toEqual([]);
      },
    );

    it.each([
      ['Enforce', enforce],
      ['Audit', audit],
    ] as const)('%s: uses no deprecated field and only enumerated values', (_action, policy) => {
      for (const { path, value } of schemaPaths(policy, CLUSTER_POLICY_OPAQUE_PATHS)) {
        expect(CLUSTER_POLICY_DEPRECATED_PATHS.has(path), path).toBe(false);
        const allowed = CLUSTER_POLICY_ENUMS[path];
        if (allowed !== undefined) expect(allowed, path).toContain(value);
      }
    });

    it('catches a field placed where the schema does not declare it', () => {
      const misplaced = {
        ...enforce,
        spec: { ...enforce.spec, webhookConfiguration: { failurePolicy: 'Fail', timeout: 10 } },
      };
      expect(undeclaredClusterPolicyPaths(misplaced)).toEqual(['spec.webhookConfiguration.timeout']);
      const misspelt = {
        ...enforce,
        spec: {
          ...enforce.spec,
          rules: enforce.spec.rules.map((r) => ({
            ...r,
            validate: { ...r.validate, validationFailureAction: 'Enforce' },
          })),
        },
      };
      expect(undeclaredClusterPolicyPaths(misspelt)).toEqual(
        ALL_RULES.map(() => 'spec.rules[].validate.validationFailureAction'),
      );
      const deprecated = { ...enforce, spec: { ...enforce.spec, failurePolicy: 'Fail' } };
      expect(
        schemaPaths(deprecated, CLUSTER_POLICY_OPAQUE_PATHS).some((entry) =>
          CLUSTER_POLICY_DEPRECATED_PATHS.has(entry.path),
        ),
      ).toBe(true);
    });
  });

  describe('rejects', () => {
    const cases: [string, Parameters<typeof admissionInput>[0], string][] = [
      ['no app', { apps: [] }, 'apps: is empty'],
      [
        'a system namespace as application namespace',
        { apps: [{ name: 'a', namespace: 'kube-system', repositoryUrl: HELLO_REPO }] },
        'apps[0].namespace: "kube-system" is a cluster, Kyverno or verifier namespace; those are never matched',
      ],
      [
        "the verifier's namespace as application namespace",
        { apps: [{ name: 'a', namespace: 'kyverno-notation-aws', repositoryUrl: HELLO_REPO }] },
        'apps[0].namespace: "kyverno-notation-aws" is a cluster, Kyverno or verifier namespace',
      ],
      [
        'a namespace shared by two apps',
        {
          apps: [
            { name: 'a', namespace: 'billing', repositoryUrl: HELLO_REPO },
            { name: 'b', namespace: 'billing', repositoryUrl: BILLING_REPO },
          ],
        },
        'apps[1].namespace: "billing" is used by another app; each app has its own namespace',
      ],
      [
        'a repository shared by two apps',
        {
          apps: [
            { name: 'a', namespace: 'a', repositoryUrl: HELLO_REPO },
            { name: 'b', namespace: 'b', repositoryUrl: HELLO_REPO },
          ],
        },
        `apps[1].repositoryUrl: "${HELLO_REPO}" is used by another app; each app has its own repositoryUrl`,
      ],
      [
        'an invalid namespace',
        { apps: [{ name: 'a', namespace: 'Billing', repositoryUrl: HELLO_REPO }] },
        'apps[0].namespace: "Billing" is not a valid name',
      ],
      [
        'a repository with a wildcard',
        { apps: [{ name: 'a', namespace: 'a', repositoryUrl: `${HELLO_REPO}*` }] },
        'apps[0].repositoryUrl: "111122223333.dkr.ecr.us-east-1.amazonaws.com/hello-server*" contains "*"',
      ],
      [
        'an app name too long for its derived rule names',
        { apps: [{ name: 'a'.repeat(41), namespace: 'a', repositoryUrl: HELLO_REPO }] },
        `apps[0].name: "${'a'.repeat(41)}" is too long for its rule name "signed-${'a'.repeat(41)}"; allowed: a rule name of at most 47 characters`,
      ],
      [
        'platform images in a system namespace',
        { platformImages: { 'kube-system': [AGENT_IMAGE] } },
        'platformImages.kube-system: "kube-system" is a cluster, Kyverno or verifier namespace; platform images go to a namespace of no app',
      ],
      [
        "platform images in an app's namespace",
        { platformImages: { billing: [AGENT_IMAGE] } },
        `platformImages.billing: "billing" is an app's namespace`,
      ],
      [
        'a platform image by tag',
        { platformImages: { monitoring: [`${REGISTRY}/platform/agent:1.0`] } },
        `platformImages.monitoring[0]: "${REGISTRY}/platform/agent:1.0" is not an image by digest; expected <repository>@sha256:<64 lowercase hex>`,
      ],
      [
        'a platform image by tag and digest',
        { platformImages: { monitoring: [`${REGISTRY}/platform/agent:1.0@sha256:${'ab'.repeat(32)}`] } },
        'platformImages.monitoring[0]: ',
      ],
      [
        'a platform image with a short digest',
        { platformImages: { monitoring: [`${REGISTRY}/platform/agent@sha256:abc`] } },
        'is not an image by digest',
      ],
      [
        'a platform image with a wildcard',
        { platformImages: { monitoring: [`${REGISTRY}/platform/*@sha256:${'ab'.repeat(32)}`] } },
        'contains "*"',
      ],
      [
        'a platform image without registry',
        { platformImages: { monitoring: [`agent@sha256:${'ab'.repeat(32)}`] } },
        'is not a fully qualified repository URI',
      ],
      [
        'a platform image listed twice',
        { platformImages: { monitoring: [AGENT_IMAGE, AGENT_IMAGE] } },
        `platformImages.monitoring[1]: "${AGENT_IMAGE}" is listed twice`,
      ],
      [
        'a platform namespace without images',
        { platformImages: { monitoring: [] } },
        'platformImages.monitoring: is empty',
      ],
      [
        'an invalid platform namespace',
        { platformImages: { Monitoring: [AGENT_IMAGE] } },
        'platformImages.Monitoring: "Monitoring" is not a valid name',
      ],
      [
        'an unknown failure action',
        { failureAction: 'enforce' as never },
        'failureAction: "enforce" is not a failure action; expected Enforce or Audit',
      ],
      [
        'a timeout above 30 s',
        { timeoutSeconds: 31 },
        'timeoutSeconds: 31 is out of range; expected an integer from 1 to 30 seconds',
      ],
      ['a timeout of 0', { timeoutSeconds: 0 }, 'timeoutSeconds: 0 is out of range'],
      ['a fractional timeout', { timeoutSeconds: 2.5 }, 'timeoutSeconds: 2.5 is out of range'],
      [
        'a port out of range',
        { verifier: { serviceName: 'svc', namespace: 'kyverno-notation-aws', port: 70000 } },
        'verifier.port: 70000 is not a port; expected an integer from 1 to 65535',
      ],
      [
        'a relative path',
        { verifier: { serviceName: 'svc', namespace: 'kyverno-notation-aws', path: 'checkimages' } },
        'verifier.path: "checkimages" is not an absolute URL path',
      ],
      [
        'a secret key with a slash',
        { verifier: { serviceName: 'svc', namespace: 'kyverno-notation-aws', tlsSecretKey: 'a/b' } },
        'verifier.tlsSecretKey: "a/b" is not a valid secret key',
      ],
      [
        'an invalid secret name',
        { verifier: { serviceName: 'svc', namespace: 'kyverno-notation-aws', tlsSecretName: 'TLS' } },
        'verifier.tlsSecretName: "TLS" is not a valid name',
      ],
      [
        'an invalid service name',
        { verifier: { serviceName: 'Svc', namespace: 'x' } },
        'verifier.serviceName: "Svc"',
      ],
      ['an invalid Kyverno namespace', { kyvernoNamespace: '' }, 'kyvernoNamespace: "" is not a valid name'],
      [
        'an invalid app name',
        { apps: [{ name: 'A B', namespace: 'a', repositoryUrl: HELLO_REPO }] },
        'apps[0].name: "A B" is not a valid name',
      ],
      ['an invalid policy name', { name: '-x' }, 'name: "-x" is not a valid name'],
    ];
    it.each(cases)('%s', (_case, overrides, message) => {
      expect(() => buildImageVerificationClusterPolicy(admissionInput(overrides))).toThrow(PolicyInputError);
      expect(() => buildImageVerificationClusterPolicy(admissionInput(overrides))).toThrow(message);
    });
  });
});
