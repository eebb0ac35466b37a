"""Where the CDK app finds the project's code."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SERVICES_DIR = REPO_ROOT / "services"
SHARED_DIR = REPO_ROOT / "shared"
LAMBDA_REQUIREMENTS = REPO_ROOT / "requirements-lambda.txt"
# Every package of the dependencies layer with its hashes, compiled from LAMBDA_REQUIREMENTS.
LAMBDA_LOCK = REPO_ROOT / "requirements-lambda.lock"
