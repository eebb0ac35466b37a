"""The base of every model in the project."""

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    """A pydantic model whose validator is built on its first use instead of at import.

    A function imports dozens of models (its own, the shared domain's, the events') and a
    request uses a few; building every validator at import added ~10-14 ms to each init
    (`make bench`), of which the first request now pays what it uses (decision 10).
    Behaviour is unchanged: the first validation builds what it needs.
    """

    # In the OpenAPI document, what an answer always carries is required even where the
    # field has a default (a request may leave it out): generated clients then type
    # answers without needless `undefined`s.
    model_config = ConfigDict(defer_build=True, json_schema_serialization_defaults_required=True)
