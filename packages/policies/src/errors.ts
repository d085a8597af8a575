import { SignetInputError, type InputProblem } from '@signet/core';

// One quoting for every message (JSON form, so empty strings and spaces stay visible).
export { quote } from '@signet/core';

/**
 * Thrown when an input would produce a policy that upstream tools reject or that trusts more
 * than intended. The message names the offending field, quotes the bad value and says what is
 * allowed.
 *
 * Give it an {@link InputProblem} (`{ path, value, allowed }`): the message is then worded by
 * `formatInputProblem`, like every other input error of the workspace. The `(field, sentence)`
 * form is kept for builders whose sentences predate it (`<field>: <sentence>`); the sentence
 * stands in for what is allowed.
 */
export class PolicyInputError extends SignetInputError {
  /** Path of the offending input field, e.g. `statements[0].trustedIdentities[1]`. */
  readonly field: string;

  constructor(problem: InputProblem);
  constructor(field: string, message: string);
  constructor(problemOrField: InputProblem | string, message?: string) {
    const legacy = typeof problemOrField === 'string';
    const problem: InputProblem = legacy ? { path: problemOrField, allowed: message ?? '' } : problemOrField;
    super(problem, legacy ? `${problemOrField}: ${message ?? ''}` : undefined);
    this.name = 'PolicyInputError';
    this.field = problem.path;
  }
}
