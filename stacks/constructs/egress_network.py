"""The VPC of the functions that hold third-party credentials or call URLs chosen by
users (club webhook delivery; Strava sync): private subnets whose only way out is NAT on
port 443, gateway endpoints to this stage's table and bucket only, flow logs.

No interface endpoints: these functions call KMS and SQS a few times per delivery, far
below the traffic at which an endpoint (about US$7.30 a month per AZ each, plus data)
costs less than the same bytes through NAT (docs/decisions.md, decision 8a)."""

from aws_cdk import Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from constructs import Construct

from stacks.config import StageConfig
from stacks.constructs.delivery_alarms import any_of_alarm
from stacks.constructs.function_basics import retention
from stacks.constructs.service_function import FunctionNetwork
from stacks.consumers import nat_alarm_names
from stacks.nag import LOGS_KEY_REASON, OUTSIDE_VPC_REASON, acknowledge_guard


class EgressNetwork(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        table_arn: str,
        bucket_arn: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            max_azs=2,
            nat_gateways=config.nat_gateways,
            subnet_configuration=[
                ec2.SubnetConfiguration(
                    name="Public",
                    subnet_type=ec2.SubnetType.PUBLIC,
                    cidr_mask=24,
                    # Only the NAT gateways live here, on their own Elastic IPs.
                    map_public_ip_on_launch=False,
                ),
                ec2.SubnetConfiguration(
                    name="Private", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, cidr_mask=22
                ),
            ],
            restrict_default_security_group=True,
        )
        # CDK's own handler that strips the default security group's rules at deploy time.
        restrict_default_group = Stack.of(self).node.find_child(
            "Custom::VpcRestrictDefaultSGCustomResourceProvider"
        )
        acknowledge_guard(restrict_default_group, "lambda_inside_vpc_check", OUTSIDE_VPC_REASON)
        self._nat_alarms(config)
        flow_logs = logs.LogGroup(
            self,
            "FlowLogs",
            retention=retention(config.log_retention_days),
            removal_policy=config.removal_policy,
        )
        acknowledge_guard(flow_logs, "cloudwatch_log_group_encrypted_check", LOGS_KEY_REASON)
        self.vpc.add_flow_log(
            "FlowLog",
            destination=ec2.FlowLogDestination.to_cloud_watch_logs(flow_logs),
            traffic_type=ec2.FlowLogTrafficType.REJECT,
        )
        dynamodb = self.vpc.add_gateway_endpoint(
            "DynamoDb", service=ec2.GatewayVpcEndpointAwsService.DYNAMODB
        )
        dynamodb.add_to_policy(
            iam.PolicyStatement(
                principals=[iam.AnyPrincipal()],
                actions=["dynamodb:*"],
                resources=[table_arn, f"{table_arn}/index/*"],
            )
        )
        s3 = self.vpc.add_gateway_endpoint("S3", service=ec2.GatewayVpcEndpointAwsService.S3)
        s3.add_to_policy(
            iam.PolicyStatement(
                principals=[iam.AnyPrincipal()],
                actions=["s3:GetObject", "s3:PutObject"],
                resources=[f"{bucket_arn}/*"],
            )
        )
        self.security_group = ec2.SecurityGroup(
            self,
            "Egress",
            vpc=self.vpc,
            description=f"{config.prefix} third-party egress: HTTPS out, nothing in",
            allow_all_outbound=False,
        )
        self.security_group.add_egress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(443), "HTTPS out")
        self.network = FunctionNetwork(
            self.vpc,
            ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
            self.security_group,
        )

    def _nat_alarms(self, config: StageConfig) -> None:
        """Webhook deliveries and Strava calls leave through the NAT gateways: one out of
        source ports (too many connections at once) or dropping packets fails them."""
        gateways = [
            gateway.ref
            for subnet in self.vpc.public_subnets
            if isinstance(gateway := subnet.node.try_find_child("NATGateway"), ec2.CfnNatGateway)
        ]
        ports, dropped = nat_alarm_names(config.prefix)
        for construct_id, name, metric, what, threshold in (
            ("NatPortErrors", ports, "ErrorPortAllocation", "could not allocate a source port", 0),
            (
                "NatDroppedPackets",
                dropped,
                "PacketsDropCount",
                "dropped more than 100 packets",
                100,
            ),
        ):
            any_of_alarm(
                self,
                construct_id,
                name=name,
                description=f"A NAT gateway of the egress VPC {what} in 5 minutes",
                runbook_page="edge",
                metrics=[
                    cloudwatch.Metric(
                        namespace="AWS/NATGateway",
                        metric_name=metric,
                        dimensions_map={"NatGatewayId": gateway},
                        statistic="Sum",
                    )
                    for gateway in gateways
                ],
                threshold=threshold,
            )
