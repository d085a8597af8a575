// Patterns: ARN formats and policy wildcards.
import type { CatalogueAction, CatalogueResourceType } from './catalogue.js';
import { PATH_VARIABLES } from './interpretations.js';

/** One position of a pattern: a set of characters, matched once or any number of times (also none). */
interface Token {
  readonly set:
    { readonly kind: 'char'; readonly char: string } | { readonly kind: 'not'; readonly chars: string };
  readonly repeat: boolean;
}
const ANY = { kind: 'not', chars: '' } as const;

/** An ARN format of the catalogue: `${Var}` is one or more characters of its class. */
function formatTokens(format: string, service: string): Token[] {
  const tokens: Token[] = [];
  const parts = format.split(/(\$\{[^}]+\})/);
  for (const part of parts) {
    const variable = /^\$\{([^}]+)\}$/.exec(part);
    if (variable) {
      const allowed = PATH_VARIABLES[`${service}:${variable[1]}`]?.chars ?? '';
      const set = { kind: 'not', chars: [':', '/'].filter((c) => !allowed.includes(c)).join('') } as const;
      tokens.push({ set, repeat: false }, { set, repeat: true });
    } else {
      for (const char of part) tokens.push({ set: { kind: 'char', char }, repeat: false });
    }
  }
  return tokens;
}

/** A policy's resource: `*` any characters, `?` one, a policy variable `${…}` any characters. */
function globTokens(pattern: string): Token[] {
  const tokens: Token[] = [];
  for (const part of pattern.split(/(\$\{[^}]+\})/)) {
    if (/^\$\{[^}]+\}$/.test(part)) {
      tokens.push({ set: ANY, repeat: true });
      continue;
    }
    for (const char of part) {
      if (char === '*') tokens.push({ set: ANY, repeat: true });
      else if (char === '?') tokens.push({ set: ANY, repeat: false });
      else tokens.push({ set: { kind: 'char', char }, repeat: false });
    }
  }
  return tokens;
}

function overlap(a: Token['set'], b: Token['set']): boolean {
  if (a.kind === 'char' && b.kind === 'char') return a.char === b.char;
  if (a.kind === 'char' && b.kind === 'not') return !b.chars.includes(a.char);
  if (a.kind === 'not' && b.kind === 'char') return !a.chars.includes(b.char);
  return true;
}

/** Whether some string matches both patterns. */
function intersects(a: readonly Token[], b: readonly Token[]): boolean {
  const seen = new Set<number>();
  const width = b.length + 1;
  const queue: [number, number][] = [[0, 0]];
  while (queue.length > 0) {
    const [i, j] = queue.pop() as [number, number];
    if (seen.has(i * width + j)) continue;
    seen.add(i * width + j);
    if (i === a.length && j === b.length) return true;
    const ta = a[i];
    const tb = b[j];
    if (ta?.repeat) queue.push([i + 1, j]);
    if (tb?.repeat) queue.push([i, j + 1]);
    if (ta !== undefined && tb !== undefined && overlap(ta.set, tb.set)) {
      const next: [number, number] = [ta.repeat ? i : i + 1, tb.repeat ? j : j + 1];
      if (next[0] !== i || next[1] !== j) queue.push(next);
    }
  }
  return false;
}

const tokenCache = new Map<string, Token[]>();
function cachedTokens(key: string, make: () => Token[]): Token[] {
  let tokens = tokenCache.get(key);
  if (tokens === undefined) {
    tokens = make();
    tokenCache.set(key, tokens);
  }
  return tokens;
}

/** Whether the policy resource can name a resource of this type. */
export function matchesType(resource: string, service: string, type: CatalogueResourceType): boolean {
  return intersects(
    cachedTokens(`glob ${resource}`, () => globTokens(resource)),
    cachedTokens(`format ${service} ${type.arn}`, () => formatTokens(type.arn, service)),
  );
}

/** Whether the action may be granted on the resource: on `*` when it has no resource type. */
export function supports(action: CatalogueAction, resource: string): boolean {
  if (resource === '*') return action.resourceTypes.length === 0;
  return action.resourceTypes.some((type) => matchesType(resource, action.service, type));
}

export function wildcardRegExp(pattern: string, flags = ''): RegExp {
  const body = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/-]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, flags);
}

/** A catalogue condition key (`kms:EncryptionContext:${EncryptionContextKey}`, `s3:ExistingObjectTag/<key>`) as a pattern. */
export function conditionKeyRegExp(template: string): RegExp {
  const body = template
    .split(/(\$\{[^}]+\}|<[^>]+>)/)
    .map((part) =>
      /^(\$\{[^}]+\}|<[^>]+>)$/.test(part) ? '.+' : part.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${body}$`, 'i');
}
