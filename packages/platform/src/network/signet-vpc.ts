import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import {
  buildFlowLogsDeliveryRolePolicy,
  buildFlowLogsTrustPolicy,
  cloudWatchLogsKeyGrant,
  logGroupArn as logGroupArnOf,
} from '@signet/policies';
import { buildSubnetLayout, MAX_AZ_COUNT, validateVpcCidr } from '../cidr.js';
import type { Environment } from '../environment.js';
import { KmsKey } from '../kms/kms-key.js';
import { kmsAliasName, logGroupName, physicalName } from '../naming.js';
import {
  endpointServiceName,
  GATEWAY_ENDPOINT_SERVICES,
  INTERFACE_ENDPOINT_SERVICES,
  type InterfaceEndpointService,
} from './endpoints.js';
import { LOG_RETENTION_DAYS } from './log-retention.js';

/** How many NAT gateways a VPC gets. */
export const NAT_GATEWAY_MODES = {
  /** One NAT gateway for all AZs: cheaper, but egress depends on one AZ. */
  single: 'single',
  /** One NAT gateway per AZ: an AZ outage does not cut the other AZs' egress. */
  perAz: 'per-az',
} as const;

/** One of {@link NAT_GATEWAY_MODES}. */
export type NatGatewayMode = (typeof NAT_GATEWAY_MODES)[keyof typeof NAT_GATEWAY_MODES];

/** Smallest AZ count: EKS requires subnets in at least two AZs. */
export const MIN_AZ_COUNT = 2;

/** Arguments of {@link SignetVpc}. */
export interface SignetVpcArgs {
  /** Environment; names and the flow log group derive from it. */
  readonly environment: Environment;
  /** AWS region, for endpoint service names and the log group's key grant. */
  readonly region: string;
  /** VPC CIDR: RFC 1918, /16 to /20. */
  readonly cidrBlock: string;
  /** Number of AZs (2 or 3): one private and one public subnet in each. */
  readonly azCount: number;
  /** NAT gateways: one for the VPC or one per AZ. */
  readonly natGateways: NatGatewayMode;
  /** Flow log retention in days (a value CloudWatch Logs accepts). */
  readonly flowLogRetentionDays: number;
  /** Interface endpoints to create. Default: every entry of INTERFACE_ENDPOINT_SERVICES. */
  readonly interfaceEndpoints?: readonly InterfaceEndpointService[];
}

/**
 * The network of one environment: private subnets for nodes (egress through NAT, no public IPs),
 * public subnets only for NAT gateways and internet-facing load balancers, the VPC endpoints a
 * private cluster needs, KMS-encrypted flow logs, and a default security group with no rules.
 */
export class SignetVpc extends pulumi.ComponentResource {
  public readonly vpcId: pulumi.Output<string>;
  public readonly vpcCidr: pulumi.Output<string>;
  public readonly privateSubnetIds: pulumi.Output<string[]>;
  public readonly publicSubnetIds: pulumi.Output<string[]>;
  public readonly availabilityZones: pulumi.Output<string[]>;
  public readonly endpointSecurityGroupId: pulumi.Output<string>;
  public readonly natGatewayIds: pulumi.Output<string[]>;
  public readonly flowLogGroupName: pulumi.Output<string>;

  constructor(name: string, args: SignetVpcArgs, opts?: pulumi.ComponentResourceOptions) {
    super('signet:network:SignetVpc', name, {}, opts);
    const problem = (key: string, value: unknown, allowed: string): Error =>
      new Error(`SignetVpc ${name}: ${key} has value ${JSON.stringify(value)}; allowed: ${allowed}`);
    try {
      validateVpcCidr(args.cidrBlock);
    } catch (error) {
      throw new Error(`SignetVpc ${name}: cidrBlock: ${(error as Error).message}`);
    }
    if (!Number.isInteger(args.azCount) || args.azCount < MIN_AZ_COUNT || args.azCount > MAX_AZ_COUNT) {
      throw problem('azCount', args.azCount, `an integer from ${MIN_AZ_COUNT} to ${MAX_AZ_COUNT}`);
    }
    if (!Object.values(NAT_GATEWAY_MODES).includes(args.natGateways)) {
      throw problem('natGateways', args.natGateways, Object.values(NAT_GATEWAY_MODES).join(', '));
    }
    if (!(LOG_RETENTION_DAYS as readonly number[]).includes(args.flowLogRetentionDays)) {
      throw problem('flowLogRetentionDays', args.flowLogRetentionDays, LOG_RETENTION_DAYS.join(', '));
    }
    const interfaceEndpoints =
      args.interfaceEndpoints ?? (Object.keys(INTERFACE_ENDPOINT_SERVICES) as InterfaceEndpointService[]);
    for (const service of interfaceEndpoints) {
      if (!(service in INTERFACE_ENDPOINT_SERVICES)) {
        throw problem('interfaceEndpoints', service, Object.keys(INTERFACE_ENDPOINT_SERVICES).join(', '));
      }
    }

    const env = args.environment;
    const layout = buildSubnetLayout(args.cidrBlock, args.azCount);
    const azs = aws
      .getAvailabilityZonesOutput(
        // Local and Wavelength zones are opt-in; the cluster uses regular AZs only.
        { state: 'available', filters: [{ name: 'opt-in-status', values: ['opt-in-not-required'] }] },
        { parent: this },
      )
      .names.apply((names) => {
        if (names.length < args.azCount) {
          throw new Error(
            `SignetVpc ${name}: azCount is ${args.azCount} but region ${args.region} has ${names.length} available AZs`,
          );
        }
        return names.slice(0, args.azCount);
      });
    const identity = aws.getCallerIdentityOutput({}, { parent: this });
    const partition = aws.getPartitionOutput({}, { parent: this }).partition;

    const vpc = new aws.ec2.Vpc(
      `${name}-vpc`,
      {
        cidrBlock: args.cidrBlock,
        enableDnsSupport: true,
        // Private DNS of interface endpoints requires DNS hostnames.
        enableDnsHostnames: true,
        tags: { Name: physicalName(env, 'vpc') },
      },
      { parent: this },
    );

    // Adopting the default security group with no rules removes AWS's allow-all defaults, so
    // anything launched without an explicit group gets no traffic (CIS AWS 5.4).
    new aws.ec2.DefaultSecurityGroup(
      `${name}-default-sg`,
      { vpcId: vpc.id, tags: { Name: physicalName(env, 'default-closed') } },
      { parent: this },
    );

    const igw = new aws.ec2.InternetGateway(
      `${name}-igw`,
      { vpcId: vpc.id, tags: { Name: physicalName(env, 'igw') } },
      { parent: this },
    );

    const publicSubnets = layout.public.map(
      (cidrBlock, i) =>
        new aws.ec2.Subnet(
          `${name}-public-${i}`,
          {
            vpcId: vpc.id,
            cidrBlock,
            availabilityZone: azs.apply((names) => names[i] as string),
            mapPublicIpOnLaunch: false,
            tags: { Name: physicalName(env, `public-${i}`), 'kubernetes.io/role/elb': '1' },
          },
          { parent: this },
        ),
    );
    const privateSubnets = layout.private.map(
      (cidrBlock, i) =>
        new aws.ec2.Subnet(
          `${name}-private-${i}`,
          {
            vpcId: vpc.id,
            cidrBlock,
            availabilityZone: azs.apply((names) => names[i] as string),
            mapPublicIpOnLaunch: false,
            tags: { Name: physicalName(env, `private-${i}`), 'kubernetes.io/role/internal-elb': '1' },
          },
          { parent: this },
        ),
    );

    const publicRouteTable = new aws.ec2.RouteTable(
      `${name}-public-rt`,
      { vpcId: vpc.id, tags: { Name: physicalName(env, 'public') } },
      { parent: this },
    );
    new aws.ec2.Route(
      `${name}-public-default-route`,
      { routeTableId: publicRouteTable.id, destinationCidrBlock: '0.0.0.0/0', gatewayId: igw.id },
      { parent: this },
    );
    publicSubnets.forEach(
      (subnet, i) =>
        new aws.ec2.RouteTableAssociation(
          `${name}-public-rta-${i}`,
          { subnetId: subnet.id, routeTableId: publicRouteTable.id },
          { parent: this },
        ),
    );

    const natCount = args.natGateways === NAT_GATEWAY_MODES.perAz ? args.azCount : 1;
    const natGateways = publicSubnets.slice(0, natCount).map((subnet, i) => {
      const eip = new aws.ec2.Eip(
        `${name}-nat-eip-${i}`,
        { domain: 'vpc', tags: { Name: physicalName(env, `nat-${i}`) } },
        { parent: this },
      );
      return new aws.ec2.NatGateway(
        `${name}-nat-${i}`,
        {
          allocationId: eip.id,
          subnetId: subnet.id,
          connectivityType: 'public',
          tags: { Name: physicalName(env, `nat-${i}`) },
        },
        { parent: this, dependsOn: [igw] },
      );
    });

    const privateRouteTables = privateSubnets.map((subnet, i) => {
      const table = new aws.ec2.RouteTable(
        `${name}-private-rt-${i}`,
        { vpcId: vpc.id, tags: { Name: physicalName(env, `private-${i}`) } },
        { parent: this },
      );
      const nat = natGateways[Math.min(i, natGateways.length - 1)] as aws.ec2.NatGateway;
      new aws.ec2.Route(
        `${name}-private-default-route-${i}`,
        { routeTableId: table.id, destinationCidrBlock: '0.0.0.0/0', natGatewayId: nat.id },
        { parent: this },
      );
      new aws.ec2.RouteTableAssociation(
        `${name}-private-rta-${i}`,
        { subnetId: subnet.id, routeTableId: table.id },
        { parent: this },
      );
      return table;
    });

    for (const service of GATEWAY_ENDPOINT_SERVICES) {
      new aws.ec2.VpcEndpoint(
        `${name}-${service}-endpoint`,
        {
          vpcId: vpc.id,
          vpcEndpointType: 'Gateway',
          serviceName: endpointServiceName(args.region, service),
          routeTableIds: privateRouteTables.map((table) => table.id),
          tags: { Name: physicalName(env, service) },
        },
        { parent: this },
      );
    }

    // Endpoints answer HTTPS from inside the VPC only; no egress rule, replies are stateful.
    const endpointSecurityGroup = new aws.ec2.SecurityGroup(
      `${name}-endpoints-sg`,
      {
        vpcId: vpc.id,
        name: physicalName(env, 'vpc-endpoints'),
        description: 'HTTPS from the VPC to interface endpoints',
        tags: { Name: physicalName(env, 'vpc-endpoints') },
      },
      { parent: this },
    );
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-endpoints-https`,
      {
        securityGroupId: endpointSecurityGroup.id,
        description: 'HTTPS from the VPC',
        ipProtocol: 'tcp',
        fromPort: 443,
        toPort: 443,
        cidrIpv4: vpc.cidrBlock,
      },
      { parent: this },
    );
    for (const service of interfaceEndpoints) {
      new aws.ec2.VpcEndpoint(
        `${name}-${service.replaceAll('.', '-')}-endpoint`,
        {
          vpcId: vpc.id,
          vpcEndpointType: 'Interface',
          serviceName: endpointServiceName(args.region, service),
          privateDnsEnabled: true,
          subnetIds: privateSubnets.map((subnet) => subnet.id),
          securityGroupIds: [endpointSecurityGroup.id],
          tags: { Name: physicalName(env, service.replaceAll('.', '-')) },
        },
        { parent: this },
      );
    }

    const flowLogGroup = logGroupName(env, 'vpc-flow-logs');
    const flowLogKey = new KmsKey(
      `${name}-flow-logs`,
      {
        description: `Signet ${env}: encrypts the VPC flow log group ${flowLogGroup}`,
        aliasName: kmsAliasName(env, 'vpc-flow-logs'),
        serviceGrants: pulumi.all([identity.accountId, partition]).apply(([accountId, partitionName]) => [
          cloudWatchLogsKeyGrant({
            accountId,
            partition: partitionName,
            region: args.region,
            logGroupName: flowLogGroup,
          }),
        ]),
      },
      { parent: this },
    );
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-flow-logs`,
      { name: flowLogGroup, retentionInDays: args.flowLogRetentionDays, kmsKeyId: flowLogKey.keyArn },
      { parent: this },
    );
    const logGroupArn = pulumi
      .all([identity.accountId, partition])
      .apply(([accountId, partitionName]) =>
        logGroupArnOf({ accountId, partition: partitionName, region: args.region }, flowLogGroup),
      );
    const role = new aws.iam.Role(
      `${name}-flow-logs-role`,
      {
        name: physicalName(env, 'vpc-flow-logs'),
        description: 'Delivers VPC flow logs to one CloudWatch log group',
        assumeRolePolicy: pulumi
          .all([identity.accountId, partition])
          .apply(([accountId, partitionName]) =>
            JSON.stringify(
              buildFlowLogsTrustPolicy({ accountId, partition: partitionName, region: args.region }),
            ),
          ),
      },
      { parent: this },
    );
    const delivery = new aws.iam.RolePolicy(
      `${name}-flow-logs-delivery`,
      {
        role: role.name,
        name: 'deliver-to-log-group',
        policy: logGroupArn.apply((arn) => JSON.stringify(buildFlowLogsDeliveryRolePolicy(arn))),
      },
      { parent: this },
    );
    new aws.ec2.FlowLog(
      `${name}-flow-log`,
      {
        vpcId: vpc.id,
        trafficType: 'ALL',
        logDestinationType: 'cloud-watch-logs',
        logDestination: logGroup.arn,
        iamRoleArn: role.arn,
        maxAggregationInterval: 60,
        tags: { Name: physicalName(env, 'vpc-flow-log') },
      },
      { parent: this, dependsOn: [delivery] },
    );

    this.vpcId = vpc.id;
    this.vpcCidr = vpc.cidrBlock;
    this.privateSubnetIds = pulumi.all(privateSubnets.map((subnet) => subnet.id));
    this.publicSubnetIds = pulumi.all(publicSubnets.map((subnet) => subnet.id));
    this.availabilityZones = azs;
    this.endpointSecurityGroupId = endpointSecurityGroup.id;
    this.natGatewayIds = pulumi.all(natGateways.map((nat) => nat.id));
    this.flowLogGroupName = logGroup.name;
    this.registerOutputs({
      vpcId: this.vpcId,
      vpcCidr: this.vpcCidr,
      privateSubnetIds: this.privateSubnetIds,
      publicSubnetIds: this.publicSubnetIds,
      availabilityZones: this.availabilityZones,
      endpointSecurityGroupId: this.endpointSecurityGroupId,
      natGatewayIds: this.natGatewayIds,
      flowLogGroupName: this.flowLogGroupName,
    });
  }
}
