"""Make a user of the running local platform a SiteAdmin, with the operators' own command.

python -m local.bootstrap_admin someone@example.com
"""

import argparse
import sys
from pathlib import Path

from local.address_file import find_platform, read_addresses, running_client
from ops.bootstrap_site_admin import bootstrap
from shared.adapters.identity import IdentityDirectory
from shared.store.table import Table


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.bootstrap_admin", description=__doc__)
    parser.add_argument("email")
    parser.add_argument("--api", help="which running platform (default: the only one)")
    parser.add_argument("--addresses", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    running = read_addresses(args.addresses) if args.addresses else find_platform(args.api)
    resources = running["resources"]
    directory = IdentityDirectory(running_client("cognito-idp", running), resources["user_pool_id"])
    table = Table(running_client("dynamodb", running), resources["table_name"])
    print(bootstrap(directory, table, args.email))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
