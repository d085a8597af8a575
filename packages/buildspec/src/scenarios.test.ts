import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildTrustPolicy, renderTrustPolicyJson } from '@signet/policies';
import { afterAll, describe, expect, it } from 'vitest';
import { findWorkspaceRoot } from './cli/workspace.js';
import { Stage } from './contract.js';
import type { Call, PipelineResult } from './test/pipeline.js';
import {
  IMAGE_URI,
  OTHER_DIGEST,
  PROFILE_ARN,
  PUSHED_DIGEST,
  REPOSITORY_URI,
  SBOM_DIGEST,
  BUILD_EXPORTS,
  cleanupPipelines,
  runPipeline,
} from './test/pipeline.js';

afterAll(cleanupPipelines);

const SBOM_URI = `${REPOSITORY_URI}@${SBOM_DIGEST}`;

function callsOf(result: PipelineResult, tool: string, ...prefix: string[]): Call[] {
  return result.calls.filter((c) => c.tool === tool && prefix.every((p, i) => c.args[i] === p));
}

function outcome(result: PipelineResult): Record<string, boolean> {
  return Object.fromEntries([...result.stages].map(([stage, r]) => [stage, r.succeeded]));
}

const SIGN_ONWARDS = {
  stages: [Stage.ApplicationSigning, Stage.ApplicationDeployment, Stage.VerifyContainerSign],
  exported: BUILD_EXPORTS,
};
const DEPLOY_ONWARDS = {
  stages: [Stage.ApplicationDeployment, Stage.VerifyContainerSign],
  exported: BUILD_EXPORTS,
};

// Each scenario spawns a few hundred processes; they run concurrently to use every core.
describe.concurrent(
  'the generated pipeline, run in bash against recording stand-ins',
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
      expect(result.stages.get(Stage.Build)?.exported).toEqual({
        IMAGE_TAG: '0123456789abcdef0123456789abcdef01234567',
        IMAGE_DIGEST: PUSHED_DIGEST,
        IMAGE_URI,
        SBOM_DIGEST,
      });
      // Pushed by commit tag; the SBOM is attached to the digest the push reported.
      expect(callsOf(result, 'docker', 'push').map((c) => c.args[1])).toEqual([
        `${REPOSITORY_URI}:0123456789abcdef0123456789abcdef01234567`,
      ]);
      expect(callsOf(result, 'oras', 'attach').map((c) => c.args[5])).toEqual([IMAGE_URI]);
      expect(
        callsOf(result, 'grype').some(
          (c) => c.args.join(' ') === 'sbom:sbom.spdx.json --fail-on high --output table',
        ),
      ).toBe(true);
      // Signed with the AWS Signer plugin and the profile, by digest, image and SBOM.
      expect(callsOf(result, 'notation', 'sign').map((c) => c.args)).toEqual([
        ['sign', '--plugin', 'com.amazonaws.signer.notation.plugin', '--id', PROFILE_ARN, IMAGE_URI],
        ['sign', '--plugin', 'com.amazonaws.signer.notation.plugin', '--id', PROFILE_ARN, SBOM_URI],
      ]);
      expect(callsOf(result, 'notation', 'verify').map((c) => c.args[1])).toEqual([IMAGE_URI, SBOM_URI]);
      expect(callsOf(result, 'notation', 'cert', 'add')).toHaveLength(1);
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
      expect(result.log).toContain(`Every live pod of deployment/hello-server runs ${IMAGE_URI}`);
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

    it('stops on an unsigned image with notation’s own message, and deploys nothing', async () => {
      const result = await runPipeline({ signatures: 'missing' }, SIGN_ONWARDS);
      expect(outcome(result)).toEqual({ ApplicationSigning: false });
      expect(result.log).toContain(
        `Error: signature verification failed: no signature is associated with "${IMAGE_URI}", make sure the artifact was signed successfully`,
      );
      expect(result.calls.some((c) => c.tool === 'kubectl')).toBe(false);
      expect(result.applied).toBe(false);
    });

    it('stops on a signature the trust policy does not accept, with notation’s own message', async () => {
      const result = await runPipeline({ signatures: 'untrusted' }, SIGN_ONWARDS);
      expect(outcome(result)).toEqual({ ApplicationSigning: false });
      expect(result.log).toContain(
        `Error: signature verification failed for all the signatures associated with ${IMAGE_URI}`,
      );
      expect(result.applied).toBe(false);
    });

    it('stops Build on vulnerabilities at the threshold, before anything is pushed or signed', async () => {
      const result = await runPipeline({ foundSeverity: 'high' }, { stages: [Stage.Build] });
      expect(outcome(result)).toEqual({ Build: false });
      expect(result.log).toContain(
        'Vulnerability gate: grype found vulnerabilities of severity high or higher',
      );
      expect(callsOf(result, 'docker', 'push')).toEqual([]);
      expect(callsOf(result, 'notation')).toEqual([]);
      expect(result.stages.get(Stage.Build)?.phases.at(-1)).toEqual({ phase: 'build', succeeded: false });
    });

    it('stops Build when the push reports no digest, before attaching or exporting anything', async () => {
      const result = await runPipeline({ pushReportsDigest: false }, { stages: [Stage.Build] });
      expect(outcome(result)).toEqual({ Build: false });
      expect(result.log).toContain("IMAGE_DIGEST must be a digest sha256:<64 lowercase hex digits>; got: ''");
      expect(callsOf(result, 'oras', 'attach')).toEqual([]);
      expect(result.stages.get(Stage.Build)?.exported['IMAGE_URI']).toBe('');
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
      expect(result.log).toContain(
        "verify-aws-signer-signatures: 'image verification failed: no signature is associated with the image'",
      );
      expect(result.log).toContain(`The admission policy denied ${IMAGE_URI}`);
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
      const result = await runPipeline({ tamperedDownload: 'notation' }, SIGN_ONWARDS);
      expect(outcome(result)).toEqual({ ApplicationSigning: false });
      expect(result.log).toMatch(/notation-1\.0\.0\.tar\.gz: FAILED/);
      expect(result.log).toContain('sha256sum: WARNING: 1 computed checksum did NOT match');
      // Nothing from the download ran: no notation call at all.
      expect(callsOf(result, 'notation')).toEqual([]);
      expect(result.stages.get(Stage.ApplicationSigning)?.phases).toEqual([
        { phase: 'install', succeeded: false },
      ]);
    });

    it('stops ApplicationSigning when the AWS Signer plugin does not match its pin', async () => {
      const result = await runPipeline({ tamperedDownload: 'awsSignerPlugin' }, SIGN_ONWARDS);
      expect(result.stages.get(Stage.ApplicationSigning)?.succeeded).toBe(false);
      expect(callsOf(result, 'notation', 'plugin', 'install')).toEqual([]);
      expect(callsOf(result, 'notation', 'sign')).toEqual([]);
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
      const result = await runPipeline({}, { ...DEPLOY_ONWARDS, manifests });
      expect(outcome(result), result.log).toEqual({ ApplicationDeployment: true, VerifyContainerSign: true });
      const rendered = readFileSync(
        join(result.state, '..', Stage.ApplicationDeployment, 'src/.signet/rendered/deployment.yaml'),
        'utf8',
      );
      expect(rendered).toContain(`image: ${IMAGE_URI}`);
      expect(rendered).not.toContain('__SIGNET_IMAGE__');
    });

    it('accepts the trust policy the policies package builds for the app', async () => {
      const trustPolicy = renderTrustPolicyJson(
        buildTrustPolicy({
          statements: [
            { name: 'hello-server', registryScopes: [REPOSITORY_URI], trustedIdentities: [PROFILE_ARN] },
          ],
        }),
      );
      const result = await runPipeline(
        { env: { SIGNET_TRUST_POLICY: trustPolicy } },
        { stages: [Stage.ApplicationSigning], exported: BUILD_EXPORTS },
      );
      expect(outcome(result), result.log).toEqual({ ApplicationSigning: true });
      expect(JSON.parse(readFileSync(join(result.state, 'notation-trustpolicy.json'), 'utf8'))).toEqual(
        JSON.parse(trustPolicy),
      );
    });
  },
);
