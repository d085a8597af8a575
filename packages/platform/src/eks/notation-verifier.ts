import * as aws from '@pulumi/aws';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { buildIrsaTrustPolicy, buildVerifierRolePolicy } from '@signet/policies';
import type { Environment } from '../environment.js';
import { physicalName } from '../naming.js';
import { helmChartSource } from './charts.js';
import { podSecurityLabels } from './namespaces.js';
import type { VerifierBackend, VerifierLayout } from './verifier/backend.js';
import { applyManifest } from './verifier/apply.js';
import { buildVerifierIngressPolicy } from './verifier/caller-access.js';

/** Arguments of {@link NotationVerifier}. */
export interface NotationVerifierArgs {
  readonly environment: Environment;
  /** The selected backend (`selectVerifierBackend`). */
  readonly backend: VerifierBackend;
  /** The stack's region: ECR and AWS Signer calls go there. */
  readonly region: string;
  /** Spread replicas over availability zones. */
  readonly spreadAcrossZones: boolean;
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

const LABELS = { 'app.kubernetes.io/part-of': 'signet', 'app.kubernetes.io/managed-by': 'pulumi' };

/**
 * The Notation/AWS Signer verifier Kyverno calls at admission, whichever backend is selected, with
 * its own IRSA role: ECR read of the app repositories and `signer:GetRevocationStatus` of the
 * trusted profiles, assumable only by its service account. Installs the trust resources' CRDs the
 * backend asks for and the backend's workload. Depending on this component waits for all of it.
 */
export class NotationVerifier extends pulumi.ComponentResource {
  public readonly roleArn: pulumi.Output<string>;
  public readonly layout: VerifierLayout;
  /** The secret holding the verifier's TLS certificate, which Kyverno reads to pin the connection. */
  public readonly tlsSecretName: string;

  constructor(name: string, args: NotationVerifierArgs, opts?: pulumi.ComponentResourceOptions) {
    super('signet:eks:NotationVerifier', name, {}, opts);
    const { backend } = args;
    this.layout = backend.layout;
    this.tlsSecretName = backend.layout.tlsSecretName;
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

    const crds = backend
      .trustResourceCrds(LABELS)
      .map((crd) => applyManifest(`${name}-crd-${crd.metadata.name.split('.')[0]}`, crd, { parent: this }));

    // Only Kyverno's admission controller reaches the verifier, whichever backend runs it.
    applyManifest(
      `${name}-networkpolicy`,
      buildVerifierIngressPolicy(namespaceName, backend.callerAccess, LABELS),
      { parent: this, dependsOn: [namespace] },
    );

    const workload = backend.workload({
      region: args.region,
      roleArn: role.arn,
      defaultTrustPolicy: args.defaultTrustPolicy,
      spreadAcrossZones: args.spreadAcrossZones,
    });
    // The role's permissions exist before the first Pod asks for credentials.
    const after = { parent: this, dependsOn: [namespace, rolePolicy, ...crds] };
    if (workload.kind === 'manifests') {
      for (const manifest of workload.manifests) {
        const kind = String((manifest as { kind: string }).kind).toLowerCase();
        applyManifest(`${name}-${kind}`, manifest, after);
      }
    } else {
      new k8s.helm.v3.Release(
        `${name}-release`,
        {
          name: workload.releaseName,
          namespace: namespace.metadata.name,
          createNamespace: false,
          ...helmChartSource(workload.chart),
          values: workload.values,
          atomic: true,
          cleanupOnFail: true,
          timeout: 600,
        },
        after,
      );
    }
    this.roleArn = role.arn;
    this.registerOutputs({ roleArn: this.roleArn });
  }
}
