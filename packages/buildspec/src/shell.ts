/**
 * Quotes a value as one bash word. Generator inputs are validated before they reach a command;
 * quoting them as well means a value that slipped through would still be inert data.
 */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
