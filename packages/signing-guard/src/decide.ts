/**
 * What the guard does with one invocation (one rule's event, see ./invocation.ts): pure, no AWS
 * call. The event is EventBridge's envelope around a CloudTrail record (`detail`), as CloudTrail
 * writes it:
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */
import type { SigningGuardApp, SigningGuardConfig } from './config.js';
import { readGuardInvocation, type GuardRuleRef } from './invocation.js';

/** The identity of a CloudTrail record, as far as the guard reads it. */
export interface CallerIdentity {
  /** `AssumedRole`, `IAMUser`, `Root`, `FederatedUser`, `AWSService`, … */
  readonly type: string;
  /** The caller's ARN (for a role session: `arn:aws:sts::<account>:assumed-role/<role>/<session>`). */
  readonly arn: string | undefined;
  /** For a role session: the role (`sessionContext.sessionIssuer`). */
  readonly issuer:
    { readonly type: string; readonly userName: string; readonly accountId: string } | undefined;
}

/** A call the guard answers, with what it read from the record. */
interface CallFacts {
  /** The key of the rule whose invocation this is (`signatures`, `<app>-builds`, …). */
  readonly rule: string;
  readonly eventName: string;
  readonly eventId: string;
  readonly eventTime: Date;
  readonly caller: CallerIdentity;
  /** CloudTrail's `errorCode`: the call failed, so nothing was signed or started. */
  readonly errorCode: string | undefined;
}

/** The guard's decision. */
export type Decision =
  /** Not the guard's concern, or the pipeline's own call: nothing is done. */
  | { readonly kind: 'ignore'; readonly reason: string }
  /** The event cannot be read: reported, never acted on. */
  | { readonly kind: 'malformed'; readonly reason: string }
  /** A signature made outside the pipeline: revoke its job (found by id or by requester and time). */
  | (CallFacts & {
      readonly kind: 'revoke';
      readonly profileName: string;
      /** The job id CloudTrail recorded (`responseElements.jobId`), when it did. */
      readonly jobId: string | undefined;
    })
  /** A build of the environment's projects outside the pipeline: stop it. */
  | (CallFacts & {
      readonly kind: 'stop';
      readonly project: string;
      /** The build (or batch) id from `responseElements`, when the call succeeded. */
      readonly buildId: string | undefined;
      readonly batch: boolean;
      /** The request's overrides (`…Override`, `sourceVersion`, `debugSessionEnabled`). */
      readonly overrides: readonly string[];
    });

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

function readCaller(value: unknown): CallerIdentity | undefined {
  if (!isObject(value) || text(value['type']) === undefined) return undefined;
  const context = value['sessionContext'];
  const issuer = isObject(context) ? context['sessionIssuer'] : undefined;
  return {
    type: value['type'] as string,
    arn: text(value['arn']),
    issuer:
      isObject(issuer) && text(issuer['userName']) !== undefined
        ? {
            type: text(issuer['type']) ?? '',
            userName: issuer['userName'] as string,
            accountId: text(issuer['accountId']) ?? '',
          }
        : undefined,
  };
}

/**
 * Whether the caller is a session of one of the roles: an assumed-role session whose issuer is
 * that role in the guard's account. The same test as the rule's pattern, repeated here so that a
 * pattern mistake can never revoke the pipeline's own signatures.
 */
export function isSessionOf(
  caller: CallerIdentity,
  roleNames: readonly string[],
  accountId: string,
): boolean {
  return (
    caller.type === 'AssumedRole' &&
    caller.issuer !== undefined &&
    caller.issuer.type === 'Role' &&
    caller.issuer.accountId === accountId &&
    roleNames.includes(caller.issuer.userName)
  );
}

/**
 * Whether the caller is a session of a role of the environment (named `<rolePrefix>…`) in the
 * guard's account: what the catch-all rules leave alone on a profile or project no app owns.
 */
function isEnvironmentSession(caller: CallerIdentity, config: SigningGuardConfig): boolean {
  return (
    caller.type === 'AssumedRole' &&
    caller.issuer !== undefined &&
    caller.issuer.type === 'Role' &&
    caller.issuer.accountId === config.accountId &&
    caller.issuer.userName.startsWith(config.rolePrefix)
  );
}

/** The app whose `key` lists `name`, if one does. */
function ownerOf(
  config: SigningGuardConfig,
  key: 'profileNames' | 'projectNames',
  name: string,
): [string, SigningGuardApp] | undefined {
  return Object.entries(config.apps).find(([, app]) => app[key].includes(name));
}

const SIGNING = new Set(['SignPayload', 'StartSigningJob']);
const BUILD_START = new Set(['StartBuild', 'StartBuildBatch']);
const BUILD_RETRY = new Set(['RetryBuild', 'RetryBuildBatch']);
/** StartBuild request members that change what the build runs, besides the `…Override` ones. */
const OTHER_OVERRIDES = new Set(['sourceVersion', 'debugSessionEnabled', 'secondarySourcesVersionOverride']);

/** The project of a build id (`<project>:<uuid>`) or build ARN (`…:build/<project>:<uuid>`). */
function projectOfBuild(id: string): string {
  const tail =
    id.includes(':build/') || id.includes(':build-batch/') ? id.slice(id.lastIndexOf('/') + 1) : id;
  return tail.slice(0, tail.lastIndexOf(':') === -1 ? undefined : tail.lastIndexOf(':'));
}

/** The project of a project name or ARN (`…:project/<name>`). */
function projectOfName(name: string): string {
  return name.includes(':project/') ? name.slice(name.lastIndexOf('/') + 1) : name;
}

/**
 * Whether the catch-all rules certainly matched this caller. Their identity clause is
 * `notSessionOf(accountId, {anything-but: {prefix: rolePrefix}})` of @signet/policies, which
 * EventBridge evaluates on the raw record: `sessionContext.sessionIssuer.userName` missing
 * (`exists: false`), or an issuer `accountId` other than the environment's, or an issuer `type`
 * other than `Role`, or a `userName` without the role prefix (`anything-but` matches only a value
 * that is present). Read here from the record itself, not from {@link readCaller}, which
 * normalises. Where the answer is not certain (a value that is no string), it is false: the
 * app's rule then answers too, at worst a second time, never not at all.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 */
function catchAllMatchesCaller(userIdentity: unknown, config: SigningGuardConfig): boolean {
  if (!isObject(userIdentity)) return false;
  const context = userIdentity['sessionContext'];
  if (context === undefined) return true;
  if (!isObject(context)) return false;
  const issuer = context['sessionIssuer'];
  if (issuer === undefined) return true;
  if (!isObject(issuer)) return false;
  const { userName, accountId, type } = issuer;
  if (userName === undefined) return true;
  return (
    (typeof accountId === 'string' && accountId !== config.accountId) ||
    (typeof type === 'string' && type !== 'Role') ||
    (typeof userName === 'string' && !userName.startsWith(config.rolePrefix))
  );
}

/**
 * Whether another rule answers what an app's rule matched, so that each event is acted on once
 * (an event both an app's rule and a catch-all match reaches the function twice). An app's rule
 * answers only its own app's profiles and projects (its ARN prefix also matches those of an app
 * named `<app>-…`, whose own rule answers them), and of those only what the catch-all did not
 * match: a session of a role of the environment. Everything else the catch-all matches, since
 * each filter of an app's pattern narrows one of the catch-all's (the same events and request
 * members; exact names and prefixes under the environment's prefixes), and the catch-all, unlike
 * an app's rule, exists as long as the guard does: it is never in the middle of being created or
 * deleted when an app is added or removed. The catch-all itself answers everything it matches.
 */
function answeredElsewhere(
  ref: GuardRuleRef & { readonly rule: string },
  owner: [string, SigningGuardApp] | undefined,
  what: string,
  userIdentity: unknown,
  config: SigningGuardConfig,
): Decision | undefined {
  if (ref.app === undefined) return undefined;
  if (!Object.hasOwn(config.apps, ref.app)) {
    return {
      kind: 'ignore',
      reason: `rule ${ref.rule} is of app ${ref.app}, which the configuration no longer lists: the catch-all ${ref.watch} rule answers ${what}`,
    };
  }
  if (owner?.[0] !== ref.app) {
    return {
      kind: 'ignore',
      reason: `rule ${ref.rule}: ${what} is not app ${ref.app}'s; ${owner === undefined ? `the catch-all ${ref.watch} rule` : `app ${owner[0]}'s own rule`} answers it`,
    };
  }
  if (catchAllMatchesCaller(userIdentity, config)) {
    return {
      kind: 'ignore',
      reason: `rule ${ref.rule}: the caller is no session of a role of the environment, so the catch-all ${ref.watch} rule answers it`,
    };
  }
  return undefined;
}

/**
 * Reads the invocation and decides; never throws. Each event is acted on once whichever of the
 * guard's rules match it: see {@link answeredElsewhere}.
 */
export function decide(invocation: unknown, config: SigningGuardConfig): Decision {
  const read = readGuardInvocation(invocation);
  if (typeof read === 'string') return { kind: 'malformed', reason: read };
  const { event, ...ref } = read;
  if (!isObject(event))
    return { kind: 'malformed', reason: `rule ${ref.rule}: the event is not a JSON object` };
  if (event['detail-type'] !== 'AWS API Call via CloudTrail') {
    return {
      kind: 'malformed',
      reason: `detail-type ${JSON.stringify(event['detail-type'])} is not a CloudTrail API call`,
    };
  }
  const detail = event['detail'];
  if (!isObject(detail))
    return { kind: 'malformed', reason: 'the event has no CloudTrail record in "detail"' };
  const eventSource = text(detail['eventSource']);
  const eventName = text(detail['eventName']);
  const caller = readCaller(detail['userIdentity']);
  const eventTime = new Date(text(detail['eventTime']) ?? 'invalid');
  const request = isObject(detail['requestParameters']) ? detail['requestParameters'] : {};
  const response = isObject(detail['responseElements']) ? detail['responseElements'] : {};
  if (eventSource === undefined || eventName === undefined) {
    return { kind: 'malformed', reason: 'the CloudTrail record has no eventSource or eventName' };
  }
  if (caller === undefined)
    return { kind: 'malformed', reason: `${eventName}: the record has no userIdentity.type` };
  if (Number.isNaN(eventTime.getTime())) {
    return {
      kind: 'malformed',
      reason: `${eventName}: eventTime ${JSON.stringify(detail['eventTime'])} is not a time`,
    };
  }
  const facts: CallFacts = {
    rule: ref.rule,
    eventName,
    eventId: text(detail['eventID']) ?? '(no eventID)',
    eventTime,
    caller,
    errorCode: text(detail['errorCode']),
  };

  const signing = eventSource === 'signer.amazonaws.com' && SIGNING.has(eventName);
  const building =
    eventSource === 'codebuild.amazonaws.com' && (BUILD_START.has(eventName) || BUILD_RETRY.has(eventName));
  const watched = signing ? 'signatures' : building ? 'builds' : undefined;
  if (watched !== undefined && watched !== ref.watch) {
    return {
      kind: 'malformed',
      reason: `rule ${ref.rule} watches ${ref.watch}, not ${eventSource} ${eventName}`,
    };
  }

  if (signing) {
    const profileName = text(request['profileName']);
    if (profileName === undefined) {
      return { kind: 'malformed', reason: `${eventName}: requestParameters.profileName is missing` };
    }
    if (!profileName.startsWith(config.profilePrefix)) {
      return { kind: 'ignore', reason: `profile ${profileName} is not one of the environment's` };
    }
    const owner = ownerOf(config, 'profileNames', profileName);
    const elsewhere = answeredElsewhere(ref, owner, `profile ${profileName}`, detail['userIdentity'], config);
    if (elsewhere !== undefined) return elsewhere;
    if (owner !== undefined && isSessionOf(caller, owner[1].signingRoleNames, config.accountId)) {
      return {
        kind: 'ignore',
        reason: `app ${owner[0]}'s signing role ${caller.issuer?.userName} signed with its own profile`,
      };
    }
    // A profile no app owns (a removed app's): the catch-all leaves the environment's roles alone.
    if (owner === undefined && isEnvironmentSession(caller, config)) {
      return {
        kind: 'ignore',
        reason: `profile ${profileName} is no app's; role ${caller.issuer?.userName} is the environment's`,
      };
    }
    return { ...facts, kind: 'revoke', profileName, jobId: text(response['jobId']) };
  }

  if (building) {
    const named = BUILD_START.has(eventName) ? text(request['projectName']) : text(request['id']);
    if (named === undefined) {
      return { kind: 'malformed', reason: `${eventName}: the request names no project or build` };
    }
    // An ARN of another account or region names another project: the rules match a project ARN
    // by its `:project/<name>` tail, so the account and region are checked here.
    const arnPrefix = `arn:${config.partition}:codebuild:${config.region}:${config.accountId}:`;
    if (named.startsWith('arn:') && !named.startsWith(arnPrefix)) {
      return { kind: 'ignore', reason: `${named} is not of account ${config.accountId} in ${config.region}` };
    }
    const project = BUILD_START.has(eventName) ? projectOfName(named) : projectOfBuild(named);
    if (!project.startsWith(config.projectPrefix)) {
      return { kind: 'ignore', reason: `project ${project} is not one of the environment's` };
    }
    const owner = ownerOf(config, 'projectNames', project);
    const elsewhere = answeredElsewhere(ref, owner, `project ${project}`, detail['userIdentity'], config);
    if (elsewhere !== undefined) return elsewhere;
    if (owner !== undefined && isSessionOf(caller, [owner[1].pipelineRoleName], config.accountId)) {
      return {
        kind: 'ignore',
        reason: `app ${owner[0]}'s pipeline role ${caller.issuer?.userName} started the build`,
      };
    }
    if (owner === undefined && isEnvironmentSession(caller, config)) {
      return {
        kind: 'ignore',
        reason: `project ${project} is no app's; role ${caller.issuer?.userName} is the environment's`,
      };
    }
    const batch = eventName.endsWith('Batch');
    const started = response[batch ? 'buildBatch' : 'build'];
    const overrides = Object.keys(request)
      .filter((key) => key.endsWith('Override') || OTHER_OVERRIDES.has(key))
      .sort();
    return {
      ...facts,
      kind: 'stop',
      project,
      batch,
      buildId: isObject(started) ? text(started['id']) : undefined,
      overrides,
    };
  }
  return { kind: 'ignore', reason: `${eventSource} ${eventName} is not a call the guard answers` };
}
