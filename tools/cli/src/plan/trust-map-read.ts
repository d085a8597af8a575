// Reading planned inputs: the helpers the trust map shares.
import { isObject } from './iam-catalogue/documents.js';

export type Inputs = Record<string, unknown>;

/** A planned resource and its stack. */
export interface Found {
  readonly stack: string;
  readonly type: string;
  readonly name: string;
  readonly inputs: Inputs;
}

export const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
export const sorted = (values: Iterable<string>): string[] => [...new Set(values)].sort(byName);
export const asArray = (value: unknown): unknown[] =>
  Array.isArray(value) ? value : value === undefined ? [] : [value];
export const strings = (value: unknown): string[] =>
  asArray(value).filter((v): v is string => typeof v === 'string');
export const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export function parseDocument(value: unknown): Inputs | undefined {
  if (isObject(value)) return value;
  if (typeof value !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** IAM's wildcard match (`*` any run, `?` one character), case-insensitive for actions. */
export function wildcard(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '').test(value);
}

export const afterLast = (text: string, marker: string): string =>
  text.includes(marker) ? text.slice(text.lastIndexOf(marker) + marker.length) : text;
