/**
 * Thrown when a buildspec model or a generator input is invalid. The message names the offending
 * field, quotes the bad value and says what is allowed.
 */
export class BuildspecInputError extends Error {
  /** Path of the offending field, e.g. `phases.build.on-failure` or `tools.notation.sha256`. */
  readonly field: string;

  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'BuildspecInputError';
    this.field = field;
  }
}

/** Quotes a value for an error message (JSON form, so empty strings and spaces stay visible). */
export function quote(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}
