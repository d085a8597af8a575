import { describe, expect, it } from 'vitest';
import { PolicyInputError } from '../errors.js';
import {
  buildBuildRolePolicy,
  buildSigningRolePolicy,
  buildStageRolePolicy,
  buildVerificationRolePolicy,
  STAGE_ROLE_GRANTS,
  StageGrant,
} from './roles.js';
import {
  ADMISSION_POLICY_READERS_GROUP,
  buildAdmissionPolicyReaderRbac,
  buildStageNamespaceRbac,
  type StageKubernetesRule,
} from './stage-rbac.js';

const ACCOUNT = '111122223333';
const stage = {
  logGroupArn: `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/signet/dev/pipeline/hello-server/build`,
  artifactBucketArn: 'arn:aws:s3:::signet-dev-hello-server-artifacts-1',
  kmsKeyArn: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/0b7c2c0a-8f4e-4d51-a0d1-6b1c2f3e4d5a`,
  pluginMirror: {
    objectsArn: 'arn:aws:s3:::signet-dev-plugin-mirror/aws-signer-plugin/1.0.0/*',
    kmsKeyArn: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/0b7c2c0a-8f4e-4d51-a0d1-6b1c2f3e4d5a`,
  },
};
const repositoryArn = `arn:aws:ecr:eu-west-1:${ACCOUNT}:repository/signet-dev/hello-server`;
const signingProfileArn = `arn:aws:signer:eu-west-1:${ACCOUNT}:/signing-profiles/signet_dev_hello_server`;
const clusterArn = `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/signet-dev-cluster`;
const sids = (grants: readonly StageGrant[], input = {}) =>
  buildStageRolePolicy(grants, {
    ...stage,
    repositoryArn,
    signingProfileArn,
    clusterArn,
    ...input,
  }).Statement.map((s) => s.Sid);

describe('buildStageRolePolicy', () => {
  it('writes the grants in the listed order, then the stage logs and artifacts', () => {
    expect(sids([StageGrant.DescribeCluster, StageGrant.ReadRepository])).toEqual([
      'DescribeOwnCluster',
      'EcrLogin',
      'ReadOwnRepository',
      'WriteOwnLogs',
      ...sids([]).slice(1),
    ]);
    expect(sids([StageGrant.SignWithProfile, StageGrant.CheckRevocation]).slice(0, 2)).toEqual([
      'SignWithOwnProfile',
      'CheckSignatureRevocation',
    ]);
  });

  it('lets RevokeSuperseded revoke the jobs of one profile version only, and refuses a profile ARN without one', () => {
    const release = `${signingProfileArn}_release`;
    const doc = buildStageRolePolicy(STAGE_ROLE_GRANTS.revocation, {
      ...stage,
      repositoryArn,
      revocableProfileVersionArn: `${release}/a1B2c3D4e5`,
    });
    expect(doc.Statement.filter((s) => String(s.Action).startsWith('signer:'))).toEqual([
      {
        Sid: 'RevokeOwnReleaseSignatures',
        Effect: 'Allow',
        Action: ['signer:RevokeSignature'],
        Resource: [`arn:aws:signer:eu-west-1:${ACCOUNT}:/signing-jobs/*`],
        Condition: { StringEquals: { 'signer:ProfileVersion': 'a1B2c3D4e5' } },
      },
      {
        Sid: 'DescribeSigningJobs',
        Effect: 'Allow',
        Action: ['signer:DescribeSigningJob'],
        Resource: [`arn:aws:signer:eu-west-1:${ACCOUNT}:/signing-jobs/*`],
      },
    ]);
    expect(() =>
      buildStageRolePolicy(STAGE_ROLE_GRANTS.revocation, {
        ...stage,
        repositoryArn,
        revocableProfileVersionArn: release,
      }),
    ).toThrow(
      /"revocableProfileVersionArn".*signet_dev_hello_server_release.*allowed: a signing profile version ARN/,
    );
    expect(() => buildStageRolePolicy(STAGE_ROLE_GRANTS.revocation, { ...stage, repositoryArn })).toThrow(
      'key "revocableProfileVersionArn" is missing',
    );
  });

  it('lets the Promote stage read the source repository and write only its own', () => {
    const source = repositoryArn.replace('signet-dev', 'signet-staging').replace(ACCOUNT, '444455556666');
    const doc = buildStageRolePolicy(STAGE_ROLE_GRANTS.promotion, {
      ...stage,
      repositoryArn,
      signingProfileArn,
      promotionSourceRepositoryArn: source,
    });
    const read = doc.Statement.find((s) => s.Sid === 'ReadPromotionSource');
    const write = doc.Statement.find((s) => s.Sid === 'WritePromotedImage');
    expect(read?.Resource).toEqual([source]);
    expect(read?.Action.some((a) => /Put|Upload|Complete|Initiate/.test(a))).toBe(false);
    expect(write?.Resource).toEqual([repositoryArn]);
    expect(write?.Action).toContain('ecr:PutImage');
    expect(doc.Statement.some((s) => s.Action.includes('signer:SignPayload'))).toBe(false);
    expect(() =>
      buildStageRolePolicy(STAGE_ROLE_GRANTS.promotion, { ...stage, repositoryArn, signingProfileArn }),
    ).toThrow(
      'key "promotionSourceRepositoryArn" is missing; allowed: an ARN: grant "promote-image" needs it',
    );
  });

  it('logs in to ECR once however many repository grants a stage has', () => {
    const all = sids([StageGrant.PushRepository, StageGrant.ReadRepository]);
    expect(all.filter((sid) => sid === 'EcrLogin')).toHaveLength(1);
    expect(all).toContain('PushOwnRepository');
    expect(all).toContain('ReadOwnRepository');
  });

  it('is what the named builders of the four stages produce', () => {
    const input = { ...stage, repositoryArn, signingProfileArn };
    expect(buildStageRolePolicy(STAGE_ROLE_GRANTS.build, input)).toEqual(buildBuildRolePolicy(input));
    expect(buildStageRolePolicy(STAGE_ROLE_GRANTS.signing, input)).toEqual(buildSigningRolePolicy(input));
    expect(buildStageRolePolicy(STAGE_ROLE_GRANTS.verification, { ...input, clusterArn })).toEqual(
      buildVerificationRolePolicy({ ...input, clusterArn }),
    );
  });

  it('names the missing resource and the grant that needs it', () => {
    expect(() => buildStageRolePolicy([StageGrant.DescribeCluster], stage)).toThrow(
      new PolicyInputError({
        path: 'clusterArn',
        issue: 'missing',
        allowed: 'an ARN: grant "describe-cluster" needs it',
      }),
    );
    expect(() => buildStageRolePolicy([StageGrant.CheckRevocation], stage)).toThrow(
      'key "signingProfileArn" is missing; allowed: an ARN: grant "check-revocation" needs it',
    );
  });

  it('refuses a grant it does not know, naming its position and the allowed grants', () => {
    expect(() => buildStageRolePolicy(['admin' as StageGrant], stage, 'catalog[4].roleGrants')).toThrow(
      'key "catalog[4].roleGrants[0]" has value "admin"; allowed: a stage grant: one of push-repository, write-signature,',
    );
  });
});

const rules: readonly StageKubernetesRule[] = [
  { apiGroup: 'apps', resource: 'deployments', verbs: ['patch', 'get'], appObjectOnly: true },
  { apiGroup: '', resource: 'pods', verbs: ['list'] },
];
const rbac = (change: Partial<Parameters<typeof buildStageNamespaceRbac>[0]> = {}) =>
  buildStageNamespaceRbac({
    name: 'signet-hello-server-verify-container-sign',
    namespace: 'hello-server',
    app: 'hello-server',
    group: 'signet:hello-server:verify-container-sign',
    rules,
    ...change,
  });

describe('buildStageNamespaceRbac', () => {
  it('grants exactly the rules in the app namespace, naming the app object where RBAC can', () => {
    const { role, roleBinding } = rbac();
    expect(role.metadata).toEqual({
      name: 'signet-hello-server-verify-container-sign',
      namespace: 'hello-server',
    });
    expect(role.rules).toEqual([
      {
        apiGroups: ['apps'],
        resources: ['deployments'],
        verbs: ['get', 'patch'],
        resourceNames: ['hello-server'],
      },
      { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
    ]);
    expect(roleBinding).toMatchObject({
      metadata: role.metadata,
      roleRef: { kind: 'Role', name: role.metadata.name },
      subjects: [{ kind: 'Group', name: 'signet:hello-server:verify-container-sign' }],
    });
  });

  it.each([
    [
      { rules: [{ apiGroup: 'apps', resource: 'replicasets', verbs: ['list'], appObjectOnly: true }] },
      /rules\[0\]\.verbs: "list" cannot be limited to the app's object/,
    ],
    [{ rules: [] }, /rules: is empty/],
    [{ rules: [{ apiGroup: '', resource: 'pods', verbs: [] }] }, /rules\[0\]\.verbs: is empty/],
    [
      { rules: [{ apiGroup: 'Apps', resource: 'pods', verbs: ['get'] }] },
      /rules\[0\]\.apiGroup: "Apps" is not an API group/,
    ],
    [
      { rules: [{ apiGroup: '', resource: 'pods/*', verbs: ['get'] }] },
      /rules\[0\]\.resource: "pods\/\*" is not a resource/,
    ],
    [{ group: 'system:masters' }, /group: "system:masters" starts with the reserved prefix "system:"/],
    [{ group: 'signet verify' }, /group: "signet verify" is not a Kubernetes group name/],
    [{ namespace: 'Hello' }, /namespace: "Hello" is not a valid name/],
  ] as const)('refuses %j', (change, message) => {
    expect(() => rbac(change as never)).toThrow(message);
  });
});

describe('buildAdmissionPolicyReaderRbac', () => {
  it('grants its group get on the one ClusterPolicy, by name, and nothing else', () => {
    const { clusterRole, clusterRoleBinding } = buildAdmissionPolicyReaderRbac('signet-verify-images');
    expect(clusterRole.rules).toEqual([
      {
        apiGroups: ['kyverno.io'],
        resources: ['clusterpolicies'],
        resourceNames: ['signet-verify-images'],
        verbs: ['get'],
      },
    ]);
    expect(clusterRoleBinding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: clusterRole.metadata.name,
    });
    expect(clusterRoleBinding.subjects).toEqual([
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: ADMISSION_POLICY_READERS_GROUP },
    ]);
  });

  it('refuses a policy name that is not a Kubernetes object name, since an empty one would name no object', () => {
    expect(() => buildAdmissionPolicyReaderRbac('')).toThrow(PolicyInputError);
    expect(() => buildAdmissionPolicyReaderRbac('Signet Policy')).toThrow('policyName');
  });
});
