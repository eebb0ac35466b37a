"""DynamoDB answers from moto without walking every attribute value's ten members.

moto 5.2 builds DynamoDB answers with its model-driven serializer: for each attribute
value it looks up all ten members of `AttributeValue` (S, N, B, SS, NS, BS, M, L, NULL,
BOOL), each under several spellings, to emit the one that is there. That made a DynamoDB
call about four times slower than moto 5.1 (`bench/moto_calls.py`) and was most of the
local platform's and the tests' time. moto keeps item values in their wire shape
(`{"S": "..."}`), so only the members present are serialized, each by moto's own code for
its type (a binary still goes out in base64). Registered through moto's table of
service-specific serializers; everything other than attribute values is untouched.
"""

from typing import Any

from botocore.model import StructureShape
from moto.core import serialize
from moto.core.serialize import JSONSerializer, Serialized

ATTRIBUTE_VALUE = "AttributeValue"


class DynamoDBSerializer(JSONSerializer):
    def _serialize_type_structure(
        self, serialized: Serialized, value: Any, shape: StructureShape, key: str
    ) -> None:
        if shape.name != ATTRIBUTE_VALUE or not isinstance(value, dict):
            super()._serialize_type_structure(serialized, value, shape, key)
            return
        wrapper: Any = self.MAP_TYPE() if key else serialized
        members = shape.members
        for member_key, member_value in value.items():
            member_shape = members.get(member_key)
            if member_shape is not None and member_value is not None:
                self._serialize(wrapper, member_value, member_shape, member_key)
        if key:
            self._default_serialize(serialized, wrapper, shape, key)


def install() -> None:
    """Idempotent: moto looks the class up per request."""
    serialize.SERVICE_SPECIFIC_SERIALIZERS.setdefault("dynamodb", {})["json"] = DynamoDBSerializer
