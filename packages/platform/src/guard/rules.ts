import {
  buildAppBuildEventPattern,
  buildAppSigningEventPattern,
  buildBuildEventPattern,
  buildSigningEventPattern,
  type EventPattern,
} from '@signet/policies';
import { guardRuleKey, type SigningGuardApp } from '@signet/signing-guard/artifact';
import type { Environment } from '../environment.js';
import {
  physicalName,
  physicalNamePrefix,
  pipelineRoleName,
  signingProfilePrefix,
  stageProjectName,
} from '../naming.js';
import { pipelineStages } from '../pipeline/app-stages.js';
import { signingStageRoleNames } from '../pipeline/names.js';

/** One app the guard watches: its name and every signing profile name it has. */
export interface GuardedApp {
  readonly name: string;
  /** The app's profile names (pipeline, release, extras), from `planSigningIdentities`. */
  readonly profileNames: readonly string[];
}

/** One EventBridge rule of the guard. */
export interface GuardRule {
  /**
   * The Pulumi resource name's suffix and the rule's kind (`guardRuleKey`): stable per app. The
   * rule's target hands it to the function with each event, which answers by it.
   */
  readonly key: string;
  readonly name: string;
  readonly description: string;
  /** The pattern in the account, region and partition of the rule. */
  readonly pattern: (scope: GuardScope) => EventPattern;
}

/** The account, region and partition the rules live in. */
export interface GuardScope {
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
}

/** What the guard's function knows of each app: its profiles, projects and pipeline roles. */
export function guardedApps(
  environment: Environment,
  apps: readonly GuardedApp[],
): Record<string, SigningGuardApp> {
  const stages = pipelineStages(environment);
  return Object.fromEntries(
    [...apps]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((app) => [
        app.name,
        {
          profileNames: [...app.profileNames].sort(),
          projectNames: stages.map((entry) => stageProjectName(environment, app.name, entry.slug)).sort(),
          signingRoleNames: signingStageRoleNames(environment, [app.name]),
          pipelineRoleName: pipelineRoleName(environment, app.name),
        },
      ]),
  );
}

/**
 * The guard's rules: two per app (its signatures, its builds), each exempting only that app's own
 * pipeline roles, and the environment's two catch-alls (any profile or project of the environment,
 * by an identity that is not a session of one of the environment's roles). Every pattern's size is
 * bounded per app, so the number of apps is limited by EventBridge's rules per bus, not by the
 * pattern size quota. Rule names are at most 63 characters (64 is EventBridge's limit). An event
 * that an app's rule and a catch-all both match reaches the function once per rule; it acts on one
 * (`decide` in @signet/signing-guard), by the rule key each target sends with the event.
 */
export function guardRules(environment: Environment, apps: readonly GuardedApp[]): GuardRule[] {
  const prefix = physicalNamePrefix(environment);
  const rules: GuardRule[] = [
    {
      key: guardRuleKey('signatures'),
      name: physicalName(environment, 'signing-guard-signatures'),
      description: `Signet ${environment}: signatures with the environment's profiles by no role of the environment`,
      pattern: (scope) =>
        buildSigningEventPattern({
          ...scope,
          profilePrefix: signingProfilePrefix(environment),
          rolePrefix: prefix,
        }),
    },
    {
      key: guardRuleKey('builds'),
      name: physicalName(environment, 'signing-guard-builds'),
      description: `Signet ${environment}: builds of the environment's projects by no role of the environment`,
      pattern: (scope) => buildBuildEventPattern({ ...scope, projectPrefix: prefix, rolePrefix: prefix }),
    },
  ];
  for (const [app, entry] of Object.entries(guardedApps(environment, apps))) {
    rules.push(
      {
        key: guardRuleKey('signatures', app),
        name: physicalName(environment, `${app}-guard-s`),
        description: `Signet ${environment}: signatures with ${app}'s profiles outside its pipeline`,
        pattern: (scope) =>
          buildAppSigningEventPattern({
            ...scope,
            profileNames: entry.profileNames,
            signingRoleNames: entry.signingRoleNames,
          }),
      },
      {
        key: guardRuleKey('builds', app),
        name: physicalName(environment, `${app}-guard-b`),
        description: `Signet ${environment}: builds of ${app}'s projects outside its pipeline`,
        pattern: (scope) =>
          buildAppBuildEventPattern({
            ...scope,
            projectNames: entry.projectNames,
            projectPrefix: `${physicalName(environment, app)}-`,
            pipelineRoleName: entry.pipelineRoleName,
          }),
      },
    );
  }
  return rules;
}
