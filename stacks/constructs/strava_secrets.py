"""The Strava integration's secrets: the app's credentials (created without a value: an
operator puts them, see docs/strava.md) and the key that signs OAuth states (generated).
Both have fixed names (`shared/names.py`), so the api stack grants them by name."""

from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from shared.names import strava_app_secret_name, strava_state_key_name
from stacks.config import StageConfig
from stacks.nag import acknowledge


class StravaSecrets(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig) -> None:
        super().__init__(scope, construct_id)
        removal = config.removal_policy
        self.app = secretsmanager.Secret(
            self,
            "App",
            secret_name=strava_app_secret_name(config.name),
            description=(
                "Strava API app as JSON {client_id, client_secret, verify_token, "
                "subscription_id, callback_secret}; set by an operator (docs/strava.md)"
            ),
            removal_policy=removal,
        )
        acknowledge(
            self.app,
            "AwsSolutions-SMG4",
            "Credentials issued by Strava: rotated in Strava's API settings and set here by an "
            "operator, not by a Lambda rotation.",
        )
        self.state_key = secretsmanager.Secret(
            self,
            "StateKey",
            secret_name=strava_state_key_name(config.name),
            description="Signs the OAuth state of Strava account linking",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=48, exclude_punctuation=True
            ),
            removal_policy=removal,
        )
        acknowledge(
            self.state_key,
            "AwsSolutions-SMG4",
            "Signs OAuth states that live ten minutes: rotating it by hand (a new value) only "
            "fails the links in flight, so a scheduled rotation adds nothing.",
        )
