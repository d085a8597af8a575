import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Scalar } from 'yaml';

/** The workspace root (this file is tools/workflows/src/workflows.ts). */
export const workspaceRoot = join(import.meta.dirname, '..', '..', '..');

/** The GitHub workflows users of this repository run. */
export const workflowsDir = join(workspaceRoot, '.github', 'workflows');

/** Every workflow file in `dir` (`*.yml` and `*.yaml`, the names GitHub loads), sorted. */
export function workflowFiles(dir = workflowsDir): string[] {
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => join(dir, name));
}

/** One `uses:` of a workflow: a step's action or a job's reusable workflow. */
export interface UsesRef {
  /** The workflow, relative to the workspace root when it is inside it. */
  readonly file: string;
  /** 1-based line of the `uses:` value. */
  readonly line: number;
  /** Where it sits: `jobs.<id>` or `jobs.<id>.steps[<i>]`, with the step's name or id when it has one. */
  readonly where: string;
  readonly uses: string;
  /** The comment after the value on the same line, without `#` and surrounding blanks. */
  readonly comment: string | undefined;
}

function displayPath(file: string): string {
  const rel = relative(workspaceRoot, file);
  return rel.startsWith('..') ? file : rel;
}

/** The comment that trails `node` on its own line (a comment on a later line is not a pin comment). */
function trailingComment(node: Scalar, source: string): string | undefined {
  if (node.comment === undefined || node.comment === null || node.range === undefined || node.range === null)
    return undefined;
  const [, valueEnd] = node.range;
  const lineEnd = source.indexOf('\n', valueEnd);
  const rest = source.slice(valueEnd, lineEnd === -1 ? undefined : lineEnd);
  if (!/^\s+#/.test(rest)) return undefined;
  return node.comment.trim();
}

/**
 * Every `uses:` in a workflow, read from its YAML structure: `jobs.<id>.uses` (a reusable workflow)
 * and `jobs.<id>.steps[*].uses` (an action). Throws when the file is not valid YAML.
 */
export function usesRefs(file: string, source = readFileSync(file, 'utf8')): UsesRef[] {
  const shown = displayPath(file);
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: true });
  if (doc.errors.length > 0)
    throw new Error(`${shown} is not valid YAML:\n${doc.errors.map((e) => e.message).join('\n')}`);
  const refs: UsesRef[] = [];
  const add = (node: unknown, where: string) => {
    if (node === undefined) return;
    if (!isScalar(node) || typeof node.value !== 'string') {
      throw new Error(`${shown} ${where}: uses is not a string`);
    }
    refs.push({
      file: shown,
      line: node.range ? lineCounter.linePos(node.range[0]).line : 0,
      where,
      uses: node.value,
      comment: trailingComment(node, source),
    });
  };
  const jobs = doc.get('jobs', true);
  if (!isMap(jobs)) return refs;
  for (const pair of jobs.items) {
    const id = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    const job = pair.value;
    if (!isMap(job)) continue;
    add(job.get('uses', true), `jobs.${id}`);
    const steps = job.get('steps', true);
    if (!isSeq(steps)) continue;
    steps.items.forEach((step, index) => {
      if (!isMap(step)) return;
      const label = step.get('name') ?? step.get('id');
      const named = typeof label === 'string' ? ` ("${label}")` : '';
      add(step.get('uses', true), `jobs.${id}.steps[${index}]${named}`);
    });
  }
  return refs;
}

const COMMIT_SHA = /^[0-9a-f]{40}$/;
const RELEASE_TAG = /^v\d+\.\d+\.\d+$/;
const IMAGE_DIGEST = /@sha256:[0-9a-f]{64}$/;

/**
 * Why a `uses:` is not pinned, or nothing when it is. A tag or branch can be moved to other code
 * after review, so every action and reusable workflow from another repository is pinned to a full
 * commit SHA, and the trailing `# vX.Y.Z` names the release that commit is, for readers and for
 * update bots. Local `./` refs are this repository's own files, versioned with the workflow.
 */
export function pinProblems(ref: Pick<UsesRef, 'uses' | 'comment'>): string[] {
  const { uses, comment } = ref;
  if (uses.startsWith('./')) return [];
  if (uses.startsWith('docker://')) {
    // An image has no commit; its content digest is what fixes it.
    return IMAGE_DIGEST.test(uses) ? [] : ['a docker:// image must be pinned by its @sha256: digest'];
  }
  const at = uses.lastIndexOf('@');
  if (at <= 0) return ['names no ref; pin it as owner/repo@<40-hex commit SHA> # vX.Y.Z'];
  const version = uses.slice(at + 1);
  const problems: string[] = [];
  if (!COMMIT_SHA.test(version)) {
    problems.push(
      /^[0-9a-fA-F]+$/.test(version)
        ? `ref "${version}" has ${version.length} hex characters; a full commit SHA has 40, lowercase`
        : `ref "${version}" is a tag or branch, which can be moved; pin the 40-hex commit SHA of the release`,
    );
  }
  if (comment === undefined) {
    problems.push('has no trailing "# vX.Y.Z" comment naming the release tag of the pinned commit');
  } else if (!RELEASE_TAG.test(comment)) {
    problems.push(`trailing comment "# ${comment}" is not exactly "# vX.Y.Z" (the release tag)`);
  }
  return problems;
}

/** Each pin problem of each ref, as `file:line where: uses "…": problem`. */
export function describePinProblems(refs: readonly UsesRef[]): string[] {
  return refs.flatMap((ref) =>
    pinProblems(ref).map((problem) => `${ref.file}:${ref.line} ${ref.where}: uses "${ref.uses}": ${problem}`),
  );
}

/** One finding of actionlint's `-format '{{json .}}'`. */
export interface ActionlintFinding {
  readonly message: string;
  readonly filepath: string;
  readonly line: number;
  readonly column: number;
  readonly kind: string;
}

export interface ActionlintRun {
  readonly status: number | null;
  readonly findings: readonly ActionlintFinding[];
  /** The findings as `file:line:col: message [kind]`, then stderr: what a failing test prints. */
  readonly report: string;
}

/**
 * Runs actionlint over `files` with `shellcheck` first on PATH: actionlint checks `run:` scripts
 * with the shellcheck it finds there and silently skips them when there is none. pyflakes is
 * turned off, so the result does not depend on whether the machine happens to have it.
 */
export function runActionlint(
  actionlint: string,
  shellcheck: string,
  files: readonly string[],
  cwd = workspaceRoot,
): ActionlintRun {
  const result = spawnSync(actionlint, ['-no-color', '-format', '{{json .}}', '-pyflakes=', ...files], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, PATH: [dirname(shellcheck), process.env['PATH'] ?? ''].join(delimiter) },
  });
  if (result.error !== undefined) throw result.error;
  const stdout = result.stdout.trim();
  let findings: ActionlintFinding[] = [];
  if (stdout !== '') {
    try {
      findings = JSON.parse(stdout) as ActionlintFinding[];
    } catch {
      throw new Error(`actionlint printed something other than JSON (exit ${result.status}):\n${stdout}`);
    }
  }
  const lines = findings.map(
    (f) => `${displayPath(resolve(cwd, f.filepath))}:${f.line}:${f.column}: ${f.message} [${f.kind}]`,
  );
  if (result.stderr.trim() !== '') lines.push(result.stderr.trim());
  return { status: result.status, findings, report: lines.join('\n') };
}
