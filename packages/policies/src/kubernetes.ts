import { PolicyInputError, quote } from './errors.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Throws unless `value` is an RFC 1123 label (namespace, service and most object names). */
export function assertDnsLabel(value: string, field: string): string {
  if (value.length > 63 || !DNS_LABEL.test(value)) {
    throw new PolicyInputError(
      field,
      `${quote(value)} is not a valid name; expected at most 63 lowercase letters, digits or "-", starting and ending with a letter or digit`,
    );
  }
  return value;
}

/** Throws unless `value` is an RFC 1123 subdomain (Secret, Role and custom resource names). */
export function assertDnsSubdomain(value: string, field: string): string {
  if (value.length > 253 || !DNS_SUBDOMAIN.test(value)) {
    throw new PolicyInputError(
      field,
      `${quote(value)} is not a valid name; expected at most 253 lowercase letters, digits, "-" or ".", starting and ending with a letter or digit`,
    );
  }
  return value;
}

/** Namespaces the cluster itself runs in: never matched by Signet's admission policies. */
export const CLUSTER_SYSTEM_NAMESPACES: readonly string[] = ['kube-system', 'kube-public', 'kube-node-lease'];
