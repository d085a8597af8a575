import type * as pulumi from '@pulumi/pulumi';
import type { DiscoveredApp } from '../apps.js';
import type { Environment } from '../environment.js';
import type { EnvironmentAccounts } from '@signet/core';
import type { PipelineSource } from './source.js';

/** Arguments of {@link AppPipeline}. */
export interface AppPipelineArgs {
  readonly environment: Environment;
  readonly region: string;
  /**
   * The environments' accounts (`accounts.json`), for the promotion request written across
   * environments: the previous environment's pipeline role and the next environment's bucket and
   * key live in those accounts. Undefined: every environment in this stack's account.
   */
  readonly accounts?: EnvironmentAccounts;
  readonly app: DiscoveredApp;
  /** Where the pipeline's source comes from (CodeCommit repository created here, or a connection). */
  readonly source: PipelineSource;
  /** A manual approval: before ReleaseSigning where the environment has it, else before ApplicationDeployment. */
  readonly manualApproval: boolean;
  /** Retention of the stage log groups, in days (a CloudWatch Logs value). */
  readonly logRetentionDays: number;
  /** Days artifacts and noncurrent versions are kept. */
  readonly artifactRetentionDays: number;
  /** The app's ECR repository (from the ecr stack). */
  readonly repository: pulumi.Input<{ readonly arn: string; readonly url: string }>;
  /**
   * The profile ARN of each signing identity a stage of this environment signs with (the catalog's
   * `signingIdentity`): `pipeline` where images are built, `release` where they are released.
   */
  readonly signingProfileArns: Readonly<Partial<Record<'pipeline' | 'release', pulumi.Input<string>>>>;
  /**
   * The version ARN of the `release` profile, where a stage revokes superseded release signatures
   * (RevokeSuperseded): its RevokeSignature grant is pinned to that version (`signer:ProfileVersion`).
   */
  readonly releaseProfileVersionArn?: pulumi.Input<string>;
  /** Every trusted profile ARN of the environment: revocation checks of `notation verify`. */
  readonly trustedIdentities: pulumi.Input<string[]>;
  /**
   * The notation trust policy (JSON) of the signature the environment's own signing stage makes,
   * exactly as the cluster's TrustPolicy for it: the build policy where images are built, the release
   * policy where they are promoted.
   */
  readonly trustPolicyJson: pulumi.Input<string>;
  /** The cluster's build trust policy (JSON), where images are promoted (ReleaseSigning's gate). */
  readonly buildTrustPolicyJson?: pulumi.Input<string>;
  /** Where images are promoted from: the source repository and the Promote stage's trust policy. */
  readonly promotion?: {
    readonly sourceRepository: pulumi.Input<{ readonly arn: string; readonly url: string }>;
    /** The build policy with the source repository in its scope too. */
    readonly trustPolicyJson: pulumi.Input<string>;
  };
  readonly cluster: {
    readonly name: pulumi.Input<string>;
    readonly arn: pulumi.Input<string>;
  };
  /** The app's namespace on the cluster (from the eks stack). */
  readonly namespace: pulumi.Input<string>;
  /** The group that may get the admission ClusterPolicy (for stages whose entry reads it). */
  readonly admissionPolicyReadersGroup: string;
  /** The cluster, for the Roles of stages with `rbac` cluster access. */
  readonly kubernetesProvider: pulumi.ProviderResource;
  /** Where the cluster-facing stages run. */
  readonly vpc: {
    readonly vpcId: pulumi.Input<string>;
    readonly subnetIds: pulumi.Input<string[]>;
    readonly securityGroupId: pulumi.Input<string>;
  };
  /**
   * The signer stack's AWS Signer plugin mirror (`pluginMirror` of its outputs): the stages that
   * install the plugin copy it from there, and their roles may read the pinned version only.
   */
  readonly pluginMirror: pulumi.Input<{
    readonly bucketName: string;
    readonly bucketArn: string;
    readonly kmsKeyArn: string;
  }>;
  /** SNS topic of failure and approval notifications. */
  readonly notificationTopicArn: pulumi.Input<string>;
}
