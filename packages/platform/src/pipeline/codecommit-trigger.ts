import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { buildServiceRoleTrustPolicy, buildStartPipelinePolicy, ServicePrincipal } from '@signet/policies';
import type { Environment } from '../environment.js';
import { physicalName } from '../naming.js';
import { promotionRequestKey } from './stages.js';

/** What every EventBridge rule that starts a pipeline needs. */
interface PipelineStartArgs {
  readonly environment: Environment;
  readonly region: string;
  readonly app: string;
  readonly pipelineArn: pulumi.Output<string>;
  readonly pipelineName: string;
  readonly accountId: pulumi.Input<string>;
  readonly partition: pulumi.Input<string>;
}

/** Arguments of {@link createCodeCommitTrigger}. */
export interface CodeCommitTriggerArgs extends PipelineStartArgs {
  /** The branch whose pushes start the pipeline. */
  readonly branch: string;
  readonly repositoryArn: pulumi.Output<string>;
}

/**
 * An EventBridge rule `signet-<env>-<app>-source` whose events start the pipeline, through a role
 * `signet-<env>-<app>-start` that may start this one pipeline only and that EventBridge assumes for
 * this rule only. A pipeline has one source, so one such rule.
 */
function createPipelineStartRule(
  name: string,
  args: PipelineStartArgs & { readonly description: string; readonly eventPattern: pulumi.Input<string> },
  parent: pulumi.Resource,
): void {
  const { environment, region } = args;
  const child = { parent };
  const ruleName = physicalName(environment, `${args.app}-source`);
  const rule = new aws.cloudwatch.EventRule(
    `${name}-source-changed`,
    { name: ruleName, description: args.description, eventPattern: args.eventPattern },
    child,
  );
  const eventsRole = new aws.iam.Role(
    `${name}-source-events-role`,
    {
      name: physicalName(environment, `${args.app}-start`),
      assumeRolePolicy: pulumi.all([args.accountId, args.partition]).apply(([id, part]) =>
        JSON.stringify(
          buildServiceRoleTrustPolicy({
            service: ServicePrincipal.Events,
            accountId: id,
            sourceArn: `arn:${part}:events:${region}:${id}:rule/${ruleName}`,
          }),
        ),
      ),
    },
    child,
  );
  new aws.iam.RolePolicy(
    `${name}-source-events-policy`,
    {
      role: eventsRole.id,
      policy: args.pipelineArn.apply((arn) => JSON.stringify(buildStartPipelinePolicy(arn))),
    },
    child,
  );
  new aws.cloudwatch.EventTarget(
    `${name}-source-target`,
    { rule: rule.name, arn: args.pipelineArn, roleArn: eventsRole.arn },
    child,
  );
}

/** CodeCommit has no V2 trigger: an EventBridge rule on the branch starts the pipeline. */
export function createCodeCommitTrigger(
  name: string,
  args: CodeCommitTriggerArgs,
  parent: pulumi.Resource,
): void {
  createPipelineStartRule(
    name,
    {
      ...args,
      description: `Start ${args.pipelineName} on a push to ${args.branch}`,
      eventPattern: args.repositoryArn.apply((arn) =>
        JSON.stringify({
          source: ['aws.codecommit'],
          'detail-type': ['CodeCommit Repository State Change'],
          resources: [arn],
          detail: {
            event: ['referenceCreated', 'referenceUpdated'],
            referenceType: ['branch'],
            referenceName: [args.branch],
          },
        }),
      ),
    },
    parent,
  );
}

/** Arguments of {@link createPromotionRequestTrigger}. */
export interface PromotionRequestTriggerArgs extends PipelineStartArgs {
  /** The pipeline's artifact bucket, which sends its events to EventBridge. */
  readonly bucketName: pulumi.Input<string>;
}

/**
 * The S3 source action reads the promotion request without polling (`PollForSourceChanges:
 * false`), so an EventBridge rule starts the pipeline: S3's own "Object Created" event for exactly
 * `promotion/<app>.zip` of the artifact bucket (the bucket sends its events to EventBridge; no
 * CloudTrail trail is needed). Whoever writes the request, `signet promote` or the previous
 * environment's pipeline, starts the pipeline by writing it, and only they may write it.
 * https://docs.aws.amazon.com/codepipeline/latest/userguide/update-change-detection.html
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html
 */
export function createPromotionRequestTrigger(
  name: string,
  args: PromotionRequestTriggerArgs,
  parent: pulumi.Resource,
): void {
  const key = promotionRequestKey(args.app);
  createPipelineStartRule(
    name,
    {
      ...args,
      description: `Start ${args.pipelineName} when its promotion request ${key} is written`,
      eventPattern: pulumi.output(args.bucketName).apply((bucket) =>
        JSON.stringify({
          source: ['aws.s3'],
          'detail-type': ['Object Created'],
          detail: { bucket: { name: [bucket] }, object: { key: [key] } },
        }),
      ),
    },
    parent,
  );
}
