/** Control-plane log types EKS can send to CloudWatch Logs; Signet enables all five. */
export const CONTROL_PLANE_LOG_TYPES = [
  'api',
  'audit',
  'authenticator',
  'controllerManager',
  'scheduler',
] as const;

/** Shortest prefix accepted for a CIDR allowed to reach the public API endpoint. */
export const PUBLIC_ACCESS_MIN_PREFIX = 16;

/** What a public-access CIDR must be, for error messages. */
export const PUBLIC_ACCESS_CIDR_ALLOWED = `IPv4 CIDR blocks with a prefix from /${PUBLIC_ACCESS_MIN_PREFIX} to /32 (never 0.0.0.0/0); an empty list turns the public endpoint off`;

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * Why `cidr` may not reach the cluster's public API endpoint, or undefined when it may. The public
 * endpoint is for a few known networks (an office, a CI egress): the open internet (`0.0.0.0/0`)
 * and anything broader than /16 are refused.
 */
export function publicAccessCidrProblem(cidr: string): string | undefined {
  const match = IPV4_CIDR.exec(cidr);
  if (!match) return `"${cidr}" is not an IPv4 CIDR block`;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return `"${cidr}" is not an IPv4 CIDR block`;
  if (prefix < PUBLIC_ACCESS_MIN_PREFIX) {
    return `"${cidr}" opens the API endpoint to ${prefix === 0 ? 'the whole internet' : `a /${prefix} network`}`;
  }
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  if (address % 2 ** (32 - prefix) !== 0) return `"${cidr}" has host bits set`;
  return undefined;
}

/** The endpoint settings of the cluster: private always, public only for the given CIDRs. */
export function buildEndpointAccess(publicAccessCidrs: readonly string[]): {
  readonly endpointPrivateAccess: true;
  readonly endpointPublicAccess: boolean;
  readonly publicAccessCidrs?: string[];
} {
  const problems = publicAccessCidrs.map(publicAccessCidrProblem).filter((p): p is string => p !== undefined);
  if (problems.length > 0) {
    throw new Error(`publicAccessCidrs: ${problems.join('; ')}; allowed: ${PUBLIC_ACCESS_CIDR_ALLOWED}`);
  }
  if (new Set(publicAccessCidrs).size !== publicAccessCidrs.length) {
    throw new Error(`publicAccessCidrs lists a CIDR twice; allowed: ${PUBLIC_ACCESS_CIDR_ALLOWED}`);
  }
  return publicAccessCidrs.length === 0
    ? { endpointPrivateAccess: true, endpointPublicAccess: false }
    : { endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs: [...publicAccessCidrs] };
}
