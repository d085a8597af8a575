import { buildTrustPolicy, renderTrustPolicyJson } from '@signet/policies';
import { afterAll, describe, expect, it } from 'vitest';
import { Stage } from './catalog.js';
import { referrersOf, run, testServices, clientEnv } from './test/engines.js';
import type { PipelineResult } from './test/pipeline.js';
import {
  COMMIT,
  DEFAULT_MANIFESTS_SHA256,
  PROFILE_ARN,
  REPOSITORY_URI,
  cleanupPipelines,
  pushTestImage,
  runPipeline,
} from './test/pipeline.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Stopping the registry and moto of this file takes a while on a loaded machine.
afterAll(cleanupPipelines, 60_000);

// One digest, built and signed once on the dev path, promoted to the prod path of the same test
// registry (the ECR hostname, served by the real distribution registry): real notation and oras, the
// AWS Signer plugin stand-in, moto behind the AWS CLI.
const DEV_URI = REPOSITORY_URI;
const PROD_URI = `${REPOSITORY_URI.slice(0, REPOSITORY_URI.indexOf('/'))}/signet-prod/hello-server`;
const RELEASE_ARN =
  'arn:aws:signer:eu-west-1:123456789012:/signing-profiles/signet_prod_hello_server_release';
const SIGNATURE = 'application/vnd.cncf.notary.signature';
const SBOM = 'application/spdx+json';

/** A one-statement trust policy, as `appTrustPolicies` writes the cluster's. */
const policy = (name: string, scopes: string[], identity: string) =>
  renderTrustPolicyJson(
    buildTrustPolicy({ statements: [{ name, registryScopes: scopes, trustedIdentities: [identity] }] }),
  );
const BUILD_POLICY = policy('signet-app-hello-server', [PROD_URI], PROFILE_ARN);
const RELEASE_POLICY = policy('signet-app-hello-server-release', [PROD_URI], RELEASE_ARN);
const PROMOTION_POLICY = policy('signet-app-hello-server', [PROD_URI, DEV_URI], PROFILE_ARN);

/** Prod's deploy-time values, as the signing-pipeline stack sets them on each project. */
const PROD_ENV = {
  SIGNET_REPOSITORY_URI: PROD_URI,
  SIGNET_PROMOTION_SOURCE_URI: DEV_URI,
  SIGNET_PROMOTION_TRUST_POLICY: PROMOTION_POLICY,
  SIGNET_BUILD_TRUST_POLICY: BUILD_POLICY,
  SIGNET_TRUST_POLICY: RELEASE_POLICY,
  SIGNET_SIGNING_PROFILE_ARN: RELEASE_ARN,
};

const request = (
  digest: string,
  { commit = COMMIT, manifests = DEFAULT_MANIFESTS_SHA256 }: { commit?: string; manifests?: string } = {},
) => ({
  'promotion.json': `${JSON.stringify({ digest, commit, manifests })}\n`,
});

/**
 * Prod's values for a repository path of its own: scenarios that revoke read every digest of their
 * repository, so they must not share it with the scenarios that run beside them.
 */
function isolatedProd(name: string): { uri: string; env: Record<string, string> } {
  const uri = `${PROD_URI}-${name}`;
  return {
    uri,
    env: {
      ...PROD_ENV,
      SIGNET_REPOSITORY_URI: uri,
      SIGNET_PROMOTION_TRUST_POLICY: policy('signet-app-hello-server', [uri, DEV_URI], PROFILE_ARN),
      SIGNET_BUILD_TRUST_POLICY: policy('signet-app-hello-server', [uri], PROFILE_ARN),
      SIGNET_TRUST_POLICY: policy('signet-app-hello-server-release', [uri], RELEASE_ARN),
    },
  };
}

/** Promote, then (as the prod pipeline does around its approval, deploy and verify) release and revoke. */
const PROMOTION_STAGES = [Stage.Promote, Stage.ReleaseSigning, Stage.RevokeSuperseded];

function outcome(result: PipelineResult): Record<string, boolean> {
  return Object.fromEntries([...result.stages].map(([stage, r]) => [stage, r.succeeded]));
}

async function types(reference: string): Promise<string[]> {
  return (await referrersOf(await testServices(), reference)).map((r) => r.artifactType).sort();
}

/** Whether the registry holds the manifest (oras manifest fetch). */
async function exists(reference: string): Promise<boolean> {
  const services = await testServices();
  const home = mkdtempSync(join(tmpdir(), 'signet-oras-'));
  try {
    const fetched = await run(
      services.engines.oras,
      ['manifest', 'fetch', '--descriptor', reference],
      clientEnv(services, home),
    );
    return fetched.status === 0;
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** An image pushed to the dev path with its SBOM, and the build signatures ApplicationSigning makes. */
async function builtAndSigned(label: string): Promise<Record<string, string>> {
  const image = await pushTestImage(label);
  const signed = await runPipeline({}, { stages: [Stage.ApplicationSigning], exported: image });
  expect(outcome(signed), signed.log).toEqual({ ApplicationSigning: true });
  return image;
}

describe.concurrent(
  'promotion: one digest from the dev path to the prod path, against real notation, oras and registry',
  // Each scenario runs two to four CodeBuild stages in real bash, concurrently with the others.
  { timeout: 360_000 },
  () => {
    it('copies the signed digest with its referrers, verifies the build signature there, and adds the release signature only in ReleaseSigning', async () => {
      const image = await builtAndSigned('promoted');
      const digest = image['IMAGE_DIGEST'] ?? '';
      const promoted = await runPipeline(
        { env: PROD_ENV },
        { stages: [Stage.Promote], sourceFiles: request(digest) },
      );
      expect(outcome(promoted), promoted.log).toEqual({ Promote: true });
      const exported = promoted.stages.get(Stage.Promote)?.exported ?? {};
      // The same digest, now in prod's repository, with the same SBOM digest: nothing was rebuilt.
      expect(exported).toMatchObject({
        IMAGE_DIGEST: digest,
        IMAGE_URI: `${PROD_URI}@${digest}`,
        IMAGE_TAG: COMMIT,
        SBOM_DIGEST: image['SBOM_DIGEST'],
        MANIFESTS_SHA256: DEFAULT_MANIFESTS_SHA256,
        SCAN_SUMMARY: 'critical=0 high=0 medium=0 low=0 negligible=0 unknown=0',
      });
      // Verified where it came from, before the copy, and again where it landed.
      const verifiedAt = (ref: string) => `Successfully verified signature for ${ref}`;
      expect(promoted.log).toContain(verifiedAt(`${DEV_URI}@${digest}`));
      expect(promoted.log).toContain(verifiedAt(`${PROD_URI}@${digest}`));
      expect(promoted.log.indexOf(verifiedAt(`${DEV_URI}@${digest}`))).toBeLessThan(
        promoted.log.indexOf(verifiedAt(`${PROD_URI}@${digest}`)),
      );
      expect(promoted.log).toContain(verifiedAt(`${PROD_URI}@${image['SBOM_DIGEST']}`));
      // Its referrers came along: the SBOM and the build signature, and the SBOM's own signature.
      expect(await types(`${PROD_URI}@${digest}`)).toEqual([SBOM, SIGNATURE]);
      expect(await types(`${PROD_URI}@${image['SBOM_DIGEST']}`)).toEqual([SIGNATURE]);
      expect(await exists(`${PROD_URI}:${COMMIT}`)).toBe(true);

      // Before the release stage, prod's release trust check refuses the digest: it holds the build
      // signature only (what a rejected approval leaves behind).
      const gateOnly = await runPipeline(
        { env: PROD_ENV, unsigned: true },
        { stages: [Stage.ReleaseSigning], exported },
      );
      expect(outcome(gateOnly)).toEqual({ ReleaseSigning: false });
      expect(gateOnly.log).toContain(verifiedAt(`${PROD_URI}@${digest}`));
      expect(gateOnly.log).toContain(
        `Error: signature verification failed for all the signatures associated with ${PROD_URI}@${digest}`,
      );
      expect(await types(`${PROD_URI}@${digest}`)).toEqual([SBOM, SIGNATURE]);

      const released = await runPipeline({ env: PROD_ENV }, { stages: [Stage.ReleaseSigning], exported });
      expect(outcome(released), released.log).toEqual({ ReleaseSigning: true });
      // The plugin was asked to sign once, with prod's release profile, and the release policy accepts it.
      expect(
        released.calls
          .filter((c) => c.tool === 'notation-plugin' && c.args[0] === 'generate-envelope')
          .map((c) => c.args[1]),
      ).toEqual([RELEASE_ARN]);
      expect(released.log).toContain(
        `Released ${PROD_URI}@${digest}: build signature verified, release signature by ${RELEASE_ARN} added and verified`,
      );
      expect(await types(`${PROD_URI}@${digest}`)).toEqual([SBOM, SIGNATURE, SIGNATURE]);
      // The dev path keeps what dev made: no prod release signature there.
      expect(await types(`${DEV_URI}@${digest}`)).toEqual([SBOM, SIGNATURE]);
    });

    it('runs again for a digest already promoted (a re-run or a rollback): copies only what is missing, never re-tags', async () => {
      const image = await builtAndSigned('rerun');
      const digest = image['IMAGE_DIGEST'] ?? '';
      const first = await runPipeline(
        { env: PROD_ENV },
        { stages: [Stage.Promote], sourceFiles: request(digest) },
      );
      expect(outcome(first), first.log).toEqual({ Promote: true });
      const again = await runPipeline(
        { env: PROD_ENV },
        { stages: [Stage.Promote], sourceFiles: request(digest) },
      );
      expect(outcome(again), again.log).toEqual({ Promote: true });
      expect(again.log).toContain(
        `${PROD_URI}@${digest} is already here (a re-run or a rollback): copying only the referrers it may lack, no tag`,
      );
      expect(await types(`${PROD_URI}@${digest}`)).toEqual([SBOM, SIGNATURE]);
    });

    it('refuses to promote a digest without the build signature, and copies nothing', async () => {
      const unsigned = await pushTestImage('unsigned-promotion');
      const digest = unsigned['IMAGE_DIGEST'] ?? '';
      const result = await runPipeline(
        { env: PROD_ENV },
        { stages: [Stage.Promote], sourceFiles: request(digest) },
      );
      expect(outcome(result)).toEqual({ Promote: false });
      expect(result.log).toContain(
        `Error: signature verification failed: no signature is associated with "${DEV_URI}@${digest}", make sure the artifact was signed successfully`,
      );
      expect(await exists(`${PROD_URI}@${digest}`)).toBe(false);
    });

    it("stops at prod's own vulnerability gate on the signed SBOM, before anything is copied", async () => {
      const image = await builtAndSigned('vulnerable');
      const digest = image['IMAGE_DIGEST'] ?? '';
      const result = await runPipeline(
        { env: PROD_ENV, foundSeverity: 'high' },
        { stages: [Stage.Promote], sourceFiles: request(digest) },
      );
      expect(outcome(result)).toEqual({ Promote: false });
      expect(result.log).toContain(
        `Vulnerability gate: grype found vulnerabilities of severity high or higher in ${DEV_URI}@${digest}`,
      );
      expect(await exists(`${PROD_URI}@${digest}`)).toBe(false);
    });

    it('revokes the release signature of the digest a promotion supersedes, and a rollback re-promotes the older digest through the same gate', async () => {
      const { uri, env } = isolatedProd('rollback');
      const [a, b] = await Promise.all([builtAndSigned('rollback-a'), builtAndSigned('rollback-b')]);
      const [digestA, digestB] = [a['IMAGE_DIGEST'] ?? '', b['IMAGE_DIGEST'] ?? ''];
      const [commitA, commitB] = ['a'.repeat(40), 'b'.repeat(40)];
      const revocations = (result: PipelineResult) =>
        result.calls.filter(
          (c) => c.tool === 'aws' && c.args[0] === 'signer' && c.args[1] === 'revoke-signature',
        );
      /** ReleaseSigning without its sign command: does the digest's release signature still verify? */
      const releaseVerifies = async (digest: string) => {
        const checked = await runPipeline(
          { env, unsigned: true },
          {
            stages: [Stage.ReleaseSigning],
            exported: { IMAGE_DIGEST: digest, IMAGE_URI: `${uri}@${digest}` },
          },
        );
        return { ok: checked.stages.get(Stage.ReleaseSigning)?.succeeded ?? false, log: checked.log };
      };

      // A is released: nothing before it to revoke.
      const first = await runPipeline(
        { env },
        { stages: PROMOTION_STAGES, sourceFiles: request(digestA, { commit: commitA }) },
      );
      expect(outcome(first), first.log).toEqual({
        Promote: true,
        ReleaseSigning: true,
        RevokeSuperseded: true,
      });
      expect(first.log).toContain(
        `Superseded by ${uri}@${digestA}: 0 release signature(s) of ${RELEASE_ARN} revoked, 0 already revoked`,
      );
      expect(revocations(first)).toEqual([]);

      // B supersedes A: A's release signature is revoked (its build signature is not), B's verifies.
      const second = await runPipeline(
        { env },
        { stages: PROMOTION_STAGES, sourceFiles: request(digestB, { commit: commitB }) },
      );
      expect(outcome(second), second.log).toEqual({
        Promote: true,
        ReleaseSigning: true,
        RevokeSuperseded: true,
      });
      expect(second.log).toContain(`Revoked the release signature`);
      expect(second.log).toContain(`of ${uri}@${digestA} (signing job `);
      expect(second.log).toContain(
        `Superseded by ${uri}@${digestB}: 1 release signature(s) of ${RELEASE_ARN} revoked, 0 already revoked`,
      );
      expect(revocations(second)).toHaveLength(1);
      const revokedA = await releaseVerifies(digestA);
      expect(revokedA.ok, revokedA.log).toBe(false);
      // notation prints the plugin's reason only in its verbose log: the revoked job is the one cause
      // left, as A's release signature verified before (first run) and B's verifies beside it.
      expect(revokedA.log).toContain(
        `Error: signature verification failed for all the signatures associated with ${uri}@${digestA}`,
      );
      expect(revokedA.log).toContain(`Successfully verified signature for ${uri}@${digestA}`);
      expect((await releaseVerifies(digestB)).ok).toBe(true);

      // Rollback to A: promoted again (already here, so only missing referrers are copied), a NEW
      // release signature after the gate, and B's is revoked. A's old, revoked one stays revoked.
      const rollback = await runPipeline(
        { env },
        { stages: PROMOTION_STAGES, sourceFiles: request(digestA, { commit: commitA }) },
      );
      expect(outcome(rollback), rollback.log).toEqual({
        Promote: true,
        ReleaseSigning: true,
        RevokeSuperseded: true,
      });
      expect(rollback.log).toContain(`${uri}@${digestA} is already here (a re-run or a rollback)`);
      expect(
        rollback.calls
          .filter((c) => c.tool === 'notation-plugin' && c.args[0] === 'generate-envelope')
          .map((c) => c.args[1]),
      ).toEqual([RELEASE_ARN]);
      expect(rollback.log).toContain(`of ${uri}@${digestB} (signing job `);
      expect(rollback.log).toContain(
        `Superseded by ${uri}@${digestA}: 1 release signature(s) of ${RELEASE_ARN} revoked, 0 already revoked`,
      );
      expect((await releaseVerifies(digestA)).ok).toBe(true);
      expect((await releaseVerifies(digestB)).ok).toBe(false);
      expect(await types(`${uri}@${digestA}`)).toEqual([SBOM, SIGNATURE, SIGNATURE, SIGNATURE]);

      // A re-run of the same stage finds B's job revoked already and calls RevokeSignature no more.
      const rerun = await runPipeline(
        { env },
        {
          stages: [Stage.RevokeSuperseded],
          exported: { IMAGE_DIGEST: digestA, IMAGE_URI: `${uri}@${digestA}` },
        },
      );
      expect(outcome(rerun), rerun.log).toEqual({ RevokeSuperseded: true });
      expect(rerun.log).toContain(
        `Superseded by ${uri}@${digestA}: 0 release signature(s) of ${RELEASE_ARN} revoked, 1 already revoked`,
      );
      expect(revocations(rerun)).toEqual([]);
    });

    it('fails RevokeSuperseded, naming the signature and the job, when AWS Signer refuses the revocation', async () => {
      const { uri, env } = isolatedProd('denied');
      const [a, b] = await Promise.all([builtAndSigned('denied-a'), builtAndSigned('denied-b')]);
      const [digestA, digestB] = [a['IMAGE_DIGEST'] ?? '', b['IMAGE_DIGEST'] ?? ''];
      const first = await runPipeline(
        { env },
        { stages: PROMOTION_STAGES, sourceFiles: request(digestA, { commit: 'c'.repeat(40) }) },
      );
      expect(outcome(first), first.log).toEqual({
        Promote: true,
        ReleaseSigning: true,
        RevokeSuperseded: true,
      });
      const denied = await runPipeline(
        { env, signerRevoke: 'denied' },
        { stages: PROMOTION_STAGES, sourceFiles: request(digestB, { commit: 'd'.repeat(40) }) },
      );
      expect(outcome(denied)).toEqual({ Promote: true, ReleaseSigning: true, RevokeSuperseded: false });
      expect(denied.log).toContain('(AccessDeniedException) when calling the RevokeSignature operation');
      expect(denied.log).toMatch(
        new RegExp(
          `Revoking signing job [0-9a-f-]+ \\(signature sha256:[0-9a-f]{64} of ${uri.replaceAll('.', '\\.')}@${digestA}\\) failed`,
        ),
      );
    });

    it('refuses a request whose manifests hash the build signature does not carry, and copies nothing', async () => {
      const image = await builtAndSigned('other-manifests');
      const digest = image['IMAGE_DIGEST'] ?? '';
      const other = `sha256:${'d4'.repeat(32)}`;
      const result = await runPipeline(
        { env: PROD_ENV },
        { stages: [Stage.Promote], sourceFiles: request(digest, { manifests: other }) },
      );
      expect(outcome(result)).toEqual({ Promote: false });
      expect(result.log).toContain(`${DEV_URI}@${digest}`);
      expect(result.log).toContain('io.signet.manifests.sha256');
      expect(await exists(`${PROD_URI}@${digest}`)).toBe(false);
    });

    it('refuses a promotion request without a digest, naming the field', async () => {
      const result = await runPipeline(
        { env: PROD_ENV },
        { stages: [Stage.Promote], sourceFiles: { 'promotion.json': '{"commit":"nope"}\n' } },
      );
      expect(outcome(result)).toEqual({ Promote: false });
      expect(result.log).toContain(
        "PROMOTED_DIGEST must be a digest sha256:<64 lowercase hex digits>; got: ''",
      );
    });
  },
);
