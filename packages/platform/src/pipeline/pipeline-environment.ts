import * as aws from '@pulumi/aws';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import {
  ADMISSION_POLICY_READER_NAME,
  ADMISSION_POLICY_READERS_GROUP,
  buildAdmissionPolicyReaderRbac,
  buildNotificationTopicPolicy,
  notificationsKeyGrant,
} from '@signet/policies';
import type { Environment } from '../environment.js';
import { KmsKey } from '../kms/kms-key.js';
import { kmsAliasName, physicalName } from '../naming.js';

/** Arguments of {@link PipelineEnvironment}. */
export interface PipelineEnvironmentArgs {
  readonly environment: Environment;
  readonly region: string;
  /** Email addresses subscribed to the notification topic (each confirms by mail). Default none. */
  readonly notificationEmails?: readonly string[];
  readonly vpcId: pulumi.Input<string>;
  /** Security group of the EKS control plane: the cluster-facing stages get 443 to it. */
  readonly clusterSecurityGroupId: pulumi.Input<string>;
  /** Kubeconfig of the cluster (from the eks stack), for the ClusterPolicy reader RBAC. */
  readonly kubeconfig: pulumi.Input<string>;
  /** Name of the admission ClusterPolicy the verification stages read. */
  readonly admissionPolicyName: pulumi.Input<string>;
}

/**
 * What every app pipeline of an environment shares: the KMS-encrypted notification topic, the
 * security group of the cluster-facing stages (and its one way into the API server), the RBAC
 * that lets the verification stages read the admission policy, and the cluster provider that the
 * stages' namespaced Roles are deployed with.
 */
export class PipelineEnvironment extends pulumi.ComponentResource {
  public readonly topicArn: pulumi.Output<string>;
  public readonly securityGroupId: pulumi.Output<string>;
  /** The group that may get the admission ClusterPolicy: for the stages whose catalog entry reads it. */
  public readonly admissionPolicyReadersGroup: string = ADMISSION_POLICY_READERS_GROUP;
  /** The cluster, for the stages' namespaced Roles. */
  public readonly kubernetesProvider: k8s.Provider;

  constructor(name: string, args: PipelineEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
    super('signet:pipeline:PipelineEnvironment', name, {}, opts);
    const child = { parent: this };
    const emails = args.notificationEmails ?? [];
    for (const email of emails) {
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
        throw new Error(`PipelineEnvironment ${name}: notification email "${email}" is not an email address`);
      }
    }
    const accountId = aws.getCallerIdentityOutput({}, child).accountId;

    // The topic's own key: CodeStar Notifications may use it, through SNS only.
    const key = new KmsKey(
      `${name}-notifications-key`,
      {
        description: `Signet ${args.environment}: pipeline notifications`,
        aliasName: kmsAliasName(args.environment, 'pipeline-notifications'),
        serviceGrants: [notificationsKeyGrant({ region: args.region })],
      },
      child,
    );
    const topic = new aws.sns.Topic(
      `${name}-notifications`,
      { name: physicalName(args.environment, 'pipeline-notifications'), kmsMasterKeyId: key.keyArn },
      child,
    );
    const topicPolicy = new aws.sns.TopicPolicy(
      `${name}-notifications-policy`,
      {
        arn: topic.arn,
        policy: pulumi
          .all([topic.arn, accountId])
          .apply(([topicArn, id]) =>
            JSON.stringify(buildNotificationTopicPolicy({ topicArn, accountId: id })),
          ),
      },
      child,
    );
    emails.forEach((email, i) => {
      new aws.sns.TopicSubscription(
        `${name}-notifications-email-${i}`,
        { topic: topic.arn, protocol: 'email', endpoint: email },
        child,
      );
    });

    // The cluster-facing stages: HTTPS out only (API server, AWS endpoints, pinned tool downloads).
    const securityGroup = new aws.ec2.SecurityGroup(
      `${name}-stages`,
      {
        name: physicalName(args.environment, 'pipeline-stages'),
        description: 'Signet pipeline stages that reach the EKS API',
        vpcId: args.vpcId,
      },
      child,
    );
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-stages-https-out`,
      {
        securityGroupId: securityGroup.id,
        description: 'HTTPS to the EKS API, AWS endpoints and tool downloads',
        ipProtocol: 'tcp',
        fromPort: 443,
        toPort: 443,
        cidrIpv4: '0.0.0.0/0',
      },
      child,
    );
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-cluster-api-from-stages`,
      {
        securityGroupId: args.clusterSecurityGroupId,
        description: 'Signet pipeline stages to the EKS API server',
        ipProtocol: 'tcp',
        fromPort: 443,
        toPort: 443,
        referencedSecurityGroupId: securityGroup.id,
      },
      child,
    );

    const cluster = new k8s.Provider(
      `${name}-k8s`,
      { kubeconfig: args.kubeconfig, enableServerSideApply: true },
      child,
    );
    this.kubernetesProvider = cluster;
    const rbac = pulumi.output(args.admissionPolicyName).apply(buildAdmissionPolicyReaderRbac);
    const clusterRole = new k8s.rbac.v1.ClusterRole(
      `${name}-admission-policy-reader`,
      {
        metadata: { name: ADMISSION_POLICY_READER_NAME },
        rules: rbac.apply((r) => r.clusterRole.rules),
      },
      { parent: this, provider: cluster },
    );
    new k8s.rbac.v1.ClusterRoleBinding(
      `${name}-admission-policy-readers`,
      {
        metadata: { name: ADMISSION_POLICY_READER_NAME },
        roleRef: {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'ClusterRole',
          name: clusterRole.metadata.name,
        },
        subjects: rbac.apply((r) => r.clusterRoleBinding.subjects),
      },
      { parent: this, provider: cluster },
    );

    // Consumers (notification rules) wait for the policy: CodeStar Notifications checks it on creation.
    this.topicArn = pulumi.all([topic.arn, topicPolicy.id]).apply(([arn]) => arn);
    this.securityGroupId = securityGroup.id;
    this.registerOutputs({ topicArn: this.topicArn, securityGroupId: this.securityGroupId });
  }
}
