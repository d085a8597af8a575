import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { findWorkspaceRoot } from './cli/workspace.js';
import { Stage } from './catalog.js';
import { manifestsSha256 } from './stages/manifests.js';
import { clientEnv, referrersOf, runOk, testServices } from './test/engines.js';
import type { Call, PipelineResult } from './test/pipeline.js';
import {
  BUILD_EXPORTS,
  COMMIT,
  DEFAULT_MANIFESTS,
  DEFAULT_MANIFESTS_SHA256,
  OTHER_DIGEST,
  PROFILE_ARN,
  REPOSITORY_URI,
  TRUST_POLICY,
  cleanupPipelines,
  pushTestImage,
  runPipeline,
} from './test/pipeline.js';

afterAll(cleanupPipelines);

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const SIGNATURE = 'application/vnd.cncf.notary.signature';
const SBOM = 'application/spdx+json';

function callsOf(result: PipelineResult, tool: string, ...prefix: string[]): Call[] {
  return result.calls.filter((c) => c.tool === tool && prefix.every((p, i) => c.args[i] === p));
}

function outcome(result: PipelineResult): Record<string, boolean> {
  return Object.fromEntries([...result.stages].map(([stage, r]) => [stage, r.succeeded]));
}

async function artifactTypes(reference: string): Promise<string[]> {
  const services = await testServices();
  return (await referrersOf(services, reference)).map((r) => r.artifactType).sort();
}

/** How the log shows Build's `oras attach` command (guarded: it attaches only while the image has no SBOM). */
const ATTACH_COMMAND = 'Running command if [[ -z "${SBOM_DIGEST:-}" ]]; then';

/**
 * Pushes an image tagged with `commit` as a first run that stopped before attaching its SBOM would
 * leave it: in the registry (crane) and in ECR's record of tags (moto), as the docker stand-in does.
 */
async function pushedWithoutSbom(commit: string): Promise<string> {
  const services = await testServices();
  const dir = mkdtempSync(join(tmpdir(), 'signet-nosbom-'));
  try {
    const env = clientEnv(services, dir);
    writeFileSync(join(dir, 'id'), `no sbom ${commit}\n`);
    await runOk('tar', ['-C', dir, '-cf', join(dir, 'layer.tar'), 'id'], env);
    const ref = `${REPOSITORY_URI}:${commit}`;
    const pushed = (
      await runOk(
        services.engines.crane,
        ['append', '--oci-empty-base', '--new_layer', join(dir, 'layer.tar'), '--new_tag', ref],
        env,
      )
    ).trim();
    const manifest = await runOk(services.engines.crane, ['manifest', pushed], env);
    const digest = pushed.slice(pushed.indexOf('@') + 1);
    await runOk(
      services.engines.aws,
      [
        'ecr',
        'put-image',
        '--repository-name',
        'hello-server',
        '--image-tag',
        commit,
        '--image-digest',
        digest,
        '--image-manifest',
        manifest,
      ],
      env,
    );
    return digest;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const SIGNING = [Stage.ApplicationSigning];
const SIGN_ONWARDS = [Stage.ApplicationSigning, Stage.ApplicationDeployment, Stage.VerifyContainerSign];
const DEPLOY_ONWARDS = {
  stages: [Stage.ApplicationDeployment, Stage.VerifyContainerSign],
  exported: BUILD_EXPORTS,
};

// Each scenario spawns a few hundred processes; they run concurrently to use every core. Every
// scenario that signs has an image of its own, so no scenario sees another's signatures.
describe.concurrent(
  'the generated pipeline, run in bash against real notation, oras, AWS CLI (moto) and registry',
  { timeout: 180_000 },
  () => {
    it('succeeds end to end, signing, verifying and deploying by digest only', async () => {
      const result = await runPipeline();
      expect(outcome(result), result.log).toEqual({
        Build: true,
        ApplicationSigning: true,
        ApplicationDeployment: true,
        VerifyContainerSign: true,
      });
      const exported = result.stages.get(Stage.Build)?.exported ?? {};
      const imageUri = exported['IMAGE_URI'] ?? '';
      const sbomUri = `${REPOSITORY_URI}@${exported['SBOM_DIGEST']}`;
      expect(exported['IMAGE_TAG']).toBe(result.commit);
      expect(exported['IMAGE_DIGEST']).toMatch(DIGEST);
      expect(imageUri).toBe(`${REPOSITORY_URI}@${exported['IMAGE_DIGEST']}`);
      // Pushed by commit tag; the SBOM and the signature hang off the digest the push reported.
      expect(callsOf(result, 'docker', 'push').map((c) => c.args[1])).toEqual([
        `${REPOSITORY_URI}:${result.commit}`,
      ]);
      expect(await artifactTypes(imageUri)).toEqual([SBOM, SIGNATURE]);
      expect(await artifactTypes(sbomUri)).toEqual([SIGNATURE]);
      expect(
        callsOf(result, 'grype').some(
          (c) =>
            c.args.join(' ') ===
            'sbom:sbom.spdx.json --fail-on high --output table --output json=.signet/grype.json',
        ),
      ).toBe(true);
      // What the approver is shown: the scan as counts per severity, and the manifests' hash, which
      // the build signature carries and ApplicationDeployment checked before applying anything.
      expect(exported['SCAN_SUMMARY']).toBe('critical=0 high=0 medium=0 low=0 negligible=0 unknown=0');
      expect(exported['MANIFESTS_SHA256']).toBe(DEFAULT_MANIFESTS_SHA256);
      expect(result.log).toContain(
        `Successfully verified signature for ${imageUri}\n\nThe artifact was signed with the following user metadata.`,
      );
      expect(result.log).toMatch(
        new RegExp(`io\\.signet\\.manifests\\.sha256\\s+${DEFAULT_MANIFESTS_SHA256}`),
      );
      // Signed through the AWS Signer plugin with the signing profile, image and SBOM, by digest.
      expect(callsOf(result, 'notation-plugin', 'generate-envelope').map((c) => c.args[1])).toEqual([
        PROFILE_ARN,
        PROFILE_ARN,
      ]);
      expect(result.log).toContain(`Successfully signed ${imageUri}`);
      expect(result.log).toContain(`Successfully signed ${sbomUri}`);
      expect(result.log).toContain(`Successfully verified signature for ${imageUri}`);
      expect(result.log).toContain(`Successfully verified signature for ${sbomUri}`);
      // One certificate added to the signingAuthority store, once.
      expect(
        result.log.split(
          'Successfully added following certificates to named store aws-signer-ts of type signingAuthority',
        ),
      ).toHaveLength(2);
      // Every AWS call went to moto through the real CLI.
      expect(callsOf(result, 'aws', 'ecr', 'get-login-password')).toHaveLength(2);
      expect(callsOf(result, 'aws', 'eks', 'update-kubeconfig')).toHaveLength(2);
      const services = await testServices();
      const kubeconfig = parse(
        readFileSync(join(result.stageDir(Stage.ApplicationDeployment), 'home/.kube/config'), 'utf8'),
      ) as { 'current-context': string; clusters: { cluster: { server: string } }[] };
      expect(kubeconfig['current-context']).toBe(services.cluster.arn);
      expect(kubeconfig.clusters[0]?.cluster.server).toBe(services.cluster.endpoint);
      // Deployed into the app's namespace with the digest in the manifest, then waited for.
      expect(callsOf(result, 'kubectl', 'apply').map((c) => c.args.slice(0, 3))).toEqual([
        ['apply', '--namespace', 'hello-server'],
      ]);
      expect(callsOf(result, 'kubectl', 'rollout', 'status').map((c) => c.args.slice(2))).toEqual([
        ['deployment/hello-server', '--namespace', 'hello-server', '--timeout', '120s'],
      ]);
      expect(callsOf(result, 'kubectl', 'get', 'pods')[0]?.args).toContain(
        'app.kubernetes.io/name=hello-server',
      );
      expect(result.rolledBack).toBe(false);
      expect(result.log).toContain(`Every live pod of deployment/hello-server runs ${imageUri}`);
      // Verified: VerifyContainerSign leaves the promotion request for what now runs, beside the
      // manifests it names by hash (the stage's artifact, which the next environment's source reads).
      const verifyDir = join(result.stageDir(Stage.VerifyContainerSign), 'src');
      expect(JSON.parse(readFileSync(join(verifyDir, 'promotion.json'), 'utf8'))).toEqual({
        digest: exported['IMAGE_DIGEST'],
        commit: result.commit,
        manifests: DEFAULT_MANIFESTS_SHA256,
      });
    });

    it('refuses to deploy manifests other than those Build hashed, naming both hashes, and applies nothing', async () => {
      const tampered = {
        ...DEFAULT_MANIFESTS,
        'service.yaml': `${DEFAULT_MANIFESTS['service.yaml'] ?? ''}  type: LoadBalancer\n`,
      };
      const result = await runPipeline(
        {},
        { ...DEPLOY_ONWARDS, stageManifests: { [Stage.ApplicationDeployment]: tampered } },
      );
      expect(outcome(result)).toEqual({ ApplicationDeployment: false });
      expect(result.log).toMatch(
        new RegExp(
          `The manifests in apps/hello-server/deploy hash to sha256:[0-9a-f]{64}, but Build recorded ${DEFAULT_MANIFESTS_SHA256} \\(MANIFESTS_SHA256\\) for this image: they are not the manifests that were built and approved; refusing to deploy`,
        ),
      );
      expect(callsOf(result, 'kubectl', 'apply')).toHaveLength(0);
    });

    it('writes no promotion request when the manifests changed after Build', async () => {
      const tampered = { ...DEFAULT_MANIFESTS, 'extra.yaml': 'kind: ConfigMap\n' };
      const result = await runPipeline(
        {},
        { ...DEPLOY_ONWARDS, stageManifests: { [Stage.VerifyContainerSign]: tampered } },
      );
      expect(outcome(result)).toEqual({ ApplicationDeployment: true, VerifyContainerSign: false });
      expect(result.log).toContain('no promotion request is written');
      expect(existsSync(join(result.stageDir(Stage.VerifyContainerSign), 'src/promotion.json'))).toBe(false);
    });

    it('scans with a finding below the threshold and reports it per severity', async () => {
      const result = await runPipeline({ foundSeverity: 'medium' }, { stages: [Stage.Build] });
      expect(outcome(result), result.log).toEqual({ Build: true });
      expect(result.stages.get(Stage.Build)?.exported['SCAN_SUMMARY']).toBe(
        'critical=0 high=0 medium=1 low=0 negligible=0 unknown=0',
      );
    });

    it('runs the whole happy path under set -euo pipefail as well', async () => {
      const result = await runPipeline({ strict: true });
      expect(outcome(result), result.log).toEqual({
        Build: true,
        ApplicationSigning: true,
        ApplicationDeployment: true,
        VerifyContainerSign: true,
      });
    });

    it('Build attaches the SBOM with oras attach and exports the digest from oras’s own JSON', async () => {
      const result = await runPipeline({}, { stages: [Stage.Build] });
      expect(outcome(result), result.log).toEqual({ Build: true });
      const exported = result.stages.get(Stage.Build)?.exported ?? {};
      const attach = JSON.parse(
        readFileSync(join(result.stageDir(Stage.Build), 'src/.signet/oras-attach.json'), 'utf8'),
      ) as Record<string, unknown>;
      expect(attach).toMatchObject({
        reference: `${REPOSITORY_URI}@${exported['SBOM_DIGEST']}`,
        digest: exported['SBOM_DIGEST'],
        artifactType: SBOM,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
      });
      const services = await testServices();
      expect(await referrersOf(services, exported['IMAGE_URI'] ?? '')).toEqual([
        { digest: exported['SBOM_DIGEST'], artifactType: SBOM },
      ]);
      expect(result.log).toContain(
        `Pushed ${exported['IMAGE_URI']} (tag ${result.commit}) with SBOM ${exported['SBOM_DIGEST']}`,
      );
    });

    it('signs the image and its SBOM by digest with the AWS Signer plugin under the production trust policy, and notation verify passes', async () => {
      const image = await pushTestImage('signed');
      const result = await runPipeline({}, { stages: SIGNING, exported: image });
      expect(outcome(result), result.log).toEqual({ ApplicationSigning: true });
      const sbomUri = `${REPOSITORY_URI}@${image['SBOM_DIGEST']}`;
      expect(await artifactTypes(image['IMAGE_URI'] ?? '')).toEqual([SBOM, SIGNATURE]);
      expect(await artifactTypes(sbomUri)).toEqual([SIGNATURE]);
      // notation inspect, as notation prints it: the signature the plugin made, its scheme and profile.
      expect(result.log).toContain('signingScheme: notary.x509.signingAuthority');
      expect(result.log).toContain(`com.amazonaws.signer.signingProfileVersion: ${PROFILE_ARN}/Standin001`);
      expect(result.log).toContain('io.cncf.notary.verificationPlugin: com.amazonaws.signer.notation.plugin');
      // notation handed the identity check to the plugin, with the trust policy's identities.
      expect(callsOf(result, 'notation-plugin', 'verify-signature').map((c) => c.args[1])).toEqual([
        PROFILE_ARN,
        PROFILE_ARN,
      ]);
      expect(result.log).toContain(`Successfully verified signature for ${image['IMAGE_URI']}`);
      expect(result.log).toContain(`Successfully verified signature for ${sbomUri}`);
      // The real notation imported the production trust policy, signingAuthority store and all.
      expect(result.log).toContain('Trust policy configuration imported successfully.');
      const imported = JSON.parse(
        readFileSync(
          join(result.stageDir(Stage.ApplicationSigning), 'home/.config/notation/trustpolicy.json'),
          'utf8',
        ),
      ) as { trustPolicies: { trustStores: string[] }[] };
      expect(imported).toEqual(JSON.parse(TRUST_POLICY));
      expect(imported.trustPolicies[0]?.trustStores).toEqual(['signingAuthority:aws-signer-ts']);
    });

    it('stops on a second image pushed to the repository unsigned, with notation’s own message', async () => {
      const signed = await pushTestImage('first');
      const first = await runPipeline({}, { stages: SIGNING, exported: signed });
      expect(outcome(first), first.log).toEqual({ ApplicationSigning: true });
      const unsigned = await pushTestImage('second');
      const result = await runPipeline({ unsigned: true }, { stages: SIGN_ONWARDS, exported: unsigned });
      expect(outcome(result)).toEqual({ ApplicationSigning: false });
      expect(result.log).toContain(
        `Error: signature verification failed: no signature is associated with "${unsigned['IMAGE_URI']}", make sure the artifact was signed successfully`,
      );
      expect(await artifactTypes(unsigned['IMAGE_URI'] ?? '')).toEqual([SBOM]);
      expect(result.calls.some((c) => c.tool === 'kubectl')).toBe(false);
      expect(result.applied).toBe(false);
    });

    it('stops on a signature by a key the trust store does not hold, with notation’s own message', async () => {
      const image = await pushTestImage('other-key');
      const result = await runPipeline({ signingKey: 'other' }, { stages: SIGN_ONWARDS, exported: image });
      expect(outcome(result)).toEqual({ ApplicationSigning: false });
      expect(result.log).toContain(
        `Error: signature verification failed for all the signatures associated with ${image['IMAGE_URI']}`,
      );
      // The signature is there: verification refused it, it did not miss it.
      expect(await artifactTypes(image['IMAGE_URI'] ?? '')).toEqual([SBOM, SIGNATURE]);
      expect(result.applied).toBe(false);
    });

    it('stops on a signature by a signing profile the trust policy does not trust', async () => {
      const image = await pushTestImage('other-profile');
      const other = 'arn:aws:signer:eu-west-1:123456789012:/signing-profiles/signet_other';
      const result = await runPipeline(
        { env: { SIGNET_SIGNING_PROFILE_ARN: other } },
        { stages: SIGNING, exported: image },
      );
      expect(outcome(result)).toEqual({ ApplicationSigning: false });
      expect(callsOf(result, 'notation-plugin', 'generate-envelope').map((c) => c.args[1])).toEqual([
        other,
        other,
      ]);
      // The certificate is trusted; notation asked the plugin about the identity, and it said no.
      expect(callsOf(result, 'notation-plugin', 'verify-signature').map((c) => c.args[1])).toEqual([
        PROFILE_ARN,
      ]);
      expect(result.log).toContain(
        `Error: signature verification failed for all the signatures associated with ${image['IMAGE_URI']}`,
      );
    });

    it('refuses to sign an image referenced by tag, before notation runs', async () => {
      const image = await pushTestImage('tag');
      const tagged = `${REPOSITORY_URI}:${COMMIT}`;
      const result = await runPipeline({}, { stages: SIGNING, exported: { ...image, IMAGE_URI: tagged } });
      expect(outcome(result)).toEqual({ ApplicationSigning: false });
      expect(result.log).toContain(
        `IMAGE_URI must be ${image['IMAGE_URI']} (this app's repository, by digest); got: '${tagged}'`,
      );
      expect(callsOf(result, 'notation-plugin')).toEqual([]);
      expect(await artifactTypes(image['IMAGE_URI'] ?? '')).toEqual([SBOM]);
    });

    it('stops Build on vulnerabilities at the threshold, before anything is pushed or signed', async () => {
      const result = await runPipeline({ foundSeverity: 'high' }, { stages: [Stage.Build] });
      expect(outcome(result)).toEqual({ Build: false });
      expect(result.log).toContain(
        'Vulnerability gate: grype found vulnerabilities of severity high or higher',
      );
      expect(callsOf(result, 'docker', 'push')).toEqual([]);
      expect(result.log).not.toContain(ATTACH_COMMAND);
      expect(result.stages.get(Stage.Build)?.phases.at(-1)).toEqual({ phase: 'build', succeeded: false });
    });

    it('stops Build when the push reports no digest, before attaching or exporting anything', async () => {
      const result = await runPipeline({ pushReportsDigest: false }, { stages: [Stage.Build] });
      expect(outcome(result)).toEqual({ Build: false });
      expect(result.log).toContain("IMAGE_DIGEST must be a digest sha256:<64 lowercase hex digits>; got: ''");
      expect(result.log).not.toContain(ATTACH_COMMAND);
      expect(result.stages.get(Stage.Build)?.exported['IMAGE_URI']).toBe('');
    });

    it('re-runs a commit already pushed ("Release change"): reuses its digest and SBOM, builds and pushes nothing, and gates it again', async () => {
      const commit = '1'.repeat(40);
      const first = await runPipeline({ commit }, { stages: [Stage.Build] });
      expect(outcome(first), first.log).toEqual({ Build: true });
      const again = await runPipeline({ commit }, { stages: [Stage.Build] });
      expect(outcome(again), again.log).toEqual({ Build: true });
      const exported = first.stages.get(Stage.Build)?.exported ?? {};
      // What the later stages get is what the repository holds under the commit: the first run's.
      expect(again.stages.get(Stage.Build)?.exported).toEqual(exported);
      expect(again.log).toContain(
        `${REPOSITORY_URI}:${commit} is already in the repository as ${exported['IMAGE_DIGEST']} (a re-run of this commit): reusing it, nothing is built or pushed`,
      );
      expect(callsOf(again, 'docker', 'build')).toEqual([]);
      expect(callsOf(again, 'docker', 'push')).toEqual([]);
      expect(callsOf(again, 'aws', 'ecr', 'describe-images')).toHaveLength(1);
      // The gate read the SBOM attached to that digest; none was attached twice.
      expect(callsOf(again, 'grype').filter((c) => c.args[0]?.startsWith('sbom:'))).toHaveLength(1);
      expect(await artifactTypes(exported['IMAGE_URI'] ?? '')).toEqual([SBOM]);
      // The gate runs again on a re-run: findings published since stop it.
      const vulnerable = await runPipeline({ commit, foundSeverity: 'critical' }, { stages: [Stage.Build] });
      expect(outcome(vulnerable)).toEqual({ Build: false });
      expect(vulnerable.log).toContain(
        'Vulnerability gate: grype found vulnerabilities of severity high or higher',
      );
    });

    it('stops Build, building and pushing nothing, when ECR cannot say whether the commit is pushed already', async () => {
      const commit = '2'.repeat(40);
      const first = await runPipeline({ commit }, { stages: [Stage.Build] });
      expect(outcome(first), first.log).toEqual({ Build: true });
      const denied = await runPipeline({ commit, describeImages: 'denied' }, { stages: [Stage.Build] });
      expect(outcome(denied)).toEqual({ Build: false });
      expect(denied.log).toContain(
        'An error occurred (AccessDeniedException) when calling the DescribeImages operation',
      );
      expect(denied.log).toContain(
        `Cannot tell whether ${REPOSITORY_URI}:${commit} exists already (aws ecr describe-images failed, above): nothing is built or pushed`,
      );
      expect(denied.stages.get(Stage.Build)?.phases.at(-1)).toEqual({ phase: 'pre_build', succeeded: false });
      expect(callsOf(denied, 'docker', 'build')).toEqual([]);
      expect(callsOf(denied, 'docker', 'push')).toEqual([]);
    });

    it('re-runs a commit whose first run stopped before attaching the SBOM: scans the pushed image and attaches it', async () => {
      const commit = '3'.repeat(40);
      const digest = await pushedWithoutSbom(commit);
      const result = await runPipeline({ commit }, { stages: [Stage.Build] });
      expect(outcome(result), result.log).toEqual({ Build: true });
      const exported = result.stages.get(Stage.Build)?.exported ?? {};
      expect(exported['IMAGE_DIGEST']).toBe(digest);
      expect(exported['SBOM_DIGEST']).toMatch(DIGEST);
      expect(callsOf(result, 'syft', 'scan').map((c) => c.args[1])).toEqual([
        `registry:${REPOSITORY_URI}@${digest}`,
      ]);
      expect(callsOf(result, 'docker', 'push')).toEqual([]);
      expect(await artifactTypes(`${REPOSITORY_URI}@${digest}`)).toEqual([SBOM]);
    });

    it('lets findings below the threshold through', async () => {
      const result = await runPipeline(
        { foundSeverity: 'medium', inputs: { vulnerabilityThreshold: 'high' } },
        { stages: [Stage.Build] },
      );
      expect(result.stages.get(Stage.Build)?.succeeded, result.log).toBe(true);
    });

    it('fails ApplicationDeployment on an admission denial and shows the policy’s message', async () => {
      const result = await runPipeline({ apply: 'denied' }, DEPLOY_ONWARDS);
      expect(outcome(result)).toEqual({ ApplicationDeployment: false });
      expect(result.log).toContain('admission webhook "validate.kyverno.svc-fail" denied the request:');
      // The rule Kyverno derives for Pod controllers denies the Deployment itself, at apply.
      expect(result.log).toContain(
        `autogen-signed-hello-server: 'Image signature verification failed: signature verification failed: no signature is associated with "${BUILD_EXPORTS['IMAGE_URI']}", make sure the artifact was signed successfully'`,
      );
      expect(result.log).toContain(`The admission policy denied ${BUILD_EXPORTS['IMAGE_URI']}`);
      expect(callsOf(result, 'kubectl', 'rollout')).toEqual([]);
    });

    it('rolls back and fails when the rollout times out', async () => {
      const result = await runPipeline({ rollout: 'timeout' }, DEPLOY_ONWARDS);
      expect(outcome(result)).toEqual({ ApplicationDeployment: false });
      expect(result.log).toContain('error: timed out waiting for the condition');
      expect(result.log).toContain(
        'deployment/hello-server did not complete its rollout within 120s; rolling back',
      );
      expect(callsOf(result, 'kubectl', 'rollout', 'undo').map((c) => c.args.slice(2))).toEqual([
        ['deployment/hello-server', '--namespace', 'hello-server'],
      ]);
    });

    it('rolls back and fails when a pod runs another digest after deployment', async () => {
      const result = await runPipeline({ runningDigest: OTHER_DIGEST }, DEPLOY_ONWARDS);
      expect(outcome(result)).toEqual({ ApplicationDeployment: true, VerifyContainerSign: false });
      expect(result.log).toContain(
        `hello-server-7d9f-fghij: container hello-server runs ${REPOSITORY_URI}@${OTHER_DIGEST}`,
      );
      expect(result.log).not.toContain('hello-server-7d9f-abcde: container');
      expect(result.log).toContain('Verification failed: rolling back deployment/hello-server');
      expect(callsOf(result, 'kubectl', 'rollout', 'undo')).toHaveLength(1);
    });

    it('runs the admission drill after verifying, and fails the stage (no rollback) when a case is admitted', async () => {
      const denied = await runPipeline({}, DEPLOY_ONWARDS);
      expect(callsOf(denied, 'kubectl', 'create', '--dry-run=server')).toHaveLength(3);
      expect(callsOf(denied, 'kubectl', 'patch', 'pod').map((c) => c.args.slice(2, 3))).toEqual([
        ['hello-server-7d9f-abcde'],
      ]);
      expect(denied.log).toMatch(/ephemeral-container\s+denied\s+denied/);

      const admitted = await runPipeline({ drill: 'deployment-admitted' }, DEPLOY_ONWARDS);
      expect(outcome(admitted)).toEqual({ ApplicationDeployment: true, VerifyContainerSign: false });
      expect(admitted.log).toMatch(
        /unsigned-deployment\s+denied\s+admitted\s+deployment.apps\/signet-drill created/,
      );
      expect(admitted.log).toContain(
        'Admission drill: 1 case(s) in namespace hello-server were not denied by admission',
      );
      expect(admitted.rolledBack).toBe(false);
    });

    it('rolls back and fails when the admission policy only audits where it must enforce', async () => {
      const result = await runPipeline({ policyAction: 'Audit' }, DEPLOY_ONWARDS);
      expect(result.stages.get(Stage.VerifyContainerSign)?.succeeded).toBe(false);
      expect(result.log).toContain(
        'ClusterPolicy signet-verify-images must be ready, with failurePolicy Fail and failureAction Enforce on every validate rule',
      );
      expect(result.log).toContain('"failureAction":"Audit"');
      expect(result.rolledBack).toBe(true);
    });

    it('accepts an auditing policy where enforcement is not required (dev)', async () => {
      const result = await runPipeline(
        {
          policyAction: 'Audit',
          inputs: { admissionPolicy: { name: 'signet-verify-images', requireEnforce: false } },
        },
        DEPLOY_ONWARDS,
      );
      expect(result.stages.get(Stage.VerifyContainerSign)?.succeeded, result.log).toBe(true);
      expect(result.rolledBack).toBe(false);
    });

    it('stops ApplicationSigning when a download does not match its pinned sha256', async () => {
      const result = await runPipeline(
        { tamperedDownload: 'notation' },
        { stages: SIGN_ONWARDS, exported: BUILD_EXPORTS },
      );
      expect(outcome(result)).toEqual({ ApplicationSigning: false });
      expect(result.log).toMatch(/notation-1\.0\.0\.tar\.gz: FAILED/);
      expect(result.log).toContain('sha256sum: WARNING: 1 computed checksum did NOT match');
      // Nothing from the download was unpacked or ran.
      expect(existsSync(join(result.stageDir(Stage.ApplicationSigning), 'tools/notation'))).toBe(false);
      expect(result.log).not.toContain('Running command notation');
      expect(result.stages.get(Stage.ApplicationSigning)?.phases).toEqual([
        { phase: 'install', succeeded: false },
      ]);
    });

    it('stops ApplicationSigning when the AWS Signer plugin does not match its pin', async () => {
      const result = await runPipeline(
        { tamperedDownload: 'awsSignerPlugin' },
        { stages: SIGN_ONWARDS, exported: BUILD_EXPORTS },
      );
      expect(result.stages.get(Stage.ApplicationSigning)?.succeeded).toBe(false);
      expect(result.log).toMatch(/notation-aws-signer-plugin-1\.0\.0\.zip: FAILED/);
      expect(result.log).not.toContain('Running command notation plugin install');
      expect(result.log).not.toContain('Running command notation sign');
      expect(callsOf(result, 'notation-plugin')).toEqual([]);
      expect(
        existsSync(join(result.stageDir(Stage.ApplicationSigning), 'home/.config/notation/plugins')),
      ).toBe(false);
    });

    it('deploys the committed hello-server manifests by digest', async () => {
      const deployDir = join(
        findWorkspaceRoot(dirname(fileURLToPath(import.meta.url))),
        'apps/hello-server/deploy',
      );
      const manifests = Object.fromEntries(
        readdirSync(deployDir)
          .filter((f) => f.endsWith('.yaml'))
          .map((f) => [f, readFileSync(join(deployDir, f), 'utf8')]),
      );
      const result = await runPipeline(
        {},
        {
          ...DEPLOY_ONWARDS,
          exported: { ...BUILD_EXPORTS, MANIFESTS_SHA256: manifestsSha256(manifests) },
          manifests,
        },
      );
      expect(outcome(result), result.log).toEqual({ ApplicationDeployment: true, VerifyContainerSign: true });
      const rendered = readFileSync(
        join(result.stageDir(Stage.ApplicationDeployment), 'src/.signet/rendered/deployment.yaml'),
        'utf8',
      );
      expect(rendered).toContain(`image: ${BUILD_EXPORTS['IMAGE_URI']}`);
      expect(rendered).not.toContain('__SIGNET_IMAGE__');
    });

    it('stops the cluster stages when the EKS cluster does not exist, with the AWS CLI’s own message', async () => {
      const result = await runPipeline({ env: { SIGNET_CLUSTER_NAME: 'signet-missing' } }, DEPLOY_ONWARDS);
      expect(outcome(result)).toEqual({ ApplicationDeployment: false });
      expect(result.log).toContain(
        'An error occurred (ResourceNotFoundException) when calling the DescribeCluster operation: No cluster found for name: signet-missing.',
      );
      expect(result.applied).toBe(false);
    });
  },
);

describe('the test registry', () => {
  it('was reached through the ECR hostname only: the proxy refused no other host', async () => {
    const services = await testServices();
    expect(services.refused()).toEqual([]);
  });
});
