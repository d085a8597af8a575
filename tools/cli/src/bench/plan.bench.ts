/**
 * `pnpm bench` for the CLI: plans every stack of prod and dev on this workspace, one stack process
 * at a time and then at the default concurrency, and reports wall time, CPU time and peak memory
 * (max RSS of the parent and of each stack's process). CPU time does not depend on how busy the
 * machine is; wall time does.
 */
import { defaultConcurrency, planEnvironment } from '../plan/planner.js';
import { findWorkspaceRoot } from '../workspace-root.js';

const ENVIRONMENTS = ['prod', 'dev'] as const;

const mib = (kib: number): string => `${(kib / 1024).toFixed(0)} MiB`;
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const root = findWorkspaceRoot(process.cwd());
if (root === undefined) throw new Error(`no pnpm-workspace.yaml at or above ${process.cwd()}`);

const rows = [['env', 'concurrency', 'stack', 'resources', 'wall', 'CPU', 'max RSS']];
for (const env of ENVIRONMENTS) {
  for (const concurrency of new Set([1, defaultConcurrency()])) {
    const started = performance.now();
    const plan = await planEnvironment({ root, env, concurrency });
    const wall = performance.now() - started;
    for (const s of plan.planned) {
      const cells = [
        s.name,
        String(s.resources.length),
        seconds(s.durationMs),
        seconds(s.cpuMs),
        mib(s.maxRssKb),
      ];
      rows.push([env, String(concurrency), ...cells]);
    }
    const peakChild = Math.max(...plan.planned.map((s) => s.maxRssKb));
    const resources = plan.planned.reduce((n, s) => n + s.resources.length, 0);
    const cpu = plan.planned.reduce((n, s) => n + s.cpuMs, 0);
    const total = `TOTAL (${plan.planned.length} stacks)`;
    rows.push([
      env,
      String(concurrency),
      total,
      String(resources),
      seconds(wall),
      seconds(cpu),
      `${mib(peakChild)} peak child`,
    ]);
  }
}
rows.push(['', '', 'parent process', '', '', '', mib(process.resourceUsage().maxRSS)]);
process.stdout.write(
  `signet plan benchmark (peak memory ≈ parent + concurrency × peak child)\n\n${table(rows)}\n`,
);
