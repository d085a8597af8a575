import { assertAccountId, assertAwsPartition, assertRegion, type AwsPartition } from '../arn.js';
import { PolicyInputError } from '../errors.js';
import type { IamCondition, IamPrincipal } from './document.js';

/** The account and partition a policy is written for. */
export interface AccountScope {
  /** 12-digit AWS account id. */
  readonly accountId: string;
  /** AWS partition, e.g. `aws`. */
  readonly partition: string;
}

/** An account scope in one region. */
export interface RegionalScope extends AccountScope {
  /** AWS region code, e.g. `eu-west-1`. */
  readonly region: string;
}

/** Throws unless the account id and partition are valid; returns the partition. */
export function assertAccountScope(scope: AccountScope): AwsPartition {
  assertAccountId(scope.accountId, 'accountId');
  return assertAwsPartition(scope.partition, 'partition');
}

/** Throws unless the account id, partition and region are valid; returns the partition. */
export function assertRegionalScope(scope: RegionalScope): AwsPartition {
  const partition = assertAccountScope(scope);
  assertRegion(scope.region, 'region');
  return partition;
}

/** The ARN that stands for "principals of this account that IAM allows". */
export function accountRootArn(scope: AccountScope): string {
  return `arn:${assertAccountScope(scope)}:iam::${scope.accountId}:root`;
}

/** The ARN of one CloudWatch Logs log group (without the `:*` suffix). */
export function logGroupArn(scope: RegionalScope, logGroupName: string): string {
  return `arn:${assertRegionalScope(scope)}:logs:${scope.region}:${scope.accountId}:log-group:${logGroupName}`;
}

/** The ARN of one EKS cluster. */
export function eksClusterArn(scope: RegionalScope, clusterName: string): string {
  return `arn:${assertRegionalScope(scope)}:eks:${scope.region}:${scope.accountId}:cluster/${clusterName}`;
}

/** Service principals of the roles and key grants built in this package. */
export const ServicePrincipal = {
  /** The EKS control plane (the cluster role). */
  Eks: 'eks.amazonaws.com',
  /** EC2, for instance profiles (the node role). */
  Ec2: 'ec2.amazonaws.com',
  /** VPC Flow Logs delivering to CloudWatch Logs. */
  VpcFlowLogs: 'vpc-flow-logs.amazonaws.com',
  /** CodeBuild, running a stage's project (the stage roles; VPC network interfaces it creates). */
  CodeBuild: 'codebuild.amazonaws.com',
  /** CodePipeline, running an app's pipeline (the pipeline role). */
  CodePipeline: 'codepipeline.amazonaws.com',
  /** EventBridge, starting a pipeline from a rule (the CodeCommit trigger's role). */
  Events: 'events.amazonaws.com',
  /** AWS CodeStar Notifications, publishing a pipeline's failures to its SNS topic. */
  CodeStarNotifications: 'codestar-notifications.amazonaws.com',
} as const;
export type ServicePrincipal = (typeof ServicePrincipal)[keyof typeof ServicePrincipal];

/** CloudWatch Logs' principal is regional: `logs.<region>.amazonaws.com`. */
export function logsServicePrincipal(region: string): string {
  return `logs.${assertRegion(region, 'region')}.amazonaws.com`;
}

/**
 * The confused-deputy conditions of a role an AWS service assumes on behalf of a resource: the
 * service must be acting for a resource of this account (`aws:SourceAccount`) and for the resource
 * named by `sourceArn` (`aws:SourceArn`, `ArnLike` so that a trailing `*` can stand for an id that
 * exists only after the role does).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
 */
export function sourceConditions(accountId: string, sourceArn: string): IamCondition {
  return {
    StringEquals: { 'aws:SourceAccount': accountId },
    ArnLike: { 'aws:SourceArn': sourceArn },
  };
}

/** The parts of a statement {@link assertNoWildcardPrincipals} reads. */
interface StatementWithPrincipal {
  readonly Sid: string;
  readonly Principal: IamPrincipal;
}

/**
 * Throws when any statement names `*` (or any wildcard, e.g. an account pattern) as principal.
 * `what` names the document in the message, e.g. `KMS key policy`.
 */
export function assertNoWildcardPrincipals(
  document: { readonly Statement: readonly StatementWithPrincipal[] },
  what: string,
): void {
  document.Statement.forEach((statement, index) => {
    for (const [kind, value] of Object.entries(statement.Principal)) {
      const principals: readonly string[] = typeof value === 'string' ? [value] : (value ?? []);
      for (const principal of principals) {
        if (principal.includes('*')) {
          throw new PolicyInputError({
            source: what,
            path: `Statement[${index}].Principal.${kind}`,
            value: principal,
            allowed: `a principal without wildcards (statement ${JSON.stringify(statement.Sid)})`,
          });
        }
      }
    }
  });
}
