import { assertArn } from '../arn.js';
import { resourcePolicyDocument, type IamResourcePolicyDocument } from './document.js';
import { assertExemptPrincipals } from './principal.js';

/** Input of {@link buildPluginMirrorBucketPolicy}. */
export interface PluginMirrorBucketPolicyInput {
  /** The mirror bucket. */
  readonly bucketArn: string;
  /**
   * Who may write, replace or delete objects: the environment's deploying roles
   * (`deployerRoleName`, `githubDeployRoleName` of @signet/core), as IAM role ARNs.
   */
  readonly writerPrincipalArns: readonly string[];
  /**
   * Who may read objects besides the writers: the stage roles that install the plugin (a role
   * created later, by another stack, is named by its ARN; `aws:PrincipalArn` needs no existing role).
   */
  readonly readerPrincipalArns: readonly string[];
}

/**
 * Every object-level write: new objects and versions, ACLs, tags, retention and legal holds
 * (`s3:PutObject*`), deletes of objects, versions and tags (`s3:DeleteObject*`), restores and
 * replication writes. https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
 */
const OBJECT_WRITE_ACTIONS = [
  's3:PutObject*',
  's3:DeleteObject*',
  's3:RestoreObject',
  's3:ReplicateObject',
  's3:ReplicateDelete',
  's3:ReplicateTags',
] as const;

/** Every object-level read: content, versions, attributes, ACLs and tags. */
const OBJECT_READ_ACTIONS = ['s3:GetObject*'] as const;

/**
 * The mirror bucket's policy. Three Deny statements bind every principal of every account, the
 * bucket's own included (an explicit Deny in a resource policy overrides any Allow:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
 * any request without TLS; object writes by anyone but the deploying roles, so only
 * `signet mirror-plugin` run with one of them can put a plugin build where the stages read it;
 * object reads by anyone but those roles (the mirror command compares what is there) and the
 * stage roles that install the plugin. Nothing is allowed here: the readers and writers get
 * `s3:GetObject`/`s3:PutObject` from their own IAM policies. Bucket-level changes (policy,
 * versioning, encryption) stay with whoever runs `pulumi up` of the signer stack and with the
 * guardrails; denying them here could lock the stack out of its own bucket.
 */
export function buildPluginMirrorBucketPolicy(
  input: PluginMirrorBucketPolicyInput,
): IamResourcePolicyDocument {
  assertArn(input.bucketArn, 's3Bucket', 'bucketArn');
  assertExemptPrincipals(input.writerPrincipalArns, 'writerPrincipalArns');
  assertExemptPrincipals(input.readerPrincipalArns, 'readerPrincipalArns', true);
  const objects = `${input.bucketArn}/*`;
  const writers = [...new Set(input.writerPrincipalArns)];
  return resourcePolicyDocument([
    {
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 's3:*',
      Resource: [input.bucketArn, objects],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
    {
      Sid: 'DenyObjectWritesButDeployers',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: [...OBJECT_WRITE_ACTIONS],
      Resource: [objects],
      Condition: { ArnNotLike: { 'aws:PrincipalArn': writers } },
    },
    {
      Sid: 'DenyObjectReadsButPluginInstallers',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: [...OBJECT_READ_ACTIONS],
      Resource: [objects],
      Condition: {
        ArnNotLike: { 'aws:PrincipalArn': [...new Set([...writers, ...input.readerPrincipalArns])] },
      },
    },
  ]);
}
