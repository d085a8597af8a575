import { describe, expect, it } from 'vitest';
import { diffPlans, inputChanges, isEmptyDiff } from './diff.js';
import { renderDiffMarkdown, renderDiffText } from './diff-render.js';
import type { PlanDocument } from './document.js';

type Resource = PlanDocument['stacks'][number]['resources'][number];

const plan = (resources: Resource[], stack = 'signing-pipeline'): PlanDocument => ({
  environment: 'prod',
  stacks: [{ name: stack, project: `signet-${stack}`, resources, outputs: {} }],
});

const policy = (statements: unknown[]): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements });

const rolePolicy = (statements: unknown[], tags: Record<string, string> = {}): Resource => ({
  type: 'aws:iam/rolePolicy:RolePolicy',
  name: 'hello-server-build-policy',
  inputs: { role: 'hello-server-build', policy: policy(statements), tags },
});

const PUSH = {
  Sid: 'PushImage',
  Effect: 'Allow',
  Action: ['ecr:PutImage', 'ecr:UploadLayerPart'],
  Resource: 'arn:aws:ecr:eu-west-1:111122223333:repository/hello-server',
};

describe('diffPlans', () => {
  it('finds nothing between a plan and itself', () => {
    const base = plan([rolePolicy([PUSH])]);
    const diff = diffPlans(base, base);
    expect(isEmptyDiff(diff)).toBe(true);
    expect(diff.security).toEqual([]);
    expect(renderDiffText(diff, 'main')).toBe('plan prod against main: no changes\n');
    expect(renderDiffMarkdown(diff, 'main')).toContain('No changes.');
  });

  it('calls out an IAM statement that allows more actions on more resources', () => {
    const widened = { ...PUSH, Action: [...PUSH.Action, 'ecr:BatchDeleteImage'], Resource: ['*'] };
    const diff = diffPlans(plan([rolePolicy([PUSH])]), plan([rolePolicy([widened])]));
    expect(diff.changed.map((c) => c.name)).toEqual(['hello-server-build-policy']);
    expect(diff.changed[0]?.changes.map((c) => c.path)).toEqual([
      'policy{}.Statement[0].Action',
      'policy{}.Statement[0].Resource',
    ]);
    expect(diff.security.map((s) => [s.category, s.text])).toEqual([
      ['iam', 'IAM policy (policy), statement Sid "PushImage": allows more actions: ecr:BatchDeleteImage'],
      ['iam', 'IAM policy (policy), statement Sid "PushImage": on more resources: *'],
    ]);
    const markdown = renderDiffMarkdown(diff, 'main (abc1234)');
    expect(markdown).toContain('#### Security-relevant changes');
    expect(markdown).toContain(
      '| iam | signing-pipeline: aws:iam/rolePolicy:RolePolicy "hello-server-build-policy" |',
    );
  });

  it('lists a tag change as a change, and never as a security change', () => {
    const diff = diffPlans(
      plan([rolePolicy([PUSH], { team: 'a' })]),
      plan([rolePolicy([PUSH], { team: 'b' })]),
    );
    expect(diff.changed[0]?.changes).toEqual([{ path: 'tags.team', before: 'a', after: 'b' }]);
    expect(diff.security).toEqual([]);
    expect(renderDiffText(diff, 'main')).not.toContain('security-relevant');
    expect(renderDiffMarkdown(diff, 'main')).toContain('No security-relevant change');
  });

  it('calls out a removed condition, a removed Deny and a new trusted principal', () => {
    const scoped = { ...PUSH, Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' } } };
    const deny = { Sid: 'DenyOthers', Effect: 'Deny', Action: 'ecr:*', Resource: '*' };
    const trust = (principals: string[]): Resource => ({
      type: 'aws:iam/role:Role',
      name: 'deploy-role',
      inputs: {
        assumeRolePolicy: policy([
          { Sid: 'CodeBuild', Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: principals } },
        ]),
      },
    });
    const diff = diffPlans(
      plan([rolePolicy([scoped, deny]), trust(['codebuild.amazonaws.com'])]),
      plan([rolePolicy([PUSH]), trust(['codebuild.amazonaws.com', 'ec2.amazonaws.com'])]),
    );
    expect(diff.security.map((s) => s.text)).toEqual([
      'IAM policy (policy), statement Sid "PushImage": condition StringEquals removed',
      'IAM policy (policy): Deny statement Sid "DenyOthers" removed',
      'trust policy (assumeRolePolicy), statement Sid "CodeBuild": trusts more principals: Service:ec2.amazonaws.com',
    ]);
  });

  it('does not call a narrowing a widening', () => {
    const narrowed = { ...PUSH, Action: ['ecr:PutImage'] };
    expect(diffPlans(plan([rolePolicy([PUSH])]), plan([rolePolicy([narrowed])])).security).toEqual([]);
  });

  it('calls out admission policy, signing identities, privileged builds, public access and encryption', () => {
    const clusterPolicy = (action: string): Resource => ({
      type: 'kubernetes:kyverno.io/v1:ClusterPolicy',
      name: 'signed-images',
      inputs: { spec: { rules: [{ validate: { failureAction: action } }] } },
    });
    const project = (privileged: boolean, key?: string): Resource => ({
      type: 'aws:codebuild/project:Project',
      name: 'build',
      inputs: {
        environment: { privilegedMode: privileged },
        ...(key !== undefined && { encryptionKey: key }),
      },
    });
    const cluster = (open: boolean): Resource => ({
      type: 'eks:index:Cluster',
      name: 'cluster',
      inputs: { endpointPublicAccess: open },
    });
    const profile: Resource = { type: 'aws:signer/signingProfile:SigningProfile', name: 'p', inputs: {} };
    const diff = diffPlans(
      plan([clusterPolicy('Enforce'), project(false, 'arn:key'), cluster(false)], 'eks'),
      plan([clusterPolicy('Audit'), project(true), cluster(true), profile], 'eks'),
    );
    expect(diff.added.map((r) => r.name)).toEqual(['p']);
    expect(diff.security.map((s) => [s.category, s.text])).toEqual([
      ['signing-identity', 'signing identity added'],
      [
        'admission',
        'admission or trust resource changed: spec.rules[0].validate.failureAction: "Enforce" → "Audit"',
      ],
      ['encryption', 'encryption setting changed: encryptionKey: "arn:key" → unset'],
      ['privileged-mode', 'privileged mode: environment.privilegedMode: false → true'],
      ['public-access', 'public access changed: endpointPublicAccess: false → true'],
    ]);
  });
});

describe('inputChanges', () => {
  it('compares JSON strings as JSON, and lists added and removed keys', () => {
    expect(inputChanges({ a: '{"x":1}', b: 1 }, { a: '{"x":2}', c: 2 })).toEqual([
      { path: 'a{}.x', before: 1, after: 2 },
      { path: 'b', before: 1 },
      { path: 'c', after: 2 },
    ]);
  });
});
