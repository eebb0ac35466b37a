"""Unsubscribe tokens: which user stops which category, signed so that a link in an
e-mail works without signing in and cannot be forged or pointed at someone else.

A signed token (`shared/domain/signed_tokens.py`) of `{"u": user_id, "c": category}`. They
do not expire: an unsubscribe link in an old e-mail must still work (RFC 8058 asks the link
to keep working).
"""

from shared.domain import signed_tokens
from shared.domain.errors import BadRequest
from shared.domain.notifications import Category


def make_token(secret: str, user_id: str, category: Category) -> str:
    return signed_tokens.sign(secret, {"u": user_id, "c": category.value})


def read_token(secret: str, token: str) -> tuple[str, Category]:
    """(user id, category) of a genuine token; 400 for anything else."""
    fields = signed_tokens.read(secret, token)
    try:
        if fields is None:
            raise ValueError("not genuine")
        return str(fields["u"]), Category(fields["c"])
    except (ValueError, KeyError, TypeError):
        raise BadRequest("The unsubscribe link is not valid.", code="invalid_token") from None
