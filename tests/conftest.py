"""Shared fixtures. Data under ../shared is read through KG_SHARED (default:
the ``shared`` folder beside the repository); tests that need it skip where it
is absent, except in CI, where it is always present and a skip would hide a
failure."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("KG_SHARED", ROOT.parent / "shared"))
SEEDS = ROOT / "seeds"


def shared_path(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing: CI must have ../shared")
        pytest.skip(f"{path} not present")
    return path


@pytest.fixture(scope="session")
def gold_path() -> Path:
    return shared_path("gold", "seeds.gold.json")


@pytest.fixture(scope="session")
def ant_path() -> Path:
    return shared_path("corpora", "ant", "ant-alarabiya-skynews-2018.jsonl.gz")


@pytest.fixture(scope="session")
def recognizer():
    from kg.recognize import Recognizer

    return Recognizer()


@pytest.fixture(scope="session")
def seeds_build(tmp_path_factory):
    """The seeds built once into a temporary folder: (folder, stats)."""
    from kg.pipeline import build_exports

    out = tmp_path_factory.mktemp("seeds-build")
    stats, _ = build_exports([SEEDS], out)
    return out, stats
