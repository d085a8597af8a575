import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AppDeclarationError,
  appsForEnvironment,
  checkAppDeclarationField,
  discoverApps,
  validateAppDeclaration,
} from './apps.js';
import { SignetInputError } from './errors.js';
import { findWorkspaceRoot } from './workspace-root.js';

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

  it.each([
    [{ name: 'Hello' }, 'key "signet.name" has value "Hello"; allowed: a DNS label of 1 to 40 characters'],
    [{ name: 'a'.repeat(41) }, 'key "signet.name" has value'],
    [{ name: '1app' }, 'key "signet.name" has value "1app"'],
    [
      { name: 'app-' },
      'key "signet.name" has value "app-"; allowed: a DNS label of 1 to 40 characters (lowercase letters, digits, "-") that starts with a letter and does not end with "-"',
    ],
    [{ namespace: 'Kube_System' }, 'key "signet.namespace" has value "Kube_System"; allowed: a DNS label'],
    [{ port: 70000 }, 'key "signet.port" has value 70000; allowed: an integer from 1024 to 65535'],
    [{ port: 80 }, 'key "signet.port" has value 80; allowed: an integer from 1024 to 65535'],
    [{ port: '8080' }, 'key "signet.port" has value "8080"; allowed: an integer from 1024 to 65535'],
    [
      { environments: ['dev', 'qa'] },
      'key "signet.environments" has value ["dev","qa"]; allowed: a non-empty list without duplicates of dev, staging, prod',
    ],
    [{ environments: [] }, 'key "signet.environments" has value []'],
    [{ environments: ['dev', 'dev'] }, 'key "signet.environments" has value ["dev","dev"]'],
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
      'key "signet.replicas" is not a known key; allowed: one of name, namespace, port, environments, manifests',
    ],
  ])('names the file and key of an invalid declaration (%j)', (override, message) => {
    addApp('broken', declaration('broken', override));
    expect(() => discoverApps(root)).toThrow(`apps/broken/package.json: ${message}`);
  });

  it('reports a missing key and a non-object declaration', () => {
    const { port: _port, ...withoutPort } = declaration('svc');
    addApp('svc', withoutPort);
    expect(() => discoverApps(root)).toThrow(
      'apps/svc/package.json: key "signet.port" is missing; allowed: an integer from 1024 to 65535',
    );
    addApp('svc', 'yes');
    expect(() => discoverApps(root)).toThrow(
      'apps/svc/package.json: key "signet" has value "yes"; allowed: an object',
    );
  });

  it('reports every problem of a declaration at once, as data', () => {
    addApp('svc', declaration('svc', { port: 0, namespace: 'X' }));
    const error = (() => {
      try {
        discoverApps(root);
      } catch (e) {
        return e;
      }
    })() as AppDeclarationError;
    expect(error).toBeInstanceOf(AppDeclarationError);
    expect(error).toBeInstanceOf(SignetInputError);
    expect(error.problems.map((p) => [p.source, p.path, p.value])).toEqual([
      ['apps/svc/package.json', 'signet.namespace', 'X'],
      ['apps/svc/package.json', 'signet.port', 0],
    ]);
  });

  it('names the file that is not JSON', () => {
    mkdirSync(join(root, 'apps', 'bad'), { recursive: true });
    writeFileSync(join(root, 'apps', 'bad', 'package.json'), '{');
    expect(() => discoverApps(root)).toThrow('apps/bad/package.json: not valid JSON');
  });

  it('refuses two apps with the same name or namespace', () => {
    addApp('one', declaration('same'));
    addApp('two', declaration('same', { namespace: 'other' }));
    expect(() => discoverApps(root)).toThrow(
      'apps/two/package.json: key "signet.name" has value "same"; allowed: a value no other app uses (apps/one/package.json uses it)',
    );
    rmSync(join(root, 'apps', 'two'), { recursive: true });
    addApp('three', declaration('three', { namespace: 'same' }));
    expect(() => discoverApps(root)).toThrow(
      'apps/three/package.json: key "signet.namespace" has value "same"; allowed: a value no other app uses (apps/one/package.json uses it)',
    );
  });

  it('finds no app in a workspace without an apps folder', () => {
    expect(discoverApps(join(root))).toEqual([]);
  });

  it("accepts the declarations of this workspace's own apps", () => {
    expect(discoverApps(findWorkspaceRoot(import.meta.dirname)).map((app) => app.name)).toContain(
      'hello-server',
    );
  });
});

describe('validateAppDeclaration and checkAppDeclarationField', () => {
  it('check a declaration and one key without touching the file system', () => {
    expect(validateAppDeclaration(declaration('svc'), 'apps/svc/package.json')).toEqual(declaration('svc'));
    expect(checkAppDeclarationField('port', 1024)).toEqual({ ok: true, value: 1024 });
    expect(checkAppDeclarationField('port', 1023)).toEqual({
      ok: false,
      problem: { path: 'signet.port', value: 1023, allowed: 'an integer from 1024 to 65535' },
    });
    expect(checkAppDeclarationField('environments', undefined)).toMatchObject({
      ok: false,
      problem: { path: 'signet.environments', issue: 'missing' },
    });
  });
});
