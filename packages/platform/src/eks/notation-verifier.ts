import * as aws from '@pulumi/aws';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import {
  buildIrsaTrustPolicy,
  buildVerifierRolePolicy,
  defaultVerifierTlsSecretName,
} from '@signet/policies';
import type { Environment } from '../environment.js';
import { physicalName } from '../naming.js';
import { helmChartSource, verifierLayout, type VerifierLayout, type VerifierSettings } from './charts.js';
import { podSecurityLabels } from './namespaces.js';
import { assertVerifierSettings, buildVerifierValues } from './verifier-values.js';

/** Arguments of {@link NotationVerifier}. */
export interface NotationVerifierArgs {
  readonly environment: Environment;
  /** Implementation (upstream chart or a fork), replicas and cache TTL. */
  readonly settings: VerifierSettings;
  /** The stack's region: ECR and AWS Signer calls go there. */
  readonly region: string;
  /** The cluster's IAM OIDC provider (IRSA). */
  readonly oidcProviderArn: pulumi.Input<string>;
  /** Application repositories whose images and signatures the verifier reads. */
  readonly repositoryArns: pulumi.Input<string[]>;
  /** Signing profile ARNs whose revocation status the verifier checks. */
  readonly trustedIdentities: pulumi.Input<string[]>;
  /** TrustPolicy the verifier falls back to. */
  readonly defaultTrustPolicy: string;
  /** Cluster minor version, for the namespace's Pod Security labels. */
  readonly kubernetesVersion: string;
}

/**
 * The Notation/AWS Signer verifier Kyverno calls at admission (kyverno-notation-aws or a fork),
 * with its own IRSA role: ECR read of the app repositories and `signer:GetRevocationStatus` of the
 * trusted profiles, assumable only by its service account. Installs the TrustPolicy and TrustStore CRDs.
 */
export class NotationVerifier extends pulumi.ComponentResource {
  public readonly release: k8s.helm.v3.Release;
  public readonly roleArn: pulumi.Output<string>;
  public readonly layout: VerifierLayout;
  /** The secret holding the verifier's TLS certificate, which Kyverno reads to pin the connection. */
  public readonly tlsSecretName: string;

  constructor(name: string, args: NotationVerifierArgs, opts?: pulumi.ComponentResourceOptions) {
    super('signet:eks:NotationVerifier', name, {}, opts);
    assertVerifierSettings(args.settings);
    this.layout = verifierLayout(args.settings);
    this.tlsSecretName = defaultVerifierTlsSecretName(this.layout.serviceName, this.layout.namespace);
    const { namespace: namespaceName, serviceAccountName } = this.layout;

    const role = new aws.iam.Role(
      `${name}-role`,
      {
        name: physicalName(args.environment, 'image-verifier'),
        assumeRolePolicy: pulumi.output(args.oidcProviderArn).apply((oidcProviderArn) =>
          JSON.stringify(
            buildIrsaTrustPolicy({
              oidcProviderArn,
              namespace: namespaceName,
              serviceAccount: serviceAccountName,
            }),
          ),
        ),
      },
      { parent: this },
    );
    const rolePolicy = new aws.iam.RolePolicy(
      `${name}-role-policy`,
      {
        role: role.name,
        policy: pulumi
          .all([args.repositoryArns, args.trustedIdentities])
          .apply(([repositoryArns, trustedSigningProfileArns]) =>
            JSON.stringify(buildVerifierRolePolicy({ repositoryArns, trustedSigningProfileArns })),
          ),
      },
      { parent: this },
    );

    const namespace = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      {
        // `baseline` enforced, `restricted` audited and warned: see the Kyverno namespace.
        metadata: { name: namespaceName, labels: podSecurityLabels('baseline', args.kubernetesVersion) },
      },
      { parent: this },
    );

    this.release = new k8s.helm.v3.Release(
      `${name}-release`,
      {
        name: this.layout.releaseName,
        namespace: namespace.metadata.name,
        createNamespace: false,
        ...helmChartSource(this.layout.chart),
        values: role.arn.apply((roleArn) =>
          buildVerifierValues({
            settings: args.settings,
            region: args.region,
            roleArn,
            defaultTrustPolicy: args.defaultTrustPolicy,
          }),
        ),
        atomic: true,
        cleanupOnFail: true,
        timeout: 600,
      },
      // The role's permissions exist before the first Pod asks for credentials.
      { parent: this, dependsOn: [rolePolicy] },
    );
    this.roleArn = role.arn;
    this.registerOutputs({ roleArn: this.roleArn });
  }
}
