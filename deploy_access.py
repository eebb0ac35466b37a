#!/usr/bin/env python3
"""CDK app of one stage's deploy access (stacks/deploy_access_stack.py): the GitHub OIDC
provider and the pipeline's role, deployed once per stage by an account admin:

    npx cdk deploy --app ".venv/bin/python deploy_access.py" -c stage=prod \\
        -c github_repository=owner/name [-c github_oidc_provider=<ARN>]
"""

from aws_cdk import App, Environment

from stacks.app_builder import add_security_checks
from stacks.config import load_stage
from stacks.deploy_access_stack import DeployAccessStack

app = App()
stage = app.node.try_get_context("stage") or "dev"
repository = app.node.try_get_context("github_repository")
if not repository or "/" not in repository:
    raise SystemExit("Pass the repository the pipeline runs in: -c github_repository=owner/name")
config = load_stage(stage, {"region": app.node.try_get_context("region")})
DeployAccessStack(
    app,
    f"SydneyCycling-{config.name}-DeployAccess",
    config=config,
    repository=repository,
    provider_arn=app.node.try_get_context("github_oidc_provider"),
    env=Environment(account=config.account, region=config.region),
)
add_security_checks(app)
app.synth()
