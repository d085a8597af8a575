import { describe, expect, it } from 'vitest';
import {
  DEPLOYMENT_INPUT,
  environmentOf,
  STACK_TARGETS,
  stackCommandLine,
  stackPluginOptions,
  stackTargets,
} from './targets.js';

describe('stackCommandLine', () => {
  it('selects or creates the stack, then runs the command on it by name', () => {
    expect(stackCommandLine('up', 'dev')).toBe(
      'pulumi stack select --non-interactive --create dev && pulumi up --stack dev',
    );
    expect(stackCommandLine('preview', 'staging')).toBe(
      'pulumi stack select --non-interactive --create staging && pulumi preview --stack staging --diff',
    );
    expect(stackCommandLine('refresh', 'prod')).toBe(
      'pulumi stack select --non-interactive --create prod && pulumi refresh --stack prod',
    );
  });

  it('never creates a stack to destroy it', () => {
    const destroy = stackCommandLine('destroy', 'prod');
    expect(destroy).toBe('pulumi stack select --non-interactive prod && pulumi destroy --stack prod');
    expect(destroy).not.toContain('--create');
  });
});

describe('the organization, set once in the plugin options', () => {
  it('qualifies every stack with it, so it is created in and read from that organization', () => {
    expect(stackCommandLine('up', 'dev', 'acme')).toBe(
      'pulumi stack select --non-interactive --create acme/dev && pulumi up --stack acme/dev',
    );
    expect(stackCommandLine('destroy', 'prod', 'organization')).toBe(
      'pulumi stack select --non-interactive organization/prod && pulumi destroy --stack organization/prod',
    );
    const targets = stackTargets({
      name: 'stack-eks',
      root: 'stacks/eks',
      environments: ['dev'],
      organization: 'acme',
    });
    expect(targets.preview.configurations?.['dev']).toEqual({
      command:
        'pulumi stack select --non-interactive --create acme/dev && pulumi preview --stack acme/dev --diff',
    });
  });

  it('reads the options nx.json gives, and refuses what it cannot use', () => {
    expect(stackPluginOptions(undefined)).toEqual({});
    expect(stackPluginOptions({ organization: 'acme-corp' })).toEqual({ organization: 'acme-corp' });
    expect(() => stackPluginOptions({ organization: 'acme; rm -rf ~' })).toThrow(
      'nx.json: option "organization" of plugin @signet/workspace-plugin/stacks has value "acme; rm -rf ~"; allowed: a Pulumi organization name',
    );
    expect(() => stackPluginOptions({ org: 'acme' })).toThrow(
      'nx.json: option "org" of plugin @signet/workspace-plugin/stacks is not a known option; allowed: organization',
    );
    expect(() => stackPluginOptions('acme')).toThrow('allowed: an object with an optional "organization"');
  });
});

describe('environmentOf', () => {
  it('reads the environment from the configuration file name', () => {
    expect(environmentOf('stacks/eks/Pulumi.dev.yaml')).toBe('dev');
    expect(environmentOf('Pulumi.prod-eu_1.yaml')).toBe('prod-eu_1');
  });

  it.each([
    ['stacks/eks/Pulumi.dev.local.yaml', 'dev.local'],
    ['stacks/eks/Pulumi.dev;rm -rf ~.yaml', 'dev;rm -rf ~'],
    ["stacks/eks/Pulumi.it's.yaml", "it's"],
    ['stacks/eks/Pulumi.-x.yaml', '-x'],
  ])('refuses %s, whose environment could not be a stack name on a command line', (file, environment) => {
    expect(() => environmentOf(file)).toThrow(
      `${file}: environment "${environment}" is not allowed: use letters, digits, "-" and "_", starting with a letter or digit`,
    );
  });

  it('refuses a file that is not a stack configuration', () => {
    expect(() => environmentOf('stacks/eks/Pulumi.yaml')).toThrow(
      'stacks/eks/Pulumi.yaml: not a Pulumi stack configuration file',
    );
  });
});

describe('stackTargets', () => {
  const targets = stackTargets({
    name: 'stack-eks',
    root: 'stacks/eks',
    environments: ['prod', 'dev', 'staging'],
  });

  it('gives preview, up, destroy and refresh, uncached, after build, from the stack folder', () => {
    expect(Object.keys(targets)).toEqual([...STACK_TARGETS]);
    for (const target of STACK_TARGETS) {
      expect(targets[target]).toMatchObject({
        executor: 'nx:run-commands',
        cache: false,
        dependsOn: ['build'],
        inputs: [DEPLOYMENT_INPUT, '^production'],
        options: { cwd: 'stacks/eks' },
      });
    }
  });

  it('has one configuration per environment, each running that environment’s command line', () => {
    for (const target of STACK_TARGETS) {
      expect(targets[target].configurations).toEqual({
        dev: { command: stackCommandLine(target, 'dev') },
        prod: { command: stackCommandLine(target, 'prod') },
        staging: { command: stackCommandLine(target, 'staging') },
      });
    }
  });

  it('fails without a configuration, naming the target and the environments, instead of picking one', () => {
    expect(targets.up.options).toMatchObject({
      command:
        "echo 'stack-eks:up needs an environment: --configuration=dev|prod|staging' >&2; sleep 0.2; exit 1",
    });
  });

  it('refuses a stack with no environment', () => {
    expect(() => stackTargets({ name: 'stack-x', root: 'stacks/x', environments: [] })).toThrow(
      'stacks/x: no Pulumi.<env>.yaml, so no environment to deploy to',
    );
  });
});
