import { assertArn, assertResourceArn } from '../arn.js';
import { PolicyInputError } from '../errors.js';
import { policyDocument, type IamPolicyDocument, type IamStatement } from './document.js';
import { connectionService } from './pipeline.js';

/**
 * Request keys of `codebuild:StartBuild` that carry an override of the project
 * (https://docs.aws.amazon.com/codebuild/latest/userguide/action-context-keys.html): a buildspec,
 * another source or its credentials, secondary sources, an image, privileged mode, environment
 * variables, registry credentials, another service role, logs or key. A caller that may start the
 * deployer chooses the commit (`--source-version`) and none of these.
 */
export const DEPLOYER_OVERRIDE_KEYS = [
  'codebuild:source.buildspec',
  'codebuild:source.location',
  'codebuild:source.auth.resource',
  'codebuild:secondarySources',
  'codebuild:environment.image',
  'codebuild:environment.privilegedMode',
  'codebuild:environment.environmentVariables.name',
  'codebuild:environment.registryCredential.credential',
  'codebuild:serviceRole',
  'codebuild:logsConfig',
  'codebuild:encryptionKey',
] as const;

/**
 * What a caller of the deployer (the GitHub deploy role) gets: start a build of the one project and
 * read its builds, and a Deny of every start that carries an override. IAM's `Null` operator with
 * `false` matches when the request carries the key; one Deny statement per key, since the keys of
 * one condition block must all match.
 */
export function buildStartDeployerPolicy(projectArn: string): IamPolicyDocument {
  assertArn(projectArn, 'codebuildProject', 'projectArn');
  return policyDocument([
    {
      Sid: 'StartDeployer',
      Effect: 'Allow',
      Action: ['codebuild:BatchGetBuilds', 'codebuild:StartBuild'],
      Resource: [projectArn],
    },
    ...DEPLOYER_OVERRIDE_KEYS.map((key, i): IamStatement => ({
      Sid: `NoOverride${i}`,
      Effect: 'Deny',
      Action: ['codebuild:StartBuild'],
      Resource: [projectArn],
      Condition: { Null: { [key]: 'false' } },
    })),
  ]);
}

/** Input of {@link buildDeployerRolePolicy}. */
export interface DeployerRolePolicyInput {
  /** The deployer's own CodeBuild project. */
  readonly projectArn: string;
  /** The deployer role itself (it may not change itself). */
  readonly roleArn: string;
  /** The project's log group. */
  readonly logGroupArn: string;
  /** Secrets Manager secret holding the Pulumi deploy token. */
  readonly pulumiTokenSecretArn: string;
  /** The CodeConnections connection the source (and `git fetch`) goes through. */
  readonly connectionArn: string;
}

/** What the deployer never does, whatever the stacks it runs ask: sign, push or delete images. */
const NEVER = {
  signer: [
    'signer:AddProfilePermission',
    'signer:CancelSigningProfile',
    'signer:PutSigningProfile',
    'signer:RemoveProfilePermission',
    'signer:RevokeSignature',
    'signer:RevokeSigningProfile',
    'signer:SignPayload',
    'signer:StartSigningJob',
  ],
  ecr: [
    'ecr:BatchDeleteImage',
    'ecr:CompleteLayerUpload',
    'ecr:DeleteRepositoryPolicy',
    'ecr:InitiateLayerUpload',
    'ecr:PutImage',
    'ecr:SetRepositoryPolicy',
    'ecr:UploadLayerPart',
  ],
};

/**
 * The deployer's inline policy, next to the AWS managed `AdministratorAccess` it also carries (it
 * runs `pulumi up` of the eks and signing-pipeline stacks, which create IAM roles, KMS keys, the
 * cluster and every pipeline resource: no narrower policy covers that). The explicit Denies bound
 * it: it never signs (AWS Signer), never pushes or deletes images or changes repository policies
 * (ECR: the pipeline's and the ecr stack's), and never changes its own project or role, so a
 * deployed program cannot widen the deployer. The Allows are what its build itself needs: its log
 * streams, the Pulumi token, the source connection.
 */
export function buildDeployerRolePolicy(input: DeployerRolePolicyInput): IamPolicyDocument {
  assertArn(input.projectArn, 'codebuildProject', 'projectArn');
  assertArn(input.logGroupArn, 'logGroup', 'logGroupArn');
  assertResourceArn(input.pulumiTokenSecretArn, 'pulumiTokenSecretArn');
  if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(input.roleArn)) {
    throw new PolicyInputError({ path: 'roleArn', value: input.roleArn, allowed: 'an IAM role ARN' });
  }
  const service = connectionService(input.connectionArn);
  return policyDocument([
    { Sid: 'NeverSign', Effect: 'Deny', Action: NEVER.signer, Resource: ['*'] },
    { Sid: 'NeverPushOrDeleteImages', Effect: 'Deny', Action: NEVER.ecr, Resource: ['*'] },
    {
      Sid: 'NeverChangeItsOwnProject',
      Effect: 'Deny',
      Action: [
        'codebuild:CreateWebhook',
        'codebuild:DeleteProject',
        'codebuild:StartBuild',
        'codebuild:UpdateProject',
        'codebuild:UpdateWebhook',
      ],
      Resource: [input.projectArn],
    },
    {
      Sid: 'NeverChangeItsOwnRole',
      Effect: 'Deny',
      Action: [
        'iam:AttachRolePolicy',
        'iam:DeleteRole',
        'iam:DeleteRolePermissionsBoundary',
        'iam:DeleteRolePolicy',
        'iam:DetachRolePolicy',
        'iam:PutRolePermissionsBoundary',
        'iam:PutRolePolicy',
        'iam:UpdateAssumeRolePolicy',
      ],
      Resource: [input.roleArn],
    },
    {
      Sid: 'WriteOwnLogs',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: [`${input.logGroupArn}:log-stream:*`],
    },
    {
      Sid: 'ReadPulumiToken',
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue'],
      Resource: [input.pulumiTokenSecretArn],
    },
    {
      Sid: 'UseSourceConnection',
      Effect: 'Allow',
      Action: [`${service}:GetConnectionToken`, `${service}:UseConnection`],
      Resource: [input.connectionArn],
    },
  ]);
}
