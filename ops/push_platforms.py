"""Create or update a stage's SNS platform applications for push (APNs and FCM) from the
credentials in Secrets Manager. CloudFormation has no resource for them, so this is the
documented step after the first deploy and after every credential rotation.

    python -m ops.push_platforms --stage prod      # AWS credentials for the stage

The secret `sydney-cycling-{stage}/push-credentials` (made empty by the integration
stack) holds JSON:

    {"apns": {"certificate": "-----BEGIN CERTIFICATE-----...", "private_key": "-----BEGIN..."},
     "fcm": {"server_key": "..."}}

Either platform may be left out. The applications get the names the functions expect
(`shared.names.push_application_name`), so nothing else needs to change.
"""

import argparse
import json
import sys
from typing import Any

import boto3

from shared.names import push_application_name, push_credentials_secret_name

# What each platform's credentials become in SNS's attributes.
_ATTRIBUTES = {
    "apns": lambda c: {
        "PlatformCredential": c["private_key"],
        "PlatformPrincipal": c["certificate"],
    },
    "fcm": lambda c: {"PlatformCredential": c["server_key"]},
}


def sns_platform(platform: str, stage: str) -> str:
    if platform == "fcm":
        return "GCM"
    return "APNS_SANDBOX" if stage == "dev" else "APNS"


def apply(
    sns: Any, stage: str, credentials: dict[str, Any], region: str, account: str
) -> list[str]:
    """Create or update each platform present in `credentials`; returns what was done."""
    done = []
    for platform, make_attributes in _ATTRIBUTES.items():
        if platform not in credentials:
            continue
        name = push_application_name(stage, platform)
        kind = sns_platform(platform, stage)
        attributes = make_attributes(credentials[platform])
        arn = f"arn:aws:sns:{region}:{account}:app/{kind}/{name}"
        try:
            sns.set_platform_application_attributes(
                PlatformApplicationArn=arn, Attributes=attributes
            )
            done.append(f"updated {arn}")
        except sns.exceptions.NotFoundException:
            created = sns.create_platform_application(
                Name=name, Platform=kind, Attributes=attributes
            )
            done.append(f"created {created['PlatformApplicationArn']}")
    return done


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ops.push_platforms",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--stage", choices=["dev", "staging", "prod"], required=True)
    parser.add_argument("--region", default="ap-southeast-2")
    args = parser.parse_args(argv)
    session = boto3.Session(region_name=args.region)
    secret = session.client("secretsmanager").get_secret_value(
        SecretId=push_credentials_secret_name(args.stage)
    )
    try:
        credentials = json.loads(secret.get("SecretString") or "{}")
    except ValueError:
        raise SystemExit(
            "The push credentials secret is not JSON: see this command's --help."
        ) from None
    account = session.client("sts").get_caller_identity()["Account"]
    for line in apply(session.client("sns"), args.stage, credentials, args.region, account) or [
        "no platform credentials in the secret: nothing to do"
    ]:
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
