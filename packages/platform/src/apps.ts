// The app declaration (one schema, one discovery) and the workspace root have one owner, @signet/core;
// the stacks read them through these names.
export {
  APP_DECLARATION_FIELDS,
  APP_PORT_RANGE,
  AppDeclarationError,
  appsForEnvironment,
  discoverApps,
  findWorkspaceRoot,
  parseAppDeclaration,
  validateAppDeclaration,
  type AppDeclaration,
  type DiscoveredApp,
} from '@signet/core';
