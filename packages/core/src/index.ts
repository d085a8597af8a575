export {
  formatInputProblem,
  InputIssue,
  InputSubject,
  quote,
  SignetInputError,
  type InputProblem,
} from './errors.js';
export { Severity, SEVERITIES } from './severity.js';
export {
  describeTrait,
  ENVIRONMENT_DEFINITIONS,
  ENVIRONMENTS,
  environmentsWhere,
  environmentTraits,
  HIGHLY_AVAILABLE_VERIFIER_REPLICAS,
  isEnvironment,
  listEnvironments,
  ROLLOUT_TIMEOUT_SECONDS,
  validateEnvironmentDefinitions,
  type Environment,
  type EnvironmentDefinition,
  type EnvironmentTraits,
} from './environments.js';
export { findWorkspaceRoot, locateWorkspaceRoot, WORKSPACE_MARKER } from './workspace-root.js';
export {
  APP_DECLARATION_FIELD,
  APP_DECLARATION_FIELDS,
  APP_DECLARATION_KEYS,
  APP_NAME_MAX_LENGTH,
  APP_NAMESPACE_MAX_LENGTH,
  APP_PORT_RANGE,
  AppDeclarationError,
  appsForEnvironment,
  checkAppDeclarationField,
  discoverApps,
  parseAppDeclaration,
  validateAppDeclaration,
  type AppDeclaration,
  type AppDeclarationField,
  type DiscoveredApp,
} from './apps.js';
