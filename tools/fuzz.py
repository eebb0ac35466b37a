"""`make fuzz`: a longer schemathesis campaign than the test suite's, against a fresh local
platform on a free port, with a random seed (printed, to replay a finding).

    python -m tools.fuzz --max-examples 200
"""

import argparse
import random
import subprocess
import sys
from pathlib import Path

from local.platform import LocalPlatform
from local.seed import SITE_ADMIN, seed
from local.users import id_token
from stacks.paths import REPO_ROOT


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.fuzz", description=__doc__)
    parser.add_argument("--max-examples", type=int, default=100)
    parser.add_argument("--seed", type=int, default=random.randrange(2**31))
    args = parser.parse_args(argv)
    platform = LocalPlatform(api_port=0, workers=4)
    endpoints = platform.start()
    try:
        seed(platform, endpoints)
        token = id_token(
            platform.client("cognito-idp"),
            endpoints.resources.client_id,
            SITE_ADMIN.email,
            SITE_ADMIN.password,
        )
        print(f"seed {args.seed}", flush=True)
        return subprocess.call(
            [
                str(Path(sys.executable).with_name("st")),
                "run",
                f"{endpoints.api_url}/openapi.json",
                "--header",
                f"Authorization: {token}",
                "--phases",
                "examples,coverage,fuzzing,stateful",
                "--max-examples",
                str(args.max_examples),
                "--seed",
                str(args.seed),
                "--workers",
                "4",
            ],
            cwd=REPO_ROOT,
        )
    finally:
        platform.stop()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
