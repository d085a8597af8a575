import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildGitHubOidcTrustPolicy } from '@signet/policies';
import { describe, expect, it } from 'vitest';
import { workspaceRoot } from './workflows.js';

// docs/deploy.md gives the exact trust policies of the GitHub roles. Each block marked
// `<!-- trust-policy: <kind> -->` must parse and be what the builder writes for the doc's example
// repository, account and environment, so the doc cannot drift from the conditions Signet relies on.

const doc = readFileSync(join(workspaceRoot, 'docs', 'deploy.md'), 'utf8');
const PROVIDER = 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com';
const WORKFLOW = '.github/workflows/stacks.yml';

/** The JSON block after `<!-- trust-policy: kind -->`, parsed. */
function documented(kind: string): unknown {
  const match = new RegExp(`<!-- trust-policy: ${kind} -->\\s*\`\`\`json\\n([\\s\\S]*?)\`\`\``).exec(doc);
  if (match?.[1] === undefined) throw new Error(`docs/deploy.md has no trust-policy: ${kind} block`);
  return JSON.parse(match[1]);
}

describe('docs/deploy.md', () => {
  it('gives the deploy role the trust policy of prod on main, from stacks.yml, exactly', () => {
    const expected = buildGitHubOidcTrustPolicy({
      oidcProviderArn: PROVIDER,
      repository: 'acme/signet',
      environment: 'prod',
      workflow: WORKFLOW,
      ref: 'refs/heads/main',
    });
    expect(documented('deploy')).toEqual(expected);
    expect(JSON.stringify(documented('deploy'))).toContain(
      'job_workflow_ref:acme/signet/.github/workflows/stacks.yml@refs/heads/main',
    );
  });

  it('gives the preview role the trust policy of prod-preview on pull request merge refs only', () => {
    const expected = buildGitHubOidcTrustPolicy({
      oidcProviderArn: PROVIDER,
      repository: 'acme/signet',
      environment: 'prod-preview',
      workflow: WORKFLOW,
      ref: 'refs/pull/*/merge',
    });
    expect(documented('preview')).toEqual(expected);
  });

  it('names the variables and secrets the workflows read', () => {
    const workflows = ['stacks.yml']
      .map((f) => readFileSync(join(workspaceRoot, '.github', 'workflows', f), 'utf8'))
      .join('\n');
    for (const name of [
      'AWS_DEPLOY_ROLE_ARN',
      'AWS_PREVIEW_ROLE_ARN',
      'PULUMI_ACCESS_TOKEN',
      'PULUMI_PREVIEW_TOKEN',
      'DEPLOYER_PROJECT',
      'AWS_REGION',
    ]) {
      expect(workflows, `stacks.yml reads ${name}`).toContain(name);
      expect(doc, `docs/deploy.md names ${name}`).toContain(`\`${name}\``);
    }
  });
});
