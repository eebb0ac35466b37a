"""One pre-traffic hook per stack (`services/deployment/smoke.py`): CodeDeploy invokes it
before shifting any traffic to a new version of a function of the stack; it tries that
version and reports whether it may have traffic. Not a `ServiceFunction`: it has no alias
to shift (it would need a hook of its own)."""

from aws_cdk import CfnElement, Duration, Stack
from aws_cdk import aws_codedeploy as codedeploy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from stacks.config import StageConfig
from stacks.constructs.function_basics import logs_and_role, service_code
from stacks.constructs.layers import ARCHITECTURE, RUNTIME, LambdaLayers
from stacks.nag import OUTSIDE_VPC_REASON, acknowledge, acknowledge_guard

HOOK_ID = "PreTrafficHook"


class PreTrafficHook(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, config: StageConfig, layers: LambdaLayers
    ) -> None:
        super().__init__(scope, construct_id)
        self.log_group, self.role = logs_and_role(
            self, config, f"{config.prefix} pre-traffic hook: tries new versions of this stack"
        )
        self.function = lambda_.Function(
            self,
            "Function",
            description=f"Tries a new version before it gets traffic ({config.name})",
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            code=service_code("deployment"),
            handler="deployment.smoke.handler",
            layers=layers.all,
            role=self.role,
            memory_size=256,
            timeout=Duration.minutes(1),
            log_group=self.log_group,
            logging_format=lambda_.LoggingFormat.JSON,
            environment={
                "STAGE": config.name,
                "POWERTOOLS_SERVICE_NAME": "deployment",
                "POWERTOOLS_METRICS_NAMESPACE": "SydneyCycling",
                "POWERTOOLS_TRACE_DISABLED": "1",
            },
        )
        acknowledge_guard(self.function, "lambda_inside_vpc_check", OUTSIDE_VPC_REASON)
        acknowledge(
            self.function,
            "AwsSolutions-L1",
            "Python 3.12 is the platform's pinned runtime (the dependencies layer is built "
            "for it); upgrades are deliberate.",
        )

    def watch(self, function: lambda_.Function, group: codedeploy.LambdaDeploymentGroup) -> None:
        """May read `group`'s deployments, and read and invoke `function`'s versions; and
        CodeDeploy may invoke the hook (CDK grants it on the hook's versions)."""
        acknowledge(
            group,
            f"AwsSolutions-IAM5[Resource::<{_logical_id(self.function)}.Arn>:*]",
            "CodeDeploy invokes the stack's pre-traffic hook: CDK grants it on the hook's "
            "versions (`:*`), the hook being the only function named.",
        )
        acknowledge(
            self.role,
            f"AwsSolutions-IAM5[Resource::<{_logical_id(function)}.Arn>:*]",
            "The hook tries whichever new version CodeDeploy names: the versions (`:*`) of "
            "this one function, read and invoked once per deployment.",
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["codedeploy:GetDeployment"],
                resources=[group.deployment_group_arn],
            )
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["lambda:GetFunctionConfiguration", "lambda:InvokeFunction"],
                resources=[f"{function.function_arn}:*"],
            )
        )


def _logical_id(function: lambda_.Function) -> str:
    child = function.node.default_child
    assert isinstance(child, CfnElement)
    return Stack.of(function).get_logical_id(child)


def stack_hook(scope: Construct, config: StageConfig, layers: LambdaLayers) -> PreTrafficHook:
    """The stack's hook, made by the first function that needs it."""
    stack = Stack.of(scope)
    existing = stack.node.try_find_child(HOOK_ID)
    if isinstance(existing, PreTrafficHook):
        return existing
    return PreTrafficHook(stack, HOOK_ID, config=config, layers=layers)
