"""What the pipeline may do in a stage's account, as code: GitHub's OIDC provider and one
role per stage that only the repository's workflow, running in that stage's GitHub
environment, can assume. The role deploys through CDK's bootstrap roles (it holds no
CloudFormation or resource rights of its own) and has exactly the rights the pipeline's
ops commands use: the preflight's reads, the API canary's stage changes and metrics, the
smoke suite's sign-in.

    npx cdk deploy --app ".venv/bin/python deploy_access.py" \\
        -c stage=prod -c github_repository=owner/name        # once per stage, by an admin

Its ARN is the environment's AWS_DEPLOY_ROLE_ARN secret (the workflow's header). An
account holding several stages keeps one OIDC provider: pass `-c github_oidc_provider=<ARN>`
for every stage after the first.
"""

from aws_cdk import Aws, CfnOutput, Duration, Stack
from aws_cdk import aws_iam as iam
from constructs import Construct

from shared.names import (
    LIVE_ALIAS,
    api_canary_alarm_name,
    api_function_name,
    api_url_parameter,
    backup_copy_vault_name,
    ops_topic_parameter,
    push_credentials_secret_name,
    resource_prefix,
    strava_app_secret_name,
)
from stacks.config import StageConfig
from stacks.contexts import CONTEXTS
from stacks.nag import acknowledge

GITHUB_ISSUER = "token.actions.githubusercontent.com"
# CDK's default bootstrap qualifier: its deploy, publishing and lookup roles.
BOOTSTRAP_ROLES = "cdk-hnb659fds-*"
# The parameter `cdk bootstrap` writes (its version), read by `ops/preflight.py`.
BOOTSTRAP_PARAMETER = "/cdk-bootstrap/hnb659fds/version"


class DeployAccessStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        repository: str,
        provider_arn: str | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        provider = (
            iam.OpenIdConnectProvider.from_open_id_connect_provider_arn(
                self, "GitHub", provider_arn
            )
            if provider_arn
            else iam.OpenIdConnectProvider(
                self, "GitHub", url=f"https://{GITHUB_ISSUER}", client_ids=["sts.amazonaws.com"]
            )
        )
        self.role = iam.Role(
            self,
            "Deploy",
            role_name=f"{resource_prefix(config.name)}-github-deploy",
            description=f"The pipeline's {config.name} deploys and ops commands ({repository})",
            max_session_duration=Duration.hours(2),
            assumed_by=iam.WebIdentityPrincipal(
                provider.open_id_connect_provider_arn,
                conditions={
                    "StringEquals": {
                        f"{GITHUB_ISSUER}:aud": "sts.amazonaws.com",
                        # Only a job of this repository running in this stage's environment.
                        f"{GITHUB_ISSUER}:sub": f"repo:{repository}:environment:{config.name}",
                    }
                },
            ),
        )
        for statement in _statements(config):
            self.role.add_to_policy(statement)
        for resource, reason in _wildcards(config).items():
            acknowledge(self.role, f"AwsSolutions-IAM5[Resource::{resource}]", reason)
        CfnOutput(self, "DeployRoleArn", value=self.role.role_arn)


def _wildcards(config: StageConfig) -> dict[str, str]:
    """The role's resources with a wildcard, and why each is as narrow as it can be."""
    stage, account, region = config.name, "<AWS::AccountId>", "<AWS::Region>"
    partition = "arn:<AWS::Partition>"
    return {
        f"{partition}:iam::{account}:role/{BOOTSTRAP_ROLES}": "CDK's bootstrap roles (deploy, "
        "publishing, lookup) share the qualifier's prefix; the pipeline deploys only through "
        "them.",
        "*": "Only actions AWS authorizes on no resource (Lambda GetAccountSettings, SES "
        "GetAccount, CloudWatch GetMetricData, Cognito ListUserPools, Backup "
        "DescribeRegionSettings).",
        **{
            f"{partition}:secretsmanager:{region}:{account}:secret:{name}-*": "Secrets Manager "
            "appends six random characters to a secret's ARN; the name is the stage's own."
            for name in (strava_app_secret_name(stage), push_credentials_secret_name(stage))
        },
        f"{partition}:sns:{region}:{account}:SydneyCycling-{stage}-Observability-*": "The "
        "alarm topic's name is generated after the stage's observability stack.",
        f"{partition}:apigateway:{region}::/restapis/*": "REST API ids are generated; the "
        "canary finds the stage's API by name among them (read only).",
        f"{partition}:apigateway:{region}::/restapis/*/stages/v1": "The canary moves the "
        "stage `v1` of the stage's API, whose id is generated.",
        f"{partition}:cognito-idp:{region}:{account}:userpool/*": "User pool ids are "
        "generated; the smoke suite signs its rider in to the stage's pool.",
    }


def _arn(service: str, resource: str, region: str = Aws.REGION) -> str:
    return f"arn:{Aws.PARTITION}:{service}:{region}:{Aws.ACCOUNT_ID}:{resource}"


def _live_versions_read(stage: str) -> iam.PolicyStatement:
    """The versions the stage's `live` aliases serve, kept through an API canary release
    (GetAlias is authorized on the function; its `live` alias is named too, in case)."""
    return iam.PolicyStatement(
        actions=["lambda:GetAlias"],
        resources=[
            _arn("lambda", f"function:{api_function_name(stage, name)}{qualifier}")
            for name in CONTEXTS
            for qualifier in ("", f":{LIVE_ALIAS}")
        ],
    )


def _statements(config: StageConfig) -> list[iam.PolicyStatement]:
    stage = config.name
    parameters = [
        _arn("ssm", f"parameter{name}")
        for name in (api_url_parameter(stage), ops_topic_parameter(stage))
    ] + [_arn("ssm", f"parameter{BOOTSTRAP_PARAMETER}")]
    secrets = [
        _arn("secretsmanager", f"secret:{name}-*")
        for name in (strava_app_secret_name(stage), push_credentials_secret_name(stage))
    ]
    found = [
        # Deploys: through CDK's bootstrap roles only.
        iam.PolicyStatement(
            actions=["sts:AssumeRole"],
            resources=[f"arn:{Aws.PARTITION}:iam::{Aws.ACCOUNT_ID}:role/{BOOTSTRAP_ROLES}"],
        ),
        iam.PolicyStatement(actions=["ssm:GetParameter"], resources=parameters),
        # Preflight: read-only, on what it names.
        iam.PolicyStatement(actions=["secretsmanager:GetSecretValue"], resources=secrets),
        iam.PolicyStatement(
            actions=["ses:GetEmailIdentity"],
            resources=[_arn("ses", f"identity/{config.email_domain}")],
        ),
        # The alarm topic, named by CloudFormation after the observability stack.
        iam.PolicyStatement(
            actions=["sns:ListSubscriptionsByTopic"],
            resources=[_arn("sns", f"SydneyCycling-{stage}-Observability-*")],
        ),
        # Actions that take no resource.
        iam.PolicyStatement(
            actions=[
                "lambda:GetAccountSettings",
                "ses:GetAccount",
                "cloudwatch:GetMetricData",
                "cognito-idp:ListUserPools",
                "backup:DescribeRegionSettings",
            ],
            resources=["*"],
        ),
        # The API canary: the stage's REST APIs, and the canary's own alarm.
        iam.PolicyStatement(
            actions=["apigateway:GET"],
            resources=[
                f"arn:{Aws.PARTITION}:apigateway:{Aws.REGION}::/restapis",
                f"arn:{Aws.PARTITION}:apigateway:{Aws.REGION}::/restapis/*",
            ],
        ),
        iam.PolicyStatement(
            actions=["apigateway:PATCH"],
            resources=[f"arn:{Aws.PARTITION}:apigateway:{Aws.REGION}::/restapis/*/stages/v1"],
        ),
        _live_versions_read(stage),
        iam.PolicyStatement(
            actions=["cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms"],
            resources=[_arn("cloudwatch", f"alarm:{api_canary_alarm_name(stage)}")],
        ),
        # The smoke suite signs its rider in (pool ids are generated: the account's pools).
        iam.PolicyStatement(
            actions=["cognito-idp:ListUserPoolClients", "cognito-idp:AdminInitiateAuth"],
            resources=[_arn("cognito-idp", "userpool/*")],
        ),
    ]
    if config.backup_retention_days and config.backup_copy_region:
        found.append(
            iam.PolicyStatement(
                actions=["backup:DescribeBackupVault"],
                resources=[
                    _arn(
                        "backup",
                        f"backup-vault:{backup_copy_vault_name(stage)}",
                        config.backup_copy_region,
                    )
                ],
            )
        )
    return found
