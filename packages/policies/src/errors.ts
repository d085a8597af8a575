import { SignetInputError } from '@signet/core';

// One quoting for every message (JSON form, so empty strings and spaces stay visible).
export { quote } from '@signet/core';

/**
 * Thrown when an input would produce a policy that upstream tools reject or that trusts more
 * than intended. The message names the offending field, quotes the bad value and says what is
 * allowed.
 */
export class PolicyInputError extends SignetInputError {
  /** Path of the offending input field, e.g. `statements[0].trustedIdentities[1]`. */
  readonly field: string;

  constructor(field: string, message: string) {
    // The policy builders word their own sentences (`<field>: <sentence>`); the sentence stands in
    // for what is allowed until they move to formatInputProblem.
    super({ path: field, allowed: message }, `${field}: ${message}`);
    this.name = 'PolicyInputError';
    this.field = field;
  }
}
