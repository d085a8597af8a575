import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freePort,
  motoEnvironment,
  requireEngine,
  requireTestEngine,
  startMoto,
  startRegistry,
  type LocalService,
} from '@signet/testing';
import { DEFAULT_TOOLS } from '../defaults.js';

/**
 * The real engines the scenarios run against, started once per test file: the distribution
 * registry behind the ECR hostname, moto_server for the AWS CLI, and two notation test keys.
 *
 * Registry addressing. The buildspecs accept only ECR repository URIs
 * (`123456789012.dkr.ecr.eu-west-1.amazonaws.com/hello-server`, see VARIABLE_RULES), and their
 * notation and oras commands name no port and take no `--insecure-registry` or `--plain-http`.
 * So the registry serves TLS on 127.0.0.1 with a certificate for that hostname, issued by a CA
 * made for this run, which notation, oras and crane trust through SSL_CERT_FILE (Go reads it on
 * Linux: https://pkg.go.dev/crypto/x509#SystemCertPool); and an HTTP CONNECT proxy in the test
 * process, named by HTTPS_PROXY (https://pkg.go.dev/net/http#ProxyFromEnvironment), tunnels
 * `<ecr host>:443` to the registry and refuses every other host, so nothing reaches the network.
 * NO_PROXY keeps the AWS CLI's calls to moto on 127.0.0.1 direct. Editing /etc/hosts would need
 * port 443 and would change the machine for everyone; the proxy changes only the build's
 * environment.
 *
 * The registry requires the credentials ECR would give: user AWS, password what moto's
 * GetAuthorizationToken returns, so a stage whose login does not reach docker, oras or notation
 * fails as it would on ECR.
 */

export const REGISTRY_HOST = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
export const REPOSITORY_URI = `${REGISTRY_HOST}/hello-server`;
export const CLUSTER_NAME = 'signet-dev';
const REGION = 'eu-west-1';

/** The password `aws ecr get-login-password` prints against moto for account 123456789012. */
export const ECR_PASSWORD = '123456789012-auth-token';
/** bcrypt (cost 4) of {@link ECR_PASSWORD}: the registry's htpasswd takes bcrypt only. */
const ECR_PASSWORD_BCRYPT = '$2a$04$nXZnv30BXlYZWnql7r1Dc.f/./v.L4TeV3wo2QGM3wOTAUyCGYE2m';

/** Executables of the real engines. */
export interface Engines {
  readonly notation: string;
  readonly oras: string;
  readonly crane: string;
  readonly aws: string;
}

/** A key and certificate from `notation cert generate-test`. */
export interface TestKey {
  readonly key: string;
  readonly cert: string;
  readonly pem: string;
}

export interface TestServices {
  readonly engines: Engines;
  /** What a build needs to reach the registry and moto: proxy, CA, AWS endpoint and credentials. */
  readonly env: Readonly<Record<string, string>>;
  /** The key the trust store holds, and another one. */
  readonly keys: { readonly trusted: TestKey; readonly other: TestKey };
  /** A docker config folder with the registry credentials, for the tests' own crane and oras calls. */
  readonly dockerConfig: string;
  /** The EKS cluster moto created: its ARN and endpoint. */
  readonly cluster: { readonly arn: string; readonly endpoint: string };
  /** Hosts the proxy refused (anything but the ECR hostname), for failure messages. */
  refused(): readonly string[];
  stop(): Promise<void>;
}

/** Outcome of a command run by {@link run}. */
export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a command without blocking the event loop: the CONNECT proxy lives in this process, so a
 * synchronous spawn of anything that talks to the registry would wait for itself forever.
 */
export function run(
  file: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  options: { readonly cwd?: string; readonly input?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      env,
      cwd: options.cwd,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    if (child.stdin !== null) {
      // A command that exits without reading its input must not fail the test with EPIPE.
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input);
    }
  });
}

/** {@link run}, failing with the command's output unless it exits 0. */
export async function runOk(
  file: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  options: { readonly cwd?: string } = {},
): Promise<string> {
  const result = await run(file, args, env, options);
  if (result.status !== 0)
    throw new Error(`${file} ${args.join(' ')} exited ${result.status}:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

/** The openssl CLI (Debian's openssl package), for the test CA. */
async function openssl(args: readonly string[], cwd: string): Promise<string> {
  return runOk(
    requireTestEngine('openssl'),
    args.map((a) => a.replaceAll('{dir}', cwd)),
    { PATH: process.env['PATH'] ?? '' },
  );
}

async function makeCertificates(dir: string): Promise<{ ca: string; cert: string; key: string }> {
  await openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      '{dir}/ca.key',
      '-out',
      '{dir}/ca.crt',
      '-days',
      '2',
      '-subj',
      '/CN=Signet test registry CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign',
    ],
    dir,
  );
  await openssl(
    [
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      '{dir}/server.key',
      '-out',
      '{dir}/server.csr',
      '-subj',
      `/CN=${REGISTRY_HOST}`,
    ],
    dir,
  );
  // Go checks the subject alternative name only, never the common name.
  writeFileSync(
    join(dir, 'server.ext'),
    `subjectAltName=DNS:${REGISTRY_HOST}\nextendedKeyUsage=serverAuth\n`,
  );
  await openssl(
    [
      'x509',
      '-req',
      '-in',
      '{dir}/server.csr',
      '-CA',
      '{dir}/ca.crt',
      '-CAkey',
      '{dir}/ca.key',
      '-CAcreateserial',
      '-out',
      '{dir}/server.crt',
      '-days',
      '2',
      '-extfile',
      '{dir}/server.ext',
    ],
    dir,
  );
  return { ca: join(dir, 'ca.crt'), cert: join(dir, 'server.crt'), key: join(dir, 'server.key') };
}

/** A CONNECT proxy that tunnels the ECR hostname to the registry and refuses everything else. */
async function startProxy(registryPort: number): Promise<{ url: string; server: Server; refused: string[] }> {
  const refused: string[] = [];
  const server = createServer((request, response) => {
    refused.push(request.url ?? '');
    response.writeHead(403).end('the test proxy tunnels HTTPS to the ECR hostname only\n');
  });
  server.on('connect', (request, socket, head) => {
    if (request.url !== `${REGISTRY_HOST}:443`) {
      refused.push(request.url ?? '');
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = connect(registryPort, '127.0.0.1', () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}`, server, refused };
}

/** Creates what the stages expect in AWS: the app's ECR repository and the EKS cluster. */
async function seedMoto(
  aws: string,
  env: Readonly<Record<string, string>>,
): Promise<{ arn: string; endpoint: string }> {
  const [password, , cluster] = await Promise.all([
    runOk(aws, ['ecr', 'get-login-password', '--region', REGION], env),
    runOk(
      aws,
      [
        'ecr',
        'create-repository',
        '--repository-name',
        'hello-server',
        '--image-tag-mutability',
        'IMMUTABLE',
        '--output',
        'json',
      ],
      env,
    ),
    runOk(
      aws,
      [
        'eks',
        'create-cluster',
        '--name',
        CLUSTER_NAME,
        '--role-arn',
        'arn:aws:iam::123456789012:role/signet-eks-cluster',
        '--resources-vpc-config',
        'subnetIds=subnet-0a1b2c3d,subnet-4e5f6a7b',
        '--output',
        'json',
      ],
      env,
    ),
  ]);
  if (password.trim() !== ECR_PASSWORD)
    throw new Error(
      `moto's ecr get-login-password printed ${JSON.stringify(password.trim())}; the registry's htpasswd expects ${JSON.stringify(ECR_PASSWORD)}: update ECR_PASSWORD and its bcrypt`,
    );
  const created = JSON.parse(cluster) as { cluster: { arn: string; endpoint: string } };
  return created.cluster;
}

/** Two keys from the real `notation cert generate-test`, in a folder of their own. */
async function makeTestKeys(notation: string, dir: string): Promise<{ trusted: TestKey; other: TestKey }> {
  const env = { PATH: process.env['PATH'] ?? '', HOME: dir, XDG_CONFIG_HOME: dir };
  const make = async (name: string): Promise<TestKey> => {
    await runOk(notation, ['cert', 'generate-test', name], env);
    const cert = join(dir, 'notation', 'localkeys', `${name}.crt`);
    return { key: join(dir, 'notation', 'localkeys', `${name}.key`), cert, pem: readFileSync(cert, 'utf8') };
  };
  // One after the other: both update the same signingkeys.json.
  const trusted = await make('signet-test-signer');
  const other = await make('signet-other-signer');
  return { trusted, other };
}

/**
 * The program behind a pyenv shim. The shim runs pyenv's bash scripts before Python on every
 * call, close to a second each time on this machine; the scenarios call the AWS CLI dozens of
 * times. Anything that is not a pyenv shim is returned as it is.
 */
async function unshimmed(path: string): Promise<string> {
  const pyenv = /^exec "([^"]+\/pyenv)" exec "\$program"/m.exec(readFileSync(path, 'utf8'))?.[1];
  if (pyenv === undefined) return path;
  const name = path.slice(path.lastIndexOf('/') + 1);
  const resolved = (
    await runOk(pyenv, ['which', name], { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '' })
  ).trim();
  return resolved === '' ? path : resolved;
}

async function startServices(): Promise<TestServices> {
  const dir = mkdtempSync(join(tmpdir(), 'signet-engines-'));
  const engines: Engines = {
    notation: requireEngine('notation', DEFAULT_TOOLS.notation.version),
    oras: requireEngine('oras', DEFAULT_TOOLS.oras.version),
    crane: requireTestEngine('crane'),
    aws: await unshimmed(requireTestEngine('aws')),
  };
  const tls = await makeCertificates(dir);
  const registry = await startRegistry(requireTestEngine('docker-registry'), {
    tls: { certificate: tls.cert, key: tls.key, ca: tls.ca, serverName: REGISTRY_HOST },
    htpasswd: `AWS:${ECR_PASSWORD_BCRYPT}`,
  });
  const proxy = await startProxy(registry.port);
  let moto: LocalService | undefined;
  try {
    moto = await startMoto(requireTestEngine('moto_server'));
    const env: Record<string, string> = {
      ...motoEnvironment(moto, REGION),
      HTTPS_PROXY: proxy.url,
      NO_PROXY: '127.0.0.1,localhost',
      SSL_CERT_FILE: tls.ca,
    };
    const awsEnv = { ...env, PATH: process.env['PATH'] ?? '', HOME: dir };
    const [cluster, keys] = await Promise.all([
      seedMoto(engines.aws, awsEnv),
      makeTestKeys(engines.notation, join(dir, 'keys')),
    ]);
    const dockerConfig = join(dir, 'docker');
    mkdirSync(dockerConfig, { recursive: true });
    writeFileSync(
      join(dockerConfig, 'config.json'),
      JSON.stringify({
        auths: { [REGISTRY_HOST]: { auth: Buffer.from(`AWS:${ECR_PASSWORD}`).toString('base64') } },
      }),
    );
    const started = moto;
    return {
      engines,
      env,
      keys,
      dockerConfig,
      cluster,
      refused: () => [...proxy.refused],
      stop: async () => {
        await new Promise<void>((resolve) => proxy.server.close(() => resolve()));
        proxy.server.closeAllConnections();
        await Promise.all([registry.stop(), started.stop()]);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    proxy.server.close();
    await Promise.all([registry.stop(), moto?.stop()]);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

let shared: Promise<TestServices> | undefined;

/** The services of this test file, started on first use. */
export function testServices(): Promise<TestServices> {
  shared ??= startServices();
  return shared;
}

/** Stops the services of this test file, if they were started. */
export async function stopTestServices(): Promise<void> {
  const pending = shared;
  shared = undefined;
  if (pending !== undefined) await (await pending).stop();
}

/** Environment for the tests' own crane, oras and notation calls against the registry. */
export function clientEnv(services: TestServices, home: string): Record<string, string> {
  return {
    ...services.env,
    PATH: process.env['PATH'] ?? '',
    HOME: home,
    DOCKER_CONFIG: services.dockerConfig,
  };
}

/** One referrer of a manifest, as `oras discover --format json` lists it. */
export interface Referrer {
  readonly digest: string;
  readonly artifactType: string;
}

/** The referrers of `reference` in the registry (through the referrers tag schema). */
export async function referrersOf(services: TestServices, reference: string): Promise<Referrer[]> {
  const home = mkdtempSync(join(tmpdir(), 'signet-oras-'));
  try {
    const out = await runOk(
      services.engines.oras,
      ['discover', '--format', 'json', reference],
      clientEnv(services, home),
    );
    return ((JSON.parse(out) as { referrers?: Referrer[] }).referrers ?? []).map((r) => ({
      digest: r.digest,
      artifactType: r.artifactType,
    }));
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
