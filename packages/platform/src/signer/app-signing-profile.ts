import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { SIGNING_PROFILE_NAME } from '../naming.js';

/** The AWS Signer platform for Notation signatures of OCI images. */
export const NOTATION_PLATFORM_ID = 'Notation-OCI-SHA384-ECDSA';

/** Signature validity AWS Signer accepts, in months (its maximum is 135 months). */
export const SIGNATURE_VALIDITY_MONTHS = { min: 1, max: 135 } as const;

/** Arguments of {@link AppSigningProfile}. */
export interface AppSigningProfileArgs {
  /** Profile name, from `signingProfileName(env, app, identity)`; `[a-zA-Z0-9_]{2,64}`. */
  readonly profileName: string;
  /** How long signatures made with this profile stay valid, in months (1..135). */
  readonly signatureValidityMonths: number;
}

/**
 * One signing identity: an AWS Signer profile on the Notation platform. The profile ARN is what
 * the cluster's trust policy trusts; signatures expire after the validity period, so an image has
 * to be re-signed (rebuilt through the pipeline) to keep running after that.
 */
export class AppSigningProfile extends pulumi.ComponentResource {
  public readonly profileName: pulumi.Output<string>;
  public readonly profileArn: pulumi.Output<string>;
  public readonly profileVersionArn: pulumi.Output<string>;

  constructor(name: string, args: AppSigningProfileArgs, opts?: pulumi.ComponentResourceOptions) {
    super('signet:signer:AppSigningProfile', name, {}, opts);
    if (!SIGNING_PROFILE_NAME.test(args.profileName)) {
      throw new Error(
        `AppSigningProfile ${name}: profileName has value "${args.profileName}"; allowed: ${SIGNING_PROFILE_NAME.source}`,
      );
    }
    const months = args.signatureValidityMonths;
    if (
      !Number.isInteger(months) ||
      months < SIGNATURE_VALIDITY_MONTHS.min ||
      months > SIGNATURE_VALIDITY_MONTHS.max
    ) {
      throw new Error(
        `AppSigningProfile ${name}: signatureValidityMonths has value ${months}; allowed: an integer from ${SIGNATURE_VALIDITY_MONTHS.min} to ${SIGNATURE_VALIDITY_MONTHS.max}`,
      );
    }
    const profile = new aws.signer.SigningProfile(
      `${name}-profile`,
      {
        name: args.profileName,
        platformId: NOTATION_PLATFORM_ID,
        signatureValidityPeriod: { value: months, type: 'MONTHS' },
      },
      { parent: this },
    );
    this.profileName = profile.name;
    this.profileArn = profile.arn;
    this.profileVersionArn = profile.versionArn;
    this.registerOutputs({
      profileName: this.profileName,
      profileArn: this.profileArn,
      profileVersionArn: this.profileVersionArn,
    });
  }
}
