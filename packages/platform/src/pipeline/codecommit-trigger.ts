import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { buildServiceRoleTrustPolicy, buildStartPipelinePolicy, ServicePrincipal } from '@signet/policies';
import type { Environment } from '../environment.js';
import { physicalName } from '../naming.js';

/** Arguments of {@link createCodeCommitTrigger}. */
export interface CodeCommitTriggerArgs {
  readonly environment: Environment;
  readonly region: string;
  readonly app: string;
  /** The branch whose pushes start the pipeline. */
  readonly branch: string;
  readonly repositoryArn: pulumi.Output<string>;
  readonly pipelineArn: pulumi.Output<string>;
  readonly pipelineName: string;
  readonly accountId: pulumi.Input<string>;
  readonly partition: pulumi.Input<string>;
}

/**
 * CodeCommit has no V2 trigger: an EventBridge rule on the branch starts the pipeline, through a
 * role that may start this one pipeline only and that EventBridge assumes for this rule only.
 */
export function createCodeCommitTrigger(
  name: string,
  args: CodeCommitTriggerArgs,
  parent: pulumi.Resource,
): void {
  const { environment, region } = args;
  const child = { parent };
  const ruleName = physicalName(environment, `${args.app}-source`);
  const rule = new aws.cloudwatch.EventRule(
    `${name}-source-changed`,
    {
      name: ruleName,
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
