import { Document } from 'yaml';
import { BuildspecInputError, quote } from './errors.js';

/**
 * A typed model of a CodeBuild buildspec, version 0.2, limited to what Signet renders.
 * Field names follow the buildspec reference
 * (https://docs.aws.amazon.com/codebuild/latest/userguide/build-spec-ref.html).
 */

/** What CodeBuild does after a phase fails. */
export const OnFailure = {
  /** Stop the build: no later phase runs. */
  Abort: 'ABORT',
  /** Go on with the next phase. */
  Continue: 'CONTINUE',
} as const;
export type OnFailure = (typeof OnFailure)[keyof typeof OnFailure];

/** Shells a Linux buildspec may name in `env.shell`. */
export const BuildspecShell = {
  Bash: 'bash',
  Sh: '/bin/sh',
} as const;
export type BuildspecShell = (typeof BuildspecShell)[keyof typeof BuildspecShell];

/** Phase names, in the order CodeBuild runs them. */
export const PhaseName = {
  Install: 'install',
  PreBuild: 'pre_build',
  Build: 'build',
  PostBuild: 'post_build',
} as const;
export type PhaseName = (typeof PhaseName)[keyof typeof PhaseName];

/** The phases in execution order. */
export const PHASE_ORDER: readonly PhaseName[] = [
  PhaseName.Install,
  PhaseName.PreBuild,
  PhaseName.Build,
  PhaseName.PostBuild,
];

/** One build phase. */
export interface Phase {
  /** Action after a failure in this phase. Omitted: CodeBuild's default phase transitions. */
  readonly 'on-failure'?: OnFailure;
  /** Runtimes to select (install phase only), e.g. `{ nodejs: '22' }`. */
  readonly 'runtime-versions'?: Readonly<Record<string, string>>;
  /** Commands, run one after the other in the build's single shell session. */
  readonly commands: readonly string[];
  /** Commands run after `commands`, even when one of them failed. */
  readonly finally?: readonly string[];
}

/** The `env` section. */
export interface BuildspecEnv {
  /** Shell the commands run in. */
  readonly shell?: BuildspecShell;
  /** Plain-text variables (lowest precedence: the project and the start-build call override). */
  readonly variables?: Readonly<Record<string, string>>;
  /** Variables read from SSM Parameter Store: name → parameter name. */
  readonly 'parameter-store'?: Readonly<Record<string, string>>;
  /** Variables read from Secrets Manager: name → `secret-id:json-key:version-stage:version-id`. */
  readonly 'secrets-manager'?: Readonly<Record<string, string>>;
  /** Variables CodePipeline hands to later actions. Names must not start with `AWS_`. */
  readonly 'exported-variables'?: readonly string[];
  /** `yes`: git commands reach the source repository with the build's source credentials. */
  readonly 'git-credential-helper'?: 'yes' | 'no';
}

/** The `artifacts` section. */
export interface BuildspecArtifacts {
  readonly files: readonly string[];
  readonly name?: string;
  readonly 'discard-paths'?: boolean;
  readonly 'base-directory'?: string;
}

/** One report group of the `reports` section. */
export interface BuildspecReportGroup {
  readonly files: readonly string[];
  readonly 'base-directory'?: string;
  readonly 'discard-paths'?: boolean;
  readonly 'file-format'?: string;
}

/** A buildspec, version 0.2. */
export interface Buildspec {
  readonly version: '0.2';
  readonly env?: BuildspecEnv;
  readonly phases: Readonly<Partial<Record<PhaseName, Phase>>>;
  readonly reports?: Readonly<Record<string, BuildspecReportGroup>>;
  readonly artifacts?: BuildspecArtifacts;
  readonly cache?: { readonly paths: readonly string[] };
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PHASE_KEYS = new Set(['on-failure', 'runtime-versions', 'commands', 'finally']);
const TOP_KEYS = new Set(['version', 'env', 'phases', 'reports', 'artifacts', 'cache']);
/** The `env` keys Signet renders, in the order the reference lists them. */
const ENV_KEY_ORDER = [
  'shell',
  'variables',
  'parameter-store',
  'secrets-manager',
  'exported-variables',
  'git-credential-helper',
] as const satisfies readonly (keyof BuildspecEnv)[];
const ENV_KEYS = new Set<string>(ENV_KEY_ORDER);

function assertVariableNames(names: Iterable<string>, field: string): void {
  for (const name of names) {
    if (!ENV_NAME.test(name)) {
      throw new BuildspecInputError(
        `${field}.${name}`,
        `${quote(name)} is not a variable name; use letters, digits and _`,
      );
    }
    if (name.startsWith('CODEBUILD_')) {
      throw new BuildspecInputError(
        `${field}.${name}`,
        `${quote(name)} starts with CODEBUILD_, which CodeBuild reserves`,
      );
    }
  }
}

function assertCommands(commands: unknown, field: string, required: boolean): void {
  if (commands === undefined && !required) return;
  if (!Array.isArray(commands) || (required && commands.length === 0)) {
    throw new BuildspecInputError(
      field,
      `${quote(commands)} is not allowed; give a non-empty list of commands`,
    );
  }
  commands.forEach((command: unknown, i) => {
    if (typeof command !== 'string' || command.trim() === '') {
      throw new BuildspecInputError(
        `${field}[${i}]`,
        `${quote(command)} is not allowed; each command is a non-empty string`,
      );
    }
  });
}

/**
 * Checks a buildspec model against the reference and throws a {@link BuildspecInputError} naming
 * the first invalid field.
 */
export function validateBuildspec(spec: Buildspec): void {
  for (const key of Object.keys(spec)) {
    if (!TOP_KEYS.has(key))
      throw new BuildspecInputError(
        key,
        `is not a buildspec key Signet renders; use one of ${[...TOP_KEYS].join(', ')}`,
      );
  }
  if (spec.version !== '0.2') {
    throw new BuildspecInputError('version', `${quote(spec.version)} is not allowed; use "0.2"`);
  }
  const env = spec.env;
  if (env !== undefined) {
    for (const key of Object.keys(env)) {
      if (!ENV_KEYS.has(key))
        throw new BuildspecInputError(
          `env.${key}`,
          `is not an env key; use one of ${[...ENV_KEYS].join(', ')}`,
        );
    }
    if (env.shell !== undefined && !Object.values(BuildspecShell).includes(env.shell)) {
      throw new BuildspecInputError('env.shell', `${quote(env.shell)} is not allowed; use bash or /bin/sh`);
    }
    assertVariableNames(Object.keys(env.variables ?? {}), 'env.variables');
    assertVariableNames(Object.keys(env['parameter-store'] ?? {}), 'env.parameter-store');
    assertVariableNames(Object.keys(env['secrets-manager'] ?? {}), 'env.secrets-manager');
    const exported = env['exported-variables'] ?? [];
    assertVariableNames(exported, 'env.exported-variables');
    for (const name of exported) {
      if (name.startsWith('AWS_')) {
        throw new BuildspecInputError(
          'env.exported-variables',
          `${quote(name)} cannot be exported: CodeBuild never exports variables starting with AWS_`,
        );
      }
    }
    if (new Set(exported).size !== exported.length) {
      throw new BuildspecInputError(
        'env.exported-variables',
        `${quote(exported)} lists a variable twice; list each once`,
      );
    }
  }
  const phaseNames = Object.keys(spec.phases);
  if (phaseNames.length === 0) throw new BuildspecInputError('phases', 'is empty; give at least one phase');
  for (const name of phaseNames) {
    if (!(PHASE_ORDER as readonly string[]).includes(name)) {
      throw new BuildspecInputError(`phases.${name}`, `is not a phase; use ${PHASE_ORDER.join(', ')}`);
    }
    const phase = spec.phases[name as PhaseName] as Phase;
    const at = `phases.${name}`;
    for (const key of Object.keys(phase)) {
      if (!PHASE_KEYS.has(key))
        throw new BuildspecInputError(
          `${at}.${key}`,
          `is not a phase key; use one of ${[...PHASE_KEYS].join(', ')}`,
        );
    }
    const onFailure = phase['on-failure'];
    if (onFailure !== undefined && !Object.values(OnFailure).includes(onFailure)) {
      throw new BuildspecInputError(
        `${at}.on-failure`,
        `${quote(onFailure)} is not allowed; use ABORT or CONTINUE`,
      );
    }
    if (phase['runtime-versions'] !== undefined && name !== PhaseName.Install) {
      throw new BuildspecInputError(`${at}.runtime-versions`, 'is only allowed in the install phase');
    }
    assertCommands(phase.commands, `${at}.commands`, true);
    assertCommands(phase.finally, `${at}.finally`, false);
  }
  if (spec.artifacts !== undefined && spec.artifacts.files.length === 0) {
    throw new BuildspecInputError(
      'artifacts.files',
      'is empty; the reference requires at least one location',
    );
  }
  for (const [group, report] of Object.entries(spec.reports ?? {})) {
    if (report.files.length === 0)
      throw new BuildspecInputError(`reports.${group}.files`, 'is empty; give at least one location');
  }
  if (spec.cache !== undefined && spec.cache.paths.length === 0) {
    throw new BuildspecInputError('cache.paths', 'is empty; give at least one path');
  }
}

/** Orders the keys of a buildspec the way the reference lists them, so the output is stable. */
function ordered(spec: Buildspec): Record<string, unknown> {
  // Rendered as the plain scalar 0.2, as the reference writes it.
  const out: Record<string, unknown> = { version: Number(spec.version) };
  if (spec.env !== undefined) {
    const env: Record<string, unknown> = {};
    for (const key of ENV_KEY_ORDER) {
      if (spec.env[key] !== undefined) env[key] = spec.env[key];
    }
    out['env'] = env;
  }
  const phases: Record<string, unknown> = {};
  for (const name of PHASE_ORDER) {
    const phase = spec.phases[name];
    if (phase === undefined) continue;
    const p: Record<string, unknown> = {};
    for (const key of ['on-failure', 'runtime-versions', 'commands', 'finally'] as const) {
      if (phase[key] !== undefined) p[key] = phase[key];
    }
    phases[name] = p;
  }
  out['phases'] = phases;
  for (const key of ['reports', 'artifacts', 'cache'] as const) {
    if (spec[key] !== undefined) out[key] = spec[key];
  }
  return out;
}

/** Options of {@link renderBuildspec}. */
export interface RenderOptions {
  /** Comment lines written above the document, e.g. which command regenerates the file. */
  readonly header?: readonly string[];
}

/**
 * Validates a buildspec and renders it as YAML: keys in reference order, commands never folded,
 * multi-line commands as literal blocks.
 */
export function renderBuildspec(spec: Buildspec, options: RenderOptions = {}): string {
  validateBuildspec(spec);
  const doc = new Document(ordered(spec));
  if (options.header !== undefined && options.header.length > 0) {
    doc.commentBefore = options.header.map((line) => ` ${line}`).join('\n');
  }
  return doc.toString({ lineWidth: 0, minContentWidth: 0, blockQuote: 'literal' });
}
