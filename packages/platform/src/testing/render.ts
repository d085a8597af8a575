import * as pulumi from '@pulumi/pulumi';

/** What a secret looks like in a rendered plan. */
export const SECRET_PLACEHOLDER = '[secret]';

// Pulumi's wire markers (sdk/nodejs/runtime/rpc.ts): a deserialized secret input arrives as
// `{ [specialSigKey]: specialSecretSig, value }`.
const SIG_KEY = '4dabf18193072939515e22adb298388d';
const SECRET_SIG = '1b47061264138c4ac30d75fd1eb44270';

/** Whether a value is a secret as it arrives in a mock's inputs. */
export function isSecretValue(value: unknown): value is { value: unknown } {
  return (
    typeof value === 'object' && value !== null && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG
  );
}

/** How secrets are rendered: masked as {@link SECRET_PLACEHOLDER}, or revealed. */
export type SecretMode = 'mask' | 'reveal';

/**
 * Makes a mock input JSON-safe: secrets are masked or unwrapped, assets and archives become a
 * short description, resource references become their URN.
 */
export function renderInputs(value: unknown, mode: SecretMode): unknown {
  if (isSecretValue(value)) return mode === 'mask' ? SECRET_PLACEHOLDER : renderInputs(value.value, mode);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => renderInputs(v, mode));
  if (pulumi.asset.Asset.isInstance(value) || pulumi.asset.Archive.isInstance(value)) {
    const v = value as unknown as Record<string, unknown>;
    const source = v['path'] ?? v['uri'] ?? (v['text'] !== undefined ? 'inline text' : 'assets');
    return `[${value.constructor.name} ${String(source)}]`;
  }
  if (pulumi.Resource.isInstance(value)) {
    return `[resource ${(value as unknown as { __name?: string }).__name ?? 'reference'}]`;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v !== undefined) out[k] = renderInputs(v, mode);
  }
  return out;
}

/** A resolved stack output: the raw value, and the value with secrets masked. */
export interface ResolvedValue {
  readonly raw: unknown;
  readonly rendered: unknown;
}

/**
 * Resolves a program export (Outputs, promises, resources, nested objects of them) to plain data,
 * once with secrets revealed and once with them masked. Rejections propagate.
 */
export async function resolveValue(value: unknown): Promise<ResolvedValue> {
  if (pulumi.Output.isInstance(value)) {
    const inner = await (value as unknown as { promise(): Promise<unknown> }).promise();
    const resolved = await resolveValue(inner);
    return (await pulumi.isSecret(value)) ? { raw: resolved.raw, rendered: SECRET_PLACEHOLDER } : resolved;
  }
  if (value instanceof Promise) return resolveValue(await value);
  if (pulumi.CustomResource.isInstance(value)) {
    const [urn, id] = await Promise.all([resolveValue(value.urn), resolveValue(value.id)]);
    return { raw: { urn: urn.raw, id: id.raw }, rendered: { urn: urn.rendered, id: id.rendered } };
  }
  if (pulumi.Resource.isInstance(value)) {
    const urn = await resolveValue(value.urn);
    return { raw: { urn: urn.raw }, rendered: { urn: urn.rendered } };
  }
  if (isSecretValue(value)) {
    const inner = await resolveValue(value.value);
    return { raw: inner.raw, rendered: SECRET_PLACEHOLDER };
  }
  if (Array.isArray(value)) {
    const items = await Promise.all(value.map(resolveValue));
    return { raw: items.map((i) => i.raw), rendered: items.map((i) => i.rendered) };
  }
  if (value !== null && typeof value === 'object') {
    const entries = await Promise.all(
      Object.entries(value).map(async ([k, v]) => [k, await resolveValue(v)] as const),
    );
    const defined = entries.filter(([, v]) => v.raw !== undefined);
    return {
      raw: Object.fromEntries(defined.map(([k, v]) => [k, v.raw])),
      rendered: Object.fromEntries(defined.map(([k, v]) => [k, v.rendered])),
    };
  }
  return { raw: value, rendered: value };
}
