export { ENGINES, GO_MODULES_DIR } from './catalog.js';
