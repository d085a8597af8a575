import type { Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { appGenerator } from './generator.js';
import { validateAppOptions } from './validate.js';

function addApp(tree: Tree, name: string, namespace = name): void {
  tree.write(
    `apps/${name}/package.json`,
    JSON.stringify({ name: `@signet/${name}`, nx: { name }, signet: { name, namespace } }),
  );
}

/** Every file of the tree, so a refusal can be shown to write nothing. */
function files(tree: Tree, dir = ''): string[] {
  return tree
    .children(dir)
    .flatMap((child) => {
      const path = dir === '' ? child : `${dir}/${child}`;
      return tree.isFile(path) ? [`${path}=${tree.read(path, 'utf8') ?? ''}`] : files(tree, path);
    })
    .sort();
}

describe('app generator: derived-name collisions', () => {
  let tree: Tree;
  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
    addApp(tree, 'hello-server');
    tree.write(
      'stacks/signer/Pulumi.prod.yaml',
      'config:\n  aws:region: eu-west-1\n  signet-signer:extraIdentities:\n    - release\n',
    );
    tree.write('stacks/signer/Pulumi.dev.yaml', 'config:\n  aws:region: eu-west-1\n');
  });

  it("refuses hello-server-release: its pipeline profile is hello-server's release profile; writes nothing", async () => {
    const before = files(tree);
    await expect(appGenerator(tree, { name: 'hello-server-release' })).rejects.toThrow(
      'option "name" has value "hello-server-release"; allowed: a name whose derived names clash with no existing app\'s: ' +
        'the signing profile signet_prod_hello_server_release would be both app "hello-server-release"\'s and app "hello-server"\'s "release" identity in prod (apps/hello-server)',
    );
    expect(files(tree)).toEqual(before);
  });

  it('refuses a name extending an existing app with "-": its pipeline and role names can equal the other app\'s', async () => {
    const before = files(tree);
    await expect(appGenerator(tree, { name: 'hello-server-build' })).rejects.toThrow(
      'app "hello-server" derives names signet-<env>-hello-server-<role> (pipeline, CodeBuild projects, IAM roles), so app "hello-server-build"\'s signet-<env>-hello-server-build-<role> can equal one of them (apps/hello-server)',
    );
    expect(files(tree)).toEqual(before);
  });

  it('refuses a name an existing app extends with "-" (the other direction)', () => {
    expect(() => validateAppOptions(tree, { name: 'hello' })).toThrow(
      'app "hello" derives names signet-<env>-hello-<role> (pipeline, CodeBuild projects, IAM roles), so app "hello-server"\'s signet-<env>-hello-server-<role> can equal one of them',
    );
  });

  it("refuses a name whose release profile would exceed Signer's 64 characters, only where the identity exists", () => {
    const name = `a${'b'.repeat(39)}`;
    tree.write(
      'stacks/signer/Pulumi.staging.yaml',
      'config:\n  signet-signer:extraIdentities: [release-cand]\n',
    );
    expect(() => validateAppOptions(tree, { name })).toThrow(
      `option "name" has value "${name}"; allowed: a name whose signing profiles are valid in staging (signing profile name "signet_staging_${name}_release_cand"`,
    );
    // Not deployed to staging: its staging profile never exists.
    expect(validateAppOptions(tree, { name, environments: 'dev,prod' }).name).toBe(name);
  });

  it('accepts names that share a prefix without a "-" boundary, and unrelated names', () => {
    expect(validateAppOptions(tree, { name: 'hello-servers' }).name).toBe('hello-servers');
    expect(validateAppOptions(tree, { name: 'orders-api' }).name).toBe('orders-api');
  });
});
