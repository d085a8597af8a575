import {
  configKey,
  defineStackConfig,
  environmentsWhere,
  listEnvironments,
  LOG_RETENTION_DAYS,
  SourceKind,
} from '@signet/platform';
import { z } from 'zod';

const BRANCH = z
  .string()
  .min(1)
  .max(255)
  .regex(/^(?!\/|.*\/\/|.*\.\.|.*\/$)[A-Za-z0-9._/-]+$/);

const sourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal(SourceKind.CodeCommit), branch: BRANCH.default('main') }).strict(),
  z
    .object({
      kind: z.literal(SourceKind.CodeConnections),
      connectionArn: z
        .string()
        .regex(
          /^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection\/[0-9a-f-]{36}$/,
        ),
      repository: z.string().regex(/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+$/),
      branch: BRANCH.default('main'),
    })
    .strict(),
]);

/** Configuration of `signet-signing-pipeline`, per environment in `Pulumi.<env>.yaml`. */
export const signingPipelineConfig = defineStackConfig('signet-signing-pipeline', {
  source: configKey(
    sourceSchema
      .optional()
      .describe(
        'Where every app pipeline of the building environment takes its source: a CodeCommit repository per app (as in the AWS blog), ' +
          'or a GitHub/GitLab/Bitbucket repository through a CodeConnections connection, triggered only by changes to the app folder. ' +
          `Default { kind: codecommit, branch: main } in ${listEnvironments(environmentsWhere((t) => t.promotesFrom === null))}; refused in the environments that promote (they have no source repository).`,
      ),
    '{ kind: codecommit, branch } or { kind: codeconnections, connectionArn: <CodeConnections connection ARN>, repository: <owner/name>, branch }',
  ),
  manualApproval: configKey(
    z
      .boolean()
      .optional()
      .describe(
        `A manual approval: before ReleaseSigning where the environment has a release signature (nothing it admits is signed before it), else before ApplicationDeployment. Default: on in ${listEnvironments(environmentsWhere((t) => t.manualApprovalByDefault))} only.`,
      ),
    'true or false',
  ),
  logRetentionDays: configKey(
    z
      .number()
      .int()
      .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days))
      .default(90)
      .describe('Retention of the stage log groups, in days.'),
    `one of ${LOG_RETENTION_DAYS.join(', ')}`,
  ),
  artifactRetentionDays: configKey(
    z
      .number()
      .int()
      .min(1)
      .max(365)
      .default(30)
      .describe('Days pipeline artifacts (and their noncurrent versions) are kept in the artifact bucket.'),
    'an integer from 1 to 365',
  ),
  notificationEmails: configKey(
    z
      .array(z.string().regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/))
      .default([])
      .describe('Email addresses subscribed to failure and approval notifications (each confirms by mail).'),
    'a list of email addresses',
  ),
});
