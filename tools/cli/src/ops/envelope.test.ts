import { BatchGetImageCommand, ECRClient, GetDownloadUrlForLayerCommand } from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { parseJwsEnvelope, readSignatureOrigins } from './envelope.js';
import { mockedClients } from './test/clients.js';

const header = (fields: Record<string, string>) =>
  JSON.stringify({ protected: Buffer.from(JSON.stringify(fields)).toString('base64url') });

describe('parseJwsEnvelope', () => {
  it('reads the job id, profile name and version from the AWS Signer attributes', () => {
    expect(
      parseJwsEnvelope(
        header({
          'com.amazonaws.signer.signingJob': 'arn:aws:signer:us-east-1:123456789012:/signing-jobs/1b2c-3d',
          'com.amazonaws.signer.signingProfileVersion':
            'arn:aws:signer:us-east-1:123456789012:/signing-profiles/signet_dev_app/a1b2c3d4e5',
        }),
      ),
    ).toEqual({ jobId: '1b2c-3d', profileName: 'signet_dev_app', profileVersion: 'a1b2c3d4e5' });
  });

  it('says why when it cannot tell', () => {
    expect(parseJwsEnvelope('not json')).toEqual({ note: 'envelope is not valid JWS JSON' });
    expect(parseJwsEnvelope('{}')).toEqual({ note: 'envelope has no protected header' });
    expect(parseJwsEnvelope(header({ alg: 'ES384' }))).toEqual({
      note: 'no AWS Signer attributes in the envelope',
    });
  });
});

describe('readSignatureOrigins', () => {
  const ecr = mockClient(ECRClient);
  afterEach(() => ecr.reset());

  it('records a failed download as a note instead of failing the audit', async () => {
    ecr.on(BatchGetImageCommand).resolves({
      images: [
        {
          imageId: { imageDigest: 'sha256:s' },
          imageManifest: JSON.stringify({
            layers: [{ mediaType: 'application/jose+json', digest: 'sha256:l' }],
          }),
        },
      ],
    });
    ecr.on(GetDownloadUrlForLayerCommand).resolves({ downloadUrl: 'https://blobs.example/l' });
    const origins = await readSignatureOrigins(mockedClients({}).ecr, 'signet-dev/app', ['sha256:s'], () =>
      Promise.reject(new Error('HTTP 403')),
    );
    expect(origins.get('sha256:s')).toEqual({ note: 'envelope download failed: HTTP 403' });
    expect(ecr.commandCalls(BatchGetImageCommand)[0]?.args[0].input).toEqual({
      repositoryName: 'signet-dev/app',
      imageIds: [{ imageDigest: 'sha256:s' }],
      acceptedMediaTypes: ['application/vnd.oci.image.manifest.v1+json'],
    });
  });
});
