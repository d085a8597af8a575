import {
  assertAccountId,
  assertArn,
  assertAwsPartition,
  assertRegion,
  assertResourceArn,
  type ArnParts,
} from '../arn.js';
import { PolicyInputError, quote } from '../errors.js';
import { CLOUDWATCH_LOGS_KEY_ACTIONS } from '../kms/key-policy.js';
import { artifactStatements, type ArtifactStoreInput } from './artifacts.js';
import { logsServicePrincipal, ServicePrincipal, sourceConditions } from './scope.js';
import {
  promotionRequestBucketStatement,
  promotionRequestWriterStatements,
  type PromotionRequestGrantInput,
  type PromotionRequestWriterInput,
} from './promotion.js';
import {
  IAM_POLICY_VERSION,
  policyDocument,
  resourcePolicyDocument,
  type IamPolicyDocument,
  type IamResourcePolicyDocument,
  type IamStatement,
  type IamTrustPolicyDocument,
  type KmsKeyServiceGrant,
} from './document.js';

/** Where a pipeline's source comes from. */
export const SourceKind = {
  /** An AWS CodeCommit repository created per app, as in the AWS blog post. */
  CodeCommit: 'codecommit',
  /** A GitHub, GitLab or Bitbucket repository reached through an AWS CodeConnections connection. */
  CodeConnections: 'codeconnections',
  /**
   * A promoting environment's pipeline has no source repository: its source is the promotion request
   * (`promotion/<app>.zip`) in its own artifact bucket, which `signet promote` writes. The artifact
   * grants already cover it; no source grant is added.
   */
  PromotionRequest: 'promotion-request',
} as const;
export type SourceKind = (typeof SourceKind)[keyof typeof SourceKind];

/** The source resource the pipeline role may read: a CodeCommit repository or a connection. */
export type SourceAccess =
  | { readonly kind: typeof SourceKind.CodeCommit; readonly repositoryArn: string }
  | { readonly kind: typeof SourceKind.CodeConnections; readonly connectionArn: string }
  | { readonly kind: typeof SourceKind.PromotionRequest };

/** The IAM service prefixes of a connection: CodeConnections, or its former name CodeStar Connections. */
export type ConnectionService = 'codeconnections' | 'codestar-connections';

const CONNECTION_ARN =
  /^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection\/[0-9a-f-]{36}$/;
const CONNECTION_SHAPE = 'arn:<partition>:codeconnections:<region>:<account>:connection/<uuid>';

/**
 * The IAM service prefix of a connection ARN: `codeconnections`, or `codestar-connections` for a
 * connection created under the former name. The `UseConnection` action takes the ARN's prefix.
 * https://docs.aws.amazon.com/dtconsole/latest/userguide/rename.html
 */
export function connectionService(connectionArn: string, field = 'connectionArn'): ConnectionService {
  const match = CONNECTION_ARN.exec(connectionArn);
  if (!match) {
    throw new PolicyInputError({
      path: field,
      value: connectionArn,
      allowed: `a CodeConnections connection ARN ${CONNECTION_SHAPE} (or of the older codestar-connections service)`,
    });
  }
  return match[1] as ConnectionService;
}

const SERVICE_PRINCIPAL = /^[a-z0-9-]+(?:\.[a-z0-9-]+)*\.amazonaws\.com$/;

/** Input of {@link buildServiceRoleTrustPolicy}. */
export interface ServiceRoleTrustPolicyInput {
  /** The service principal that assumes the role, e.g. `codebuild.amazonaws.com`. */
  readonly service: string;
  /** The account of the role and of the resource. */
  readonly accountId: string;
  /** The one resource the service acts for (the CodeBuild project, the pipeline, the rule). */
  readonly sourceArn: string;
}

/**
 * Trust policy of a role that one AWS service assumes on behalf of one resource only: the
 * `aws:SourceAccount` and `aws:SourceArn` conditions stop another account's (or another
 * project's) use of the role (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html).
 */
export function buildServiceRoleTrustPolicy(input: ServiceRoleTrustPolicyInput): IamTrustPolicyDocument {
  if (!SERVICE_PRINCIPAL.test(input.service)) {
    throw new PolicyInputError({
      path: 'service',
      value: input.service,
      allowed: 'a service principal <service>.amazonaws.com',
    });
  }
  assertAccountId(input.accountId, 'accountId');
  assertSameAccount(
    input.sourceArn,
    assertResourceArn(input.sourceArn, 'sourceArn'),
    input.accountId,
    'sourceArn',
  );
  return {
    Version: IAM_POLICY_VERSION,
    Statement: [
      {
        Sid: 'AssumeForOwnResource',
        Effect: 'Allow',
        Principal: { Service: input.service },
        Action: ['sts:AssumeRole'],
        Condition: sourceConditions(input.accountId, input.sourceArn),
      },
    ],
  };
}

/** Throws unless the ARN is of the given account: a role or topic trusts only its own account's resources. */
function assertSameAccount(arn: string, parts: ArnParts, accountId: string, field: string): void {
  if (parts.account !== accountId) {
    throw new PolicyInputError({
      path: field,
      value: arn,
      allowed: `the ARN of a resource of account ${quote(accountId)} (accountId), not of ${quote(parts.account)}`,
    });
  }
}

/** Input of {@link buildPipelineRolePolicy}. */
export interface PipelineRolePolicyInput extends ArtifactStoreInput {
  /** The pipeline's own CodeBuild projects, the only ones it may start. */
  readonly projectArns: readonly string[];
  readonly source: SourceAccess;
  /** Where the environment is promoted from: the next environment's promotion request it writes. */
  readonly promotionRequest?: PromotionRequestWriterInput;
}

/** What the CodeCommit source action does with the repository. */
const CODECOMMIT_SOURCE_ACTIONS = [
  'codecommit:CancelUploadArchive',
  'codecommit:GetBranch',
  'codecommit:GetCommit',
  'codecommit:GetRepository',
  'codecommit:GetUploadArchiveStatus',
  'codecommit:UploadArchive',
];

function sourceStatements(source: SourceAccess): IamStatement[] {
  if (source.kind === SourceKind.PromotionRequest) return [];
  return [sourceStatement(source)];
}

function sourceStatement(source: Exclude<SourceAccess, { kind: 'promotion-request' }>): IamStatement {
  if (source.kind === SourceKind.CodeCommit) {
    assertArn(source.repositoryArn, 'codecommitRepository', 'source.repositoryArn');
    return {
      Sid: 'ReadOwnSource',
      Effect: 'Allow',
      Action: [...CODECOMMIT_SOURCE_ACTIONS],
      Resource: [source.repositoryArn],
    };
  }
  const service = connectionService(source.connectionArn, 'source.connectionArn');
  return {
    Sid: 'ReadOwnSource',
    Effect: 'Allow',
    Action: [`${service}:UseConnection`],
    Resource: [source.connectionArn],
  };
}

/**
 * The CodePipeline service role: its artifact bucket and key, start and watch its own CodeBuild
 * projects, read its own source. Nothing else (the AWS-generated default role allows `*`).
 * https://docs.aws.amazon.com/codepipeline/latest/userguide/security-iam.html#how-to-custom-role
 */
export function buildPipelineRolePolicy(input: PipelineRolePolicyInput): IamPolicyDocument {
  if (input.projectArns.length === 0) {
    throw new PolicyInputError({
      path: 'projectArns',
      value: input.projectArns,
      allowed: "the pipeline's own CodeBuild project ARNs, at least one",
    });
  }
  input.projectArns.forEach((arn, i) => assertArn(arn, 'codebuildProject', `projectArns[${i}]`));
  const artifacts = artifactStatements(input, ['s3:GetBucketVersioning']);
  return policyDocument([
    ...artifacts,
    {
      Sid: 'RunOwnStages',
      Effect: 'Allow',
      Action: ['codebuild:BatchGetBuilds', 'codebuild:StartBuild'],
      Resource: [...input.projectArns],
    },
    ...sourceStatements(input.source),
    ...(input.promotionRequest === undefined ? [] : promotionRequestWriterStatements(input.promotionRequest)),
  ]);
}

/** Input of {@link buildCodeBuildVpcPolicy}. */
export interface CodeBuildVpcPolicyInput {
  readonly accountId: string;
  readonly partition: string;
  readonly region: string;
  /** The subnets the VPC builds run in: the only ones their network interfaces may be attached in. */
  readonly subnetIds: readonly string[];
}

const SUBNET_ID = /^subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

/**
 * What CodeBuild needs to attach a build to the VPC (the stages that reach the private EKS
 * endpoint), after CodeBuild's documented VPC policy, with every action that has a resource type
 * scoped to it (the Service Authorization Reference:
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html#amazonec2-actions-as-permissions):
 * - `ec2:CreateNetworkInterface` acts on the new network interface, on the subnet (both required)
 *   and on the security groups the build names: network interfaces of the account and region, the
 *   given subnets only, and the account's security groups in the region (EC2 accepts only groups of
 *   the subnet's VPC, which the subnets pin).
 * - `ec2:DeleteNetworkInterface` acts on the network interface: those of the account and region in
 *   the given subnets only (`ec2:Subnet`, a condition key of the network-interface resource type).
 * - `ec2:CreateNetworkInterfacePermission`: CodeBuild only, in the given subnets.
 * - The `Describe*` calls have no resource type, so they are granted on `*`
 *   (`RESOURCE_WILDCARD_ACTIONS`).
 * https://docs.aws.amazon.com/codebuild/latest/userguide/auth-and-access-control-iam-identity-based-access-control.html#customer-managed-policies-example-create-vpc-network-interface
 */
export function buildCodeBuildVpcPolicy(input: CodeBuildVpcPolicyInput): IamPolicyDocument {
  assertAccountId(input.accountId, 'accountId');
  const partition = assertAwsPartition(input.partition, 'partition');
  assertRegion(input.region, 'region');
  if (input.subnetIds.length === 0) {
    throw new PolicyInputError({
      path: 'subnetIds',
      value: input.subnetIds,
      allowed: 'the ids of the subnets the VPC builds run in, at least one',
    });
  }
  input.subnetIds.forEach((id, i) => {
    if (!SUBNET_ID.test(id)) {
      throw new PolicyInputError({
        path: `subnetIds[${i}]`,
        value: id,
        allowed: 'a subnet id: subnet- and 8 or 17 hexadecimal digits',
      });
    }
  });
  const arnPrefix = `arn:${partition}:ec2:${input.region}:${input.accountId}`;
  const networkInterfaces = `${arnPrefix}:network-interface/*`;
  const subnetArns = input.subnetIds.map((id) => `${arnPrefix}:subnet/${id}`);
  const inOwnSubnets = { ArnEquals: { 'ec2:Subnet': subnetArns } };
  return policyDocument([
    {
      Sid: 'CreateBuildNetworkInterfaces',
      Effect: 'Allow',
      Action: ['ec2:CreateNetworkInterface'],
      Resource: [networkInterfaces, ...subnetArns, `${arnPrefix}:security-group/*`],
    },
    {
      Sid: 'DeleteBuildNetworkInterfaces',
      Effect: 'Allow',
      Action: ['ec2:DeleteNetworkInterface'],
      Resource: [networkInterfaces],
      Condition: inOwnSubnets,
    },
    {
      Sid: 'DescribeBuildNetwork',
      Effect: 'Allow',
      Action: [
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
      Resource: [networkInterfaces],
      Condition: {
        StringEquals: { 'ec2:AuthorizedService': ServicePrincipal.CodeBuild },
        ...inOwnSubnets,
      },
    },
  ]);
}

/**
 * Lets EventBridge start one pipeline (the CodeCommit trigger).
 * https://docs.aws.amazon.com/codepipeline/latest/userguide/pipelines-trigger-source-repo-changes-cli.html
 */
export function buildStartPipelinePolicy(pipelineArn: string): IamPolicyDocument {
  assertArn(pipelineArn, 'codepipeline', 'pipelineArn');
  return policyDocument([
    {
      Sid: 'StartOwnPipeline',
      Effect: 'Allow',
      Action: ['codepipeline:StartPipelineExecution'],
      Resource: [pipelineArn],
    },
  ]);
}

/**
 * Bucket policy of the artifact bucket: refuse every request not made over TLS. (Objects are
 * encrypted by the bucket's default encryption with the customer-managed key.)
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html#transit
 */
export function buildArtifactBucketPolicy(input: {
  readonly bucketArn: string;
  /**
   * Where the environment promotes: the previous environment's writer of the promotion request, and
   * the bucket's key, the only one the request may be encrypted with.
   */
  readonly promotionRequest?: Omit<PromotionRequestGrantInput, 'bucketArn'> & { readonly kmsKeyArn: string };
}): IamResourcePolicyDocument {
  assertArn(input.bucketArn, 's3Bucket', 'bucketArn');
  return resourcePolicyDocument([
    ...(input.promotionRequest === undefined
      ? []
      : [promotionRequestBucketStatement({ ...input.promotionRequest, bucketArn: input.bucketArn })]),
    {
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 's3:*',
      Resource: [input.bucketArn, `${input.bucketArn}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
  ]);
}

/** Input of {@link buildNotificationTopicPolicy}. */
export interface NotificationTopicPolicyInput {
  readonly topicArn: string;
  /** The account whose notification rules may publish: the topic's own. */
  readonly accountId: string;
}

/**
 * Topic policy: only CodeStar Notifications may publish, and only for this account's rules.
 * https://docs.aws.amazon.com/dtconsole/latest/userguide/notification-target-create.html
 */
export function buildNotificationTopicPolicy(input: NotificationTopicPolicyInput): IamResourcePolicyDocument {
  assertAccountId(input.accountId, 'accountId');
  assertSameAccount(
    input.topicArn,
    assertArn(input.topicArn, 'snsTopic', 'topicArn'),
    input.accountId,
    'topicArn',
  );
  return resourcePolicyDocument([
    {
      Sid: 'CodeStarNotificationsPublish',
      Effect: 'Allow',
      Principal: { Service: ServicePrincipal.CodeStarNotifications },
      Action: 'sns:Publish',
      Resource: input.topicArn,
      Condition: { StringEquals: { 'aws:SourceAccount': input.accountId } },
    },
  ]);
}

/** Input of {@link pipelineLogsKeyGrant}. */
export interface PipelineLogsKeyGrantInput {
  readonly accountId: string;
  readonly partition: string;
  readonly region: string;
  /** Name prefix of the log groups the key may encrypt (the app's stage log groups). */
  readonly logGroupPrefix: string;
}

const LOG_GROUP_PREFIX = /^[\w\-./#]{1,511}$/;

/**
 * Lets CloudWatch Logs encrypt the log groups under one prefix (the app's stage log groups). The
 * encryption context key is of type String in the Service Authorization Reference, hence
 * `StringLike` (AWS's page writes `ArnLike`; for an ARN value both match the same log groups).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
 */
export function pipelineLogsKeyGrant(input: PipelineLogsKeyGrantInput): KmsKeyServiceGrant {
  assertAccountId(input.accountId, 'accountId');
  const partition = assertAwsPartition(input.partition, 'partition');
  assertRegion(input.region, 'region');
  if (!LOG_GROUP_PREFIX.test(input.logGroupPrefix)) {
    throw new PolicyInputError({
      path: 'logGroupPrefix',
      value: input.logGroupPrefix,
      allowed: 'a log group name prefix of 1 to 511 characters of [A-Za-z0-9_./#-]',
    });
  }
  return {
    sid: 'CloudWatchLogsEncryptsStageLogGroups',
    service: logsServicePrincipal(input.region),
    actions: [...CLOUDWATCH_LOGS_KEY_ACTIONS],
    condition: {
      StringLike: {
        'kms:EncryptionContext:aws:logs:arn': `arn:${partition}:logs:${input.region}:${input.accountId}:log-group:${input.logGroupPrefix}*`,
      },
    },
  };
}

/**
 * Lets AWS CodeStar Notifications publish to the KMS-encrypted topic, through SNS only.
 * https://docs.aws.amazon.com/dtconsole/latest/userguide/set-up-sns.html
 */
export function notificationsKeyGrant(input: { readonly region: string }): KmsKeyServiceGrant {
  assertRegion(input.region, 'region');
  return {
    sid: 'CodeStarNotificationsPublishesThroughSns',
    service: ServicePrincipal.CodeStarNotifications,
    actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    condition: { StringEquals: { 'kms:ViaService': `sns.${input.region}.amazonaws.com` } },
  };
}
