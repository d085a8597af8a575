// Runs `kyverno test` (the real CLI of the Kyverno release the stack deploys) over generated test
// folders and reads back what the engine decided for every resource and rule. Test support only.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

/** A result the Kyverno CLI compares (`results[].result` of a kyverno-test.yaml). */
export type CliResult = 'pass' | 'fail' | 'error' | 'skip';

/**
 * What the engine did with one rule on one resource: its rule result, or `excluded` when no rule of
 * the policy matched the resource at all (the CLI's "Excluded"; admission does not evaluate it).
 */
export type EngineResult = CliResult | 'excluded';

/**
 * A mocked answer to a context `apiCall`, matched by the call's `urlPath` (Kubernetes API) or its
 * `service.url`, and method (`apiCallResponses` of the v1.19 test schema,
 * cmd/cli/kubectl-kyverno/apis/v1alpha1/test.go). A non-2xx status makes the call fail.
 */
export interface ApiCallMock {
  readonly urlPath?: string;
  readonly url?: string;
  readonly method: 'GET' | 'POST';
  readonly statusCode?: number;
  readonly body: Readonly<Record<string, unknown>>;
}

/** One rule expected on some resources (`results[]` of a kyverno-test.yaml). */
export interface ExpectedResult {
  readonly policy: string;
  readonly rule: string;
  readonly kind: string;
  readonly resources: readonly string[];
  readonly result: CliResult;
}

/** One kyverno-test.yaml with its policy and resources, in its own folder. */
export interface KyvernoSuite {
  /** Folder below the run's root, e.g. `prod/rejected/create`; its first segment picks the process. */
  readonly name: string;
  readonly policies: readonly object[];
  readonly resources: readonly object[];
  readonly apiCallResponses: readonly ApiCallMock[];
  readonly results: readonly ExpectedResult[];
  /**
   * The admission operation of every request of the suite (CREATE when absent). For UPDATE the CLI
   * sets both `object` and `oldObject` to the resource: the old object violated exactly as the new.
   * Set for the whole suite (the values file's `request.operation`), so each resource runs once.
   */
  readonly operation?: 'UPDATE';
  /**
   * Makes every Pod of the suite arrive as the `pods/ephemeralcontainers` subresource (the object of
   * that request is the whole Pod, kind Pod), the way `kubectl debug` adds an ephemeral container.
   * The CLI maps a resource whose kind is a declared subresource's kind to that subresource
   * (`Subresources` in cmd/cli/kubectl-kyverno/processor/policy_processor.go).
   */
  readonly asEphemeralContainersSubresource?: boolean;
}

/** One row of the CLI's report: a rule of a policy on a resource, with the engine's message. */
export interface EngineRow {
  readonly suite: string;
  readonly policy: string;
  /** The rule as the engine ran it: `autogen-…` and `autogen-cronjob-…` for derived rules. */
  readonly rule: string;
  /** The rule as written in the policy (the derived prefix removed). */
  readonly baseRule: string;
  /** `<apiVersion>/<kind>/<namespace>/<name>`. */
  readonly resource: string;
  readonly name: string;
  readonly result: EngineResult;
  readonly message: string;
}

/** The engine's rows, per suite and resource name. */
export interface EngineReport {
  readonly rows: readonly EngineRow[];
  readonly durationMs: number;
  /** The rows of one resource in one suite, per base rule name. */
  rowsOf(suite: string, resource: string): Record<string, EngineRow[]>;
}

/** The `kyverno test` run failed before it reported every suite. */
export class KyvernoCliError extends Error {
  constructor(message: string, output: string) {
    super(`${message}\n--- kyverno test output ---\n${output}`);
    this.name = 'KyvernoCliError';
  }
}

const AUTOGEN_PREFIX = /^autogen-(cronjob-)?/;
const SUITE_HEADER = /^Loading test\s+\( (.+) \) \.\.\.$/;
const WANT_GOT = /^Want (\w+), got (\w+)$/;

// The CLI reports Pass/Fail against the expectation, with the reason "Ok", "Want <x>, got <y>" or
// "Excluded" (cmd/cli/kubectl-kyverno/commands/test/output.go); the engine's own result follows.
function engineResult(
  reason: string,
  message: string,
  expected: CliResult | undefined,
  where: string,
): EngineResult {
  if (reason === 'Excluded') return 'excluded';
  if (reason === 'Ok') {
    if (expected === undefined) throw new Error(`${where}: the CLI reported "Ok" for a rule nobody expected`);
    return expected;
  }
  const wantGot = WANT_GOT.exec(reason);
  if (wantGot?.[2] !== undefined) return wantGot[2] as CliResult;
  throw new Error(
    `${where}: unexpected reason "${reason}" (the policy was refused or the resource not found): ${message}`,
  );
}

function writeSuite(root: string, suite: KyvernoSuite): void {
  const dir = join(root, suite.name);
  mkdirSync(dir, { recursive: true });
  // JSON is YAML: the CLI reads these files with its YAML loader.
  writeFileSync(join(dir, 'policies.yaml'), suite.policies.map((p) => JSON.stringify(p)).join('\n---\n'));
  writeFileSync(join(dir, 'resources.yaml'), suite.resources.map((r) => JSON.stringify(r)).join('\n---\n'));
  const test = {
    apiVersion: 'cli.kyverno.io/v1alpha1',
    kind: 'Test',
    metadata: { name: suite.name.replaceAll('/', '-') },
    policies: ['policies.yaml'],
    resources: ['resources.yaml'],
    apiCallResponses: suite.apiCallResponses.map(({ statusCode, body, ...match }) => ({
      ...match,
      response: { ...(statusCode !== undefined && { statusCode }), body },
    })),
    values: {
      ...(suite.operation && { globalValues: { 'request.operation': suite.operation } }),
      ...(suite.asEphemeralContainersSubresource && {
        subresources: [
          {
            subresource: {
              name: 'pods/ephemeralcontainers',
              kind: 'Pod',
              group: '',
              version: 'v1',
              singularName: '',
              namespaced: true,
              verbs: ['update', 'patch'],
            },
            parentResource: {
              name: 'pods',
              kind: 'Pod',
              group: '',
              version: 'v1',
              singularName: 'pod',
              namespaced: true,
              verbs: ['create', 'update', 'patch'],
            },
          },
        ],
      }),
    },
    results: suite.results,
  };
  writeFileSync(join(dir, 'kyverno-test.yaml'), JSON.stringify(test, null, 2));
}

interface RawRow {
  readonly POLICY: string;
  readonly RULE: string;
  readonly RESOURCE: string;
  readonly REASON: string;
  readonly Message?: string;
}

function parseSections(stdout: string, root: string): Map<string, RawRow[]> {
  const sections = new Map<string, RawRow[]>();
  let suite: string | undefined;
  let block: string[] | undefined;
  for (const line of stdout.split('\n')) {
    const header = SUITE_HEADER.exec(line);
    if (header?.[1] !== undefined) {
      suite = relative(root, resolve(root, header[1])).replace(/\/kyverno-test\.yaml$/, '');
      continue;
    }
    if (suite === undefined) continue;
    if (line === '[]') {
      sections.set(suite, []);
    } else if (line === '[') {
      block = [line];
    } else if (block !== undefined) {
      block.push(line);
      if (line === ']') {
        sections.set(suite, JSON.parse(block.join('\n')) as RawRow[]);
        block = undefined;
      }
    }
  }
  return sections;
}

interface CliRun {
  readonly stdout: string;
  readonly output: string;
}

function kyvernoTest(binary: string, cwd: string, folder: string): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    // Exit status 1 only says that some row differs from the expectation: rows are read either way.
    const child = spawn(binary, ['test', folder, '--output-format', 'json', '--detailed-results'], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    });
    let stdout = '';
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      output += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.on('error', (error) =>
      reject(new KyvernoCliError(`kyverno test did not run: ${error.message}`, output)),
    );
    child.on('close', () => resolvePromise({ stdout, output }));
  });
}

/**
 * Writes the suites below a fresh temporary folder and runs `kyverno test` once per top folder
 * (e.g. one process per environment, side by side), then returns the engine's result for every rule
 * and resource. Throws when the CLI stops before reporting every suite or a row cannot be read.
 */
export async function runKyvernoTest(binary: string, suites: readonly KyvernoSuite[]): Promise<EngineReport> {
  const root = mkdtempSync(join(tmpdir(), 'signet-kyverno-'));
  try {
    for (const suite of suites) writeSuite(root, suite);
    const folders = [...new Set(suites.map((s) => s.name.split('/')[0] ?? s.name))];
    const started = Date.now();
    const runs = await Promise.all(folders.map((folder) => kyvernoTest(binary, root, folder)));
    const durationMs = Date.now() - started;
    const sections = new Map<string, RawRow[]>();
    for (const run of runs)
      for (const [name, rows] of parseSections(run.stdout, root)) sections.set(name, rows);
    const missing = suites.filter((s) => !sections.has(s.name)).map((s) => s.name);
    if (missing.length > 0) {
      const output = runs.map((r) => r.output).join('\n');
      throw new KyvernoCliError(`kyverno test reported no results for ${missing.join(', ')}`, output);
    }

    const rows: EngineRow[] = [];
    for (const suite of suites) {
      const expected = new Map<string, CliResult>();
      for (const r of suite.results)
        for (const name of r.resources) expected.set(`${r.rule} ${name}`, r.result);
      for (const raw of sections.get(suite.name) ?? []) {
        const baseRule = raw.RULE.replace(AUTOGEN_PREFIX, '');
        const name = raw.RESOURCE.split('/').at(-1) ?? raw.RESOURCE;
        const where = `${suite.name}: ${raw.RULE} on ${raw.RESOURCE}`;
        rows.push({
          suite: suite.name,
          policy: raw.POLICY,
          rule: raw.RULE,
          baseRule,
          resource: raw.RESOURCE,
          name,
          result: engineResult(raw.REASON, raw.Message ?? '', expected.get(`${baseRule} ${name}`), where),
          message: raw.Message ?? '',
        });
      }
    }
    return {
      rows,
      durationMs,
      rowsOf(suite, resource) {
        const out: Record<string, EngineRow[]> = {};
        for (const row of rows) {
          if (row.suite !== suite || row.name !== resource) continue;
          (out[row.baseRule] ??= []).push(row);
        }
        return out;
      },
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
