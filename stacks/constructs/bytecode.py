"""Python 3.12 bytecode shipped with every asset of our code, built without Docker.

Lambda's `/var/task` (a function's own code) and `/opt` (layers) are read-only, so a module
shipped without bytecode is compiled again at every cold start: ~5-10 ms of CPU for one
service's own package, several times the whole init for a layer (`make bench`, "no .pyc
shipped").
"""

import os
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import jsii
from aws_cdk import DockerImage, ILocalBundling

# Docker is never used: the local bundlers always succeed or raise.
NO_DOCKER = DockerImage.from_registry("docker-is-not-used")


@cache
def python_312() -> str | None:
    """An interpreter of the Lambda runtime's version, if this machine has one (asked once
    per synth, not once per asset)."""
    if sys.version_info[:2] == (3, 12):
        return sys.executable
    found = shutil.which("python3.12")
    if found and subprocess.run([found, "-V"], capture_output=True).returncode == 0:
        return found
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates = sorted(pyenv.glob("versions/3.12*/bin/python3.12"))
    return str(candidates[-1]) if candidates else None


def precompile(folder: Path) -> None:
    """Bytecode for Python 3.12 beside every module under `folder` (unchecked hashes: the
    files never change after deployment). Needs a local python3.12; without one the asset
    still works, only its first imports in each execution environment are slower."""
    python = python_312()
    if python is None:
        print("note: no python3.12 here; assets ship without precompiled bytecode")
        return
    command = [python, "-m", "compileall", "-q", "-j", "0"]
    command += ["--invalidation-mode", "unchecked-hash", str(folder)]
    # Beside the sources, as Lambda reads them: a cache prefix (the Makefile sets one for
    # development) would send the bytecode elsewhere and ship the asset without it.
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONPYCACHEPREFIX"}
    subprocess.run(command, check=True, env=environment)


@jsii.implements(ILocalBundling)
class CopyAndCompile:
    """Copies a source package to `<asset>/<into>/<name>` and precompiles it."""

    def __init__(self, package: Path, into: str = "") -> None:
        self._package = package
        self._into = into

    def try_bundle(self, output_dir: str, *, image: Any = None, **_: Any) -> bool:
        root = Path(output_dir) / self._into
        shutil.copytree(
            self._package,
            root / self._package.name,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )
        precompile(root)
        return True
