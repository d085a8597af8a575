import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  pullRequestCredentialProblems,
  readWorkflow,
  workflowEvents,
  type WorkflowSource,
} from './credentials.js';
import { workflowFiles, workflowsDir } from './workflows.js';

const inline = (file: string, yaml: string): WorkflowSource => ({ file, workflow: parse(yaml) });

/** The repository's stacks.yml, or a stand-in for it. */
const repositoryStacks = () => readWorkflow(join(workflowsDir, 'stacks.yml'));

describe('the workflows in .github/workflows', () => {
  const sources = workflowFiles().map(readWorkflow);

  it('include a pull request workflow that calls the stacks workflow (a check of nothing proves nothing)', () => {
    const ci = sources.find((s) => s.file.endsWith('ci.yml'));
    expect(ci && workflowEvents(ci.workflow)).toContain('pull_request');
    expect(JSON.stringify(ci?.workflow)).toContain('./.github/workflows/stacks.yml');
  });

  it('give no job a pull request runs the deploy token or the deploy role', () => {
    expect(sources.flatMap((source) => pullRequestCredentialProblems(source))).toEqual([]);
  });

  it('deploy in the dev, staging and prod GitHub environments, in that order, with command up', () => {
    const deploy = sources.find((s) => s.file.endsWith('deploy.yml'));
    const jobs = (
      deploy?.workflow as {
        jobs: Record<string, { uses?: string; needs?: string; with?: Record<string, string> }>;
      }
    ).jobs;
    const calls = Object.entries(jobs).filter(([, job]) => job.uses === './.github/workflows/stacks.yml');
    expect(
      calls.map(([id, job]) => [id, job.with?.['environment'], job.with?.['command'], job.needs]),
    ).toEqual([
      ['dev', 'dev', 'up', 'checks'],
      ['staging', 'staging', 'up', 'dev'],
      ['prod', 'prod', 'up', 'staging'],
    ]);
  });
});

describe('pullRequestCredentialProblems', () => {
  const pr = (jobs: string) => inline('ci.yml', `on:\n  pull_request:\n    branches: [main]\njobs:\n${jobs}`);

  it('flags the deploy token or role named in a pull request job, in any spelling', () => {
    const problems = pullRequestCredentialProblems(
      pr(
        [
          '  a:',
          '    runs-on: ubuntu-24.04',
          '    env:',
          "      TOKEN: ${{ secrets['PULUMI_ACCESS_TOKEN'] }}",
          '    steps:',
          '      - run: echo "${{ vars.AWS_DEPLOY_ROLE_ARN }}"',
        ].join('\n'),
      ),
    );
    expect(problems).toEqual([
      `ci.yml jobs.a.env.TOKEN: \${{ secrets['PULUMI_ACCESS_TOKEN'] }} names a deploy credential in a pull request job`,
      'ci.yml jobs.a.steps[0].run: ${{ vars.AWS_DEPLOY_ROLE_ARN }} names a deploy credential in a pull request job',
    ]);
  });

  it('flags secrets: inherit, a deploy environment, and a call of stacks.yml that is not a preview', () => {
    const problems = pullRequestCredentialProblems(
      pr(
        [
          '  up:',
          '    uses: ./.github/workflows/stacks.yml',
          '    secrets: inherit',
          '    with: { environment: prod, github_environment: prod, command: up, base: main }',
          '  env:',
          '    runs-on: ubuntu-24.04',
          '    environment: prod',
          '    steps: [{ run: "true" }]',
        ].join('\n'),
      ),
      () => repositoryStacks(),
    );
    expect(problems).toEqual([
      'ci.yml jobs.up: passes secrets: inherit to a pull request job',
      'ci.yml jobs.up: calls ./.github/workflows/stacks.yml with command "up"; allowed: "preview"',
      'ci.yml jobs.up: calls ./.github/workflows/stacks.yml with github_environment "prod"; allowed: a *-preview environment',
      'ci.yml jobs.env: environment "prod" is not a *-preview environment',
    ]);
  });

  it('flags a called workflow that hands out the deploy token without the "up" guard', () => {
    const unguarded = inline(
      '.github/workflows/stacks.yml',
      [
        'on: { workflow_call: { inputs: { command: { type: string, required: true } } } }',
        'jobs:',
        '  s:',
        '    runs-on: ubuntu-24.04',
        '    env:',
        '      PULUMI_ACCESS_TOKEN: ${{ secrets.PULUMI_ACCESS_TOKEN }}',
        '    steps: [{ run: "true" }]',
      ].join('\n'),
    );
    const caller = pr(
      [
        '  preview:',
        '    uses: ./.github/workflows/stacks.yml',
        '    with: { environment: dev, github_environment: dev-preview, command: preview, base: main }',
      ].join('\n'),
    );
    expect(pullRequestCredentialProblems(caller, () => unguarded)).toEqual([
      `.github/workflows/stacks.yml jobs.s.env.PULUMI_ACCESS_TOKEN: \${{ secrets.PULUMI_ACCESS_TOKEN }} names a deploy credential outside "inputs.command == 'up' && …", and ci.yml jobs.preview calls it`,
    ]);
    // The repository's own stacks.yml names them behind the guard only.
    expect(pullRequestCredentialProblems(caller, () => repositoryStacks())).toEqual([]);
  });

  it('leaves workflows that pull requests do not run alone', () => {
    const push = inline(
      'deploy.yml',
      'on: { push: { branches: [main] } }\njobs:\n  a:\n    runs-on: x\n    env: { T: "${{ secrets.PULUMI_ACCESS_TOKEN }}" }\n    steps: [{ run: "true" }]',
    );
    expect(pullRequestCredentialProblems(push)).toEqual([]);
  });
});
