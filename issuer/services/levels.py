"""The levels a completion may name: those of the framework its model is crosswalked to, so
a model with three levels (or five) is assessed on its own scale."""

from __future__ import annotations

from credentials.frameworks import Catalog, Crosswalk
from credentials.frameworks.model import Level
from issuer.services.errors import invalid_fields


def check_level(crosswalk: Crosswalk, level: str) -> None:
    """Refuse (Invalid, at ``/level``) a level the model's framework does not define."""
    levels = crosswalk.framework.levels
    if any(known.id == level for known in levels):
        return
    ids = [known.id for known in levels]
    offered = ", ".join(ids[:-1]) + f" or {ids[-1]}" if len(ids) > 1 else ids[0]
    detail = (f"Level: choose {offered} (“{level}” is not a level of "
              f"{crosswalk.model.title})")
    raise invalid_fields([{"pointer": "/level", "detail": detail}], detail=detail)


def levels_by_model(data: Catalog) -> dict[str, tuple[Level, ...]]:
    """Each model's levels: those of the framework its current crosswalk names, lowest first
    (the framework's own order), so a form offers a model's completions its own scale."""
    levels: dict[str, tuple[Level, ...]] = {}
    for model_id in data.models:
        try:
            levels[model_id] = data.crosswalk_for(model_id).framework.levels
        except KeyError:  # a model with no crosswalk cannot be assessed yet
            continue
    return levels
