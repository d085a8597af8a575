import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import {
  buildGuardDeadLetterQueuePolicy,
  buildLambdaTrustPolicy,
  buildSigningGuardRolePolicy,
  cloudWatchLogsKeyGrant,
  eventsDeadLetterKeyGrant,
} from '@signet/policies';
import {
  guardInputTemplate,
  SIGNING_GUARD_BUNDLE,
  SIGNING_GUARD_CONFIG_FILE,
  SIGNING_GUARD_ENTRY,
  SIGNING_GUARD_HANDLER,
  SIGNING_GUARD_RUNTIME,
  type SigningGuardConfig,
} from '@signet/signing-guard/artifact';
import type { Environment } from '../environment.js';
import { KmsKey } from '../kms/kms-key.js';
import {
  kmsAliasName,
  logGroupName,
  physicalName,
  physicalNamePrefix,
  signingProfilePrefix,
} from '../naming.js';
import { guardedApps, guardRules, type GuardedApp } from './rules.js';

/** Minutes either side of a signing call in which a job of its requester and profile is its job. */
export const JOB_SEARCH_WINDOW_MINUTES = 10;

/** Arguments of {@link SigningGuard}. */
export interface SigningGuardArgs {
  readonly environment: Environment;
  /** The stack's region (`aws:region`): the rules see the CloudTrail events of this region. */
  readonly region: string;
  /**
   * The environment's apps with every signing profile name each has: on its own profiles and
   * projects, an app's own signing and pipeline roles are left alone, and nobody else.
   */
  readonly apps: readonly GuardedApp[];
  /** Retention of the function's log group, in days (a CloudWatch Logs value). Default 365. */
  readonly logRetentionDays?: number;
  /** The bundled function. Default: the bundle of @signet/signing-guard (`nx run signing-guard:build`). */
  readonly codePath?: string;
}

/**
 * Detection and automatic revocation: EventBridge rules on the CloudTrail events of the
 * environment's signing profiles (SignPayload, StartSigningJob) and CodeBuild projects
 * (StartBuild*, RetryBuild*), two per app (its profiles and projects, by any identity but its own
 * pipeline's role sessions) and two catch-alls (the environment's prefixes, by any identity that is
 * not a session of one of the environment's roles; see ./rules.ts), a Lambda
 * function that revokes the signature or stops the build, the security topic it reports to, and
 * the dead-letter queue of what it could not answer. Topic, queue and logs are encrypted with the
 * guard's own KMS key.
 */
export class SigningGuard extends pulumi.ComponentResource {
  public readonly securityTopicArn: pulumi.Output<string>;
  public readonly functionName: pulumi.Output<string>;
  public readonly deadLetterQueueUrl: pulumi.Output<string>;
  public readonly ruleNames: readonly string[];

  constructor(name: string, args: SigningGuardArgs, opts?: pulumi.ComponentResourceOptions) {
    super('signet:guard:SigningGuard', name, {}, opts);
    const child = { parent: this };
    const { environment, region } = args;
    const retention = args.logRetentionDays ?? 365;
    const accountId = aws.getCallerIdentityOutput({}, child).accountId;
    const partition = aws.getPartitionOutput({}, child).partition;
    const logGroup = logGroupName(environment, 'signing-guard');
    const rules = guardRules(environment, args.apps);
    const ruleArns = pulumi
      .all([accountId, partition])
      .apply(([id, part]) => rules.map((rule) => `arn:${part}:events:${region}:${id}:rule/${rule.name}`));
    const scope = pulumi
      .all([accountId, partition])
      .apply(([id, part]) => ({ accountId: id, partition: part, region }));
    // Built now, so that a pattern over EventBridge's size quota fails the preview, not the update.
    const patterns = scope.apply((s) =>
      Object.fromEntries(rules.map((rule) => [rule.key, JSON.stringify(rule.pattern(s))])),
    );

    // The guard's key: topic, dead-letter queue and log group.
    const key = new KmsKey(
      `${name}-key`,
      {
        description: `Signet ${environment}: signing guard topic, dead-letter queue and logs`,
        aliasName: kmsAliasName(environment, 'signing-guard'),
        serviceGrants: pulumi
          .all([scope, ruleArns])
          .apply(([s, arns]) => [
            cloudWatchLogsKeyGrant({ ...s, logGroupName: logGroup }),
            eventsDeadLetterKeyGrant({ ruleArns: arns }),
          ]),
      },
      child,
    );
    const topic = new aws.sns.Topic(
      `${name}-topic`,
      { name: physicalName(environment, 'security'), kmsMasterKeyId: key.keyArn },
      child,
    );
    const queue = new aws.sqs.Queue(
      `${name}-dlq`,
      {
        name: physicalName(environment, 'signing-guard-dlq'),
        kmsMasterKeyId: key.keyArn,
        // 14 days, SQS's maximum: time to replay what the guard could not answer.
        messageRetentionSeconds: 1_209_600,
      },
      child,
    );
    new aws.sqs.QueuePolicy(
      `${name}-dlq-policy`,
      {
        queueUrl: queue.url,
        policy: pulumi
          .all([accountId, queue.arn, ruleArns])
          .apply(([id, queueArn, arns]) =>
            JSON.stringify(buildGuardDeadLetterQueuePolicy({ accountId: id, queueArn, ruleArns: arns })),
          ),
      },
      child,
    );
    const logs = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { name: logGroup, retentionInDays: retention, kmsKeyId: key.keyArn },
      child,
    );

    // The function's role: revoke, stop, publish, dead-letter, its own logs; nothing else.
    const role = new aws.iam.Role(
      `${name}-role`,
      {
        name: physicalName(environment, 'signing-guard'),
        description: `Signet ${environment}: the signing guard function`,
        assumeRolePolicy: JSON.stringify(buildLambdaTrustPolicy()),
      },
      child,
    );
    const rolePolicy = new aws.iam.RolePolicy(
      `${name}-role-policy`,
      {
        role: role.id,
        policy: pulumi
          .all([scope, topic.arn, key.keyArn, queue.arn])
          .apply(([s, topicArn, keyArn, queueArn]) =>
            JSON.stringify(
              buildSigningGuardRolePolicy({
                ...s,
                logGroupName: logGroup,
                topicArn,
                keyArn,
                deadLetterQueueArn: queueArn,
                projectPrefix: physicalNamePrefix(environment),
              }),
            ),
          ),
      },
      child,
    );

    const config = pulumi.all([scope, topic.arn]).apply(([s, topicArn]): SigningGuardConfig => ({
      environment,
      ...s,
      profilePrefix: signingProfilePrefix(environment),
      projectPrefix: physicalNamePrefix(environment),
      rolePrefix: physicalNamePrefix(environment),
      apps: guardedApps(environment, args.apps),
      topicArn,
      jobSearchWindowMinutes: JOB_SEARCH_WINDOW_MINUTES,
    }));
    const codePath = args.codePath ?? SIGNING_GUARD_BUNDLE;
    const fn = new aws.lambda.Function(
      `${name}-function`,
      {
        name: physicalName(environment, 'signing-guard'),
        description: `Signet ${environment}: revokes signatures and stops builds made outside the pipeline`,
        runtime: SIGNING_GUARD_RUNTIME,
        architectures: ['arm64'],
        handler: SIGNING_GUARD_HANDLER,
        role: role.arn,
        // The bundle and, beside it, the environment's configuration (read at cold start).
        code: config.apply(
          (values) =>
            new pulumi.asset.AssetArchive({
              [SIGNING_GUARD_ENTRY]: new pulumi.asset.FileAsset(codePath),
              [SIGNING_GUARD_CONFIG_FILE]: new pulumi.asset.StringAsset(JSON.stringify(values, null, 2)),
            }),
        ),
        memorySize: 256,
        timeout: 60,
        loggingConfig: { logFormat: 'JSON', logGroup: logs.name },
      },
      { parent: this, dependsOn: [rolePolicy, logs] },
    );
    // Asynchronous invocations (EventBridge's): two retries, then the dead-letter queue.
    new aws.lambda.FunctionEventInvokeConfig(
      `${name}-invoke-config`,
      {
        functionName: fn.name,
        maximumRetryAttempts: 2,
        maximumEventAgeInSeconds: 3600,
        destinationConfig: { onFailure: { destination: queue.arn } },
      },
      child,
    );

    for (const { key: kind, name: ruleName, description } of rules) {
      const rule = new aws.cloudwatch.EventRule(
        `${name}-${kind}`,
        { name: ruleName, description, eventPattern: patterns.apply((p) => p[kind] as string) },
        child,
      );
      const permission = new aws.lambda.Permission(
        `${name}-${kind}-invoke`,
        {
          function: fn.name,
          action: 'lambda:InvokeFunction',
          principal: 'events.amazonaws.com',
          sourceArn: rule.arn,
          sourceAccount: accountId,
        },
        child,
      );
      new aws.cloudwatch.EventTarget(
        `${name}-${kind}-target`,
        {
          rule: rule.name,
          arn: fn.arn,
          // The event, wrapped with the rule's key: an app's rule and a catch-all may both match
          // one event, and the key is how the function acts on it once.
          // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
          inputTransformer: { inputTemplate: guardInputTemplate(kind) },
          // EventBridge retries an undeliverable event for an hour, then dead-letters it.
          retryPolicy: { maximumEventAgeInSeconds: 3600, maximumRetryAttempts: 24 },
          deadLetterConfig: { arn: queue.arn },
        },
        { parent: this, dependsOn: [permission] },
      );
    }

    this.securityTopicArn = topic.arn;
    this.functionName = fn.name;
    this.deadLetterQueueUrl = queue.url;
    this.ruleNames = rules.map((rule) => rule.name);
    this.registerOutputs({
      securityTopicArn: this.securityTopicArn,
      functionName: this.functionName,
      deadLetterQueueUrl: this.deadLetterQueueUrl,
    });
  }
}
