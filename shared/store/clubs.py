"""Club items as every service reads them (the clubs service alone writes them)."""

from shared.domain.club import Club
from shared.store.table import Item

_FIELDS = frozenset(Club.model_fields)


def to_club(item: Item) -> Club:
    """The Club in an item; key and index attributes are left out."""
    return Club.model_validate({k: v for k, v in item.items() if k in _FIELDS})
