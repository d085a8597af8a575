import {
  AppRepository,
  appsForEnvironment,
  createAwsProvider,
  deployerRoleName,
  discoverApps,
  KmsKey,
  kmsAliasName,
  loadStackConfig,
  promotionReaderRoleNames,
  promotionTargets,
  repositoryName,
  repositoryWriterRoleNames,
  type EcrOutputs,
  type StackExports,
} from '@signet/platform';
import { ecrConfig } from './config.js';

const config = loadStackConfig(ecrConfig);
const provider = createAwsProvider(config);
const apps = appsForEnvironment(discoverApps(), config.environment);

// One customer-managed key for the environment's images, so access to them is governed by KMS too.
const imagesKey = new KmsKey(
  'images',
  {
    description: `Signet ${config.environment}: encrypts the app images in ECR`,
    aliasName: kmsAliasName(config.environment, 'ecr'),
  },
  { provider },
);

// Per app a repository: immutable tags, scan on push, signatures kept as long as their images, push
// by the app's writer stage roles only, deletes and policy changes by the deployer only. Where the
// environments that promote from this one live in other accounts (accounts.json), their Promote
// roles may pull the app's images and referrers.
const appRepositories = apps.map((app) => ({
  app: app.name,
  repository: new AppRepository(
    app.name,
    {
      repositoryName: repositoryName(config.environment, app.name),
      kmsKeyArn: imagesKey.keyArn,
      keepTaggedImages: config.values.keepTaggedImages,
      extraPullPrincipalArns: config.values.extraPullPrincipalArns,
      writerRoleNames: repositoryWriterRoleNames(config.environment, app.name),
      administratorRoleNames: [deployerRoleName(config.environment)],
      promotionReaders:
        config.accounts === undefined
          ? []
          : promotionTargets(config.environment)
              .filter((target) => app.environments.includes(target))
              .flatMap((target) =>
                promotionReaderRoleNames(target, app.name).map((roleName) => ({
                  accountId: (config.accounts as Readonly<Record<string, string>>)[target] as string,
                  roleName,
                })),
              ),
    },
    { provider },
  ),
}));

const outputs: StackExports<EcrOutputs> = {
  repositories: Object.fromEntries(
    appRepositories.map(({ app, repository }) => [
      app,
      { name: repository.repositoryName, arn: repository.repositoryArn, url: repository.repositoryUrl },
    ]),
  ),
  kmsKeyArn: imagesKey.keyArn,
};

export const { repositories, kmsKeyArn } = outputs;
