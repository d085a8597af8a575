import { describe, expect, it } from 'vitest';
import { SignetInputError } from '@signet/core';
import { PolicyInputError } from '../errors.js';
import { buildArtifactBucketPolicy, buildNotificationTopicPolicy } from './pipeline.js';
import {
  accountRootArn,
  assertNoWildcardPrincipals,
  eksClusterArn,
  logGroupArn,
  logsServicePrincipal,
  sourceConditions,
} from './scope.js';

const scope = { accountId: '111122223333', partition: 'aws', region: 'eu-west-1' };

describe('account scope and ARNs', () => {
  it('builds the ARNs the policies name', () => {
    expect(accountRootArn(scope)).toBe('arn:aws:iam::111122223333:root');
    expect(logGroupArn(scope, '/signet/dev/x')).toBe(
      'arn:aws:logs:eu-west-1:111122223333:log-group:/signet/dev/x',
    );
    expect(eksClusterArn(scope, 'signet-dev-cluster')).toBe(
      'arn:aws:eks:eu-west-1:111122223333:cluster/signet-dev-cluster',
    );
    expect(logsServicePrincipal('eu-west-1')).toBe('logs.eu-west-1.amazonaws.com');
    expect(sourceConditions('111122223333', 'arn:aws:eks:eu-west-1:111122223333:cluster/c')).toEqual({
      StringEquals: { 'aws:SourceAccount': '111122223333' },
      ArnLike: { 'aws:SourceArn': 'arn:aws:eks:eu-west-1:111122223333:cluster/c' },
    });
  });

  it('refuses to build an ARN for a bad scope', () => {
    expect(() => accountRootArn({ accountId: '*', partition: 'aws' })).toThrow(
      'key "accountId" has value "*"; allowed: a 12-digit AWS account id',
    );
    expect(() => logGroupArn({ ...scope, partition: 'azure' }, '/x')).toThrow(
      'key "partition" has value "azure"; allowed: a partition where AWS Signer signs container images: "aws" or "aws-us-gov"',
    );
    expect(() => logsServicePrincipal('')).toThrow(
      'key "region" has value ""; allowed: an AWS region code such as "eu-west-1" or "us-gov-west-1"',
    );
  });
});

describe('wildcard principals', () => {
  it('are refused with the document, the statement path, the principal and what is allowed', () => {
    const check = () =>
      assertNoWildcardPrincipals(
        { Statement: [{ Sid: 'Any', Principal: { AWS: ['arn:aws:iam::111122223333:root', '*'] } }] },
        'test policy',
      );
    expect(check).toThrow(
      'test policy: key "Statement[0].Principal.AWS" has value "*"; allowed: a principal without wildcards (statement "Any")',
    );
    expect(check).toThrow(PolicyInputError);
    expect(check).toThrow(SignetInputError);
    try {
      check();
    } catch (error) {
      expect(error).toMatchObject({ field: 'Statement[0].Principal.AWS', value: '*', source: 'test policy' });
    }
  });

  it("accept the pipeline's topic policy and refuse the bucket policy's TLS-only Deny, which names *", () => {
    const topic = buildNotificationTopicPolicy({
      topicArn: 'arn:aws:sns:eu-west-1:111122223333:signet-dev-pipeline-notifications',
      accountId: '111122223333',
    });
    expect(() => assertNoWildcardPrincipals(topic, 'topic policy')).not.toThrow();
    const bucket = buildArtifactBucketPolicy({ bucketArn: 'arn:aws:s3:::signet-dev-x-artifacts' });
    expect(() => assertNoWildcardPrincipals(bucket, 'bucket policy')).toThrow(
      'bucket policy: key "Statement[0].Principal.AWS" has value "*"; allowed: a principal without wildcards (statement "DenyInsecureTransport")',
    );
  });
});

describe('PolicyInputError', () => {
  it('words a problem like every input error of the workspace', () => {
    const error = new PolicyInputError({ path: 'clusterName', value: 'a b', allowed: 'a cluster name' });
    expect(error.message).toBe('key "clusterName" has value "a b"; allowed: a cluster name');
    expect(error.field).toBe('clusterName');
    expect(error.name).toBe('PolicyInputError');
  });

  it('keeps the sentence of a (field, sentence) builder', () => {
    const error = new PolicyInputError('region', '"x" is not a region');
    expect(error.message).toBe('region: "x" is not a region');
    expect(error.field).toBe('region');
    expect(error).toBeInstanceOf(SignetInputError);
  });
});
