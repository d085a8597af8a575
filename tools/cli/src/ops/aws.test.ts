import { AdaptiveRetryStrategy } from '@smithy/core/retry';
import { describe, expect, it } from 'vitest';
import { createAwsClients, MAX_ATTEMPTS } from './aws.js';

describe('createAwsClients', () => {
  it('retries throttled calls adaptively, up to the configured attempts, on both clients', async () => {
    const { signer, ecr } = createAwsClients({ region: 'eu-central-1' });
    for (const client of [signer, ecr]) {
      expect(await client.config.maxAttempts()).toBe(MAX_ATTEMPTS);
      expect(await client.config.retryStrategy()).toBeInstanceOf(AdaptiveRetryStrategy);
      expect(await client.config.region()).toBe('eu-central-1');
    }
    expect(MAX_ATTEMPTS).toBeGreaterThan(1);
  });
});
