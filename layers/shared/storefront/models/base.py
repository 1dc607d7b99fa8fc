"""The base of every API model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ApiModel(BaseModel):
    """An API model, built when first used rather than when imported.

    A function imports the models of all its routes, and building one (its validator and
    serializer) is most of what defining it costs: with `defer_build` a cold start builds
    only the models its first request validates or returns, and each route's first call
    builds its own (bench/README.md, cold start).
    """

    model_config = ConfigDict(defer_build=True)
