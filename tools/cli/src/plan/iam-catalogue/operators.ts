// Condition operators.

export const OPERATORS_DOC =
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
export const FAMILY_OF = new Map(
  Object.entries(OPERATOR_FAMILIES).flatMap(([family, operators]) => operators.map((o) => [o, family])),
);
const SET_OPERATORS_DOC =
  'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html';

interface ParsedOperator {
  readonly base: string;
  readonly set: 'ForAllValues' | 'ForAnyValue' | undefined;
  readonly ifExists: boolean;
}

export function parseOperator(operator: string): ParsedOperator {
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
export function operatorProblem(
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
