import { beforeAll, describe, expect, it } from 'vitest';
import { WORKSPACE_ROOT } from '../test/harness.js';
import { toPlanDocument, type PlanDocument } from './document.js';
import {
  ATTACHED_RESOURCES,
  checkPlanAgainstCatalogue,
  checkPolicyDocument,
  findPolicyDocuments,
  formatFinding,
} from './iam-catalogue.js';
import { planEnvironment } from './planner.js';

const ACCOUNT = '111122223333';
const ARN = `arn:aws:%s:eu-west-1:${ACCOUNT}`;
const arn = (service: string, resource: string) => `${ARN.replace('%s', service)}:${resource}`;
const REPO = arn('ecr', 'repository/team-a/billing');
const LOG_GROUP = arn('logs', 'log-group:/signet/dev/pipeline/app/build');
const PROFILE = arn('signer', '/signing-profiles/signet_dev_app');
const JOBS = arn('signer', '/signing-jobs/*');
const OIDC = 'oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';

type Statement = Record<string, unknown>;

function planOf(resources: { type: string; name: string; inputs: Record<string, unknown> }[]): PlanDocument {
  return {
    environment: 'dev',
    stacks: [{ name: 'test', project: 'signet-test', resources, outputs: {} }],
  };
}

/** The catalogue's messages for one document, held by a resource of the type under the input. */
async function messages(
  statements: Statement[],
  type = 'aws:iam/rolePolicy:RolePolicy',
  input = 'policy',
): Promise<string[]> {
  const document = { Version: '2012-10-17', Statement: statements };
  const [found] = findPolicyDocuments(
    planOf([{ type, name: 'doc', inputs: { [input]: JSON.stringify(document) } }]),
  );
  if (found === undefined) throw new Error('document not found');
  return (await checkPolicyDocument(found)).map((f) => f.message);
}

const allow = (Action: unknown, Resource: unknown, extra: Statement = {}): Statement => ({
  Sid: 'S',
  Effect: 'Allow',
  Action,
  Resource,
  ...extra,
});

describe('finding the IAM documents of a plan', () => {
  it('finds documents in JSON strings and objects at any depth, and nothing else', () => {
    const doc = { Version: '2012-10-17', Statement: [allow(['ecr:GetAuthorizationToken'], ['*'])] };
    const found = findPolicyDocuments(
      planOf([
        { type: 'aws:iam/rolePolicy:RolePolicy', name: 'inline', inputs: { policy: JSON.stringify(doc) } },
        {
          type: 'aws:iam/role:Role',
          name: 'role',
          inputs: {
            assumeRolePolicy: JSON.stringify(doc),
            inlinePolicies: [
              { name: 'x', policy: JSON.stringify(doc) },
              { name: 'y', policy: doc },
            ],
          },
        },
        {
          type: 'example:index:Thing',
          name: 'nested',
          inputs: { values: JSON.stringify({ deep: { doc } }) },
        },
        {
          type: 'aws:ecr/lifecyclePolicy:LifecyclePolicy',
          name: 'lifecycle',
          inputs: { policy: JSON.stringify({ rules: [{ rulePriority: 1 }] }), repository: '{not json' },
        },
      ]),
    );
    expect(found.map((f) => `${f.type} ${f.name} ${f.path}`)).toEqual([
      'aws:iam/rolePolicy:RolePolicy inline policy',
      'aws:iam/role:Role role assumeRolePolicy',
      'aws:iam/role:Role role inlinePolicies[0].policy',
      'aws:iam/role:Role role inlinePolicies[1].policy',
      'example:index:Thing nested values.deep.doc',
    ]);
  });

  it('reports a document of another policy language version', async () => {
    const [found] = findPolicyDocuments(
      planOf([
        {
          type: 'aws:iam/policy:Policy',
          name: 'old',
          inputs: { policy: { Version: '2008-10-17', Statement: [] } },
        },
      ]),
    );
    if (found === undefined) throw new Error('document not found');
    expect((await checkPolicyDocument(found)).map(formatFinding)).toEqual([
      'dev: test aws:iam/policy:Policy "old" input policy, statement (document): Version "2008-10-17"; allowed: "2012-10-17" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html)',
    ]);
  });
});

describe('actions against the catalogue', () => {
  it('accepts actions as AWS writes them, and wildcards that match', async () => {
    expect(
      await messages([
        allow(['ecr:GetAuthorizationToken'], ['*']),
        allow(['ecr:BatchGetImage', 'ecr:PutImage', 'ecr:Batch*'], [REPO]),
      ]),
    ).toEqual([]);
  });

  it.each([
    [
      'ecr:PutImages',
      'action "ecr:PutImages" does not exist; nearest ecr actions in the catalogue: ecr:PutImage',
    ],
    ['ecr:putImage', 'action "ecr:putImage" is written "ecr:PutImage" by AWS'],
    ['ECR:PutImage', 'action "ECR:PutImage": service prefix "ECR" is written "ecr" by AWS'],
    ['ecrx:PutImage', 'action "ecrx:PutImage": "ecrx" is no service prefix of the catalogue'],
    ['PutImage', 'action "PutImage" names no service; allowed: <service>:<Action>'],
    ['ecr:Put*Foo', 'action pattern "ecr:Put*Foo" matches no ecr action of the catalogue'],
    [
      'ecr:putimage*',
      'action pattern "ecr:putimage*" matches no action as AWS writes them; it would match ecr:PutImage',
    ],
  ])('reports %s', async (action, message) => {
    const [first] = await messages([allow([action], [REPO])]);
    expect(first).toContain(message);
  });
});

describe('resources against the resource types of the actions', () => {
  it('accepts ARNs of the resource types, with paths and wildcards where the names have them', async () => {
    expect(
      await messages([
        allow(['logs:CreateLogStream', 'logs:PutLogEvents'], [`${LOG_GROUP}:log-stream:*`]),
        allow(['logs:DescribeLogStreams'], [LOG_GROUP]),
        allow(['s3:GetObject'], ['arn:aws:s3:::bucket-0f1283e/*']),
        allow(['s3:GetBucketLocation'], ['arn:aws:s3:::bucket-0f1283e']),
        allow(['signer:GetRevocationStatus'], [PROFILE, JOBS]),
        allow(['iam:PassRole'], [`arn:aws:iam::${ACCOUNT}:role/service-role/signet-build`]),
      ]),
    ).toEqual([]);
  });

  it('reports "*" for an action with resource types, naming the types', async () => {
    expect(await messages([allow(['ecr:BatchGetImage'], ['*'])])).toEqual([
      'ecr:BatchGetImage on "*": the action has resource types; scope it to them: repository (required) arn:${Partition}:ecr:${Region}:${Account}:repository/${RepositoryName}',
    ]);
  });

  it.each([
    [
      'ecr:GetAuthorizationToken',
      REPO,
      `ecr:GetAuthorizationToken on "${REPO}": the ARN matches no resource type of the action; allowed: only "*" (the action has no resource type)`,
    ],
    [
      'logs:PutLogEvents',
      LOG_GROUP,
      `logs:PutLogEvents on "${LOG_GROUP}": the ARN matches no resource type of the action; allowed: log-stream (required) arn:\${Partition}:logs:\${Region}:\${Account}:log-group:\${LogGroupName}:log-stream:\${LogStreamName}`,
    ],
    ['logs:DescribeLogStreams', `${LOG_GROUP}:log-stream:*`, 'allowed: log-group (required)'],
    ['s3:GetBucketAcl', 'arn:aws:s3:::bucket/*', 'allowed: accesspoint'],
    ['s3:GetObject', 'arn:aws:s3:::bucket', 'allowed: accesspointobject'],
    [
      'signer:GetRevocationStatus',
      arn('signer', 'signing-profiles/signet_dev_app'),
      'signing-profile (required) arn:${Partition}:signer',
    ],
    ['kms:Decrypt', arn('kms', 'alias/signet'), 'allowed: key (required)'],
  ])('reports %s on %s', async (action, resource, message) => {
    const found = await messages([
      allow([action], [resource, ...(action.startsWith('signer:') ? [PROFILE, JOBS] : [])]),
    ]);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(message);
  });

  it('accepts the version ARNs of a signing profile, which GetRevocationStatus requests name', async () => {
    expect(await messages([allow(['signer:GetRevocationStatus'], [PROFILE, `${PROFILE}/*`, JOBS])])).toEqual(
      [],
    );
  });

  it('reports a wildcard action none of whose actions supports the ARN', async () => {
    expect(await messages([allow(['ec2:Describe*'], [REPO])])).toEqual([
      expect.stringMatching(
        /^ec2:Describe\* on ".*": none of the \d+ actions it matches supports a resource of this ARN$/,
      ),
    ]);
  });

  it('reports a required resource type the document never grants', async () => {
    expect(await messages([allow(['signer:GetRevocationStatus'], [PROFILE])])).toEqual([
      expect.stringContaining(
        'signer:GetRevocationStatus requires a signing-job resource (arn:${Partition}:signer:${Region}:${Account}:/signing-jobs/${JobId}) and the document grants it on none, so the action is always denied',
      ),
    ]);
    expect(
      await messages([
        allow(['ec2:CreateNetworkInterface'], [arn('ec2', 'network-interface/*')]),
        allow(['ec2:CreateNetworkInterface'], [arn('ec2', 'subnet/subnet-0aaaaaaaaaaaaaaaa')]),
      ]),
    ).toEqual([]);
  });

  it('reads "*" and a missing Resource of a resource-based policy as the resource it is attached to', async () => {
    const keyPolicy = (Action: unknown, extra: Statement = {}) =>
      messages(
        [
          {
            Sid: 'K',
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
            Action,
            Resource: '*',
            ...extra,
          },
        ],
        'aws:kms/key:Key',
      );
    expect(await keyPolicy('kms:*')).toEqual([]);
    expect(await keyPolicy(['ecr:BatchGetImage'])).toEqual([
      expect.stringContaining(`ecr:BatchGetImage on "${ATTACHED_RESOURCES['aws:kms/key:Key policy']?.arn}"`),
    ]);
    expect(
      await messages(
        [
          {
            Sid: 'Pull',
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
            Action: ['ecr:BatchGetImage'],
          },
        ],
        'aws:ecr/repositoryPolicy:RepositoryPolicy',
      ),
    ).toEqual([]);
    expect(
      await messages(
        [
          {
            Sid: 'Read',
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
            Action: 'secretsmanager:GetSecretValue',
            Resource: '*',
          },
        ],
        'aws:secretsmanager/secretPolicy:SecretPolicy',
      ),
    ).toEqual([
      'a resource-based policy of aws:secretsmanager/secretPolicy:SecretPolicy (input policy) with Resource "*": the check does not know which resource it is attached to; add "aws:secretsmanager/secretPolicy:SecretPolicy policy" to ATTACHED_RESOURCES',
    ]);
  });
});

describe('condition keys and operators', () => {
  const role = (extra: Statement) =>
    messages(
      [
        {
          Sid: 'T',
          Effect: 'Allow',
          Principal: { Service: 'codebuild.amazonaws.com' },
          Action: 'sts:AssumeRole',
          ...extra,
        },
      ],
      'aws:iam/role:Role',
      'assumeRolePolicy',
    );

  it('accepts global keys and the keys of the action or its resource types, with operators of their type', async () => {
    expect(
      await role({
        Condition: {
          StringEquals: { 'aws:SourceAccount': ACCOUNT },
          ArnLike: { 'aws:SourceArn': arn('codebuild', 'project/x') },
          'ForAnyValue:StringEquals': { 'aws:TagKeys': ['team'] },
        },
      }),
    ).toEqual([]);
    expect(
      await messages([
        allow(['ec2:CreateNetworkInterfacePermission'], [arn('ec2', 'network-interface/*')], {
          Condition: {
            StringEquals: { 'ec2:AuthorizedService': 'codebuild.amazonaws.com' },
            ArnEquals: { 'ec2:Subnet': [arn('ec2', 'subnet/subnet-0aaaaaaaaaaaaaaaa')] },
            Null: { 'aws:ResourceTag/team': 'false' },
          },
        }),
      ]),
    ).toEqual([]);
  });

  it.each([
    [
      { StringEquals: { 'aws:SourceAcount': ACCOUNT } },
      'condition key aws:SourceAcount is no global condition key of the catalogue',
    ],
    [
      { StringEquals: { 'signer:ProfileVersion': 'a1B2c3D4e5' } },
      'condition key signer:ProfileVersion is not supported by sts:AssumeRole; allowed: global keys (aws:*) and',
    ],
    [
      { StringEqual: { 'aws:SourceAccount': ACCOUNT } },
      'condition operator StringEqual does not exist; allowed: StringEquals,',
    ],
    [
      { StringEquals: { 'aws:SourceArn': arn('codebuild', 'project/x') } },
      'StringEquals does not fit aws:SourceArn, whose catalogue type is ARN; allowed: ArnEquals, ArnLike, ArnNotEquals, ArnNotLike',
    ],
    [
      { StringEquals: { 'aws:TagKeys': 'team' } },
      'StringEquals on the multivalued key aws:TagKeys (ArrayOfString) needs ForAllValues: or ForAnyValue:',
    ],
    [
      { 'ForAllValues:StringEquals': { 'aws:SourceAccount': ACCOUNT } },
      'ForAllValues:StringEquals on the single-valued key aws:SourceAccount (String): a set operator is for multivalued keys only; use StringEquals',
    ],
    [
      { NullIfExists: { 'aws:SourceAccount': 'false' } },
      'condition operator NullIfExists: Null takes no IfExists and no set operator',
    ],
  ])('reports %j', async (Condition, message) => {
    const [first, ...rest] = await role({ Condition });
    expect(rest).toEqual([]);
    expect(first).toContain(message);
  });

  it('reports a key some of the actions a wildcard grants on the resource do not support', async () => {
    const grant = (Action: unknown, operator: string) =>
      messages(
        [
          {
            Sid: 'Logs',
            Effect: 'Allow',
            Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
            Action,
            Resource: '*',
            Condition: { [operator]: { 'kms:EncryptionContext:aws:logs:arn': LOG_GROUP } },
          },
        ],
        'aws:kms/key:Key',
      );
    expect(await grant(['kms:Decrypt', 'kms:Describe*'], 'StringEquals')).toEqual([
      expect.stringContaining(
        'condition key kms:EncryptionContext:aws:logs:arn is not supported by kms:DescribeKey;',
      ),
    ]);
    expect(await grant(['kms:Decrypt', 'kms:ReEncrypt*'], 'ArnEquals')).toEqual([
      'ArnEquals does not fit kms:EncryptionContext:aws:logs:arn, whose catalogue type is String; allowed: StringEquals, StringNotEquals, StringEqualsIgnoreCase, StringNotEqualsIgnoreCase, StringLike, StringNotLike (or their IfExists forms)',
    ]);
    expect(await grant(['kms:Decrypt', 'kms:ReEncrypt*'], 'StringLike')).toEqual([]);
  });

  it("accepts an OIDC provider's keys only for its own principal and AssumeRoleWithWebIdentity", async () => {
    const irsa = (key: string, Action = 'sts:AssumeRoleWithWebIdentity') =>
      messages(
        [
          {
            Sid: 'Irsa',
            Effect: 'Allow',
            Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${OIDC}` },
            Action,
            Condition: { StringEquals: { [key]: 'system:serviceaccount:ns:sa' } },
          },
        ],
        'aws:iam/role:Role',
        'assumeRolePolicy',
      );
    expect(await irsa(`${OIDC}:sub`)).toEqual([]);
    expect(await irsa(`${OIDC}:aud`)).toEqual([]);
    expect(await irsa(`${OIDC}:groups`)).toEqual([
      expect.stringContaining(
        `condition key ${OIDC}:groups is not supported by sts:AssumeRoleWithWebIdentity`,
      ),
    ]);
    expect(await irsa('oidc.eks.eu-west-1.amazonaws.com/id/OTHER:sub')).toEqual([
      expect.stringContaining('is not supported'),
    ]);
    expect(await irsa(`${OIDC}:sub`, 'sts:AssumeRole')).toEqual([
      expect.stringContaining('is not supported by sts:AssumeRole'),
    ]);
  });
});

describe('the IAM documents of the real plans of dev, staging and prod', () => {
  const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
  const plans = new Map<string, PlanDocument>();

  // The three environments are planned once, side by side, exactly as `pnpm plan --env <env>` does.
  beforeAll(async () => {
    const planned = await Promise.all(
      ENVIRONMENTS.map((env) => planEnvironment({ root: WORKSPACE_ROOT, env })),
    );
    for (const plan of planned) plans.set(plan.environment, toPlanDocument(plan));
  }, 900_000);

  const planFor = (env: string): PlanDocument => {
    const plan = plans.get(env);
    if (plan === undefined) throw new Error(`no plan for ${env}`);
    return plan;
  };

  it.each(ENVIRONMENTS)(
    '%s: every action, resource and condition key is one the catalogue allows',
    async (env) => {
      const { findings } = await checkPlanAgainstCatalogue(planFor(env));
      expect(findings.map(formatFinding)).toEqual([]);
    },
  );

  it.each(ENVIRONMENTS)(
    '%s: finds every kind of document, and one wherever an input holds a Statement',
    (env) => {
      const plan = planFor(env);
      const found = findPolicyDocuments(plan);
      const kinds = new Set(found.map((f) => `${f.type} ${f.path}`));
      for (const kind of [
        'aws:iam/role:Role assumeRolePolicy',
        'aws:iam/rolePolicy:RolePolicy policy',
        'aws:kms/key:Key policy',
        'aws:ecr/repositoryPolicy:RepositoryPolicy policy',
        'aws:s3/bucketPolicy:BucketPolicy policy',
        'aws:sns/topicPolicy:TopicPolicy policy',
      ]) {
        expect([...kinds], kind).toContain(kind);
      }
      const resources = plan.stacks.flatMap((s) => s.resources.map((r) => ({ stack: s.name, ...r })));
      const holding = resources.filter((r) => JSON.stringify(r.inputs).includes('Statement'));
      expect(holding.map((r) => `${r.stack} ${r.name}`).sort()).toEqual(
        [...new Set(found.map((f) => `${f.stack} ${f.name}`))].sort(),
      );
      const roles = resources.filter((r) => r.type === 'aws:iam/role:Role').map((r) => r.name);
      expect(found.filter((f) => f.path === 'assumeRolePolicy').map((f) => f.name)).toEqual(roles);
    },
  );
});
