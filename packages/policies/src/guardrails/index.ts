export {
  assertGuardrailSize,
  buildGuardrails,
  buildSignetPermissionsBoundary,
  buildSignetScp,
  compactJson,
  GUARDRAIL_SIZE_LIMITS,
  type GuardrailKind,
  type Guardrails,
} from './documents.js';
export {
  BUILD_START_ACTIONS,
  guardrailStatements,
  PIPELINE_CHANGE_ACTIONS,
  PROFILE_CHANGE_ACTIONS,
  PROJECT_CHANGE_ACTIONS,
  SIGNING_ACTIONS,
  type GuardrailInput,
} from './statements.js';
