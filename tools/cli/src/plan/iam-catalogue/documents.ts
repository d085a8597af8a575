// Finding the documents of a plan.
import type { PlanDocument } from '../document.js';

/** An IAM document found in a resource's inputs. */
export interface FoundPolicy {
  readonly environment: string;
  readonly stack: string;
  /** Pulumi type token of the resource. */
  readonly type: string;
  /** Logical name of the resource. */
  readonly name: string;
  /** Where in the inputs: `policy`, `inlinePolicies[0].policy` (a JSON string adds nothing). */
  readonly path: string;
  readonly document: Readonly<Record<string, unknown>>;
}

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A JSON object encoded in a string, or undefined. */
function parseJsonObject(text: string): Record<string, unknown> | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(trimmed);
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Every IAM document in the inputs of every resource of the plan: any object with a `Statement`,
 * whether the input holds it as an object or as a JSON string, at any depth. What it is (identity,
 * trust, resource or key policy) does not decide whether it is found.
 */
export function findPolicyDocuments(plan: PlanDocument): FoundPolicy[] {
  const found: FoundPolicy[] = [];
  for (const stack of plan.stacks) {
    for (const resource of stack.resources) {
      const visit = (value: unknown, path: string): void => {
        const object = typeof value === 'string' ? parseJsonObject(value) : value;
        if (Array.isArray(object)) {
          object.forEach((item, i) => visit(item, `${path}[${i}]`));
        } else if (isObject(object)) {
          if ('Statement' in object) {
            found.push({
              environment: plan.environment,
              stack: stack.name,
              type: resource.type,
              name: resource.name,
              path,
              document: object,
            });
            return;
          }
          for (const [key, item] of Object.entries(object)) visit(item, path === '' ? key : `${path}.${key}`);
        }
      };
      visit(resource.inputs, '');
    }
  }
  return found;
}
