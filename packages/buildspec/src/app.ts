import { BuildspecInputError, quote } from './errors.js';

/** An app's `signet` declaration in its package.json. */
export interface AppDeclaration {
  readonly name: string;
  readonly namespace: string;
  readonly port: number;
  readonly environments: readonly string[];
  /** Manifests folder, relative to the app's folder. */
  readonly manifests: string;
}

/** A declared app and where it lives in the workspace. */
export interface WorkspaceApp {
  /** Folder of the app relative to the workspace root, e.g. `apps/hello-server`. */
  readonly directory: string;
  readonly declaration: AppDeclaration;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads the `signet` field of an app's parsed package.json. Returns undefined when the package
 * declares no app; throws naming the field when the declaration is malformed.
 */
export function parseAppDeclaration(packageJson: unknown, source: string): AppDeclaration | undefined {
  if (!isRecord(packageJson) || packageJson['signet'] === undefined) return undefined;
  const decl = packageJson['signet'];
  const at = (key: string) => `${source}: signet.${key}`;
  if (!isRecord(decl)) throw new BuildspecInputError(`${source}: signet`, `${quote(decl)} is not an object`);
  const { name, namespace, port, environments, manifests } = decl;
  if (typeof name !== 'string') throw new BuildspecInputError(at('name'), `${quote(name)} is not a string`);
  if (typeof namespace !== 'string')
    throw new BuildspecInputError(at('namespace'), `${quote(namespace)} is not a string`);
  if (typeof port !== 'number') throw new BuildspecInputError(at('port'), `${quote(port)} is not a number`);
  if (
    !Array.isArray(environments) ||
    environments.length === 0 ||
    !environments.every((e) => typeof e === 'string')
  ) {
    throw new BuildspecInputError(
      at('environments'),
      `${quote(environments)} is not allowed; list environment names such as ["dev","staging","prod"]`,
    );
  }
  if (typeof manifests !== 'string')
    throw new BuildspecInputError(at('manifests'), `${quote(manifests)} is not a string`);
  return { name, namespace, port, environments: environments as string[], manifests };
}
