"""cfn-guard with AWS Control Tower's proactive controls, as CDK's policy-validation plugin
(`@cdklabs/cdk-validator-cfnguard`): a finding without an acknowledgement (`stacks.nag.
acknowledge` with the rule id `cdk-validator-cfnguard::<rule>` and a reason) fails the
synthesis of `app.py`, so every `cdk synth` and `cdk deploy` runs it.

The plugin's guard binary evaluates each rule against each template (~50 ms a pair), so
the rule families for resources the platform does not have (RDS, EKS, OpenSearch...) are
left out: 77 of its 237 rules run, in ~17 s for a stage instead of ~46 s. A test holds that
no rule left out names a resource type the templates contain.
"""

import importlib.resources
import re
import tarfile
from functools import cache

from cdklabs.cdk_validator_cfnguard import CfnGuardValidator

# Control Tower's rule folders for the services the platform's templates use.
RULE_FAMILIES = frozenset(
    {
        "apigateway",
        "athena",
        "cloudfront",
        "cloudwatch",
        "dynamodb",
        "ec2",
        "identityandaccessmanagement",
        "keymanagementservice",
        "lambda",
        "s3",
        "sqs",
        "waf",
    }
)
_RULE = re.compile(r"rules/control-tower/cfn-guard/(?P<family>[a-z0-9]+)/(?P<name>[^/]+)\.guard$")


@cache
def control_tower_rules() -> dict[str, tuple[str, str]]:
    """Each bundled rule file's name: its folder (family) and its text."""
    from cdklabs.cdk_validator_cfnguard import _jsii

    package = next(
        entry
        for entry in importlib.resources.files(_jsii).iterdir()
        if entry.name.endswith(".jsii.tgz")
    )
    rules = {}
    with package.open("rb") as raw, tarfile.open(fileobj=raw) as archive:
        for member in archive.getmembers():
            found = _RULE.search(member.name)
            if found:
                text = archive.extractfile(member).read().decode()  # type: ignore[union-attr]
                rules[found["name"]] = (found["family"], text)
    return rules


def guard_validator() -> CfnGuardValidator:
    left_out = [
        name for name, (family, _) in control_tower_rules().items() if family not in RULE_FAMILIES
    ]
    return CfnGuardValidator(disabled_rules=left_out)
