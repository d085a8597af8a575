import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { delimiter, join } from 'node:path';
import {
  engineCacheRoot,
  engineDir,
  isExecutable,
  readReceipt,
  RECEIPT_FILE,
  type EngineReceipt,
} from './layout.js';

/** Build the pinned module version with the Go toolchain (`go build` in a wrapper module). */
export interface GoSource {
  readonly kind: 'go';
  /**
   * Folder of a wrapper module (committed `go.mod` and `go.sum`) that requires exactly the pinned
   * version and repeats the tool's own `replace` directives, which `go install pkg@version` refuses.
   */
  readonly moduleDir: string;
  /** Import path of the main package, e.g. `github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno`. */
  readonly package: string;
  /** `-X` flags that stamp the version the tool prints. */
  readonly ldflags?: readonly string[];
}

/** Download the tool's official release asset and refuse it unless its SHA-256 is the pinned one. */
export interface ReleaseSource {
  readonly kind: 'release';
  readonly url: string;
  /** The publisher's SHA-256 of the asset, lowercase hex. */
  readonly sha256: string;
  /** `tar.gz` holding `member`, or the bare binary. */
  readonly archive: 'tar.gz' | 'binary';
  /** Path of the binary inside the archive (default: the binary's name). */
  readonly member?: string;
}

/** A tool the machine provides (a Debian package, a pip install): found on PATH, version checked. */
export interface SystemSource {
  readonly kind: 'system';
  /** Command looked up on PATH. */
  readonly command: string;
  /** Command that prints the version, when not the tool itself (default: `command`). */
  readonly versionCommand?: string;
  /** Arguments that make it (or `versionCommand`) print the version. */
  readonly versionArgs: readonly string[];
  /** Captures the version from that output (first group). */
  readonly versionPattern: RegExp;
  /** Debian package that provides it: installed with apt-get when running as root. */
  readonly aptPackage?: string;
  /** What to do when it is absent and cannot be installed here. */
  readonly hint: string;
}

export type EngineSource = GoSource | ReleaseSource | SystemSource;

/** One pinned engine and where it may come from, in order of preference after the cache. */
export interface EngineSpec {
  /** Name the tests ask for, e.g. `kyverno`. */
  readonly name: string;
  /**
   * The pinned version. For system tools, the installed version must start with it (`2.8` admits
   * Debian's `2.8.2+ds1-1`).
   */
  readonly version: string;
  /** Executable name. Default: the name. */
  readonly binary?: string;
  /** Why the tests need it (printed when it is missing). */
  readonly purpose: string;
  readonly sources: readonly EngineSource[];
  /** Arguments of a smoke run after install (must exit 0), e.g. `['version']`. */
  readonly smoke?: readonly string[];
}

/** What provisioning did for one engine. */
export interface ProvisionResult {
  readonly name: string;
  readonly version: string;
  readonly path: string;
  readonly source: string;
  /** True when the cache already held it. */
  readonly cached: boolean;
  readonly seconds: number;
}

/** One or more engines could not be provisioned; the message names each and how to get it. */
export class ProvisionError extends Error {
  constructor(
    readonly failures: readonly { readonly spec: EngineSpec; readonly reasons: readonly string[] }[],
  ) {
    super(
      [
        `could not provision ${failures.length} engine${failures.length === 1 ? '' : 's'}:`,
        ...failures.map(
          ({ spec, reasons }) =>
            `- ${spec.name} ${spec.version} (${spec.purpose}):\n${reasons.map((r) => `    ${r}`).join('\n')}`,
        ),
      ].join('\n'),
    );
    this.name = 'ProvisionError';
  }
}

/** Options of {@link provision}. */
export interface ProvisionOptions {
  /** Cache root. Default {@link engineCacheRoot}. */
  readonly root?: string;
  /** Progress lines (default: none). */
  readonly log?: (line: string) => void;
  /** Environment the sources see (PATH, GOPATH, GOCACHE, ...). Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Forbid network downloads of release assets (tests of the provisioner). */
  readonly fetchRelease?: (url: string) => Promise<Uint8Array>;
}

/** Looks `command` up on PATH (and, for `go`, in Go's default install location). */
export function findOnPath(command: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dirs = (env['PATH'] ?? '').split(delimiter).filter((d) => d !== '');
  // https://go.dev/doc/install puts Go in /usr/local/go; a fresh shell often lacks it on PATH.
  if (command === 'go') dirs.push(join(env['GOROOT'] ?? '/usr/local/go', 'bin'), '/usr/local/go/bin');
  for (const dir of dirs) {
    const candidate = join(dir, command);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function run(
  file: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): { ok: boolean; output: string } {
  const result = spawnSync(file, args, {
    cwd: options.cwd,
    env: options.env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`;
  return { ok: result.status === 0, output };
}

function lastLines(text: string, n = 12): string {
  return text.trimEnd().split('\n').slice(-n).join('\n      ');
}

/** Builds the staging folder's `bin/<binary>` from a Go wrapper module. */
function fromGo(spec: EngineSpec, source: GoSource, staging: string, env: NodeJS.ProcessEnv): string {
  const go = findOnPath('go', env);
  if (go === undefined) throw new Error('go: not found on PATH (nor in /usr/local/go/bin)');
  if (!existsSync(join(source.moduleDir, 'go.mod'))) throw new Error(`go: no go.mod in ${source.moduleDir}`);
  const out = join(staging, 'bin', spec.binary ?? spec.name);
  const args = ['build', '-trimpath', '-mod=readonly', '-o', out];
  if (source.ldflags !== undefined && source.ldflags.length > 0)
    args.push('-ldflags', ['-s', '-w', ...source.ldflags].join(' '));
  args.push(source.package);
  // -mod=readonly: the committed go.sum decides every dependency's bytes; nothing is re-resolved.
  const built = run(go, args, {
    cwd: source.moduleDir,
    env: { ...env, CGO_ENABLED: '0', GOFLAGS: '-buildvcs=false' },
  });
  if (!built.ok) throw new Error(`go build ${source.package} failed:\n      ${lastLines(built.output)}`);
  return out;
}

async function download(url: string): Promise<Uint8Array> {
  const response = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(120_000) });
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Downloads the release asset, checks its SHA-256 before anything is unpacked, installs it. */
async function fromRelease(
  spec: EngineSpec,
  source: ReleaseSource,
  staging: string,
  fetchRelease: (url: string) => Promise<Uint8Array>,
): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = await fetchRelease(source.url);
  } catch (error) {
    throw new Error(
      `download ${source.url} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== source.sha256)
    throw new Error(
      `${source.url} has SHA-256 ${actual}; the pinned release has ${source.sha256}; refusing it`,
    );
  const binary = spec.binary ?? spec.name;
  const out = join(staging, 'bin', binary);
  if (source.archive === 'binary') {
    writeFileSync(out, bytes, { mode: 0o755 });
    return out;
  }
  const archive = join(staging, 'download.tar.gz');
  const unpack = join(staging, 'unpack');
  mkdirSync(unpack);
  writeFileSync(archive, bytes);
  const member = source.member ?? binary;
  const tar = run('tar', [
    '--extract',
    '--gzip',
    '--no-same-owner',
    '--file',
    archive,
    '--directory',
    unpack,
    member,
  ]);
  if (!tar.ok)
    throw new Error(`tar could not extract ${member} from ${source.url}:\n      ${lastLines(tar.output)}`);
  copyFileSync(join(unpack, member), out);
  chmodSync(out, 0o755);
  rmSync(unpack, { recursive: true, force: true });
  rmSync(archive, { force: true });
  return out;
}

let aptUpdated = false;

/** Finds a machine-provided tool, installing its Debian package first when root may. */
function fromSystem(
  spec: EngineSpec,
  source: SystemSource,
  env: NodeJS.ProcessEnv,
  log: (l: string) => void,
): string {
  let path = findOnPath(source.command, env);
  if (
    path === undefined &&
    source.aptPackage !== undefined &&
    process.getuid?.() === 0 &&
    findOnPath('apt-get', env)
  ) {
    log(`${spec.name}: installing Debian package ${source.aptPackage}`);
    const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
    if (!aptUpdated) {
      const update = run('apt-get', ['update', '-qq'], { env: aptEnv });
      if (!update.ok) throw new Error(`apt-get update failed:\n      ${lastLines(update.output)}`);
      aptUpdated = true;
    }
    const install = run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', source.aptPackage], {
      env: aptEnv,
    });
    if (!install.ok)
      throw new Error(`apt-get install ${source.aptPackage} failed:\n      ${lastLines(install.output)}`);
    path = findOnPath(source.command, env);
  }
  if (path === undefined) throw new Error(`${source.command}: not found on PATH; ${source.hint}`);
  const prober = source.versionCommand === undefined ? path : findOnPath(source.versionCommand, env);
  if (prober === undefined) throw new Error(`${source.versionCommand}: not found on PATH; ${source.hint}`);
  const probe = run(prober, source.versionArgs, { env });
  const version = source.versionPattern.exec(probe.output)?.[1];
  if (version === undefined)
    throw new Error(
      `${prober} ${source.versionArgs.join(' ')} printed no version:\n      ${lastLines(probe.output)}`,
    );
  if (!version.startsWith(spec.version))
    throw new Error(`${path} is version ${version}; the pinned version is ${spec.version}; ${source.hint}`);
  return path;
}

function writeReceipt(dir: string, receipt: EngineReceipt): void {
  const tmp = join(dir, `${RECEIPT_FILE}.tmp`);
  writeFileSync(tmp, JSON.stringify(receipt, null, 2) + '\n');
  renameSync(tmp, join(dir, RECEIPT_FILE));
}

/**
 * Makes one engine available: the cache first, then each source in order. A Go or release build
 * happens in a staging folder that is renamed into place, and the receipt is written last, so an
 * interrupted run never leaves something that looks installed.
 */
export async function provision(spec: EngineSpec, options: ProvisionOptions = {}): Promise<ProvisionResult> {
  const root = options.root ?? engineCacheRoot();
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  const started = performance.now();
  const seconds = () => Math.round((performance.now() - started) / 100) / 10;
  const cached = readReceipt(spec.name, spec.version, root);
  if (cached !== undefined) {
    return {
      name: spec.name,
      version: spec.version,
      path: cached.path,
      source: cached.source,
      cached: true,
      seconds: seconds(),
    };
  }
  mkdirSync(root, { recursive: true });
  const final = engineDir(spec.name, spec.version, root);
  const reasons: string[] = [];
  for (const source of spec.sources) {
    const staging = mkdtempSync(join(root, `.staging-${spec.name}-`));
    try {
      let path: string;
      if (source.kind === 'system') {
        path = fromSystem(spec, source, env, log);
      } else {
        mkdirSync(join(staging, 'bin'));
        log(
          `${spec.name} ${spec.version}: ${source.kind === 'go' ? `go build ${source.package}` : `download ${source.url}`}`,
        );
        const built =
          source.kind === 'go'
            ? fromGo(spec, source, staging, env)
            : await fromRelease(spec, source, staging, options.fetchRelease ?? download);
        if (spec.smoke !== undefined) {
          const smoke = run(built, spec.smoke, { env });
          if (!smoke.ok)
            throw new Error(`${built} ${spec.smoke.join(' ')} failed:\n      ${lastLines(smoke.output)}`);
        }
        rmSync(final, { recursive: true, force: true });
        renameSync(staging, final);
        path = join(final, 'bin', spec.binary ?? spec.name);
      }
      mkdirSync(final, { recursive: true });
      writeReceipt(final, {
        name: spec.name,
        version: spec.version,
        source: source.kind,
        path,
        installedAt: new Date().toISOString(),
      });
      return {
        name: spec.name,
        version: spec.version,
        path,
        source: source.kind,
        cached: false,
        seconds: seconds(),
      };
    } catch (error) {
      reasons.push(`${source.kind}: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }
  throw new ProvisionError([{ spec, reasons }]);
}

/**
 * Provisions every engine, one after another (a Go build already uses every core), and reports
 * all failures at once after trying the rest.
 */
export async function provisionAll(
  specs: readonly EngineSpec[],
  options: ProvisionOptions = {},
): Promise<ProvisionResult[]> {
  const results: ProvisionResult[] = [];
  const failures: { spec: EngineSpec; reasons: readonly string[] }[] = [];
  for (const spec of specs) {
    try {
      results.push(await provision(spec, options));
    } catch (error) {
      if (error instanceof ProvisionError) failures.push(...error.failures);
      else failures.push({ spec, reasons: [error instanceof Error ? error.message : String(error)] });
    }
  }
  if (failures.length > 0) throw new ProvisionError(failures);
  return results;
}
