import { PolicyInputError, quote } from './errors.js';

/** AWS partitions in which AWS Signer signs container images. */
export const AwsPartition = {
  Commercial: 'aws',
  GovCloudUs: 'aws-us-gov',
} as const;
export type AwsPartition = (typeof AwsPartition)[keyof typeof AwsPartition];

const PARTITIONS: readonly string[] = Object.values(AwsPartition);

/** AWS Signer signing profile names: 2 to 64 characters of letters, digits and underscores. */
export const SIGNING_PROFILE_NAME_PATTERN = /^[a-zA-Z0-9_]{2,64}$/;
/** AWS Signer signing profile versions: exactly 10 letters or digits. */
export const SIGNING_PROFILE_VERSION_PATTERN = /^[a-zA-Z0-9]{10}$/;

const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d+$/;
const ACCOUNT_PATTERN = /^\d{12}$/;

/** The parts of an AWS Signer signing profile ARN or signing profile version ARN. */
export interface SigningProfileArn {
  /** The ARN as given. */
  readonly arn: string;
  /** The signing profile ARN, without the version. */
  readonly profileArn: string;
  readonly partition: AwsPartition;
  readonly region: string;
  readonly account: string;
  readonly profileName: string;
  /** Present when the ARN names one version of the profile. */
  readonly profileVersion?: string;
}

/** Whether `value` is one of the supported partitions. */
export function isAwsPartition(value: string): value is AwsPartition {
  return PARTITIONS.includes(value);
}

/** Throws unless `value` is a supported partition. */
export function assertAwsPartition(value: string, field: string): AwsPartition {
  if (!isAwsPartition(value)) {
    throw new PolicyInputError({
      path: field,
      value,
      allowed: `a partition where AWS Signer signs container images: ${PARTITIONS.map((p) => quote(p)).join(' or ')}`,
    });
  }
  return value;
}

/** Throws unless `value` is a 12-digit AWS account id. */
export function assertAccountId(value: string, field: string): string {
  if (!ACCOUNT_PATTERN.test(value)) {
    throw new PolicyInputError({ path: field, value, allowed: 'a 12-digit AWS account id' });
  }
  return value;
}

/** Throws unless `value` is an AWS region code. */
export function assertRegion(value: string, field: string): string {
  if (!REGION_PATTERN.test(value)) {
    throw new PolicyInputError({
      path: field,
      value,
      allowed: 'an AWS region code such as "eu-west-1" or "us-gov-west-1"',
    });
  }
  return value;
}

/** The parts of an ARN. */
export interface ArnParts {
  readonly partition: AwsPartition;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  readonly resource: string;
}

function splitArn(value: string, field: string, shape: string): ArnParts {
  const parts = value.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') {
    throw new PolicyInputError({ path: field, value, allowed: `an ARN ${shape}` });
  }
  const [, partition = '', service = '', region = '', account = ''] = parts;
  if (!isAwsPartition(partition)) {
    throw new PolicyInputError({
      path: field,
      value,
      allowed: `an ARN ${shape} in a partition where AWS Signer signs container images, ${PARTITIONS.map((p) => quote(p)).join(' or ')} (not ${quote(partition)})`,
    });
  }
  return {
    partition,
    service,
    region,
    account,
    resource: parts.slice(5).join(':'),
  };
}

function checkRegionAndAccount(parts: ArnParts, value: string, field: string, shape: string): void {
  if (!REGION_PATTERN.test(parts.region)) {
    throw new PolicyInputError({
      path: field,
      value,
      allowed: `an ARN ${shape} with a region code (not ${quote(parts.region)})`,
    });
  }
  if (!ACCOUNT_PATTERN.test(parts.account)) {
    throw new PolicyInputError({
      path: field,
      value,
      allowed: `an ARN ${shape} with a 12-digit account id (not ${quote(parts.account)})`,
    });
  }
}

const SIGNING_PROFILE_SHAPE =
  'arn:<partition>:signer:<region>:<account>:/signing-profiles/<name>[/<version>]';

/**
 * Parses an AWS Signer signing profile ARN (`…:/signing-profiles/<name>`) or signing profile
 * version ARN (`…:/signing-profiles/<name>/<version>`), the two forms the AWS Signer Notation
 * plugin accepts as trusted identities.
 */
export function parseSigningProfileArn(value: string, field: string): SigningProfileArn {
  const parts = splitArn(value, field, SIGNING_PROFILE_SHAPE);
  if (parts.service !== 'signer') {
    throw new PolicyInputError({
      path: field,
      value,
      allowed: `an AWS Signer ARN ${SIGNING_PROFILE_SHAPE} (not of service ${quote(parts.service)})`,
    });
  }
  checkRegionAndAccount(parts, value, field, SIGNING_PROFILE_SHAPE);
  const segments = parts.resource.split('/');
  // The resource part starts with a slash, so the first segment is empty.
  const [leading, kind, profileName = '', profileVersion, ...rest] = segments;
  if (leading !== '' || kind !== 'signing-profiles' || rest.length > 0) {
    throw new PolicyInputError({
      path: field,
      value,
      allowed: `a signing profile ARN ${SIGNING_PROFILE_SHAPE} (not resource ${quote(parts.resource)})`,
    });
  }
  if (!SIGNING_PROFILE_NAME_PATTERN.test(profileName)) {
    throw new PolicyInputError({
      path: field,
      value,
      allowed: `a signing profile ARN whose name is 2 to 64 characters of [a-zA-Z0-9_] (not ${quote(profileName)})`,
    });
  }
  if (profileVersion !== undefined && !SIGNING_PROFILE_VERSION_PATTERN.test(profileVersion)) {
    throw new PolicyInputError({
      path: field,
      value,
      allowed: `a signing profile ARN whose version is exactly 10 characters of [a-zA-Z0-9] (not ${quote(profileVersion)})`,
    });
  }
  const profileArn = `arn:${parts.partition}:signer:${parts.region}:${parts.account}:/signing-profiles/${profileName}`;
  return {
    arn: value,
    profileArn,
    partition: parts.partition,
    region: parts.region,
    account: parts.account,
    profileName,
    ...(profileVersion === undefined ? {} : { profileVersion }),
  };
}

/** What an ARN of a given kind must look like. */
interface ArnKind {
  readonly service: string;
  /** Whether the ARN carries a region and an account (S3 bucket ARNs carry neither). */
  readonly regional: boolean;
  readonly resource: RegExp;
  readonly shape: string;
}

const ARN_KINDS = {
  ecrRepository: {
    service: 'ecr',
    regional: true,
    resource: /^repository\/[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/,
    shape: 'arn:<partition>:ecr:<region>:<account>:repository/<name>',
  },
  logGroup: {
    service: 'logs',
    regional: true,
    resource: /^log-group:[\w\-./#]{1,512}$/,
    shape: 'arn:<partition>:logs:<region>:<account>:log-group:<name>',
  },
  s3Bucket: {
    service: 's3',
    regional: false,
    resource: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
    shape: 'arn:<partition>:s3:::<bucket>',
  },
  kmsKey: {
    service: 'kms',
    regional: true,
    resource: /^key\/[a-zA-Z0-9-]+$/,
    shape: 'arn:<partition>:kms:<region>:<account>:key/<key-id>',
  },
  eksCluster: {
    service: 'eks',
    regional: true,
    resource: /^cluster\/[a-zA-Z0-9][a-zA-Z0-9_-]{0,99}$/,
    shape: 'arn:<partition>:eks:<region>:<account>:cluster/<name>',
  },
  oidcProvider: {
    service: 'iam',
    regional: false,
    resource: /^oidc-provider\/[a-z0-9.-]+(?:\/[\w.-]+)*$/,
    shape: 'arn:<partition>:iam::<account>:oidc-provider/<issuer host and path>',
  },
  codebuildProject: {
    service: 'codebuild',
    regional: true,
    resource: /^project\/[A-Za-z0-9][A-Za-z0-9_-]{1,254}$/,
    shape: 'arn:<partition>:codebuild:<region>:<account>:project/<name>',
  },
  codepipeline: {
    service: 'codepipeline',
    regional: true,
    resource: /^[A-Za-z0-9.@_-]{1,100}$/,
    shape: 'arn:<partition>:codepipeline:<region>:<account>:<pipeline name>',
  },
  codecommitRepository: {
    service: 'codecommit',
    regional: true,
    resource: /^[\w.-]{1,100}$/,
    shape: 'arn:<partition>:codecommit:<region>:<account>:<repository name>',
  },
  snsTopic: {
    service: 'sns',
    regional: true,
    resource: /^[A-Za-z0-9_-]{1,256}(?:\.fifo)?$/,
    shape: 'arn:<partition>:sns:<region>:<account>:<topic name>',
  },
} as const satisfies Record<string, ArnKind>;

/** The kinds of ARN the IAM builders scope to. */
export type ArnKindName = keyof typeof ARN_KINDS;

/** Throws unless `value` is an ARN of the given kind; returns its parts. */
export function assertArn(value: string, kind: ArnKindName, field: string): ArnParts {
  const spec: ArnKind = ARN_KINDS[kind];
  const parts = splitArn(value, field, spec.shape);
  if (parts.service !== spec.service) {
    throw new PolicyInputError({
      path: field,
      value,
      allowed: `an ARN ${spec.shape} (not of service ${quote(parts.service)})`,
    });
  }
  if (spec.regional) {
    checkRegionAndAccount(parts, value, field, spec.shape);
  } else if (parts.region !== '' || (spec.service === 's3' && parts.account !== '')) {
    throw new PolicyInputError({ path: field, value, allowed: `an ARN ${spec.shape}, without a region` });
  } else if (spec.service !== 's3' && !ACCOUNT_PATTERN.test(parts.account)) {
    throw new PolicyInputError({
      path: field,
      value,
      allowed: `an ARN ${spec.shape} with a 12-digit account id (not ${quote(parts.account)})`,
    });
  }
  if (!spec.resource.test(parts.resource)) {
    throw new PolicyInputError({
      path: field,
      value,
      allowed: `an ARN ${spec.shape} (not resource ${quote(parts.resource)})`,
    });
  }
  return parts;
}

const RESOURCE_ARN_SHAPE = 'arn:<partition>:<service>:<region>:<account>:<resource>';

/**
 * Throws unless `value` is the ARN of one regional resource of one account, without wildcards:
 * what an `aws:SourceArn` condition names. Returns its parts.
 */
export function assertResourceArn(value: string, field: string): ArnParts {
  const parts = splitArn(value, field, RESOURCE_ARN_SHAPE);
  if (!/^[a-z0-9-]+$/.test(parts.service)) {
    throw new PolicyInputError({
      path: field,
      value,
      allowed: `an ARN ${RESOURCE_ARN_SHAPE} (not of service ${quote(parts.service)})`,
    });
  }
  checkRegionAndAccount(parts, value, field, RESOURCE_ARN_SHAPE);
  if (parts.resource === '' || /[*?]/.test(value)) {
    throw new PolicyInputError({
      path: field,
      value,
      allowed: `the ARN of one resource, ${RESOURCE_ARN_SHAPE}, without wildcards`,
    });
  }
  return parts;
}
