import { assertArn, parseSigningProfileArn } from '../arn.js';
import { PolicyInputError, quote } from '../errors.js';
import { assertDnsLabel, assertDnsSubdomain } from '../kubernetes.js';
import { artifactStatements, type ArtifactStoreInput } from './artifacts.js';
import {
  IAM_POLICY_VERSION,
  policyDocument,
  type IamPolicyDocument,
  type IamStatement,
  type IamTrustPolicyDocument,
} from './document.js';

/** What every pipeline stage role works with. */
export interface StageResourcesInput extends ArtifactStoreInput {
  /** The stage's CloudWatch Logs log group (a trailing `:*` is accepted and dropped). */
  readonly logGroupArn: string;
}

/** Input of {@link buildBuildRolePolicy}. */
export interface BuildRolePolicyInput extends StageResourcesInput {
  /** The app's ECR repository, the only one the build pushes to. */
  readonly repositoryArn: string;
}

/** Input of {@link buildSigningRolePolicy}. */
export interface SigningRolePolicyInput extends StageResourcesInput {
  /** The app's ECR repository: the image is read and the signature pushed next to it. */
  readonly repositoryArn: string;
  /** The signing profile the stage signs with (profile ARN, or profile version ARN to pin a version). */
  readonly signingProfileArn: string;
  /**
   * Signing profiles whose revocation status the stage's `notation verify` checks (the trust
   * policy's identities). Default: the signing profile.
   */
  readonly trustedSigningProfileArns?: readonly string[];
  /** The mirror the stage installs the AWS Signer plugin from. */
  readonly pluginMirror: PluginMirrorAccessInput;
}

/**
 * The objects of one pinned AWS Signer plugin version in the signer stack's mirror bucket, and the
 * key that encrypts them: what a stage that installs the plugin reads.
 */
export interface PluginMirrorAccessInput {
  /**
   * The version's objects, as an S3 object ARN ending in `/*`:
   * `arn:<partition>:s3:::<bucket>/aws-signer-plugin/<version>/*`.
   */
  readonly objectsArn: string;
  /** The KMS key that encrypts the mirror bucket. */
  readonly kmsKeyArn: string;
}

/** Input of {@link buildDeployRolePolicy}. */
export interface DeployRolePolicyInput extends StageResourcesInput {
  /** The EKS cluster the stage deploys to. */
  readonly clusterArn: string;
}

/** Input of {@link buildVerificationRolePolicy}. */
export interface VerificationRolePolicyInput extends StageResourcesInput {
  /** The EKS cluster whose running Pods the stage checks. */
  readonly clusterArn: string;
  /** The app's ECR repository, read to compare digests and signatures. */
  readonly repositoryArn: string;
  /** When given, the stage may also run `notation verify`: revocation checks for these profiles. */
  readonly trustedSigningProfileArns?: readonly string[];
}

/** Input of {@link buildVerifierRolePolicy}. */
export interface VerifierRolePolicyInput {
  /** The application repositories whose images and signatures the verifier reads. */
  readonly repositoryArns: readonly string[];
  /** The trust policy's signing profiles, whose revocation status the verifier checks. */
  readonly trustedSigningProfileArns: readonly string[];
}

/** Input of {@link buildIrsaTrustPolicy}. */
export interface IrsaTrustPolicyInput {
  /** The cluster's IAM OIDC provider ARN (`arn:aws:iam::<account>:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<id>`). */
  readonly oidcProviderArn: string;
  /** Namespace of the service account. */
  readonly namespace: string;
  /** Name of the service account. */
  readonly serviceAccount: string;
}

const ECR_READ = [
  'ecr:BatchCheckLayerAvailability',
  'ecr:BatchGetImage',
  'ecr:DescribeImages',
  'ecr:GetDownloadUrlForLayer',
  'ecr:ListImages',
];
const ECR_WRITE = [
  'ecr:CompleteLayerUpload',
  'ecr:InitiateLayerUpload',
  'ecr:PutImage',
  'ecr:UploadLayerPart',
];

function ecrLogin(): IamStatement {
  return { Sid: 'EcrLogin', Effect: 'Allow', Action: ['ecr:GetAuthorizationToken'], Resource: ['*'] };
}

/**
 * CodeBuild writes the stage's logs: `logs:CreateLogStream` and `logs:PutLogEvents` both act on a
 * log stream (`…:log-group:<name>:log-stream:<stream>`), not on the log group, so the streams of
 * the stage's own group are the only resource granted.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html#amazoncloudwatchlogs-actions-as-permissions
 */
function stageStatements(input: StageResourcesInput): IamStatement[] {
  const logGroupArn = input.logGroupArn.endsWith(':*') ? input.logGroupArn.slice(0, -2) : input.logGroupArn;
  assertArn(logGroupArn, 'logGroup', 'logGroupArn');
  return [
    {
      Sid: 'WriteOwnLogs',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: [`${logGroupArn}:log-stream:*`],
    },
    ...artifactStatements(input),
  ];
}

/**
 * Resources `signer:GetRevocationStatus` is authorised against. The Service Authorization Reference
 * lists two resource types for it, both required: `signing-profile`
 * (`arn:…:signer:<region>:<account>:/signing-profiles/<ProfileName>`) and `signing-job`
 * (`arn:…:/signing-jobs/<JobId>`). The job id is only known at verification time, hence
 * `signing-jobs/*` of the profile's account and region.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssigner.html#awssigner-actions-as-permissions
 *
 * Each trusted profile is granted as its ARN and as its version ARNs (`<profile>/*`): the request
 * names the signature's profile *version* (`profileVersionArn`,
 * https://docs.aws.amazon.com/signer/latest/api/API_GetRevocationStatus.html), and AWS documents no
 * example that says which of the two IAM evaluates. Under level `strict` a denied revocation call
 * denies every image in the pipeline and at admission, so both forms of the same profile are granted;
 * neither reaches another profile. (AWS's own samples grant this action on `*`.)
 */
function revocationStatement(profileArns: readonly string[], field: string): IamStatement {
  if (profileArns.length === 0) {
    throw new PolicyInputError({
      path: field,
      value: profileArns,
      allowed: 'the signing profile ARNs whose signatures are verified, at least one',
    });
  }
  const profiles = new Set<string>();
  const jobs = new Set<string>();
  profileArns.forEach((value, i) => {
    const arn = parseSigningProfileArn(value, `${field}[${i}]`);
    profiles.add(arn.profileArn);
    profiles.add(`${arn.profileArn}/*`);
    jobs.add(`arn:${arn.partition}:signer:${arn.region}:${arn.account}:/signing-jobs/*`);
  });
  return {
    Sid: 'CheckSignatureRevocation',
    Effect: 'Allow',
    Action: ['signer:GetRevocationStatus'],
    Resource: [...profiles, ...jobs],
  };
}

function eksDescribe(clusterArn: string): IamStatement {
  assertArn(clusterArn, 'eksCluster', 'clusterArn');
  return {
    Sid: 'DescribeOwnCluster',
    Effect: 'Allow',
    Action: ['eks:DescribeCluster'],
    Resource: [clusterArn],
  };
}

/** What a pipeline stage's role may do besides its logs and artifacts: one entry per statement. */
export const StageGrant = {
  /** Push the image and its SBOM to the app's repository and read its scan findings (with ECR login). */
  PushRepository: 'push-repository',
  /** Read the image and push its signature next to it in the app's repository (with ECR login). */
  WriteSignature: 'write-signature',
  /** Read the app's repository (with ECR login). */
  ReadRepository: 'read-repository',
  /** `signer:SignPayload` with the app's signing profile only. */
  SignWithProfile: 'sign-with-profile',
  /** Revocation checks of `notation verify` for the trusted profiles (default: the signing profile). */
  CheckRevocation: 'check-revocation',
  /** `eks:DescribeCluster` of its cluster (Kubernetes rights come from the EKS access entry). */
  DescribeCluster: 'describe-cluster',
  /**
   * Promotion: read the app's repository in the environment promoted from, and write the image and
   * its referrers into the app's repository here (with ECR login). Never a build: nothing is pushed
   * that the source repository does not hold under the same digest.
   */
  PromoteImage: 'promote-image',
  /**
   * Read the pinned AWS Signer plugin (archive, signature, key) from the signer stack's mirror
   * bucket: `s3:GetObject` on that version's objects, and `kms:Decrypt` with the bucket's key.
   */
  ReadPluginMirror: 'read-plugin-mirror',
  /**
   * Revoke the signatures of the app's release profile that a newer promotion supersedes:
   * `signer:RevokeSignature` on the account's signing jobs only under `signer:ProfileVersion` equal
   * to the release profile's version, and `signer:DescribeSigningJob` to skip a job already revoked.
   */
  RevokeReleaseSignatures: 'revoke-release-signatures',
} as const;
export type StageGrant = (typeof StageGrant)[keyof typeof StageGrant];

/** The resources a stage role's grants act on; each grant requires the ones it names. */
export interface StageRolePolicyInput extends StageResourcesInput {
  /** The app's ECR repository (the repository grants). */
  readonly repositoryArn?: string;
  /** The app's signing profile (SignWithProfile; CheckRevocation's default). */
  readonly signingProfileArn?: string;
  /** The trust policy's profiles (CheckRevocation). */
  readonly trustedSigningProfileArns?: readonly string[];
  /** The EKS cluster (DescribeCluster). */
  readonly clusterArn?: string;
  /** The app's repository in the environment promoted from (PromoteImage): read only. */
  readonly promotionSourceRepositoryArn?: string;
  /** The plugin version's objects in the mirror bucket and the bucket's key (ReadPluginMirror). */
  readonly pluginMirror?: PluginMirrorAccessInput;
  /**
   * The version ARN of the profile whose signatures the stage may revoke (RevokeReleaseSignatures):
   * `arn:…:/signing-profiles/<name>/<version>`.
   */
  readonly revocableProfileVersionArn?: string;
}

/** The grants of the four stages, in statement order: the stage catalog's and the named builders'. */
export const STAGE_ROLE_GRANTS = {
  build: [StageGrant.PushRepository],
  signing: [
    StageGrant.SignWithProfile,
    StageGrant.CheckRevocation,
    StageGrant.WriteSignature,
    StageGrant.ReadPluginMirror,
  ],
  deployment: [StageGrant.DescribeCluster],
  verification: [StageGrant.DescribeCluster, StageGrant.ReadRepository],
  promotion: [StageGrant.PromoteImage, StageGrant.CheckRevocation, StageGrant.ReadPluginMirror],
  releaseSigning: [
    StageGrant.SignWithProfile,
    StageGrant.CheckRevocation,
    StageGrant.WriteSignature,
    StageGrant.ReadPluginMirror,
  ],
  revocation: [StageGrant.ReadRepository, StageGrant.RevokeReleaseSignatures],
} as const satisfies Readonly<Record<string, readonly StageGrant[]>>;

/**
 * The grants that push into the app's repository: a stage role holding one is a writer the
 * repository policy lets push (and the guardrails let sign, for {@link SIGNING_GRANTS}).
 */
export const REPOSITORY_WRITE_GRANTS: readonly StageGrant[] = [
  StageGrant.PushRepository,
  StageGrant.WriteSignature,
  // Promote copies the verified digest and its referrers into its own repository.
  StageGrant.PromoteImage,
];

/** The grants that sign with a profile: a stage role holding one is a signer the guardrails let sign. */
export const SIGNING_GRANTS: readonly StageGrant[] = [StageGrant.SignWithProfile];

const GRANTS: readonly string[] = Object.values(StageGrant);

function required<
  K extends
    | 'repositoryArn'
    | 'signingProfileArn'
    | 'clusterArn'
    | 'promotionSourceRepositoryArn'
    | 'revocableProfileVersionArn',
>(input: StageRolePolicyInput, key: K, grant: StageGrant): string {
  const value = input[key];
  if (value === undefined) {
    throw new PolicyInputError({
      path: key,
      issue: 'missing',
      allowed: `an ARN: grant ${quote(grant)} needs it`,
    });
  }
  return value;
}

/** `arn:<partition>:s3:::<bucket>/<prefix>/*`: the objects under one prefix of one bucket, no other wildcard. */
const OBJECTS_UNDER_PREFIX =
  /^arn:aws(-[a-z-]+)?:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[A-Za-z0-9._-]+)+\/\*$/;

/**
 * Reading the plugin from the mirror: `s3:GetObject` on the pinned version's objects only (not
 * the bucket's other versions, not listing), and `kms:Decrypt` with the mirror's own key, which
 * S3 calls on the reader's behalf for an SSE-KMS object
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#require-sse-kms).
 * The key encrypts nothing but the mirror.
 */
function pluginMirrorStatements(
  mirror: PluginMirrorAccessInput | undefined,
  grant: StageGrant,
): IamStatement[] {
  if (mirror === undefined) {
    throw new PolicyInputError({
      path: 'pluginMirror',
      issue: 'missing',
      allowed: `the mirror's object ARN prefix and key ARN: grant ${quote(grant)} needs them`,
    });
  }
  if (!OBJECTS_UNDER_PREFIX.test(mirror.objectsArn)) {
    throw new PolicyInputError({
      path: 'pluginMirror.objectsArn',
      value: mirror.objectsArn,
      allowed:
        'arn:<partition>:s3:::<bucket>/<prefix>/* (the objects of one plugin version, no other wildcard)',
    });
  }
  assertArn(mirror.kmsKeyArn, 'kmsKey', 'pluginMirror.kmsKeyArn');
  return [
    {
      Sid: 'ReadSignerPluginMirror',
      Effect: 'Allow',
      Action: ['s3:GetObject'],
      Resource: [mirror.objectsArn],
    },
    {
      Sid: 'DecryptSignerPluginMirror',
      Effect: 'Allow',
      Action: ['kms:Decrypt'],
      Resource: [mirror.kmsKeyArn],
    },
  ];
}

function repositoryStatement(sid: string, actions: readonly string[], repositoryArn: string): IamStatement {
  assertArn(repositoryArn, 'ecrRepository', 'repositoryArn');
  return { Sid: sid, Effect: 'Allow', Action: [...actions], Resource: [repositoryArn] };
}

function signStatement(signingProfileArn: string): IamStatement {
  const profile = parseSigningProfileArn(signingProfileArn, 'signingProfileArn');
  return {
    Sid: 'SignWithOwnProfile',
    Effect: 'Allow',
    Action: ['signer:SignPayload'],
    Resource: [profile.profileArn],
    ...(profile.profileVersion === undefined
      ? {}
      : { Condition: { StringEquals: { 'signer:ProfileVersion': profile.profileVersion } } }),
  };
}

/**
 * RevokeSignature acts on a signing job (`arn:…:/signing-jobs/<JobId>`, the only resource type the
 * Service Authorization Reference lists for it) and takes the condition key `signer:ProfileVersion`:
 * the job's ARN does not name its profile, so the condition is what keeps the grant to the jobs of
 * one profile version. DescribeSigningJob has no condition key; it reads a job's status only.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssigner.html
 */
function revokeStatements(profileVersionArn: string): IamStatement[] {
  const profile = parseSigningProfileArn(profileVersionArn, 'revocableProfileVersionArn');
  if (profile.profileVersion === undefined) {
    throw new PolicyInputError({
      path: 'revocableProfileVersionArn',
      value: profileVersionArn,
      allowed:
        'a signing profile version ARN arn:<partition>:signer:<region>:<account>:/signing-profiles/<name>/<version> (the grant is pinned to that version)',
    });
  }
  const jobs = `arn:${profile.partition}:signer:${profile.region}:${profile.account}:/signing-jobs/*`;
  return [
    {
      Sid: 'RevokeOwnReleaseSignatures',
      Effect: 'Allow',
      Action: ['signer:RevokeSignature'],
      Resource: [jobs],
      Condition: { StringEquals: { 'signer:ProfileVersion': profile.profileVersion } },
    },
    { Sid: 'DescribeSigningJobs', Effect: 'Allow', Action: ['signer:DescribeSigningJob'], Resource: [jobs] },
  ];
}

function grantStatements(grant: StageGrant, input: StageRolePolicyInput): IamStatement[] {
  switch (grant) {
    case StageGrant.PushRepository:
      return [
        ecrLogin(),
        repositoryStatement(
          'PushOwnRepository',
          [...ECR_READ, ...ECR_WRITE, 'ecr:DescribeImageScanFindings'].sort(),
          required(input, 'repositoryArn', grant),
        ),
      ];
    case StageGrant.WriteSignature:
      return [
        ecrLogin(),
        repositoryStatement(
          'ReadImageWriteSignature',
          [...ECR_READ, ...ECR_WRITE].sort(),
          required(input, 'repositoryArn', grant),
        ),
      ];
    case StageGrant.ReadRepository:
      return [
        ecrLogin(),
        repositoryStatement('ReadOwnRepository', ECR_READ, required(input, 'repositoryArn', grant)),
      ];
    case StageGrant.SignWithProfile:
      return [signStatement(required(input, 'signingProfileArn', grant))];
    case StageGrant.CheckRevocation:
      return [
        revocationStatement(
          input.trustedSigningProfileArns ?? [required(input, 'signingProfileArn', grant)],
          'trustedSigningProfileArns',
        ),
      ];
    case StageGrant.DescribeCluster:
      return [eksDescribe(required(input, 'clusterArn', grant))];
    case StageGrant.ReadPluginMirror:
      return pluginMirrorStatements(input.pluginMirror, grant);
    case StageGrant.PromoteImage:
      return [
        ecrLogin(),
        repositoryStatement(
          'ReadPromotionSource',
          ECR_READ,
          required(input, 'promotionSourceRepositoryArn', grant),
        ),
        repositoryStatement(
          'WritePromotedImage',
          [...ECR_READ, ...ECR_WRITE].sort(),
          required(input, 'repositoryArn', grant),
        ),
      ];
    case StageGrant.RevokeReleaseSignatures:
      return revokeStatements(required(input, 'revocableProfileVersionArn', grant));
  }
}

/**
 * The identity policy of a pipeline stage's role: its grants in order (ECR login once, before the
 * first repository grant), then its own log streams and artifacts. The stage catalog of
 * @signet/buildspec lists each stage's grants.
 */
export function buildStageRolePolicy(
  grants: readonly StageGrant[],
  input: StageRolePolicyInput,
  field = 'grants',
): IamPolicyDocument {
  const statements: IamStatement[] = [];
  grants.forEach((grant, i) => {
    if (!GRANTS.includes(grant)) {
      throw new PolicyInputError({
        path: `${field}[${i}]`,
        value: grant,
        allowed: `a stage grant: one of ${GRANTS.join(', ')}`,
      });
    }
    for (const statement of grantStatements(grant, input)) {
      if (!statements.some((s) => s.Sid !== undefined && s.Sid === statement.Sid)) statements.push(statement);
    }
  });
  return policyDocument([...statements, ...stageStatements(input)]);
}

/**
 * Build stage: push the image (and its SBOM) to the app's own repository, read its scan
 * findings for the vulnerability gate, write its logs and artifacts.
 */
export function buildBuildRolePolicy(input: BuildRolePolicyInput): IamPolicyDocument {
  return buildStageRolePolicy(STAGE_ROLE_GRANTS.build, input);
}

/**
 * Signing stage: `signer:SignPayload` with its own signing profile only (pinned to the profile
 * version when a version ARN is given, through the `signer:ProfileVersion` condition key that
 * SignPayload supports: https://docs.aws.amazon.com/signer/latest/developerguide/authen-apipermissions.html),
 * revocation checks for `notation verify`, and read/write of its repository, where the signature
 * is stored next to the image.
 */
export function buildSigningRolePolicy(input: SigningRolePolicyInput): IamPolicyDocument {
  assertArn(input.repositoryArn, 'ecrRepository', 'repositoryArn');
  return buildStageRolePolicy(STAGE_ROLE_GRANTS.signing, input);
}

/**
 * Deployment stage: find its cluster's endpoint (Kubernetes permissions come from the EKS access
 * entry scoped to the app's namespace, not from IAM), logs and artifacts.
 */
export function buildDeployRolePolicy(input: DeployRolePolicyInput): IamPolicyDocument {
  return buildStageRolePolicy(STAGE_ROLE_GRANTS.deployment, input);
}

/**
 * Verification stage: its cluster, read of the app's own repository and, when it re-runs
 * `notation verify`, revocation checks for the trusted profiles.
 */
export function buildVerificationRolePolicy(input: VerificationRolePolicyInput): IamPolicyDocument {
  assertArn(input.repositoryArn, 'ecrRepository', 'repositoryArn');
  return buildStageRolePolicy(
    input.trustedSigningProfileArns === undefined
      ? STAGE_ROLE_GRANTS.verification
      : [...STAGE_ROLE_GRANTS.verification, StageGrant.CheckRevocation],
    input,
  );
}

/**
 * The in-cluster Notation verifier (via IRSA): read images and signatures of the application
 * repositories, and check revocation of the trusted profiles. Under level `strict` a denied
 * revocation call denies admission, so this policy must keep pace with the trust policy.
 */
export function buildVerifierRolePolicy(input: VerifierRolePolicyInput): IamPolicyDocument {
  if (input.repositoryArns.length === 0) {
    throw new PolicyInputError({
      path: 'repositoryArns',
      value: input.repositoryArns,
      allowed: 'the ARNs of the application repositories the verifier reads, at least one',
    });
  }
  input.repositoryArns.forEach((arn, i) => assertArn(arn, 'ecrRepository', `repositoryArns[${i}]`));
  return policyDocument([
    ecrLogin(),
    {
      Sid: 'ReadApplicationRepositories',
      Effect: 'Allow',
      Action: ECR_READ,
      Resource: [...new Set(input.repositoryArns)],
    },
    revocationStatement(input.trustedSigningProfileArns, 'trustedSigningProfileArns'),
  ]);
}

/**
 * Trust policy of an IRSA role: only the given Kubernetes service account, through the
 * cluster's OIDC provider, with the STS audience
 * (https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html).
 */
export function buildIrsaTrustPolicy(input: IrsaTrustPolicyInput): IamTrustPolicyDocument {
  assertArn(input.oidcProviderArn, 'oidcProvider', 'oidcProviderArn');
  const namespace = assertDnsLabel(input.namespace, 'namespace');
  const serviceAccount = assertDnsSubdomain(input.serviceAccount, 'serviceAccount');
  const issuer = input.oidcProviderArn.slice(
    input.oidcProviderArn.indexOf(':oidc-provider/') + ':oidc-provider/'.length,
  );
  return {
    Version: IAM_POLICY_VERSION,
    Statement: [
      {
        Sid: 'AssumeFromServiceAccount',
        Effect: 'Allow',
        Principal: { Federated: input.oidcProviderArn },
        Action: ['sts:AssumeRoleWithWebIdentity'],
        Condition: {
          StringEquals: {
            [`${issuer}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`,
            [`${issuer}:aud`]: 'sts.amazonaws.com',
          },
        },
      },
    ],
  };
}
