"""The base of every model in the project."""

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    """A pydantic model whose validator is built on its first use instead of at import.

    A function imports dozens of models (its own, the shared domain's, the events') and a
    request uses a few; building every validator at import added ~10 ms to each cold start
    (`make bench`). Behaviour is unchanged: the first validation builds what it needs.
    """

    model_config = ConfigDict(defer_build=True)
