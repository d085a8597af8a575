/*
 * The guard's EventBridge patterns, evaluated by a real matcher: moto_server's EventBridge. Each
 * pattern from @signet/policies becomes a rule on moto's default bus with an SQS queue as its
 * target, with the input transformer the stack gives the function's targets (the event wrapped
 * with the rule's key); each CloudTrail-shaped event (./test/events.ts) is sent with PutEvents,
 * the queue says which rule matched, and `decide` on what each queue received says which rule's
 * invocation acts: exactly one for every matched event. moto 5.2.1 does not implement TestEventPattern (NotImplementedError),
 * but it matches rules on PutEvents with `prefix`, `anything-but`, `exists` and nested `$or`, the
 * operators these patterns use, as the EventBridge user guide documents them:
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 * (moto accepts PutEvents with an `aws.*` source, which EventBridge itself refuses; that is what
 * lets CloudTrail's events be replayed here.)
 */
import { spawnSync } from 'node:child_process';
import {
  buildAppBuildEventPattern,
  buildAppSigningEventPattern,
  buildBuildEventPattern,
  buildSigningEventPattern,
  type EventPattern,
} from '@signet/policies';
import { motoEnvironment, requireTestEngine, startMoto, type LocalService } from '@signet/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide } from './decide.js';
import { guardInputTemplate } from './invocation.js';
import {
  ACCOUNT,
  BUILD_ROLE,
  CONFIG,
  iamUser,
  OTHER_ACCOUNT,
  OTHER_APP_PROFILE,
  OTHER_APP_SIGNING_ROLE,
  pipeline,
  PROJECT,
  REGION,
  REMOVED_APP_PROFILE,
  roleSession,
  SIGN_ANY_DIGEST,
  signingStage,
  SIGNING_ROLE,
  signPayload,
  startBuild,
  startSigningJob,
} from './test/events.js';

let moto: LocalService;
let env: Record<string, string>;
let aws: string;

function cli(...args: string[]): unknown {
  const result = spawnSync(aws, [...args, '--endpoint-url', moto.url, '--output', 'json'], {
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env },
  });
  if (result.status !== 0) throw new Error(`aws ${args.slice(0, 2).join(' ')}: ${result.stderr}`);
  return result.stdout.trim() === '' ? {} : JSON.parse(result.stdout);
}

const scope = { accountId: ACCOUNT, region: REGION, partition: 'aws' };
/** The rules of the dev environment of CONFIG: two catch-alls, then two per app. */
const PATTERNS: Record<string, EventPattern> = {
  signatures: buildSigningEventPattern({ ...scope, profilePrefix: 'signet_dev_', rolePrefix: 'signet-dev-' }),
  builds: buildBuildEventPattern({ ...scope, projectPrefix: 'signet-dev-', rolePrefix: 'signet-dev-' }),
};
for (const [app, entry] of Object.entries(CONFIG.apps)) {
  PATTERNS[`${app}-signatures`] = buildAppSigningEventPattern({ ...scope, ...entry });
  PATTERNS[`${app}-builds`] = buildAppBuildEventPattern({
    ...scope,
    ...entry,
    projectPrefix: `signet-dev-${app}-`,
  });
}
const queues: Record<string, string> = {};

beforeAll(async () => {
  aws = requireTestEngine('aws');
  moto = await startMoto(requireTestEngine('moto_server'));
  env = motoEnvironment(moto, REGION);
  for (const [name, pattern] of Object.entries(PATTERNS)) {
    const { QueueUrl } = cli('sqs', 'create-queue', '--queue-name', name) as { QueueUrl: string };
    queues[name] = QueueUrl;
    cli('events', 'put-rule', '--name', name, '--event-pattern', JSON.stringify(pattern));
    cli(
      'events',
      'put-targets',
      '--rule',
      name,
      '--targets',
      JSON.stringify([
        {
          Id: 'queue',
          Arn: `arn:aws:sqs:${REGION}:123456789012:${name}`,
          InputTransformer: { InputTemplate: guardInputTemplate(name) },
        },
      ]),
    );
  }
  replay();
}, 240_000);
afterAll(() => moto?.stop());

type Event = Record<string, unknown>;
const retry = (id = `${PROJECT}:9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d`, eventName = 'RetryBuild'): Event => {
  const event = startBuild(iamUser('mallory')) as { detail: Record<string, unknown> };
  event.detail['eventName'] = eventName;
  event.detail['requestParameters'] = { id };
  return event;
};

/** Both the catch-all and the app's own rule. */
const SIGNATURES = ['hello-server-signatures', 'signatures'];
const BUILDS = ['builds', 'hello-server-builds'];
/** Each case: its event, the rules that match it, and the one rule whose invocation acts on it. */
const MATCHED: [string, Event, string[], string][] = [
  ['SignPayload by an IAM user', signPayload(iamUser('mallory')), SIGNATURES, 'signatures'],
  // A role of the environment is the per-app rule's to answer, not the catch-all's.
  [
    'SignPayload by the build stage role',
    signPayload(roleSession(BUILD_ROLE, 'AWSCodeBuild-1')),
    ['hello-server-signatures'],
    'hello-server-signatures',
  ],
  [
    "SignPayload on hello-server's profile by billing's signing role",
    signPayload(roleSession(OTHER_APP_SIGNING_ROLE, 'AWSCodeBuild-2')),
    ['hello-server-signatures'],
    'hello-server-signatures',
  ],
  [
    'SignPayload by a same-named role of another account',
    signPayload(roleSession(SIGNING_ROLE, 's', OTHER_ACCOUNT)),
    SIGNATURES,
    'signatures',
  ],
  ['StartSigningJob by an IAM user', startSigningJob(iamUser('mallory')), SIGNATURES, 'signatures'],
  [
    'a denied SignPayload (still an attempt)',
    signPayload(iamUser('mallory'), { errorCode: 'AccessDeniedException' }),
    SIGNATURES,
    'signatures',
  ],
  [
    "SignPayload on a removed app's profile by an IAM user (the catch-all)",
    signPayload(iamUser('mallory'), { profileName: REMOVED_APP_PROFILE }),
    ['signatures'],
    'signatures',
  ],
  [
    'StartBuild with overrides by an IAM user',
    startBuild(iamUser('mallory'), { overrides: SIGN_ANY_DIGEST }),
    BUILDS,
    'builds',
  ],
  [
    'StartBuild without overrides by a CI role',
    startBuild(roleSession('ci-deployer', 'gha-1')),
    BUILDS,
    'builds',
  ],
  [
    "StartBuild of hello-server's project by billing's pipeline role",
    startBuild(
      roleSession('signet-dev-billing-pipeline', '1701339300123', ACCOUNT, 'codepipeline.amazonaws.com'),
    ),
    ['hello-server-builds'],
    'hello-server-builds',
  ],
  [
    "StartBuild of hello-server's project by ARN, by billing's pipeline role",
    startBuild(roleSession('signet-dev-billing-pipeline', '1701339300124', ACCOUNT), {
      projectName: `arn:aws:codebuild:${REGION}:${ACCOUNT}:project/${PROJECT}`,
    }),
    ['hello-server-builds'],
    'hello-server-builds',
  ],
  [
    'StartBuild by project ARN',
    startBuild(iamUser('mallory'), {
      projectName: `arn:aws:codebuild:${REGION}:${ACCOUNT}:project/${PROJECT}`,
    }),
    BUILDS,
    'builds',
  ],
  ['RetryBuild of an environment build, by build id', retry(), BUILDS, 'builds'],
  [
    'RetryBuild by build ARN',
    retry(`arn:aws:codebuild:${REGION}:${ACCOUNT}:build/${PROJECT}:9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d`),
    BUILDS,
    'builds',
  ],
  [
    'RetryBuildBatch by batch ARN',
    retry(`arn:aws:codebuild:${REGION}:${ACCOUNT}:build-batch/${PROJECT}:1234`, 'RetryBuildBatch'),
    BUILDS,
    'builds',
  ],
];
const LEFT_ALONE: [string, Event][] = [
  ["the signing stage's own SignPayload", signPayload(signingStage())],
  [
    "billing's signing role on billing's own profile",
    signPayload(roleSession(OTHER_APP_SIGNING_ROLE, 'AWSCodeBuild-3'), { profileName: OTHER_APP_PROFILE }),
  ],
  [
    "CodePipeline's StartBuild with its overrides",
    startBuild(pipeline(), { overrides: { environmentVariablesOverride: [] } }),
  ],
  // What the rules do not cover (docs/operations.md): a role of the environment on a removed app's profile.
  [
    "a role of the environment on a removed app's profile",
    signPayload(signingStage(), { profileName: REMOVED_APP_PROFILE }),
  ],
  [
    "another environment's profile",
    signPayload(iamUser('mallory'), { profileName: 'signet_prod_hello_server' }),
  ],
  [
    "another environment's project",
    startBuild(iamUser('mallory'), { projectName: 'signet-prod-hello-server-build' }),
  ],
  ['a profile outside Signet', signPayload(iamUser('mallory'), { profileName: 'lambda_release' })],
];

/** Rule names by the marker (`eventID`) of the events each queue received. */
const received = new Map<string, string[]>();
/** The rules whose invocation `decide` acts on (revoke, stop), by marker. */
const acted = new Map<string, string[]>();
/** What each queue received that is not its own rule's invocation. */
const foreign: unknown[] = [];

/** Sends every case once (its name as the record's eventID), then drains both queues. */
function replay(): void {
  const all = [...MATCHED.map(([name, event]) => [name, event] as const), ...LEFT_ALONE];
  for (let i = 0; i < all.length; i += 10) {
    const entries = all.slice(i, i + 10).map(([name, event]) => ({
      Source: event['source'],
      DetailType: event['detail-type'],
      Detail: JSON.stringify({ ...(event['detail'] as Event), eventID: name }),
    }));
    cli('events', 'put-events', '--entries', JSON.stringify(entries));
  }
  for (const [rule, url] of Object.entries(queues)) {
    for (;;) {
      const { Messages = [] } = cli(
        'sqs',
        'receive-message',
        '--queue-url',
        url,
        '--max-number-of-messages',
        '10',
        '--visibility-timeout',
        '600',
      ) as { Messages?: { Body: string }[] };
      if (Messages.length === 0) break;
      for (const { Body } of Messages) {
        const wrapped = JSON.parse(Body) as { rule: unknown; event: { detail: { eventID: string } } };
        if (wrapped.rule !== rule) foreign.push(wrapped);
        const marker = wrapped.event.detail.eventID;
        received.set(marker, [...(received.get(marker) ?? []), rule]);
        const decision = decide(wrapped, CONFIG);
        if (decision.kind === 'malformed') foreign.push(decision);
        if (decision.kind === 'revoke' || decision.kind === 'stop') {
          acted.set(marker, [...(acted.get(marker) ?? []), rule]);
        }
      }
    }
  }
}

describe('the guard patterns against CloudTrail-shaped events (moto EventBridge)', () => {
  it.each(MATCHED)('matches %s', (name, _event, rules) => {
    expect([...(received.get(name) ?? [])].sort()).toEqual(rules);
  });

  it.each(MATCHED)('acts once on %s', (name, _event, _rules, actor) => {
    expect(acted.get(name)).toEqual([actor]);
  });

  it("wraps every event with its own rule's key, as the function reads it", () => {
    expect(received.size).toBe(MATCHED.length);
    expect(foreign).toEqual([]);
  });

  it.each(LEFT_ALONE)('leaves alone %s', (name) => {
    expect(received.get(name) ?? []).toEqual([]);
  });
});
