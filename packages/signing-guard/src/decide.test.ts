/*
 * One event, several rules: an event that an app's rule and a catch-all both match reaches the
 * function once per rule, each time wrapped with that rule's key; the decision acts on it once.
 * Which rules match which event is proven against a real matcher in pattern.moto.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { SigningGuardConfig } from './config.js';
import { decide, type Decision } from './decide.js';
import {
  ACCOUNT,
  CONFIG,
  iamUser,
  invocation,
  OTHER_ACCOUNT,
  OTHER_APP_SIGNING_ROLE,
  PROFILE,
  PROJECT,
  REGION,
  REMOVED_APP_PROFILE,
  roleSession,
  signPayload,
  startBuild,
} from './test/events.js';

const decideVia = (rule: string, event: unknown, config: SigningGuardConfig = CONFIG): Decision =>
  decide(invocation(rule, event), config);
const BILLING_PIPELINE = roleSession('signet-dev-billing-pipeline', '1701339300123', ACCOUNT);

describe('an event that an app rule and a catch-all both match is acted on once', () => {
  it("an IAM user signing with hello-server's profile: the catch-all revokes, the app's rule leaves it to it", () => {
    const event = signPayload(iamUser('mallory'));
    expect(decideVia('signatures', event)).toMatchObject({
      kind: 'revoke',
      rule: 'signatures',
      profileName: PROFILE,
    });
    expect(decideVia('hello-server-signatures', event)).toEqual({
      kind: 'ignore',
      reason:
        'rule hello-server-signatures: the caller is no session of a role of the environment, so the catch-all signatures rule answers it',
    });
  });

  it('a role of another account with the signing role name: the catch-all answers it, the app rule does not', () => {
    const event = signPayload(roleSession('signet-dev-hello-server-sign', 's', OTHER_ACCOUNT));
    expect(decideVia('signatures', event).kind).toBe('revoke');
    expect(decideVia('hello-server-signatures', event).kind).toBe('ignore');
  });

  it("another app's signing role (no catch-all matches it): the app's own rule revokes", () => {
    const event = signPayload(roleSession(OTHER_APP_SIGNING_ROLE, 'AWSCodeBuild-1'));
    expect(decideVia('hello-server-signatures', event)).toMatchObject({
      kind: 'revoke',
      rule: 'hello-server-signatures',
    });
  });

  it('an IAM user building a stage project: the catch-all stops it, the app rule leaves it to it', () => {
    const event = startBuild(iamUser('mallory'));
    expect(decideVia('builds', event)).toMatchObject({ kind: 'stop', rule: 'builds', project: PROJECT });
    expect(decideVia('hello-server-builds', event)).toMatchObject({
      kind: 'ignore',
      reason: expect.stringContaining('the catch-all builds rule answers it'),
    });
  });

  it("another app's pipeline role building hello-server's project: the app's own rule stops it", () => {
    expect(decideVia('hello-server-builds', startBuild(BILLING_PIPELINE))).toMatchObject({
      kind: 'stop',
      rule: 'hello-server-builds',
    });
  });

  it('an identity with no session issuer, or one in no form the catch-all surely matched', () => {
    const { sessionContext: _dropped, ...bare } = roleSession(OTHER_APP_SIGNING_ROLE, 'x');
    const noIssuer = { ...bare, type: 'AssumedRole' };
    // No issuer at all: the catch-all matched it (`exists: false`), so it answers it.
    expect(decideVia('hello-server-signatures', signPayload(noIssuer)).kind).toBe('ignore');
    expect(decideVia('signatures', signPayload(noIssuer)).kind).toBe('revoke');
    // An issuer name that is no string: not surely matched by the catch-all, so the app rule acts.
    const odd = roleSession(OTHER_APP_SIGNING_ROLE, 'x') as { sessionContext: { sessionIssuer: object } };
    odd.sessionContext.sessionIssuer = { type: 'Role', accountId: ACCOUNT, userName: 7 };
    expect(decideVia('hello-server-signatures', signPayload(odd)).kind).toBe('revoke');
  });
});

describe('what no app owns is the catch-alls', () => {
  it("an unknown identity signing with the environment's profile of no app: the catch-all revokes", () => {
    expect(
      decideVia('signatures', signPayload(iamUser('mallory'), { profileName: REMOVED_APP_PROFILE })),
    ).toMatchObject({ kind: 'revoke', rule: 'signatures', profileName: REMOVED_APP_PROFILE });
  });

  it("an unknown identity building the environment's project of no app: the catch-all stops it", () => {
    expect(
      decideVia('builds', startBuild(iamUser('mallory'), { projectName: 'signet-dev-retired-build' })),
    ).toMatchObject({ kind: 'stop', rule: 'builds', project: 'signet-dev-retired-build' });
  });

  it("an app's rule whose ARN prefix matched a project of another app leaves it to that app's rule", () => {
    // `signet-dev-hello-` (app hello's ARN prefix) is also the start of hello-server's projects.
    const config: SigningGuardConfig = {
      ...CONFIG,
      apps: {
        ...CONFIG.apps,
        hello: {
          profileNames: ['signet_dev_hello'],
          projectNames: ['signet-dev-hello-application-signing'],
          signingRoleNames: ['signet-dev-hello-sign'],
          pipelineRoleName: 'signet-dev-hello-pipeline',
        },
      },
    };
    const event = startBuild(BILLING_PIPELINE, {
      projectName: `arn:aws:codebuild:${REGION}:${ACCOUNT}:project/${PROJECT}`,
    });
    expect(decideVia('hello-builds', event, config)).toEqual({
      kind: 'ignore',
      reason: `rule hello-builds: project ${PROJECT} is not app hello's; app hello-server's own rule answers it`,
    });
    expect(decideVia('hello-server-builds', event, config).kind).toBe('stop');
    // A project of no app that an app's prefix matched is the catch-all's.
    const retired = startBuild(iamUser('mallory'), {
      projectName: `arn:aws:codebuild:${REGION}:${ACCOUNT}:project/signet-dev-hello-old-build`,
    });
    expect(decideVia('hello-builds', retired, config)).toMatchObject({
      kind: 'ignore',
      reason: expect.stringContaining('the catch-all builds rule answers it'),
    });
    expect(decideVia('builds', retired, config).kind).toBe('stop');
  });

  it('the rule of an app the configuration no longer lists (being removed) leaves its events to the catch-all', () => {
    const { 'hello-server': _removed, ...apps } = CONFIG.apps;
    const config = { ...CONFIG, apps };
    const event = signPayload(iamUser('mallory'));
    expect(decideVia('hello-server-signatures', event, config)).toEqual({
      kind: 'ignore',
      reason:
        'rule hello-server-signatures is of app hello-server, which the configuration no longer lists: the catch-all signatures rule answers profile signet_dev_hello_server',
    });
    expect(decideVia('signatures', event, config).kind).toBe('revoke');
  });
});

describe('an invocation that is not a rule wrapper is malformed, never acted on', () => {
  const event = signPayload(iamUser('mallory'));
  it.each([
    [
      'the bare event (no wrapper)',
      event,
      'the invocation has the keys version, id, detail-type, source, account, not a rule\'s wrapper (an unwrapped event?); allowed: {"rule":"<rule key>","event":<the rule\'s event>}, as every rule\'s target sends it',
    ],
    [
      'not an object',
      'x',
      'the invocation is not a JSON object; allowed: {"rule":"<rule key>","event":<the rule\'s event>}, as every rule\'s target sends it',
    ],
    [
      'a rule that is no string',
      { rule: 1, event },
      'the invocation has the keys rule, event, not a rule\'s wrapper (an unwrapped event?); allowed: {"rule":"<rule key>","event":<the rule\'s event>}, as every rule\'s target sends it',
    ],
    [
      'an unknown rule key',
      { rule: 'everything', event },
      '"rule" "everything" is none of the guard\'s; allowed: signatures, builds, <app>-signatures, <app>-builds',
    ],
    [
      'no event',
      { rule: 'signatures' },
      'rule signatures: the invocation has no "event"; allowed: {"rule":"<rule key>","event":<the rule\'s event>}, as every rule\'s target sends it',
    ],
    [
      'a build on a signatures rule',
      { rule: 'hello-server-signatures', event: startBuild(iamUser('mallory')) },
      'rule hello-server-signatures watches signatures, not codebuild.amazonaws.com StartBuild',
    ],
  ])('%s', (_name, value, reason) => {
    expect(decide(value, CONFIG)).toEqual({ kind: 'malformed', reason });
  });
});
