// Physical names have one owner, @signet/core (the buildspecs and the policy documents need them too);
// platform code and the stacks read them through these names.
export {
  approverRoleName,
  artifactBucketName,
  assertUniqueProfileNames,
  deployerRoleName,
  environmentNamePattern,
  githubDeployRoleName,
  FIRST_GENERATION,
  kmsAliasName,
  logGroupName,
  physicalName,
  physicalNamePrefix,
  pipelineName,
  pipelineRoleName,
  pluginMirrorBucketName,
  repositoryName,
  SIGNING_PROFILE_NAME,
  signingProfileName,
  signingProfilePrefix,
  stageProjectName,
  stageRoleName,
} from '@signet/core';
