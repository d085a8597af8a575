import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CliError, ExitCode } from '../io.js';
import type { PlanDocument } from './document.js';

/** A base to compare a plan with: its document and how to name it. */
export interface BasePlan {
  readonly document: PlanDocument;
  /** `plan/prod.json`, or `main (3f2a9c1)`. */
  readonly label: string;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Checks that a parsed file is a plan document (docs/plan.md), naming the first field that is not. */
export function parsePlanDocument(text: string, file: string): PlanDocument {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CliError(`--base ${file}: not valid JSON: ${(error as Error).message}`, ExitCode.Usage);
  }
  const problem = (field: string, allowed: string): CliError =>
    new CliError(
      `--base ${file}: ${field} is not ${allowed} (a plan written by \`plan --json\`, docs/plan.md)`,
      ExitCode.Usage,
    );
  if (!isObject(parsed)) throw problem('the document', 'an object');
  if (typeof parsed['environment'] !== 'string') throw problem('"environment"', 'a string');
  if (!Array.isArray(parsed['stacks'])) throw problem('"stacks"', 'a list');
  parsed['stacks'].forEach((stack: unknown, i) => {
    if (!isObject(stack) || typeof stack['name'] !== 'string') throw problem(`stacks[${i}].name`, 'a string');
    if (!Array.isArray(stack['resources'])) throw problem(`stacks[${i}].resources`, 'a list');
    stack['resources'].forEach((r: unknown, j) => {
      const at = `stacks[${i}].resources[${j}]`;
      if (
        !isObject(r) ||
        typeof r['type'] !== 'string' ||
        typeof r['name'] !== 'string' ||
        !isObject(r['inputs'])
      )
        throw problem(at, 'a resource with a string "type" and "name" and an object "inputs"');
    });
  });
  return parsed as unknown as PlanDocument;
}

interface Run {
  readonly status: number | null;
  readonly output: string;
}

function run(command: string, args: readonly string[], cwd: string): Promise<Run> {
  return new Promise((done, fail) => {
    const env: NodeJS.ProcessEnv = {};
    // The base plans on its own: nothing of this process's test runner or Nx task leaks into it.
    for (const [key, value] of Object.entries(process.env)) {
      if (!/^(NX_|VITEST|npm_package_|npm_lifecycle_|npm_config_)/.test(key)) env[key] = value;
    }
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', fail);
    child.on('close', (status) => done({ status, output }));
  });
}

const tail = (text: string): string => text.trim().split('\n').slice(-20).join('\n');

/**
 * Plans a commit of the workspace's repository as that commit would plan itself: a temporary
 * detached worktree under the workspace's `.plan/` (ignored by git), its own lockfile installed from
 * the local store (then the registry), its own `pnpm plan`. The worktree is removed whatever happens.
 */
async function planCommit(
  root: string,
  ref: string,
  env: string,
  stack: string | undefined,
  log: (line: string) => void,
): Promise<BasePlan> {
  const resolved = await run(
    'git',
    ['-C', root, 'rev-parse', '--verify', '--quiet', `${ref}^{commit}`],
    root,
  );
  if (resolved.status !== 0) {
    throw new CliError(
      `--base "${ref}" is neither a plan file nor a commit of the repository at ${root}; allowed: a file written by \`plan --json\` or a git ref such as main or HEAD~1`,
      ExitCode.Usage,
    );
  }
  const sha = resolved.output.trim();
  const label = `${ref} (${sha.slice(0, 7)})`;
  mkdirSync(join(root, '.plan'), { recursive: true });
  const dir = mkdtempSync(join(root, '.plan', 'base-'));
  const worktree = join(dir, 'workspace');
  try {
    log(`planning the base ${label} in a temporary worktree …`);
    const add = await run('git', ['-C', root, 'worktree', 'add', '--detach', worktree, sha], root);
    if (add.status !== 0)
      throw new CliError(`--base ${label}: git worktree add failed:\n${tail(add.output)}`);
    if (existsSync(join(worktree, 'pnpm-lock.yaml'))) {
      let install = await run('pnpm', ['install', '--offline', '--frozen-lockfile'], worktree);
      if (install.status !== 0)
        install = await run('pnpm', ['install', '--prefer-offline', '--frozen-lockfile'], worktree);
      if (install.status !== 0)
        throw new CliError(`--base ${label}: pnpm install failed:\n${tail(install.output)}`);
    }
    const file = join(dir, 'base-plan.json');
    const plan = await run(
      'pnpm',
      [
        '--silent',
        'plan',
        '--root',
        worktree,
        '--env',
        env,
        ...(stack !== undefined ? ['--stack', stack] : []),
        '--json',
        file,
      ],
      worktree,
    );
    if (plan.status !== 0 || !existsSync(file)) {
      throw new CliError(`--base ${label}: the base does not plan ${env}:\n${tail(plan.output)}`);
    }
    return { document: parsePlanDocument(readFileSync(file, 'utf8'), `${label}`), label };
  } finally {
    await run('git', ['-C', root, 'worktree', 'remove', '--force', worktree], root);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The base of `plan --base`: a plan file (relative to `cwd`), else a commit of the workspace. */
export async function loadBasePlan(
  base: string,
  options: {
    readonly cwd: string;
    readonly root: string;
    readonly env: string;
    readonly stack?: string;
    readonly log: (line: string) => void;
  },
): Promise<BasePlan> {
  const file = resolve(options.cwd, base);
  if (existsSync(file) && statSync(file).isFile()) {
    const document = parsePlanDocument(readFileSync(file, 'utf8'), base);
    if (document.environment !== options.env) {
      throw new CliError(
        `--base ${base} is a plan of "${document.environment}", not of "${options.env}"; compare plans of one environment`,
        ExitCode.Usage,
      );
    }
    return { document, label: base };
  }
  return planCommit(options.root, base, options.env, options.stack, options.log);
}
