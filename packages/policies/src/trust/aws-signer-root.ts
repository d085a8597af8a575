import { PolicyInputError, quote } from '../errors.js';
import { AwsPartition } from '../arn.js';

/**
 * AWS Signer root certificate for Notation signatures in the commercial partition
 * ("AWS Signer Code Signing Root CA G1", valid until 2122).
 *
 * Published by AWS at https://d2hvyiie56hcat.cloudfront.net/aws-signer-notation-root.cert and
 * shipped by the AWS Signer Notation installer; see
 * https://docs.aws.amazon.com/signer/latest/developerguide/image-signing-prerequisites.html
 */
const COMMERCIAL_ROOT = `-----BEGIN CERTIFICATE-----
MIICWTCCAd6gAwIBAgIRAMq5Lmt4rqnUdi8qM4eIGbYwCgYIKoZIzj0EAwMwbDEL
MAkGA1UEBhMCVVMxDDAKBgNVBAoMA0FXUzEVMBMGA1UECwwMQ3J5cHRvZ3JhcGh5
MQswCQYDVQQIDAJXQTErMCkGA1UEAwwiQVdTIFNpZ25lciBDb2RlIFNpZ25pbmcg
Um9vdCBDQSBHMTAgFw0yMjEwMjcyMTMzMjJaGA8yMTIyMTAyNzIyMzMyMlowbDEL
MAkGA1UEBhMCVVMxDDAKBgNVBAoMA0FXUzEVMBMGA1UECwwMQ3J5cHRvZ3JhcGh5
MQswCQYDVQQIDAJXQTErMCkGA1UEAwwiQVdTIFNpZ25lciBDb2RlIFNpZ25pbmcg
Um9vdCBDQSBHMTB2MBAGByqGSM49AgEGBSuBBAAiA2IABM9+dM9WXbVyNOIP08oN
IQW8DKKdBxP5nYNegFPLfGP0f7+0jweP8LUv1vlFZqVDep5ONus9IxwtIYBJLd36
5Q3Z44Xnm4PY/wSI5xRvB/m+/B2PHc7Smh0P5s3Dt25oVKNCMEAwDwYDVR0TAQH/
BAUwAwEB/zAdBgNVHQ4EFgQUONhd3abPX87l4YWKxjysv28QwAYwDgYDVR0PAQH/
BAQDAgGGMAoGCCqGSM49BAMDA2kAMGYCMQCd32GnYU2qFCtKjZiveGfs+gCBlPi2
Hw0zU52LXIFC2GlcvwcekbiM6w0Azlr9qvMCMQDl4+Os0yd+fVlYMuovvxh8xpjQ
NPJ9zRGyYa7+GNs64ty/Z6bzPHOKbGo4In3KKJo=
-----END CERTIFICATE-----
`;

/**
 * AWS Signer root certificate for Notation signatures in AWS GovCloud (US)
 * ("AWS Signer Code Signing GovCloud (US) Root CA G1", valid until 2124).
 *
 * Published by AWS at https://d2hvyiie56hcat.cloudfront.net/aws-us-gov-signer-notation-root.cert;
 * see https://docs.aws.amazon.com/signer/latest/developerguide/image-signing-prerequisites.html
 */
const GOVCLOUD_US_ROOT = `-----BEGIN CERTIFICATE-----
MIICdDCCAfqgAwIBAgIRANXkpKrZj0L324qGaqRhW/cwCgYIKoZIzj0EAwMwejEL
MAkGA1UEBhMCVVMxDDAKBgNVBAoMA0FXUzEVMBMGA1UECwwMQ3J5cHRvZ3JhcGh5
MQswCQYDVQQIDAJXQTE5MDcGA1UEAwwwQVdTIFNpZ25lciBDb2RlIFNpZ25pbmcg
R292Q2xvdWQgKFVTKSBSb290IENBIEcxMCAXDTI0MDMwNjIzMzgyOFoYDzIxMjQw
MzA3MDAzODI4WjB6MQswCQYDVQQGEwJVUzEMMAoGA1UECgwDQVdTMRUwEwYDVQQL
DAxDcnlwdG9ncmFwaHkxCzAJBgNVBAgMAldBMTkwNwYDVQQDDDBBV1MgU2lnbmVy
IENvZGUgU2lnbmluZyBHb3ZDbG91ZCAoVVMpIFJvb3QgQ0EgRzEwdjAQBgcqhkjO
PQIBBgUrgQQAIgNiAARog54ObzWaGU6fAOcL4Af+P93l2t8Dl9hVD2n0eSSfmPq1
3jtXgjcpXZIjMfoiWQPJTvyAB3opRyvO3grvUaWxRnjtwB/Pusj4tzhnaN+b80eJ
iRn6AzrI9vBssd1ZyRKjQjBAMA8GA1UdEwEB/wQFMAMBAf8wHQYDVR0OBBYEFJF4
zoYzTyn/5s8EleoNvek9QeE6MA4GA1UdDwEB/wQEAwIBhjAKBggqhkjOPQQDAwNo
ADBlAjEA8tcKeLPxBB0mRmfkJn5+hgYxZaRGQatO5mxmjkB/DNIfJ1WeEE3tbCHr
pNJL32FUAjBQY82UNV5yJrKFHOxuiQ+athQZUHLvWvAIXKExt9wvLdtKzfpag8BI
o2A2A4nk0jk=
-----END CERTIFICATE-----
`;

const ROOTS: Readonly<Record<AwsPartition, string>> = {
  [AwsPartition.Commercial]: COMMERCIAL_ROOT,
  [AwsPartition.GovCloudUs]: GOVCLOUD_US_ROOT,
};

/**
 * The AWS Signer root CA (PEM, trailing newline) that anchors every Notation signature AWS Signer
 * makes in `partition`. Signatures are isolated per partition, so a verifier trusts the root of
 * the partition its signing profiles live in.
 */
export function awsSignerRootCertificate(partition: AwsPartition): string {
  const pem = (ROOTS as Readonly<Record<string, string>>)[partition];
  if (pem === undefined) {
    throw new PolicyInputError({
      path: 'partition',
      value: partition,
      allowed: `a partition with an AWS Signer root certificate: one of ${Object.keys(ROOTS)
        .map((p) => quote(p))
        .join(', ')}`,
    });
  }
  return pem;
}
