import type { InputChange, PlanDiff, ResourceKey } from './diff.js';
import { isEmptyDiff } from './diff.js';

/** How `plan --base` prints the diff. */
export const DIFF_FORMATS = ['text', 'markdown'] as const;
export type DiffFormat = (typeof DIFF_FORMATS)[number];

const MAX_VALUE = 120;
/** Changed inputs listed per resource before the rest are counted. */
const MAX_CHANGES = 12;

function value(v: unknown): string {
  if (v === undefined) return '(unset)';
  const text = JSON.stringify(v);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

const resource = (r: ResourceKey): string => `${r.stack}: ${r.type} "${r.name}"`;
const change = (c: InputChange): string => `${c.path}: ${value(c.before)} → ${value(c.after)}`;

/** Markdown table cells must not break the table. */
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function changeLines(
  changes: readonly InputChange[],
  indent: string,
  format: (c: string) => string,
): string[] {
  const lines = changes.slice(0, MAX_CHANGES).map((c) => `${indent}${format(change(c))}`);
  if (changes.length > MAX_CHANGES) lines.push(`${indent}… and ${changes.length - MAX_CHANGES} more`);
  return lines;
}

function counts(diff: PlanDiff): string {
  return `${diff.added.length} to add, ${diff.changed.length} to change, ${diff.removed.length} to remove`;
}

/** The diff as plain text for a terminal or a log. */
export function renderDiffText(diff: PlanDiff, baseLabel: string): string {
  const lines = [
    `plan ${diff.environment} against ${baseLabel}: ${isEmptyDiff(diff) ? 'no changes' : counts(diff)}`,
  ];
  if (diff.security.length > 0) {
    lines.push('', `security-relevant changes (${diff.security.length}):`);
    for (const s of diff.security) lines.push(`  ! [${s.category}] ${resource(s)}: ${s.text}`);
  }
  if (diff.added.length > 0) lines.push('', 'added:', ...diff.added.map((r) => `  + ${resource(r)}`));
  if (diff.removed.length > 0) lines.push('', 'removed:', ...diff.removed.map((r) => `  - ${resource(r)}`));
  if (diff.changed.length > 0) {
    lines.push('', 'changed:');
    for (const r of diff.changed)
      lines.push(`  ~ ${resource(r)}`, ...changeLines(r.changes, '      ', (c) => c));
  }
  return `${lines.join('\n')}\n`;
}

/** The diff as Markdown for a pull-request comment. */
export function renderDiffMarkdown(diff: PlanDiff, baseLabel: string): string {
  const lines = [`### Plan of \`${diff.environment}\` against \`${baseLabel}\``, ''];
  if (isEmptyDiff(diff)) return `${[...lines, 'No changes.'].join('\n')}\n`;
  lines.push(`${counts(diff)}.`, '');
  if (diff.security.length > 0) {
    lines.push(
      '#### Security-relevant changes',
      '',
      '| control | resource | change |',
      '| --- | --- | --- |',
    );
    for (const s of diff.security) lines.push(`| ${s.category} | ${cell(resource(s))} | ${cell(s.text)} |`);
    lines.push('');
  } else {
    lines.push(
      'No security-relevant change (IAM, admission, RBAC, signing identities, public access, privileged mode, encryption).',
      '',
    );
  }
  const code = (c: string) => `\`${c.replace(/`/g, "'")}\``;
  if (diff.added.length > 0)
    lines.push('#### Added', '', ...diff.added.map((r) => `- ${code(resource(r))}`), '');
  if (diff.removed.length > 0)
    lines.push('#### Removed', '', ...diff.removed.map((r) => `- ${code(resource(r))}`), '');
  if (diff.changed.length > 0) {
    lines.push('#### Changed', '');
    for (const r of diff.changed)
      lines.push(`- ${code(resource(r))}`, ...changeLines(r.changes, '  - ', code));
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
