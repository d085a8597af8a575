/**
 * Thrown when an input would produce a policy that upstream tools reject or that trusts more
 * than intended. The message names the offending field, quotes the bad value and says what is
 * allowed.
 */
export class PolicyInputError extends Error {
  /** Path of the offending input field, e.g. `statements[0].trustedIdentities[1]`. */
  readonly field: string;

  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'PolicyInputError';
    this.field = field;
  }
}

/** Quotes a value for an error message (JSON form, so empty strings and spaces stay visible). */
export function quote(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}
