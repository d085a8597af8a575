import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Tree } from '@nx/devkit';
import { readJson } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { APP_DECLARATION_FIELDS, SignetInputError } from '@signet/platform';
import { beforeEach, describe, expect, it } from 'vitest';
import { appGenerator, generateApp, TEMPLATE_DIR, writeApp } from './generator.js';
import { AppGeneratorError, validateAppOptions } from './validate.js';

function templateFiles(dir = TEMPLATE_DIR): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? templateFiles(join(dir, entry.name))
      : [relative(TEMPLATE_DIR, join(dir, entry.name)).replace(/\.template$/, '')],
  );
}

function addPackage(tree: Tree, directory: string, pkg: Record<string, unknown>): void {
  tree.write(`${directory}/package.json`, JSON.stringify(pkg));
}

describe('app generator', () => {
  let tree: Tree;
  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
    // Signet formats with prettier; the empty workspace comes configured for oxfmt.
    tree.delete('.oxfmtrc.json');
    tree.write('.prettierrc', JSON.stringify({ printWidth: 110, singleQuote: true }));
    addPackage(tree, 'apps/hello-server', {
      name: '@signet/hello-server',
      nx: { name: 'hello-server' },
      signet: { name: 'hello-server', namespace: 'hello-server' },
    });
    addPackage(tree, 'packages/platform', { name: '@signet/platform', nx: { name: 'platform' } });
    addPackage(tree, 'apps/orders', {
      name: '@signet/orders',
      signet: { name: 'orders-app', namespace: 'shop' },
    });
  });

  it('creates every template file under apps/<name>, with the name and default port', async () => {
    await appGenerator(tree, { name: 'demo-api' });
    for (const file of templateFiles()) expect(tree.exists(`apps/demo-api/${file}`), file).toBe(true);
    expect(tree.read('apps/demo-api/src/config.ts', 'utf8')).toContain("export const APP_NAME = 'demo-api';");
    expect(tree.read('apps/demo-api/src/config.ts', 'utf8')).toContain('port: 8080 }');
    const deployment = tree.read('apps/demo-api/deploy/deployment.yaml', 'utf8') ?? '';
    expect(deployment).toContain('name: demo-api\n');
    expect(deployment).toContain('containerPort: 8080');
    expect(deployment).toContain('__SIGNET_IMAGE__');
    expect(deployment).not.toContain('hello-server');
    expect(tree.read('apps/demo-api/Dockerfile', 'utf8')).toContain('--filter "@signet/demo-api..."');
    expect(tree.read('apps/demo-api/Dockerfile', 'utf8')).toContain('EXPOSE 8080');
  });

  it('writes the package.json with the Signet declaration, project name and tags', async () => {
    await appGenerator(tree, { name: 'demo-api' });
    const pkg = readJson(tree, 'apps/demo-api/package.json');
    expect(pkg.name).toBe('@signet/demo-api');
    expect(pkg.nx).toEqual({ name: 'demo-api', tags: ['type:app'] });
    expect(pkg.signet).toEqual({
      name: 'demo-api',
      namespace: 'demo-api',
      port: 8080,
      environments: ['dev', 'staging', 'prod'],
      manifests: 'deploy',
    });
    expect(pkg.scripts).toMatchObject({ test: 'vitest run', build: 'tsc -p tsconfig.build.json' });
    // The runtime comes from the kit, a workspace package, never from a copy inside the app.
    expect(pkg.dependencies).toEqual({ '@signet/service-kit': 'workspace:*' });
  });

  it('writes only the files an app team edits; the runtime stays in the service kit', async () => {
    await appGenerator(tree, { name: 'demo-api' });
    expect(templateFiles().sort()).toEqual([
      'Dockerfile',
      'Dockerfile.dockerignore',
      'README.md',
      'deploy/deployment.yaml',
      'deploy/networkpolicy.yaml',
      'deploy/poddisruptionbudget.yaml',
      'deploy/service.yaml',
      'deploy/serviceaccount.yaml',
      'package.json',
      'src/app.test.ts',
      'src/app.ts',
      'src/config.ts',
      'src/deploy.test.ts',
      'src/main.ts',
      'tsconfig.build.json',
      'tsconfig.json',
      'vitest.config.ts',
    ]);
    const sources = tree
      .listChanges()
      .filter((change) => change.path.startsWith('apps/demo-api/src/'))
      .map((change) => tree.read(change.path, 'utf8') ?? '');
    for (const source of sources) expect(source).not.toMatch(/from 'pino'|from 'node:http'/);
    expect(tree.read('apps/demo-api/src/main.ts', 'utf8')).toContain("from '@signet/service-kit'");
    // The image build builds the kit too (the "..." filter), from the repository root.
    expect(tree.read('apps/demo-api/Dockerfile', 'utf8')).toContain(
      'pnpm --filter "@signet/demo-api..." run build',
    );
  });

  it('renders the buildspecs of every environment the app is deployed to', async () => {
    await appGenerator(tree, { name: 'demo-api', environments: 'dev,staging' });
    // dev builds and signs; staging promotes dev's digest and adds its release signature.
    const stages = {
      dev: ['build', 'application-signing', 'application-deployment', 'verify-container-sign'],
      staging: ['promote', 'release-signing', 'application-deployment', 'verify-container-sign'],
    };
    for (const [env, files] of Object.entries(stages)) {
      for (const stage of files) {
        expect(tree.read(`buildspecs/demo-api/${env}/${stage}.yml`, 'utf8')).toContain('demo-api');
      }
    }
    expect(tree.exists('buildspecs/demo-api/staging/build.yml')).toBe(false);
    expect(tree.exists('buildspecs/demo-api/prod')).toBe(false);
  });

  it('applies --port, --namespace and --environments', async () => {
    const options = await generateApp(tree, {
      name: 'billing',
      port: '9090',
      namespace: 'payments',
      environments: ['dev', 'prod'],
    });
    expect(options).toEqual({
      name: 'billing',
      port: 9090,
      namespace: 'payments',
      environments: ['dev', 'prod'],
      directory: 'apps/billing',
    });
    expect(readJson(tree, 'apps/billing/package.json').signet).toEqual({
      name: 'billing',
      namespace: 'payments',
      port: 9090,
      environments: ['dev', 'prod'],
      manifests: 'deploy',
    });
    expect(tree.read('apps/billing/deploy/deployment.yaml', 'utf8')).toContain('containerPort: 9090');
    expect(tree.read('apps/billing/Dockerfile', 'utf8')).toContain('EXPOSE 9090');
  });

  const refusals: [string, Parameters<typeof appGenerator>[1], string][] = [
    [
      'an upper-case name',
      { name: 'Demo' },
      'option "name" has value "Demo"; allowed: a DNS label of 1 to 40 characters',
    ],
    [
      'a name starting with a digit',
      { name: '1api' },
      'option "name" has value "1api"; allowed: a DNS label',
    ],
    ['a name ending with a hyphen', { name: 'api-' }, 'option "name" has value "api-"; allowed: a DNS label'],
    ['an underscore', { name: 'demo_api' }, 'option "name" has value "demo_api"; allowed: a DNS label'],
    ['an empty name', { name: '' }, 'option "name" has value ""; allowed: a DNS label'],
    [
      'a 41-character name',
      { name: 'a'.repeat(41) },
      `option "name" has value "${'a'.repeat(41)}"; allowed: a DNS label`,
    ],
    [
      'a privileged port',
      { name: 'demo-api', port: 80 },
      'option "port" has value 80; allowed: an integer from 1024 to 65535',
    ],
    [
      'a port above 65535',
      { name: 'demo-api', port: 70000 },
      'option "port" has value 70000; allowed: an integer from 1024 to 65535',
    ],
    [
      'a port that is not a number',
      { name: 'demo-api', port: '80a' },
      'option "port" has value "80a"; allowed: an integer from 1024 to 65535',
    ],
    [
      'a bad namespace',
      { name: 'demo-api', namespace: 'Ns' },
      'option "namespace" has value "Ns"; allowed: a DNS label of 1 to 63',
    ],
    [
      'an unknown environment',
      { name: 'demo-api', environments: 'dev,qa' },
      'option "environments" has value "dev,qa"; allowed: a non-empty list without duplicates of dev, staging, prod',
    ],
    [
      'a duplicate environment',
      { name: 'demo-api', environments: ['dev', 'dev'] },
      'option "environments" has value ["dev","dev"]; allowed: a non-empty list without duplicates',
    ],
    [
      'kube-system',
      { name: 'kube-system' },
      'option "name" has value "kube-system"; allowed: a value other than the reserved names kube-system, kube-public, kube-node-lease, default, kyverno, kyverno-notation-aws, signet, apps',
    ],
    [
      'kube-public',
      { name: 'kube-public' },
      'option "name" has value "kube-public"; allowed: a value other than the reserved names',
    ],
    [
      'kube-node-lease',
      { name: 'kube-node-lease' },
      'option "name" has value "kube-node-lease"; allowed: a value other than the reserved names',
    ],
    [
      'default',
      { name: 'default' },
      'option "name" has value "default"; allowed: a value other than the reserved names',
    ],
    [
      'kyverno',
      { name: 'kyverno' },
      'option "name" has value "kyverno"; allowed: a value other than the reserved names',
    ],
    [
      'the verifier namespace',
      { name: 'kyverno-notation-aws' },
      'option "name" has value "kyverno-notation-aws"; allowed: a value other than the reserved names',
    ],
    [
      'signet',
      { name: 'signet' },
      'option "name" has value "signet"; allowed: a value other than the reserved names',
    ],
    [
      'apps',
      { name: 'apps' },
      'option "name" has value "apps"; allowed: a value other than the reserved names',
    ],
    [
      'a reserved namespace',
      { name: 'demo-api', namespace: 'kube-system' },
      'option "namespace" has value "kube-system"; allowed: a value other than the reserved names',
    ],
    [
      'an existing app folder',
      { name: 'hello-server' },
      'option "name" has value "hello-server"; allowed: a name not yet taken (apps/hello-server already exists)',
    ],
    [
      'a name another app declares',
      { name: 'orders-app' },
      'option "name" has value "orders-app"; allowed: a name not yet taken (apps/orders/package.json declares signet.name "orders-app")',
    ],
    [
      'a namespace another app declares',
      { name: 'demo-api', namespace: 'shop' },
      'option "namespace" has value "shop"; allowed: a namespace not yet taken (apps/orders/package.json declares signet.namespace "shop")',
    ],
    [
      'an existing project name',
      { name: 'platform' },
      'option "name" has value "platform"; allowed: a name not yet taken (project packages/platform is already named "platform")',
    ],
  ];

  it.each(refusals)('refuses %s, naming the value, and writes nothing', async (_, options, message) => {
    const before = tree.listChanges().length;
    const error = await appGenerator(tree, options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppGeneratorError);
    expect((error as Error).message).toContain(message);
    expect(tree.listChanges()).toHaveLength(before);
    expect(tree.exists(`apps/${options.name}/src`)).toBe(false);
  });

  it('checks every declaration key with the one app declaration schema, so it accepts what the stacks accept', () => {
    for (const [key, options, value] of [
      ['name', { name: 'Demo' }, 'Demo'],
      ['namespace', { name: 'demo-api', namespace: 'a'.repeat(64) }, 'a'.repeat(64)],
      ['port', { name: 'demo-api', port: 1023 }, 1023],
      ['environments', { name: 'demo-api', environments: [] }, []],
    ] as const) {
      const error = (() => {
        try {
          validateAppOptions(tree, options);
        } catch (e) {
          return e as AppGeneratorError;
        }
      })();
      expect(error).toBeInstanceOf(SignetInputError);
      expect(error?.problems).toEqual([
        { path: key, subject: 'option', value, allowed: APP_DECLARATION_FIELDS[key].allowed },
      ]);
    }
    expect(validateAppOptions(tree, { name: 'a'.repeat(40), port: 1024 }).port).toBe(1024);
    expect(validateAppOptions(tree, { name: 'demo-api', port: 65535 }).port).toBe(65535);
  });

  it('refuses a name whose buildspecs folder exists', async () => {
    tree.write('buildspecs/old-app/dev/build.yml', 'version: 0.2\n');
    await expect(appGenerator(tree, { name: 'old-app' })).rejects.toThrow(
      'option "name" has value "old-app"; allowed: a name not yet taken (buildspecs/old-app already exists)',
    );
    expect(tree.exists('apps/old-app')).toBe(false);
  });

  it('never overwrites, even when called past validation', () => {
    const options = validateAppOptions(tree, { name: 'demo-api' });
    tree.write('apps/demo-api/README.md', 'mine\n');
    expect(() => writeApp(tree, options)).toThrow('apps/demo-api already exists; refusing to overwrite it');
    expect(tree.read('apps/demo-api/README.md', 'utf8')).toBe('mine\n');
    expect(tree.exists('apps/demo-api/src/app.ts')).toBe(false);
  });
});
