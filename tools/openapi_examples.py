"""An example for every request and response body of the OpenAPI document, so reference
pages and generated SDKs show a realistic call instead of `"string"` everywhere.

Each body's example is built from its schema: a model's own example where it declares one
(pydantic `json_schema_extra={"examples": [...]}`), otherwise its properties one by one,
with values that a Sydney club would send (a property's name says what it is: a
`start_at` is a Saturday dawn, a `lat` is Centennial Park's). Enums take their first
value, bounded numbers a value within their bounds. `tests/unit/test_openapi_examples.py`
validates every example against its schema, so an example can never contradict the
contract it illustrates.
"""

from typing import Any

Schema = dict[str, Any]

# Values by property name, for properties whose schema alone says too little.
BY_NAME: dict[str, Any] = {
    "name": "Inner West Riders",
    "title": "Saturday bunch ride",
    "description": "A steady 60 km loop with a regroup at the top of every climb.",
    "suburb": "Newtown",
    "city": "Sydney",
    "region": "Inner West",
    "website": "https://innerwestriders.example",
    "display_name": "Sam Rider",
    "given_name": "Sam",
    "family_name": "Rider",
    "bio": "Saturday bunch regular, learning to climb.",
    "email": "sam@example.com",
    "phone": "+61 412 345 678",
    "application_message": "I ride the Saturday bunch most weeks.",
    "cancel_reason": "Heavy rain forecast.",
    "url": "https://hooks.innerwestriders.example/sydney-cycling",
    "content_type": "image/png",
    "message": "The ride is full.",
    "code": "ride_full",
    "token": "fcm-registration-token-" + "x" * 40,
    "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    "lat": -33.899,
    "lon": 151.232,
    "distance_km": 62.0,
    "elevation_gain_m": 480,
    "estimated_duration_min": 150,
    "capacity": 24,
    "version": 3,
    "limit": 25,
    "athlete_id": 134815,
    "strava_athlete_id": "134815",
    "polyline": "_p~iF~ps|U_ulLnnqC_mqNvxq`@",
    "event_id": "49668501:ride_created",
    "next_cursor": None,
    "logo_key": "public/clubs/0b6e4c2a-3f1d-4e5b-9a7c-2d8f6e1a4b3c/logo/5d1c9e7a",
    "avatar_key": "public/avatars/0b6e4c2a-3f1d-4e5b-9a7c-2d8f6e1a4b3c/5d1c9e7a",
    "route_key": "private/rides/0b6e4c2a-3f1d-4e5b-9a7c-2d8f6e1a4b3c/route/5d1c9e7a.gpx",
    "key": "incoming/logo/0b6e4c2a-3f1d-4e5b-9a7c-2d8f6e1a4b3c/5d1c9e7a.png",
    "bbox": [151.2206, -33.9102, 151.2478, -33.8905],
    "start": [-33.8985, 151.2403],
    "finish": [-33.8985, 151.2403],
    "points": 241,
    "participant_count": 12,
    "waitlist_count": 0,
    "leader_count": 1,
    "member_count": 86,
    "ride_count": 14,
    "size_bytes": 48213,
    "places_left": 11,
    "consecutive_failures": 0,
    "attempts": 1,
    "attempt": 1,
    "moving_time_s": 5400,
    "status_code": 204,
    "last_status_code": 204,
}
UUID = "0b6e4c2a-3f1d-4e5b-9a7c-2d8f6e1a4b3c"
MOMENT = "2027-03-06T19:30:00Z"  # 06:30 on a Sunday morning in Sydney (AEDT)


def _resolve(schema: Schema, document: Schema) -> Schema:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _string(schema: Schema, name: str) -> str:
    pattern = schema.get("pattern", "")
    if schema.get("format") == "date-time":
        return MOMENT
    if schema.get("format") == "uri" or name.endswith("url"):
        return str(BY_NAME["url"])
    user_or_id = name.endswith("_by") or (name.endswith("_id") and "[0-9]{1,20}" not in pattern)
    if "[0-9a-f]{8}-" in pattern or user_or_id:
        return UUID
    if "@" in pattern:
        return str(BY_NAME["email"])
    if pattern.startswith("^[0-9]{"):
        return "134815"
    if pattern.startswith("^\\+?[0-9"):
        return str(BY_NAME["phone"])
    if name in BY_NAME and isinstance(BY_NAME[name], str):
        return str(BY_NAME[name])
    text = name.replace("_", " ") or "text"
    return text[: schema.get("maxLength", len(text))].ljust(schema.get("minLength", 0), "x")


def _number(schema: Schema, name: str, integer: bool) -> int | float:
    low = float(next((schema[k] for k in ("minimum", "exclusiveMinimum") if k in schema), 0))
    high = float(
        next((schema[k] for k in ("maximum", "exclusiveMaximum") if k in schema), float("inf"))
    )
    known = BY_NAME.get(name)
    if isinstance(known, int | float) and not isinstance(known, bool) and low <= known <= high:
        value = float(known)
    else:
        value = low + (high - low) / 2 if high != float("inf") else low
    return int(value) if integer else value


def _shown(schema: Schema) -> set[str]:
    """The properties an example of an object shows: the required ones, the first choice
    of an `anyOf`/`oneOf` of required lists, and every other optional one except those
    that a choice names (a oneOf allows one) or that constrain the rest (a role change
    goes alone)."""
    properties = set(schema.get("properties", {}))
    choices = [c.get("required", []) for c in schema.get("anyOf", []) + schema.get("oneOf", [])]
    named = {p for choice in choices for p in choice} | set(schema.get("dependentSchemas", {}))
    first = set(choices[0]) if choices else set()
    return set(schema.get("required", [])) | first | (properties - named)


def example_of(schema: Schema, document: Schema, name: str = "", depth: int = 0) -> Any:
    schema = _resolve(schema, document)
    if "examples" in schema:
        return schema["examples"][0]
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        # A union of types; an object's anyOf of `required` lists is a constraint instead.
        if key in schema and "properties" not in schema:
            options = [o for o in schema[key] if _resolve(o, document).get("type") != "null"]
            return example_of((options or schema[key])[0], document, name, depth)
    if name in BY_NAME and BY_NAME[name] is None and depth:
        return None
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if depth > 8:
            return {}
        return {
            prop: example_of(sub, document, prop, depth + 1)
            for prop, sub in schema.get("properties", {}).items()
            if prop in _shown(schema)
        }
    if kind == "array" and isinstance(BY_NAME.get(name), list):
        return BY_NAME[name]
    if kind == "array":
        item = example_of(schema.get("items", {}), document, name.rstrip("s"), depth + 1)
        return [item] * max(1, schema.get("minItems", 1))
    if kind == "string":
        return _string(schema, name)
    if kind in ("integer", "number"):
        return _number(schema, name, kind == "integer")
    if kind == "boolean":
        return False
    return None


def add_examples(document: Schema) -> None:
    """An `example` on every JSON request and success body of the document."""
    for item in document["paths"].values():
        for operation in item.values():
            bodies = [operation.get("requestBody", {})]
            bodies += [a for s, a in operation["responses"].items() if str(s).startswith("2")]
            for body in bodies:
                for media, content in body.get("content", {}).items():
                    if media == "application/json" and "schema" in content:
                        content["example"] = example_of(content["schema"], document)
