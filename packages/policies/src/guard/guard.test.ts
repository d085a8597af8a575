import { describe, expect, it } from 'vitest';
import { ACCOUNT, KMS_KEY_ARN, REGION, TOPIC_ARN } from '../test/fixtures.js';
import {
  buildAppBuildEventPattern,
  buildAppSigningEventPattern,
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
  it("name one app's exact profiles and exempt only that app's signing roles of this account", () => {
    const pattern = buildAppSigningEventPattern({
      ...scope,
      profileNames: ['signet_dev_a_release', 'signet_dev_a', 'signet_dev_a'],
      signingRoleNames: ['signet-dev-a-sign', 'signet-dev-a-sign'],
    });
    expect(pattern).toMatchObject({
      source: ['aws.signer'],
      detail: {
        eventName: ['SignPayload', 'StartSigningJob'],
        requestParameters: { profileName: ['signet_dev_a', 'signet_dev_a_release'] },
      },
    });
    const detail = pattern['detail'] as { $or: unknown[] };
    expect(detail.$or).toContainEqual({
      userIdentity: {
        sessionContext: { sessionIssuer: { userName: [{ 'anything-but': ['signet-dev-a-sign'] }] } },
      },
    });
    expect(detail.$or).toContainEqual({
      userIdentity: { sessionContext: { sessionIssuer: { accountId: [{ 'anything-but': [ACCOUNT] }] } } },
    });
  });

  it("name one app's projects by name, ARN and build id, exempting only its pipeline role", () => {
    const pattern = buildAppBuildEventPattern({
      ...scope,
      projectNames: ['signet-dev-a-build'],
      projectPrefix: 'signet-dev-a-',
      pipelineRoleName: 'signet-dev-a-pipeline',
    });
    const text = JSON.stringify(pattern);
    expect(text).toContain(
      `"projectName":["signet-dev-a-build",{"prefix":"arn:aws:codebuild:${REGION}:${ACCOUNT}:project/signet-dev-a-"}]`,
    );
    expect(text).toContain(`{"prefix":"signet-dev-a-build:"}`);
    expect(text).toContain(`{"prefix":"arn:aws:codebuild:${REGION}:${ACCOUNT}:build-batch/signet-dev-a-"}`);
    expect(text).not.toContain('wildcard');
    expect(text).toContain('"eventName":["StartBuild","StartBuildBatch","RetryBuild","RetryBuildBatch"]');
    expect(text).toContain('"userName":[{"anything-but":["signet-dev-a-pipeline"]}]');
  });

  it("catch the environment's profiles and projects by prefix, exempting the environment's roles by prefix", () => {
    const signing = JSON.stringify(
      buildSigningEventPattern({ ...scope, profilePrefix: 'signet_dev_', rolePrefix: 'signet-dev-' }),
    );
    expect(signing).toContain('"profileName":[{"prefix":"signet_dev_"}]');
    expect(signing).toContain('"userName":[{"anything-but":{"prefix":"signet-dev-"}}]');
    expect(signing).toContain('"userName":[{"exists":false}]');
    const builds = JSON.stringify(
      buildBuildEventPattern({ ...scope, projectPrefix: 'signet-dev-', rolePrefix: 'signet-dev-' }),
    );
    expect(builds).toContain(`{"prefix":"arn:aws:codebuild:${REGION}:${ACCOUNT}:build/signet-dev-"}`);
    expect(builds).toContain('"userName":[{"anything-but":{"prefix":"signet-dev-"}}]');
  });

  it('refuse a bad name, prefix or scope, naming the field', () => {
    const app = { ...scope, profileNames: ['signet_dev_a'], signingRoleNames: ['signet-dev-a-sign'] };
    expect(() => buildAppSigningEventPattern({ ...app, signingRoleNames: ['a role'] })).toThrow(
      'key "signingRoleNames[0]" has value "a role"; allowed: an IAM role name',
    );
    expect(() => buildAppSigningEventPattern({ ...app, signingRoleNames: [] })).toThrow(
      'key "signingRoleNames" has value []',
    );
    expect(() => buildAppSigningEventPattern({ ...app, profileNames: ['signet-dev-a'] })).toThrow(
      'key "profileNames[0]" has value "signet-dev-a"; allowed: a signing profile name',
    );
    expect(() =>
      buildAppBuildEventPattern({
        ...scope,
        projectNames: [],
        projectPrefix: 'signet-dev-a-',
        pipelineRoleName: 'signet-dev-a-pipeline',
      }),
    ).toThrow('key "projectNames" has value []');
    expect(() =>
      buildAppBuildEventPattern({
        ...scope,
        projectNames: ['signet-dev-b-build'],
        projectPrefix: 'signet-dev-a-',
        pipelineRoleName: 'signet-dev-a-pipeline',
      }),
    ).toThrow(
      `key "projectNames[0]" has value "signet-dev-b-build"; allowed: a project name starting with the app's projectPrefix "signet-dev-a-"`,
    );
    expect(() =>
      buildSigningEventPattern({ ...scope, profilePrefix: 'signet-dev-', rolePrefix: 'signet-dev-' }),
    ).toThrow('key "profilePrefix" has value "signet-dev-"');
    expect(() => buildBuildEventPattern({ ...scope, projectPrefix: 'signet-dev-', rolePrefix: '' })).toThrow(
      'key "rolePrefix" has value ""',
    );
    expect(() =>
      buildBuildEventPattern({
        ...scope,
        region: 'eu',
        projectPrefix: 'signet-dev-',
        rolePrefix: 'signet-dev-',
      }),
    ).toThrow('key "region" has value "eu"');
  });

  it(`refuse a pattern over EventBridge's ${EVENT_PATTERN_MAX_CHARACTERS}-character quota`, () => {
    const projects = Array.from({ length: 40 }, (_, i) => `signet-prod-application-${i}-build`);
    expect(() =>
      buildAppBuildEventPattern({
        ...scope,
        projectNames: projects,
        projectPrefix: 'signet-prod-',
        pipelineRoleName: 'signet-prod-a-pipeline',
      }),
    ).toThrow(
      /key "projectNames" has value "\d+ characters for 40 projects"; allowed: an event pattern of at most 2048 characters/,
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
