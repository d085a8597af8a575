/**
 * What one invocation of the guard is: the event of one rule, wrapped by that rule's target with
 * the rule's key. An event that an app's rule and a catch-all both match reaches the function
 * twice, once per rule; the key is what lets the function answer it once (see `decide`). Imports
 * nothing, so the bundle and a Pulumi program can both use it.
 */

/** What a rule watches: signatures (Signer) or builds (CodeBuild). */
export const GUARD_WATCHES = { signatures: 'signatures', builds: 'builds' } as const;
export type GuardWatch = (typeof GUARD_WATCHES)[keyof typeof GUARD_WATCHES];

/** A rule, as its key names it: the environment's catch-all (`app` undefined) or an app's own. */
export interface GuardRuleRef {
  readonly watch: GuardWatch;
  readonly app: string | undefined;
}

/**
 * The key of a rule: `signatures` and `builds` for the environment's catch-alls,
 * `<app>-signatures` and `<app>-builds` for an app's own rules. It is also the suffix of the
 * rule's Pulumi resource names, so it never changes for a rule that exists.
 */
export function guardRuleKey(watch: GuardWatch, app?: string): string {
  return app === undefined ? watch : `${app}-${watch}`;
}

/** The rule a key names, or undefined when it names none of the guard's. */
export function parseGuardRuleKey(key: string): GuardRuleRef | undefined {
  for (const watch of Object.values(GUARD_WATCHES)) {
    if (key === watch) return { watch, app: undefined };
    const app = key.endsWith(`-${watch}`) ? key.slice(0, -watch.length - 1) : '';
    if (app !== '') return { watch, app };
  }
  return undefined;
}

/** The variable EventBridge replaces with the whole matched event, `detail` included. */
const WHOLE_EVENT = '<aws.events.event.json>';

/**
 * The input template of a rule's target: `{"rule":"<key>","event":<the whole event>}`.
 * `aws.events.event.json` is one of EventBridge's predefined input-transformer variables (the
 * complete original event, as JSON, only usable as the value of a JSON field since it is not
 * escaped), so the template defines no input path:
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
 */
export function guardInputTemplate(ruleKey: string): string {
  if (parseGuardRuleKey(ruleKey) === undefined) {
    throw new Error(
      `guard rule key ${JSON.stringify(ruleKey)}: allowed: signatures, builds, <app>-signatures or <app>-builds`,
    );
  }
  return `{"rule":${JSON.stringify(ruleKey)},"event":${WHOLE_EVENT}}`;
}

/** One invocation, read: the rule and its event. */
export interface GuardInvocation extends GuardRuleRef {
  readonly rule: string;
  readonly event: unknown;
}

const KEYS = ['rule', 'event'];

/**
 * Reads an invocation, or says why it is none. An event that is not wrapped is not read as one:
 * every target of the guard wraps, so an unwrapped event did not come from a rule of the guard
 * as deployed, and which rule it is, and so whether another answers it, is unknown.
 */
export function readGuardInvocation(value: unknown): GuardInvocation | string {
  const expected = `{"rule":"<rule key>","event":<the rule's event>}, as every rule's target sends it`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return `the invocation is not a JSON object; allowed: ${expected}`;
  }
  const record = value as Record<string, unknown>;
  const unknownKey = Object.keys(record).find((key) => !KEYS.includes(key));
  if (unknownKey !== undefined || typeof record['rule'] !== 'string') {
    const keys = Object.keys(record).slice(0, 5).join(', ');
    return `the invocation has the keys ${keys === '' ? '(none)' : keys}, not a rule's wrapper (an unwrapped event?); allowed: ${expected}`;
  }
  const rule = record['rule'];
  const ref = parseGuardRuleKey(rule);
  if (ref === undefined) {
    return `"rule" ${JSON.stringify(rule)} is none of the guard's; allowed: signatures, builds, <app>-signatures, <app>-builds`;
  }
  if (!('event' in record)) return `rule ${rule}: the invocation has no "event"; allowed: ${expected}`;
  return { ...ref, rule, event: record['event'] };
}
