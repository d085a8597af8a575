import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import {
  buildImageVerificationClusterPolicy,
  buildTrustPolicy,
  buildTrustPolicyResource,
  buildTrustStoreResource,
  buildVerifierTlsSecretReaderRbac,
  DEFAULT_IMAGE_VERIFICATION_POLICY_NAME,
  isAwsPartition,
  NOTATION_NIRMATA_API_VERSION,
  VerificationLevel,
  type FailureAction,
  type VerifierCall,
} from '@signet/policies';
import { KYVERNO_NAMESPACE, type VerifierLayout } from './charts.js';
import { appNamespaceLabels } from './namespaces.js';

/** An app whose Pods must run signed images. */
export interface AdmittedApp {
  readonly name: string;
  readonly namespace: string;
}

/** Arguments of {@link SignedImageAdmission}. */
export interface SignedImageAdmissionArgs {
  /** Apps of the environment: one namespace each, matched by the ClusterPolicy. */
  readonly apps: readonly AdmittedApp[];
  /** The ecr stack's repository URLs: the TrustPolicy's registry scopes and the allowed repositories. */
  readonly repositoryUrls: pulumi.Input<string[]>;
  /** The signer stack's profile ARNs: the TrustPolicy's trusted identities, exactly. */
  readonly trustedIdentities: pulumi.Input<string[]>;
  /** AWS partition of the stack: selects the AWS Signer root CA of the TrustStore. */
  readonly partition: pulumi.Input<string>;
  /** `Enforce` (staging, prod) or `Audit` (dev only). */
  readonly failureAction: FailureAction;
  /** Where the verifier listens, its TLS secret, and the call Kyverno makes (the verifier backend's). */
  readonly verifier: {
    readonly layout: VerifierLayout;
    readonly tlsSecretName: string;
    readonly call: VerifierCall;
  };
  /** Name of the TrustPolicy the ClusterPolicy sends to the verifier. Default `signet-apps`. */
  readonly trustPolicyName?: string;
  /** Installs the ClusterPolicy CRD: the policy waits for it. */
  readonly kyvernoRelease: pulumi.Resource;
  /** Installs the TrustPolicy/TrustStore CRDs and serves verification: trust resources wait for it. */
  readonly verifierRelease: pulumi.Resource;
  /** Cluster minor version, for the app namespaces' Pod Security labels. */
  readonly kubernetesVersion: string;
}

const LABELS = { 'app.kubernetes.io/part-of': 'signet', 'app.kubernetes.io/managed-by': 'pulumi' };

/**
 * What the cluster trusts and enforces: the TrustStore (AWS Signer root CA), the TrustPolicy
 * (trusted identities = the signer stack's profiles, scopes = the ecr stack's repositories, level
 * strict), the fail-closed ClusterPolicy that sends every Pod image in app namespaces to the
 * verifier, the RBAC letting Kyverno read the verifier's certificate, and the app namespaces.
 */
export class SignedImageAdmission extends pulumi.ComponentResource {
  public readonly policyName: string;
  public readonly trustPolicyName: string;
  /** Namespace per app name. */
  public readonly appNamespaces: Record<string, string>;

  constructor(name: string, args: SignedImageAdmissionArgs, opts?: pulumi.ComponentResourceOptions) {
    super('signet:eks:SignedImageAdmission', name, {}, opts);
    const trustPolicyName = args.trustPolicyName ?? 'signet-apps';
    const { layout, tlsSecretName } = args.verifier;
    const appNamespaces = args.apps.map((app) => app.namespace);
    if (args.apps.length === 0) {
      throw new Error(
        `SignedImageAdmission ${name}: apps is empty; allowed: at least one app deployed to this environment (declare one with a "signet" field in apps/<app>/package.json)`,
      );
    }

    const trustStoreResource = pulumi.output(args.partition).apply((partition) => {
      if (!isAwsPartition(partition)) {
        throw new Error(
          `SignedImageAdmission ${name}: partition "${partition}" has no AWS Signer root CA; allowed: aws, aws-us-gov (where AWS Signer signs container images)`,
        );
      }
      return buildTrustStoreResource(partition, { labels: LABELS });
    });
    const trustStore = new k8s.apiextensions.CustomResource(
      `${name}-trust-store`,
      {
        apiVersion: NOTATION_NIRMATA_API_VERSION,
        kind: 'TrustStore',
        metadata: trustStoreResource.metadata,
        spec: trustStoreResource.spec,
      },
      { parent: this, dependsOn: [args.verifierRelease] },
    );

    const trustPolicyResource = pulumi
      .all([args.repositoryUrls, args.trustedIdentities])
      .apply(([repositoryUrls, trustedIdentities]) =>
        buildTrustPolicyResource(
          buildTrustPolicy({
            statements: [
              {
                name: trustPolicyName,
                registryScopes: [...repositoryUrls].sort(),
                trustedIdentities: [...trustedIdentities].sort(),
                level: VerificationLevel.Strict,
              },
            ],
          }),
          trustPolicyName,
          { labels: LABELS },
        ),
      );
    const trustPolicy = new k8s.apiextensions.CustomResource(
      `${name}-trust-policy`,
      {
        apiVersion: NOTATION_NIRMATA_API_VERSION,
        kind: 'TrustPolicy',
        metadata: trustPolicyResource.metadata,
        spec: trustPolicyResource.spec,
      },
      { parent: this, dependsOn: [args.verifierRelease, trustStore] },
    );

    const rbac = buildVerifierTlsSecretReaderRbac({
      verifierNamespace: layout.namespace,
      tlsSecretName,
      kyvernoNamespace: KYVERNO_NAMESPACE,
    });
    const role = new k8s.rbac.v1.Role(`${name}-read-verifier-tls`, rbac.role, {
      parent: this,
      dependsOn: [args.verifierRelease],
    });
    const roleBinding = new k8s.rbac.v1.RoleBinding(`${name}-read-verifier-tls`, rbac.roleBinding, {
      parent: this,
      dependsOn: [role],
    });

    const clusterPolicyDocument = pulumi.output(args.repositoryUrls).apply((repositoryUrls) =>
      buildImageVerificationClusterPolicy({
        appNamespaces,
        allowedRepositories: [...repositoryUrls].sort(),
        verifier: args.verifier.call,
        trustPolicyName,
        kyvernoNamespace: KYVERNO_NAMESPACE,
        failureAction: args.failureAction,
      }),
    );
    this.policyName = DEFAULT_IMAGE_VERIFICATION_POLICY_NAME;
    const clusterPolicy = new k8s.apiextensions.CustomResource(
      `${name}-cluster-policy`,
      {
        apiVersion: 'kyverno.io/v1',
        kind: 'ClusterPolicy',
        metadata: clusterPolicyDocument.metadata,
        spec: clusterPolicyDocument.spec,
      },
      { parent: this, dependsOn: [args.kyvernoRelease, args.verifierRelease, trustPolicy, roleBinding] },
    );

    // Namespaces come after the policy: no app namespace ever exists without enforcement.
    for (const app of args.apps) {
      new k8s.core.v1.Namespace(
        `${name}-ns-${app.name}`,
        {
          metadata: {
            name: app.namespace,
            labels: appNamespaceLabels(app.name, args.failureAction, args.kubernetesVersion),
          },
        },
        { parent: this, dependsOn: [clusterPolicy] },
      );
    }

    this.trustPolicyName = trustPolicyName;
    this.appNamespaces = Object.fromEntries(args.apps.map((app) => [app.name, app.namespace]));
    this.registerOutputs({ policyName: this.policyName, appNamespaces: this.appNamespaces });
  }
}
