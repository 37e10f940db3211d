"""Lexicons: the people, organizations and places `kg` knows by name, loaded
from the data files in ``kg/data/lexicon/`` and indexed for matching on
normalized, clitic-stripped tokens.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .text import name_key, normalize, normalize_key, skeleton

#: Lexicon files and the coarse type of their entries, in load order.
LEXICON_FILES: tuple[tuple[str, str], ...] = (
    ("countries.jsonl", "Place"),
    ("places.jsonl", "Place"),
    ("organizations.jsonl", "Organization"),
    ("people.jsonl", "Person"),
)
GIVEN_NAMES_FILE = "given_names.txt"
#: shortest single-word name indexed, in letters
MIN_SINGLE_NAME = 3
#: entries whose names of two words or more are also matched by spelling skeleton
#: (دميتري/ديمتري بيسكوف), and the shortest word that skeleton matching applies to.
#: Single words are not: the skeleton of a common word too often equals a name's
#: (اليمين/اليمن).
SKELETON_TYPES = ("Person",)
MIN_SKELETON_WORD = 4

#: Fine classes per coarse type (anything else falls back to the coarse type).
CLASSES = {
    "Person": {"Person"},
    "Organization": {
        "Organization", "InternationalOrganization", "GovernmentOrganization",
        "MilitaryOrganization", "PoliticalParty", "NewsMediaOrganization",
        "Corporation", "NGO", "SportsOrganization",
    },
    "Place": {"Place", "Country", "City", "AdministrativeArea", "Region", "Continent", "BodyOfWater"},
}


class LexiconError(ValueError):
    """A lexicon data file is malformed."""


@dataclass(frozen=True)
class Role:
    role: str
    of: str
    start: str | None = None
    end: str | None = None


@dataclass
class Entry:
    """One known entity."""

    key: str  # Wikidata id, or a slug when the id is not known
    type: str  # Person | Organization | Place
    cls: str  # finer class, e.g. Country, GovernmentOrganization
    en: str
    ar: str
    wikidata: str | None = None
    aliases: tuple[str, ...] = ()
    nisba: tuple[str, ...] = ()
    country: str | None = None
    roles: tuple[Role, ...] = ()
    historical: bool = False
    #: names that are labels only, never matched alone: a common word too (مالي)
    unmatched: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.ar, *self.aliases)


@dataclass
class Lexicon:
    entries: dict[str, Entry] = field(default_factory=dict)
    #: first token key -> [(tail keys, entry key, alias)], longest first
    index: dict[str, list[tuple[tuple[str, ...], str]]] = field(default_factory=dict)
    #: spelling-variant index of person and place names (long words only), same shape
    skeletons: dict[str, list[tuple[tuple[str, ...], str]]] = field(default_factory=dict)
    #: nisba adjective form key -> country key
    nisba: dict[str, str] = field(default_factory=dict)
    given_names: frozenset[str] = frozenset()
    max_len: int = 1
    _offices: dict | None = None

    def add(self, entry: Entry) -> None:
        if entry.key in self.entries:
            raise LexiconError(f"duplicate lexicon key {entry.key!r}")
        self.entries[entry.key] = entry
        names = [n for n in entry.names if n not in entry.unmatched]
        if entry.type == "Organization" and entry.en.isascii() and len(entry.en) >= 3:
            names.append(entry.en)
        for name in names:
            keys = tuple(name_key(name).split())
            if not keys or (len(keys) == 1 and len(keys[0]) < MIN_SINGLE_NAME):
                continue  # a name of one or two letters is a word too (إب، لد)
            self._put(self.index, keys, entry.key)
            self.max_len = max(self.max_len, len(keys))
            if entry.type in SKELETON_TYPES and len(keys) >= 2 and all(len(k) >= MIN_SKELETON_WORD for k in keys):
                self._put(self.skeletons, tuple(skeleton(k) for k in keys), entry.key)
        for adj in entry.nisba:
            base = normalize_key(adj)
            for form in (base, base + "ه", base + "ين", base + "ون", base + "ان", base + "تين", base + "تان"):
                self.nisba.setdefault(form, entry.key)

    @staticmethod
    def _put(index, keys, entry_key) -> None:
        rows = index.setdefault(keys[0], [])
        row = (keys[1:], entry_key)
        if row not in rows:
            rows.append(row)
            rows.sort(key=lambda r: -len(r[0]))

    def office_holders(self, role: str, of: str, day: str) -> list[str]:
        """People the lexicon says held ``role`` of ``of`` on ``day`` (ISO date)."""
        if self._offices is None:
            self._offices = {}
            for e in self.entries.values():
                for r in e.roles:
                    self._offices.setdefault((r.role, r.of), []).append((r.start or "", r.end, e.key))
        out = []
        for start, end, key in self._offices.get((role, of), ()):
            if start <= day and (end is None or day <= _last_day(end)):
                out.append(key)
        return sorted(set(out))


def _last_day(date: str) -> str:
    """The last ISO day a partial date covers, for comparing: 2021 → 2021-12-99."""
    return (date + "-12-99")[:10] if len(date) == 4 else (date + "-99")[:10]


def _data_dir() -> Path:
    return Path(str(resources.files("kg") / "data" / "lexicon"))


def load_entries(path: Path, coarse: str) -> list[Entry]:
    """Parse one lexicon JSON Lines file, with errors naming file, line and field."""
    entries = []
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise LexiconError(f"{path}:{lineno}: invalid JSON: {exc.msg}") from None
            for fld in ("ar", "en"):
                if not isinstance(obj.get(fld), str) or not obj[fld].strip():
                    raise LexiconError(f"{path}:{lineno}: field {fld!r} missing or empty")
            key = obj.get("id") or obj.get("slug")
            if not key:
                raise LexiconError(f"{path}:{lineno}: field 'id' or 'slug' required")
            cls = obj.get("class") or coarse
            if cls not in CLASSES[coarse]:
                raise LexiconError(f"{path}:{lineno}: field 'class': unknown class {cls!r} for {coarse}")
            roles = tuple(
                Role(r["role"], r["of"], r.get("start"), r.get("end")) for r in obj.get("roles") or ()
            )
            entries.append(Entry(
                key=key, type=coarse, cls=cls, en=obj["en"], ar=obj["ar"],
                wikidata=obj.get("id") or None,
                aliases=tuple(a for a in obj.get("aliases") or () if a != obj["ar"]),
                nisba=tuple(obj.get("nisba") or ()), country=obj.get("country"),
                roles=roles, historical=bool(obj.get("historical")),
                unmatched=tuple(obj.get("unmatched") or ()),
            ))
    return entries


@lru_cache(maxsize=4)
def load_lexicon(directory: str | None = None) -> Lexicon:
    """Load and index every lexicon file (cached: the lexicon is read-only)."""
    base = Path(directory) if directory else _data_dir()
    lex = Lexicon()
    for name, coarse in LEXICON_FILES:
        path = base / name
        if path.exists():
            for entry in load_entries(path, coarse):
                lex.add(entry)
    names_path = base / GIVEN_NAMES_FILE
    if names_path.exists():
        with open(names_path, encoding="utf-8") as fh:
            lex.given_names = frozenset(
                normalize(line.strip()).text for line in fh if line.strip()
            )
    return lex
