import { describe, expect, it } from 'vitest';
import { buildSubnetLayout, isPrivateCidr, parseIpv4Cidr, validateVpcCidr } from './cidr.js';

describe('CIDR handling', () => {
  it('splits a /16 into /18 private and /21 public subnets that do not overlap', () => {
    expect(buildSubnetLayout('10.20.0.0/16', 3)).toEqual({
      private: ['10.20.0.0/18', '10.20.64.0/18', '10.20.128.0/18'],
      public: ['10.20.192.0/21', '10.20.200.0/21', '10.20.208.0/21'],
    });
    expect(buildSubnetLayout('172.16.16.0/20', 2)).toEqual({
      private: ['172.16.16.0/22', '172.16.20.0/22'],
      public: ['172.16.28.0/25', '172.16.28.128/25'],
    });
  });

  it('rejects malformed blocks with the reason', () => {
    expect(() => parseIpv4Cidr('10.0.0.0')).toThrow('invalid CIDR "10.0.0.0": expected a.b.c.d/n');
    expect(() => parseIpv4Cidr('10.0.300.0/16')).toThrow(
      'invalid CIDR "10.0.300.0/16": octets must be 0..255',
    );
    expect(() => parseIpv4Cidr('10.0.0.0/33')).toThrow(
      'invalid CIDR "10.0.0.0/33": prefix length must be 0..32',
    );
    expect(() => parseIpv4Cidr('10.0.1.0/16')).toThrow(
      'invalid CIDR "10.0.1.0/16": host bits are set (the network address is 10.0.0.0/16)',
    );
  });

  it('accepts only private /16../20 VPC blocks', () => {
    expect(() => validateVpcCidr('8.8.0.0/16')).toThrow(
      'invalid VPC CIDR "8.8.0.0/16"; allowed: an IPv4 CIDR block in RFC 1918 space with a prefix length from /16 to /20',
    );
    expect(() => validateVpcCidr('10.0.0.0/24')).toThrow('invalid VPC CIDR "10.0.0.0/24"');
    expect(() => validateVpcCidr('10.0.0.0/8')).toThrow('invalid VPC CIDR "10.0.0.0/8"');
    expect(isPrivateCidr(parseIpv4Cidr('172.31.0.0/16'))).toBe(true);
    expect(isPrivateCidr(parseIpv4Cidr('172.32.0.0/16'))).toBe(false);
  });

  it('rejects AZ counts the layout cannot hold', () => {
    expect(() => buildSubnetLayout('10.0.0.0/16', 4)).toThrow(
      'AZ count 4 is invalid; allowed: an integer from 1 to 3',
    );
  });
});
