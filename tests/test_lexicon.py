"""Lexicon hygiene: entries are stored clean, keys are unique, references
resolve, countries cover CLDR, and no name points at two entities."""

import re
from collections import defaultdict

import pytest

from kg.lexicon import GIVEN_NAMES_FILE, LEXICON_FILES, _data_dir, load_entries, load_lexicon
from kg.text import clean, normalize_key

DATA = _data_dir()
ENTRIES = [(name, e) for name, coarse in LEXICON_FILES for e in load_entries(DATA / name, coarse)]
BAD_CHARS = re.compile("[\u064B-\u065F\u0670\u0640\uFB50-\uFDFF\uFE70-\uFEFF\u200B-\u200F\u202A-\u202E\u2066-\u2069]")
# codes CLDR lists as territories that are not countries
NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB", "XK", "AC", "CP", "DG", "EA", "IC", "TA", "CQ"}


def test_every_lexicon_file_is_present_and_loads():
    for name, _ in LEXICON_FILES:
        assert (DATA / name).is_file(), name
    assert (DATA / GIVEN_NAMES_FILE).is_file()
    lex = load_lexicon()
    assert len(lex.entries) == len(ENTRIES)  # keys are unique (load raises otherwise)
    counts = defaultdict(int)
    for _, e in ENTRIES:
        counts[e.type] += 1
    assert counts["Place"] > 500 and counts["Organization"] > 300 and counts["Person"] > 250, counts


@pytest.mark.parametrize("name,entry", ENTRIES, ids=[f"{n}:{e.key}" for n, e in ENTRIES])
def test_entry_is_stored_clean(name, entry):
    for text in entry.names + entry.nisba:
        assert text == clean(text), f"{text!r} is not clean"
        assert not BAD_CHARS.search(text), f"{text!r} has harakat, tatweel or controls"
        assert normalize_key(text), f"{text!r} has no word"
    assert entry.en.strip() == entry.en and entry.en
    if entry.wikidata:
        assert re.fullmatch(r"Q[1-9]\d*", entry.wikidata)
    else:
        assert re.fullmatch(r"[a-z0-9_]+", entry.key)


def test_references_resolve():
    lex = load_lexicon()
    import json

    for name, _ in LEXICON_FILES:
        for lineno, line in enumerate(open(DATA / name, encoding="utf-8"), 1):
            obj = json.loads(line)
            for ref in ("capital", "country"):
                if obj.get(ref):
                    assert obj[ref] in lex.entries, f"{name}:{lineno}: {ref} {obj[ref]} unknown"
            for role in obj.get("roles") or ():
                assert role["of"] in lex.entries, f"{name}:{lineno}: role of {role['of']} unknown"


def test_no_name_points_at_two_entities():
    owners = defaultdict(set)
    for _, e in ENTRIES:
        for text in e.names:
            owners[normalize_key(text)].add(e.key)
    clashes = {k: v for k, v in owners.items() if len(v) > 1}
    assert not clashes, clashes


def test_given_names_are_clean_and_unique():
    names = [ln.rstrip("\n") for ln in open(DATA / GIVEN_NAMES_FILE, encoding="utf-8")]
    assert len(names) > 800
    assert len(names) == len(set(names))
    for n in names:
        assert n == clean(n) and not BAD_CHARS.search(n), repr(n)


def test_countries_cover_cldr():
    babel = pytest.importorskip("babel")
    ar = babel.Locale("ar").territories
    rows = {e.key: e for _, e in ENTRIES if e.cls == "Country"}
    import json

    by_iso = {}
    for line in open(DATA / "countries.jsonl", encoding="utf-8"):
        obj = json.loads(line)
        by_iso[obj["iso2"]] = rows[obj["id"]]
    missing, unnamed = [], []
    for code, name in ar.items():
        if not re.fullmatch(r"[A-Z]{2}", code) or code in NOT_COUNTRIES:
            continue
        entry = by_iso.get(code)
        if entry is None:
            missing.append(code)
        elif normalize_key(clean(name)) not in {normalize_key(n) for n in entry.names}:
            unnamed.append((code, name))
    assert not missing, missing
    assert not unnamed, unnamed
