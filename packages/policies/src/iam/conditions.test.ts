/** Conditions of the evaluator against the IAM User Guide's condition rules and examples. */
import { describe, expect, it } from 'vitest';
import { PolicyInputError } from '../errors.js';
import { evaluateIamRequest, IamDecision, type EvaluablePolicy, type IamRequest } from './evaluate.js';

const ACCOUNT = '111122223333';
const CARLOS = `arn:aws:iam::${ACCOUNT}:user/carlossalazar`;

const decide = (policies: Parameters<typeof evaluateIamRequest>[0], request: IamRequest) =>
  evaluateIamRequest(policies, request).decision;

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
describe('conditions', () => {
  const allowWhen = (Condition: unknown): EvaluablePolicy => ({
    Statement: { Effect: 'Allow', Action: 'signer:SignPayload', Resource: '*', Condition },
  });
  const ask = (Condition: unknown, context?: Record<string, string | boolean | readonly string[]>) =>
    decide(
      { identity: [allowWhen(Condition)] },
      { principalArn: CARLOS, action: 'signer:SignPayload', resource: '*', ...(context ? { context } : {}) },
    );

  it('values of one key are OR, keys and operators are AND', () => {
    const condition = {
      StringEquals: {
        'signer:ProfileVersion': ['aaaaaaaaaa', 'bbbbbbbbbb'],
        'aws:RequestedRegion': 'eu-west-1',
      },
    };
    expect(
      ask(condition, { 'signer:ProfileVersion': 'bbbbbbbbbb', 'aws:RequestedRegion': 'eu-west-1' }),
    ).toBe(IamDecision.Allow);
    expect(
      ask(condition, { 'signer:ProfileVersion': 'bbbbbbbbbb', 'aws:RequestedRegion': 'us-east-1' }),
    ).toBe(IamDecision.ImplicitDeny);
    expect(
      ask(condition, { 'signer:ProfileVersion': 'cccccccccc', 'aws:RequestedRegion': 'eu-west-1' }),
    ).toBe(IamDecision.ImplicitDeny);
  });

  it('a key absent from the request: false, except for negated operators, IfExists and Null', () => {
    expect(ask({ StringEquals: { 'aws:PrincipalTag/team': 'a' } })).toBe(IamDecision.ImplicitDeny);
    expect(ask({ StringNotLike: { 'aws:PrincipalTag/team': 'a*' } })).toBe(IamDecision.Allow);
    expect(ask({ StringEqualsIfExists: { 'aws:PrincipalTag/team': 'a' } })).toBe(IamDecision.Allow);
    expect(ask({ Null: { 'aws:PrincipalTag/team': 'true' } })).toBe(IamDecision.Allow);
    expect(ask({ Null: { 'aws:PrincipalTag/team': 'false' } })).toBe(IamDecision.ImplicitDeny);
  });

  it('a negated operator holds only when the value matches none of the listed ones', () => {
    const condition = {
      ArnNotLike: { 'aws:PrincipalArn': ['arn:aws:iam::*:role/signet-*', 'arn:aws:iam::*:role/admin'] },
    };
    expect(ask(condition)).toBe(IamDecision.Allow); // aws:PrincipalArn defaults to the caller: a user, listed nowhere
    expect(
      decide(
        { identity: [allowWhen(condition)] },
        {
          principalArn: `arn:aws:iam::${ACCOUNT}:role/signet-dev-app-sign`,
          action: 'signer:SignPayload',
          resource: '*',
        },
      ),
    ).toBe(IamDecision.ImplicitDeny);
    expect(
      decide(
        { identity: [allowWhen(condition)] },
        {
          principalArn: `arn:aws:iam::${ACCOUNT}:role/developer`,
          action: 'signer:SignPayload',
          resource: '*',
        },
      ),
    ).toBe(IamDecision.Allow);
  });

  // The MFA example of https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_iam_mfa-selfmanage.html
  it('BoolIfExists denies when the key is absent or false, not when it is true', () => {
    const policy: EvaluablePolicy = {
      Statement: [
        { Effect: 'Allow', Action: '*', Resource: '*' },
        {
          Sid: 'DenyAllExceptListedIfNoMFA',
          Effect: 'Deny',
          NotAction: ['iam:CreateVirtualMFADevice', 'iam:EnableMFADevice', 'sts:GetSessionToken'],
          Resource: '*',
          Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
        },
      ],
    };
    const ask2 = (context?: Record<string, boolean>) =>
      decide(
        { identity: [policy] },
        { principalArn: CARLOS, action: 'ec2:RunInstances', resource: '*', ...(context ? { context } : {}) },
      );
    expect(ask2()).toBe(IamDecision.ExplicitDeny);
    expect(ask2({ 'aws:MultiFactorAuthPresent': false })).toBe(IamDecision.ExplicitDeny);
    expect(ask2({ 'aws:MultiFactorAuthPresent': true })).toBe(IamDecision.Allow);
  });

  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
  it('ForAllValues holds for an absent key, ForAnyValue does not; both test each request value', () => {
    const all = { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env', 'team'] } };
    const any = { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['env', 'team'] } };
    expect(ask(all)).toBe(IamDecision.Allow);
    expect(ask(any)).toBe(IamDecision.ImplicitDeny);
    expect(ask(all, { 'aws:TagKeys': ['env', 'team'] })).toBe(IamDecision.Allow);
    expect(ask(all, { 'aws:TagKeys': ['env', 'cost'] })).toBe(IamDecision.ImplicitDeny);
    expect(ask(any, { 'aws:TagKeys': ['env', 'cost'] })).toBe(IamDecision.Allow);
  });

  it('compares condition keys case-insensitively and values case-sensitively', () => {
    expect(
      ask(
        { StringEquals: { 'SIGNER:profileversion': 'aaaaaaaaaa' } },
        { 'signer:ProfileVersion': 'aaaaaaaaaa' },
      ),
    ).toBe(IamDecision.Allow);
    expect(
      ask(
        { StringEquals: { 'signer:ProfileVersion': 'AAAAAAAAAA' } },
        { 'signer:ProfileVersion': 'aaaaaaaaaa' },
      ),
    ).toBe(IamDecision.ImplicitDeny);
  });

  it('rejects an operator it does not know, naming where it is', () => {
    expect(() => ask({ IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } })).toThrow(PolicyInputError);
    expect(() => ask({ IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } })).toThrow(
      /identity\[0\]\.Statement\[0\]\.Condition\.IpAddress\.aws:SourceIp.*"IpAddress"/,
    );
  });
});
