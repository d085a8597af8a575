import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SIGNER_PLUGIN_SOURCE, SIGNER_PLUGIN_VERSION } from './signer-plugin.js';

const dir = mkdtempSync(join(tmpdir(), 'signet-plugin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const plugin = join(dir, 'notation-com.amazonaws.signer.notation.plugin');
writeFileSync(plugin, SIGNER_PLUGIN_SOURCE, { mode: 0o755 });

const PROFILE = 'arn:aws:signer:eu-west-1:123456789012:/signing-profiles/signet_dev';

function call(command: string, request: unknown, env: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, [plugin, command], {
    input: JSON.stringify(request),
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '', ...env },
  });
  return {
    status: run.status,
    response: run.status === 0 ? (JSON.parse(run.stdout) as Record<string, unknown>) : undefined,
    error: run.status === 0 ? undefined : (JSON.parse(run.stderr) as Record<string, unknown>),
  };
}

function verify(trustedIdentities: string[], profileVersion: string) {
  return call('verify-signature', {
    contractVersion: '1.0',
    signature: {
      criticalAttributes: {
        contentType: 'application/vnd.cncf.notary.payload.v1+json',
        signingScheme: 'notary.x509.signingAuthority',
        extendedAttributes: {
          'com.amazonaws.signer.signingProfileVersion': profileVersion,
          'com.amazonaws.signer.signingJob': 'arn:aws:signer:eu-west-1:123456789012:/signing-jobs/1',
        },
      },
      unprocessedAttributes: [
        'com.amazonaws.signer.signingProfileVersion',
        'com.amazonaws.signer.signingJob',
      ],
      certificateChain: ['AA=='],
    },
    trustPolicy: {
      trustedIdentities,
      signatureVerification: ['SIGNATURE_VERIFIER.TRUSTED_IDENTITY', 'SIGNATURE_VERIFIER.REVOCATION_CHECK'],
    },
  }).response;
}

// What notation relies on is proven by the scenarios, where the real notation drives the plugin;
// these pin down the identity rules and the refusals, which those runs reach only in part.
describe('the AWS Signer plugin stand-in', () => {
  it('declares what the real plugin declares: an envelope generator that checks identity and revocation', () => {
    expect(call('get-plugin-metadata', {}).response).toMatchObject({
      name: 'com.amazonaws.signer.notation.plugin',
      version: SIGNER_PLUGIN_VERSION,
      supportedContractVersions: ['1.0'],
      capabilities: [
        'SIGNATURE_GENERATOR.ENVELOPE',
        'SIGNATURE_VERIFIER.TRUSTED_IDENTITY',
        'SIGNATURE_VERIFIER.REVOCATION_CHECK',
      ],
    });
  });

  it('trusts a signature whose profile version belongs to a trusted profile, or is itself trusted', () => {
    const version = `${PROFILE}/Standin001`;
    for (const identities of [[PROFILE], [version]]) {
      expect(verify(identities, version)).toEqual({
        verificationResults: {
          'SIGNATURE_VERIFIER.TRUSTED_IDENTITY': { success: true },
          'SIGNATURE_VERIFIER.REVOCATION_CHECK': { success: true },
        },
        processedAttributes: [
          'com.amazonaws.signer.signingProfileVersion',
          'com.amazonaws.signer.signingJob',
        ],
      });
    }
  });

  it('refuses a profile the trust policy does not name, and another version of a trusted version', () => {
    const other = 'arn:aws:signer:eu-west-1:123456789012:/signing-profiles/signet_other/Standin001';
    expect(verify([PROFILE], other)?.['verificationResults']).toMatchObject({
      'SIGNATURE_VERIFIER.TRUSTED_IDENTITY': {
        success: false,
        reason: `signing profile version "${other}" is not among the trusted identities ["${PROFILE}"]`,
      },
    });
    expect(
      verify([`${PROFILE}/Version0001`], `${PROFILE}/Standin001`)?.['verificationResults'],
    ).toMatchObject({ 'SIGNATURE_VERIFIER.TRUSTED_IDENTITY': { success: false } });
  });

  it('signs only for a signing profile ARN, only JWS, and only with a key', () => {
    const request = {
      contractVersion: '1.0',
      keyId: PROFILE,
      payloadType: 'application/vnd.cncf.notary.payload.v1+json',
      signatureEnvelopeType: 'application/jose+json',
      payload: Buffer.from('{}').toString('base64'),
    };
    expect(call('generate-envelope', { ...request, keyId: 'signet_dev' }).error).toEqual({
      errorCode: 'VALIDATION_ERROR',
      errorMessage: 'keyId "signet_dev" is not a signing profile ARN',
    });
    expect(
      call('generate-envelope', { ...request, signatureEnvelopeType: 'application/cose' }).error,
    ).toMatchObject({ errorCode: 'VALIDATION_ERROR' });
    expect(call('generate-envelope', request).error).toMatchObject({ errorCode: 'ACCESS_DENIED' });
    expect(call('generate-envelope', { ...request, contractVersion: '2.0' }).error).toMatchObject({
      errorCode: 'UNSUPPORTED_CONTRACT_VERSION',
    });
  });
});
