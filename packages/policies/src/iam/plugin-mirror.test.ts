import { describe, expect, it } from 'vitest';
import { evaluateIamRequest, IamDecision, type EvaluablePolicy } from './evaluate.js';
import { buildPluginMirrorBucketPolicy } from './plugin-mirror.js';
import { buildStageRolePolicy, STAGE_ROLE_GRANTS, StageGrant } from './roles.js';

const ACCOUNT = '111122223333';
const BUCKET = 'arn:aws:s3:::signet-dev-signer-plugin-111122223333-eu-west-1';
const KEY = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/0b7c2c0a-8f4e-4d51-a0d1-6b1c2f3e4d5a`;
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const DEPLOYER = role('signet-dev-deployer');
const GITHUB = role('signet-dev-github-deploy');
const SIGNING = role('signet-dev-hello-server-sign');
const ZIP = `${BUCKET}/aws-signer-plugin/1.0.2292/notation-aws-signer-plugin.zip`;

const bucketPolicy = buildPluginMirrorBucketPolicy({
  bucketArn: BUCKET,
  writerPrincipalArns: [DEPLOYER, GITHUB],
  readerPrincipalArns: [SIGNING],
});
// Everyone in the account is allowed everything by IAM: only the bucket policy can say no.
const ADMIN: EvaluablePolicy = { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

function decide(principalArn: string, action: string, resource = ZIP, secure = true) {
  return evaluateIamRequest(
    { identity: [ADMIN], resource: [bucketPolicy] },
    { principalArn, action, resource, context: { 'aws:SecureTransport': secure ? 'true' : 'false' } },
  ).decision;
}

describe('buildPluginMirrorBucketPolicy', () => {
  it('lets only the deploying roles write, replace or delete a mirrored plugin', () => {
    for (const writer of [DEPLOYER, GITHUB]) {
      expect(decide(writer, 's3:PutObject')).toBe(IamDecision.Allow);
      expect(decide(writer, 's3:DeleteObjectVersion')).toBe(IamDecision.Allow);
    }
    for (const action of ['s3:PutObject', 's3:PutObjectAcl', 's3:DeleteObject', 's3:DeleteObjectVersion']) {
      expect(decide(SIGNING, action)).toBe(IamDecision.ExplicitDeny);
      expect(decide(role('administrator'), action)).toBe(IamDecision.ExplicitDeny);
    }
  });

  it('lets the plugin-installing stage roles and the deployers read, and nobody else', () => {
    expect(decide(SIGNING, 's3:GetObject')).toBe(IamDecision.Allow);
    expect(decide(DEPLOYER, 's3:GetObject')).toBe(IamDecision.Allow);
    expect(decide(role('signet-dev-hello-server-deploy'), 's3:GetObject')).toBe(IamDecision.ExplicitDeny);
    expect(decide(role('administrator'), 's3:GetObjectVersion')).toBe(IamDecision.ExplicitDeny);
  });

  it('refuses every request without TLS, even a writer’s', () => {
    expect(decide(DEPLOYER, 's3:PutObject', ZIP, false)).toBe(IamDecision.ExplicitDeny);
    expect(decide(SIGNING, 's3:GetObject', ZIP, false)).toBe(IamDecision.ExplicitDeny);
  });

  it('names the field of a bad principal or bucket', () => {
    expect(() =>
      buildPluginMirrorBucketPolicy({
        bucketArn: BUCKET,
        writerPrincipalArns: [],
        readerPrincipalArns: [SIGNING],
      }),
    ).toThrow('key "writerPrincipalArns" is missing');
    expect(() =>
      buildPluginMirrorBucketPolicy({
        bucketArn: BUCKET,
        writerPrincipalArns: [DEPLOYER],
        readerPrincipalArns: ['signet-dev-hello-server-sign'],
      }),
    ).toThrow('readerPrincipalArns[0]');
    expect(() =>
      buildPluginMirrorBucketPolicy({
        bucketArn: 'signet-dev-bucket',
        writerPrincipalArns: [DEPLOYER],
        readerPrincipalArns: [SIGNING],
      }),
    ).toThrow('bucketArn');
  });
});

describe('the ReadPluginMirror stage grant', () => {
  const stage = {
    logGroupArn: `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/signet/dev/pipeline/hello-server/sign`,
    artifactBucketArn: 'arn:aws:s3:::signet-dev-hello-server-artifacts-1',
    kmsKeyArn: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`,
    pluginMirror: { objectsArn: `${BUCKET}/aws-signer-plugin/1.0.2292/*`, kmsKeyArn: KEY },
  };

  it('is exactly s3:GetObject on the pinned version and kms:Decrypt with the mirror key', () => {
    const doc = buildStageRolePolicy([StageGrant.ReadPluginMirror], stage);
    expect(doc.Statement.filter((s) => s.Sid.includes('PluginMirror'))).toEqual([
      {
        Sid: 'ReadSignerPluginMirror',
        Effect: 'Allow',
        Action: ['s3:GetObject'],
        Resource: [`${BUCKET}/aws-signer-plugin/1.0.2292/*`],
      },
      { Sid: 'DecryptSignerPluginMirror', Effect: 'Allow', Action: ['kms:Decrypt'], Resource: [KEY] },
    ]);
    const allowed = (resource: string) =>
      evaluateIamRequest({ identity: [doc] }, { principalArn: SIGNING, action: 's3:GetObject', resource })
        .decision;
    expect(allowed(ZIP)).toBe(IamDecision.Allow);
    expect(allowed(`${BUCKET}/aws-signer-plugin/1.0.9999/notation-aws-signer-plugin.zip`)).toBe(
      IamDecision.ImplicitDeny,
    );
  });

  it('is held by the three stages that install the plugin', () => {
    expect(STAGE_ROLE_GRANTS.signing).toContain(StageGrant.ReadPluginMirror);
    expect(STAGE_ROLE_GRANTS.promotion).toContain(StageGrant.ReadPluginMirror);
    expect(STAGE_ROLE_GRANTS.releaseSigning).toContain(StageGrant.ReadPluginMirror);
    expect(STAGE_ROLE_GRANTS.build).not.toContain(StageGrant.ReadPluginMirror);
  });

  it('names what is missing or malformed', () => {
    const { pluginMirror: _, ...withoutMirror } = stage;
    expect(() => buildStageRolePolicy([StageGrant.ReadPluginMirror], withoutMirror)).toThrow(
      'key "pluginMirror" is missing',
    );
    expect(() =>
      buildStageRolePolicy([StageGrant.ReadPluginMirror], {
        ...stage,
        pluginMirror: { ...stage.pluginMirror, objectsArn: `${BUCKET}/*/*` },
      }),
    ).toThrow('pluginMirror.objectsArn');
  });
});
