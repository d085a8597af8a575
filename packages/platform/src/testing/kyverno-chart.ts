import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KYVERNO_RELEASE } from '@signet/policies';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { KYVERNO_NAMESPACE, KYVERNO_RELEASE_NAME } from '../eks/charts.js';
import type { PlannedResource } from './run-stack-program.js';

/** A Kubernetes object as `helm template` renders it. */
export interface RenderedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly [key: string]: unknown;
  };
  readonly [key: string]: unknown;
}

/** What {@link renderKyvernoChart} rendered, and from where. */
export interface RenderedKyvernoChart {
  readonly objects: readonly RenderedObject[];
  /** The chart folder of the Kyverno module (`…/github.com/kyverno/kyverno@<version>/charts/kyverno`). */
  readonly chartDir: string;
  /** The chart's default values (its values.yaml). */
  readonly defaults: Record<string, unknown>;
  /**
   * Dependencies of Chart.yaml that the module's chart folder does not hold (the ones Kyverno's
   * release packaging fetches from other chart repositories), left out of the render.
   */
  readonly omittedDependencies: readonly string[];
}

function goBinary(): string {
  const dirs = (process.env['PATH'] ?? '').split(delimiter).filter((d) => d !== '');
  dirs.push(join(process.env['GOROOT'] ?? '/usr/local/go', 'bin'), '/usr/local/go/bin');
  for (const dir of dirs) if (existsSync(join(dir, 'go'))) return join(dir, 'go');
  throw new Error(
    "go: not found on PATH (nor in /usr/local/go/bin); Kyverno's chart is read from the Kyverno Go module",
  );
}

/**
 * The folder of Kyverno's chart at the release the eks stack deploys, from the Kyverno Go module
 * (`go mod download -json github.com/kyverno/kyverno@<KYVERNO_RELEASE.appVersion>`: the module
 * cache, or the Go module proxy). Its Chart.yaml must carry `KYVERNO_RELEASE.chartVersion`.
 */
export function kyvernoChartDir(): string {
  const module = `github.com/kyverno/kyverno@${KYVERNO_RELEASE.appVersion}`;
  const result = spawnSync(goBinary(), ['mod', 'download', '-json', module], {
    encoding: 'utf8',
    cwd: tmpdir(),
    env: { ...process.env, GOFLAGS: '-mod=mod', GO111MODULE: 'on' },
  });
  const info = (() => {
    try {
      return JSON.parse(result.stdout) as { Dir?: string; Error?: string };
    } catch {
      return { Error: result.stderr.trim() };
    }
  })();
  if (result.status !== 0 || info.Dir === undefined)
    throw new Error(`go mod download ${module}: ${info.Error ?? result.stderr.trim()}`);
  const dir = join(info.Dir, 'charts', 'kyverno');
  const chart = parse(readFileSync(join(dir, 'Chart.yaml'), 'utf8')) as { version?: string };
  if (chart.version !== KYVERNO_RELEASE.chartVersion)
    throw new Error(
      `${dir}/Chart.yaml has version ${JSON.stringify(chart.version)}; the eks stack deploys chart ${KYVERNO_RELEASE.chartVersion}`,
    );
  return dir;
}

/**
 * `helm template` of Kyverno's chart (from {@link kyvernoChartDir}) as the eks stack's Helm release
 * installs it: release `kyverno` in namespace `kyverno`, with `values` (the release's values, as
 * the stack renders them) and the cluster's Kubernetes version. The module's chart folder lacks the
 * subcharts Kyverno's packaging fetches from other repositories; the render runs on a copy whose
 * Chart.yaml leaves exactly those out, and says which ({@link RenderedKyvernoChart.omittedDependencies}).
 */
export function renderKyvernoChart(
  helm: string,
  values: Record<string, unknown>,
  options: { readonly kubeVersion: string },
): RenderedKyvernoChart {
  const chartDir = kyvernoChartDir();
  const work = mkdtempSync(join(tmpdir(), 'signet-kyverno-chart-'));
  try {
    const copy = join(work, 'kyverno');
    cpSync(chartDir, copy, { recursive: true });
    const chartFile = join(copy, 'Chart.yaml');
    const chart = parse(readFileSync(chartFile, 'utf8')) as {
      dependencies?: { name: string }[];
    };
    const present = new Set(readdirSync(join(copy, 'charts')));
    const omittedDependencies = (chart.dependencies ?? [])
      .map((d) => d.name)
      .filter((name) => !present.has(name));
    chart.dependencies = (chart.dependencies ?? []).filter((d) => present.has(d.name));
    writeFileSync(chartFile, stringify(chart));
    const valuesFile = join(work, 'values.json');
    writeFileSync(valuesFile, JSON.stringify(values));
    const out = execFileSync(
      helm,
      [
        'template',
        KYVERNO_RELEASE_NAME,
        copy,
        '--namespace',
        KYVERNO_NAMESPACE,
        '--kube-version',
        options.kubeVersion,
        '--values',
        valuesFile,
      ],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, HELM_CACHE_HOME: work } },
    );
    const objects = parseAllDocuments(out)
      .map((d) => d.toJS() as RenderedObject | null)
      .filter((o): o is RenderedObject => o !== null && typeof o === 'object' && 'kind' in o);
    const defaults = parse(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) as Record<string, unknown>;
    return { objects, chartDir, defaults, omittedDependencies };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The values the planned eks stack gives Kyverno's Helm release (`kyverno-release`). */
export function plannedKyvernoValues(resources: readonly PlannedResource[]): Record<string, unknown> {
  const release = resources.find(
    (r) => r.type === 'kubernetes:helm.sh/v3:Release' && r.name === 'kyverno-release',
  );
  if (release === undefined)
    throw new Error('the eks plan has no kubernetes:helm.sh/v3:Release kyverno-release');
  const values = release.inputs['values'];
  return (typeof values === 'string' ? JSON.parse(values) : values) as Record<string, unknown>;
}
