"""The project's ontology and SHACL shapes, shipped in ``ontology/`` (installed
as the ``kg.ontology`` package data)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

ONTOLOGY_FILE = "kg.ttl"
SHAPES_FILE = "shapes.ttl"


def ontology_path(name: str = ONTOLOGY_FILE) -> Path:
    return Path(str(resources.files("kg.ontology") / name))


@lru_cache(maxsize=1)
def _ontology_lines() -> tuple[str, ...]:
    import pyoxigraph as ox

    quads = ox.parse(path=str(ontology_path()), format=ox.RdfFormat.TURTLE)
    return tuple(sorted({f"{t.subject} {t.predicate} {t.object} .\n" for t in quads}))


def ontology_lines() -> list[str]:
    """The ontology as N-Triples lines (default graph of every export)."""
    return list(_ontology_lines())
