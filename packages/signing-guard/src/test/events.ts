/**
 * CloudTrail records in EventBridge's envelope, shaped as AWS documents them:
 * - the envelope (`version`, `id`, `detail-type` "AWS API Call via CloudTrail", `source`,
 *   `account`, `time`, `region`, `resources`, `detail`):
 *   https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html
 * - the record (`eventVersion`, `userIdentity`, `eventTime`, `eventSource`, `eventName`,
 *   `awsRegion`, `sourceIPAddress`, `userAgent`, `requestParameters`, `responseElements`,
 *   `requestID`, `eventID`, `readOnly`, `eventType`, `managementEvent`, `recipientAccountId`,
 *   `eventCategory`, and `errorCode`/`errorMessage` for a failed call):
 *   https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 * - `userIdentity` of an IAM user and of an assumed-role session (`sessionContext.sessionIssuer`
 *   of type `Role`, with the role's `userName` and `accountId`), and `invokedBy` when a service
 *   made the call (CodePipeline's StartBuild):
 *   https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
 * - the request and response members of SignPayload (`profileName`, `profileOwner`,
 *   `payloadFormat`; `jobId`, `jobOwner`), StartSigningJob (`source`, `destination`,
 *   `profileName`, `clientRequestToken`; `jobId`, `jobOwner`) and StartBuild (`projectName` and the
 *   `…Override` members; `build`): the Signer and CodeBuild API references.
 * CodeBuild runs a build with its service role in a session named `AWSCodeBuild-<build uuid>`.
 */
import type { SigningGuardConfig } from '../config.js';
import { guardInputTemplate } from '../invocation.js';

export const ACCOUNT = '111122223333';
export const OTHER_ACCOUNT = '444455556666';
export const REGION = 'eu-west-1';
export const PROFILE = 'signet_dev_hello_server';
export const SIGNING_ROLE = 'signet-dev-hello-server-sign';
export const PIPELINE_ROLE = 'signet-dev-hello-server-pipeline';
export const BUILD_ROLE = 'signet-dev-hello-server-build';
export const PROJECT = 'signet-dev-hello-server-application-signing';
/** A second app of the environment: its signing role must not sign with hello-server's profiles. */
export const OTHER_APP_SIGNING_ROLE = 'signet-dev-billing-sign';
export const OTHER_APP_PROFILE = 'signet_dev_billing';
/** A profile of the environment that no app owns any more (a removed app's). */
export const REMOVED_APP_PROFILE = 'signet_dev_retired';
export const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:signet-dev-security`;
export const JOB_ID = '2a5a7a36-8f3e-4a7b-9a51-3e5f0f0b6d1c';
export const EVENT_TIME = '2026-11-30T10:15:00Z';

export type Identity = Record<string, unknown>;

/** The guard's configuration in the tests: the dev environment of two apps. */
export const CONFIG: SigningGuardConfig = {
  environment: 'dev',
  accountId: ACCOUNT,
  region: REGION,
  partition: 'aws',
  profilePrefix: 'signet_dev_',
  projectPrefix: 'signet-dev-',
  rolePrefix: 'signet-dev-',
  apps: {
    'hello-server': {
      profileNames: [PROFILE, 'signet_dev_hello_server_release'],
      projectNames: [PROJECT, 'signet-dev-hello-server-build'],
      signingRoleNames: [SIGNING_ROLE],
      pipelineRoleName: PIPELINE_ROLE,
    },
    billing: {
      profileNames: [OTHER_APP_PROFILE],
      projectNames: ['signet-dev-billing-application-signing'],
      signingRoleNames: [OTHER_APP_SIGNING_ROLE],
      pipelineRoleName: 'signet-dev-billing-pipeline',
    },
  },
  topicArn: TOPIC_ARN,
  jobSearchWindowMinutes: 10,
};

export function iamUser(name: string, account = ACCOUNT): Identity {
  return {
    type: 'IAMUser',
    principalId: 'AIDACKCEVSQ6C2EXAMPLE',
    arn: `arn:aws:iam::${account}:user/${name}`,
    accountId: account,
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    userName: name,
  };
}

export function roleSession(role: string, session: string, account = ACCOUNT, invokedBy?: string): Identity {
  return {
    type: 'AssumedRole',
    principalId: `AROAEXAMPLEID:${session}`,
    arn: `arn:aws:sts::${account}:assumed-role/${role}/${session}`,
    accountId: account,
    accessKeyId: 'ASIAIOSFODNN7EXAMPLE',
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: 'AROAEXAMPLEID',
        arn: `arn:aws:iam::${account}:role/${role}`,
        accountId: account,
        userName: role,
      },
      webIdFederationData: {},
      attributes: { creationDate: '2026-11-30T10:10:00Z', mfaAuthenticated: 'false' },
    },
    ...(invokedBy === undefined ? {} : { invokedBy }),
  };
}

/** The signing stage's session: CodeBuild's service-role session of a build. */
export const signingStage = (): Identity =>
  roleSession(SIGNING_ROLE, 'AWSCodeBuild-7f0c8c1e-1d2b-4d0e-9d6a-0c1b2a3d4e5f');

/** CodePipeline's session of the pipeline role. */
export const pipeline = (): Identity =>
  roleSession(PIPELINE_ROLE, '1701339300123', ACCOUNT, 'codepipeline.amazonaws.com');

function envelope(source: string, detail: Record<string, unknown>): Record<string, unknown> {
  return {
    version: '0',
    id: '6f5a8e2c-0d9b-4c1e-8a7f-2b3c4d5e6f70',
    'detail-type': 'AWS API Call via CloudTrail',
    source,
    account: ACCOUNT,
    time: EVENT_TIME,
    region: REGION,
    resources: [],
    detail,
  };
}

function record(
  eventSource: string,
  eventName: string,
  userIdentity: Identity,
  requestParameters: Record<string, unknown>,
  responseElements: Record<string, unknown> | null,
  errorCode?: string,
): Record<string, unknown> {
  const service = typeof userIdentity['invokedBy'] === 'string' ? userIdentity['invokedBy'] : undefined;
  return {
    eventVersion: '1.08',
    userIdentity,
    eventTime: EVENT_TIME,
    eventSource,
    eventName,
    awsRegion: REGION,
    sourceIPAddress: service ?? '192.0.2.0',
    userAgent: service ?? 'aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64',
    requestParameters,
    responseElements,
    ...(errorCode === undefined ? {} : { errorCode, errorMessage: `User is not authorized (${errorCode})` }),
    requestID: 'c5b9a8e0-1f2d-4e3c-9b8a-7d6e5f4c3b2a',
    eventID: '0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0',
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
  };
}

export function signPayload(
  userIdentity: Identity,
  options: { profileName?: string; jobId?: string | null; errorCode?: string } = {},
): Record<string, unknown> {
  const jobId = options.jobId === undefined ? JOB_ID : options.jobId;
  return envelope(
    'aws.signer',
    record(
      'signer.amazonaws.com',
      'SignPayload',
      userIdentity,
      {
        profileName: options.profileName ?? PROFILE,
        payloadFormat: 'application/vnd.cncf.notary.payload.v1+json',
      },
      options.errorCode !== undefined || jobId === null ? null : { jobId, jobOwner: ACCOUNT },
      options.errorCode,
    ),
  );
}

export function startSigningJob(
  userIdentity: Identity,
  options: { jobId?: string | null } = {},
): Record<string, unknown> {
  const jobId = options.jobId === undefined ? JOB_ID : options.jobId;
  return envelope(
    'aws.signer',
    record(
      'signer.amazonaws.com',
      'StartSigningJob',
      userIdentity,
      {
        source: { s3: { bucketName: 'example-bucket', key: 'image.zip', version: '1' } },
        destination: { s3: { bucketName: 'example-bucket', prefix: 'signed/' } },
        profileName: PROFILE,
        clientRequestToken: '3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7',
      },
      jobId === null ? null : { jobId, jobOwner: ACCOUNT },
    ),
  );
}

export function startBuild(
  userIdentity: Identity,
  options: {
    projectName?: string;
    overrides?: Record<string, unknown>;
    started?: boolean;
    errorCode?: string;
  } = {},
): Record<string, unknown> {
  const projectName = options.projectName ?? PROJECT;
  const buildId = `${projectName.slice(projectName.lastIndexOf('/') + 1)}:9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d`;
  return envelope(
    'aws.codebuild',
    record(
      'codebuild.amazonaws.com',
      'StartBuild',
      userIdentity,
      { projectName, ...options.overrides },
      options.started === false || options.errorCode !== undefined
        ? null
        : {
            build: {
              id: buildId,
              arn: `arn:aws:codebuild:${REGION}:${ACCOUNT}:build/${buildId}`,
              buildStatus: 'IN_PROGRESS',
              currentPhase: 'QUEUED',
              projectName,
            },
          },
      options.errorCode,
    ),
  );
}

/** What a direct build of the signing stage sends to get any digest signed. */
export const SIGN_ANY_DIGEST = {
  environmentVariablesOverride: [
    { name: 'IMAGE_DIGEST', value: 'sha256:' + 'a'.repeat(64), type: 'PLAINTEXT' },
    {
      name: 'IMAGE_URI',
      value: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/signet-dev/hello-server`,
      type: 'PLAINTEXT',
    },
  ],
  buildspecOverride: 'version: 0.2\nphases:\n  build:\n    commands: [notation sign ...]\n',
  sourceTypeOverride: 'NO_SOURCE',
};

/**
 * What the target of rule `rule` sends the function for `event`: the rule's input template with
 * EventBridge's `<aws.events.event.json>` replaced by the event.
 */
export function invocation(rule: string, event: unknown): unknown {
  return JSON.parse(guardInputTemplate(rule).replace('<aws.events.event.json>', JSON.stringify(event)));
}
