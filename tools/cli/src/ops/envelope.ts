import { BatchGetImageCommand, GetDownloadUrlForLayerCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { callAws } from './errors.js';

/**
 * Extended signed attributes the AWS Signer Notation plugin puts in each signature envelope (shown
 * by `notation inspect`): the signing job and the profile version that produced it.
 */
export const SIGNING_JOB_ATTRIBUTE = 'com.amazonaws.signer.signingJob';
export const PROFILE_VERSION_ATTRIBUTE = 'com.amazonaws.signer.signingProfileVersion';

/** Notation's JWS envelope; COSE envelopes (`application/cose`) are not read. */
const JWS_MEDIA_TYPE = 'application/jose+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const JOB_ARN = /^arn:aws[a-z-]*:signer:[a-z0-9-]+:\d{12}:\/signing-jobs\/([A-Za-z0-9-]+)$/;
const PROFILE_VERSION_ARN =
  /^arn:aws[a-z-]*:signer:[a-z0-9-]+:\d{12}:\/signing-profiles\/([A-Za-z0-9_]+)\/([A-Za-z0-9]+)$/;
/** BatchGetImage accepts at most 100 image ids per call. */
const BATCH = 100;

/** Where a signature came from, read from its envelope; `note` says why a field is missing. */
export interface SignatureOrigin {
  readonly jobId?: string;
  readonly profileName?: string;
  readonly profileVersion?: string;
  /**
   * The signed user metadata (`notation sign --user-metadata`): the annotations of the payload's
   * `targetArtifact`. Read, not verified: only `notation verify --user-metadata` proves it.
   */
  readonly userMetadata?: Readonly<Record<string, string>>;
  readonly note?: string;
}

function payloadAnnotations(payload: unknown): Record<string, string> | undefined {
  if (typeof payload !== 'string') return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
      targetArtifact?: { annotations?: unknown };
    };
    const annotations = parsed.targetArtifact?.annotations;
    if (annotations === null || typeof annotations !== 'object') return undefined;
    return Object.fromEntries(
      Object.entries(annotations).filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
  } catch {
    return undefined;
  }
}

/** Downloads a blob from a pre-signed URL; injectable so tests need no network. */
export type BlobFetcher = (url: string) => Promise<string>;

/** The default fetcher: Node's fetch, failing on a non-2xx answer. */
export const fetchBlob: BlobFetcher = async (url) => {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.text();
};

/** Reads the signing job and profile version from a Notation JWS envelope's protected header. */
export function parseJwsEnvelope(text: string): SignatureOrigin {
  let header: Record<string, unknown>;
  let userMetadata: Record<string, string> | undefined;
  try {
    const envelope = JSON.parse(text) as { protected?: unknown; payload?: unknown };
    userMetadata = payloadAnnotations(envelope.payload);
    if (typeof envelope.protected !== 'string') return { note: 'envelope has no protected header' };
    header = JSON.parse(Buffer.from(envelope.protected, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
  } catch {
    return { note: 'envelope is not valid JWS JSON' };
  }
  const job = JOB_ARN.exec(String(header[SIGNING_JOB_ATTRIBUTE] ?? ''));
  const profile = PROFILE_VERSION_ARN.exec(String(header[PROFILE_VERSION_ATTRIBUTE] ?? ''));
  if (job === null && profile === null) return { note: 'no AWS Signer attributes in the envelope' };
  return {
    ...(job === null ? {} : { jobId: job[1] }),
    ...(profile === null ? {} : { profileName: profile[1], profileVersion: profile[2] }),
    ...(userMetadata === undefined ? {} : { userMetadata }),
  };
}

async function originOf(
  ecr: ECRClient,
  repository: string,
  manifest: string | undefined,
  fetcher: BlobFetcher,
): Promise<SignatureOrigin> {
  let layer: { mediaType?: string; digest?: string } | undefined;
  try {
    layer = (JSON.parse(manifest ?? '') as { layers?: { mediaType?: string; digest?: string }[] })
      .layers?.[0];
  } catch {
    return { note: 'signature manifest is not valid JSON' };
  }
  if (layer?.digest === undefined) return { note: 'signature manifest has no envelope layer' };
  if (layer.mediaType !== JWS_MEDIA_TYPE)
    return { note: `envelope ${layer.mediaType ?? 'of unknown type'} not read` };
  const layerDigest = layer.digest;
  const { downloadUrl } = await callAws(
    { action: 'ecr:GetDownloadUrlForLayer', resource: `repository ${repository} layer ${layerDigest}` },
    () => ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName: repository, layerDigest })),
  );
  if (downloadUrl === undefined) return { note: 'ECR returned no download URL for the envelope' };
  try {
    return parseJwsEnvelope(await fetcher(downloadUrl));
  } catch (error) {
    return { note: `envelope download failed: ${(error as Error).message}` };
  }
}

/**
 * Per signature digest, the signing job and profile recorded in its envelope: the signature
 * manifest (ecr:BatchGetImage) names the envelope blob, fetched through ecr:GetDownloadUrlForLayer.
 */
export async function readSignatureOrigins(
  ecr: ECRClient,
  repository: string,
  signatureDigests: readonly string[],
  fetcher: BlobFetcher = fetchBlob,
): Promise<Map<string, SignatureOrigin>> {
  const origins = new Map<string, SignatureOrigin>();
  for (let i = 0; i < signatureDigests.length; i += BATCH) {
    const imageIds = signatureDigests.slice(i, i + BATCH).map((imageDigest) => ({ imageDigest }));
    const result = await callAws({ action: 'ecr:BatchGetImage', resource: `repository ${repository}` }, () =>
      ecr.send(
        new BatchGetImageCommand({
          repositoryName: repository,
          imageIds,
          acceptedMediaTypes: [OCI_MANIFEST],
        }),
      ),
    );
    for (const image of result?.images ?? []) {
      const digest = image.imageId?.imageDigest;
      if (digest !== undefined)
        origins.set(digest, await originOf(ecr, repository, image.imageManifest, fetcher));
    }
  }
  return origins;
}
