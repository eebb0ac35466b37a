"""The one definition of the application table's key schema.

The data stack builds the DynamoDB table from it and the local platform provisions the
same table in moto from it, so the two cannot drift apart.
"""

from dataclasses import dataclass

from shared.names import resource_prefix

PK = "PK"
SK = "SK"


@dataclass(frozen=True)
class GlobalIndex:
    name: str
    partition_key: str
    sort_key: str


# GSI1: clubs by name (discovery), and later a user's memberships across clubs.
GSI1 = GlobalIndex(name="GSI1", partition_key="GSI1PK", sort_key="GSI1SK")
# GSI2: rides by start time and other secondary patterns.
GSI2 = GlobalIndex(name="GSI2", partition_key="GSI2PK", sort_key="GSI2SK")

GLOBAL_INDEXES: tuple[GlobalIndex, ...] = (GSI1, GSI2)


TTL_ATTRIBUTE = "expires_at"


def table_name(stage: str) -> str:
    """The physical table name for a stage (also the local platform's)."""
    return resource_prefix(stage)


def is_stage_table(stage: str, name: str) -> bool:
    """Whether `name` is one of the stage's other tables (`sydney-cycling-{stage}-...`: a
    restore drill's copy, a restored table taking over)."""
    return name.startswith(f"{table_name(stage)}-")


def attribute_definitions() -> list[dict[str, str]]:
    """Every key attribute of the table and its indexes, all strings."""
    names = [PK, SK]
    for index in GLOBAL_INDEXES:
        names += [index.partition_key, index.sort_key]
    return [{"AttributeName": name, "AttributeType": "S"} for name in names]
