import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { ECRClient } from '@aws-sdk/client-ecr';
import { S3Client } from '@aws-sdk/client-s3';
import { SignerClient, type SignerClientConfig } from '@aws-sdk/client-signer';

type RetryStrategy = NonNullable<SignerClientConfig['retryStrategy']>;

/**
 * Attempts per AWS call, first try included. Signer and ECR throttle list calls at a few requests
 * per second; the SDK's adaptive mode backs off exponentially with jitter and also rate-limits the
 * client after a throttle: https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 */
export const MAX_ATTEMPTS = 5;

/** Where and how the operations commands reach AWS. */
export interface AwsOptions {
  /** Region; default: the SDK's chain (`AWS_REGION`, profile, instance metadata). */
  readonly region?: string;
  /** Replaces the adaptive retry strategy (tests use a zero backoff). */
  readonly retryStrategy?: RetryStrategy;
}

/** The AWS clients the operations commands use. Credentials come from the SDK's default chain. */
export interface AwsClients {
  readonly signer: SignerClient;
  readonly ecr: ECRClient;
}

/** The retry and region settings every AWS client of the operations commands shares. */
export function awsClientConfig(options: AwsOptions) {
  return {
    ...(options.region === undefined ? {} : { region: options.region }),
    maxAttempts: MAX_ATTEMPTS,
    ...(options.retryStrategy === undefined
      ? { retryMode: 'adaptive' }
      : { retryStrategy: options.retryStrategy }),
  };
}

/**
 * Builds the clients; nothing is sent until a command calls them. `overrides` (credentials, HTTP
 * handler) is for tests that drive the SDK's middleware against a fake endpoint.
 */
export function createAwsClients(
  options: AwsOptions = {},
  overrides: Partial<SignerClientConfig> = {},
): AwsClients {
  const config = { ...awsClientConfig(options), ...overrides };
  return { signer: new SignerClient(config), ecr: new ECRClient(config) };
}

/** Makes an AWS client factory from options; commands take one so tests can pass their own. */
export type AwsClientFactory = (options: AwsOptions) => AwsClients;

/** What `signet promote` uses besides {@link AwsClients}: the target pipeline and its artifact bucket. */
export interface PromotionClients extends AwsClients {
  readonly codepipeline: CodePipelineClient;
  readonly s3: S3Client;
}

/** Builds the clients of `signet promote`, configured as {@link createAwsClients} configures its own. */
export function createPromotionClients(options: AwsOptions = {}): PromotionClients {
  const config = awsClientConfig(options);
  return {
    ...createAwsClients(options),
    codepipeline: new CodePipelineClient(config),
    s3: new S3Client(config),
  };
}

/** Makes the clients of `signet promote`; tests pass their own. */
export type PromotionClientFactory = (options: AwsOptions) => PromotionClients;
