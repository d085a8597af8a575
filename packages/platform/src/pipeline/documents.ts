import {
  buildTrustPolicy,
  renderTrustPolicyJson,
  VerificationLevel,
  type IamPolicyDocument,
  type IamStatement,
  type IamTrustPolicyDocument,
} from '@signet/policies';
import {
  assertAccountScope,
  type AccountScope,
  type PolicyDocument,
  type ResourcePolicyStatement,
} from '../iam.js';
import type { KmsServiceGrant } from '../kms/key-policy.js';

/** Where a pipeline's source comes from. */
export const SourceKind = {
  /** An AWS CodeCommit repository created per app, as in the AWS blog post. */
  CodeCommit: 'codecommit',
  /** A GitHub, GitLab or Bitbucket repository reached through an AWS CodeConnections connection. */
  CodeConnections: 'codeconnections',
} as const;
export type SourceKind = (typeof SourceKind)[keyof typeof SourceKind];

/** The source of an app's pipeline, as the stack config declares it. */
export type PipelineSource =
  | { readonly kind: typeof SourceKind.CodeCommit; readonly branch: string }
  | {
      readonly kind: typeof SourceKind.CodeConnections;
      /** `arn:aws:codeconnections:…:connection/<id>` (or the older `codestar-connections` form). */
      readonly connectionArn: string;
      /** Full repository id, `owner/name` (GitLab: `group/subgroup/name`). */
      readonly repository: string;
      readonly branch: string;
    };

/** The source resource the pipeline role may read: a CodeCommit repository or a connection. */
export type SourceAccess =
  | { readonly kind: typeof SourceKind.CodeCommit; readonly repositoryArn: string }
  | { readonly kind: typeof SourceKind.CodeConnections; readonly connectionArn: string };

const CONNECTION_ARN =
  /^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection\/[0-9a-f-]{36}$/;

/** The IAM service prefix of a connection ARN: `codeconnections` or `codestar-connections`. */
export function connectionService(connectionArn: string): 'codeconnections' | 'codestar-connections' {
  const match = CONNECTION_ARN.exec(connectionArn);
  if (!match) {
    throw new Error(
      `connectionArn has value "${connectionArn}"; allowed: a CodeConnections connection ARN (arn:aws:codeconnections:<region>:<account>:connection/<uuid>)`,
    );
  }
  return match[1] as 'codeconnections' | 'codestar-connections';
}

/**
 * Trust policy of a role that one AWS service assumes on behalf of one resource only: the
 * `aws:SourceAccount` and `aws:SourceArn` conditions stop another account's (or another
 * project's) use of the role (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html).
 */
export function buildServiceRoleTrustPolicy(input: {
  readonly service: string;
  readonly accountId: string;
  readonly sourceArn: string;
}): IamTrustPolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AssumeForOwnResource',
        Effect: 'Allow',
        Principal: { Service: input.service },
        Action: ['sts:AssumeRole'],
        Condition: {
          StringEquals: { 'aws:SourceAccount': input.accountId },
          ArnLike: { 'aws:SourceArn': input.sourceArn },
        },
      },
    ],
  };
}

/** Input of {@link buildPipelineRolePolicy}. */
export interface PipelineRolePolicyInput {
  readonly artifactBucketArn: string;
  readonly kmsKeyArn: string;
  /** The pipeline's own CodeBuild projects, the only ones it may start. */
  readonly projectArns: readonly string[];
  readonly source: SourceAccess;
}

/**
 * The CodePipeline service role: its artifact bucket and key, start and watch its own CodeBuild
 * projects, read its own source. Nothing else (the AWS-generated default role allows `*`).
 * https://docs.aws.amazon.com/codepipeline/latest/userguide/security-iam.html#how-to-custom-role
 */
export function buildPipelineRolePolicy(input: PipelineRolePolicyInput): IamPolicyDocument {
  if (input.projectArns.length === 0) throw new Error('pipeline role: projectArns is empty');
  const source: IamStatement =
    input.source.kind === SourceKind.CodeCommit
      ? {
          Sid: 'ReadOwnSource',
          Effect: 'Allow',
          Action: [
            'codecommit:CancelUploadArchive',
            'codecommit:GetBranch',
            'codecommit:GetCommit',
            'codecommit:GetRepository',
            'codecommit:GetUploadArchiveStatus',
            'codecommit:UploadArchive',
          ],
          Resource: [input.source.repositoryArn],
        }
      : {
          Sid: 'ReadOwnSource',
          Effect: 'Allow',
          Action: [`${connectionService(input.source.connectionArn)}:UseConnection`],
          Resource: [input.source.connectionArn],
        };
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ReadWriteArtifacts',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject'],
        Resource: [`${input.artifactBucketArn}/*`],
      },
      {
        Sid: 'LocateArtifactBucket',
        Effect: 'Allow',
        Action: ['s3:GetBucketAcl', 's3:GetBucketLocation', 's3:GetBucketVersioning'],
        Resource: [input.artifactBucketArn],
      },
      {
        Sid: 'UseArtifactKey',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: [input.kmsKeyArn],
      },
      {
        Sid: 'RunOwnStages',
        Effect: 'Allow',
        Action: ['codebuild:BatchGetBuilds', 'codebuild:StartBuild'],
        Resource: [...input.projectArns],
      },
      source,
    ],
  };
}

/**
 * What CodeBuild needs to attach a build to the VPC (the stages that reach the private EKS
 * endpoint). The `Describe*`, `CreateNetworkInterface` and `DeleteNetworkInterface` actions take no
 * resource-level scoping in CodeBuild's documented policy; the ENI permission is limited to
 * CodeBuild and the given subnets.
 * https://docs.aws.amazon.com/codebuild/latest/userguide/auth-and-access-control-iam-identity-based-access-control.html#customer-managed-policies-example-create-vpc-network-interface
 */
export function buildCodeBuildVpcPolicy(
  input: AccountScope & {
    readonly region: string;
    readonly subnetIds: readonly string[];
  },
): IamPolicyDocument {
  assertAccountScope(input);
  if (input.subnetIds.length === 0) throw new Error('CodeBuild VPC policy: subnetIds is empty');
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ManageBuildNetworkInterfaces',
        Effect: 'Allow',
        Action: [
          'ec2:CreateNetworkInterface',
          'ec2:DeleteNetworkInterface',
          'ec2:DescribeDhcpOptions',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeSecurityGroups',
          'ec2:DescribeSubnets',
          'ec2:DescribeVpcs',
        ],
        Resource: ['*'],
      },
      {
        Sid: 'AttachInOwnSubnets',
        Effect: 'Allow',
        Action: ['ec2:CreateNetworkInterfacePermission'],
        Resource: [`arn:${input.partition}:ec2:${input.region}:${input.accountId}:network-interface/*`],
        Condition: {
          StringEquals: { 'ec2:AuthorizedService': 'codebuild.amazonaws.com' },
          ArnEquals: {
            'ec2:Subnet': input.subnetIds.map(
              (id) => `arn:${input.partition}:ec2:${input.region}:${input.accountId}:subnet/${id}`,
            ),
          },
        },
      },
    ],
  };
}

/** Lets EventBridge start one pipeline (the CodeCommit trigger). */
export function buildStartPipelinePolicy(pipelineArn: string): IamPolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'StartOwnPipeline',
        Effect: 'Allow',
        Action: ['codepipeline:StartPipelineExecution'],
        Resource: [pipelineArn],
      },
    ],
  };
}

/**
 * Bucket policy of the artifact bucket: refuse every request not made over TLS. (Objects are
 * encrypted by the bucket's default encryption with the customer-managed key.)
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html#transit
 */
export function buildArtifactBucketPolicy(input: {
  readonly bucketArn: string;
}): PolicyDocument<ResourcePolicyStatement> {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 's3:*',
        Resource: [input.bucketArn, `${input.bucketArn}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ],
  };
}

/**
 * Lets CloudWatch Logs encrypt the log groups under one prefix (the app's stage log groups).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
 */
export function pipelineLogsKeyGrant(
  input: AccountScope & { readonly region: string; readonly logGroupPrefix: string },
): KmsServiceGrant {
  assertAccountScope(input);
  return {
    sid: 'CloudWatchLogsEncryptsStageLogGroups',
    service: `logs.${input.region}.amazonaws.com`,
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    condition: {
      ArnLike: {
        'kms:EncryptionContext:aws:logs:arn': `arn:${input.partition}:logs:${input.region}:${input.accountId}:log-group:${input.logGroupPrefix}*`,
      },
    },
  };
}

/**
 * Lets AWS CodeStar Notifications publish to the KMS-encrypted topic, through SNS only.
 * https://docs.aws.amazon.com/dtconsole/latest/userguide/set-up-sns.html
 */
export function notificationsKeyGrant(input: { readonly region: string }): KmsServiceGrant {
  return {
    sid: 'CodeStarNotificationsPublishesThroughSns',
    service: 'codestar-notifications.amazonaws.com',
    actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    condition: { StringEquals: { 'kms:ViaService': `sns.${input.region}.amazonaws.com` } },
  };
}

/**
 * Topic policy: only CodeStar Notifications may publish, and only for this account's rules.
 * https://docs.aws.amazon.com/dtconsole/latest/userguide/notification-target-create.html
 */
export function buildNotificationTopicPolicy(input: {
  readonly topicArn: string;
  readonly accountId: string;
}): PolicyDocument<ResourcePolicyStatement> {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'CodeStarNotificationsPublish',
        Effect: 'Allow',
        Principal: { Service: 'codestar-notifications.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: input.topicArn,
        Condition: { StringEquals: { 'aws:SourceAccount': input.accountId } },
      },
    ],
  };
}

/** Statement name of the trust policy; the same as the cluster's TrustPolicy resource. */
export const TRUST_POLICY_STATEMENT = 'signet-apps';

/**
 * The notation trust policy the ApplicationSigning stage verifies with: built by
 * `buildTrustPolicy` from the same inputs the eks stack gives the cluster (every repository URL
 * of the environment, every trusted signing profile, level strict), so a signature the pipeline
 * accepts is one the cluster admits.
 */
export function pipelineTrustPolicyJson(
  repositoryUrls: readonly string[],
  trustedIdentities: readonly string[],
): string {
  return renderTrustPolicyJson(
    buildTrustPolicy({
      statements: [
        {
          name: TRUST_POLICY_STATEMENT,
          registryScopes: [...repositoryUrls].sort(),
          trustedIdentities: [...trustedIdentities].sort(),
          level: VerificationLevel.Strict,
        },
      ],
    }),
  );
}

/**
 * An app's entry in an upstream stack's per-app output. A missing entry means the upstream stack
 * has not been updated since the app was added; the message says which one to update.
 */
export function requireAppEntry<T>(record: Readonly<Record<string, T>>, app: string, what: string): T {
  const value = record[app];
  if (value === undefined) {
    throw new Error(`${what} has no entry for app "${app}": run \`pulumi up\` on that stack first`);
  }
  return value;
}
