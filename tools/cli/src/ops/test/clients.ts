import { Readable } from 'node:stream';
import { ECRClient } from '@aws-sdk/client-ecr';
import { SignerClient, type SignerClientConfig } from '@aws-sdk/client-signer';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import type { AwsClientFactory, AwsOptions } from '../aws.js';
import { createAwsClients, MAX_ATTEMPTS } from '../aws.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'example-secret' };

/** Clients with static credentials and a zero backoff; aws-sdk-client-mock stubs their `send`. */
export const mockedClients: AwsClientFactory = (options: AwsOptions) => {
  const config = { region: options.region ?? 'eu-west-1', credentials };
  return { signer: new SignerClient(config), ecr: new ECRClient(config) };
};

/** One canned HTTP answer of a fake AWS endpoint. */
export interface CannedResponse {
  readonly status: number;
  readonly errorType?: string;
  readonly body?: unknown;
}

/**
 * Clients whose HTTP layer answers from `responses` in order, so the SDK's own retry middleware
 * runs (aws-sdk-client-mock replaces `send` and so skips it). Backoff is zero: no real sleeping.
 */
export function scriptedClients(responses: CannedResponse[]): {
  factory: AwsClientFactory;
  requests: string[];
} {
  const requests: string[] = [];
  const requestHandler = {
    handle: async (request: { method: string; path: string }) => {
      requests.push(`${request.method} ${request.path}`);
      const next = responses.shift();
      if (next === undefined) throw new Error(`unexpected request ${request.method} ${request.path}`);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (next.errorType !== undefined) headers['x-amzn-errortype'] = next.errorType;
      const text = JSON.stringify(
        next.body ?? (next.errorType === undefined ? {} : { message: next.errorType }),
      );
      return { response: { statusCode: next.status, headers, body: Readable.from([Buffer.from(text)]) } };
    },
  };
  const factory: AwsClientFactory = (options) =>
    createAwsClients(
      { region: options.region ?? 'eu-west-1', retryStrategy: new ConfiguredRetryStrategy(MAX_ATTEMPTS, 0) },
      { credentials, requestHandler: requestHandler as SignerClientConfig['requestHandler'] },
    );
  return { factory, requests };
}
