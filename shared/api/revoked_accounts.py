"""A deleted account's tokens are refused (decision 37).

API Gateway's Cognito authorizer checks a token's signature and expiry only: a token
issued before the account was deleted stays valid for its hour, whatever Cognito has
revoked. So each API function keeps the list of accounts whose deletion was asked for
within a token's lifetime (one Query of their GSI1 partition), read again at most every
`REFRESH_SECONDS`, and answers any request such an account signs 401 `account_deleted`.

Not a read per request: the platform's budget is one round trip per request, and what a
stale list could let through is bounded. Every write that could bring the person's data
back checks the deletion record itself, consistently, in its own transaction
(`shared/store/deletion.py::account_open`); this list closes the reads, within seconds of
the request (the saga takes about as long to finish).
"""

import time
from collections.abc import Callable
from datetime import timedelta
from functools import cache

from botocore.exceptions import BotoCoreError, ClientError

from shared.domain.clock import utc_now
from shared.domain.deletion import TOKEN_LIFETIME
from shared.observability import logger
from shared.store.deletion import accounts_deleted_since
from shared.store.table import Table, app_table

REFRESH_SECONDS = 5.0
# Tokens carry their issuer's clock; API Gateway allows them a little skew.
CLOCK_SKEW = timedelta(minutes=5)


class RevokedAccounts:
    """The deleted accounts whose tokens may still be unexpired, as last read."""

    def __init__(
        self,
        table: Table,
        refresh_seconds: float = REFRESH_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.table, self.refresh_seconds, self._clock = table, refresh_seconds, clock
        self._ids: frozenset[str] = frozenset()
        self._read_at: float | None = None

    def refuses(self, user_id: str) -> bool:
        self._read_if_due()
        return user_id in self._ids

    def _read_if_due(self) -> None:
        now = self._clock()
        if self._read_at is not None and now - self._read_at < self.refresh_seconds:
            return
        # Whatever the outcome, not again before the period is over: a table in trouble
        # must not be asked twice per request.
        self._read_at = now
        since = utc_now() - TOKEN_LIFETIME - CLOCK_SKEW
        try:
            self._ids = accounts_deleted_since(self.table, since.replace(microsecond=0))
        except (BotoCoreError, ClientError):
            # The last list stands; the writes' own checks still hold.
            logger.warning("The deleted accounts could not be read; the last list stands")

    def forget(self) -> None:
        """Read again on the next request (tests; a function that has just seen a
        deletion)."""
        self._read_at = None


@cache
def revoked_accounts() -> RevokedAccounts:
    """One per execution environment."""
    return RevokedAccounts(app_table())


def refuses(user_id: str) -> bool:
    return revoked_accounts().refuses(user_id)
