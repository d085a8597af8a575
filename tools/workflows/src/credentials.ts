import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { workspaceRoot } from './workflows.js';

/**
 * The credentials that can change what is deployed (docs/deploy.md): the deploy Pulumi token and
 * the deploy role. Both live in the deploy environments (`dev`, `staging`, `prod`), which only main
 * may enter; a job that a pull request starts holds neither.
 */
export const DEPLOY_SECRET = 'PULUMI_ACCESS_TOKEN';
export const DEPLOY_ROLE_VARIABLE = 'AWS_DEPLOY_ROLE_ARN';

/** The events that run a pull request's own workflow files. */
const PULL_REQUEST_EVENTS = ['pull_request', 'pull_request_target'];

/** The only guard under which a reusable workflow may name a deploy credential. */
const UP_GUARD = "inputs.command == 'up' &&";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The events a workflow's `on:` lists. */
export function workflowEvents(workflow: Json): string[] {
  if (!isObject(workflow)) return [];
  const on = workflow['on'];
  if (typeof on === 'string') return [on];
  if (Array.isArray(on)) return on.filter((e): e is string => typeof e === 'string');
  return isObject(on) ? Object.keys(on) : [];
}

/** Every `${{ … }}` expression in a value, with the path it sits at. */
function expressions(value: Json | undefined, path: string): { path: string; expression: string }[] {
  if (typeof value === 'string') {
    return [...value.matchAll(/\$\{\{([\s\S]*?)\}\}/g)].map((m) => ({
      path,
      expression: (m[1] ?? '').trim(),
    }));
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => expressions(item, `${path}[${i}]`));
  if (isObject(value)) return Object.entries(value).flatMap(([k, v]) => expressions(v, `${path}.${k}`));
  return [];
}

const DEPLOY_NAMES = new RegExp(
  `\\b(?:secrets\\s*(?:\\.\\s*${DEPLOY_SECRET}\\b|\\[\\s*'${DEPLOY_SECRET}'\\s*\\])|vars\\s*(?:\\.\\s*${DEPLOY_ROLE_VARIABLE}\\b|\\[\\s*'${DEPLOY_ROLE_VARIABLE}'\\s*\\]))`,
);

/** A workflow file as read: its path (for messages) and its parsed YAML. */
export interface WorkflowSource {
  readonly file: string;
  readonly workflow: Json;
}

/** Reads a workflow file. */
export function readWorkflow(file: string): WorkflowSource {
  return { file: relative(workspaceRoot, file), workflow: parse(readFileSync(file, 'utf8')) as Json };
}

/**
 * Why a workflow that pull requests run could reach a deploy credential, or nothing. For each job
 * of a workflow triggered by `pull_request` or `pull_request_target`: it names neither the deploy
 * secret nor the deploy role variable, does not pass `secrets: inherit`, enters no GitHub
 * environment but a `*-preview` one; a job that calls a local reusable workflow passes
 * `command: preview` and a `*-preview` environment, and the called workflow names the deploy
 * credentials only behind `inputs.command == 'up' &&`.
 */
export function pullRequestCredentialProblems(
  source: WorkflowSource,
  load: (localPath: string) => WorkflowSource = (p) => readWorkflow(join(workspaceRoot, p)),
): string[] {
  if (!workflowEvents(source.workflow).some((event) => PULL_REQUEST_EVENTS.includes(event))) return [];
  const jobs = isObject(source.workflow) ? source.workflow['jobs'] : undefined;
  if (!isObject(jobs)) return [];
  const problems: string[] = [];
  for (const [id, job] of Object.entries(jobs)) {
    if (!isObject(job)) continue;
    const at = `${source.file} jobs.${id}`;
    for (const { path, expression } of expressions(job, `jobs.${id}`)) {
      if (DEPLOY_NAMES.test(expression)) {
        problems.push(
          `${source.file} ${path}: \${{ ${expression} }} names a deploy credential in a pull request job`,
        );
      }
    }
    if (job['secrets'] === 'inherit') problems.push(`${at}: passes secrets: inherit to a pull request job`);
    const environment = isObject(job['environment']) ? job['environment']['name'] : job['environment'];
    if (environment !== undefined && !(typeof environment === 'string' && environment.endsWith('-preview'))) {
      problems.push(`${at}: environment ${JSON.stringify(environment)} is not a *-preview environment`);
    }
    const uses = job['uses'];
    if (typeof uses === 'string' && uses.startsWith('./')) {
      const inputs = isObject(job['with']) ? job['with'] : {};
      if (inputs['command'] !== 'preview') {
        problems.push(
          `${at}: calls ${uses} with command ${JSON.stringify(inputs['command'] ?? null)}; allowed: "preview"`,
        );
      }
      const github = inputs['github_environment'];
      if (!(typeof github === 'string' && github.endsWith('-preview'))) {
        problems.push(
          `${at}: calls ${uses} with github_environment ${JSON.stringify(github ?? null)}; allowed: a *-preview environment`,
        );
      }
      const called = load(uses.slice(2));
      for (const { path, expression } of expressions(called.workflow, '')) {
        if (DEPLOY_NAMES.test(expression) && !expression.startsWith(UP_GUARD)) {
          problems.push(
            `${called.file} ${path.slice(1)}: \${{ ${expression} }} names a deploy credential outside "${UP_GUARD} …", and ${at} calls it`,
          );
        }
      }
    }
  }
  return problems;
}
