import {
  BatchDeleteImageCommand,
  DescribeImagesCommand,
  ECRClient,
  type ImageDetail,
} from '@aws-sdk/client-ecr';
import {
  CancelSigningProfileCommand,
  GetSigningProfileCommand,
  RevokeSigningProfileCommand,
  SignerClient,
  type GetSigningProfileResponse,
} from '@aws-sdk/client-signer';
import { mockClient } from 'aws-sdk-client-mock';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mockedClients } from '../ops/test/clients.js';
import { runCommand } from '../program.js';
import { captureIo } from '../test/harness.js';
import { destroyOrder, discoverStacks } from '../plan/workspace.js';
import { runDecommissionCommand, type DecommissionCommandOptions } from './decommission.js';

const ROOT = new URL('../ops/test/fixtures/workspace', import.meta.url).pathname;
const SIG = 'application/vnd.cncf.notary.signature';
const SBOM = 'application/spdx+json';
const NOW = new Date('2026-11-24T12:00:00Z');
const digest = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const IMAGE = digest(1);

const signer = mockClient(SignerClient);
const ecr = mockClient(ECRClient);

function serveProfiles(profiles: Record<string, GetSigningProfileResponse>): void {
  signer.on(GetSigningProfileCommand).callsFake((input: { profileName: string }) => {
    const profile = profiles[input.profileName];
    if (profile === undefined)
      throw Object.assign(new Error('missing'), { name: 'ResourceNotFoundException' });
    return { profileName: input.profileName, ...profile };
  });
}

function serveImages(pages: Record<string, ImageDetail[][]>): void {
  ecr.on(DescribeImagesCommand).callsFake((input: { repositoryName: string; nextToken?: string }) => {
    const repoPages = pages[input.repositoryName];
    if (repoPages === undefined)
      throw Object.assign(new Error('gone'), { name: 'RepositoryNotFoundException' });
    const index = input.nextToken === undefined ? 0 : Number(input.nextToken);
    return {
      imageDetails: repoPages[index],
      ...(index + 1 < repoPages.length ? { nextToken: String(index + 1) } : {}),
    };
  });
}

async function decommission(options: Partial<DecommissionCommandOptions>, root = ROOT) {
  const io = captureIo();
  const code = await runCommand('decommission', io, () =>
    runDecommissionCommand({ env: 'prod', ...options }, io, {
      clients: mockedClients,
      now: () => NOW,
      root,
    }),
  );
  return { code, out: io.out, err: io.err };
}

// alpha: 150 signatures over three pages plus one SBOM; beta's repository is already gone.
const referrers: ImageDetail[] = Array.from({ length: 150 }, (_, i) => ({
  imageDigest: digest(100 + i),
  subjectManifestDigest: IMAGE,
  artifactMediaType: SIG,
}));

beforeEach(() => {
  serveProfiles({
    signet_prod_alpha: { status: 'Active', profileVersion: 'aaaaaaaaaa' },
    signet_prod_alpha_release: { status: 'Active', profileVersion: 'bbbbbbbbbb' },
    signet_prod_beta: { status: 'Canceled', profileVersion: 'cccccccccc' },
  });
  serveImages({
    'signet-prod/alpha': [
      [{ imageDigest: IMAGE, imageTags: ['abc123'] }, ...referrers.slice(0, 50)],
      referrers.slice(50, 100),
      [
        ...referrers.slice(100),
        { imageDigest: digest(2), subjectManifestDigest: IMAGE, artifactMediaType: SBOM },
      ],
    ],
  });
  ecr.on(BatchDeleteImageCommand).resolves({ failures: [] });
});

afterEach(() => {
  signer.reset();
  ecr.reset();
});

describe('signet decommission', () => {
  it('dry run lists every step in order and sends no mutating call', async () => {
    const { code, out } = await decommission({});
    expect(code).toBe(0);
    expect(out).toContain('signet_prod_alpha: would cancel (signer:CancelSigningProfile)');
    expect(out).toContain('signet_prod_beta: already canceled, skipped');
    expect(out).toContain('signet_prod_beta_release: does not exist, skipped');
    expect(out).toContain(`signet-prod/alpha: would delete 151 referrer(s) (150 ${SIG}, 1 ${SBOM})`);
    expect(out).toContain('signet-prod/beta: repository does not exist, skipped');
    // The reverse of the plan order (ecr, networking, signer, eks, signing-pipeline): consumers first.
    const order = ['signing-pipeline', 'eks', 'signer', 'networking', 'ecr'].map((s) =>
      out.indexOf(`pnpm nx run stack-${s}:destroy --configuration=prod`),
    );
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(out.indexOf('1. Signing profiles')).toBeLessThan(out.indexOf('2. Signature and SBOM'));
    expect(out).toContain('Re-run with --yes');
    expect(signer.commandCalls(CancelSigningProfileCommand)).toHaveLength(0);
    expect(signer.commandCalls(RevokeSigningProfileCommand)).toHaveLength(0);
    expect(ecr.commandCalls(BatchDeleteImageCommand)).toHaveLength(0);
  });

  it('--yes cancels the active profiles and deletes every referrer in batches of 100, never the image', async () => {
    const { code } = await decommission({ yes: true });
    expect(code).toBe(0);
    expect(
      signer
        .commandCalls(CancelSigningProfileCommand)
        .map((c) => c.args[0].input.profileName)
        .sort(),
    ).toEqual(['signet_prod_alpha', 'signet_prod_alpha_release']);
    const deletes = ecr.commandCalls(BatchDeleteImageCommand).map((c) => c.args[0].input);
    expect(deletes.map((d) => [d.repositoryName, d.imageIds?.length])).toEqual([
      ['signet-prod/alpha', 100],
      ['signet-prod/alpha', 51],
    ]);
    const deleted = deletes.flatMap((d) => d.imageIds?.map((id) => id.imageDigest) ?? []);
    expect(new Set(deleted)).toEqual(new Set([...referrers.map((r) => r.imageDigest), digest(2)]));
    expect(deleted).not.toContain(IMAGE);
  });

  it('--revoke --yes revokes every profile not yet revoked, with the current version, reason and time', async () => {
    const { code, out } = await decommission({
      yes: true,
      revoke: true,
      reason: 'environment retired',
      effective: '2026-01-01T00:00:00Z',
    });
    expect(code).toBe(0);
    expect(signer.commandCalls(RevokeSigningProfileCommand).map((c) => c.args[0].input)).toEqual([
      {
        profileName: 'signet_prod_alpha',
        profileVersion: 'aaaaaaaaaa',
        reason: 'environment retired',
        effectiveTime: new Date('2026-01-01T00:00:00Z'),
      },
      {
        profileName: 'signet_prod_alpha_release',
        profileVersion: 'bbbbbbbbbb',
        reason: 'environment retired',
        effectiveTime: new Date('2026-01-01T00:00:00Z'),
      },
      {
        profileName: 'signet_prod_beta',
        profileVersion: 'cccccccccc',
        reason: 'environment retired',
        effectiveTime: new Date('2026-01-01T00:00:00Z'),
      },
    ]);
    expect(signer.commandCalls(CancelSigningProfileCommand)).toHaveLength(0);
    expect(out).toContain('signet_prod_alpha: revoked version aaaaaaaaaa effective 2026-01-01T00:00:00.000Z');
  });

  it('refuses --revoke without a reason, and --reason without --revoke', async () => {
    expect(await decommission({ revoke: true })).toMatchObject({
      code: 2,
      err: expect.stringContaining('--revoke needs --reason <text>'),
    });
    expect(await decommission({ reason: 'x' })).toMatchObject({
      code: 2,
      err: expect.stringContaining('--reason applies to --revoke only'),
    });
    expect(
      await decommission({ revoke: true, reason: 'x', effective: '2027-01-01T00:00:00Z' }),
    ).toMatchObject({
      code: 2,
      err: expect.stringContaining('--effective 2027-01-01T00:00:00Z is in the future'),
    });
    expect(signer.calls()).toHaveLength(0);
  });

  it('stops with the action and profile named when canceling is denied, before deleting anything', async () => {
    signer
      .on(CancelSigningProfileCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    const { code, err } = await decommission({ yes: true });
    expect(code).toBe(1);
    expect(err).toContain(
      'signet decommission: signer:CancelSigningProfile on profile signet_prod_alpha: access denied (AccessDeniedException)',
    );
    expect(ecr.commandCalls(BatchDeleteImageCommand)).toHaveLength(0);
  });

  it('reports artifacts ECR refused to delete', async () => {
    ecr.on(BatchDeleteImageCommand).resolves({
      failures: [
        {
          imageId: { imageDigest: digest(100) },
          failureCode: 'ImageReferencedByManifestList',
          failureReason: 'in use',
        },
      ],
    });
    const { code, err } = await decommission({ yes: true });
    expect(code).toBe(1);
    expect(err).toContain(
      `ecr:BatchDeleteImage on repository signet-prod/alpha: 1 artifact(s) not deleted, e.g. ${digest(100)}: ImageReferencedByManifestList in use`,
    );
  });
});

describe('signet decommission: the destroy order is the stack graph of the workspace', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'signet-decommission-'));
    cpSync(ROOT, root, { recursive: true });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** Declares a stack of the copied workspace that reads the outputs of `dependsOn`. */
  function writeStack(name: string, dependsOn: string[]): void {
    mkdirSync(join(root, 'stacks', name), { recursive: true });
    writeFileSync(join(root, 'stacks', name, 'Pulumi.yaml'), `name: signet-${name}\nruntime: nodejs\n`);
    writeFileSync(
      join(root, 'stacks', name, 'package.json'),
      JSON.stringify({
        nx: { implicitDependencies: [...dependsOn.map((d) => `stack-${d}`), 'tag:type:app'] },
      }),
    );
  }

  /** The stacks in the order the destroy commands are printed. */
  function destroyed(out: string): string[] {
    return [...out.matchAll(/pnpm nx run stack-([a-z-]+):destroy --configuration=prod/g)].map(
      (m) => m[1] ?? '',
    );
  }

  it('follows a new stack and a new dependency, destroying every consumer before what it reads', async () => {
    writeStack('observability', ['eks']);
    writeStack('ecr', ['networking']);
    const { code, out } = await decommission({}, root);
    expect(code).toBe(0);
    expect(destroyed(out)).toEqual([
      'signing-pipeline',
      'observability',
      'eks',
      'signer',
      'ecr',
      'networking',
    ]);
    expect(destroyed(out)).toEqual(destroyOrder(discoverStacks(root)).map((s) => s.name));
    for (const stack of discoverStacks(root)) {
      for (const upstream of stack.dependsOn) {
        expect(destroyed(out).indexOf(stack.name)).toBeLessThan(destroyed(out).indexOf(upstream));
      }
    }
  });

  it('says how to turn deletion protection off through config and up, before the destroys; nothing when it is off', async () => {
    const on = await decommission({}, root);
    expect(on.code).toBe(0);
    const step = on.out.indexOf(
      'on for prod (stacks/eks/Pulumi.prod.yaml, signet-eks:deletionProtection); before destroying the stacks, turn it off:',
    );
    expect(step).toBeGreaterThan(0);
    expect(on.out).toContain('set `signet-eks:deletionProtection: false` in stacks/eks/Pulumi.prod.yaml');
    expect(on.out).toContain('pnpm nx run stack-eks:up --configuration=prod');
    expect(step).toBeLessThan(on.out.indexOf('4. Destroy the stacks, in this order:'));
    expect(on.out.indexOf('4. Destroy the stacks')).toBeLessThan(
      on.out.indexOf('5. Check that nothing is left'),
    );

    const file = join(root, 'stacks/eks/Pulumi.prod.yaml');
    writeFileSync(file, `${readFileSync(file, 'utf8')}  signet-eks:deletionProtection: false\n`);
    const off = await decommission({}, root);
    expect(off.out).toContain(
      'off in stacks/eks/Pulumi.prod.yaml (signet-eks:deletionProtection): nothing to do',
    );
    expect(off.out).not.toContain('turn it off');
  });

  it("names the profiles of the signer stack's generation", async () => {
    const file = join(root, 'stacks/signer/Pulumi.prod.yaml');
    writeFileSync(file, `${readFileSync(file, 'utf8')}  signet-signer:generation: 2\n`);
    const { code, out } = await decommission({}, root);
    expect(code).toBe(0);
    expect(out).toContain('signet_prod_2_alpha: does not exist, skipped');
    expect(out).toContain('signet_prod_2_beta_release: does not exist, skipped');
    expect(out).not.toContain('signet_prod_alpha:');
  });

  it('refuses a dependency cycle, naming it, before any AWS call', async () => {
    writeStack('networking', ['signing-pipeline']);
    const { code, err, out } = await decommission({ yes: true }, root);
    expect(code).toBe(1);
    expect(err).toBe(
      'signet decommission: stack dependency cycle: eks -> networking -> signing-pipeline -> eks\n',
    );
    expect(out).toBe('');
    expect(signer.calls()).toHaveLength(0);
    expect(ecr.calls()).toHaveLength(0);
  });
});
