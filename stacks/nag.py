"""cdk-nag acknowledgements: every one names the rule and says why it does not apply."""

from aws_cdk import Acknowledgment, Validations
from constructs import IConstruct


def acknowledge(construct: IConstruct, rule: str, reason: str) -> None:
    if len(reason) < 20:
        raise ValueError(f"Acknowledging {rule} needs a real reason, not '{reason}'.")
    Validations.of(construct).acknowledge(Acknowledgment(id=rule, reason=reason))
