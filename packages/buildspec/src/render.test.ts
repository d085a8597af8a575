import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { AppDeclarationError } from '@signet/core';
import { committedBuildspecs, compareBuildspecs, findWorkspaceRoot, workspaceApps } from './cli/workspace.js';
import type { WorkspaceApp } from './defaults.js';
import { RENDER_COMMAND, renderWorkspaceBuildspecs } from './render.js';

const helloServer: WorkspaceApp = {
  directory: 'apps/hello-server',
  declaration: {
    name: 'hello-server',
    namespace: 'hello-server',
    port: 8080,
    environments: ['dev', 'staging', 'prod'],
    manifests: 'deploy',
  },
};

describe('renderWorkspaceBuildspecs', () => {
  it('writes buildspecs/<app>/<environment>/<stage>.yml for each declared environment', () => {
    const files = renderWorkspaceBuildspecs([
      { ...helloServer, declaration: { ...helloServer.declaration, environments: ['dev', 'prod'] } },
    ]);
    expect([...files.keys()].sort()).toEqual([
      'buildspecs/hello-server/dev/application-deployment.yml',
      'buildspecs/hello-server/dev/application-signing.yml',
      'buildspecs/hello-server/dev/build.yml',
      'buildspecs/hello-server/dev/verify-container-sign.yml',
      'buildspecs/hello-server/prod/application-deployment.yml',
      'buildspecs/hello-server/prod/promote.yml',
      'buildspecs/hello-server/prod/release-signing.yml',
      'buildspecs/hello-server/prod/revoke-superseded.yml',
      'buildspecs/hello-server/prod/verify-container-sign.yml',
    ]);
    const build = files.get('buildspecs/hello-server/dev/build.yml') ?? '';
    expect(build).toContain(`# Regenerate with: ${RENDER_COMMAND}`);
    expect(build).toContain("--file 'apps/hello-server/Dockerfile'");
    expect(files.get('buildspecs/hello-server/prod/application-deployment.yml')).toContain(
      "cp 'apps/hello-server/deploy'/*.yaml",
    );
  });

  it('differs between environments where the policy differs', () => {
    const files = renderWorkspaceBuildspecs([helloServer]);
    expect(files.get('buildspecs/hello-server/dev/build.yml')).toContain("--fail-on 'critical'");
    // Prod never builds: its stricter gate runs on the promoted digest's SBOM.
    expect(files.get('buildspecs/hello-server/prod/promote.yml')).toContain("--fail-on 'high'");
    expect(files.get('buildspecs/hello-server/dev/verify-container-sign.yml')).toContain(
      '--argjson enforce false',
    );
    expect(files.get('buildspecs/hello-server/staging/verify-container-sign.yml')).toContain(
      '--argjson enforce true',
    );
    expect(files.get('buildspecs/hello-server/prod/application-deployment.yml')).toContain(
      "--timeout '600s'",
    );
  });

  it('applies per-environment overrides', () => {
    const files = renderWorkspaceBuildspecs([helloServer], { prod: { vulnerabilityThreshold: 'medium' } });
    expect(files.get('buildspecs/hello-server/prod/promote.yml')).toContain("--fail-on 'medium'");
    expect(files.get('buildspecs/hello-server/staging/promote.yml')).toContain("--fail-on 'high'");
  });

  it('rejects an unknown environment and a duplicate app name, naming the app', () => {
    const qa = { ...helloServer.declaration, environments: ['qa'] } as unknown as WorkspaceApp['declaration'];
    expect(() => renderWorkspaceBuildspecs([{ ...helloServer, declaration: qa }])).toThrow(
      'apps/hello-server/package.json: key "signet.environments" has value ["qa"]; allowed: a non-empty list without duplicates of dev, staging, prod',
    );
    expect(() =>
      renderWorkspaceBuildspecs([helloServer, { ...helloServer, directory: 'apps/copy' }]),
    ).toThrow(
      'apps/copy/package.json: key "signet.name" has value "hello-server"; allowed: a value no other app uses (apps/hello-server/package.json uses it)',
    );
  });

  it('renders the AWS Signer root certificate of the policies package into the signing stage', () => {
    const signing = parse(
      renderWorkspaceBuildspecs([helloServer]).get('buildspecs/hello-server/prod/release-signing.yml') ?? '',
    ) as {
      phases: { pre_build: { commands: string[] } };
    };
    const add = signing.phases.pre_build.commands.find((c) => c.startsWith('notation cert add'));
    expect(add).toBe(
      "notation cert add --type signingAuthority --store 'aws-signer-ts' '.signet/aws-signer-notation-root.crt'",
    );
    expect(signing.phases.pre_build.commands.some((c) => c.includes("'-----BEGIN CERTIFICATE-----'"))).toBe(
      true,
    );
  });
});

describe('the app declarations it renders', () => {
  it('are the ones the workspace discovery finds, with their folders', () => {
    const root = findWorkspaceRoot(dirname(fileURLToPath(import.meta.url)));
    expect(workspaceApps(root)).toContainEqual(helloServer);
  });

  it.each([
    [
      { ...helloServer.declaration, port: '8080' },
      'apps/hello-server/package.json: key "signet.port" has value "8080"; allowed: an integer from 1024 to 65535',
    ],
    [
      { ...helloServer.declaration, environments: [] },
      'apps/hello-server/package.json: key "signet.environments" has value []; allowed:',
    ],
    [
      { ...helloServer.declaration, manifests: 1 },
      'apps/hello-server/package.json: key "signet.manifests" has value 1; allowed: a folder path inside the app folder',
    ],
  ])('are checked against the one schema: %j is refused, naming the field', (declaration, message) => {
    const app = { ...helloServer, declaration: declaration as unknown as WorkspaceApp['declaration'] };
    expect(() => renderWorkspaceBuildspecs([app])).toThrow(AppDeclarationError);
    expect(() => renderWorkspaceBuildspecs([app])).toThrow(message);
  });
});

describe('compareBuildspecs', () => {
  it('reports missing, changed and stale files', () => {
    const rendered = new Map([
      ['a.yml', 'A'],
      ['b.yml', 'B'],
    ]);
    const committed = new Map([
      ['b.yml', 'old'],
      ['c.yml', 'C'],
    ]);
    expect(compareBuildspecs(rendered, committed)).toEqual({
      missing: ['a.yml'],
      changed: ['b.yml'],
      stale: ['c.yml'],
    });
  });
});

describe('committed buildspecs/', () => {
  it(`match the generator (if not: ${RENDER_COMMAND})`, () => {
    const root = findWorkspaceRoot(dirname(fileURLToPath(import.meta.url)));
    const drift = compareBuildspecs(
      renderWorkspaceBuildspecs(workspaceApps(root)),
      committedBuildspecs(root),
    );
    expect(
      drift,
      `buildspecs/ is out of date with the generator or apps/*/package.json; run: ${RENDER_COMMAND}`,
    ).toEqual({
      missing: [],
      changed: [],
      stale: [],
    });
  });
});
