// The trust map as Markdown: a Mermaid flowchart (GitHub renders it) and one table per question.
import type { Permission, RoleEntry, StageRef, TrustMap } from './trust-map.js';

/** The command that writes the committed example; the generated file names it at the top. */
export const regenerateCommand = (env: string, out: string): string =>
  `pnpm signet explain --env ${env} --out ${out}`;

const code = (text: string): string => `\`${text.replace(/`/g, "'")}\``;
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const list = (items: readonly string[], none = '—'): string =>
  items.length === 0 ? none : items.map(code).join(', ');
const row = (cells: readonly string[]): string => `| ${cells.map(cell).join(' | ')} |`;
const table = (head: readonly string[], rows: readonly (readonly string[])[]): string[] => [
  row(head),
  row(head.map(() => '---')),
  ...rows.map(row),
];
// Mermaid labels: quotes would end the label.
const label = (text: string): string => `"${text.replace(/"/g, '#quot;')}"`;

const stageText = (s: StageRef): string =>
  s.stage !== undefined && s.pipeline !== undefined
    ? `${s.stage} of ${code(s.pipeline)}`
    : `CodeBuild ${code(s.project)}`;

function permissionText(p: Permission): string {
  const conditions = p.conditionKeys.length > 0 ? ` when ${p.conditionKeys.map(code).join(', ')}` : '';
  const sid = p.sid !== undefined ? `${p.sid}: ` : '';
  return `${p.effect === 'Allow' ? '' : `${p.effect} `}${sid}${p.actions.map(code).join(' ')} on ${list(p.resources)}${conditions}`;
}

function diagram(map: TrustMap): string[] {
  const ids = new Map<string, string>();
  const lines: string[] = ['```mermaid', 'flowchart LR'];
  const node = (key: string, text: string, shape: 'box' | 'round' | 'hex' = 'box'): string => {
    const existing = ids.get(key);
    if (existing !== undefined) return existing;
    const id = `n${ids.size + 1}`;
    ids.set(key, id);
    const [open, close] = shape === 'round' ? ['(', ')'] : shape === 'hex' ? ['{{', '}}'] : ['[', ']'];
    lines.push(`  ${id}${open}${label(text)}${close}`);
    return id;
  };
  const edges: string[] = [];
  for (const identity of map.identities) {
    const profile = node(`profile:${identity.profile}`, `signing profile ${identity.profile}`, 'hex');
    for (const signer of identity.signers) {
      const stages = signer.stages.map((s) => s.stage ?? s.project).join(', ');
      const who = node(`role:${signer.role}`, `${stages || 'role'}: role ${signer.role}`, 'round');
      edges.push(`  ${who} -->|signs with| ${profile}`);
      for (const repo of signer.repositories) {
        edges.push(`  ${who} -->|pushes signatures to| ${node(`repo:${repo}`, `ECR ${repo}`)}`);
      }
    }
  }
  for (const policy of map.trustPolicies) {
    const tp = node(`tp:${policy.name}`, `trust policy ${policy.name} (${policy.level})`);
    for (const identity of policy.identities) {
      edges.push(`  ${tp} -->|trusts| ${node(`profile:${identity}`, `signing profile ${identity}`, 'hex')}`);
    }
    for (const scope of policy.repositories) {
      const repo = [...ids.keys()].find((k) => k.startsWith('repo:') && scope.endsWith(`/${k.slice(5)}`));
      edges.push(
        `  ${tp} -->|for images of| ${repo !== undefined ? ids.get(repo) : node(`repo:${scope}`, `ECR ${scope}`)}`,
      );
    }
  }
  for (const ns of map.namespaces) {
    const id = node(`ns:${ns.namespace}`, `namespace ${ns.namespace}`, 'round');
    for (const tp of ns.trustPolicies)
      edges.push(`  ${id} -->|admits what verifies under| ${node(`tp:${tp}`, `trust policy ${tp}`)}`);
  }
  return [...lines, ...edges, '```'];
}

function rolesSection(roles: readonly RoleEntry[]): string[] {
  const overview = table(
    ['role', 'stack', 'assumed by', 'runs', 'in the cluster'],
    roles.map((r) => [
      code(r.role),
      r.stack,
      list(r.assumedBy),
      r.stages.length > 0 ? r.stages.map(stageText).join('; ') : '—',
      r.cluster.length > 0 ? r.cluster.join('; ') : '—',
    ]),
  );
  const details = roles.flatMap((r) => [
    '',
    `### ${code(r.role)}`,
    '',
    ...(r.permissions.length + r.managedPolicies.length === 0
      ? ['No policy: it may do nothing.']
      : [
          ...r.permissions.map((p) => `- ${permissionText(p)}`),
          ...r.managedPolicies.map((m) => `- managed policy ${code(m)}`),
        ]),
  ]);
  return [...overview, ...details];
}

/** The trust map as Markdown. `command` is how to regenerate the file, named at its top. */
export function renderTrustMap(map: TrustMap, command?: string): string {
  const lines: string[] = [];
  if (command !== undefined)
    lines.push(`<!-- Generated from the plan by \`${command}\`: do not edit. -->`, '');
  lines.push(
    `# Trust map of \`${map.environment}\``,
    '',
    'Who signs which image, what each namespace admits, what each role may do and where a revocation',
    "takes effect, read from the environment's plan (`pnpm plan`): the resources the stacks would",
    'deploy and their inputs.',
    '',
    ...diagram(map),
    '',
    '## Signing identities',
    '',
    ...table(
      [
        'signing profile',
        'platform',
        'signatures valid for',
        'may sign with it',
        'pushes signatures to',
        'trusted by',
      ],
      map.identities.map((i) => [
        code(i.profile),
        i.platform,
        i.validity,
        i.signers.length > 0
          ? i.signers
              .map((s) => `${s.stages.map(stageText).join('; ') || 'no stage'}, role ${code(s.role)}`)
              .join('<br>')
          : 'no role of this plan (signs outside the pipelines)',
        list(i.signers.flatMap((s) => s.repositories)),
        list(i.trustedBy, 'no trust policy'),
      ]),
    ),
    '',
    '## Admission',
    '',
    `Kyverno's webhook fails ${map.webhookFailurePolicy === 'Fail' ? 'closed (`failurePolicy: Fail`): when it cannot answer, nothing is admitted' : `with \`failurePolicy: ${map.webhookFailurePolicy ?? 'unset'}\``}.`,
    '',
    ...table(
      ['namespace', 'admits images of (by digest)', 'verified under trust policy', 'action', 'rules'],
      map.namespaces.map((n) => [
        code(n.namespace),
        list(n.repositories, 'any repository'),
        list(n.trustPolicies, 'none: no signature is checked'),
        n.failureAction,
        list(n.rules),
      ]),
    ),
    '',
    map.otherNamespaces.length > 0
      ? `A Pod in any namespace not listed above is refused, except in ${list(map.otherNamespaces)}, which that rule excludes (the cluster's system namespaces, see docs/eks.md).`
      : 'No rule covers the namespaces outside the ones above.',
    '',
    '### Trust policies',
    '',
    ...table(
      ['trust policy', 'for images of', 'level', 'trusted identities', 'trust stores'],
      map.trustPolicies.map((p) => [
        code(p.name),
        list(p.repositories),
        p.level,
        list(p.identities),
        list(p.trustStores),
      ]),
    ),
    '',
    '## Roles',
    '',
    ...rolesSection(map.roles),
    '',
    '## Revocation',
    '',
    ...table(
      ['where', 'takes effect'],
      map.revocation.map((r) => [r.where, r.when]),
    ),
    '',
  );
  return `${lines.join('\n')}`;
}

/**
 * `markdown` as the workspace's Prettier config formats a file at `file` (aligned tables), so the
 * committed example passes the format check as generated.
 */
export async function formatMarkdown(markdown: string, file: string): Promise<string> {
  // Loaded here, so the other commands of the program do not load Prettier.
  const { format, resolveConfig } = await import('prettier');
  const config = (await resolveConfig(file)) ?? {};
  return format(markdown, { ...config, filepath: file, parser: 'markdown' });
}
