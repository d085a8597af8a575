import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import {
  appTrustPolicies,
  appTrustPolicyName,
  buildImageBackstop,
  buildImageVerificationClusterPolicy,
  buildTrustPolicyResource,
  buildTrustStoreResource,
  buildVerifierTlsSecretReaderRbac,
  DEFAULT_IMAGE_VERIFICATION_POLICY_NAME,
  eksAddonRegistry,
  excludedNamespaces,
  isAwsPartition,
  NOTATION_NIRMATA_API_VERSION,
  type FailureAction,
  type PlatformImages,
  type VerifierCall,
} from '@signet/policies';
import type { RepositoryOutput, SigningProfileOutput } from '../contracts.js';
import { environmentTraits, type Environment } from '../environment.js';
import { appSignatureTrustFromUpstream } from '../pipeline/promotion.js';
import { requireAppEntry } from '../pipeline/upstream.js';
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
  /** The ecr stack's `repositories`, per app: each app's TrustPolicy scope and only admitted repository. */
  readonly repositories: pulumi.Input<Record<string, RepositoryOutput>>;
  /** The signer stack's `profiles`, per app and identity: each app's TrustPolicy identities, exactly. */
  readonly profiles: pulumi.Input<Record<string, Record<string, SigningProfileOutput>>>;
  /**
   * The environment: whether it builds (one TrustPolicy per app, the build identity) or promotes and
   * requires a release signature (two TrustPolicies per app, two verifier calls).
   */
  readonly environment: Environment;
  /** Where images are promoted: the building environment's signer `profiles` (the build identity). */
  readonly buildProfiles?: pulumi.Input<Record<string, Record<string, SigningProfileOutput>>>;
  /** Images (by digest) admitted in namespaces of no app, per namespace (`signet-eks:platformImages`). */
  readonly platformImages: PlatformImages;
  /**
   * The pinned images of Kyverno, its hooks and the verifier, exactly as their Pods reference them:
   * with the Region's EKS add-on registry, the only images the backstop admits in the system
   * namespaces. `undefined` leaves the system namespaces out of the backstop (Kyverno never matches
   * them either), for a stack whose admission images are not pinned by digest yet.
   */
  readonly systemImages: readonly string[] | undefined;
  /** The stack's Region: selects the EKS add-on registry the system namespaces pull from. */
  readonly region: string;
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
  /** Installs the ClusterPolicy CRD: the policy waits for it. */
  readonly kyvernoRelease: pulumi.Resource;
  /** Installs the TrustPolicy/TrustStore CRDs and serves verification: trust resources wait for it. */
  readonly verifierRelease: pulumi.Resource;
  /** Cluster minor version, for the app namespaces' Pod Security labels. */
  readonly kubernetesVersion: string;
}

type VapSpec = k8s.types.input.admissionregistration.v1.ValidatingAdmissionPolicySpec;
type VapBindingSpec = k8s.types.input.admissionregistration.v1.ValidatingAdmissionPolicyBindingSpec;

const LABELS = { 'app.kubernetes.io/part-of': 'signet', 'app.kubernetes.io/managed-by': 'pulumi' };

/**
 * What the cluster trusts and enforces: the TrustStore (AWS Signer root CA); per app a TrustPolicy
 * (`appTrustPolicyDocument`: scope = the app's repository, identities = the app's signing profiles,
 * level strict, the very document the app's pipeline verifies with); the fail-closed ClusterPolicy
 * that binds each app's namespace to its repository and TrustPolicy, admits platform images by digest
 * in their namespace and nothing in any other namespace outside the system ones; the
 * ValidatingAdmissionPolicy backstop; the RBAC letting Kyverno read the verifier's certificate; and
 * the app namespaces.
 */
export class SignedImageAdmission extends pulumi.ComponentResource {
  public readonly policyName: string;
  /** TrustPolicy name per app name. */
  public readonly trustPolicyNames: Record<string, string>;
  /** Namespace per app name. */
  public readonly appNamespaces: Record<string, string>;

  constructor(name: string, args: SignedImageAdmissionArgs, opts?: pulumi.ComponentResourceOptions) {
    super('signet:eks:SignedImageAdmission', name, {}, opts);
    const { layout, tlsSecretName } = args.verifier;
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

    // Per app and signature its own TrustPolicy, from the same reading of the upstream outputs as its
    // pipeline's: the build policy, and the release policy where the environment requires it.
    const upstream = pulumi.all([args.repositories, args.profiles, args.buildProfiles]);
    const requireRelease = environmentTraits(args.environment).releaseSignature;
    const trustPolicies = args.apps.flatMap((app) =>
      (requireRelease ? (['build', 'release'] as const) : (['build'] as const)).map((kind, index) => {
        const resource = upstream.apply(([repositories, profiles, buildProfiles]) => {
          const policy = appTrustPolicies(
            appSignatureTrustFromUpstream(app.name, args.environment, repositories, profiles, buildProfiles),
          )[index];
          if (policy === undefined || policy.kind !== kind) {
            throw new Error(`SignedImageAdmission ${name}: no ${kind} trust policy for app "${app.name}"`);
          }
          return buildTrustPolicyResource(policy.document, policy.name, { labels: LABELS });
        });
        return new k8s.apiextensions.CustomResource(
          // The build policy keeps the resource name it always had.
          `${name}-trust-policy-${app.name}${kind === 'build' ? '' : `-${kind}`}`,
          {
            apiVersion: NOTATION_NIRMATA_API_VERSION,
            kind: 'TrustPolicy',
            metadata: resource.metadata,
            spec: resource.spec,
          },
          { parent: this, dependsOn: [args.verifierRelease, trustStore] },
        );
      }),
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

    const verifierCall = args.verifier.call;
    const appRepositories = pulumi.output(args.repositories).apply((repositories) =>
      args.apps.map((app) => ({
        name: app.name,
        namespace: app.namespace,
        repositoryUrl: requireAppEntry(repositories, app.name, 'signet-ecr repositories').url,
        requireReleaseSignature: requireRelease,
      })),
    );
    const clusterPolicyDocument = appRepositories.apply((apps) =>
      buildImageVerificationClusterPolicy({
        apps,
        platformImages: args.platformImages,
        verifier: verifierCall,
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
      {
        parent: this,
        dependsOn: [args.kyvernoRelease, args.verifierRelease, ...trustPolicies, roleBinding],
      },
    );

    // The webhook-free backstop, evaluated by the API server: no dependency on Kyverno or the verifier.
    const backstop = appRepositories.apply((apps) =>
      buildImageBackstop({
        systemNamespaces: excludedNamespaces({ kyvernoNamespace: KYVERNO_NAMESPACE, verifier: verifierCall }),
        systemImages: args.systemImages,
        addonRegistries: [eksAddonRegistry(args.region)],
        repositories: apps.map((app) => app.repositoryUrl).sort(),
        platformImages: args.platformImages,
        failureAction: args.failureAction,
      }),
    );
    const backstopPolicy = new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(
      `${name}-image-backstop`,
      {
        metadata: backstop.policy.metadata,
        // The builder's document is readonly; the SDK's input type wants mutable arrays.
        spec: backstop.policy.spec.apply((spec) => structuredClone(spec) as VapSpec),
      },
      { parent: this },
    );
    const backstopBinding = new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
      `${name}-image-backstop`,
      {
        metadata: backstop.binding.metadata,
        spec: backstop.binding.spec.apply((spec) => structuredClone(spec) as VapBindingSpec),
      },
      { parent: this, dependsOn: [backstopPolicy] },
    );

    // Namespaces come after both policies: no app namespace ever exists without enforcement.
    for (const app of args.apps) {
      new k8s.core.v1.Namespace(
        `${name}-ns-${app.name}`,
        {
          metadata: {
            name: app.namespace,
            labels: appNamespaceLabels(app.name, args.failureAction, args.kubernetesVersion),
          },
        },
        { parent: this, dependsOn: [clusterPolicy, backstopBinding] },
      );
    }

    this.trustPolicyNames = Object.fromEntries(
      args.apps.map((app) => [app.name, appTrustPolicyName(app.name)]),
    );
    this.appNamespaces = Object.fromEntries(args.apps.map((app) => [app.name, app.namespace]));
    this.registerOutputs({
      policyName: this.policyName,
      trustPolicyNames: this.trustPolicyNames,
      appNamespaces: this.appNamespaces,
    });
  }
}
