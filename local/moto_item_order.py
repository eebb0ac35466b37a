"""moto's DynamoDB, without sorting the whole table for every index query.

moto answers a Query on a global secondary index by sorting every item of the table by
its primary key and then filtering them (`Table.all_items`): on a platform that has run
for a while, most of a GSI query's time (py-spy). The order only changes when an item is
added or removed, so under the DynamoDB lock (`local/moto_transactions.py`, where no other
request runs in between) the sorted list is kept until the next put or delete. Outside the
lock moto's own code runs unchanged.

The sort itself is moto's order with a cheaper key: moto compares `DynamoType`s, whose
`==` and `<` are Python methods that recompute each value's cast on every comparison; here
each item's key values are cast once and compared as native values (one type per key
attribute, as DynamoDB's schema requires, so the order is the same).
"""

from typing import Any

from moto.dynamodb.models.table import Table

from local import moto_transactions

_CACHE = "_platform_sorted_items"
_all_items = Table.all_items
_put_item = Table.put_item
_delete_item = Table.delete_item


def _primary_key_order(item: Any) -> tuple[Any, ...]:
    if item.range_key is None:
        return (item.hash_key.cast_value,)
    return (item.hash_key.cast_value, item.range_key.cast_value)


def _in_primary_key_order(self: Table) -> list[Any]:
    """What moto's `all_items` answers, sorted on native values."""
    if not self.range_key_attr:
        return _all_items(self)
    items = [item for by_range in self.items.values() for item in by_range.values()]
    return sorted(items, key=_primary_key_order)


def _sorted_items(self: Table) -> Any:
    if not moto_transactions.holds_lock():
        return _all_items(self)  # moto itself (in-process tests: moto's own answers)
    cached = self.__dict__.get(_CACHE)
    if cached is None:
        cached = self.__dict__[_CACHE] = _in_primary_key_order(self)
    return list(cached)


def _put(self: Table, *args: Any, **kwargs: Any) -> Any:
    self.__dict__.pop(_CACHE, None)
    return _put_item(self, *args, **kwargs)


def _delete(self: Table, *args: Any, **kwargs: Any) -> Any:
    self.__dict__.pop(_CACHE, None)
    return _delete_item(self, *args, **kwargs)


def install() -> None:
    """Idempotent: the table class keeps one patched method of each."""
    Table.all_items = _sorted_items  # type: ignore[method-assign]
    Table.put_item = _put  # type: ignore[method-assign]
    Table.delete_item = _delete  # type: ignore[method-assign]
