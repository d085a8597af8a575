import { describe, expect, it } from 'vitest';
import { describePinProblems, pinProblems, usesRefs, workflowFiles } from './workflows.js';

const SHA = '11d5960a326750d5838078e36cf38b85af677262';

/** The pin problems of an inline workflow, as the repository test reports them. */
function problemsOf(yaml: string): string[] {
  return describePinProblems(usesRefs('/tmp/example.yml', yaml));
}

describe('the workflows in .github/workflows', () => {
  const files = workflowFiles();

  it('exist, and use actions (a check that reads nothing proves nothing)', () => {
    expect(files.length).toBeGreaterThan(0);
    expect(files.flatMap((file) => usesRefs(file)).length).toBeGreaterThan(0);
  });

  it('pin every action and reusable workflow to a full commit SHA with a trailing "# vX.Y.Z"', () => {
    expect(describePinProblems(files.flatMap((file) => usesRefs(file)))).toEqual([]);
  });
});

describe('usesRefs', () => {
  it('finds the actions of steps and the reusable workflows of jobs, with line and trailing comment', () => {
    const refs = usesRefs(
      '/tmp/example.yml',
      [
        'on: push',
        'jobs:',
        '  build:',
        '    runs-on: ubuntu-24.04',
        '    steps:',
        `      - uses: actions/checkout@${SHA} # v4.4.0`,
        '      - name: Say hello',
        '        run: echo hello',
        '      - name: Setup',
        `        uses: actions/setup-node@${SHA}`,
        '        # v4.4.0 on its own line is no pin comment',
        '  call:',
        `    uses: octo/workflows/.github/workflows/deploy.yml@${SHA} # v1.2.3`,
        '  local:',
        '    uses: ./.github/workflows/stacks.yml',
      ].join('\n'),
    );
    expect(refs).toEqual([
      {
        file: '/tmp/example.yml',
        line: 6,
        where: 'jobs.build.steps[0]',
        uses: `actions/checkout@${SHA}`,
        comment: 'v4.4.0',
      },
      {
        file: '/tmp/example.yml',
        line: 10,
        where: 'jobs.build.steps[2] ("Setup")',
        uses: `actions/setup-node@${SHA}`,
        comment: undefined,
      },
      {
        file: '/tmp/example.yml',
        line: 13,
        where: 'jobs.call',
        uses: `octo/workflows/.github/workflows/deploy.yml@${SHA}`,
        comment: 'v1.2.3',
      },
      {
        file: '/tmp/example.yml',
        line: 15,
        where: 'jobs.local',
        uses: './.github/workflows/stacks.yml',
        comment: undefined,
      },
    ]);
  });

  it('refuses a file that is not valid YAML, naming it', () => {
    expect(() => usesRefs('/tmp/broken.yml', 'jobs:\n  a: [\n')).toThrow(
      /\/tmp\/broken\.yml is not valid YAML/,
    );
  });
});

describe('pinProblems', () => {
  it('accepts a full SHA with its release tag, and local refs', () => {
    expect(pinProblems({ uses: `actions/checkout@${SHA}`, comment: 'v4.4.0' })).toEqual([]);
    expect(pinProblems({ uses: './.github/workflows/stacks.yml', comment: undefined })).toEqual([]);
    expect(pinProblems({ uses: './.github/actions/setup', comment: undefined })).toEqual([]);
  });

  it('names the file, the step and the bad ref of a 39-character SHA', () => {
    const short = SHA.slice(0, 39);
    expect(
      problemsOf(
        `jobs:\n  checks:\n    steps:\n      - name: Check out\n        uses: actions/checkout@${short} # v4.4.0\n`,
      ),
    ).toEqual([
      `/tmp/example.yml:5 jobs.checks.steps[0] ("Check out"): uses "actions/checkout@${short}": ref "${short}" has 39 hex characters; a full commit SHA has 40, lowercase`,
    ]);
  });

  it('refuses a tag or branch, in a step or a reusable-workflow call', () => {
    expect(problemsOf('jobs:\n  up:\n    steps:\n      - uses: pulumi/actions@v6\n')).toEqual([
      '/tmp/example.yml:4 jobs.up.steps[0]: uses "pulumi/actions@v6": ref "v6" is a tag or branch, which can be moved; pin the 40-hex commit SHA of the release',
      '/tmp/example.yml:4 jobs.up.steps[0]: uses "pulumi/actions@v6": has no trailing "# vX.Y.Z" comment naming the release tag of the pinned commit',
    ]);
    expect(
      problemsOf('jobs:\n  deploy:\n    uses: octo/ci/.github/workflows/deploy.yml@main # v1.0.0\n'),
    ).toEqual([
      '/tmp/example.yml:3 jobs.deploy: uses "octo/ci/.github/workflows/deploy.yml@main": ref "main" is a tag or branch, which can be moved; pin the 40-hex commit SHA of the release',
    ]);
  });

  it('refuses an uppercase SHA and a ref-less action', () => {
    expect(pinProblems({ uses: `actions/checkout@${SHA.toUpperCase()}`, comment: 'v4.4.0' })).toEqual([
      `ref "${SHA.toUpperCase()}" has 40 hex characters; a full commit SHA has 40, lowercase`,
    ]);
    expect(pinProblems({ uses: 'actions/checkout', comment: undefined })).toEqual([
      'names no ref; pin it as owner/repo@<40-hex commit SHA> # vX.Y.Z',
    ]);
  });

  it('wants the comment to be exactly the release tag', () => {
    expect(pinProblems({ uses: `actions/checkout@${SHA}`, comment: undefined })).toEqual([
      'has no trailing "# vX.Y.Z" comment naming the release tag of the pinned commit',
    ]);
    expect(pinProblems({ uses: `actions/checkout@${SHA}`, comment: 'v4' })).toEqual([
      'trailing comment "# v4" is not exactly "# vX.Y.Z" (the release tag)',
    ]);
    expect(
      pinProblems({ uses: `pnpm/action-setup@${SHA}`, comment: 'v4.1.0 (version from packageManager)' }),
    ).toEqual([
      'trailing comment "# v4.1.0 (version from packageManager)" is not exactly "# vX.Y.Z" (the release tag)',
    ]);
  });

  it('wants a docker:// image pinned by digest', () => {
    expect(pinProblems({ uses: `docker://alpine@sha256:${'a'.repeat(64)}`, comment: undefined })).toEqual([]);
    expect(pinProblems({ uses: 'docker://alpine:3.20', comment: undefined })).toEqual([
      'a docker:// image must be pinned by its @sha256: digest',
    ]);
  });
});
