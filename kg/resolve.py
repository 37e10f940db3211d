"""Resolution: mentions → entities, within an article and across articles.

- A lexicon mention denotes its lexicon entry (keyed by Wikidata id or slug).
- Within an article, a shorter person name contained in a longer one (بوتين in
  فلاديمير بوتين, أوشاكوف in يوري أوشاكوف, also after a proclitic: لسركيسيان)
  denotes the same person, and a bare surname later in the text is added as a
  ``coref`` mention; a shorter organization name contained in exactly one longer
  one (سياك in سياك موتور كورب) denotes that organization.
- Across articles, entities the lexicon does not know are identified by type
  and the spelling-variant skeleton of their normalized name as the anchor shows
  it (without a proclitic it leaves out), عبد and أبو joined to the next word, so
  دميتري بيسكوف and ديمتري بيسكوف, عبد الفتاح يونس and عبدالفتاح يونس are one person.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .lexicon import Entry, Lexicon
from .recognize import Doc, Mention, Recognizer
from .text import clitic_variants, normalize, skeleton, token_key

COREF_CONFIDENCE = 0.8
#: types whose shorter names, within an article, denote the longer name that contains them
CONTAINED_TYPES = ("Person", "Organization")
MIN_CONTAINED = 3  # letters: آس (the newspaper) is no part of إي إس بي إن


@dataclass
class Entity:
    id: str  # lexicon key, or "Type:skeleton" for entities the lexicon does not know
    type: str
    cls: str
    entry: Entry | None = None
    labels: Counter = field(default_factory=Counter)  # surface forms of full names
    surfaces: set = field(default_factory=set)
    mentions: int = 0  # mentions that denote it
    articles: int = 0  # articles that mention it

    def merge_class(self, cls: str) -> None:
        # keep the most specific class seen; ties broken by name for determinism
        if self.cls == self.type or (cls != self.type and cls < self.cls):
            self.cls = cls


_JOINED = re.compile(r"(?:^|(?<= ))(عبد|ابو) ?(?:ال)?(?=\S)")


def _joined(name: str) -> str:
    """A name with عبد and أبو written together with the next word (عبد الفتاح يونس and
    عبدالفتاح يونس are one name; keys are normalized, so أبو is ابو)."""
    return _JOINED.sub(r"\1", name)


def _unmarked(text: str) -> str:
    """``text`` without hashtag marks (دونالد #ترمب، #محمود_عباس)."""
    if "#" in text or "_" in text:
        return " ".join(text.replace("#", " ").replace("_", " ").split())
    return text


def _keys(m: Mention) -> tuple[str, ...]:
    """The word keys of a mention's anchor: its name as the text shows it, without
    the proclitics the anchor leaves out (ومحمد حسين → محمد حسين); set from the
    article's tokens by :func:`resolve_article`."""
    return getattr(m, "_keys", None) or tuple(m.name.split())


def entity_id(m: Mention) -> str:
    if m.key:
        return m.key
    own = getattr(m, "_own_id", None)
    if own is None:
        own = m._own_id = f"{m.type}:{skeleton(_joined(' '.join(_keys(m))))}"  # type: ignore[attr-defined]
    return own


def _display(m: Mention) -> str:
    """A mention's text without proclitics the anchor kept (للولايات → الولايات)
    and without hashtag marks."""
    text = _unmarked(m.text)
    if text.startswith("لل") and not m.key:
        return "ال" + text[2:]
    return text


_CLUBS: dict[int, dict[str, str]] = {}
CLUB_HEAD = "نادي"


def club_names(lex: Lexicon) -> dict[str, str]:
    """The known sports clubs by the spelling skeleton of their name after نادي (نادي
    برشلونة → برشلونة), where that name is one club's: a club the recognizer finds as an
    organization by its bare name (a city's, which the lexicon keeps for the city) is that
    club."""
    if id(lex) not in _CLUBS:
        names: dict[str, set[str]] = {}
        for key, e in lex.entries.items():
            if e.cls != "SportsOrganization":
                continue
            for n in (e.ar, *e.aliases):
                words = normalize(n).text.split()
                if len(words) >= 2 and words[0] == CLUB_HEAD:
                    names.setdefault(skeleton(" ".join(token_key(w) for w in words[1:])), set()).add(key)
        _CLUBS[id(lex)] = {k: next(iter(v)) for k, v in names.items() if len(v) == 1}
    return _CLUBS[id(lex)]


def resolve_article(doc: Doc, mentions: list[Mention], rec: Recognizer) -> list[tuple[Mention, str]]:
    """Assign an entity id to each mention of one article, adding surname mentions."""
    lex: Lexicon = rec.lex
    for m in mentions:  # the anchor's word keys, from the article's tokens
        m._keys = rec._mention_keys(doc, m) or tuple(m.name.split())  # type: ignore[attr-defined]
    names = [m for m in mentions if m.type in CONTAINED_TYPES and m.is_name]
    # full names in this article, longest first, by their token keys
    seen: dict[str, list[tuple[tuple[str, ...], str, list[str]]]] = {typ: [] for typ in CONTAINED_TYPES}
    for m in sorted(names, key=lambda m: -(m.tok_end - m.tok_start)):
        keys = _keys(m)
        eid = entity_id(m)
        longer = [(sk, other) for k, other, sk in seen[m.type] if len(k) > len(keys)]
        if not m.key and longer and len("".join(keys)) >= MIN_CONTAINED:
            # contained in a longer name seen in this article → the same person; the
            # same organization where only one longer name contains it (سياك in سياك
            # موتور كورب; الاتحاد in both الاتحاد الأوروبي and الاتحاد الأفريقي is left alone)
            variants = [_skeletons(v) for v in _clitic_readings(keys)]
            hosts = [other for sk, other in longer
                     if any(_contains(sk, v, ends=m.type == "Person") for v in variants)]
            if hosts and (m.type == "Person" or len(set(hosts)) == 1):
                eid = hosts[0]
        seen[m.type].append((keys, eid, _skeletons(keys)))
        m.key = m.key or (eid if eid in lex.entries else "")
        m._eid = eid  # type: ignore[attr-defined]
    full = [(keys, eid) for keys, eid, _ in seen["Person"]]
    # a name written with a proclitic the anchor kept (وقنديل، لسياك) is the name found
    # without it in the same article, and one written as a known name of the article is
    # that name's entry (برشلونة the club, when نادي برشلونة is in the text)
    plain: dict[tuple[str, tuple[str, ...]], str] = {}
    for m in sorted(mentions, key=lambda m: not m.key):  # known names first
        if m.is_name:
            plain.setdefault((m.type, _keys(m)), getattr(m, "_eid", None) or entity_id(m))
    for m in mentions:
        # (a name the steps above did not join to another, whatever its type)
        if m.is_name and not m.key and getattr(m, "_eid", None) in (None, entity_id(m)):
            for variant in _clitic_readings(_keys(m)):
                if (eid := plain.get((m.type, variant))) not in (None, entity_id(m)):
                    m._eid = eid  # type: ignore[attr-defined]
                    m.key = eid if eid in lex.entries else ""
                    break
    clubs = club_names(lex)
    for m in mentions:
        if m.is_name and not m.key and m.type == "Organization" and getattr(m, "_eid", None) in (None, entity_id(m)) \
                and (club := clubs.get(skeleton(" ".join(_keys(m))))) is not None:
            m._eid = m.key = club  # type: ignore[attr-defined]
    # surnames of multi-word names → coref mentions of the same person
    surnames: dict[str, str] = {}
    for keys, eid in full:
        if len(keys) >= 2 and len(keys[-1]) >= 3:
            surnames.setdefault(keys[-1], eid)
    added = []
    if surnames:
        for t, tok in enumerate(doc.tokens):
            if doc.covered[t] is not None or not tok.is_word or rec.is_stop(tok.text):
                continue
            for prefix, key in clitic_variants(tok.text):
                if key in surnames:
                    m = rec._mention(doc, t, t + 1, prefix, type="Person", cls="Person",
                                     source="coref", confidence=COREF_CONFIDENCE, name=key)
                    m._eid = surnames[key]  # type: ignore[attr-defined]
                    added.append(m)
                    break
    out = []
    for m in sorted(mentions + added, key=lambda m: (m.begin, m.end)):
        eid = getattr(m, "_eid", None) or entity_id(m)
        out.append((m, eid))
    return out


def _clitic_readings(keys: tuple[str, ...]) -> list[tuple[str, ...]]:
    """A name's token keys as written, then with its first word's proclitics
    stripped (لسركيسيان → سركيسيان), which a model mention's anchor may keep."""
    return [keys] + [(first, *keys[1:]) for prefix, first in clitic_variants(keys[0]) if prefix and first]


def _skeletons(keys: tuple[str, ...]) -> list[str]:
    """A name's words as they are compared: عبد/أبو joined, spelling skeletons."""
    return [skeleton(k) for k in _joined(" ".join(keys)).split()]


def _contains(sk_long: list[str], sk_short: list[str], ends: bool = False) -> bool:
    """Whether a name occurs in a longer one (both as :func:`_skeletons`); with
    ``ends``, also whether it is a two-word name of the longer one's first and last
    words (محمود الضلعي in محمود يحيى الضلعي)."""
    n = len(sk_short)
    if ends and n == 2 and len(sk_long) > 2 and sk_short == [sk_long[0], sk_long[-1]]:
        return True
    return any(sk_long[i:i + n] == sk_short for i in range(len(sk_long) - n + 1))


def contribution(m: Mention, eid: str) -> tuple[str, str, str, str | None, bool]:
    """What one mention tells the registry: ``(entity id, type, class, surface
    or None when the mention is no name, whether the surface counts towards the
    label)``. A store keeps these per article to rebuild entity descriptions."""
    if not m.is_name:
        return eid, m.type, m.cls, None, False
    return eid, m.type, m.cls, _display(m), m.source != "coref"


class Registry:
    """All entities of a build, keyed by entity id, with their surface forms."""

    def __init__(self, lexicon: Lexicon):
        self.lex = lexicon
        self.entities: dict[str, Entity] = {}

    def add(self, m: Mention, eid: str) -> Entity:
        return self.add_contribution(*contribution(m, eid))

    def add_contribution(self, eid: str, type_: str, cls: str, surface: str | None,
                         counted: bool) -> Entity:
        """Record one mention of ``eid`` as :func:`contribution` describes it
        (the same whatever the order the mentions come in)."""
        ent = self.entities.get(eid)
        if ent is None:
            entry = self.lex.entries.get(eid)
            if entry:
                ent = Entity(eid, entry.type, entry.cls, entry)
            else:
                ent = Entity(eid, type_, cls)
            self.entities[eid] = ent
        elif ent.entry is None:
            ent.merge_class(cls)
        ent.mentions += 1
        if surface is None:
            return ent  # الرئيس الروسي is no name of Putin's
        ent.surfaces.add(surface)
        if counted:
            ent.labels[surface] += 1
        return ent

    def ensure(self, eid: str) -> None:
        """Make sure a lexicon entity a fact refers to (a role's country) is in the graph."""
        if eid not in self.entities and eid in self.lex.entries:
            entry = self.lex.entries[eid]
            self.entities[eid] = Entity(eid, entry.type, entry.cls, entry)

    def label(self, ent: Entity) -> str:
        """Arabic label: the lexicon's, else the longest most frequent full name."""
        if ent.entry:
            return ent.entry.ar
        pool = ent.labels or Counter(ent.surfaces)
        return min(pool, key=lambda s: (-len(s.split()), -pool[s], s))
