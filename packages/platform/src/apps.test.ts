import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appsForEnvironment, discoverApps, findWorkspaceRoot } from './apps.js';

let root: string;

function addApp(folder: string, signet: unknown, manifests = 'deploy'): void {
  const dir = join(root, 'apps', folder);
  mkdirSync(join(dir, manifests), { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: `@signet/${folder}`, ...(signet === undefined ? {} : { signet }) }),
  );
}

const declaration = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  namespace: name,
  port: 8080,
  environments: ['dev', 'staging', 'prod'],
  manifests: 'deploy',
  ...extra,
});

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'signet-apps-'));
  writeFileSync(join(root, 'pnpm-workspace.yaml'), 'packages:\n  - apps/*\n');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('discoverApps', () => {
  it('returns declared apps sorted by name and skips packages without a signet field', () => {
    addApp('zeta', declaration('zeta'));
    addApp('alpha', declaration('alpha', { environments: ['prod'] }));
    addApp('tooling', undefined);
    const apps = discoverApps(root);
    expect(apps.map((a) => [a.name, a.directory])).toEqual([
      ['alpha', 'apps/alpha'],
      ['zeta', 'apps/zeta'],
    ]);
    expect(appsForEnvironment(apps, 'dev').map((a) => a.name)).toEqual(['zeta']);
    expect(appsForEnvironment(apps, 'prod').map((a) => a.name)).toEqual(['alpha', 'zeta']);
  });

  it('finds the workspace root from a nested folder', () => {
    const nested = join(root, 'stacks', 'ecr', 'src');
    mkdirSync(nested, { recursive: true });
    expect(findWorkspaceRoot(nested)).toBe(root);
    expect(() => findWorkspaceRoot('/')).toThrow('no pnpm-workspace.yaml found at or above /');
  });

  it.each([
    [{ name: 'Hello' }, 'key "signet.name" has value "Hello"; allowed: a DNS label of 1 to 40 characters'],
    [{ name: 'a'.repeat(41) }, 'key "signet.name" has value'],
    [{ name: '1app' }, 'key "signet.name" has value "1app"'],
    [{ namespace: 'Kube_System' }, 'key "signet.namespace" has value "Kube_System"; allowed: a DNS label'],
    [{ port: 70000 }, 'key "signet.port" has value 70000; allowed: an integer from 1 to 65535'],
    [{ port: '8080' }, 'key "signet.port" has value "8080"; allowed: an integer from 1 to 65535'],
    [
      { environments: ['dev', 'qa'] },
      'key "signet.environments" has value ["dev","qa"]; allowed: a non-empty list without duplicates of dev, staging, prod',
    ],
    [{ environments: [] }, 'key "signet.environments" has value []'],
    [
      { manifests: '../elsewhere' },
      'key "signet.manifests" has value "../elsewhere"; allowed: a folder path inside the app folder',
    ],
    [
      { manifests: 'k8s' },
      'key "signet.manifests" has value "k8s"; allowed: an existing folder inside the app folder',
    ],
    [
      { replicas: 2 },
      'key "signet.replicas" is not a known key; known keys: name, namespace, port, environments, manifests',
    ],
  ])('names the file and key of an invalid declaration (%j)', (override, message) => {
    addApp('broken', declaration('broken', override));
    expect(() => discoverApps(root)).toThrow(`apps/broken/package.json: ${message}`);
  });

  it('reports a missing key and a non-object declaration', () => {
    const { port: _port, ...withoutPort } = declaration('svc');
    addApp('svc', withoutPort);
    expect(() => discoverApps(root)).toThrow(
      'apps/svc/package.json: key "signet.port" is missing; allowed: an integer from 1 to 65535',
    );
    addApp('svc', 'yes');
    expect(() => discoverApps(root)).toThrow(
      'apps/svc/package.json: key "signet" has value "yes"; allowed: an object',
    );
  });

  it('refuses two apps with the same name or namespace', () => {
    addApp('one', declaration('same'));
    addApp('two', declaration('same', { namespace: 'other' }));
    expect(() => discoverApps(root)).toThrow(
      'apps/two/package.json: key "signet.name" has value "same"; allowed: a value no other app uses (apps/one/package.json uses it)',
    );
  });

  it("accepts the declarations of this workspace's own apps", () => {
    expect(() => discoverApps(findWorkspaceRoot(import.meta.dirname))).not.toThrow();
  });
});
