import { quote as quoteValue, SignetInputError, type InputProblem } from '@signet/core';

/**
 * Thrown when a buildspec model or a generator input is invalid: names the offending field, quotes
 * the bad value and says what is allowed (`formatInputProblem` of @signet/core).
 */
export class BuildspecInputError extends SignetInputError {
  /** Path of the offending field, e.g. `phases.build.on-failure` or `tools.notation.sha256`. */
  readonly field: string;

  /** A problem worded by `formatInputProblem`. */
  constructor(problem: InputProblem | readonly InputProblem[]);
  /**
   * A field and a sentence about it, rendered `<field>: <sentence>`: the buildspec model's
   * validator (model.ts) words its own sentences; the sentence stands in for what is allowed.
   */
  constructor(field: string, sentence: string);
  constructor(problem: InputProblem | readonly InputProblem[] | string, sentence?: string) {
    if (typeof problem === 'string')
      super({ path: problem, allowed: sentence ?? '' }, `${problem}: ${sentence}`);
    else super(problem);
    this.name = 'BuildspecInputError';
    this.field = this.path;
  }
}

/** Quotes a value for an error message (JSON form, so empty strings and spaces stay visible). */
export const quote: (value: unknown) => string = quoteValue;
