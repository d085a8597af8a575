// Two signatures where it matters: the ClusterPolicy of each environment, exactly as the stack plans
// it, run by the real Kyverno engine (`kyverno test`). In staging and prod an app's Pods pass two
// signature rules, each calling the verifier under its own trust policy (the build policy, whose only
// identity is dev's pipeline profile, and the environment's release policy); the verifier's answer is
// mocked per call, told apart by the trust policy the call names. In dev there is one call.
import { KYVERNO_RELEASE } from '@signet/platform';
import {
  runStackProgram,
  useAppWorkspace,
  type AppWorkspace,
  pluginMirrorOutputFixture,
} from '@signet/platform/testing';
import { requireEngine } from '@signet/testing';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  runKyvernoTest,
  type ApiCallMock,
  type CliResult,
  type EngineReport,
  type KyvernoSuite,
} from './test/kyverno-cli.js';

const stackDir = join(import.meta.dirname, '..');
const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const APP = 'hello-server';
const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
type Env = (typeof ENVIRONMENTS)[number];
const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;
const NO_RELEASE = `signature verification failed for all the signatures associated with ${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/signet-prod/${APP}@${DIGEST}`;
const NO_BUILD = 'signature verification failed: no signature is associated with the image';

const repositoryUrl = (env: string) => `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/signet-${env}/${APP}`;
const profileArn = (name: string) => `arn:aws:signer:${REGION}:${ACCOUNT}:/signing-profiles/${name}`;

function upstream(env: Env): Record<string, Record<string, unknown>> {
  const output = (name: string) => ({
    name,
    arn: profileArn(name),
    versionArn: `${profileArn(name)}/a1B2c3D4e5`,
  });
  const pipeline = `signet_${env}_hello_server`;
  const identities =
    env === 'dev'
      ? { pipeline: output(pipeline) }
      : { pipeline: output(pipeline), release: output(`${pipeline}_release`) };
  return {
    [`organization/signet-networking/${env}`]: {
      vpcId: 'vpc-0123456789abcdef0',
      vpcCidr: '10.30.0.0/16',
      privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb', 'subnet-0cccccccccccccccc'],
      publicSubnetIds: ['subnet-0dddddddddddddddd'],
      availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
      endpointSecurityGroupId: 'sg-0123456789abcdef0',
      deployerSecurityGroupId: 'sg-0fedcba9876543210',
    },
    [`organization/signet-ecr/${env}`]: {
      repositories: {
        [APP]: {
          name: `signet-${env}/${APP}`,
          arn: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/signet-${env}/${APP}`,
          url: repositoryUrl(env),
        },
      },
      kmsKeyArn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/00000000-0000-0000-0000-000000000000`,
    },
    [`organization/signet-signer/${env}`]: {
      pluginMirror: pluginMirrorOutputFixture(env, ACCOUNT, REGION),
      profiles: { [APP]: identities },
      trustedIdentities: Object.values(identities).map((p) => p.arn),
    },
  };
}

interface Plan {
  readonly clusterPolicy: { metadata: { name: string }; spec: { rules: { name: string }[] } };
  readonly tlsSecretPath: string;
  readonly verifierUrl: string;
  /** Trust policy name → its one statement's identities, as the planned TrustPolicy resources hold them. */
  readonly trustPolicies: Readonly<Record<string, readonly string[]>>;
}

const parsed = <T>(value: unknown): T => (typeof value === 'string' ? JSON.parse(value) : value) as T;

async function plan(env: Env): Promise<Plan> {
  vi.resetModules();
  const result = await runStackProgram({
    stackDir,
    env,
    stackReferences: { ...upstream('dev'), ...upstream('staging'), ...upstream(env) },
  });
  const find = (type: string, name: string) => {
    const found = result.resources.find((r) => r.type === type && r.name === name);
    if (!found) throw new Error(`the ${env} plan has no ${type} named ${name}`);
    return found;
  };
  const policy = find('kubernetes:kyverno.io/v1:ClusterPolicy', 'admission-cluster-policy');
  const role = find('kubernetes:rbac.authorization.k8s.io/v1:Role', 'admission-read-verifier-tls');
  const service = find('kubernetes:core/v1:Service', 'verifier-service');
  const roleNamespace = parsed<{ namespace: string }>(role.inputs['metadata']).namespace;
  const secret = parsed<{ resourceNames: string[] }[]>(role.inputs['rules'])[0]?.resourceNames[0];
  const serviceMetadata = parsed<{ name: string; namespace: string }>(service.inputs['metadata']);
  const port = parsed<{ ports: { port: number }[] }>(service.inputs['spec']).ports[0]?.port;
  return {
    clusterPolicy: {
      apiVersion: String(policy.inputs['apiVersion']),
      kind: String(policy.inputs['kind']),
      metadata: parsed(policy.inputs['metadata']),
      spec: parsed(policy.inputs['spec']),
    } as Plan['clusterPolicy'],
    tlsSecretPath: `/api/v1/namespaces/${roleNamespace}/secrets/${secret}`,
    verifierUrl: `https://${serviceMetadata.name}.${serviceMetadata.namespace}.svc:${port}/checkimages`,
    trustPolicies: Object.fromEntries(
      result.resources
        .filter((r) => r.type === 'kubernetes:notation.nirmata.io/v1alpha1:TrustPolicy')
        .map((r) => [
          parsed<{ name: string }>(r.inputs['metadata']).name,
          parsed<{ trustPolicies: { trustedIdentities: string[] }[] }>(
            r.inputs['spec'],
          ).trustPolicies.flatMap((t) => t.trustedIdentities),
        ]),
    ),
  };
}

/** What the image carries, as the verifier would judge it under each trust policy. */
const CARRIES = {
  both: { build: true, release: true },
  'build-only': { build: true, release: false },
  'release-only': { build: false, release: true },
} as const;
type Carries = keyof typeof CARRIES;

function mocks(p: Plan, carries: Carries): ApiCallMock[] {
  const answer = (verified: boolean, message: string) => ({
    method: 'POST' as const,
    body: { verified, message: verified ? '' : message, results: [] },
  });
  return [
    {
      urlPath: p.tlsSecretPath,
      method: 'GET',
      body: {
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'kubernetes.io/tls',
        data: {
          'tls.crt': Buffer.from(
            '-----BEGIN CERTIFICATE-----\nstand-in\n-----END CERTIFICATE-----\n',
          ).toString('base64'),
        },
      },
    },
    { url: `${p.verifierUrl}?trustPolicy=signet-app-${APP}`, ...answer(CARRIES[carries].build, NO_BUILD) },
    {
      url: `${p.verifierUrl}?trustPolicy=signet-app-${APP}-release`,
      ...answer(CARRIES[carries].release, NO_RELEASE),
    },
  ];
}

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'pod', namespace: APP },
  spec: { containers: [{ name: APP, image: '' }] },
};

function suite(env: Env, p: Plan, carries: Carries): KyvernoSuite {
  const expected: Record<string, CliResult> = {
    [`images-${APP}`]: 'pass',
    [`signed-${APP}`]: CARRIES[carries].build ? 'pass' : 'fail',
    ...(env === 'dev' ? {} : { [`relsig-${APP}`]: CARRIES[carries].release ? 'pass' : 'fail' }),
  };
  const image = `${repositoryUrl(env)}@${DIGEST}`;
  return {
    name: `${env}/${carries}`,
    policies: [p.clusterPolicy],
    resources: [{ ...pod, spec: { containers: [{ name: APP, image }] } }],
    apiCallResponses: mocks(p, carries),
    results: Object.entries(expected).map(([rule, result]) => ({
      policy: p.clusterPolicy.metadata.name,
      rule,
      kind: 'Pod',
      resources: ['pod'],
      result,
    })),
  };
}

let workspace: AppWorkspace;
const plans = new Map<Env, Plan>();
let report: EngineReport;

beforeAll(async () => {
  const kyverno = requireEngine('kyverno', KYVERNO_RELEASE.appVersion);
  workspace = useAppWorkspace([
    { name: APP, namespace: APP, port: 8080, environments: [...ENVIRONMENTS], manifests: 'deploy' },
  ]);
  for (const env of ENVIRONMENTS) plans.set(env, await plan(env));
  const suites = ENVIRONMENTS.flatMap((env) =>
    (Object.keys(CARRIES) as Carries[]).map((carries) => suite(env, plans.get(env) as Plan, carries)),
  );
  report = await runKyvernoTest(kyverno, suites);
}, 300_000);

afterAll(() => {
  workspace.restore();
});

/** The engine's verdict per signature rule of the app, for a Pod carrying `carries`. */
function verdicts(env: Env, carries: Carries): Record<string, string> {
  const rows = report.rowsOf(`${env}/${carries}`, 'pod');
  return Object.fromEntries(
    Object.entries(rows)
      .filter(([rule]) => rule !== `images-${APP}`)
      .map(([rule, r]) => [
        rule,
        r.map((row) => (row.result === 'fail' ? `fail: ${row.message}` : row.result)).join(' | '),
      ]),
  );
}

describe.each(['staging', 'prod'] as const)(
  `%s: two signatures, in Kyverno ${KYVERNO_RELEASE.appVersion}`,
  (env) => {
    it("calls the verifier twice, under the build policy (dev's pipeline identity only) and the release policy (its own release identity only)", () => {
      const p = plans.get(env) as Plan;
      expect(p.clusterPolicy.spec.rules.map((r) => r.name)).toEqual([
        `images-${APP}`,
        `signed-${APP}`,
        `relsig-${APP}`,
        'no-app-namespace',
      ]);
      expect(p.trustPolicies).toEqual({
        [`signet-app-${APP}`]: [profileArn('signet_dev_hello_server')],
        [`signet-app-${APP}-release`]: [profileArn(`signet_${env}_hello_server_release`)],
      });
    });

    it('admits a Pod whose image carries both signatures', () => {
      expect(verdicts(env, 'both')).toEqual({ [`signed-${APP}`]: 'pass', [`relsig-${APP}`]: 'pass' });
    });

    it('refuses a digest with only the build signature (promoted, but not released here: a rejected approval)', () => {
      expect(verdicts(env, 'build-only')).toEqual({
        [`signed-${APP}`]: 'pass',
        [`relsig-${APP}`]: `fail: Image signature verification failed: ${NO_RELEASE}`,
      });
    });

    it('refuses a digest with only a release signature (never built by the pipeline)', () => {
      expect(verdicts(env, 'release-only')).toEqual({
        [`signed-${APP}`]: `fail: Image signature verification failed: ${NO_BUILD}`,
        [`relsig-${APP}`]: 'pass',
      });
    });
  },
);

describe(`dev: one signature, in Kyverno ${KYVERNO_RELEASE.appVersion}`, () => {
  it('admits the build signature alone and never asks for a release signature', () => {
    expect(plans.get('dev')?.clusterPolicy.spec.rules.map((r) => r.name)).toEqual([
      `images-${APP}`,
      `signed-${APP}`,
      'no-app-namespace',
    ]);
    expect(verdicts('dev', 'build-only')).toEqual({ [`signed-${APP}`]: 'pass' });
    expect(verdicts('dev', 'release-only')).toEqual({
      [`signed-${APP}`]: `fail: Image signature verification failed: ${NO_BUILD}`,
    });
  });
});
