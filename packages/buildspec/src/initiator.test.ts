import { afterAll, describe, expect, it } from 'vitest';
import { STAGE_ORDER, Stage } from './catalog.js';
import { BUILD_EXPORTS, PIPELINE_INITIATOR, cleanupPipelines, runPipeline } from './test/pipeline.js';

afterAll(cleanupPipelines);

/** How many commands the CodeBuild harness started, as its log shows them. */
function commandsRun(log: string): number {
  return log.split('\n').filter((line) => line.startsWith('[Container] Running command')).length;
}

// A direct StartBuild (console, CLI, a CI role) reports the caller; a build CodePipeline started
// reports `codepipeline/<pipeline>` (https://docs.aws.amazon.com/codebuild/latest/userguide/build-env-ref-env-vars.html).
const DIRECT_INITIATORS = [
  'user/alice',
  'signet-dev-hello-server-build/AssumedRoleSession',
  'codepipeline/signet-dev-other-app',
  'codepipeline/signet-dev-hello-server-extra',
  '',
];

describe.concurrent(
  'every stage runs only when its own pipeline started it (real bash, CodeBuild phase rules)',
  { timeout: 120_000 },
  () => {
    for (const stage of STAGE_ORDER) {
      for (const initiator of DIRECT_INITIATORS) {
        it(`${stage} refuses a build started by ${JSON.stringify(initiator)} in its first command and runs nothing else`, async () => {
          const result = await runPipeline(
            // Overridden variables, as a direct StartBuild would send them, change nothing.
            {
              initiator,
              env: {
                SIGNET_SIGNING_PROFILE_ARN:
                  'arn:aws:signer:eu-west-1:123456789012:/signing-profiles/signet_dev',
              },
            },
            { stages: [stage], exported: BUILD_EXPORTS },
          );
          const build = result.stages.get(stage);
          expect(build?.succeeded, result.log).toBe(false);
          expect(build?.phases).toEqual([{ phase: 'install', succeeded: false }]);
          expect(commandsRun(result.log)).toBe(1);
          expect(result.log).toContain(
            `CODEBUILD_INITIATOR is '${initiator}'; expected ${PIPELINE_INITIATOR}: this stage runs only when its pipeline starts it`,
          );
          // No tool was downloaded or run: no stand-in recorded a call.
          expect(result.calls).toEqual([]);
        });
      }
    }

    it('a build the pipeline started passes the check and goes on to install its tools', async () => {
      const result = await runPipeline(
        { tamperedDownload: 'notation' },
        { stages: [Stage.ApplicationSigning], exported: BUILD_EXPORTS },
      );
      // The check passed; the build stopped later, at the tampered download's checksum.
      expect(result.log).not.toContain('CODEBUILD_INITIATOR is');
      expect(commandsRun(result.log)).toBeGreaterThan(1);
      expect(result.log).toContain('FAILED');
    });
  },
);
