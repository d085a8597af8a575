/** An IPv4 CIDR block. */
export interface Ipv4Cidr {
  /** Network address as an unsigned 32-bit integer. */
  readonly base: number;
  readonly prefix: number;
}

/** Parses `a.b.c.d/n`; throws naming the value and what is wrong. */
export function parseIpv4Cidr(text: string): Ipv4Cidr {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (!match) throw new Error(`invalid CIDR "${text}": expected a.b.c.d/n`);
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255)) throw new Error(`invalid CIDR "${text}": octets must be 0..255`);
  if (prefix > 32) throw new Error(`invalid CIDR "${text}": prefix length must be 0..32`);
  const base = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  if (base % size !== 0) {
    throw new Error(
      `invalid CIDR "${text}": host bits are set (the network address is ${formatCidr({ base: base - (base % size), prefix })})`,
    );
  }
  return { base, prefix };
}

/** Formats a block as `a.b.c.d/n`. */
export function formatCidr(cidr: Ipv4Cidr): string {
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(cidr.base / 2 ** shift) % 256);
  return `${octets.join('.')}/${cidr.prefix}`;
}

/** The `index`-th sub-block of `cidr` with prefix length `prefix`. */
export function subnetOf(cidr: Ipv4Cidr, prefix: number, index: number): Ipv4Cidr {
  const count = 2 ** (prefix - cidr.prefix);
  if (prefix < cidr.prefix || index < 0 || index >= count) {
    throw new Error(`cannot take sub-block ${index} of /${prefix} from ${formatCidr(cidr)}`);
  }
  return { base: cidr.base + index * 2 ** (32 - prefix), prefix };
}

const RFC1918 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map(parseIpv4Cidr);

/** True when the block lies inside RFC 1918 private address space. */
export function isPrivateCidr(cidr: Ipv4Cidr): boolean {
  return RFC1918.some(
    (range) =>
      cidr.prefix >= range.prefix &&
      Math.floor(cidr.base / 2 ** (32 - range.prefix)) === Math.floor(range.base / 2 ** (32 - range.prefix)),
  );
}

/** Smallest and largest VPC accepted: a /20 still gives 1,024 addresses per private subnet. */
export const VPC_PREFIX_RANGE = { min: 16, max: 20 } as const;

/** What {@link validateVpcCidr} accepts, in words (used by config errors too). */
export const VPC_CIDR_ALLOWED = `an IPv4 CIDR block in RFC 1918 space with a prefix length from /${VPC_PREFIX_RANGE.min} to /${VPC_PREFIX_RANGE.max}`;

/** Validates a VPC CIDR; throws `invalid VPC CIDR "<value>": … ; allowed: …`. */
export function validateVpcCidr(text: string): Ipv4Cidr {
  let cidr: Ipv4Cidr;
  try {
    cidr = parseIpv4Cidr(text);
  } catch (error) {
    throw new Error(`${(error as Error).message}; allowed: ${VPC_CIDR_ALLOWED}`);
  }
  if (cidr.prefix < VPC_PREFIX_RANGE.min || cidr.prefix > VPC_PREFIX_RANGE.max || !isPrivateCidr(cidr)) {
    throw new Error(`invalid VPC CIDR "${text}"; allowed: ${VPC_CIDR_ALLOWED}`);
  }
  return cidr;
}

/** Subnet CIDRs per AZ, in AZ order. */
export interface SubnetLayout {
  readonly private: readonly string[];
  readonly public: readonly string[];
}

/** The most AZs a layout supports: three private quarters, the fourth quarter holds the public subnets. */
export const MAX_AZ_COUNT = 3;

/**
 * Splits a VPC into per-AZ subnets: private subnets (nodes, pods, endpoints) take one quarter of
 * the VPC each, because the VPC CNI gives every pod a VPC address; public subnets (NAT, load
 * balancers only) are eighths of the last quarter. A /16 gives /18 private and /21 public subnets.
 */
export function buildSubnetLayout(vpcCidr: string, azCount: number): SubnetLayout {
  const vpc = validateVpcCidr(vpcCidr);
  if (!Number.isInteger(azCount) || azCount < 1 || azCount > MAX_AZ_COUNT) {
    throw new Error(`AZ count ${azCount} is invalid; allowed: an integer from 1 to ${MAX_AZ_COUNT}`);
  }
  const publicQuarter = subnetOf(vpc, vpc.prefix + 2, 3);
  const indexes = [...Array(azCount).keys()];
  return {
    private: indexes.map((i) => formatCidr(subnetOf(vpc, vpc.prefix + 2, i))),
    public: indexes.map((i) => formatCidr(subnetOf(publicQuarter, vpc.prefix + 5, i))),
  };
}
