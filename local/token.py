"""Prints an ID token for a user of the running local platform.

python -m local.token admin@sydneycycling.local            # seeded users: no password
python -m local.token someone@example.com 'Their-Password1!'
python -m local.token rider@sydneycycling.local --api http://127.0.0.1:3001
"""

import argparse
import sys

from local.address_file import API_VARIABLE, find_platform, running_client
from local.seed_users import SEED_USERS
from local.users import id_token


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m local.token",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("email", help="the user's e-mail address")
    parser.add_argument("password", nargs="?", help="needed for users that were not seeded")
    parser.add_argument(
        "--api", help=f"which running platform (default: ${API_VARIABLE}, or the only one)"
    )
    args = parser.parse_args(argv)
    known = {user.email: user.password for user in SEED_USERS}
    password = args.password or known.get(args.email)
    if password is None:
        parser.error(f"{args.email} is not a seeded user: give the password too.")
    platform = find_platform(args.api)
    cognito = running_client("cognito-idp", platform)
    print(id_token(cognito, platform["resources"]["client_id"], args.email, password))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
