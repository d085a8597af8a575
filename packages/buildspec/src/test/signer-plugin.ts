import { writeFileSync } from 'node:fs';
import { zipSync } from 'fflate';

/**
 * Stand-in for the AWS Signer plugin for Notation, driven by the real notation through the Notary
 * plugin protocol (https://github.com/notaryproject/specifications/blob/main/specs/plugin-extensibility.md):
 * notation runs `notation-com.amazonaws.signer.notation.plugin <command>` with a JSON request on
 * stdin and reads a JSON response from stdout, or a JSON error from stderr.
 *
 * Why an envelope generator and not a raw signer: trusted identities are signing profile ARNs,
 * which notation cannot match itself (it matches `x509.subject:` identities only and fails with
 * "no x509 trusted identities are configured"). It hands the identity and revocation checks to
 * the plugin named by the signature's `io.cncf.notary.verificationPlugin` signed attribute, and a
 * raw signature (SIGNATURE_GENERATOR.RAW) cannot carry that attribute: notation builds that
 * envelope itself, with signing scheme notary.x509 and no extended attributes. So, like the real
 * plugin, the stand-in declares SIGNATURE_GENERATOR.ENVELOPE, SIGNATURE_VERIFIER.TRUSTED_IDENTITY
 * and SIGNATURE_VERIFIER.REVOCATION_CHECK and writes the JWS envelope itself
 * (https://github.com/notaryproject/specifications/blob/main/specs/signature-envelope-jws.md).
 *
 * Same as the real plugin: plugin name and executable name; the capabilities; JWS only; signing
 * scheme notary.x509.signingAuthority (so the signature chains to a `signingAuthority` trust
 * store and the production trust policy applies unchanged); the keyId is the signing profile
 * ARN; the signed critical attributes `com.amazonaws.signer.signingProfileVersion` (profile ARN
 * plus version) and `com.amazonaws.signer.signingJob`; the identity check accepts a trusted
 * identity equal to the profile version ARN or to its profile ARN, and reports both attributes
 * as processed.
 *
 * Different: the key is a local one (SIGNET_SIGNER_KEY, SIGNET_SIGNER_CERT: a key and certificate
 * made by `notation cert generate-test`, RSA 2048, so PS256) where AWS Signer signs with the
 * profile's ECDSA P-384 key behind the SignPayload API and returns a chain to the AWS Signer root;
 * the certificate chain is the test certificate alone; the profile version is fixed
 * (SIGNET_SIGNER_PROFILE_VERSION, default `Standin001`) where AWS reads it from the profile; the
 * revocation check reports a job revoked when the aws stand-in's `signer revoke-signature` revoked
 * it (files under SIGNET_SIGNER_STATE, where each signed job is also recorded), where the real
 * plugin asks AWS Signer's GetRevocationStatus; no AWS credentials are needed. Each call is appended to SIGNET_CALLS as
 * `notation-plugin`, the command and the key id or trusted identities.
 */
export const SIGNER_PLUGIN_NAME = 'com.amazonaws.signer.notation.plugin';

/** Executable name notation requires for the plugin: `notation-<name>`. */
export const SIGNER_PLUGIN_EXECUTABLE = `notation-${SIGNER_PLUGIN_NAME}`;

/** The plugin version the stand-in reports: the pinned build of the real plugin. */
export const SIGNER_PLUGIN_VERSION = '1.0.2292';

// CommonJS: node refuses ES module syntax in a file whose extension (".plugin") it does not know.
export const SIGNER_PLUGIN_SOURCE = `#!/usr/bin/env node
'use strict';
const { createPrivateKey, randomUUID, sign, X509Certificate } = require('node:crypto');
const { appendFileSync, readFileSync } = require('node:fs');

const NAME = ${JSON.stringify(SIGNER_PLUGIN_NAME)};
const VERSION = ${JSON.stringify(SIGNER_PLUGIN_VERSION)};
const PROFILE_VERSION = 'com.amazonaws.signer.signingProfileVersion';
const SIGNING_JOB = 'com.amazonaws.signer.signingJob';
const PROFILE_ARN = /^arn:(aws|aws-cn|aws-us-gov):signer:([a-z0-9-]+):([0-9]{12}):\\/signing-profiles\\/[A-Za-z0-9_]{2,64}$/;
// AWS Signer's default signature validity: 135 months.
const DEFAULT_VALIDITY_SECONDS = 135 * 30 * 24 * 3600;

function fail(code, message) {
  process.stderr.write(JSON.stringify({ errorCode: code, errorMessage: message }));
  process.exit(1);
}

const command = process.argv[2];
const request = command === 'get-plugin-metadata' ? {} : JSON.parse(readFileSync(0, 'utf8') || '{}');
if (process.env.SIGNET_CALLS) {
  const detail = request.keyId ?? (request.trustPolicy?.trustedIdentities ?? []).join(',');
  appendFileSync(process.env.SIGNET_CALLS, ['notation-plugin', command, detail].join('\\u001f') + '\\n');
}
if (command !== 'get-plugin-metadata' && request.contractVersion !== '1.0')
  fail('UNSUPPORTED_CONTRACT_VERSION', 'contractVersion ' + JSON.stringify(request.contractVersion) + ' is not supported; use 1.0');

function signer(key) {
  if (key.asymmetricKeyType === 'rsa') {
    const bits = key.asymmetricKeyDetails.modulusLength;
    const hash = bits >= 4096 ? 512 : bits >= 3072 ? 384 : 256;
    // RSASSA-PSS with a salt as long as the hash, as the JWS envelope specification requires.
    return { alg: 'PS' + hash, sign: (data) => sign('sha' + hash, data, { key, padding: 6, saltLength: hash / 8 }) };
  }
  const hash = { prime256v1: 256, secp384r1: 384, secp521r1: 512 }[key.asymmetricKeyDetails.namedCurve];
  if (hash === undefined) fail('VALIDATION_ERROR', 'unsupported key ' + key.asymmetricKeyDetails.namedCurve);
  return { alg: 'ES' + hash, sign: (data) => sign('sha' + hash, data, { key, dsaEncoding: 'ieee-p1363' }) };
}

function rfc3339(date) {
  return date.toISOString().replace(/\\.\\d{3}Z$/, 'Z');
}

function generateEnvelope() {
  const arn = PROFILE_ARN.exec(request.keyId ?? '');
  if (arn === null) fail('VALIDATION_ERROR', 'keyId ' + JSON.stringify(request.keyId) + ' is not a signing profile ARN');
  if (request.signatureEnvelopeType !== 'application/jose+json')
    fail('VALIDATION_ERROR', 'signatureEnvelopeType ' + JSON.stringify(request.signatureEnvelopeType) + ' is not supported; use application/jose+json');
  const keyFile = process.env.SIGNET_SIGNER_KEY;
  const certFile = process.env.SIGNET_SIGNER_CERT;
  if (!keyFile || !certFile) fail('ACCESS_DENIED', 'SIGNET_SIGNER_KEY and SIGNET_SIGNER_CERT must name the signing key and its certificate');
  const { alg, sign: signWith } = signer(createPrivateKey(readFileSync(keyFile)));
  const chain = (readFileSync(certFile, 'utf8').match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [])
    .map((pem) => new X509Certificate(pem).raw.toString('base64'));
  const now = new Date();
  const validity = request.expiryDurationInSeconds || DEFAULT_VALIDITY_SECONDS;
  const [, partition, region, account] = arn;
  const header = {
    alg,
    cty: request.payloadType,
    crit: [
      'io.cncf.notary.signingScheme',
      'io.cncf.notary.authenticSigningTime',
      'io.cncf.notary.expiry',
      'io.cncf.notary.verificationPlugin',
      PROFILE_VERSION,
      SIGNING_JOB,
    ],
    'io.cncf.notary.signingScheme': 'notary.x509.signingAuthority',
    'io.cncf.notary.authenticSigningTime': rfc3339(now),
    'io.cncf.notary.expiry': rfc3339(new Date(now.getTime() + validity * 1000)),
    'io.cncf.notary.verificationPlugin': NAME,
    [PROFILE_VERSION]: request.keyId + '/' + (process.env.SIGNET_SIGNER_PROFILE_VERSION || 'Standin001'),
    [SIGNING_JOB]: 'arn:' + partition + ':signer:' + region + ':' + account + ':/signing-jobs/' + randomUUID(),
  };
  if (process.env.SIGNET_SIGNER_STATE) {
    // The job AWS Signer would keep for this signature (the aws stand-in's describe and revoke read it).
    const { mkdirSync, writeFileSync } = require('node:fs');
    mkdirSync(process.env.SIGNET_SIGNER_STATE + '/jobs', { recursive: true });
    writeFileSync(process.env.SIGNET_SIGNER_STATE + '/jobs/' + header[SIGNING_JOB].slice(header[SIGNING_JOB].lastIndexOf('/') + 1), header[PROFILE_VERSION] + '\\n');
  }
  const protectedHeader = Buffer.from(JSON.stringify(header)).toString('base64url');
  const payload = Buffer.from(request.payload, 'base64').toString('base64url');
  const envelope = {
    payload,
    protected: protectedHeader,
    header: { x5c: chain, 'io.cncf.notary.signingAgent': NAME + '/' + VERSION + ' (test stand-in)' },
    signature: signWith(Buffer.from(protectedHeader + '.' + payload)).toString('base64url'),
  };
  return {
    signatureEnvelope: Buffer.from(JSON.stringify(envelope)).toString('base64'),
    signatureEnvelopeType: request.signatureEnvelopeType,
    annotations: {},
  };
}

function verifySignature() {
  const attributes = request.signature?.criticalAttributes?.extendedAttributes ?? {};
  const version = attributes[PROFILE_VERSION];
  const profile = typeof version === 'string' ? version.slice(0, version.lastIndexOf('/')) : undefined;
  const identities = request.trustPolicy?.trustedIdentities ?? [];
  const verificationResults = {};
  for (const capability of request.trustPolicy?.signatureVerification ?? []) {
    if (capability === 'SIGNATURE_VERIFIER.TRUSTED_IDENTITY') {
      verificationResults[capability] = identities.some((id) => id === version || id === profile)
        ? { success: true }
        : { success: false, reason: 'signing profile version ' + JSON.stringify(version) + ' is not among the trusted identities ' + JSON.stringify(identities) };
    } else if (capability === 'SIGNATURE_VERIFIER.REVOCATION_CHECK') {
      // As AWS Signer's GetRevocationStatus answers: revoked once RevokeSignature revoked the job.
      const job = String(attributes[SIGNING_JOB] ?? '');
      const revoked = process.env.SIGNET_SIGNER_STATE && require('node:fs').existsSync(process.env.SIGNET_SIGNER_STATE + '/revoked/' + job.slice(job.lastIndexOf('/') + 1));
      verificationResults[capability] = revoked
        ? { success: false, reason: 'signing job ' + job + ' is revoked' }
        : { success: true };
    }
  }
  return { verificationResults, processedAttributes: [PROFILE_VERSION, SIGNING_JOB] };
}

let response;
switch (command) {
  case 'get-plugin-metadata':
    response = {
      name: NAME,
      description: 'Test stand-in for the AWS Signer plugin for Notation',
      version: VERSION,
      url: 'https://docs.aws.amazon.com/signer/latest/developerguide/image-signing-prerequisites.html',
      supportedContractVersions: ['1.0'],
      capabilities: ['SIGNATURE_GENERATOR.ENVELOPE', 'SIGNATURE_VERIFIER.TRUSTED_IDENTITY', 'SIGNATURE_VERIFIER.REVOCATION_CHECK'],
    };
    break;
  case 'generate-envelope':
    response = generateEnvelope();
    break;
  case 'verify-signature':
    response = verifySignature();
    break;
  default:
    fail('VALIDATION_ERROR', JSON.stringify(command) + ' is not a command this plugin supports');
}
process.stdout.write(JSON.stringify(response));
`;

/**
 * Writes the plugin as the release zip `notation plugin install --file` takes: one stored
 * (uncompressed) entry, the executable, with Unix mode 0755, which notation keeps when it
 * extracts the entry (https://notaryproject.dev/docs/user-guides/how-to/plugin-management/). A
 * fixed time keeps the archive's SHA-256 stable.
 */
export function writeSignerPluginZip(path: string): void {
  const executable = Buffer.from(SIGNER_PLUGIN_SOURCE);
  const options = { level: 0, mtime: new Date(1980, 0, 1), os: 3, attrs: 0o100755 * 0x10000 } as const;
  writeFileSync(path, zipSync({ [SIGNER_PLUGIN_EXECUTABLE]: [executable, options] }));
}
