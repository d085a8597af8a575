import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseAppDeclaration } from './app.js';
import type { WorkspaceApp } from './app.js';
import { committedBuildspecs, compareBuildspecs, discoverApps, findWorkspaceRoot } from './cli/workspace.js';
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
      'buildspecs/hello-server/prod/application-signing.yml',
      'buildspecs/hello-server/prod/build.yml',
      'buildspecs/hello-server/prod/verify-container-sign.yml',
    ]);
    const build = files.get('buildspecs/hello-server/prod/build.yml') ?? '';
    expect(build).toContain(`# Regenerate with: ${RENDER_COMMAND}`);
    expect(build).toContain("--file 'apps/hello-server/Dockerfile'");
    expect(files.get('buildspecs/hello-server/prod/application-deployment.yml')).toContain(
      "cp 'apps/hello-server/deploy'/*.yaml",
    );
  });

  it('differs between environments where the policy differs', () => {
    const files = renderWorkspaceBuildspecs([helloServer]);
    expect(files.get('buildspecs/hello-server/dev/build.yml')).toContain("--fail-on 'critical'");
    expect(files.get('buildspecs/hello-server/prod/build.yml')).toContain("--fail-on 'high'");
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
    expect(files.get('buildspecs/hello-server/prod/build.yml')).toContain("--fail-on 'medium'");
    expect(files.get('buildspecs/hello-server/staging/build.yml')).toContain("--fail-on 'high'");
  });

  it('rejects an unknown environment and a duplicate app name, naming the app', () => {
    expect(() =>
      renderWorkspaceBuildspecs([
        { ...helloServer, declaration: { ...helloServer.declaration, environments: ['qa'] } },
      ]),
    ).toThrow('apps/hello-server: signet.environments: "qa" is not allowed; use dev, staging or prod');
    expect(() =>
      renderWorkspaceBuildspecs([helloServer, { ...helloServer, directory: 'apps/copy' }]),
    ).toThrow('apps/copy: signet.name: "hello-server" is declared by two apps');
  });

  it('renders the AWS Signer root certificate of the policies package into the signing stage', () => {
    const signing = parse(
      renderWorkspaceBuildspecs([helloServer]).get('buildspecs/hello-server/prod/application-signing.yml') ??
        '',
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

describe('parseAppDeclaration', () => {
  it('reads the signet field, or nothing when there is none', () => {
    expect(
      parseAppDeclaration({ name: '@signet/x', signet: helloServer.declaration }, 'apps/x/package.json'),
    ).toEqual(helloServer.declaration);
    expect(parseAppDeclaration({ name: '@signet/x' }, 'apps/x/package.json')).toBeUndefined();
  });

  it.each([
    [
      { ...helloServer.declaration, port: '8080' },
      'apps/x/package.json: signet.port: "8080" is not a number',
    ],
    [
      { ...helloServer.declaration, environments: [] },
      'apps/x/package.json: signet.environments: [] is not allowed',
    ],
    [
      { ...helloServer.declaration, manifests: 1 },
      'apps/x/package.json: signet.manifests: 1 is not a string',
    ],
  ])('rejects %j naming the field', (signet, message) => {
    expect(() => parseAppDeclaration({ signet }, 'apps/x/package.json')).toThrow(message);
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
    const drift = compareBuildspecs(renderWorkspaceBuildspecs(discoverApps(root)), committedBuildspecs(root));
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
