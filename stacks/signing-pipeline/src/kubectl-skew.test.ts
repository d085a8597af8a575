import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_TOOLS } from '@signet/buildspec';
import { ENVIRONMENTS } from '@signet/platform';
import { describe, expect, it } from 'vitest';

// The deploy and verify stages drive the cluster with the kubectl the buildspecs pin. kubectl is
// supported within one minor version of the API server
// (https://kubernetes.io/releases/version-skew-policy/#kubectl), so the pin must follow the eks stack.
const eksStackDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../eks');

function clusterMinor(env: string): number {
  const file = path.join(eksStackDir, `Pulumi.${env}.yaml`);
  const match = /signet-eks:kubernetesVersion:\s*'?1\.(\d+)'?/.exec(readFileSync(file, 'utf8'));
  if (!match?.[1]) throw new Error(`${file}: no signet-eks:kubernetesVersion of the form 1.<minor>`);
  return Number(match[1]);
}

describe('kubectl of the pipeline stages', () => {
  const kubectlMinor = Number(DEFAULT_TOOLS.kubectl.version.split('.')[1]);

  it.each(ENVIRONMENTS)('is within one minor version of the %s cluster', (env) => {
    expect(Math.abs(kubectlMinor - clusterMinor(env))).toBeLessThanOrEqual(1);
  });
});
