import { paginateDescribeImages, type ECRClient, type ImageDetail } from '@aws-sdk/client-ecr';
import { callAws } from './errors.js';

/** The artifact type notation gives a signature manifest: https://github.com/notaryproject/specifications/blob/v1.1.0/specs/signature-specification.md */
export const NOTATION_SIGNATURE_ARTIFACT_TYPE = 'application/vnd.cncf.notary.signature';

/** An image (not a referrer) of a repository and the artifacts that refer to it. */
export interface RepositoryImage {
  readonly repository: string;
  readonly digest: string;
  readonly tags: readonly string[];
  readonly pushedAt?: Date;
  /** Notation signatures whose subject is this image; `pushedAt` is close to when it was signed. */
  readonly signatures: readonly { readonly digest: string; readonly pushedAt?: Date }[];
  /** Other referrers (the SBOM the pipeline attaches, attestations): digest and artifact type. */
  readonly otherReferrers: readonly { readonly digest: string; readonly artifactType: string }[];
}

/** Everything in one repository, split into images and the referrers attached to them. */
export interface RepositoryInventory {
  readonly repository: string;
  readonly images: readonly RepositoryImage[];
  /** Every referrer of the repository (signatures first), for clean-up. */
  readonly referrers: readonly { readonly digest: string; readonly artifactType: string }[];
}

/**
 * Lists every image of a repository (all pages). ECR reports an OCI referrer, such as a notation
 * signature pushed with the referrers API, as an image with `artifactMediaType` and
 * `subjectManifestDigest`: https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ImageDetail.html
 */
export async function listRepository(ecr: ECRClient, repository: string): Promise<RepositoryInventory> {
  const details: ImageDetail[] = await callAws(
    { action: 'ecr:DescribeImages', resource: `repository ${repository}` },
    async () => {
      const all: ImageDetail[] = [];
      for await (const page of paginateDescribeImages({ client: ecr }, { repositoryName: repository })) {
        all.push(...(page.imageDetails ?? []));
      }
      return all;
    },
  );
  const referrers = details.filter(
    (d) => d.subjectManifestDigest !== undefined && d.imageDigest !== undefined,
  );
  const images = details
    .filter((d) => d.subjectManifestDigest === undefined && d.imageDigest !== undefined)
    .map((d): RepositoryImage => {
      const digest = d.imageDigest as string;
      const mine = referrers.filter((r) => r.subjectManifestDigest === digest);
      return {
        repository,
        digest,
        tags: [...(d.imageTags ?? [])].sort(),
        ...(d.imagePushedAt === undefined ? {} : { pushedAt: d.imagePushedAt }),
        signatures: mine
          .filter((r) => r.artifactMediaType === NOTATION_SIGNATURE_ARTIFACT_TYPE)
          .map((r) => ({
            digest: r.imageDigest as string,
            ...(r.imagePushedAt === undefined ? {} : { pushedAt: r.imagePushedAt }),
          }))
          .sort((a, b) => a.digest.localeCompare(b.digest)),
        otherReferrers: mine
          .filter((r) => r.artifactMediaType !== NOTATION_SIGNATURE_ARTIFACT_TYPE)
          .map((r) => ({ digest: r.imageDigest as string, artifactType: r.artifactMediaType ?? 'unknown' })),
      };
    })
    .sort(
      (a, b) =>
        (b.pushedAt?.getTime() ?? 0) - (a.pushedAt?.getTime() ?? 0) || a.digest.localeCompare(b.digest),
    );
  return {
    repository,
    images,
    referrers: referrers
      .map((r) => ({ digest: r.imageDigest as string, artifactType: r.artifactMediaType ?? 'unknown' }))
      .sort(
        (a, b) =>
          Number(b.artifactType === NOTATION_SIGNATURE_ARTIFACT_TYPE) -
            Number(a.artifactType === NOTATION_SIGNATURE_ARTIFACT_TYPE) || a.digest.localeCompare(b.digest),
      ),
  };
}
