import type { PlannedResource } from '@signet/platform/testing';
import type { EnvironmentPlan, StackPlan } from './planner.js';

/**
 * Inputs worth showing next to a resource's name in the summary: what a reviewer checks
 * (addresses, encryption, mutability, signing platform, retention, versions).
 */
const KEY_INPUTS = [
  'name',
  'cidrBlock',
  'availabilityZone',
  'mapPublicIpOnLaunch',
  'serviceName',
  'vpcEndpointType',
  'imageTagMutability',
  'imageScanningConfiguration',
  'encryptionConfigurations',
  'kmsKeyId',
  'kmsKeyArn',
  'enableKeyRotation',
  'platformId',
  'signatureValidityPeriod',
  'retentionInDays',
  'trafficType',
  'version',
  'chart',
  'namespace',
  'endpointPrivateAccess',
  'endpointPublicAccess',
  'enabledClusterLogTypes',
  'pipelineType',
] as const;

/** Resources listed per type before the rest are counted. */
const MAX_LISTED = 8;
const MAX_VALUE = 72;

function compact(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

function describeResource(resource: PlannedResource): string {
  const props = KEY_INPUTS.filter(
    (k) => resource.inputs[k] !== undefined && !(k === 'name' && resource.inputs[k] === resource.name),
  )
    .map((k) => `${k}=${compact(resource.inputs[k])}`)
    .join(' ');
  return props ? `${resource.name}  ${props}` : resource.name;
}

function stackSummary(plan: StackPlan): string[] {
  const lines = [`${plan.name} (${plan.project}): ${plan.resources.length} resources`];
  const byType = new Map<string, PlannedResource[]>();
  for (const r of plan.resources) byType.set(r.type, [...(byType.get(r.type) ?? []), r]);
  for (const [type, resources] of [...byType].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`  ${type} ×${resources.length}`);
    for (const r of resources.slice(0, MAX_LISTED)) lines.push(`      ${describeResource(r)}`);
    if (resources.length > MAX_LISTED) lines.push(`      … and ${resources.length - MAX_LISTED} more`);
  }
  const outputs = Object.keys(plan.outputs).sort();
  lines.push(outputs.length > 0 ? '  outputs:' : '  outputs: none');
  for (const key of outputs) lines.push(`    ${key}: ${compact(plan.outputs[key])}`);
  return lines;
}

/** The human-readable plan printed on stdout. */
export function renderSummary(plan: EnvironmentPlan): string {
  const total = plan.stacks.reduce((n, s) => n + s.resources.length, 0);
  const head = `Plan for environment ${plan.environment}: ${plan.stacks.length} stack(s), ${total} resources`;
  return [head, '', ...plan.stacks.flatMap((s) => [...stackSummary(s), ''])].join('\n');
}
