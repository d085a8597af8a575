// Every interpretation the check adds to the catalogue's data, in one place, each with its reason.

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
