import { describe, expect, it } from 'vitest';
import { buildDeployerRolePolicy, buildStartDeployerPolicy, DEPLOYER_OVERRIDE_KEYS } from './deployer.js';

const PROJECT = 'arn:aws:codebuild:eu-west-1:111122223333:project/signet-prod-deployer';
const input = {
  projectArn: PROJECT,
  roleArn: 'arn:aws:iam::111122223333:role/signet-prod-deployer',
  logGroupArn: 'arn:aws:logs:eu-west-1:111122223333:log-group:/signet/prod/deployer',
  pulumiTokenSecretArn:
    'arn:aws:secretsmanager:eu-west-1:111122223333:secret:signet/prod/pulumi-token-AbCdEf',
  connectionArn:
    'arn:aws:codeconnections:eu-west-1:111122223333:connection/0b7c2f7e-1a2b-4c3d-8e9f-0123456789ab',
};

describe('buildStartDeployerPolicy', () => {
  it('starts and reads builds of the one deployer project only', () => {
    const doc = buildStartDeployerPolicy(PROJECT);
    const allows = doc.Statement.filter((s) => s.Effect === 'Allow');
    expect(allows).toEqual([
      {
        Sid: 'StartDeployer',
        Effect: 'Allow',
        Action: ['codebuild:BatchGetBuilds', 'codebuild:StartBuild'],
        Resource: [PROJECT],
      },
    ]);
  });

  it('denies every start that overrides the buildspec, source, image, variables, role, logs or key', () => {
    const denies = buildStartDeployerPolicy(PROJECT).Statement.filter((s) => s.Effect === 'Deny');
    expect(denies.map((s) => Object.keys(s.Condition?.['Null'] ?? {})[0])).toEqual([
      ...DEPLOYER_OVERRIDE_KEYS,
    ]);
    for (const deny of denies) {
      expect(deny.Action).toEqual(['codebuild:StartBuild']);
      expect(Object.values(deny.Condition?.['Null'] ?? {})).toEqual(['false']);
    }
    expect(DEPLOYER_OVERRIDE_KEYS).toEqual(
      expect.arrayContaining([
        'codebuild:source.buildspec',
        'codebuild:environment.environmentVariables.name',
      ]),
    );
  });

  it('refuses what is not a CodeBuild project ARN', () => {
    expect(() => buildStartDeployerPolicy('*')).toThrow('key "projectArn" has value "*"');
  });
});

describe('buildDeployerRolePolicy', () => {
  const doc = buildDeployerRolePolicy(input);
  const statement = (sid: string) => doc.Statement.find((s) => s.Sid === sid);

  it('never signs, never pushes or deletes images, never changes its own project or role', () => {
    expect(statement('NeverSign')).toMatchObject({ Effect: 'Deny', Resource: ['*'] });
    expect(statement('NeverSign')?.Action).toEqual(
      expect.arrayContaining(['signer:SignPayload', 'signer:StartSigningJob']),
    );
    expect(statement('NeverPushOrDeleteImages')?.Action).toEqual(
      expect.arrayContaining(['ecr:PutImage', 'ecr:BatchDeleteImage', 'ecr:SetRepositoryPolicy']),
    );
    expect(statement('NeverChangeItsOwnProject')).toMatchObject({ Effect: 'Deny', Resource: [PROJECT] });
    expect(statement('NeverChangeItsOwnRole')).toMatchObject({ Effect: 'Deny', Resource: [input.roleArn] });
  });

  it('allows its build exactly its log streams, its token secret and its source connection', () => {
    expect(doc.Statement.filter((s) => s.Effect === 'Allow')).toEqual([
      {
        Sid: 'WriteOwnLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: [`${input.logGroupArn}:log-stream:*`],
      },
      {
        Sid: 'ReadPulumiToken',
        Effect: 'Allow',
        Action: ['secretsmanager:GetSecretValue'],
        Resource: [input.pulumiTokenSecretArn],
      },
      {
        Sid: 'UseSourceConnection',
        Effect: 'Allow',
        Action: ['codeconnections:GetConnectionToken', 'codeconnections:UseConnection'],
        Resource: [input.connectionArn],
      },
    ]);
  });

  it('refuses a connection that is not one, naming the key', () => {
    expect(() =>
      buildDeployerRolePolicy({ ...input, connectionArn: 'arn:aws:iam::111122223333:role/x' }),
    ).toThrow('key "connectionArn" has value "arn:aws:iam::111122223333:role/x"');
  });
});
