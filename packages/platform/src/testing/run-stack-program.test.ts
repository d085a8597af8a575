import { fileURLToPath } from 'node:url';
import * as pulumi from '@pulumi/pulumi';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { runStackProgram } from './run-stack-program.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./test/fixtures/${name}`, import.meta.url));
const upstream = { 'acme/signet-upstream/dev': { cidr: '10.20.0.0/16' } };

describe('runStackProgram', () => {
  // Each run evaluates the program module afresh.
  beforeEach(() => {
    vi.resetModules();
  });

  it("runs the program with its environment's config and resolves its outputs", async () => {
    const result = await runStackProgram({
      stackDir: fixture('demo'),
      env: 'dev',
      stackReferences: upstream,
    });
    expect(result.project).toBe('signet-demo');
    expect(result.outputs['repositoryUrls']).toEqual([
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/hello-server',
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/billing',
    ]);
    expect(result.outputs['zoneNames']).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    expect(result.outputs['profileVersionArn']).toMatch(
      /^arn:aws:signer:eu-west-1:123456789012:\/signing-profiles\/demo_profile\/[0-9a-f]{10}$/,
    );
    const vpc = result.resources.find((r) => r.type === 'aws:ec2/vpc:Vpc');
    expect(vpc?.inputs).toEqual({ cidrBlock: '10.20.0.0/16' });
  });

  it('masks secrets in outputs and inputs but keeps the raw values for contracts', async () => {
    const result = await runStackProgram({
      stackDir: fixture('demo'),
      env: 'dev',
      stackReferences: upstream,
    });
    expect(result.outputs['token']).toBe('[secret]');
    expect(result.rawOutputs['token']).toBe('hunter2');
    const parameter = result.resources.find((r) => r.type === 'aws:ssm/parameter:Parameter');
    expect(parameter?.inputs['value']).toBe('[secret]');
    expect(JSON.stringify(result.resources)).not.toContain('s3cr3t');
  });

  it('keeps an upstream secret output secret for the consumer', async () => {
    const result = await runStackProgram({
      stackDir: fixture('demo'),
      env: 'dev',
      stackReferences: {
        'acme/signet-upstream/dev': { cidr: '10.20.0.0/16', token: pulumi.secret('upstream-secret') },
      },
    });
    expect(result.outputs['upstreamToken']).toBe('[secret]');
    expect(result.rawOutputs['upstreamToken']).toBe('upstream-secret');
  });

  it('applies config overrides over the file and takes the account from aws:allowedAccountIds', async () => {
    const result = await runStackProgram({
      stackDir: fixture('demo'),
      env: 'dev',
      stackReferences: upstream,
      configOverrides: { 'signet-demo:repositories': ['solo'], 'aws:allowedAccountIds': ['210987654321'] },
    });
    expect(result.outputs['repositoryUrls']).toEqual(['210987654321.dkr.ecr.eu-west-1.amazonaws.com/solo']);
  });

  it('gives the same resources and outputs on every run', async () => {
    const first = await runStackProgram({ stackDir: fixture('demo'), env: 'dev', stackReferences: upstream });
    vi.resetModules();
    const second = await runStackProgram({
      stackDir: fixture('demo'),
      env: 'dev',
      stackReferences: upstream,
    });
    expect(JSON.stringify(second.resources)).toBe(JSON.stringify(first.resources));
    expect(second.outputs).toEqual(first.outputs);
  });

  it('fails naming the stack to plan first when a referenced stack is unavailable', async () => {
    await expect(
      runStackProgram({ stackDir: fixture('demo'), env: 'dev', stackReferences: {} }),
    ).rejects.toThrow(
      /^stack reference "acme\/signet-upstream\/dev" is not available: deploy\/plan upstream first$/,
    );
  });

  it('fails naming the stack and the key when a required output is missing', async () => {
    const error: unknown = await runStackProgram({
      stackDir: fixture('demo'),
      env: 'dev',
      stackReferences: { 'acme/signet-upstream/dev': { vpcCidr: '10.0.0.0/16' } },
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      message:
        'signet-demo requires output "cidr" of stack acme/signet-upstream/dev, which does not export it',
      missingOutput: { stack: 'acme/signet-upstream/dev', key: 'cidr' },
    });
  });

  it("surfaces the program's config validation message", async () => {
    await expect(runStackProgram({ stackDir: fixture('broken-config'), env: 'dev' })).rejects.toThrow(
      'Pulumi.dev.yaml: signet-broken:azCount must be at most 3, got 7',
    );
  });

  it('fails naming the file when the environment has no config file', async () => {
    await expect(runStackProgram({ stackDir: fixture('demo'), env: 'qa' })).rejects.toThrow(
      /fixtures\/demo\/Pulumi\.qa\.yaml does not exist$/,
    );
  });

  it('fails naming the file when aws:region is not set', async () => {
    await expect(runStackProgram({ stackDir: fixture('demo'), env: 'noregion' })).rejects.toThrow(
      /fixtures\/demo\/Pulumi\.noregion\.yaml: config key "aws:region" is required$/,
    );
  });
});
