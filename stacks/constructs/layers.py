"""The two Lambda layers every function uses, built without Docker.

- dependencies: requirements-lambda.lock (every package pinned with its hashes) installed by
  pip for arm64 / CPython 3.12 wheels; pip refuses any file whose hash is not in the lock.
- shared: the repository's `shared/` package.

Each stack makes its own layer versions from the same (deduplicated) assets: sharing a
LayerVersion across stacks would export its ARN, and CloudFormation refuses to update an
export that another stack imports, which deadlocks every dependency upgrade.
"""

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsii
from aws_cdk import AssetHashType, BundlingOptions, ILocalBundling
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from stacks.constructs.bytecode import NO_DOCKER, CopyAndCompile, precompile
from stacks.paths import LAMBDA_LOCK, REPO_ROOT, SHARED_DIR

RUNTIME = lambda_.Runtime.PYTHON_3_12
ARCHITECTURE = lambda_.Architecture.ARM_64
_PIP_PLATFORM = ("manylinux2014_aarch64", "3.12")
_RUNTIME_PROVIDED = (
    *(
        f"{name}{suffix}"
        for name in ("boto3", "botocore", "s3transfer", "jmespath", "urllib3", "dateutil", "six")
        for suffix in ("", "-*.dist-info", ".py")
    ),
    "python_dateutil-*.dist-info",
    "bin",
)


@jsii.implements(ILocalBundling)
class _PipInstallForLambda:
    """pip's cross-platform install: binary wheels for the Lambda platform only."""

    def try_bundle(self, output_dir: str, *, image: Any = None, **_: Any) -> bool:
        platform, python = _PIP_PLATFORM
        subprocess.run(
            [
                sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                "--require-hashes", "--requirement", str(LAMBDA_LOCK),
                "--target", str(Path(output_dir) / "python"),
                "--platform", platform, "--python-version", python,
                "--implementation", "cp", "--only-binary=:all:", "--no-compile",
            ],
            check=True,
        )  # fmt: skip
        # The Lambda runtime already ships the AWS SDK that the X-Ray SDK depends on; a
        # second copy would add ~25 MB to every cold start and shadow the runtime's.
        target = Path(output_dir) / "python"
        for pattern in _RUNTIME_PROVIDED:
            for path in target.glob(pattern):
                shutil.rmtree(path) if path.is_dir() else path.unlink()
        precompile(target)
        return True


def _requirements_hash() -> str:
    digest = hashlib.sha256(LAMBDA_LOCK.read_bytes())
    # A change of platform or of what is pruned is a new asset too.
    digest.update("/".join(_PIP_PLATFORM + _RUNTIME_PROVIDED).encode())
    return digest.hexdigest()


class LambdaLayers(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.dependencies = lambda_.LayerVersion(
            self,
            "Dependencies",
            description="Powertools, pydantic and X-Ray SDK as requirements-lambda.lock pins them",
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
            code=lambda_.Code.from_asset(
                str(REPO_ROOT),
                asset_hash_type=AssetHashType.CUSTOM,
                asset_hash=_requirements_hash(),
                bundling=BundlingOptions(
                    image=NO_DOCKER, local=_PipInstallForLambda(), platform="linux/arm64"
                ),
            ),
        )
        self.shared = lambda_.LayerVersion(
            self,
            "Shared",
            description="The project's shared package (authorization, store, API helpers)",
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
            code=lambda_.Code.from_asset(
                str(SHARED_DIR),
                exclude=["**/__pycache__", "**/*.pyc"],
                bundling=BundlingOptions(
                    image=NO_DOCKER, local=CopyAndCompile(SHARED_DIR, into="python")
                ),
                # Bytecode is built in the bundle; hash the sources only.
                asset_hash_type=AssetHashType.SOURCE,
            ),
        )

    @property
    def all(self) -> list[lambda_.ILayerVersion]:
        return [self.dependencies, self.shared]
