import { describe, expect, it } from 'vitest';
import {
  artifactBucketName,
  approverRoleName,
  deployerRoleName,
  environmentNamePattern,
  physicalName,
  pipelineName,
  pipelineRoleName,
  pluginMirrorBucketName,
  stageProjectName,
  stageRoleName,
} from './naming.js';

describe('the names of an app’s pipeline', () => {
  it('are the environment’s physical names', () => {
    expect(pipelineName('prod', 'hello-server')).toBe('signet-prod-hello-server');
    expect(pipelineRoleName('prod', 'hello-server')).toBe('signet-prod-hello-server-pipeline');
    expect(stageProjectName('dev', 'hello-server', 'application-signing')).toBe(
      physicalName('dev', 'hello-server-application-signing'),
    );
    expect(stageRoleName('dev', 'hello-server', 'sign')).toBe('signet-dev-hello-server-sign');
    expect(approverRoleName('staging')).toBe('signet-staging-pipeline-approver');
    expect(deployerRoleName('prod')).toBe('signet-prod-deployer');
  });

  it('cover every app of an environment as patterns, and no other environment', () => {
    expect(environmentNamePattern('dev', 'physical')).toBe('signet-dev-*');
    expect(environmentNamePattern('dev', 'profile')).toBe('signet_dev_*');
  });

  it('refuse an app or stage name that is not a name part', () => {
    expect(() => pipelineName('dev', '*')).toThrow('app name "*" is invalid');
    expect(() => stageProjectName('dev', 'app', 'Build')).toThrow('stage slug "Build" is invalid');
    expect(() => stageRoleName('dev', 'app', '')).toThrow('stage role suffix "" is invalid');
  });
});

describe('pluginMirrorBucketName', () => {
  it('is the environment’s name with the account and region, a valid S3 bucket name', () => {
    expect(pluginMirrorBucketName('dev', '123456789012', 'eu-west-1')).toBe(
      'signet-dev-signer-plugin-123456789012-eu-west-1',
    );
    expect(pluginMirrorBucketName('staging', '123456789012', 'ap-southeast-2')).toMatch(
      /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/,
    );
  });

  it('refuses an account id or region that is not one', () => {
    expect(() => pluginMirrorBucketName('dev', '1234', 'eu-west-1')).toThrow(
      'account id "1234" is invalid; allowed: 12 digits',
    );
    expect(() => pluginMirrorBucketName('dev', '123456789012', 'EU_WEST')).toThrow(
      'region "EU_WEST" is invalid',
    );
  });
});

describe('the artifact bucket of an app’s pipeline', () => {
  it('is fixed by environment, app, account and Region, so another environment’s policies can name it', () => {
    expect(artifactBucketName('staging', 'hello-server', '123456789012', 'eu-west-1')).toBe(
      'signet-staging-hello-server-123456789012-eu-west-1',
    );
  });

  it('refuses a name S3 would refuse, a bad account id or Region, naming the value', () => {
    const long = 'a'.repeat(24);
    expect(() => artifactBucketName('staging', long, '123456789012', 'ap-southeast-2')).toThrow(
      `has 67 characters; allowed: at most 63 (shorten ${long} by 4)`,
    );
    expect(() => artifactBucketName('dev', 'app', '1234', 'eu-west-1')).toThrow(
      'artifact bucket of app: account id "1234" is invalid; allowed: 12 digits',
    );
    expect(() => artifactBucketName('dev', 'app', '123456789012', 'EU')).toThrow('region "EU"');
  });
});
