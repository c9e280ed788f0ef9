"""Competency models, level frameworks and crosswalks, kept as data files with loaders."""

from credentials.frameworks.loader import (
    Catalog,
    FrameworkDataError,
    bundled_catalog,
    load_catalog,
)
from credentials.frameworks.model import (
    Attribution,
    Competency,
    CompetencyModel,
    Crosswalk,
    Evidence,
    LevelFramework,
    LevelStatement,
)

__all__ = [
    "Attribution",
    "Catalog",
    "Competency",
    "CompetencyModel",
    "Crosswalk",
    "Evidence",
    "FrameworkDataError",
    "LevelFramework",
    "LevelStatement",
    "bundled_catalog",
    "load_catalog",
]
