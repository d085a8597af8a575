import { describe, expect, it } from 'vitest';
import { KMS_KEY_ARN } from '../test/fixtures.js';
import {
  buildClusterSecretsRolePolicy,
  buildEksClusterRoleTrustPolicy,
  buildEksNodeRoleTrustPolicy,
  CLUSTER_ROLE_MANAGED_POLICIES,
  NODE_ROLE_MANAGED_POLICIES,
} from './service-roles.js';

const scope = { accountId: '111122223333', partition: 'aws', region: 'eu-west-1' };

describe('EKS cluster role', () => {
  it('lets only the EKS control plane of the one named cluster of this account assume it', () => {
    expect(buildEksClusterRoleTrustPolicy({ ...scope, clusterName: 'signet-dev-cluster' })).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'ServiceAssumesRole',
          Effect: 'Allow',
          Principal: { Service: 'eks.amazonaws.com' },
          // EKS tags its sessions.
          Action: ['sts:AssumeRole', 'sts:TagSession'],
          Condition: {
            StringEquals: { 'aws:SourceAccount': '111122223333' },
            ArnLike: { 'aws:SourceArn': 'arn:aws:eks:eu-west-1:111122223333:cluster/signet-dev-cluster' },
          },
        },
      ],
    });
  });

  it('writes the cluster ARN of the partition it is given', () => {
    const trust = buildEksClusterRoleTrustPolicy({
      ...scope,
      partition: 'aws-us-gov',
      region: 'us-gov-west-1',
      clusterName: 'c',
    });
    expect(trust.Statement[0]?.Condition?.['ArnLike']).toEqual({
      'aws:SourceArn': 'arn:aws-us-gov:eks:us-gov-west-1:111122223333:cluster/c',
    });
  });

  it.each([
    [
      { clusterName: 'signet-*' },
      'key "clusterName" has value "signet-*"; allowed: 1 to 100 characters of [A-Za-z0-9_-], starting with a letter or digit',
    ],
    [{ clusterName: '' }, 'key "clusterName" has value ""'],
    [
      { clusterName: 'c', accountId: '1111' },
      'key "accountId" has value "1111"; allowed: a 12-digit AWS account id',
    ],
    [
      { clusterName: 'c', region: '*' },
      'key "region" has value "*"; allowed: an AWS region code such as "eu-west-1" or "us-gov-west-1"',
    ],
    [
      { clusterName: 'c', partition: 'aws-cn' },
      'key "partition" has value "aws-cn"; allowed: a partition where AWS Signer signs container images: "aws" or "aws-us-gov"',
    ],
  ])('refuses %j', (overrides, message) => {
    expect(() => buildEksClusterRoleTrustPolicy({ ...scope, ...overrides })).toThrow(message);
  });

  it('may use the cluster key for secrets encryption only, on that key only', () => {
    expect(buildClusterSecretsRolePolicy(KMS_KEY_ARN).Statement).toEqual([
      {
        Sid: 'EncryptClusterSecrets',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:ListGrants'],
        Resource: [KMS_KEY_ARN],
      },
    ]);
    expect(() => buildClusterSecretsRolePolicy('*')).toThrow(
      'key "keyArn" has value "*"; allowed: an ARN arn:<partition>:kms:<region>:<account>:key/<key-id>',
    );
    expect(CLUSTER_ROLE_MANAGED_POLICIES).toEqual(['AmazonEKSClusterPolicy']);
  });
});

describe('EKS node role', () => {
  it('is assumed by EC2 for the instance profile of the nodes, with AssumeRole only', () => {
    expect(buildEksNodeRoleTrustPolicy().Statement).toEqual([
      {
        Sid: 'ServiceAssumesRole',
        Effect: 'Allow',
        Principal: { Service: 'ec2.amazonaws.com' },
        Action: ['sts:AssumeRole'],
      },
    ]);
  });

  it('pulls images and never lists or describes repositories', () => {
    expect(NODE_ROLE_MANAGED_POLICIES).toContain('AmazonEC2ContainerRegistryPullOnly');
    expect(NODE_ROLE_MANAGED_POLICIES).not.toContain('AmazonEC2ContainerRegistryReadOnly');
  });
});
