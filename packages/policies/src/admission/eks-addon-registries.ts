import { PolicyInputError, quote } from '../errors.js';

/**
 * The ECR registry EKS pulls its add-ons' images from (VPC CNI and its network policy agent,
 * kube-proxy, CoreDNS, EKS Pod Identity agent, EBS CSI driver, …), per AWS Region. Only AWS can push
 * to these registries, and EKS deploys the images by tag, so an add-on upgrade changes tags inside the
 * same registry: the backstop admits the registry (not a list of images) in the system namespaces, and
 * an upgrade needs no Signet change. A new Region is one row here.
 *
 * Source: "View Amazon container image registries for Amazon EKS add-ons",
 * https://docs.aws.amazon.com/eks/latest/userguide/add-ons-images.html (awsdocs/amazon-eks-user-guide,
 * latest/ug/workloads/add-ons-images.adoc). The page lists ap-east-2's registry with an ap-east-1
 * host; the row keeps what the page says.
 */
export const EKS_ADDON_REGISTRIES: Readonly<Record<string, string>> = {
  'af-south-1': '877085696533.dkr.ecr.af-south-1.amazonaws.com',
  'ap-east-1': '800184023465.dkr.ecr.ap-east-1.amazonaws.com',
  'ap-east-2': '533267051163.dkr.ecr.ap-east-1.amazonaws.com',
  'ap-northeast-1': '602401143452.dkr.ecr.ap-northeast-1.amazonaws.com',
  'ap-northeast-2': '602401143452.dkr.ecr.ap-northeast-2.amazonaws.com',
  'ap-northeast-3': '602401143452.dkr.ecr.ap-northeast-3.amazonaws.com',
  'ap-south-1': '602401143452.dkr.ecr.ap-south-1.amazonaws.com',
  'ap-south-2': '900889452093.dkr.ecr.ap-south-2.amazonaws.com',
  'ap-southeast-1': '602401143452.dkr.ecr.ap-southeast-1.amazonaws.com',
  'ap-southeast-2': '602401143452.dkr.ecr.ap-southeast-2.amazonaws.com',
  'ap-southeast-3': '296578399912.dkr.ecr.ap-southeast-3.amazonaws.com',
  'ap-southeast-4': '491585149902.dkr.ecr.ap-southeast-4.amazonaws.com',
  'ap-southeast-6': '333609536671.dkr.ecr.ap-southeast-6.amazonaws.com',
  'ap-southeast-7': '121268973566.dkr.ecr.ap-southeast-7.amazonaws.com',
  'ca-central-1': '602401143452.dkr.ecr.ca-central-1.amazonaws.com',
  'ca-west-1': '761377655185.dkr.ecr.ca-west-1.amazonaws.com',
  'cn-north-1': '918309763551.dkr.ecr.cn-north-1.amazonaws.com.cn',
  'cn-northwest-1': '961992271922.dkr.ecr.cn-northwest-1.amazonaws.com.cn',
  'eu-central-1': '602401143452.dkr.ecr.eu-central-1.amazonaws.com',
  'eu-central-2': '900612956339.dkr.ecr.eu-central-2.amazonaws.com',
  'eu-north-1': '602401143452.dkr.ecr.eu-north-1.amazonaws.com',
  'eu-south-1': '590381155156.dkr.ecr.eu-south-1.amazonaws.com',
  'eu-south-2': '455263428931.dkr.ecr.eu-south-2.amazonaws.com',
  'eu-west-1': '602401143452.dkr.ecr.eu-west-1.amazonaws.com',
  'eu-west-2': '602401143452.dkr.ecr.eu-west-2.amazonaws.com',
  'eu-west-3': '602401143452.dkr.ecr.eu-west-3.amazonaws.com',
  'eusc-de-east-1': '877088126301.dkr.ecr.eusc-de-east-1.amazonaws.eu',
  'il-central-1': '066635153087.dkr.ecr.il-central-1.amazonaws.com',
  'me-central-1': '759879836304.dkr.ecr.me-central-1.amazonaws.com',
  'me-south-1': '558608220178.dkr.ecr.me-south-1.amazonaws.com',
  'mx-central-1': '730335286997.dkr.ecr.mx-central-1.amazonaws.com',
  'sa-east-1': '602401143452.dkr.ecr.sa-east-1.amazonaws.com',
  'us-east-1': '602401143452.dkr.ecr.us-east-1.amazonaws.com',
  'us-east-2': '602401143452.dkr.ecr.us-east-2.amazonaws.com',
  'us-gov-east-1': '151742754352.dkr.ecr.us-gov-east-1.amazonaws.com',
  'us-gov-west-1': '013241004608.dkr.ecr.us-gov-west-1.amazonaws.com',
  'us-west-1': '602401143452.dkr.ecr.us-west-1.amazonaws.com',
  'us-west-2': '602401143452.dkr.ecr.us-west-2.amazonaws.com',
};

/** The EKS add-on registry of `region`; throws for a Region the table does not list. */
export function eksAddonRegistry(region: string): string {
  const registry = EKS_ADDON_REGISTRIES[region];
  if (registry === undefined) {
    throw new PolicyInputError(
      'region',
      `${quote(region)} has no EKS add-on registry in the table; allowed: one of ${Object.keys(EKS_ADDON_REGISTRIES).join(', ')} (add the Region's row from https://docs.aws.amazon.com/eks/latest/userguide/add-ons-images.html)`,
    );
  }
  return registry;
}
