import { ENVIRONMENTS, environmentTraits } from '@signet/core';
import { buildStageNamespaceRbac, type StageKubernetesRule } from '@signet/policies';
import { describe, expect, it } from 'vitest';
import {
  STAGE_CATALOG,
  STAGE_ENVIRONMENT,
  STAGE_FILE,
  STAGE_GENERATORS,
  STAGE_ORDER,
  Stage,
  StageNetwork,
  buildspecPath,
  checkStageCatalog,
  stageEntry,
  stagesFor,
  type StageEntry,
} from './catalog.js';
import { ExportedVariable } from './contract.js';
import { DEFAULT_TOOLS, awsSignerTrustStore } from './defaults.js';
import type { BuildspecInputs } from './inputs.js';

const inputs: BuildspecInputs = {
  app: {
    name: 'hello-server',
    namespace: 'hello-server',
    manifestsPath: 'apps/hello-server/deploy',
    dockerfile: 'apps/hello-server/Dockerfile',
    buildContext: '.',
  },
  pipelineName: 'signet-dev-hello-server',
  tools: DEFAULT_TOOLS,
  toolsDirectory: '/usr/local/bin',
  vulnerabilityThreshold: 'high',
  rolloutTimeoutSeconds: 300,
  admissionPolicy: { name: 'signet-verify-images', requireEnforce: true },
  trustStore: awsSignerTrustStore(),
};

describe('the stage catalog', () => {
  it('is the pipeline order, the contract and the file names', () => {
    expect(STAGE_ORDER).toEqual([
      'Build',
      'ApplicationSigning',
      'Promote',
      'ReleaseSigning',
      'ApplicationDeployment',
      'VerifyContainerSign',
      'RevokeSuperseded',
    ]);
    expect(Object.values(Stage)).toEqual(STAGE_ORDER);
    for (const entry of STAGE_CATALOG) {
      expect(STAGE_ENVIRONMENT[entry.name]).toBe(entry.environment);
      expect(STAGE_FILE[entry.name]).toBe(entry.file);
      expect(stageEntry(entry.name)).toBe(entry);
    }
    expect(buildspecPath('hello-server', 'prod', Stage.VerifyContainerSign)).toBe(
      'buildspecs/hello-server/prod/verify-container-sign.yml',
    );
  });

  it('runs only Build privileged, and every cluster-facing stage in the VPC', () => {
    expect(STAGE_CATALOG.filter((e) => e.privileged).map((e) => e.name)).toEqual([Stage.Build]);
    expect(STAGE_CATALOG.filter((e) => e.cluster !== undefined).map((e) => [e.name, e.network])).toEqual([
      [Stage.ApplicationDeployment, StageNetwork.Vpc],
      [Stage.VerifyContainerSign, StageNetwork.Vpc],
    ]);
  });

  it('gives each generator its own contract (Build exports what the later stages read)', () => {
    expect(STAGE_GENERATORS[Stage.Build](inputs).env?.['exported-variables']).toEqual(
      stageEntry(Stage.Build).environment.exports,
    );
  });

  it('builds once, in dev; staging and prod promote the digest, then add their release signature before deploying', () => {
    const names = (environment: (typeof ENVIRONMENTS)[number]) =>
      stagesFor(environmentTraits(environment)).map((e) => e.name);
    expect(names('dev')).toEqual([
      Stage.Build,
      Stage.ApplicationSigning,
      Stage.ApplicationDeployment,
      Stage.VerifyContainerSign,
    ]);
    for (const environment of ['staging', 'prod'] as const) {
      expect(names(environment)).toEqual([
        Stage.Promote,
        Stage.ReleaseSigning,
        Stage.ApplicationDeployment,
        Stage.VerifyContainerSign,
        Stage.RevokeSuperseded,
      ]);
    }
    // The build signature by the app's pipeline identity, the release signature by its release identity.
    expect(
      STAGE_CATALOG.filter((e) => e.signingIdentity !== undefined).map((e) => [e.name, e.signingIdentity]),
    ).toEqual([
      [Stage.ApplicationSigning, 'pipeline'],
      [Stage.ReleaseSigning, 'release'],
      // Not a signer: the release profile is the one whose superseded signatures it revokes.
      [Stage.RevokeSuperseded, 'release'],
    ]);
    expect(stageEntry(Stage.RevokeSuperseded).roleGrants).not.toContain('sign-with-profile');
    // The one approval of a pipeline goes before its first such stage: prod signs its release only after it.
    expect(stagesFor(environmentTraits('prod')).find((e) => e.approvalBefore)?.name).toBe(
      Stage.ReleaseSigning,
    );
    expect(stagesFor(environmentTraits('dev')).find((e) => e.approvalBefore)?.name).toBe(
      Stage.ApplicationDeployment,
    );
  });

  it('adds a stage only to the environments whose traits its entry names', () => {
    const gate: StageEntry = {
      ...stageEntry(Stage.VerifyContainerSign),
      name: 'ExtraGate',
      slug: 'extra-gate',
      roleSuffix: 'gate',
      file: 'extra-gate.yml',
      includedIn: (traits) => traits.manualApprovalByDefault,
    };
    const catalog: readonly StageEntry[] = [...STAGE_CATALOG, gate];
    checkStageCatalog(catalog);
    const names = (environment: (typeof ENVIRONMENTS)[number]) =>
      stagesFor(environmentTraits(environment), catalog).map((e) => e.name);
    for (const environment of ENVIRONMENTS) {
      expect(names(environment).includes('ExtraGate')).toBe(
        environmentTraits(environment).manualApprovalByDefault,
      );
    }
  });

  const bad: [string, (catalog: StageEntry[]) => void, RegExp][] = [
    [
      'a slug two stages use',
      (c) => (c[5] = { ...(c[5] as StageEntry), slug: 'build' }),
      /\[5\]\.slug.*"build".*a value no other stage uses/,
    ],
    [
      'a variable no earlier stage exports',
      (c) =>
        c.unshift({
          ...(c[1] as StageEntry),
          name: 'Early',
          slug: 'early',
          roleSuffix: 'early',
          file: 'early.yml',
        }),
      /\[0\]\.environment\.fromBuild\[0\].*"IMAGE_DIGEST".*a variable an earlier stage exports \(none\)/,
    ],
    [
      'cluster access outside the VPC',
      (c) => (c[5] = { ...(c[5] as StageEntry), network: StageNetwork.CodeBuild }),
      /\[5\]\.network.*"codebuild".*"vpc" for a stage with cluster access/,
    ],
    [
      'a timeout CodeBuild refuses',
      (c) => (c[0] = { ...(c[0] as StageEntry), timeoutMinutes: 600 }),
      /\[0\]\.timeoutMinutes.*600.*an integer from 5 to 480/,
    ],
  ];
  it.each(bad)('refuses %s, naming the file, the entry and what is allowed', (_, change, message) => {
    const catalog = [...STAGE_CATALOG] as StageEntry[];
    change(catalog);
    expect(() => checkStageCatalog(catalog)).toThrow(message);
    expect(() => checkStageCatalog(catalog)).toThrow(/packages\/buildspec\/src\/catalog\.ts/);
  });

  it('keeps the exported variables in one stage per environment, with the same names where images are built or promoted', () => {
    for (const environment of ENVIRONMENTS) {
      const exporting = stagesFor(environmentTraits(environment)).filter(
        (e) => e.environment.exports.length > 0,
      );
      expect(exporting.map((e) => e.name)).toEqual([
        environmentTraits(environment).promotesFrom === null ? Stage.Build : Stage.Promote,
      ]);
    }
    expect(stageEntry(Stage.Promote).environment.exports).toEqual(
      stageEntry(Stage.Build).environment.exports,
    );
    expect(stageEntry(Stage.Build).environment.exports).toContain(ExportedVariable.ImageUri);
  });
});

/** One Kubernetes API request: what RBAC authorizes. */
interface ApiRequest {
  readonly verb: string;
  readonly apiGroup: string;
  readonly resource: string;
  readonly name?: string;
  readonly clusterScoped?: boolean;
}

/**
 * The API requests each kubectl call of a buildspec makes (kubectl's own sources: `rollout undo`
 * of a Deployment gets it, lists its ReplicaSets and patches it). A call not listed fails the test,
 * so a new kubectl call in a generator must be added here and to its stage's rules.
 */
const KUBECTL_CALLS: readonly [RegExp, (match: RegExpExecArray) => ApiRequest[]][] = [
  [/^kubectl version --client$/, () => []],
  // The admission drill: server-side dry runs of a Pod or a Deployment (the kind is in the body), and
  // of a patch of a running Pod's ephemeral containers.
  [
    /"kind":"(Pod|Deployment)".*\| kubectl 'create' '--dry-run=server' '--namespace' '[^']+' /,
    (m) => [
      m[1] === 'Pod'
        ? { verb: 'create', apiGroup: '', resource: 'pods' }
        : { verb: 'create', apiGroup: 'apps', resource: 'deployments' },
    ],
  ],
  [
    /kubectl 'patch' 'pod' .* '--subresource' 'ephemeralcontainers' .*'--dry-run=server'/,
    () => [{ verb: 'patch', apiGroup: '', resource: 'pods/ephemeralcontainers' }],
  ],
  [
    /^kubectl get deployment '([^']+)' --namespace '[^']+' --output json/,
    (m) => [{ verb: 'get', apiGroup: 'apps', resource: 'deployments', name: m[1] as string }],
  ],
  [
    /^kubectl get pods --namespace '[^']+' --selector /,
    () => [{ verb: 'list', apiGroup: '', resource: 'pods' }],
  ],
  [
    /^kubectl get clusterpolicy '([^']+)' --output json/,
    (m) => [
      {
        verb: 'get',
        apiGroup: 'kyverno.io',
        resource: 'clusterpolicies',
        name: m[1] as string,
        clusterScoped: true,
      },
    ],
  ],
  [
    /^kubectl rollout undo 'deployment\/([^']+)' --namespace '[^']+'$/,
    (m) => [
      { verb: 'get', apiGroup: 'apps', resource: 'deployments', name: m[1] as string },
      { verb: 'list', apiGroup: 'apps', resource: 'replicasets' },
      { verb: 'patch', apiGroup: 'apps', resource: 'deployments', name: m[1] as string },
    ],
  ],
];

function kubectlRequests(stage: Stage): ApiRequest[] {
  const spec = STAGE_GENERATORS[stage](inputs);
  const lines = Object.values(spec.phases)
    .flatMap((phase) => [...(phase?.commands ?? []), ...(phase?.finally ?? [])])
    .flatMap((command) => command.split('\n'))
    .map((line) => line.trim())
    .filter((line) => /(^|[\s;&|(])kubectl\s/.test(line));
  return lines.flatMap((line) => {
    for (const [pattern, requests] of KUBECTL_CALLS) {
      const match = pattern.exec(line);
      if (match) return requests(match);
    }
    throw new Error(`${stage} runs a kubectl call this test does not know: ${line}`);
  });
}

/** RBAC's rule match (https://kubernetes.io/docs/reference/access-authn-authz/rbac/). */
function allows(
  rules: ReturnType<typeof buildStageNamespaceRbac>['role']['rules'],
  request: ApiRequest,
): boolean {
  return rules.some(
    (rule) =>
      rule.apiGroups.includes(request.apiGroup) &&
      rule.resources.includes(request.resource) &&
      rule.verbs.includes(request.verb) &&
      (rule.resourceNames === undefined ||
        (request.name !== undefined && rule.resourceNames.includes(request.name))),
  );
}

describe("VerifyContainerSign's cluster access", () => {
  const entry = stageEntry(Stage.VerifyContainerSign);
  if (entry.cluster?.kind !== 'rbac') throw new Error('VerifyContainerSign must have rbac cluster access');
  const namespaceRules: readonly StageKubernetesRule[] = entry.cluster.namespaceRules;
  const { role } = buildStageNamespaceRbac({
    name: 'signet-hello-server-verify-container-sign',
    namespace: inputs.app.namespace,
    app: inputs.app.name,
    group: 'signet:hello-server:verify-container-sign',
    rules: namespaceRules,
  });
  const requests = kubectlRequests(Stage.VerifyContainerSign);

  it('allows every request its buildspec makes in the namespace', () => {
    const namespaced = requests.filter((r) => !r.clusterScoped);
    expect(namespaced.length).toBeGreaterThan(0);
    for (const request of namespaced)
      expect({ request, allowed: allows(role.rules, request) }).toEqual({ request, allowed: true });
  });

  it('grants nothing its buildspec does not use', () => {
    for (const rule of role.rules) {
      for (const verb of rule.verbs) {
        const used = requests.some(
          (r) =>
            rule.apiGroups.includes(r.apiGroup) && rule.resources.includes(r.resource) && r.verb === verb,
        );
        expect({ rule: rule.resources, verb, used }).toEqual({ rule: rule.resources, verb, used: true });
      }
    }
  });

  it("patches only the app's own Deployment, never deletes, creates only Pods and Deployments, never reads secrets", () => {
    expect(
      allows(role.rules, { verb: 'patch', apiGroup: 'apps', resource: 'deployments', name: 'other-app' }),
    ).toBe(false);
    expect(allows(role.rules, { verb: 'delete', apiGroup: '', resource: 'pods' })).toBe(false);
    // The drill's dry runs need create on Pods and Deployments: RBAC has no dry-run-only verb.
    expect(allows(role.rules, { verb: 'create', apiGroup: '', resource: 'pods' })).toBe(true);
    expect(allows(role.rules, { verb: 'create', apiGroup: '', resource: 'services' })).toBe(false);
    expect(
      allows(role.rules, { verb: 'create', apiGroup: 'rbac.authorization.k8s.io', resource: 'rolebindings' }),
    ).toBe(false);
    expect(allows(role.rules, { verb: 'patch', apiGroup: '', resource: 'pods' })).toBe(false);
    expect(allows(role.rules, { verb: 'get', apiGroup: '', resource: 'secrets', name: 'hello-server' })).toBe(
      false,
    );
  });

  it('reads the one cluster-scoped object, the admission ClusterPolicy, through the readers group', () => {
    expect(requests.filter((r) => r.clusterScoped)).toEqual([
      {
        verb: 'get',
        apiGroup: 'kyverno.io',
        resource: 'clusterpolicies',
        name: 'signet-verify-images',
        clusterScoped: true,
      },
    ]);
    expect(entry.cluster).toMatchObject({ readsAdmissionPolicy: true });
  });
});
