/**
 * Loaded by every plan process before anything else (`--import`): defers two modules of the Pulumi
 * SDK that serve function serialization (closures turned into code for a cloud runtime) until
 * something reads them. A plan never serializes a function, but `@pulumi/pulumi` requires both at
 * load: `@npmcli/arborist` (with pacote, sigstore and the npm registry client behind it, ~450
 * modules) and TypeScript (one 9 MB file). Deferring them takes about a third of the SDK's load
 * time off each process. The stand-in loads the real module on the first property read, so a
 * program that does serialize a function gets the real thing, only later.
 *
 * Node's synchronous module hooks (https://nodejs.org/api/module.html#synchronous-hooks) swap in the
 * stand-in where a `require` resolves to one of the deferred files.
 */
import { createRequire, registerHooks } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The deferred modules, by the end of their resolved file URL. */
const DEFERRED = [
  /\/node_modules\/@npmcli\/arborist\/lib\/index\.js$/,
  /\/node_modules\/@pulumi\/pulumi\/typescript-shim\.js$/,
];
const SCHEME = 'signet-plan-deferred:';
const LOADER = Symbol.for('signet-plan.load-deferred');

const require = createRequire(import.meta.url);
/** Files being loaded for real: the hook lets them through. */
const loading = new Set<string>();
(globalThis as Record<symbol, unknown>)[LOADER] = (path: string): unknown => {
  loading.add(path);
  try {
    return require(path);
  } finally {
    loading.delete(path);
  }
};

/**
 * The stand-in: a proxy whose every read loads the real module. `__esModule` is answered without
 * loading, so TypeScript's `__importStar` keeps the proxy instead of copying (and so loading) it.
 */
function standIn(path: string): string {
  return [
    `const load = globalThis[Symbol.for(${JSON.stringify(LOADER.description)})];`,
    'let real;',
    `const get = () => (real ??= load(${JSON.stringify(path)}));`,
    'module.exports = new Proxy({}, {',
    "  get: (_, key) => (key === '__esModule' ? true : get()[key]),",
    '  has: (_, key) => key in get(),',
    '});',
  ].join('\n');
}

registerHooks({
  resolve(specifier, context, next) {
    const resolved = next(specifier, context);
    if (!resolved.url.startsWith('file:') || !DEFERRED.some((d) => d.test(resolved.url))) return resolved;
    const path = fileURLToPath(resolved.url);
    if (loading.has(path)) return resolved;
    return { url: `${SCHEME}${encodeURIComponent(path)}`, format: 'commonjs', shortCircuit: true };
  },
  load(url, context, next) {
    if (!url.startsWith(SCHEME)) return next(url, context);
    const path = decodeURIComponent(url.slice(SCHEME.length));
    return { format: 'commonjs', source: standIn(path), shortCircuit: true };
  },
});
