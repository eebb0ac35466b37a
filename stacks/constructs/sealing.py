"""KMS use bound to its purpose: a role may seal or open only values whose encryption
context names the purpose it was granted (`shared/adapters/sealed_secrets.py`), so one
stage key serves every purpose without one function opening another's secrets."""

from aws_cdk import aws_iam as iam


def grant_sealing(role: iam.IRole, key_arn: str, purpose: str, *actions: str) -> None:
    """`actions` (kms:Encrypt, kms:Decrypt) on the key, for `purpose` only."""
    role.add_to_principal_policy(
        iam.PolicyStatement(
            actions=list(actions),
            resources=[key_arn],
            conditions={"StringEquals": {"kms:EncryptionContext:purpose": purpose}},
        )
    )
