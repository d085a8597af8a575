import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireTestEngine } from '@signet/testing';

/** A certificate and its key, as PEM files. */
export interface KeyPair {
  readonly cert: string;
  readonly key: string;
}

/** What one leaf certificate is for. */
export interface LeafRequest {
  /** File stem in the PKI folder. */
  readonly name: string;
  /** Subject common name (a client certificate's user name). */
  readonly commonName: string;
  /** Subject organizations (a client certificate's groups). */
  readonly organizations?: readonly string[];
  /** DNS names and IP addresses a serving certificate is valid for. */
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  readonly usage: 'server' | 'client';
}

/**
 * The drill's certificates, issued at test time with the pinned openssl into one folder: a CA that
 * signs every serving and client certificate, and the service account signing key pair.
 */
export class Pki {
  readonly ca: KeyPair;
  private readonly openssl = requireTestEngine('openssl');

  constructor(readonly dir: string) {
    this.ca = { cert: join(dir, 'ca.crt'), key: join(dir, 'ca.key') };
    this.run([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=signet-drill-ca',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-keyout',
      this.ca.key,
      '-out',
      this.ca.cert,
    ]);
  }

  /** A certificate signed by the drill's CA. */
  issue(request: LeafRequest): KeyPair {
    const pair = { cert: join(this.dir, `${request.name}.crt`), key: join(this.dir, `${request.name}.key`) };
    const csr = join(this.dir, `${request.name}.csr`);
    const ext = join(this.dir, `${request.name}.ext`);
    const subject = [
      ...(request.organizations ?? []).map((o) => `/O=${o}`),
      `/CN=${request.commonName}`,
    ].join('');
    this.run([
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-subj',
      subject,
      '-keyout',
      pair.key,
      '-out',
      csr,
    ]);
    const names = [
      ...(request.dnsNames ?? []).map((n) => `DNS:${n}`),
      ...(request.ipAddresses ?? []).map((ip) => `IP:${ip}`),
    ];
    writeFileSync(
      ext,
      [
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature,keyEncipherment',
        `extendedKeyUsage=${request.usage === 'server' ? 'serverAuth' : 'clientAuth'}`,
        ...(names.length > 0 ? [`subjectAltName=${names.join(',')}`] : []),
        '',
      ].join('\n'),
    );
    this.run([
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      this.ca.cert,
      '-CAkey',
      this.ca.key,
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      ext,
      '-out',
      pair.cert,
    ]);
    return pair;
  }

  /** An RSA key pair for signing service account tokens: `{ key, pub }`. */
  serviceAccountKeys(): { readonly key: string; readonly pub: string } {
    const key = join(this.dir, 'sa.key');
    const pub = join(this.dir, 'sa.pub');
    this.run(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', key]);
    this.run(['pkey', '-in', key, '-pubout', '-out', pub]);
    return { key, pub };
  }

  /** The PEM text of a file of this PKI. */
  static pem(file: string): string {
    return readFileSync(file, 'utf8');
  }

  private run(args: readonly string[]): void {
    execFileSync(this.openssl, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  }
}
