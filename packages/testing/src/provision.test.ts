import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineMissingError, requireEngine } from './locate.js';
import { engineDir, readReceipt, RECEIPT_FILE } from './layout.js';
import { findOnPath, provision, provisionAll, ProvisionError, type EngineSpec } from './provision.js';

const scratch: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function failure<E extends Error = Error>(pending: Promise<unknown>): Promise<E> {
  try {
    await pending;
  } catch (error) {
    return error as E;
  }
  throw new Error('expected the call to fail');
}

const SCRIPT = '#!/bin/sh\necho "demo 1.0.0"\n';
const sha = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

function releaseSpec(sha256: string, name = 'demo'): EngineSpec {
  return {
    name,
    version: '1.0.0',
    purpose: 'a test engine',
    sources: [{ kind: 'release', url: 'https://example.test/demo', sha256, archive: 'binary' }],
    smoke: ['--version'],
  };
}

describe('provision', () => {
  it('installs a release asset whose SHA-256 matches, writes a receipt, and reuses it from the cache', async () => {
    const root = tempDir('signet-engines-');
    let downloads = 0;
    const fetchRelease = async () => {
      downloads += 1;
      return new TextEncoder().encode(SCRIPT);
    };
    const first = await provision(releaseSpec(sha(SCRIPT)), { root, fetchRelease });
    expect(first).toMatchObject({ name: 'demo', version: '1.0.0', source: 'release', cached: false });
    expect(first.path).toBe(join(engineDir('demo', '1.0.0', root), 'bin', 'demo'));
    expect(readFileSync(first.path, 'utf8')).toBe(SCRIPT);
    expect(readReceipt('demo', '1.0.0', root)?.path).toBe(first.path);

    const second = await provision(releaseSpec(sha(SCRIPT)), { root, fetchRelease });
    expect(second).toMatchObject({ cached: true, path: first.path });
    expect(downloads).toBe(1);
    expect(requireEngine('demo', '1.0.0', root)).toBe(first.path);
  });

  it('refuses an asset whose SHA-256 differs, installs nothing, and names the tool, the URL and both digests', async () => {
    const root = tempDir('signet-engines-');
    const pinned = sha('something else');
    const error = await failure(
      provision(releaseSpec(pinned), {
        root,
        fetchRelease: async () => new TextEncoder().encode(SCRIPT),
      }),
    );
    expect(error).toBeInstanceOf(ProvisionError);
    const message = error.message;
    expect(message).toContain('demo 1.0.0 (a test engine)');
    expect(message).toContain(
      `https://example.test/demo has SHA-256 ${sha(SCRIPT)}; the pinned release has ${pinned}; refusing it`,
    );
    expect(readReceipt('demo', '1.0.0', root)).toBeUndefined();
    expect(() => requireEngine('demo', '1.0.0', root)).toThrow(EngineMissingError);
  });

  it('ignores a folder without a receipt (an interrupted install) and a receipt for another version', async () => {
    const root = tempDir('signet-engines-');
    const dir = engineDir('demo', '1.0.0', root);
    mkdirSync(join(dir, 'bin'), { recursive: true });
    writeFileSync(join(dir, 'bin', 'demo'), SCRIPT, { mode: 0o755 });
    expect(() => requireEngine('demo', '1.0.0', root)).toThrow(
      `demo 1.0.0 is not provisioned (no ${RECEIPT_FILE} in ${dir}); run \`pnpm engines\``,
    );
    writeFileSync(
      join(dir, RECEIPT_FILE),
      JSON.stringify({ name: 'demo', version: '0.9.0', source: 'release', path: join(dir, 'bin', 'demo') }),
    );
    expect(readReceipt('demo', '1.0.0', root)).toBeUndefined();
    const result = await provision(releaseSpec(sha(SCRIPT)), {
      root,
      fetchRelease: async () => new TextEncoder().encode(SCRIPT),
    });
    expect(result.cached).toBe(false);
  });

  it('falls through to the next source and reports every reason when all fail', async () => {
    const root = tempDir('signet-engines-');
    const spec: EngineSpec = {
      name: 'demo',
      version: '1.0.0',
      purpose: 'a test engine',
      sources: [
        { kind: 'go', moduleDir: join(root, 'missing'), package: 'example.test/demo' },
        { kind: 'release', url: 'https://example.test/demo', sha256: sha(SCRIPT), archive: 'binary' },
      ],
    };
    const error = await failure(
      provision(spec, {
        root,
        env: { PATH: '' },
        fetchRelease: async () => {
          throw new Error('getaddrinfo ENOTFOUND example.test');
        },
      }),
    );
    expect(error.message).toContain(`go: go: no go.mod in ${join(root, 'missing')}`);
    expect(error.message).toContain(
      'release: download https://example.test/demo failed: getaddrinfo ENOTFOUND example.test',
    );
  });

  it('provisionAll tries every engine and names each one that is missing', async () => {
    const root = tempDir('signet-engines-');
    const missing = (name: string): EngineSpec => ({
      name,
      version: '9.9',
      purpose: `the ${name} engine`,
      sources: [
        {
          kind: 'system',
          command: `signet-no-such-${name}`,
          versionArgs: ['--version'],
          versionPattern: /(\d+)/,
          hint: `install ${name}`,
        },
      ],
    });
    const error = await failure<ProvisionError>(
      provisionAll([missing('alpha'), releaseSpec(sha(SCRIPT)), missing('beta')], {
        root,
        env: { PATH: '' },
        fetchRelease: async () => new TextEncoder().encode(SCRIPT),
      }),
    );
    expect(error).toBeInstanceOf(ProvisionError);
    expect(error.failures.map((f) => f.spec.name)).toEqual(['alpha', 'beta']);
    expect(error.message).toContain('could not provision 2 engines');
    expect(error.message).toContain('signet-no-such-alpha: not found on PATH; install alpha');
    // The one that could be provisioned was, despite the others.
    expect(readReceipt('demo', '1.0.0', root)).toBeDefined();
  });

  it('checks a system tool against the pinned version prefix', async () => {
    const root = tempDir('signet-engines-');
    const bin = tempDir('signet-bin-');
    writeFileSync(join(bin, 'fake-tool'), '#!/bin/sh\necho "fake-tool version 3.1.4"\n', { mode: 0o755 });
    const spec = (version: string): EngineSpec => ({
      name: 'fake-tool',
      version,
      purpose: 'a system tool',
      sources: [
        {
          kind: 'system',
          command: 'fake-tool',
          versionArgs: ['--version'],
          versionPattern: /version (\S+)/,
          hint: 'apt-get install fake-tool',
        },
      ],
    });
    const env = { PATH: `${bin}:/usr/bin:/bin` };
    expect((await provision(spec('3.1'), { root, env })).path).toBe(join(bin, 'fake-tool'));
    const error = await failure(provision(spec('4.0'), { root, env }));
    expect(error.message).toContain(
      `${join(bin, 'fake-tool')} is version 3.1.4; the pinned version is 4.0; apt-get install fake-tool`,
    );
  });

  it('builds a Go wrapper module with go build -mod=readonly, stamping the version through -ldflags', async () => {
    const go = findOnPath('go');
    expect(go, 'the Go toolchain is a prerequisite of the engines (README)').toBeDefined();
    const root = tempDir('signet-engines-');
    const module = tempDir('signet-gomod-');
    writeFileSync(join(module, 'go.mod'), 'module example.test/demo\n\ngo 1.22\n');
    writeFileSync(
      join(module, 'main.go'),
      'package main\n\nimport "fmt"\n\nvar version = "unset"\n\nfunc main() { fmt.Println("demo " + version) }\n',
    );
    const result = await provision(
      {
        name: 'demo',
        version: '2.0.0',
        purpose: 'a Go engine',
        sources: [{ kind: 'go', moduleDir: module, package: '.', ldflags: ['-X main.version=2.0.0'] }],
        smoke: [],
      },
      { root },
    );
    expect(result.source).toBe('go');
    expect(spawnSync(result.path, { encoding: 'utf8' }).stdout).toBe('demo 2.0.0\n');
  });
});
