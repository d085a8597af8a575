/**
 * Interface endpoints a private EKS cluster with signature verification needs, so nodes, the
 * Kyverno verifier and the pipeline's in-VPC traffic never leave the VPC for AWS APIs.
 * https://docs.aws.amazon.com/eks/latest/userguide/private-clusters.html
 */
export const INTERFACE_ENDPOINT_SERVICES = {
  /** ECR registry API (auth token, manifests) for image pulls and the verifier's signature lookups. */
  'ecr.api': 'ECR API: registry auth and manifests',
  /** ECR Docker registry endpoint: layer and manifest downloads. */
  'ecr.dkr': 'ECR Docker registry: image pulls',
  /** STS for IRSA web-identity credentials of pods (the verifier's role). */
  sts: 'STS: pod IAM roles (IRSA)',
  /** AWS Signer: the verifier's `signer:GetRevocationStatus` checks. */
  signer: 'AWS Signer: revocation checks at admission',
  /** CloudWatch Logs: node and control-plane agents' log delivery. */
  logs: 'CloudWatch Logs: log delivery from nodes',
  /** EC2: the VPC CNI assigns ENIs and addresses; node bootstrap describes instances. */
  ec2: 'EC2: VPC CNI address management and node bootstrap',
  /** Elastic Load Balancing: the AWS Load Balancer Controller manages load balancers. */
  elasticloadbalancing: 'Elastic Load Balancing: load balancer controller',
  /** EKS Auth: EKS Pod Identity credentials (the alternative to IRSA). */
  'eks-auth': 'EKS Auth: Pod Identity credentials',
} as const;

/** One interface endpoint service suffix, e.g. `ecr.api`. */
export type InterfaceEndpointService = keyof typeof INTERFACE_ENDPOINT_SERVICES;

/**
 * Gateway endpoints: S3 serves ECR image layers, so pulls need it; a gateway endpoint is free and
 * routes through the private route tables.
 */
export const GATEWAY_ENDPOINT_SERVICES = ['s3'] as const;

/** The endpoint service name of an AWS service in a region: `com.amazonaws.<region>.<service>`. */
export function endpointServiceName(region: string, service: string): string {
  return `com.amazonaws.${region}.${service}`;
}
