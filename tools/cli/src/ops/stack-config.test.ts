import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VERIFIER_NAMESPACE } from '@signet/platform';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CliError } from '../io.js';
import { WORKSPACE_ROOT } from '../test/harness.js';
import { revocationEffect, verifierCacheTtls } from './effect.js';
import { environmentTargets } from './environment.js';

const FIXTURE = new URL('./test/fixtures/workspace', import.meta.url).pathname;

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'signet-stack-config-'));
  cpSync(FIXTURE, root, { recursive: true });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Replaces a stack's `Pulumi.<env>.yaml` in the copied workspace. */
function writeConfig(stack: string, env: string, yaml: string): void {
  writeFileSync(join(root, 'stacks', stack, `Pulumi.${env}.yaml`), yaml);
}

function failureOf(run: () => unknown): CliError {
  try {
    run();
  } catch (error) {
    if (error instanceof CliError) return error;
    throw error;
  }
  throw new Error('expected a CliError');
}

describe("the signer stack's config, read through the signer stack's schema", () => {
  it('gives every app a profile per extra identity of the environment', () => {
    expect(environmentTargets(root, 'prod').profiles.map((p) => p.profileName)).toEqual([
      'signet_prod_alpha',
      'signet_prod_alpha_release',
      'signet_prod_beta',
      'signet_prod_beta_release',
    ]);
  });

  it('reads no extra identity where the signer stack has no config for the environment', () => {
    expect(environmentTargets(root, 'dev').profiles.map((p) => p.identity)).toEqual(['pipeline']);
  });

  it('refuses a value the signer stack refuses, naming file, key, value and what is allowed', () => {
    writeConfig(
      'signer',
      'prod',
      'config:\n  aws:region: eu-west-1\n  signet-signer:extraIdentities: [Release]\n',
    );
    const error = failureOf(() => environmentTargets(root, 'prod'));
    expect(error.exitCode).toBe(1);
    expect(error.message).toBe(
      "stacks/signer/Pulumi.prod.yaml does not validate against the signet-signer stack's config:\n" +
        '  signet-signer (Pulumi.prod.yaml): key "signet-signer:extraIdentities" has value ["Release"]; ' +
        'allowed: a list of identity names (1 to 16 lowercase letters, digits or "-", starting with a letter)',
    );
  });

  it('refuses an unknown key and a missing region, as the signer stack does when it starts', () => {
    writeConfig('signer', 'prod', 'config:\n  signet-signer:extraIdentity: [release]\n');
    const { message } = failureOf(() => environmentTargets(root, 'prod'));
    expect(message).toContain(
      'signet-signer (Pulumi.prod.yaml): key "signet-signer:extraIdentity" is not a known key; allowed: one of signet-signer:signatureValidityMonths, signet-signer:extraIdentities',
    );
    expect(message).toContain('signet-signer (Pulumi.prod.yaml): key "aws:region" is missing');
  });

  it('names the file that is not YAML', () => {
    writeConfig('signer', 'prod', 'config: [\n');
    expect(failureOf(() => environmentTargets(root, 'prod')).message).toMatch(
      /^stacks\/signer\/Pulumi\.prod\.yaml: not valid YAML: /,
    );
  });

  it('finds the signer stack by its Pulumi project, not by its folder', () => {
    cpSync(join(root, 'stacks', 'signer'), join(root, 'stacks', 'signing'), { recursive: true });
    rmSync(join(root, 'stacks', 'signer'), { recursive: true });
    expect(environmentTargets(root, 'prod').profiles).toHaveLength(4);
  });
});

describe("the eks stack's config, read through the eks stack's own loader", () => {
  it('reports the verifier cache TTL of every environment the eks stack is configured for', () => {
    expect(verifierCacheTtls(root)).toEqual([
      { environment: 'prod', file: 'stacks/eks/Pulumi.prod.yaml', seconds: 300 },
    ]);
    expect(verifierCacheTtls(WORKSPACE_ROOT).map((t) => [t.environment, t.seconds])).toEqual([
      ['dev', 300],
      ['staging', 300],
      ['prod', 300],
    ]);
  });

  it("applies the eks stack's rules per environment: a prod verifier with one replica is not a figure to quote", () => {
    writeConfig(
      'eks',
      'prod',
      [
        'config:',
        '  aws:region: eu-west-1',
        "  signet-eks:kubernetesVersion: '1.33'",
        '  signet-eks:nodeGroup: { instanceTypes: [m6i.large], capacityType: ON_DEMAND, minSize: 3, desiredSize: 3, maxSize: 6, diskSizeGiB: 50 }',
        '  signet-eks:verifier: { implementation: fork, repository: "https://charts.example.com/v", chart: v, version: 1.2.0, cacheTtlSeconds: 300, replicas: 1 }',
        '',
      ].join('\n'),
    );
    expect(verifierCacheTtls(root)).toEqual([
      { environment: 'prod', file: 'stacks/eks/Pulumi.prod.yaml', seconds: undefined },
    ]);
    expect(revocationEffect(root)).toContain(
      'the verifier cache TTL (prod unknown: stacks/eks/Pulumi.prod.yaml does not validate, `signet plan --env prod --stack eks` says why; `signet-eks:verifier` in stacks/eks/Pulumi.<env>.yaml)',
    );
  });

  it("names the verifier's namespace as the eks stack creates it", () => {
    expect(revocationEffect(root)).toContain(`kubectl -n ${VERIFIER_NAMESPACE} rollout restart deployment`);
    expect(revocationEffect(root)).toContain('admitted for up to the verifier cache TTL (prod 300s;');
  });

  it('falls back to the docs when no eks config can be found', () => {
    rmSync(join(root, 'stacks', 'eks'), { recursive: true });
    expect(revocationEffect(root)).toContain('admitted for up to the verifier cache TTL (see docs/eks.md);');
    expect(revocationEffect(undefined)).toContain('the verifier cache TTL (see docs/eks.md)');
  });
});
