/*
 * The docs' testable claims, checked against the code they describe: the stacks table's "reads"
 * column is the stack graph, every config key the docs name is a key a stack's schema declares,
 * and every command the README shows exists (a root script, or a stack's Nx target).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeStackConfig, type ConfigKeySpecs, type StackConfigDefinition } from '@signet/platform';
import { describe, expect, it } from 'vitest';
import { discoverStacks } from './plan/workspace.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const DOCS = ['README.md', ...readdirSync(join(ROOT, 'docs')).map((f) => `docs/${f}`)];

/** Keys the docs name only to say they are refused, each with the sentence that says so. */
const REFUSED_KEYS: Record<string, RegExp> = {
  'aws:profile': /Other `aws:\*` keys \(for example\s+`aws:profile`\) are rejected/,
  'aws:allowedAccountIds':
    /`aws:allowedAccountIds` and `aws:forbiddenAccountIds` in a\s+`Pulumi\.<env>\.yaml` are refused/,
  'aws:forbiddenAccountIds':
    /`aws:allowedAccountIds` and `aws:forbiddenAccountIds` in a\s+`Pulumi\.<env>\.yaml` are refused/,
};

async function stackConfigs(): Promise<StackConfigDefinition<ConfigKeySpecs>[]> {
  const configs: StackConfigDefinition<ConfigKeySpecs>[] = [];
  for (const stack of discoverStacks(ROOT)) {
    const module = (await import(pathToFileURL(join(stack.dir, 'src', 'config.ts')).href)) as Record<
      string,
      unknown
    >;
    for (const value of Object.values(module)) {
      const candidate = value as Partial<StackConfigDefinition<ConfigKeySpecs>>;
      if (candidate?.project === stack.project && typeof candidate.keys === 'object') {
        configs.push(candidate as StackConfigDefinition<ConfigKeySpecs>);
      }
    }
  }
  return configs;
}

describe('the docs', () => {
  it("docs/stacks.md's table lists, per stack, exactly the stacks it reads in the stack graph", () => {
    const rows = new Map<string, string[]>();
    for (const match of read('docs/stacks.md').matchAll(
      /^\| `signet-([a-z-]+)`\s*\|[^|]*\|[^|]*\|([^|]*)\|$/gm,
    )) {
      const reads = (match[2] ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== 'nothing' && s !== 'the app list');
      rows.set(match[1] ?? '', reads.sort());
    }
    const graph = new Map(discoverStacks(ROOT).map((s) => [s.name, [...s.dependsOn].sort()]));
    expect(rows).toEqual(graph);
  });

  it('names only config keys a stack schema declares', async () => {
    const known = new Set((await stackConfigs()).flatMap((c) => describeStackConfig(c).map((r) => r.key)));
    expect(known).toContain('signet-signer:generation');
    for (const file of DOCS) {
      const text = read(file);
      for (const [, key] of text.matchAll(/`((?:signet(?:-[a-z-]+)?|aws):[a-z][A-Za-z]*)(?![:/A-Za-z-])/g)) {
        const refused = REFUSED_KEYS[key as string];
        if (refused !== undefined) {
          expect(text, `${file} names ${key}`).toMatch(refused);
          continue;
        }
        expect(known, `${file} names ${key}`).toContain(key);
      }
    }
  });

  it("shows only commands that exist: root scripts, and stacks' Nx targets", () => {
    const scripts = Object.keys((JSON.parse(read('package.json')) as { scripts: object }).scripts);
    const stacks = new Set(discoverStacks(ROOT).map((s) => `stack-${s.name}`));
    const readme = read('README.md');
    const builtIns = new Set(['install', 'exec', 'nx']);
    const used = [...readme.matchAll(/`?pnpm ([a-z][a-z-]*)/g)].map((m) => m[1] as string);
    expect(used.length).toBeGreaterThan(5);
    for (const command of used) {
      expect([...scripts, ...builtIns], `README runs pnpm ${command}`).toContain(command);
    }
    for (const [, project, target] of readme.matchAll(/nx run ([a-z-]+):([a-z]+)/g)) {
      expect(stacks, `README runs nx run ${project}:${target}`).toContain(project);
      expect(['preview', 'up', 'destroy', 'refresh']).toContain(target);
    }
  });
});
