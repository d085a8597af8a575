import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The fixture workspace of the operations commands. */
const FIXTURE = new URL('../ops/test/fixtures/workspace', import.meta.url).pathname;

/** The manifests of app alpha at the committed revision. */
export const ALPHA_MANIFESTS: Readonly<Record<string, string>> = {
  'deployment.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: alpha\n',
  'service.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: alpha\n',
};

/** A git repository of the fixture workspace in which alpha runs in dev, staging and prod. */
export interface PromotionWorkspace {
  readonly root: string;
  /** The commit holding {@link ALPHA_MANIFESTS}. */
  readonly commit: string;
  remove(): void;
}

/**
 * Copies the fixture workspace, deploys app alpha to dev, staging and prod (beta stays as it is),
 * writes its manifests plus a file the hash ignores, and commits it all in a new git repository.
 */
export function promotionWorkspace(): PromotionWorkspace {
  const root = mkdtempSync(join(tmpdir(), 'signet-promote-'));
  cpSync(FIXTURE, root, { recursive: true });
  const declaration = join(root, 'apps/alpha/package.json');
  const pkg = JSON.parse(readFileSync(declaration, 'utf8')) as { signet: { environments: string[] } };
  pkg.signet.environments = ['dev', 'staging', 'prod'];
  writeFileSync(declaration, `${JSON.stringify(pkg, null, 2)}\n`);
  for (const [name, content] of Object.entries(ALPHA_MANIFESTS)) {
    writeFileSync(join(root, 'apps/alpha/k8s', name), content);
  }
  writeFileSync(join(root, 'apps/alpha/k8s/README.md'), 'not applied, not hashed\n');
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', root, ...args], {
      encoding: 'utf8',
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: root,
        GIT_AUTHOR_NAME: 'Signet test',
        GIT_AUTHOR_EMAIL: 'test@signet.invalid',
        GIT_COMMITTER_NAME: 'Signet test',
        GIT_COMMITTER_EMAIL: 'test@signet.invalid',
      },
    }).trim();
  git('init', '--quiet', '--initial-branch', 'main');
  git('add', '--all');
  git('commit', '--quiet', '--message', 'alpha in every environment');
  const commit = git('rev-parse', 'HEAD');
  return { root, commit, remove: () => rmSync(root, { recursive: true, force: true }) };
}
