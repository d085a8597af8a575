/**
 * The guard's answers: revoke a stray signature's job, stop a stray build, and publish what it
 * found and did to the security topic. A failed answer is published too, and then thrown, so that
 * Lambda retries the event and, after its retries, sends it to the dead-letter queue.
 */
import { CodeBuildClient, StopBuildBatchCommand, StopBuildCommand } from '@aws-sdk/client-codebuild';
import {
  DescribeSigningJobCommand,
  paginateListSigningJobs,
  RevokeSignatureCommand,
  SignerClient,
} from '@aws-sdk/client-signer';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { SigningGuardConfig } from './config.js';
import { decide, type Decision } from './decide.js';

/** The clients the guard calls AWS with. */
export interface GuardClients {
  readonly signer: SignerClient;
  readonly sns: SNSClient;
  readonly codebuild: CodeBuildClient;
}

/** What the guard did with one event (also its log line). */
export interface GuardOutcome {
  readonly decision: Decision['kind'];
  readonly reason?: string;
  readonly revokedJobs?: readonly string[];
  readonly stoppedBuild?: string;
  readonly failures?: readonly string[];
}

type Log = (entry: Record<string, unknown>) => void;
const jsonLog: Log = (entry) => console.log(JSON.stringify(entry));

const errorText = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

/** The default AWS clients (region and credentials from the Lambda environment). */
export function defaultClients(): GuardClients {
  return { signer: new SignerClient({}), sns: new SNSClient({}), codebuild: new CodeBuildClient({}) };
}

/** The guard for one environment's configuration: it answers invocations (./invocation.ts). */
export function createGuard(
  config: SigningGuardConfig,
  clients: GuardClients,
  log: Log = jsonLog,
): (invocation: unknown) => Promise<GuardOutcome> {
  const publish = async (subject: string, body: Record<string, unknown>): Promise<void> => {
    await clients.sns.send(
      new PublishCommand({
        TopicArn: config.topicArn,
        // SNS subjects are at most 100 characters.
        Subject: `Signet ${config.environment}: ${subject}`.slice(0, 100),
        Message: JSON.stringify({ environment: config.environment, ...body }, null, 2),
      }),
    );
  };

  /** The jobs an out-of-pipeline signing call made: by id, or by requester, profile and time. */
  const findJobs = async (decision: Extract<Decision, { kind: 'revoke' }>): Promise<string[]> => {
    if (decision.jobId !== undefined) return [decision.jobId];
    if (decision.caller.arn === undefined) return [];
    const window = config.jobSearchWindowMinutes * 60_000;
    const from = decision.eventTime.getTime() - window;
    const to = decision.eventTime.getTime() + window;
    const found: string[] = [];
    for await (const page of paginateListSigningJobs(
      { client: clients.signer },
      { requestedBy: decision.caller.arn, isRevoked: false },
    )) {
      for (const job of page.jobs ?? []) {
        const created = job.createdAt?.getTime();
        if (
          job.jobId !== undefined &&
          job.profileName === decision.profileName &&
          created !== undefined &&
          created >= from &&
          created <= to
        ) {
          found.push(job.jobId);
        }
      }
    }
    return found;
  };

  const revoke = async (decision: Extract<Decision, { kind: 'revoke' }>): Promise<GuardOutcome> => {
    const who = decision.caller.arn ?? decision.caller.type;
    const call = {
      rule: decision.rule,
      event: decision.eventName,
      eventId: decision.eventId,
      caller: who,
      profile: decision.profileName,
    };
    if (decision.errorCode !== undefined) {
      await publish(`failed ${decision.eventName} outside the pipeline`, {
        ...call,
        errorCode: decision.errorCode,
      });
      return { decision: 'revoke', reason: `the call failed (${decision.errorCode}): nothing was signed` };
    }
    const failures: string[] = [];
    const revoked: string[] = [];
    let jobs: string[] = [];
    try {
      jobs = await findJobs(decision);
      if (jobs.length === 0) failures.push('no signing job of this requester, profile and time was found');
    } catch (error) {
      failures.push(`ListSigningJobs: ${errorText(error)}`);
    }
    for (const jobId of jobs) {
      try {
        // The revoke permission cannot be scoped to the environment's profiles, so the job is read
        // first and only a job of one of them is revoked.
        const job = await clients.signer.send(new DescribeSigningJobCommand({ jobId }));
        if (job.profileName === undefined || !job.profileName.startsWith(config.profilePrefix)) {
          failures.push(
            `job ${jobId} is of profile ${job.profileName ?? '(none)'}, not one of the environment's`,
          );
          continue;
        }
        if (job.revocationRecord !== undefined) {
          revoked.push(jobId);
          continue;
        }
        await clients.signer.send(
          new RevokeSignatureCommand({
            jobId,
            ...(job.jobOwner === undefined ? {} : { jobOwner: job.jobOwner }),
            reason:
              `Signet signing guard: ${decision.eventName} by ${who} outside the pipeline (CloudTrail event ${decision.eventId})`.slice(
                0,
                500,
              ),
          }),
        );
        revoked.push(jobId);
      } catch (error) {
        failures.push(`job ${jobId}: ${errorText(error)}`);
      }
    }
    const outcome: GuardOutcome = { decision: 'revoke', revokedJobs: revoked, failures };
    await publish(
      failures.length === 0
        ? `revoked a signature made outside the pipeline`
        : `NOT revoked: a signature made outside the pipeline`,
      {
        ...call,
        revokedJobs: revoked,
        failures,
        ...(failures.length === 0 ? {} : { action: 'revoke by hand: pnpm signet revoke --job <jobId>' }),
      },
    );
    if (failures.length > 0) throw new Error(`signing guard: revocation incomplete: ${failures.join('; ')}`);
    return outcome;
  };

  const stop = async (decision: Extract<Decision, { kind: 'stop' }>): Promise<GuardOutcome> => {
    const who = decision.caller.arn ?? decision.caller.type;
    const call = {
      rule: decision.rule,
      event: decision.eventName,
      eventId: decision.eventId,
      caller: who,
      project: decision.project,
      overrides: decision.overrides,
    };
    if (decision.errorCode !== undefined || decision.buildId === undefined) {
      await publish(`${decision.eventName} outside the pipeline, not started`, {
        ...call,
        errorCode: decision.errorCode ?? '(no build id in the response)',
      });
      return { decision: 'stop', reason: 'no build was started' };
    }
    const failures: string[] = [];
    try {
      await clients.codebuild.send(
        decision.batch
          ? new StopBuildBatchCommand({ id: decision.buildId })
          : new StopBuildCommand({ id: decision.buildId }),
      );
    } catch (error) {
      failures.push(
        `${decision.batch ? 'StopBuildBatch' : 'StopBuild'} ${decision.buildId}: ${errorText(error)}`,
      );
    }
    await publish(
      failures.length === 0
        ? `stopped a build started outside the pipeline`
        : `NOT stopped: a build started outside the pipeline`,
      {
        ...call,
        build: decision.buildId,
        failures,
        note: 'a build that signed or pushed before it was stopped leaves a signature or an image: check the signing jobs and the repository',
      },
    );
    if (failures.length > 0) throw new Error(`signing guard: ${failures.join('; ')}`);
    return { decision: 'stop', stoppedBuild: decision.buildId, failures };
  };

  return async (invocation: unknown): Promise<GuardOutcome> => {
    const decision = decide(invocation, config);
    let outcome: GuardOutcome;
    switch (decision.kind) {
      case 'ignore':
        outcome = { decision: 'ignore', reason: decision.reason };
        break;
      case 'malformed':
        // Reported and dropped: a retry would read the same event the same way.
        await publish('unreadable event received by the signing guard', {
          reason: decision.reason,
          invocation: JSON.stringify(invocation)?.slice(0, 4000) ?? String(invocation),
        });
        outcome = { decision: 'malformed', reason: decision.reason };
        break;
      case 'revoke':
        outcome = await revoke(decision);
        break;
      case 'stop':
        outcome = await stop(decision);
        break;
    }
    log({ guard: 'signing-guard', ...outcome });
    return outcome;
  };
}
