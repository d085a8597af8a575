import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { PHASE_ORDER } from '../model.js';
import type { Buildspec, PhaseName } from '../model.js';
import { shellQuote as q } from '../shell.js';

/**
 * Runs a rendered buildspec the way CodeBuild runs version 0.2: every command of the build in one
 * bash session (variables and the working directory carry over), each command judged by its exit
 * status, a failing command skipping the rest of its phase's commands but not its `finally`,
 * `on-failure` deciding whether later phases run (without it, a failed build phase still runs
 * post_build; a failed install or pre_build ends the build), CODEBUILD_BUILD_SUCCEEDING turning
 * to 0 after a failure, and the `exported-variables` read when the build ends.
 */

/** Outcome of one phase. */
export interface PhaseResult {
  readonly phase: PhaseName;
  readonly succeeded: boolean;
}

/** Outcome of one build. */
export interface BuildResult {
  readonly succeeded: boolean;
  /** stdout and stderr, interleaved as CodeBuild's log shows them. */
  readonly log: string;
  readonly phases: readonly PhaseResult[];
  /** Values of `env.exported-variables` at the end of the build. */
  readonly exported: Readonly<Record<string, string>>;
}

/** What one build runs with. */
export interface BuildOptions {
  /** The buildspec, as YAML. */
  readonly yaml: string;
  /** Source directory the commands start in (CODEBUILD_SRC_DIR). */
  readonly sourceDir: string;
  /** Scratch directory for the driver script. */
  readonly workDir: string;
  /** The whole environment of the build (nothing is inherited). */
  readonly env: Readonly<Record<string, string>>;
  /** Run the session under `set -euo pipefail`: any failing command ends it. */
  readonly strict?: boolean;
}

const MARK = '__SIGNET_CODEBUILD__';

function driverScript(spec: Buildspec, dir: string, strict: boolean): string {
  const lines: string[] = ['#!/usr/bin/env bash', 'exec 2>&1'];
  if (strict) lines.push('set -euo pipefail');
  lines.push('export CODEBUILD_BUILD_SUCCEEDING=1', '__signet_stop=0', '__signet_skip_to_post=0');
  let n = 0;
  const file = (command: string) => {
    const path = join(dir, `command-${n++}.sh`);
    writeFileSync(path, `${command}\n`);
    return path;
  };
  for (const name of PHASE_ORDER) {
    const phase = spec.phases[name];
    if (phase === undefined) continue;
    const guard =
      name === 'post_build'
        ? '[ "$__signet_stop" = 0 ]'
        : '[ "$__signet_stop" = 0 ] && [ "$__signet_skip_to_post" = 0 ]';
    lines.push(`if ${guard}; then`);
    lines.push(`  echo "[Container] Entering phase ${name.toUpperCase()}"`, '  __signet_failed=0');
    const block = (commands: readonly string[], always: boolean) => {
      if (commands.length === 0) return;
      lines.push(`  for __signet_command in ${commands.map((c) => q(file(c))).join(' ')}; do`);
      if (!always) lines.push('    [ "$__signet_failed" = 0 ] || break');
      lines.push(
        '    IFS= read -r __signet_first_line < "$__signet_command"',
        '    echo "[Container] Running command $__signet_first_line"',
        '    source "$__signet_command"',
        '    __signet_status=$?',
        '    if [ "$__signet_status" != 0 ]; then',
        '      echo "[Container] Command did not exit successfully: exit status $__signet_status"',
        '      __signet_failed=1',
        '      break',
        '    fi',
        '  done',
      );
    };
    block(phase.commands, false);
    // finally runs whether or not a command failed.
    block(phase.finally ?? [], true);
    lines.push('  if [ "$__signet_failed" = 0 ]; then');
    lines.push(`    echo "${MARK} ${name} SUCCEEDED"`);
    lines.push('  else');
    lines.push(`    echo "${MARK} ${name} FAILED"`, '    CODEBUILD_BUILD_SUCCEEDING=0');
    const onFailure = phase['on-failure'];
    if (onFailure === 'ABORT') lines.push('    __signet_stop=1');
    else if (onFailure === undefined) {
      lines.push(name === 'build' ? '    __signet_skip_to_post=1' : '    __signet_stop=1');
    }
    lines.push('  fi', 'fi');
  }
  for (const name of spec.env?.['exported-variables'] ?? []) {
    lines.push(`echo "${MARK} export ${name}=\${${name}-}"`);
  }
  lines.push(`echo "${MARK} result $CODEBUILD_BUILD_SUCCEEDING"`);
  return `${lines.join('\n')}\n`;
}

/** Runs one buildspec in bash and reports what happened. */
export async function runBuild(options: BuildOptions): Promise<BuildResult> {
  const spec = parse(options.yaml) as Buildspec;
  if (spec.env?.shell !== 'bash')
    throw new Error(`the harness runs bash buildspecs; env.shell is ${String(spec.env?.shell)}`);
  mkdirSync(options.workDir, { recursive: true });
  const driver = join(options.workDir, 'driver.sh');
  writeFileSync(driver, driverScript(spec, options.workDir, options.strict ?? false));
  const run = await new Promise<{ status: number | null; output: string }>((resolve, reject) => {
    const child = spawn('/bin/bash', [driver], {
      cwd: options.sourceDir,
      env: { ...options.env, CODEBUILD_SRC_DIR: options.sourceDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, output: Buffer.concat(chunks).toString('utf8') }));
  });
  const output = run.output;
  const phases: PhaseResult[] = [];
  const exported: Record<string, string> = {};
  let result: string | undefined;
  const log: string[] = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith(MARK)) {
      log.push(line);
      continue;
    }
    const [kind, ...rest] = line.slice(MARK.length + 1).split(' ');
    if (kind === 'result') result = rest[0];
    else if (kind === 'export') {
      const assignment = rest.join(' ');
      const eq = assignment.indexOf('=');
      exported[assignment.slice(0, eq)] = assignment.slice(eq + 1);
    } else phases.push({ phase: kind as PhaseName, succeeded: rest[0] === 'SUCCEEDED' });
  }
  return {
    // A session that died (exit inside a command, set -e in strict mode) never reports a result.
    succeeded: run.status === 0 && result === '1',
    log: log.join('\n'),
    phases,
    exported,
  };
}

/** Reads a file the stand-ins wrote, or '' when it does not exist. */
export function readIfExists(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
