import { createHash } from 'node:crypto';
import {
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DescribeImagesCommand,
  ECRClient,
  PutImageCommand,
  type BatchGetImageCommandOutput,
  type DescribeImagesCommandInput,
  type DescribeImagesCommandOutput,
} from '@aws-sdk/client-ecr';
import {
  CancelSigningProfileCommand,
  GetSigningProfileCommand,
  ListSigningProfilesCommand,
  PutSigningProfileCommand,
  SignerClient,
  type GetSigningProfileCommandOutput,
  type PutSigningProfileCommandOutput,
} from '@aws-sdk/client-signer';
import { NOTATION_PLATFORM_ID } from '@signet/platform';
import { motoEnvironment, requireTestEngine, startMoto, type LocalService } from '@signet/testing';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { vi } from 'vitest';
import { NOTATION_SIGNATURE_ARTIFACT_TYPE } from '../inventory.js';

/*
 * What moto 5.2.1 (moto/signer, moto/ecr) implements of the calls the operations commands make,
 * as observed through SDK v3 over HTTP:
 *
 * Signer
 *   - PutSigningProfile, GetSigningProfile, CancelSigningProfile: implemented. GetSigningProfile
 *     never returns `revocationRecord` (nothing can revoke a profile, see below).
 *   - GetSigningProfile and CancelSigningProfile of an unknown profile: moto fails with HTTP 500 and
 *     an HTML page (a KeyError), where Signer answers 404 ResourceNotFoundException. The SDK retries
 *     the 500 and then reports a deserialization error, so "profile does not exist" is mocked.
 *   - RevokeSigningProfile, RevokeSignature, DescribeSigningJob, ListSigningJobs,
 *     ListSigningProfiles, StartSigningJob: not implemented (HTTP 404, an HTML page): mocked.
 *     ListSigningProfiles, given a {@link MotoSeeder}, answers with every profile the seeder created,
 *     each with the status moto holds now (read back with GetSigningProfile), as Signer lists them
 *     with `includeCanceled` (one page).
 * ECR
 *   - CreateRepository, DescribeRepositories, PutImage, ListImages, DescribeImages, BatchGetImage,
 *     BatchDeleteImage: implemented, with these differences:
 *   - DescribeImages never returns `subjectManifestDigest` or `artifactMediaType`, so every OCI
 *     referrer (signature, SBOM) looks like an untagged image. ECR derives both from the stored
 *     manifest (`subject.digest`; `artifactType`, else `config.mediaType`); {@link mockMotoGaps}
 *     does the same from the manifest moto stored (read back with BatchGetImage).
 *   - DescribeImages and ListImages ignore `maxResults` and never return `nextToken`: one page
 *     always, so paging is proved by the aws-sdk-client-mock tests, not here.
 *   - PutImage takes the digest from `imageDigest` without checking it (without it, moto hashes
 *     the layer digests, not the manifest); the seeders below pass the real sha256 of the manifest.
 *   - BatchGetImage ignores `acceptedMediaTypes`; a failure for a digest names `imageTag: "null"`.
 *   - BatchDeleteImage deletes an untagged image but leaves it out of `imageIds`; only
 *     `failures` is reliable.
 *   - BatchDeleteImage and BatchGetImage do not enforce the 100 image ids per call limit.
 *   - GetDownloadUrlForLayer: not implemented (HTTP 500, NotImplementedError): mocked.
 */

// The clients' own `send`, taken before any test stubs it: seeding, reading back and the
// DescribeImages completion reach moto directly and do not show up among the calls tests assert on.
const signerSend = SignerClient.prototype.send as (this: SignerClient, command: unknown) => Promise<unknown>;
const ecrSend = ECRClient.prototype.send as (this: ECRClient, command: unknown) => Promise<unknown>;

/** One moto server for a test file, with the process environment pointing the SDK at it. */
export interface MotoForCommands {
  readonly moto: LocalService;
  /** `motoEnvironment(moto)`: what a spawned `signet` needs to reach the same server. */
  readonly environment: Readonly<Record<string, string>>;
  /** Forgets every profile, repository and image (moto's `/moto-api/reset`). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts moto_server and sets AWS_ENDPOINT_URL, fake credentials and the region in this process,
 * so clients built by the commands' own `createAwsClients` reach moto: SDK v3 reads
 * AWS_ENDPOINT_URL itself, the commands need no endpoint option.
 */
export async function startMotoForCommands(): Promise<MotoForCommands> {
  const moto = await startMoto(requireTestEngine('moto_server'));
  const environment = motoEnvironment(moto);
  for (const [key, value] of Object.entries(environment)) vi.stubEnv(key, value);
  return {
    moto,
    environment,
    reset: async () => {
      const response = await fetch(`${moto.url}/moto-api/reset`, { method: 'POST' });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`moto reset answered HTTP ${response.status}:\n${moto.output()}`);
    },
    stop: async () => {
      vi.unstubAllEnvs();
      await moto.stop();
    },
  };
}

/** Stubs on every Signer and ECR client; a command without a behaviour set reaches moto. */
export interface MotoGapMocks {
  readonly signer: AwsClientStub<SignerClient>;
  readonly ecr: AwsClientStub<ECRClient>;
  restore(): void;
}

type Send = (command: unknown) => Promise<unknown>;

interface StoredManifest {
  readonly artifactType?: string;
  readonly config?: { readonly mediaType?: string };
  readonly subject?: { readonly digest?: string };
}

/**
 * DescribeImages as ECR answers it: moto's page, with `subjectManifestDigest` and
 * `artifactMediaType` derived from each image's stored manifest, as ECR derives them.
 */
async function describeImagesAsEcr(
  send: Send,
  input: DescribeImagesCommandInput,
): Promise<DescribeImagesCommandOutput> {
  const page = (await send(new DescribeImagesCommand(input))) as DescribeImagesCommandOutput;
  const details = page.imageDetails ?? [];
  if (details.length === 0) return page;
  const { images = [] } = (await send(
    new BatchGetImageCommand({
      repositoryName: input.repositoryName,
      ...(input.registryId === undefined ? {} : { registryId: input.registryId }),
      imageIds: details.map((d) => ({ imageDigest: d.imageDigest })),
    }),
  )) as BatchGetImageCommandOutput;
  const manifests = new Map(images.map((i) => [i.imageId?.imageDigest, i.imageManifest]));
  return {
    ...page,
    imageDetails: details.map((detail) => {
      const manifest = JSON.parse(manifests.get(detail.imageDigest) ?? '{}') as StoredManifest;
      const artifactMediaType = manifest.artifactType ?? manifest.config?.mediaType;
      const subject = manifest.subject?.digest;
      return {
        ...detail,
        ...(artifactMediaType === undefined ? {} : { artifactMediaType }),
        ...(subject === undefined ? {} : { subjectManifestDigest: subject }),
      };
    }),
  };
}

/**
 * aws-sdk-client-mock on the Signer and ECR client classes, so the clients a command builds
 * itself are covered. Every command passes through to moto over HTTP unless a test gives it a
 * behaviour with `.on(…)`, which it does only for what moto lacks (see the list above);
 * DescribeImages gets ECR's referrer fields added. Restore in `afterEach`.
 */
export function mockMotoGaps(seed?: MotoSeeder): MotoGapMocks {
  const signer = mockClient(SignerClient);
  const ecr = mockClient(ECRClient);
  signer.send.callThrough();
  ecr.send.callThrough();
  if (seed !== undefined) signer.on(ListSigningProfilesCommand).callsFake(() => seed.listProfiles());
  ecr.on(DescribeImagesCommand).callsFake((input: DescribeImagesCommandInput, getClient: () => ECRClient) => {
    const client = getClient();
    return describeImagesAsEcr((command) => ecrSend.call(client, command), input);
  });
  return {
    signer,
    ecr,
    restore: () => {
      signer.restore();
      ecr.restore();
    },
  };
}

/** An AWS error as the SDK raises it, for the answers moto cannot give. */
export function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

const sha256 = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
/** The OCI empty descriptor's blob, `{}`: https://github.com/opencontainers/image-spec/blob/v1.1.0/manifest.md#guidance-for-an-empty-descriptor */
const EMPTY = { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256('{}'), size: 2 };

/** A pushed manifest: its digest and its size (what a referrer's `subject` names). */
export interface Pushed {
  readonly digest: string;
  readonly size: number;
}

/**
 * A Notation JWS envelope with the attributes the AWS Signer plugin signs in; `userMetadata` goes
 * into the payload's `targetArtifact.annotations`, where `notation sign --user-metadata` puts it.
 */
export function signerEnvelope(
  jobArn: string,
  profileVersionArn: string,
  userMetadata?: Readonly<Record<string, string>>,
): string {
  const header = {
    alg: 'ES384',
    cty: 'application/vnd.cncf.notary.payload.v1+json',
    'io.cncf.notary.signingScheme': 'notary.x509.signingAuthority',
    'com.amazonaws.signer.signingJob': jobArn,
    'com.amazonaws.signer.signingProfileVersion': profileVersionArn,
  };
  return JSON.stringify({
    payload: Buffer.from(
      JSON.stringify(userMetadata === undefined ? {} : { targetArtifact: { annotations: userMetadata } }),
    ).toString('base64url'),
    protected: Buffer.from(JSON.stringify(header)).toString('base64url'),
    header: { x5c: [] },
    signature: 'c2ln',
  });
}

/**
 * Seeds moto through the SDK with what the Signet stacks and pipeline create: Notation signing
 * profiles, repositories, images and their OCI referrers (signatures, SBOMs). Its calls bypass
 * {@link mockMotoGaps}, so they reach moto unchanged and are not recorded.
 */
export class MotoSeeder {
  private readonly signerClient = new SignerClient({});
  private readonly ecrClient = new ECRClient({});
  /** Names of every profile created since the last {@link MotoSeeder.forget}. */
  private readonly profileNames = new Set<string>();
  private readonly signer = {
    send: <T>(command: { readonly input: unknown } & object): Promise<T> =>
      signerSend.call(this.signerClient, command) as Promise<T>,
  };
  private readonly ecr = {
    send: <T>(command: { readonly input: unknown } & object): Promise<T> =>
      ecrSend.call(this.ecrClient, command) as Promise<T>,
  };

  /** A Notation profile as the signer stack creates it; `Canceled` cancels it afterwards. */
  async profile(
    profileName: string,
    state: 'Active' | 'Canceled' = 'Active',
  ): Promise<{ profileVersion: string; profileVersionArn: string }> {
    const put = await this.signer.send<PutSigningProfileCommandOutput>(
      new PutSigningProfileCommand({
        profileName,
        platformId: NOTATION_PLATFORM_ID,
        signatureValidityPeriod: { type: 'MONTHS', value: 12 },
      }),
    );
    this.profileNames.add(profileName);
    if (state === 'Canceled') await this.signer.send(new CancelSigningProfileCommand({ profileName }));
    if (put.profileVersion === undefined || put.profileVersionArn === undefined)
      throw new Error(`PutSigningProfile ${profileName}: no profile version in ${JSON.stringify(put)}`);
    return { profileVersion: put.profileVersion, profileVersionArn: put.profileVersionArn };
  }

  /** Forgets the profiles created so far (call with moto's reset). */
  forget(): void {
    this.profileNames.clear();
  }

  /** ListSigningProfiles as Signer answers it with `includeCanceled`: every seeded profile, its status from moto. */
  async listProfiles(): Promise<{
    profiles: { profileName: string; status?: string; profileVersion?: string }[];
  }> {
    const profiles = await Promise.all(
      [...this.profileNames].map(async (profileName) => ({
        profileName,
        ...(await this.profileState(profileName)),
      })),
    );
    return { profiles };
  }

  /** Reads a profile's status and version back from moto. */
  async profileState(profileName: string): Promise<{ status?: string; profileVersion?: string }> {
    const profile = await this.signer.send<GetSigningProfileCommandOutput>(
      new GetSigningProfileCommand({ profileName }),
    );
    return { status: profile.status, profileVersion: profile.profileVersion };
  }

  async repository(repositoryName: string): Promise<void> {
    await this.ecr.send(new CreateRepositoryCommand({ repositoryName }));
  }

  private async push(repositoryName: string, manifest: object, tag?: string): Promise<Pushed> {
    const imageManifest = JSON.stringify(manifest);
    const digest = sha256(imageManifest);
    await this.ecr.send(
      new PutImageCommand({
        repositoryName,
        imageManifest,
        imageManifestMediaType: OCI_MANIFEST,
        imageDigest: digest,
        ...(tag === undefined ? {} : { imageTag: tag }),
      }),
    );
    return { digest, size: Buffer.byteLength(imageManifest) };
  }

  /** An application image; `name` makes its layer, and so its digest, unique. */
  image(repositoryName: string, name: string, tag?: string): Promise<Pushed> {
    const layer = sha256(`layer of ${name}`);
    return this.push(
      repositoryName,
      {
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(name), size: 100 },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layer, size: 1000 }],
      },
      tag,
    );
  }

  /**
   * An OCI 1.1 referrer of `subject`, as notation and oras push it with the referrers API: an
   * image manifest with `artifactType`, an empty config and one layer.
   */
  async referrer(
    repositoryName: string,
    subject: Pushed,
    artifactType: string,
    layer: { mediaType: string; content: string },
  ): Promise<Pushed & { layerDigest: string }> {
    const layerDigest = sha256(layer.content);
    const pushed = await this.push(repositoryName, {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType,
      config: EMPTY,
      layers: [{ mediaType: layer.mediaType, digest: layerDigest, size: Buffer.byteLength(layer.content) }],
      subject: { mediaType: OCI_MANIFEST, digest: subject.digest, size: subject.size },
    });
    return { ...pushed, layerDigest };
  }

  /** A notation signature of `subject` whose JWS envelope is `envelope`. */
  signature(
    repositoryName: string,
    subject: Pushed,
    envelope: string,
  ): Promise<Pushed & { layerDigest: string }> {
    return this.referrer(repositoryName, subject, NOTATION_SIGNATURE_ARTIFACT_TYPE, {
      mediaType: 'application/jose+json',
      content: envelope,
    });
  }

  /** The SPDX SBOM the pipeline attaches with `oras attach`. */
  sbom(repositoryName: string, subject: Pushed): Promise<Pushed & { layerDigest: string }> {
    return this.referrer(repositoryName, subject, 'application/spdx+json', {
      mediaType: 'application/spdx+json',
      content: JSON.stringify({ spdxVersion: 'SPDX-2.3', name: subject.digest }),
    });
  }

  /** What the repository holds now, read back from moto: digest to sorted tags. */
  async images(repositoryName: string): Promise<Map<string, string[]>> {
    const page = await this.ecr.send<DescribeImagesCommandOutput>(
      new DescribeImagesCommand({ repositoryName }),
    );
    return new Map(
      (page.imageDetails ?? []).map((d) => [d.imageDigest ?? '?', [...(d.imageTags ?? [])].sort()]),
    );
  }
}
