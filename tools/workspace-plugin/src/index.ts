export { appGenerator, generateApp, TEMPLATE_DIR, writeApp } from './generators/app/generator.js';
export { generateAppOnDisk, type GeneratedApp } from './generators/app/on-disk.js';
export type { AppGeneratorSchema, NormalizedAppOptions } from './generators/app/schema.js';
export { AppGeneratorError, RESERVED_NAMES, validateAppOptions } from './generators/app/validate.js';
