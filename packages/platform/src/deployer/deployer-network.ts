import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { Environment } from '../environment.js';
import { physicalName } from '../naming.js';

/** Arguments of {@link DeployerNetwork}. */
export interface DeployerNetworkArgs {
  readonly environment: Environment;
  readonly vpcId: pulumi.Input<string>;
}

/**
 * The deployer's network identity, created with the VPC whether or not a deployer is configured:
 * HTTPS out only (the cluster API, AWS endpoints, GitHub, Pulumi Cloud, the npm registry and the
 * pinned Pulumi CLI download), no ingress. The eks stack opens the cluster's private endpoint to
 * it, so turning the deployer on later changes no other stack.
 */
export class DeployerNetwork extends pulumi.ComponentResource {
  public readonly securityGroupId: pulumi.Output<string>;

  constructor(name: string, args: DeployerNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super('signet:deployer:DeployerNetwork', name, {}, opts);
    const group = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      {
        name: physicalName(args.environment, 'deployer'),
        description: 'Signet deployer builds: HTTPS out only',
        vpcId: args.vpcId,
      },
      { parent: this },
    );
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-https-out`,
      {
        securityGroupId: group.id,
        description: 'HTTPS to the EKS API, AWS endpoints, GitHub, Pulumi and package registries',
        ipProtocol: 'tcp',
        fromPort: 443,
        toPort: 443,
        cidrIpv4: '0.0.0.0/0',
      },
      { parent: this },
    );
    this.securityGroupId = group.id;
    this.registerOutputs({ securityGroupId: this.securityGroupId });
  }
}
