import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { appsToCreate, setPlanAppScope } from './plan-scope.js';
import { runStackProgram } from './testing/run-stack-program.js';

const fixture = fileURLToPath(new URL('./testing/test/fixtures/per-app', import.meta.url));
const apps = [{ name: 'alpha' }, { name: 'beta' }, { name: 'gamma' }];

describe('appsToCreate', () => {
  afterEach(() => {
    setPlanAppScope(undefined);
  });

  it('creates every app when no plan divides the stack (a deployment)', () => {
    expect(appsToCreate(apps)).toEqual(apps);
  });

  it('refuses a share of the apps outside the mock runtime: a deployment never creates only some apps', () => {
    setPlanAppScope(['beta']);
    expect(() => appsToCreate(apps)).toThrow(
      'a plan share of the apps is set outside the mock runtime: a deployment creates every app',
    );
  });
});

describe('a stack program planned by app (runStackProgram apps)', () => {
  beforeEach(() => {
    vi.resetModules();
  });

  it('creates the shared resources and the apps of its share only, and says it read the share', async () => {
    const result = await runStackProgram({ stackDir: fixture, env: 'dev', apps: ['beta', 'gamma'] });
    expect(result.resources.map((r) => r.name).sort()).toEqual(['beta', 'gamma', 'shared']);
    expect(result.outputs['repositoryNames']).toEqual({ beta: 'beta', gamma: 'gamma' });
    expect(result.appsScoped).toBe(true);
  });

  it('creates every app without a share, and the slot is empty after a run', async () => {
    const result = await runStackProgram({ stackDir: fixture, env: 'dev' });
    expect(result.resources.map((r) => r.name).sort()).toEqual(['alpha', 'beta', 'gamma', 'shared']);
    expect(result.appsScoped).toBe(false);
    expect(appsToCreate(apps)).toEqual(apps);
  });

  it('names an app of the share the program does not have', async () => {
    await expect(runStackProgram({ stackDir: fixture, env: 'dev', apps: ['beta', 'delta'] })).rejects.toThrow(
      'the plan gave this process the apps "delta", which the program does not have; it has: alpha, beta, gamma',
    );
  });
});
