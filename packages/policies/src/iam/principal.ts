import { PolicyInputError } from '../errors.js';

/*
 * Policies that exempt named principals from a Deny compare `aws:PrincipalArn`. For a role
 * session that key holds the ARN of the role, path included (`arn:aws:iam::<account>:role/<path>/<name>`),
 * never the session's `arn:aws:sts::<account>:assumed-role/<name>/<session>`
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn).
 * So exemptions name roles, and a caller known only by its session ARN is turned into its role's ARN.
 */

/** An IAM role ARN without a path and without wildcards: the roles Signet creates. */
export const ROLE_ARN = /^arn:aws(-[a-z-]+)?:iam::\d{12}:role\/[\w+=,.@-]{1,64}$/;

/** What `aws:PrincipalArn` may be compared with in an exemption: a role (any path), a user, or an account's root. */
export const EXEMPT_PRINCIPAL_ARN =
  /^arn:aws(-[a-z-]+)?:iam::(\d{12}|\*):(root|role\/(\*\/)?[\w+=,.@/-]{1,512}|user\/[\w+=,.@/-]{1,512})$/;

const ASSUMED_ROLE =
  /^arn:(aws(?:-[a-z-]+)?):sts::(\d{12}):assumed-role\/([\w+=,.@-]{1,64})\/[\w+=,.@-]{2,64}$/;

/** The IAM role ARN of a role Signet names: `arn:<partition>:iam::<account>:role/<name>`. */
export function roleArn(partition: string, accountId: string, name: string): string {
  return `arn:${partition}:iam::${accountId}:role/${name}`;
}

/**
 * The `aws:PrincipalArn` values that stand for the identity behind `callerArn` (the `arn` of
 * `sts:GetCallerIdentity`): for a role session, the role without a path and the role under any
 * path (the session ARN does not say which); a user, a role or the root as they are.
 */
export function principalArnPatterns(callerArn: string, field = 'callerArn'): string[] {
  const session = ASSUMED_ROLE.exec(callerArn);
  if (session !== null) {
    const [, partition = '', account = '', role = ''] = session;
    return [roleArn(partition, account, role), roleArn(partition, account, `*/${role}`)];
  }
  if (EXEMPT_PRINCIPAL_ARN.test(callerArn) && !callerArn.includes('*')) return [callerArn];
  throw new PolicyInputError({
    path: field,
    value: callerArn,
    allowed: 'an STS assumed-role ARN, or an IAM role, user or root ARN (what sts:GetCallerIdentity returns)',
  });
}

/** Throws unless every ARN is an exemption `aws:PrincipalArn` can match (see {@link EXEMPT_PRINCIPAL_ARN}). */
export function assertExemptPrincipals(arns: readonly string[], field: string, allowEmpty = false): void {
  if (arns.length === 0 && !allowEmpty) {
    throw new PolicyInputError({ path: field, issue: 'missing', allowed: 'at least one IAM principal ARN' });
  }
  arns.forEach((arn, index) => {
    if (!EXEMPT_PRINCIPAL_ARN.test(arn)) {
      throw new PolicyInputError({
        path: `${field}[${index}]`,
        value: arn,
        allowed: 'an IAM role ARN (a leading "*/" stands for any path), user ARN or root ARN',
      });
    }
  });
}
