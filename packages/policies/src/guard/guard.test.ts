import { describe, expect, it } from 'vitest';
import { ACCOUNT, KMS_KEY_ARN, REGION, TOPIC_ARN } from '../test/fixtures.js';
import {
  buildBuildEventPattern,
  buildSigningEventPattern,
  EVENT_PATTERN_MAX_CHARACTERS,
} from './event-pattern.js';
import {
  buildGuardDeadLetterQueuePolicy,
  buildLambdaTrustPolicy,
  buildSigningGuardRolePolicy,
  eventsDeadLetterKeyGrant,
} from './guard-role.js';

const scope = { accountId: ACCOUNT, partition: 'aws', region: REGION };
const QUEUE_ARN = `arn:aws:sqs:${REGION}:${ACCOUNT}:signet-dev-signing-guard-dlq`;
const RULE_ARN = `arn:aws:events:${REGION}:${ACCOUNT}:rule/signet-dev-signing-guard-signatures`;

describe('signing guard event patterns', () => {
  it('name the environment by prefix and exempt exactly the listed roles of this account', () => {
    const pattern = buildSigningEventPattern({
      ...scope,
      profilePrefix: 'signet_dev_',
      signingRoleNames: ['signet-dev-b-sign', 'signet-dev-a-sign', 'signet-dev-a-sign'],
    });
    expect(pattern).toMatchObject({
      source: ['aws.signer'],
      detail: {
        eventName: ['SignPayload', 'StartSigningJob'],
        requestParameters: { profileName: [{ prefix: 'signet_dev_' }] },
      },
    });
    const detail = pattern['detail'] as { $or: unknown[] };
    expect(detail.$or).toContainEqual({
      userIdentity: {
        sessionContext: {
          sessionIssuer: { userName: [{ 'anything-but': ['signet-dev-a-sign', 'signet-dev-b-sign'] }] },
        },
      },
    });
    expect(detail.$or).toContainEqual({
      userIdentity: { sessionContext: { sessionIssuer: { accountId: [{ 'anything-but': [ACCOUNT] }] } } },
    });
  });

  it('match every session issuer when the environment has no pipeline role', () => {
    const pattern = buildBuildEventPattern({ ...scope, projectPrefix: 'signet-dev-', pipelineRoleNames: [] });
    expect(JSON.stringify(pattern)).toContain('"userName":[{"exists":true}]');
  });

  it('refuse a bad role name, prefix or scope, naming the field', () => {
    expect(() =>
      buildSigningEventPattern({ ...scope, profilePrefix: 'signet_dev_', signingRoleNames: ['a role'] }),
    ).toThrow('key "signingRoleNames[0]" has value "a role"; allowed: an IAM role name');
    expect(() =>
      buildSigningEventPattern({ ...scope, profilePrefix: 'signet-dev-', signingRoleNames: [] }),
    ).toThrow('key "profilePrefix" has value "signet-dev-"');
    expect(() => buildBuildEventPattern({ ...scope, projectPrefix: '', pipelineRoleNames: [] })).toThrow(
      'key "projectPrefix" has value ""',
    );
    expect(() =>
      buildBuildEventPattern({ ...scope, region: 'eu', projectPrefix: 'signet-dev-', pipelineRoleNames: [] }),
    ).toThrow('key "region" has value "eu"');
  });

  it(`refuse a pattern over EventBridge's ${EVENT_PATTERN_MAX_CHARACTERS}-character quota`, () => {
    const roles = Array.from({ length: 80 }, (_, i) => `signet-prod-application-${i}-pipeline`);
    expect(() =>
      buildBuildEventPattern({ ...scope, projectPrefix: 'signet-prod-', pipelineRoleNames: roles }),
    ).toThrow(
      /key "pipelineRoleNames" has value "\d+ characters for 80 pipeline roles"; allowed: an event pattern of at most 2048 characters/,
    );
  });
});

describe('signing guard role', () => {
  const input = {
    ...scope,
    logGroupName: '/signet/dev/signing-guard',
    topicArn: TOPIC_ARN,
    keyArn: KMS_KEY_ARN,
    deadLetterQueueArn: QUEUE_ARN,
    projectPrefix: 'signet-dev-',
  };

  it('stops builds of the environment only, revokes jobs, publishes to its topic and writes its logs', () => {
    const statements = buildSigningGuardRolePolicy(input).Statement;
    const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
    expect(bySid['StopEnvironmentBuilds']?.Resource).toEqual([
      `arn:aws:codebuild:${REGION}:${ACCOUNT}:project/signet-dev-*`,
    ]);
    expect(bySid['RevokeSigningJobs']?.Resource).toEqual([
      `arn:aws:signer:${REGION}:${ACCOUNT}:/signing-jobs/*`,
    ]);
    expect(bySid['PublishSecurityTopic']?.Resource).toEqual([TOPIC_ARN]);
    expect(bySid['WriteOwnLogs']?.Resource).toEqual([
      `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/signet/dev/signing-guard:log-stream:*`,
    ]);
    expect(statements.flatMap((s) => s.Action)).not.toContain('signer:SignPayload');
  });

  it('refuses a topic of another account and a malformed queue', () => {
    expect(() =>
      buildSigningGuardRolePolicy({ ...input, topicArn: 'arn:aws:sns:us-east-1:444455556666:security' }),
    ).toThrow(
      'key "topicArn" has value "arn:aws:sns:us-east-1:444455556666:security"; allowed: a resource of account 111122223333',
    );
    expect(() => buildSigningGuardRolePolicy({ ...input, deadLetterQueueArn: 'queue' })).toThrow(
      'key "deadLetterQueueArn" has value "queue"; allowed: an SQS queue ARN',
    );
  });

  it('lets EventBridge dead-letter and encrypt for the guard rules only', () => {
    const policy = buildGuardDeadLetterQueuePolicy({
      accountId: ACCOUNT,
      queueArn: QUEUE_ARN,
      ruleArns: [RULE_ARN],
    });
    expect(policy.Statement[0]?.Condition).toEqual({ ArnEquals: { 'aws:SourceArn': [RULE_ARN] } });
    expect(eventsDeadLetterKeyGrant({ ruleArns: [RULE_ARN] }).condition).toEqual({
      ArnEquals: { 'aws:SourceArn': [RULE_ARN] },
    });
    expect(() => eventsDeadLetterKeyGrant({ ruleArns: [] })).toThrow('key "ruleArns" has value []');
    expect(() => eventsDeadLetterKeyGrant({ ruleArns: ['rule/x'] })).toThrow(
      'key "ruleArns[0]" has value "rule/x"',
    );
  });

  it('is assumed by Lambda only', () => {
    expect(buildLambdaTrustPolicy().Statement).toEqual([
      expect.objectContaining({ Principal: { Service: 'lambda.amazonaws.com' }, Action: ['sts:AssumeRole'] }),
    ]);
  });
});
