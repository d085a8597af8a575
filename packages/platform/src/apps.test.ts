import * as core from '@signet/core';
import { describe, expect, it } from 'vitest';
import * as platform from './index.js';

// The declaration's schema and discovery live in @signet/core (tested there); the stacks keep
// importing them from this package, which must hand out the very same functions, not copies.
describe("@signet/platform's app discovery", () => {
  it('is the one in @signet/core', () => {
    expect(platform.discoverApps).toBe(core.discoverApps);
    expect(platform.parseAppDeclaration).toBe(core.parseAppDeclaration);
    expect(platform.appsForEnvironment).toBe(core.appsForEnvironment);
    expect(platform.findWorkspaceRoot).toBe(core.findWorkspaceRoot);
    expect(platform.AppDeclarationError).toBe(core.AppDeclarationError);
    expect(platform.ENVIRONMENTS).toBe(core.ENVIRONMENTS);
    expect(platform.isEnvironment).toBe(core.isEnvironment);
  });

  it("accepts the declarations of this workspace's own apps", () => {
    expect(() => platform.discoverApps(platform.findWorkspaceRoot(import.meta.dirname))).not.toThrow();
  });
});
