import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { GetAuthorizationTokenCommand, type ECRClient } from '@aws-sdk/client-ecr';
import {
  appTrustPolicyDocument,
  buildNotationConfigFiles,
  NOTATION_TRUST_STORE_DIR,
  type AppTrust,
} from '@signet/policies';
import { CliError, ExitCode } from '../io.js';
import { callAws } from './errors.js';

/** The AWS Signer plugin's name, as notation installs it (`plugins/<name>/notation-<name>`). */
export const AWS_SIGNER_PLUGIN = 'com.amazonaws.signer.notation.plugin';

/** One image to verify: the app whose trust policy applies, and the image by digest. */
export interface VerifyRequest {
  /** The app's trust: its repository URL and its signing profile ARNs (as the cluster trusts them). */
  readonly trust: AppTrust;
  readonly digest: string;
  /** Signed user metadata the signature must carry (`notation verify --user-metadata key=value`). */
  readonly userMetadata?: Readonly<Record<string, string>>;
}

/** What verification said: `verified` only when notation verified a signature; the message is its own. */
export interface VerifyOutcome {
  readonly verified: boolean;
  readonly message: string;
}

/** Verifies one image's signatures; injectable so tests of other behaviour need no registry. */
export type SignatureVerifier = (request: VerifyRequest) => Promise<VerifyOutcome>;

/** Options of {@link notationVerifier}. */
export interface NotationVerifierOptions {
  /** The notation executable. */
  readonly notation: string;
  /** ECR, for the registry login (`ecr:GetAuthorizationToken`), as `aws ecr get-login-password` does. */
  readonly ecr: ECRClient;
  /**
   * The installed notation plugins (default `$XDG_CONFIG_HOME/notation/plugins`, else
   * `~/.config/notation/plugins`): the AWS Signer plugin checks trusted identities and revocation.
   */
  readonly pluginDir?: string;
  /** Extra environment for notation (proxy, CA bundle). */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Certificates that replace the AWS Signer root in the `signingAuthority` trust store. Only the
   * tests set this: AWS Signer's root cannot sign offline, so they sign with a test key and trust
   * its certificate instead (docs/testing.md). Production always trusts the AWS Signer root that
   * `buildNotationConfigFiles` writes.
   */
  readonly trustStoreCertificates?: readonly string[];
}

/** The default plugin folder of notation on Linux. */
export function defaultPluginDir(): string {
  const config = process.env['XDG_CONFIG_HOME'] ?? join(homedir(), '.config');
  return join(config, 'notation', 'plugins');
}

function run(
  file: string,
  args: readonly string[],
  env: Record<string, string>,
): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile(file, [...args], { env, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ ok: error === null, output: `${stdout}${stderr}`.trim() });
    });
  });
}

/**
 * `notation verify <repository>@<digest>` with the app's own trust policy (`appTrustPolicyDocument`,
 * the document the cluster's TrustPolicy carries) and trust store, written to a notation
 * configuration folder of its own for each call, with the installed plugins linked in. notation
 * verifies the envelope's signature, the certificate chain to the trust store, the trusted identity
 * and, at level strict, revocation (the plugin asks AWS Signer). Anything but notation's success is
 * a failure, its output the message.
 */
export function notationVerifier(options: NotationVerifierOptions): SignatureVerifier {
  const pluginDir = options.pluginDir ?? defaultPluginDir();
  if (!existsSync(join(pluginDir, AWS_SIGNER_PLUGIN))) {
    throw new CliError(
      `the AWS Signer plugin for notation is not installed in ${pluginDir}: signet audit verifies every signature with it (` +
        'https://docs.aws.amazon.com/signer/latest/developerguide/image-signing-prerequisites.html); install it, or pass --notation-plugins <dir>',
      ExitCode.Usage,
    );
  }
  let login: Promise<{ host: string; password: string }> | undefined;
  const registryLogin = () =>
    (login ??= callAws({ action: 'ecr:GetAuthorizationToken', resource: '*' }, async () => {
      const result = await options.ecr.send(new GetAuthorizationTokenCommand({}));
      const data = result.authorizationData?.[0];
      const token = Buffer.from(data?.authorizationToken ?? '', 'base64').toString('utf8');
      const separator = token.indexOf(':');
      if (separator < 0 || data?.proxyEndpoint === undefined) {
        throw new CliError('ecr:GetAuthorizationToken returned no usable token', ExitCode.Failure);
      }
      return { host: new URL(data.proxyEndpoint).host, password: token.slice(separator + 1) };
    }));

  return async ({ trust, digest, userMetadata }) => {
    let files: Readonly<Record<string, string>>;
    try {
      files = buildNotationConfigFiles(appTrustPolicyDocument(trust)).files;
    } catch (error) {
      return { verified: false, message: `no trust policy for ${trust.app}: ${(error as Error).message}` };
    }
    const { password } = await registryLogin();
    const home = mkdtempSync(join(tmpdir(), 'signet-audit-'));
    try {
      const config = join(home, 'notation');
      for (const [path, content] of Object.entries(files)) {
        const replaced =
          options.trustStoreCertificates !== undefined && path.startsWith(`${NOTATION_TRUST_STORE_DIR}/`);
        if (replaced) continue;
        mkdirSync(dirname(join(config, path)), { recursive: true });
        writeFileSync(join(config, path), content);
      }
      if (options.trustStoreCertificates !== undefined) {
        for (const [path] of Object.entries(files).filter(([p]) =>
          p.startsWith(`${NOTATION_TRUST_STORE_DIR}/`),
        )) {
          mkdirSync(dirname(join(config, path)), { recursive: true });
          options.trustStoreCertificates.forEach((pem, i) =>
            writeFileSync(join(dirname(join(config, path)), `test-root-${i}.crt`), pem),
          );
        }
      }
      symlinkSync(pluginDir, join(config, 'plugins'));
      const reference = `${trust.repositoryUrl}@${digest}`;
      const metadata = Object.entries(userMetadata ?? {}).flatMap(([k, v]) => [
        '--user-metadata',
        `${k}=${v}`,
      ]);
      const result = await run(options.notation, ['verify', ...metadata, reference], {
        PATH: process.env['PATH'] ?? '',
        ...options.env,
        HOME: home,
        XDG_CONFIG_HOME: home,
        NOTATION_USERNAME: 'AWS',
        NOTATION_PASSWORD: password,
      });
      const lastLine =
        result.output
          .split('\n')
          .filter((line) => line.trim() !== '')
          .pop() ?? '';
      return {
        verified: result.ok,
        message: lastLine || (result.ok ? 'verified' : 'notation verify failed'),
      };
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  };
}
