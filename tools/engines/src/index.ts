export { DRILL_ENGINES, ENGINES, GO_MODULES_DIR, sourceVersion, VERIFIER_MODULE_DIR } from './catalog.js';
