import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { motoEnvironment, startMoto, startRegistry } from './services.js';
import { requireTestEngine } from './versions.js';

describe('local services on loopback', () => {
  it('starts the distribution registry on 127.0.0.1, answers the OCI /v2/ probe, and stops', async () => {
    const registry = await startRegistry(requireTestEngine('docker-registry'));
    try {
      expect(registry.host).toMatch(/^127\.0\.0\.1:\d+$/);
      const response = await fetch(`${registry.url}/v2/`);
      expect(response.status).toBe(200);
      expect(response.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
    } finally {
      await registry.stop();
    }
    await expect(fetch(`${registry.url}/v2/`)).rejects.toThrow();
  });

  it('starts moto_server, which the AWS CLI reaches through AWS_ENDPOINT_URL', async () => {
    const moto = await startMoto(requireTestEngine('moto_server'));
    try {
      const aws = spawnSync(requireTestEngine('aws'), ['sts', 'get-caller-identity', '--output', 'json'], {
        encoding: 'utf8',
        env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...motoEnvironment(moto) },
      });
      expect(aws.status, aws.stderr).toBe(0);
      expect(JSON.parse(aws.stdout)).toMatchObject({ Account: '123456789012' });
    } finally {
      await moto.stop();
    }
  }, 60_000);
});
