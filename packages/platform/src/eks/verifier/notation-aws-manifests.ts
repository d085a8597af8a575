import { defaultVerifierTlsSecretName } from '@signet/policies';
import { SignetInputError } from '@signet/core';
import { pinnedReference, type ImagePin } from '../images.js';
import type { VerifierCallerAccess } from './caller-access.js';

/**
 * The Kubernetes objects of kyverno-notation-aws v1.1 as Signet runs it, from a pure builder: every
 * field is Signet's, none is a chart's. What the binary needs is read from its source (main.go at
 * tag v1.1): flags `--cacheTTLDurationSeconds`, `--reviewKyvernoToken`, `--allowedUsers`; environment
 * `AWS_REGION`, `SERVICE_NAME` (names its TLS secrets), `DEPLOYMENT_NAME` (names its leader lease),
 * `POD_NAME`, `POD_NAMESPACE`, `DEFAULT_TRUST_POLICY`, `NOTATION_DIR`; HTTPS on 9443.
 *
 * Several replicas are safe: only the leader of the `DEPLOYMENT_NAME` lease (coordination.k8s.io)
 * creates and renews the CA and TLS secrets; every replica serves the certificate it reads from the
 * TLS secret through a name-filtered informer, so all replicas present the same certificate (the one
 * Kyverno pins). Each replica reconciles the TrustPolicy/TrustStore resources into its own local
 * notation directory (no leader election there, and none is needed: the files are per Pod).
 */

/** Input of {@link buildNotationAwsManifests}. */
export interface NotationAwsManifestsInput<RoleArn = string> {
  readonly namespace: string;
  /** Deployment, ServiceAccount and lease name. */
  readonly name: string;
  /** Service name: Kyverno calls `https://<serviceName>.<namespace>.svc`. */
  readonly serviceName: string;
  readonly image: ImagePin;
  /** The stack's region: ECR and AWS Signer calls (revocation checks) go there, through its VPC endpoints. */
  readonly region: string;
  /** The verifier's IRSA role. */
  readonly roleArn: RoleArn;
  /** TrustPolicy used when a request names none (the ClusterPolicy always names one). */
  readonly defaultTrustPolicy: string;
  /** Seconds a "verified" answer is cached: the delay before a revocation is seen at admission. */
  readonly cacheTtlSeconds: number;
  readonly replicas: number;
  /** Memory request and limit of the container, MiB. */
  readonly memoryMiB: number;
  /** Spread replicas over availability zones. */
  readonly spreadAcrossZones: boolean;
  readonly callerAccess: VerifierCallerAccess;
}

/** HTTPS port of the verifier's container (main.go). */
export const NOTATION_AWS_TLS_PORT = 9443;

/** The notation plugin config map the verifier reads (`--pluginConfigMap`). */
export const NOTATION_AWS_PLUGIN_CONFIG_MAP = 'notation-plugin-config';

/** Verified answers kept at most (`--cacheMaxSize`). */
export const NOTATION_AWS_CACHE_MAX_ENTRIES = 2000;

/** Limits of the builder's numeric inputs. */
export const NOTATION_AWS_LIMITS = {
  cacheTtlSeconds: { min: 30, max: 3600 },
  replicas: { min: 1, max: 10 },
  memoryMiB: { min: 256, max: 8192 },
} as const;

type Manifest = Record<string, unknown>;

function checkRange(path: keyof typeof NOTATION_AWS_LIMITS, value: number): void {
  const { min, max } = NOTATION_AWS_LIMITS[path];
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new SignetInputError({
      path: `verifier.${path}`,
      value,
      allowed: `an integer from ${min} to ${max}`,
    });
  }
}

/**
 * Every object of the verifier, in apply order. The PodDisruptionBudget exists with two replicas or
 * more. Who may connect is not here: the NetworkPolicy is the same for every backend (NotationVerifier).
 */
export function buildNotationAwsManifests<RoleArn = string>(
  input: NotationAwsManifestsInput<RoleArn>,
): {
  readonly serviceAccount: Manifest;
  readonly clusterRole: Manifest;
  readonly clusterRoleBinding: Manifest;
  readonly role: Manifest;
  readonly roleBinding: Manifest;
  readonly configMap: Manifest;
  readonly service: Manifest;
  readonly deployment: Manifest;
  readonly podDisruptionBudget?: Manifest;
} {
  checkRange('cacheTtlSeconds', input.cacheTtlSeconds);
  checkRange('replicas', input.replicas);
  checkRange('memoryMiB', input.memoryMiB);
  const { namespace, name, serviceName, callerAccess } = input;
  const selector = { 'app.kubernetes.io/name': 'kyverno-notation-aws', 'app.kubernetes.io/instance': name };
  const labels = {
    ...selector,
    'app.kubernetes.io/part-of': 'signet',
    'app.kubernetes.io/managed-by': 'pulumi',
  };
  const meta = (objectName: string) => ({ name: objectName, namespace, labels });
  const tlsPair = defaultVerifierTlsSecretName(serviceName, namespace);
  const tlsCa = `${serviceName}.${namespace}.svc.tls-ca`;
  const subject = { kind: 'ServiceAccount', name, namespace };

  const args = [
    '--cacheEnabled',
    `--cacheMaxSize=${NOTATION_AWS_CACHE_MAX_ENTRIES}`,
    `--cacheTTLDurationSeconds=${input.cacheTtlSeconds}`,
    `--pluginConfigMap=${NOTATION_AWS_PLUGIN_CONFIG_MAP}`,
    '--allowInsecureRegistry=false',
    '--maxSignatureAttempts=30',
    `--reviewKyvernoToken=${callerAccess.tokenReview.enabled}`,
    `--allowedUsers=${callerAccess.allowedUser}`,
  ];
  const fieldRef = (fieldPath: string) => ({ valueFrom: { fieldRef: { fieldPath } } });
  const memory = `${input.memoryMiB}Mi`;
  const ha = input.replicas > 1;
  const spread = (topologyKey: string) => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable: 'ScheduleAnyway',
    labelSelector: { matchLabels: selector },
  });

  return {
    serviceAccount: {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { ...meta(name), annotations: { 'eks.amazonaws.com/role-arn': input.roleArn } },
    },
    // The trust resources: read, and `update` to add and remove the verifier's finalizer.
    clusterRole: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: `${namespace}-trust-reader`, labels },
      rules: [
        {
          apiGroups: ['notation.nirmata.io'],
          resources: ['trustpolicies', 'truststores'],
          verbs: ['get', 'list', 'watch', 'update'],
        },
        {
          apiGroups: ['notation.nirmata.io'],
          resources: ['trustpolicies/finalizers', 'truststores/finalizers'],
          verbs: ['update'],
        },
      ],
    },
    clusterRoleBinding: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: `${namespace}-trust-reader`, labels },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: `${namespace}-trust-reader`,
      },
      subjects: [subject],
    },
    // Its own namespace only. Token review is off, so no `system:auth-delegator` binding.
    role: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: meta(name),
      rules: [
        // The leader creates the CA and TLS secrets (`create` cannot be limited by name).
        { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
        // Informers filter by name (`metadata.name` field selector), so list and watch can be limited too.
        {
          apiGroups: [''],
          resources: ['secrets'],
          resourceNames: [tlsCa, tlsPair],
          verbs: ['get', 'list', 'watch', 'update', 'delete'],
        },
        { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
        {
          apiGroups: ['coordination.k8s.io'],
          resources: ['leases'],
          resourceNames: [name],
          verbs: ['get', 'update'],
        },
      ],
    },
    roleBinding: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta(name),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [subject],
    },
    configMap: {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta(NOTATION_AWS_PLUGIN_CONFIG_MAP),
      data: { debug: 'false' },
    },
    service: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(serviceName),
      spec: {
        selector,
        ports: [{ name: 'https', port: 443, targetPort: NOTATION_AWS_TLS_PORT, protocol: 'TCP' }],
      },
    },
    deployment: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(name),
      spec: {
        replicas: input.replicas,
        revisionHistoryLimit: 5,
        selector: { matchLabels: selector },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: name,
            terminationGracePeriodSeconds: 10,
            securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
            ...(input.spreadAcrossZones && {
              topologySpreadConstraints: [
                spread('topology.kubernetes.io/zone'),
                spread('kubernetes.io/hostname'),
              ],
            }),
            containers: [
              {
                name: 'kyverno-notation-aws',
                image: pinnedReference(input.image),
                imagePullPolicy: 'IfNotPresent',
                args,
                ports: [{ name: 'https', containerPort: NOTATION_AWS_TLS_PORT, protocol: 'TCP' }],
                env: [
                  { name: 'AWS_REGION', value: input.region },
                  { name: 'AWS_DEFAULT_REGION', value: input.region },
                  { name: 'DEFAULT_TRUST_POLICY', value: input.defaultTrustPolicy },
                  { name: 'NOTATION_DIR', value: '/notation' },
                  { name: 'SERVICE_NAME', value: serviceName },
                  { name: 'DEPLOYMENT_NAME', value: name },
                  { name: 'POD_NAME', ...fieldRef('metadata.name') },
                  { name: 'POD_NAMESPACE', ...fieldRef('metadata.namespace') },
                ],
                // Request = limit: the scheduler reserves what the verifier may use (its memory grows
                // with the number of trust policies and signatures it has loaded).
                resources: { requests: { cpu: '100m', memory }, limits: { memory } },
                securityContext: {
                  runAsUser: 2000,
                  runAsGroup: 3000,
                  allowPrivilegeEscalation: false,
                  capabilities: { drop: ['ALL'] },
                },
                volumeMounts: [{ name: 'notation', mountPath: '/notation' }],
              },
            ],
            volumes: [{ name: 'notation', emptyDir: {} }],
          },
        },
      },
    },
    ...(ha && {
      podDisruptionBudget: {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: meta(name),
        spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
      },
    }),
  };
}
