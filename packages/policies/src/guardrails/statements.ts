import {
  approverRoleName,
  deployerRoleName,
  environmentNamePattern,
  githubDeployRoleName,
  physicalName,
  type Environment,
} from '@signet/core';
import { assertAwsPartition } from '../arn.js';
import { PolicyInputError } from '../errors.js';
import type { IamCondition, IamStatement } from '../iam/document.js';
import { roleArn } from '../iam/principal.js';

/** What a guardrail document is built for: one environment, in one account or in every account of an OU. */
export interface GuardrailInput {
  readonly environment: Environment;
  /** AWS partition. Default `aws`. */
  readonly partition?: string;
  /**
   * The account the environment runs in, or `*` for an SCP attached to an OU whose accounts
   * each run it (the roles are then exempt by name in any of them). Default `*`.
   */
  readonly accountId?: string;
  /** The CodePipeline roles of the environment's apps (`pipelineRoleName`): they alone start stage builds. */
  readonly pipelineRoleNames: readonly string[];
  /** The signing stage roles of the environment's apps (`signerRoleNames` of @signet/platform): they alone sign. */
  readonly signerRoleNames: readonly string[];
}

/** The CodeBuild actions that run a build of a project. */
export const BUILD_START_ACTIONS = [
  'codebuild:RetryBuild',
  'codebuild:RetryBuildBatch',
  'codebuild:StartBuild',
  'codebuild:StartBuildBatch',
] as const;

/** The CodeBuild actions that create, change or remove a project (delete and re-create is a change too). */
export const PROJECT_CHANGE_ACTIONS = [
  'codebuild:CreateProject',
  'codebuild:DeleteProject',
  'codebuild:UpdateProject',
  'codebuild:UpdateProjectVisibility',
] as const;

/** AWS Signer actions that make a signature with a profile. */
export const SIGNING_ACTIONS = ['signer:SignPayload', 'signer:StartSigningJob'] as const;

/** AWS Signer actions that change who may use a profile, or end it. */
export const PROFILE_CHANGE_ACTIONS = [
  'signer:AddProfilePermission',
  'signer:CancelSigningProfile',
  'signer:RemoveProfilePermission',
] as const;

/** CodePipeline actions that change a pipeline's definition. */
export const PIPELINE_CHANGE_ACTIONS = [
  'codepipeline:CreatePipeline',
  'codepipeline:DeletePipeline',
  'codepipeline:UpdatePipeline',
] as const;

const ACCOUNT = /^(\d{12}|\*)$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/** The guardrail statements of an environment, shared by the SCP and the permissions boundary. */
export function guardrailStatements(input: GuardrailInput): IamStatement[] {
  const partition = assertAwsPartition(input.partition ?? 'aws', 'partition');
  const account = input.accountId ?? '*';
  if (!ACCOUNT.test(account)) {
    throw new PolicyInputError({ path: 'accountId', value: account, allowed: 'a 12-digit account id, or *' });
  }
  const roles = (names: readonly string[], field: string): string[] => {
    names.forEach((name, index) => {
      if (!ROLE_NAME.test(name)) {
        throw new PolicyInputError({
          path: `${field}[${index}]`,
          value: name,
          allowed: 'an IAM role name (letters, digits and +=,.@_-, at most 64), without wildcards',
        });
      }
    });
    return [...new Set(names)].sort().map((name) => roleArn(partition, account, name));
  };
  const pipelineRoles = roles(input.pipelineRoleNames, 'pipelineRoleNames');
  const signerRoles = roles(input.signerRoleNames, 'signerRoleNames');
  // Both identities that run `pulumi up`: the deployer project's role in the VPC and the GitHub
  // deploy role that runs the other stacks and starts the deployer (docs/deploy.md).
  const deployer = roles(
    [deployerRoleName(input.environment), githubDeployRoleName(input.environment)],
    'deployer',
  );
  const githubDeploy = roles([githubDeployRoleName(input.environment)], 'deployer');
  const approver = roles([approverRoleName(input.environment)], 'approver');

  // Every resource of the environment, apps added later included: `signet-<env>-*`, `signet_<env>_*`.
  const physical = environmentNamePattern(input.environment, 'physical');
  const projects = [`arn:${partition}:codebuild:*:${account}:project/${physical}`];
  const deployerProject = [
    `arn:${partition}:codebuild:*:${account}:project/${physicalName(input.environment, 'deployer')}`,
  ];
  const profiles = [
    `arn:${partition}:signer:*:${account}:/signing-profiles/${environmentNamePattern(input.environment, 'profile')}`,
  ];
  // A pipeline, and its stages' actions (`<pipeline>/<stage>/<action>`, PutApprovalResult's resource).
  const pipelines = [`arn:${partition}:codepipeline:*:${account}:${physical}`];

  const unless = (principals: readonly string[]): IamCondition => ({
    ArnNotLike: { 'aws:PrincipalArn': [...principals] },
  });
  const deny = (
    Sid: string,
    Action: readonly string[],
    Resource: readonly string[],
    Condition: IamCondition,
  ): IamStatement => ({ Sid, Effect: 'Deny', Action: [...Action], Resource: [...Resource], Condition });

  return [
    // A stage runs only when its pipeline starts it; anyone else's build, retry included, is refused.
    // The GitHub deploy role is exempt for the deployer project, the one build it starts; it may
    // change every project of the environment anyway (DenyProjectChangesButDeployer exempts it), so
    // the exemption gives it nothing it could not already take.
    deny(
      'DenyBuildsButPipelines',
      BUILD_START_ACTIONS,
      projects,
      unless([...pipelineRoles, ...githubDeploy].sort()),
    ),
    // The deployer, which runs `pulumi up` with wide rights, only by the GitHub deploy role.
    deny('DenyDeployerBuildsButDeployRole', BUILD_START_ACTIONS, deployerProject, unless(githubDeploy)),
    // No build replaces its buildspec, not even the pipeline's (a CodePipeline action has no
    // buildspec setting): the key tells only whether the request overrides it
    // (https://docs.aws.amazon.com/codebuild/latest/userguide/action-context-keys.html).
    deny('DenyBuildspecOverride', ['codebuild:StartBuild', 'codebuild:StartBuildBatch'], projects, {
      Null: { 'codebuild:source.buildspec': 'false' },
    }),
    // CODEBUILD_INITIATOR and CodeBuild's other variables are never overridden.
    deny('DenyCodeBuildVariableOverride', ['codebuild:StartBuild', 'codebuild:StartBuildBatch'], projects, {
      'ForAnyValue:StringLike': { 'codebuild:environment.environmentVariables.name': 'CODEBUILD_*' },
    }),
    deny('DenyProjectChangesButDeployer', PROJECT_CHANGE_ACTIONS, projects, unless(deployer)),
    deny('DenySigningButSigners', SIGNING_ACTIONS, profiles, unless(signerRoles)),
    deny('DenyProfileChangesButDeployer', PROFILE_CHANGE_ACTIONS, profiles, unless(deployer)),
    // PutSigningProfile names no resource (it has no resource type in the Service Authorization
    // Reference), so this Deny covers every profile name of the account, not only Signet's.
    deny('DenyNewProfilesButDeployer', ['signer:PutSigningProfile'], ['*'], unless(deployer)),
    deny('DenyPipelineChangesButDeployer', PIPELINE_CHANGE_ACTIONS, pipelines, unless(deployer)),
    deny('DenyApprovalButApprover', ['codepipeline:PutApprovalResult'], pipelines, unless(approver)),
  ];
}
