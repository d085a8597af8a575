// The admission drill's cases (`drillRequests` of @signet/buildspec, what `signet drill` and
// VerifyContainerSign submit) run through the real Kyverno engine (`kyverno test`) with the
// ClusterPolicy of prod's plan: each case must be denied by the policy itself. The two API calls of
// the policy are mocked: the verifier rejects (the image is unsigned), or, to show the repository
// rule holds on its own, wrongly says verified.
import { DrillCase, drillRequests, type DrillRequest } from '@signet/buildspec';
import { KYVERNO_RELEASE } from '@signet/platform';
import {
  runStackProgram,
  useAppWorkspace,
  type AppWorkspace,
  pluginMirrorOutputFixture,
} from '@signet/platform/testing';
import { requireEngine } from '@signet/testing';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admissionMocks, readAdmissionPlan, type Plan, type VerifierAnswer } from './test/admission-plan.js';
import { runKyvernoTest, type EngineReport, type KyvernoSuite } from './test/kyverno-cli.js';

const stackDir = join(import.meta.dirname, '..');
const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const ENV = 'prod';
const APPS = ['hello-server', 'billing'] as const;
const NAMESPACE = 'hello-server';
const SIGNED_DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;
const repositoryUrl = (app: string) => `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/signet-${ENV}/${app}`;
const REJECTION = 'signature verification failed: no signature is associated with the image';

/** The upstream outputs the eks stack reads, for two apps (the shape of the admission engine test's). */
function upstream(env: string = ENV) {
  const profile = (name: string) => `arn:aws:signer:${REGION}:${ACCOUNT}:/signing-profiles/${name}`;
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
      repositories: Object.fromEntries(
        APPS.map((app) => [
          app,
          {
            name: `signet-${env}/${app}`,
            arn: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/signet-${env}/${app}`,
            url: repositoryUrl(app),
          },
        ]),
      ),
      kmsKeyArn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/00000000-0000-0000-0000-000000000000`,
    },
    [`organization/signet-signer/${env}`]: {
      pluginMirror: pluginMirrorOutputFixture(env, ACCOUNT, REGION),
      profiles: Object.fromEntries(
        APPS.map((app) => {
          const name = `signet_${env}_${app.replaceAll('-', '_')}`;
          const identity = (n: string) => ({
            name: n,
            arn: profile(n),
            versionArn: `${profile(n)}/a1B2c3D4e5`,
          });
          // Every environment after dev adds its release signature.
          return [app, { pipeline: identity(name), release: identity(`${name}_release`) }];
        }),
      ),
      trustedIdentities: APPS.flatMap((app) => {
        const name = `signet_${env}_${app.replaceAll('-', '_')}`;
        return [profile(name), profile(`${name}_release`)];
      }),
    },
  };
}

const RUNNING_POD = 'hello-server-7d9f8-abcde';
const { requests } = drillRequests({
  namespace: NAMESPACE,
  repositoryUri: repositoryUrl('hello-server'),
  otherAppImage: `${repositoryUrl('billing')}@${SIGNED_DIGEST}`,
  runningPod: RUNNING_POD,
});

/**
 * The object admission sees for a request, named after its case (names must differ in a suite):
 * the body of a create, or for the ephemeral-container patch, the running Pod with the patch applied.
 */
function admitted(request: DrillRequest): object {
  const named = (object: Record<string, unknown>) => ({
    ...object,
    metadata: { ...(object['metadata'] as object), name: request.case, namespace: NAMESPACE },
  });
  if (request.stdin !== undefined) return named(JSON.parse(request.stdin) as Record<string, unknown>);
  const patch = JSON.parse(request.args.at(-1) ?? '{}') as { spec: { ephemeralContainers: object[] } };
  return named({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {},
    spec: {
      containers: [{ name: 'hello-server', image: `${repositoryUrl('hello-server')}@${SIGNED_DIGEST}` }],
      ephemeralContainers: patch.spec.ephemeralContainers,
    },
  });
}

const kindOf = (request: DrillRequest) => (admitted(request) as { kind: string }).kind;
const ANSWERS: Record<'rejecting' | 'verifying', VerifierAnswer> = {
  rejecting: { verifier: { body: { verified: false, message: REJECTION } } },
  verifying: { verifier: { body: { verified: true, message: '', results: [] } } },
};

let workspace: AppWorkspace;
let plan: Plan;
let report: EngineReport;

function suites(): KyvernoSuite[] {
  const suite = (answer: keyof typeof ANSWERS, ephemeral: boolean): KyvernoSuite => {
    const chosen = requests.filter((r) => (r.case === DrillCase.EphemeralContainer) === ephemeral);
    return {
      name: `${ENV}/${answer}/${ephemeral ? 'ephemeral' : 'create'}`,
      policies: [plan.clusterPolicy],
      resources: chosen.map(admitted),
      apiCallResponses: admissionMocks(plan, ANSWERS[answer]),
      // kyverno test reports the rules it is given an expectation for: both, for every case.
      results: chosen.flatMap((r) => [
        {
          policy: plan.clusterPolicy.metadata.name,
          rule: 'images-hello-server',
          kind: kindOf(r),
          resources: [r.case],
          result:
            r.case === DrillCase.Tag || r.case === DrillCase.OtherAppSigned
              ? ('fail' as const)
              : ('pass' as const),
        },
        {
          policy: plan.clusterPolicy.metadata.name,
          rule: 'signed-hello-server',
          kind: kindOf(r),
          resources: [r.case],
          result: answer === 'rejecting' ? ('fail' as const) : ('pass' as const),
        },
      ]),
      ...(ephemeral ? { operation: 'UPDATE' as const, asEphemeralContainersSubresource: true } : {}),
    };
  };
  return [suite('rejecting', false), suite('rejecting', true), suite('verifying', false)];
}

beforeAll(async () => {
  const kyverno = requireEngine('kyverno', KYVERNO_RELEASE.appVersion);
  workspace = useAppWorkspace(
    APPS.map((name) => ({ name, namespace: name, port: 8080, environments: [ENV], manifests: 'deploy' })),
  );
  const result = await runStackProgram({
    stackDir,
    env: ENV,
    stackReferences: { ...upstream('dev'), ...upstream('staging'), ...upstream() },
  });
  plan = readAdmissionPlan(result.resources);
  report = await runKyvernoTest(kyverno, suites());
}, 300_000);

afterAll(() => workspace.restore());

/** The rules that denied a case (failed or errored), as `<rule as run>: <result>`. */
function denials(suite: string, request: DrillRequest): string[] {
  return Object.values(report.rowsOf(suite, request.case))
    .flat()
    .filter((row) => row.result === 'fail' || row.result === 'error')
    .map((row) => `${row.rule}: ${row.result}`)
    .sort();
}

describe(`the admission drill's cases in Kyverno ${KYVERNO_RELEASE.appVersion}, with prod's planned ClusterPolicy`, () => {
  it('covers every case of the drill', () => {
    expect(requests.map((r) => r.case)).toEqual(Object.values(DrillCase));
  });

  it.each(requests.map((r) => [r.case, r] as const))(
    'denies %s when the image is unsigned',
    (name, request) => {
      const suite = `${ENV}/rejecting/${name === DrillCase.EphemeralContainer ? 'ephemeral' : 'create'}`;
      expect(denials(suite, request)).not.toEqual([]);
    },
  );

  it('denies the unsigned digest, the Deployment and the ephemeral container by their signature', () => {
    const byCase = Object.fromEntries(
      requests.map((r) => [
        r.case,
        denials(`${ENV}/rejecting/${r.case === DrillCase.EphemeralContainer ? 'ephemeral' : 'create'}`, r),
      ]),
    );
    expect(byCase[DrillCase.UnsignedDigest]).toContain('signed-hello-server: fail');
    expect(byCase[DrillCase.UnsignedDeployment]).toContain('autogen-signed-hello-server: fail');
    expect(byCase[DrillCase.EphemeralContainer]).toContain('signed-hello-server: fail');
  });

  it("denies the tag and another app's signed image by the repository rule, even if the verifier said verified", () => {
    const tag = requests.find((r) => r.case === DrillCase.Tag);
    const other = requests.find((r) => r.case === DrillCase.OtherAppSigned);
    if (tag === undefined || other === undefined) throw new Error('drill cases missing');
    expect(denials(`${ENV}/verifying/create`, tag)).toContain('images-hello-server: fail');
    expect(denials(`${ENV}/verifying/create`, other)).toContain('images-hello-server: fail');
  });
});
