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


def offered_levels(data: Catalog) -> list[Level]:
    """Every level of the current frameworks, once each, lowest first: what a form that
    records several models at once offers (each completion is then checked by its own)."""
    seen: dict[str, Level] = {}
    for crosswalk in data.crosswalks.values():
        for level in crosswalk.framework.levels:
            seen.setdefault(level.id, level)
    return list(seen.values())

