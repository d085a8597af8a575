import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Tree } from '@nx/devkit';
import { formatFiles, generateFiles } from '@nx/devkit';
import { renderWorkspaceBuildspecs } from '@signet/buildspec';
import type { AppGeneratorSchema, NormalizedAppOptions } from './schema.js';
import { AppGeneratorError, validateAppOptions } from './validate.js';

/**
 * The template: the files an app team edits (entry point, routes, config, tests of its own, package.json,
 * Dockerfile, manifests), as apps/hello-server has them, with its name and port as placeholders; the
 * runtime they share is the @signet/service-kit package. Resolved from the package root so the compiled
 * generator (dist/generators/app) finds the same folder as the source.
 */
export const TEMPLATE_DIR = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'src',
  'generators',
  'app',
  'files',
);

/** The folder the manifests are written to, as declared in `signet.manifests`. */
const MANIFESTS = 'deploy';

/**
 * Writes the app for already validated options: the files from the template and the app's
 * buildspecs. Never overwrites: a path that exists is an error, and nothing is written then.
 */
export function writeApp(tree: Tree, options: NormalizedAppOptions): void {
  const substitutions = {
    name: options.name,
    port: options.port,
    namespace: options.namespace,
    environments: options.environments,
  };
  const buildspecs = renderWorkspaceBuildspecs([
    {
      directory: options.directory,
      declaration: {
        name: options.name,
        namespace: options.namespace,
        port: options.port,
        environments: options.environments,
        manifests: MANIFESTS,
      },
    },
  ]);
  for (const path of [options.directory, ...buildspecs.keys()]) {
    if (tree.exists(path)) {
      throw new AppGeneratorError({
        path: 'name',
        value: options.name,
        allowed: `a name not yet taken (${path} already exists; refusing to overwrite it)`,
      });
    }
  }
  generateFiles(tree, TEMPLATE_DIR, options.directory, substitutions);
  for (const [path, content] of buildspecs) tree.write(path, content);
}

/**
 * Validates the options, then creates apps/<name> from the hello-server template with its Signet
 * declaration, and the app's buildspecs, formatted like the rest of the workspace. Returns the
 * options with their defaults applied.
 */
export async function generateApp(tree: Tree, schema: AppGeneratorSchema): Promise<NormalizedAppOptions> {
  const options = validateAppOptions(tree, schema);
  writeApp(tree, options);
  await formatFiles(tree);
  return options;
}

/** `nx g @signet/workspace-plugin:app <name>`: {@link generateApp} as an Nx generator. */
export async function appGenerator(tree: Tree, schema: AppGeneratorSchema): Promise<void> {
  await generateApp(tree, schema);
}

export default appGenerator;
