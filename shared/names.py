"""Physical names of a stage's resources, shared by the stacks, the local platform and the
operations tools so that each finds what the others made."""

PROJECT = "sydney-cycling"


def resource_prefix(stage: str) -> str:
    """`sydney-cycling-{stage}`: the table, user pool, bus and bucket names start with it."""
    return f"{PROJECT}-{stage}"
