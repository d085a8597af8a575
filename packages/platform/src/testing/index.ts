/**
 * Deterministic Pulumi mock runtime: evaluates stack programs without a cloud account or the
 * Pulumi CLI, for stack tests and for `signet plan`.
 */
export type {
  MockRuntime,
  MockRuntimeOptions,
  RecordedResource,
  StackReferenceResolver,
  StackReferences,
} from './mock-runtime.js';
export {
  PLACEHOLDER_ACCOUNT_ID,
  STACK_REFERENCE_TYPE,
  StackReferenceUnavailableError,
  createMockRuntime,
} from './mock-runtime.js';
export type { InvokeHandler } from './invokes.js';
export { builtinInvokes } from './invokes.js';
export type { ComputedState, ResourceStateArgs, ResourceStateBuilder } from './resource-state.js';
export { builtinResourceState } from './resource-state.js';
export type { PlaceholderContext } from './placeholders.js';
export { arn, partitionOf, stableHex, stableUuid } from './placeholders.js';
export type { ResolvedValue, SecretMode } from './render.js';
export { SECRET_PLACEHOLDER, isSecretValue, renderInputs, resolveValue } from './render.js';
export type { StackConfig } from './stack-config.js';
export { StackFileError, accountIdFromConfig, readStackConfig } from './stack-config.js';
export type {
  MissingStackOutput,
  PlannedResource,
  RunStackProgramOptions,
  StackProgramResult,
} from './run-stack-program.js';
export { StackProgramError, messageOf, runStackProgram } from './run-stack-program.js';
export type { AppWorkspace, FixtureAppDeclaration } from './app-workspace.js';
export { useAppWorkspace } from './app-workspace.js';
export type {
  EnvironmentStackOutputs,
  ProducedStackOutputs,
  UpstreamStackOutputsOptions,
} from './stack-outputs.js';
export {
  environmentStackOutputs,
  FIXTURE_PROFILE_VERSION,
  FIXTURE_REGION,
  upstreamStackOutputs,
} from './stack-outputs.js';
export { pluginMirrorOutputFixture } from './plugin-mirror-fixture.js';
export type { RenderedKyvernoChart, RenderedObject } from './kyverno-chart.js';
export { kyvernoChartDir, plannedKyvernoValues, renderKyvernoChart } from './kyverno-chart.js';
