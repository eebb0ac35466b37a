"""cdk-nag acknowledgements: every one names the rule and says why it does not apply."""

from aws_cdk import Acknowledgment, Validations
from constructs import IConstruct

# cfn-guard's Control Tower rules (`stacks/guard.py`) are acknowledged the same way, with
# this prefix on the rule's name.
GUARD = "cdk-validator-cfnguard::"

LOGS_KEY_REASON = (
    "Log groups are encrypted at rest by CloudWatch Logs with AWS-owned keys and hold no "
    "personal data (tests keep e-mails, tokens and device ids out of logs); a customer key "
    "would add a key policy for the logs service and a KMS request per batch of events."
)
OUTSIDE_VPC_REASON = (
    "Only functions that call third parties run in the egress VPC (decision 8a: fixed "
    "egress, SSRF rules); this one reaches AWS APIs only, whose access IAM already "
    "scopes, and a VPC would add ENI cold starts and NAT cost for nothing."
)


def acknowledge_guard(construct: IConstruct, rule: str, reason: str) -> None:
    acknowledge(construct, GUARD + rule, reason)


def acknowledge(construct: IConstruct, rule: str, reason: str) -> None:
    if len(reason) < 20:
        raise ValueError(f"Acknowledging {rule} needs a real reason, not '{reason}'.")
    Validations.of(construct).acknowledge(Acknowledgment(id=rule, reason=reason))
