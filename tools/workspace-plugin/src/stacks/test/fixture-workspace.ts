import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';

/** The real workspace this test file lives in. */
export const WORKSPACE_ROOT = join(import.meta.dirname, '..', '..', '..', '..', '..');

/** A throw-away Nx workspace that loads the stacks plugin the way this workspace does. */
export interface FixtureWorkspace {
  readonly root: string;
  /** Writes `content` to `file` (relative to the fixture root), creating folders. */
  write(file: string, content: string): void;
  /** Runs the workspace's Nx in the fixture, without daemon or cache, and returns what it printed. */
  nx(
    args: readonly string[],
    env?: Readonly<Record<string, string>>,
  ): { status: number; stdout: string; stderr: string };
  /** The command lines the fake `pulumi` on the fixture's PATH ran, each as `<folder>: <arguments>`. */
  pulumiCalls(): string[];
  remove(): void;
}

/** Nx variables the test process may inherit from an Nx task run, which would point Nx at the real workspace. */
function withoutNxVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !key.startsWith('NX_')));
}

// Records each call and succeeds; `FAKE_PULUMI_FAIL=<subcommand>` makes that subcommand fail like Pulumi
// does for a stack that does not exist.
const FAKE_PULUMI = `#!/bin/sh
echo "$(pwd): $*" >> "$FAKE_PULUMI_LOG"
if [ -n "$FAKE_PULUMI_FAIL" ] && [ "$1" = "$FAKE_PULUMI_FAIL" ]; then
  echo "error: no stack named 'x' found" >&2
  exit 255
fi
`;

/**
 * A fixture with the real nx.json and the plugin package as a fresh clone has it (sources, no `dist/`),
 * Nx from this workspace's node_modules, and a fake `pulumi`. Add stacks with `write`.
 */
export function fixtureWorkspace(): FixtureWorkspace {
  const root = mkdtempSync(join(tmpdir(), 'signet-stacks-nx-'));
  const pluginDir = join(WORKSPACE_ROOT, 'tools', 'workspace-plugin');
  cpSync(join(WORKSPACE_ROOT, 'nx.json'), join(root, 'nx.json'));
  cpSync(join(WORKSPACE_ROOT, 'tsconfig.base.json'), join(root, 'tsconfig.base.json'));
  cpSync(pluginDir, join(root, 'tools', 'workspace-plugin'), {
    recursive: true,
    filter: (source) => {
      const path = relative(pluginDir, source).split(sep);
      return !path.includes('node_modules') && path[0] !== 'dist';
    },
  });
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'fixture', private: true }));
  writeFileSync(join(root, 'pnpm-workspace.yaml'), 'packages:\n  - stacks/*\n  - tools/*\n');
  symlinkSync(join(WORKSPACE_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  mkdirSync(join(root, 'bin'));
  writeFileSync(join(root, 'bin', 'pulumi'), FAKE_PULUMI);
  chmodSync(join(root, 'bin', 'pulumi'), 0o755);
  const log = join(root, 'pulumi.log');

  return {
    root,
    write(file, content) {
      mkdirSync(dirname(join(root, file)), { recursive: true });
      writeFileSync(join(root, file), content);
    },
    nx(args, env = {}) {
      const result = spawnSync(join(root, 'node_modules', '.bin', 'nx'), [...args], {
        cwd: root,
        encoding: 'utf8',
        env: {
          ...withoutNxVariables(process.env),
          PATH: `${join(root, 'bin')}:${process.env['PATH'] ?? ''}`,
          FAKE_PULUMI_LOG: log,
          NX_DAEMON: 'false',
          NX_TUI: 'false',
          NX_NO_CLOUD: 'true',
          NX_SKIP_NX_CACHE: 'true',
          ...env,
        },
      });
      return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
    },
    pulumiCalls() {
      if (!existsSync(log)) return [];
      return readFileSync(log, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => line.replace(`${root}/`, ''));
    },
    remove() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}
