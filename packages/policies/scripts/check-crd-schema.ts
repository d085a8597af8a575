// Checks what this package generates against upstream CRD schemas, and the schema allow-list the
// unit tests use against the Kyverno CRD it was derived from. Not part of the test run, because
// the CRDs are not vendored:
//
//   pnpm --filter @signet/policies check:crds -- \
//     <kyverno.io_clusterpolicies.yaml> <notation.nirmata.io_trustpolicies.yaml> <notation.nirmata.io_truststores.yaml>
//
// Checked against Kyverno v1.19.0 and kyverno-notation-aws v1.1.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import {
  buildImageVerificationClusterPolicy,
  buildTrustPolicy,
  buildTrustPolicyResource,
  buildTrustStoreResource,
} from '../src/index.js';
import {
  admissionInput,
  GOV_PROFILE_ARN,
  HELLO_REPO,
  PROFILE_ARN,
  PROFILE_VERSION_ARN,
} from '../src/test/fixtures.js';
import {
  CLUSTER_POLICY_DECLARED_PATHS,
  CLUSTER_POLICY_DEPRECATED_PATHS,
  CLUSTER_POLICY_ENUMS,
  CLUSTER_POLICY_OPAQUE_PATHS,
} from '../src/test/kyverno-schema.js';

interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
}

interface Crd {
  spec: { names: { kind: string }; versions: { name: string; schema: { openAPIV3Schema: Schema } }[] };
}

function loadCrd(path: string): Crd {
  const docs = parseAllDocuments(readFileSync(path, 'utf8')).map((d) => d.toJS() as Crd | null);
  const crd = docs.find((d) => d?.spec?.names?.kind !== undefined);
  if (crd === undefined || crd === null) throw new Error(`${path}: no CustomResourceDefinition`);
  return crd;
}

function schemaOf(crd: Crd, version: string): Schema {
  const found = crd.spec.versions.find((v) => v.name === version);
  if (found === undefined) throw new Error(`${crd.spec.names.kind}: no version ${version}`);
  return found.schema.openAPIV3Schema;
}

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** Structural validation: pruned keys, types, enums, required fields, bounds. */
function validate(value: unknown, schema: Schema, path: string, errors: string[]): void {
  if (schema['x-kubernetes-preserve-unknown-fields'] === true && schema.properties === undefined) return;
  if (schema['x-kubernetes-int-or-string'] === true) return;
  const actual = typeOf(value);
  if (schema.type !== undefined) {
    const ok = schema.type === actual || (schema.type === 'number' && actual === 'integer');
    if (!ok) errors.push(`${path}: ${actual}, schema says ${schema.type}`);
  }
  if (schema.enum !== undefined && !schema.enum.includes(value)) {
    errors.push(`${path}: ${JSON.stringify(value)} not in enum ${JSON.stringify(schema.enum)}`);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum)
      errors.push(`${path}: below minimum ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum)
      errors.push(`${path}: above maximum ${schema.maximum}`);
  }
  if (Array.isArray(value)) {
    if (schema.items !== undefined)
      value.forEach((item, i) => validate(item, schema.items as Schema, `${path}[${i}]`, errors));
    return;
  }
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of schema.required ?? []) {
      if (!(key in record)) errors.push(`${path}: required ${key} missing`);
    }
    for (const [key, child] of Object.entries(record)) {
      const childPath = path === '' ? key : `${path}.${key}`;
      const declared = schema.properties?.[key];
      if (declared !== undefined) validate(child, declared, childPath, errors);
      else if (typeof schema.additionalProperties === 'object')
        validate(child, schema.additionalProperties, childPath, errors);
      // metadata is ObjectMeta, which the API server validates itself.
      else if (
        schema['x-kubernetes-preserve-unknown-fields'] !== true &&
        schema.additionalProperties !== true &&
        path !== 'metadata'
      ) {
        errors.push(`${childPath}: not declared, would be pruned`);
      }
    }
  }
}

/** Looks up a `a.b[].c` path in a schema. */
function lookup(root: Schema, path: string): Schema | undefined {
  let node: Schema | undefined = root;
  for (const segment of path.split('.')) {
    if (node === undefined) return undefined;
    const name = segment.replace(/(\[\])+$/, '');
    const arrays = (segment.length - name.length) / 2;
    node = name === '' ? node : node.properties?.[name];
    for (let i = 0; i < arrays && node !== undefined; i += 1) node = node.items;
  }
  return node;
}

function checkAllowList(kyverno: Schema, errors: string[]): void {
  for (const path of CLUSTER_POLICY_DECLARED_PATHS) {
    if (lookup(kyverno, path) === undefined) errors.push(`allow-list: ${path} is not declared in the CRD`);
  }
  for (const path of CLUSTER_POLICY_OPAQUE_PATHS) {
    if (path.startsWith('metadata.')) continue;
    const node = lookup(kyverno, path);
    if (node?.['x-kubernetes-preserve-unknown-fields'] !== true) {
      errors.push(`allow-list: ${path} is not preserve-unknown-fields in the CRD`);
    }
  }
  for (const path of CLUSTER_POLICY_DEPRECATED_PATHS) {
    if (lookup(kyverno, path) === undefined)
      errors.push(`allow-list: deprecated ${path} is not declared in the CRD`);
  }
  for (const [path, values] of Object.entries(CLUSTER_POLICY_ENUMS)) {
    const declared = lookup(kyverno, path)?.enum;
    if (declared === undefined || [...declared].sort().join() !== [...values].sort().join()) {
      errors.push(
        `allow-list: enum of ${path} is ${JSON.stringify(declared)} in the CRD, ${JSON.stringify(values)} here`,
      );
    }
  }
}

function main(): void {
  const [kyvernoPath, trustPolicyPath, trustStorePath] = process.argv.slice(2).filter((a) => a !== '--');
  if (kyvernoPath === undefined || trustPolicyPath === undefined || trustStorePath === undefined) {
    console.error('usage: check-crd-schema <clusterpolicies CRD> <trustpolicies CRD> <truststores CRD>');
    process.exit(2);
  }
  const kyverno = schemaOf(loadCrd(kyvernoPath), 'v1');
  const trustPolicySchema = schemaOf(loadCrd(trustPolicyPath), 'v1alpha1');
  const trustStoreSchema = schemaOf(loadCrd(trustStorePath), 'v1alpha1');

  const errors: string[] = [];
  checkAllowList(kyverno, errors);
  const subjects: [string, unknown, Schema][] = [
    [
      'ClusterPolicy Enforce',
      buildImageVerificationClusterPolicy(admissionInput({ failureAction: 'Enforce' })),
      kyverno,
    ],
    [
      'ClusterPolicy Audit',
      buildImageVerificationClusterPolicy(admissionInput({ failureAction: 'Audit', timeoutSeconds: 10 })),
      kyverno,
    ],
    [
      'TrustPolicy',
      buildTrustPolicyResource(
        buildTrustPolicy({
          statements: [
            {
              name: 'apps',
              registryScopes: [HELLO_REPO],
              trustedIdentities: [PROFILE_ARN],
              override: { expiry: 'log' },
            },
            {
              name: 'pinned',
              registryScopes: ['ghcr.io/acme/app'],
              trustedIdentities: [PROFILE_VERSION_ARN],
            },
            {
              name: 'tools',
              registryScopes: ['public.ecr.aws/acme/tool'],
              trustedIdentities: [],
              level: 'skip',
            },
            { name: 'gov', registryScopes: ['*'], trustedIdentities: [GOV_PROFILE_ARN] },
          ],
        }),
        'signet',
      ),
      trustPolicySchema,
    ],
    ['TrustStore aws', buildTrustStoreResource('aws'), trustStoreSchema],
    ['TrustStore aws-us-gov', buildTrustStoreResource('aws-us-gov'), trustStoreSchema],
  ];
  for (const [name, value, schema] of subjects) {
    const found: string[] = [];
    validate(value, schema, '', found);
    errors.push(...found.map((e) => `${name}: ${e}`));
    console.log(`${found.length === 0 ? 'ok  ' : 'FAIL'} ${name}`);
  }
  if (errors.length > 0) {
    console.error(errors.join('\n'));
    process.exit(1);
  }
  console.log('allow-list and generated resources match the CRDs');
}

main();
