"""Prints an ID token for a user of the running local platform.

python -m local.token admin@sydneycycling.local            # seeded users: no password
python -m local.token someone@example.com 'Their-Password1!'
"""

import sys

from local.address_file import read_addresses, running_client
from local.seed import SEED_USERS
from local.users import id_token


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    email = argv[0]
    known = {user.email: user.password for user in SEED_USERS}
    password = argv[1] if len(argv) > 1 else known.get(email)
    if password is None:
        print(f"{email} is not a seeded user: give the password too.", file=sys.stderr)
        return 2
    state = read_addresses()
    cognito = running_client("cognito-idp", state)
    print(id_token(cognito, state["resources"]["client_id"], email, password))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
