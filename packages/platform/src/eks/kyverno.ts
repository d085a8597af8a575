import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { helmChartSource, KYVERNO_NAMESPACE, KYVERNO_RELEASE_NAME, kyvernoChart } from './charts.js';
import { buildKyvernoValues, type KyvernoImages } from './kyverno-values.js';
import { podSecurityLabels } from './namespaces.js';

/** Arguments of {@link Kyverno}. */
export interface KyvernoArgs {
  /** Admission controller replicas: 1 in dev, at least 3 elsewhere (with a PodDisruptionBudget). */
  readonly admissionReplicas: number;
  /** Spread admission controller Pods over availability zones. */
  readonly spreadAcrossZones: boolean;
  /** Kyverno's `apiCall` token: from the verifier backend's `callerAccess`. */
  readonly apiCallToken: { readonly audience: string; readonly expirationSeconds: number };
  /** Every image of the chart, by digest. */
  readonly images: KyvernoImages;
  /** The chart's manifest digest (`sha256:…`): the chart is pulled by it. */
  readonly chartDigest: string;
  /** The verifier's namespace (excluded from admission). */
  readonly verifierNamespace: string;
  /** Cluster minor version, for the namespace's Pod Security labels. */
  readonly kubernetesVersion: string;
}

/**
 * Kyverno from its pinned Helm chart, as a Helm release so the chart's hooks run (the pre-delete
 * hook that removes Kyverno's webhooks on uninstall). Installs the ClusterPolicy CRD.
 */
export class Kyverno extends pulumi.ComponentResource {
  /** The release; custom resources of Kyverno's CRDs depend on it. */
  public readonly release: k8s.helm.v3.Release;
  public readonly namespace: pulumi.Output<string>;

  constructor(name: string, args: KyvernoArgs, opts?: pulumi.ComponentResourceOptions) {
    super('signet:eks:Kyverno', name, {}, opts);
    const values = buildKyvernoValues(args);

    const namespace = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      {
        metadata: {
          name: KYVERNO_NAMESPACE,
          // `baseline` enforced: the chart's hook Jobs are outside Signet's control, and a hook
          // rejected by Pod Security would wedge install or uninstall. `restricted` is audited and warned.
          labels: podSecurityLabels('baseline', args.kubernetesVersion),
        },
      },
      { parent: this },
    );

    this.release = new k8s.helm.v3.Release(
      `${name}-release`,
      {
        name: KYVERNO_RELEASE_NAME,
        namespace: namespace.metadata.name,
        createNamespace: false,
        ...helmChartSource(kyvernoChart(args.chartDigest)),
        values,
        // Roll back a failed upgrade instead of leaving a half-configured admission controller.
        atomic: true,
        cleanupOnFail: true,
        timeout: 900,
      },
      { parent: this },
    );
    this.namespace = namespace.metadata.name;
    this.registerOutputs({ namespace: this.namespace });
  }
}
