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

const request = (digest: string, manifests = DEFAULT_MANIFESTS_SHA256) => ({
  'promotion.json': `${JSON.stringify({ digest, commit: COMMIT, manifests })}\n`,
});

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

    it('refuses a request whose manifests hash the build signature does not carry, and copies nothing', async () => {
      const image = await builtAndSigned('other-manifests');
      const digest = image['IMAGE_DIGEST'] ?? '';
      const other = `sha256:${'d4'.repeat(32)}`;
      const result = await runPipeline(
        { env: PROD_ENV },
        { stages: [Stage.Promote], sourceFiles: request(digest, other) },
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
