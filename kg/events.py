"""Events: triggers (``kg/data/events.json``) with participants, place and date
from the sentence they occur in.

- Participants: the people, organizations and countries the sentence names
  (a title used as a name, الرئيس الروسي, counts for its holder in the article);
  if the sentence names none, those of the sentence before.
- Place: the first place in the sentence that is not a country or a participant.
- Date: the date expression of the sentence closest to the trigger
  (:mod:`kg.timex`), with the precision the text gives.
- Planned: the sentence speaks of the future (المقرر، سيعقد، المقبل).
- Within an article, mentions of the same type with compatible dates are one
  event. Across articles, events are identified by type, date and their
  people and organizations, so one summit reported twice is one node, and two
  calls on different dates are two.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from .recognize import Doc, Mention, Recognizer, phrase_at
from .relations import RoleFact
from .text import clitic_variants, normalize, normalize_key, token_key
from .timex import Timex, find_dates


#: event types whose object may be another event: (governing type → embedded types)
EMBEDDING = {
    "Agreement": {"Negotiation", "Meeting", "Summit", "Visit", "PhoneCall", "VideoCall"},
    "Proposal": {"Negotiation", "Meeting", "Summit", "Visit", "PhoneCall", "VideoCall"},
    "Threat": {"Sanction", "Attack", "Expulsion"},
    "Accusation": {"Attack"},
}
#: a more generic type folded into a more specific one reported in the same article
FOLDS = {"Meeting": ("Summit", "Visit", "PhoneCall", "VideoCall")}


@dataclass(frozen=True)
class EventType:
    name: str  # class local name, e.g. PhoneCall
    label: str  # English label
    ar: str
    cameo: str | None


@dataclass
class EventFact:
    type: str
    participants: set[str] = field(default_factory=set)
    persons: set[str] = field(default_factory=set)  # the participants who are people
    place: str | None = None
    date: str | None = None
    datatype: str | None = None
    planned: bool = False
    duration: str | None = None  # xsd:duration, e.g. PT50M
    initiator: str | None = None  # entity id (بطلب من X)
    sentences: list[int] = field(default_factory=list)
    triggers: list[tuple[int, int]] = field(default_factory=list)  # original offsets
    first_token: int = 0

    def key(self) -> str:
        """Deterministic identity across articles."""
        raw = "|".join([self.type, self.date or "", ",".join(sorted(self.persons))])
        return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:16]


@dataclass
class _Triggers:
    types: dict[str, EventType]
    index: dict[tuple[str, ...], str]
    max_len: int
    firsts: frozenset[str]
    future: frozenset[str]
    irrealis: frozenset[str]
    duration_re: re.Pattern
    units: dict[str, str]
    initiator_cues: tuple[tuple[str, ...], ...]


@lru_cache(maxsize=1)
def load_event_types() -> _Triggers:
    data = json.loads((resources.files("kg") / "data" / "events.json").read_text("utf-8"))
    types, index = {}, {}
    for name, spec in data["types"].items():
        types[name] = EventType(name, spec["label"], spec["ar"], spec.get("cameo"))
        for trig in spec["triggers"]:
            index[tuple(normalize_key(trig).split())] = name
    tdata = json.loads((resources.files("kg") / "data" / "time.json").read_text("utf-8"))
    units = {normalize(k).text: v for k, v in data["duration_units"].items()}
    duration_re = re.compile(
        r"(?<!\w)(?:و)?(?:" + "|".join(re.escape(normalize(w).text) for w in data["duration_words"])
        + r")\s+(?:نحو\s+|قرابه\s+|حوالي\s+)?(\d+)\s+(" + "|".join(map(re.escape, units)) + r")(?!\w)")
    return _Triggers(types, index, max(len(k) for k in index), frozenset(k[0] for k in index),
                     frozenset(normalize(w).text for w in tdata["future_words"]),
                     frozenset(normalize_key(w) for w in data.get("irrealis", [])),
                     duration_re, units,
                     tuple(tuple(normalize(w).text.split()) for w in data["initiator_words"]))


class Events:
    def __init__(self, rec: Recognizer):
        self.rec = rec
        self.tr = load_event_types()

    def _trigger_at(self, doc: Doc, i: int):
        """An event trigger starting at token i: (end, type) or None."""
        return phrase_at(doc.tokens, i, self.tr.index, self.tr.firsts, self.tr.max_len)

    def extract(self, doc: Doc, resolved: list[tuple[Mention, str]], roles: list[RoleFact],
                published=None) -> list[EventFact]:
        eid_of = {id(m): eid for m, eid in resolved}
        holders = {}
        for r in roles:
            holders.setdefault((r.role, r.of), r.person)
        dates = find_dates(doc.norm.text, published)
        toks = doc.tokens
        by_sent: dict[int, list[int]] = {}
        for t, s in enumerate(doc.sent_of_token):
            by_sent.setdefault(s, []).append(t)
        found: list[EventFact] = []
        i = 0
        while i < len(toks):
            hit = self._trigger_at(doc, i) if toks[i].is_word and doc.covered[i] is None else None
            if not hit:
                i += 1
                continue
            end, typ = hit
            sent = doc.sent_of_token[i]
            if self._irrealis(doc, i, sent):
                i = end
                continue
            ev = EventFact(typ, sentences=[sent])
            b, _ = doc.norm.span(toks[i].start, toks[i].end)
            _, e = doc.norm.span(toks[end - 1].start, toks[end - 1].end)
            ev.triggers.append((b, e))
            self._fill(doc, ev, by_sent, sent, eid_of, holders)
            if not ev.participants and sent - 1 in by_sent:
                self._fill(doc, ev, by_sent, sent - 1, eid_of, holders, place=False)
            ev.date, ev.datatype = self._date(doc, dates, by_sent[sent], toks[i].start)
            words = {t.text for t in (toks[k] for k in by_sent[sent])}
            ev.planned = bool(words & self.tr.future) or any(
                toks[k].text.startswith(("سي", "ست")) and token_key(toks[k].text[1:]) in self.tr.index
                for k in by_sent[sent])
            ev.first_token = i
            found.append(ev)
            i = end
        self._attach_details(doc, found, by_sent, eid_of, holders)
        return self._merge(self._drop_embedded(found))

    def _attach_details(self, doc, found, by_sent, eid_of, holders) -> None:
        """A duration (استمرت 50 دقيقة) or an initiator (بطلب من …) belongs to the
        nearest trigger before it in its sentence."""
        for sent in sorted({ev.sentences[0] for ev in found}):
            evs = [ev for ev in found if ev.sentences[0] == sent]
            dur = self._duration(doc, by_sent[sent])
            if dur:
                pos, value = dur
                owner = max((ev for ev in evs if doc.tokens[ev.first_token].start < pos),
                            key=lambda ev: ev.first_token, default=None)
                if owner:
                    owner.duration = value
            ini = self._initiator(doc, by_sent[sent], eid_of, holders)
            if ini:
                pos, eid = ini
                owner = max((ev for ev in evs if ev.first_token < pos),
                            key=lambda ev: ev.first_token, default=None)
                if owner:
                    owner.initiator = eid

    @staticmethod
    def _drop_embedded(found: list[EventFact]) -> list[EventFact]:
        """An event noun that is what another event is about is not an event of
        its own: the talks an offer or an agreement is about (عرض … بشأن إجراء
        محادثات، اتفقا على إجراء محادثات), the sanctions a warning threatens
        (حذر من فرض عقوبات)."""
        out = []
        for ev in found:
            governed = any(o is not ev and o.sentences[0] == ev.sentences[0] and o.type in EMBEDDING
                           and ev.type in EMBEDDING[o.type] and o.first_token < ev.first_token
                           for o in found)
            if not governed:
                out.append(ev)
        return out

    def _duration(self, doc: Doc, sent_tokens: list[int]) -> tuple[int, str] | None:
        """استمرت 50 دقيقة → (where, PT50M); قمة استمرت 4 ساعات → PT4H."""
        lo, hi = doc.tokens[sent_tokens[0]].start, doc.tokens[sent_tokens[-1]].end
        m = self.tr.duration_re.search(doc.norm.text, lo, hi)
        if not m:
            return None
        unit = self.tr.units[m.group(2)]
        return m.start(), (f"P{m.group(1)}D" if unit == "D" else f"PT{m.group(1)}{unit}")

    def _initiator(self, doc: Doc, sent_tokens: list[int], eid_of, holders) -> tuple[int, str] | None:
        """بطلب من X: (the cue's token, X), X a name or a title whose holder the article names."""
        toks = doc.tokens
        for t in sent_tokens:
            for cue in self.tr.initiator_cues:
                k = t + len(cue)
                if tuple(x.text for x in toks[t:k]) != cue or k >= len(toks):
                    continue
                m = doc.covered[k]
                who = None
                if m is not None and m.type in ("Person", "Organization"):
                    who = eid_of.get(id(m))
                hit = self.rec._title_at(doc, k) if m is None else None
                if hit:
                    scan = self.rec.scan_title(doc, hit[0], doc.sent_of_token[k],
                                               entity=lambda x: eid_of.get(id(x)))
                    who = holders.get((hit[1], scan.of))
                if who:
                    return t, who
        return None

    def _irrealis(self, doc: Doc, i: int, sent: int) -> bool:
        """A wanted, feared or possible event (ينبغي أن يجري محادثات، المخاوف بشأن فرض عقوبات)."""
        for k in range(max(0, i - 3), i):
            if doc.sent_of_token[k] == sent and any(
                    x in self.tr.irrealis for _, x in clitic_variants(doc.tokens[k].text)):
                return True
        return False

    def _fill(self, doc, ev, by_sent, sent, eid_of, holders, place=True):
        toks = doc.tokens
        seen = set()
        for t in by_sent[sent]:
            m = doc.covered[t]
            if m is not None and id(m) not in seen:
                seen.add(id(m))
                eid = eid_of.get(id(m))
                if eid is None:
                    continue
                if m.type in ("Person", "Organization") or m.cls == "Country":
                    ev.participants.add(eid)
                    if m.type == "Person":
                        ev.persons.add(eid)
                elif place and m.type == "Place" and ev.place is None:
                    ev.place = eid
            elif m is None and toks[t].is_word:
                nisba = next((self.rec.lex.nisba[k] for _, k in clitic_variants(toks[t].text)
                              if k in self.rec.lex.nisba), None)
                if nisba:  # السفير الروسي: Russia takes part
                    ev.participants.add(nisba)
                    continue
                hit = self.rec._title_at(doc, t)
                if hit:  # الرئيس الروسي (no name): the holder of that title in the article
                    scan = self.rec.scan_title(doc, hit[0], sent, entity=lambda m: eid_of.get(id(m)))
                    holder = holders.get((hit[1], scan.of))
                    if holder:
                        ev.participants.add(holder)
                        ev.persons.add(holder)

    @staticmethod
    def _date(doc: Doc, dates: list[Timex], sent_tokens: list[int], at: int):
        lo = doc.tokens[sent_tokens[0]].start
        hi = doc.tokens[sent_tokens[-1]].end
        inside = [d for d in dates if lo <= d.begin and d.end <= hi]
        if not inside:
            return None, None
        best = min(inside, key=lambda d: abs(d.begin - at))
        return best.value, best.datatype

    @staticmethod
    def _merge(found: list[EventFact]) -> list[EventFact]:
        out: list[EventFact] = []
        # "the meeting" in an article about a summit, visit or call is that event
        for ev in found:
            if ev.type in FOLDS:
                host = next((o for o in found if o.type in FOLDS[ev.type] and o.persons & ev.persons
                             and (o.date is None or ev.date is None or o.date == ev.date)), None)
                if host is not None:
                    ev.type = host.type
        for ev in found:
            same = next((o for o in out if o.type == ev.type
                         and (o.date is None or ev.date is None or o.date == ev.date)), None)
            if same is None:
                out.append(ev)
                continue
            same.participants |= ev.participants
            same.persons |= ev.persons
            same.place = same.place or ev.place
            if same.date is None:
                same.date, same.datatype = ev.date, ev.datatype
            same.planned = same.planned and ev.planned
            same.duration = same.duration or ev.duration
            same.initiator = same.initiator or ev.initiator
            same.sentences += ev.sentences
            same.triggers += ev.triggers
        for ev in out:
            ev.participants.discard(ev.place)
        return out
