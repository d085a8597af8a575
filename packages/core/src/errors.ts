/**
 * One problem with an input a person wrote: a stack's config, an app's declaration, a buildspec
 * input, a generator option. Rendered by {@link formatInputProblem} as
 * `<source>: key "<path>" has value <value>; allowed: <allowed>`.
 */
export interface InputProblem {
  /**
   * Where the input was written, when there is a file: `apps/hello-server/package.json`, or a
   * project and its file, `signet-networking (Pulumi.prod.yaml)`. Absent for values passed in code.
   */
  readonly source?: string;
  /** The key or field path, e.g. `signet-networking:azCount`, `signet.port`, `tools.notation.sha256`. */
  readonly path: string;
  /**
   * What `path` names: a `key` (default), a command-line or generator `option`, or the Pulumi
   * `stack name` (which has no key: the stack name is the environment).
   */
  readonly subject?: InputSubject;
  /** The value as written; quoted in the message (JSON form, so `""` and `"8080"` stay visible). */
  readonly value?: unknown;
  /**
   * What is wrong when it is not the value itself: `missing` (the key is required) or `unknown`
   * (the key does not exist). Default `value`.
   */
  readonly issue?: InputIssue;
  /** What is allowed; completes the sentence "allowed: …". */
  readonly allowed: string;
}

/** What an {@link InputProblem}'s path names. */
export const InputSubject = { Key: 'key', Option: 'option', StackName: 'stack name' } as const;
export type InputSubject = (typeof InputSubject)[keyof typeof InputSubject];

/** What is wrong with an input. */
export const InputIssue = { Value: 'value', Missing: 'missing', Unknown: 'unknown' } as const;
export type InputIssue = (typeof InputIssue)[keyof typeof InputIssue];

/** Quotes a value for a message (JSON form, so empty strings and spaces stay visible). */
export function quote(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/**
 * The one wording of a validation message: the file (where there is one), the key or field path,
 * the value, and what is allowed. For example
 * `signet-networking (Pulumi.prod.yaml): key "signet-networking:azCount" has value 5; allowed: an integer from 2 to 3`.
 */
export function formatInputProblem(problem: InputProblem): string {
  const subject =
    problem.subject === InputSubject.StackName
      ? InputSubject.StackName
      : `${problem.subject ?? InputSubject.Key} "${problem.path}"`;
  const issue = problem.issue ?? InputIssue.Value;
  const what =
    issue === InputIssue.Missing
      ? 'is missing'
      : issue === InputIssue.Unknown
        ? `is not a known ${problem.subject ?? InputSubject.Key}`
        : `has value ${quote(problem.value)}`;
  const where = problem.source === undefined ? '' : `${problem.source}: `;
  return `${where}${subject} ${what}; allowed: ${problem.allowed}`;
}

/**
 * Base of every error about an input a person wrote. It carries each problem as data (source, path,
 * value, allowed) and says all of them in the message, one per line, worded by
 * {@link formatInputProblem}. Subclasses (StackConfigError, AppDeclarationError, BuildspecInputError,
 * AppGeneratorError, PolicyInputError) exist so callers can tell where the input came from.
 */
export class SignetInputError extends Error {
  /** Every problem found, in the order found; at least one. */
  readonly problems: readonly InputProblem[];

  /**
   * @param problems what is wrong; a list when a validator reports everything at once.
   * @param message only for validators whose sentences predate {@link formatInputProblem} and are
   *   kept word for word (the policy builders, the buildspec model); new code leaves it out.
   */
  constructor(problems: InputProblem | readonly InputProblem[], message?: string) {
    const list: readonly InputProblem[] = Array.isArray(problems) ? problems : [problems as InputProblem];
    if (list.length === 0) throw new Error('SignetInputError needs at least one problem');
    super(message ?? list.map(formatInputProblem).join('\n'));
    this.name = new.target.name;
    this.problems = list;
  }

  /** The file of the first problem, when there is one. */
  get source(): string | undefined {
    return this.first.source;
  }

  /** The key or field path of the first problem. */
  get path(): string {
    return this.first.path;
  }

  /** The offending value of the first problem. */
  get value(): unknown {
    return this.first.value;
  }

  /** What the first problem's key allows. */
  get allowed(): string {
    return this.first.allowed;
  }

  private get first(): InputProblem {
    // The constructor refuses an empty list.
    return this.problems[0] as InputProblem;
  }
}
