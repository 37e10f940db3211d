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
#: how many words a place introduced by في/بـ may stand from its trigger
PLACE_WINDOW = 10
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
    place_rank: int = 0  # 2: في/بـ + place after the trigger, 1: before it, 0: in the sentence
    date: str | None = None
    datatype: str | None = None
    planned: bool = False
    duration: str | None = None  # xsd:duration, e.g. PT50M
    initiator: str | None = None  # entity id (بطلب من X)
    background: bool = False  # introduced by بعد، ردا على …: before the clause's event
    #: (sentence, token, own date, background) of each mention merged into the event
    mentions: list[tuple[int, int, str | None, bool]] = field(default_factory=list)
    sentences: list[int] = field(default_factory=list)
    triggers: list[tuple[int, int]] = field(default_factory=list)  # original offsets
    first_token: int = 0

    def key(self, article: str) -> str:
        """Deterministic identity: across articles for an event of named people
        (a summit between Biden and Putin, with the date where one is known,
        whoever reports it); within ``article`` alone for an event of no named
        person, which nothing ties to another article's (keyed by type and date
        alone, every undated meeting of a year's news was one node of 400
        participants)."""
        parts = [self.type, self.date or "", ",".join(sorted(self.persons))]
        if not self.persons:
            parts.append(article)
        return hashlib.sha1("|".join(parts).encode("utf-8")).hexdigest()[:16]


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
    frames: frozenset[str]  # خلال، عقب …: the event that follows is a setting, not an object
    background: frozenset[str]  # بعد، عقب، على …: the event that follows happened before
    describe_type: str
    describe_verbs: frozenset[str]  # وصف، يصف (an entity object follows)
    describe_with_object: frozenset[str]  # وصفه، يصفهم (the object is a pronoun)
    relatives: frozenset[str]  # ما، التي …: ما وصفه بـ is "what he called", no statement
    place_heads: frozenset[str]  # مدينة، العاصمة …: في مدينة X
    clause_words: frozenset[str]  # what starts a new clause after a comma (و، ف)


@lru_cache(maxsize=1)
def load_event_types() -> _Triggers:
    data = json.loads((resources.files("kg") / "data" / "events.json").read_text("utf-8"))
    types, index = {}, {}
    for name, spec in data["types"].items():
        types[name] = EventType(name, spec["label"], spec["ar"], spec.get("cameo"))
        for trig in spec["triggers"]:
            index[tuple(normalize_key(trig).split())] = name
    tdata = json.loads((resources.files("kg") / "data" / "time.json").read_text("utf-8"))
    cues = json.loads((resources.files("kg") / "data" / "cues.json").read_text("utf-8"))
    units = {normalize(k).text: v for k, v in data["duration_units"].items()}
    duration_re = re.compile(
        r"(?<!\w)(?:و)?(?:" + "|".join(re.escape(normalize(w).text) for w in data["duration_words"])
        + r")\s+(?:نحو\s+|قرابه\s+|حوالي\s+)?(\d+)\s+(" + "|".join(map(re.escape, units)) + r")(?!\w)")
    return _Triggers(types, index, max(len(k) for k in index), frozenset(k[0] for k in index),
                     frozenset(normalize(w).text for w in tdata["future_words"]),
                     frozenset(normalize_key(w) for w in data.get("irrealis", [])),
                     duration_re, units,
                     tuple(tuple(normalize(w).text.split()) for w in data["initiator_words"]),
                     frozenset(normalize_key(w) for w in data["frame_words"]),
                     frozenset(normalize_key(w) for w in data["background_words"]),
                     data["describe"]["type"],
                     frozenset(normalize_key(w) for w in data["describe"]["verbs"]),
                     frozenset(normalize_key(w) for w in data["describe"]["with_object"]),
                     frozenset(normalize(w).text for w in data["describe"]["relatives"]),
                     frozenset(normalize_key(h["ar"]) for h in cues["place_heads"])
                     | frozenset(normalize_key(w) for w in data["place_words"]),
                     frozenset(normalize(w).text for w in data["clause_conjunctions"]))


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
            hit = None
            if toks[i].is_word and doc.covered[i] is None:
                hit = self._trigger_at(doc, i) or self._description_at(doc, i, eid_of)
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
            ev.place, ev.place_rank = self._place(doc, by_sent[sent], i, end, eid_of, ev.place)
            ev.background = self._preceded_by(doc, i, self.tr.background)
            ev.date, ev.datatype = self._date(doc, dates, by_sent[sent], i, end, ev.background)
            words = {t.text for t in (toks[k] for k in by_sent[sent])}
            ev.planned = bool(words & self.tr.future) or any(
                toks[k].text.startswith(("سي", "ست")) and token_key(toks[k].text[1:]) in self.tr.index
                for k in by_sent[sent])
            ev.first_token = i
            ev.mentions.append((sent, i, ev.date, ev.background))
            found.append(ev)
            i = end
        self._attach_details(doc, found, by_sent, eid_of, holders)
        events = self._merge(self._drop_embedded(doc, found))
        # an event nobody is named taking part in (in its sentence or the one
        # before), with neither place nor date, says too little to be a node
        return [ev for ev in events if ev.participants or ev.place or ev.date]

    def _before(self, doc: Doc, i: int) -> str | None:
        """The word right before token i in its sentence, or None."""
        k = i - 1
        if k < 0 or doc.sent_of_token[k] != doc.sent_of_token[i] or not doc.tokens[k].is_word:
            return None
        return doc.tokens[k].text

    def _preceded_by(self, doc: Doc, i: int, words: frozenset[str]) -> bool:
        """Token i is introduced by one of ``words``: the word before it (with its
        proclitics stripped: وبعد، وخلال) or the two words before it (على هامش)."""
        prev = self._before(doc, i)
        if prev is None:
            return False
        if any(k in words for _, k in clitic_variants(prev)):
            return True
        prev2 = self._before(doc, i - 1)
        return prev2 is not None and f"{token_key(prev2)} {token_key(prev)}" in words

    def _description_at(self, doc: Doc, i: int, eid_of):
        """وصف X بـ…، يصفه بأنه …: describing someone as something is a statement
        about them (CAMEO 01). The object is a pronoun on the verb or a name
        after it, and a word with بـ follows the object; describing a thing
        (وصف الاجتماع بأنه جيد) is no event."""
        toks = doc.tokens
        pronoun, verb = _describes(toks[i].text, self.tr.describe_with_object, self.tr.describe_verbs)
        if not pronoun and not verb:
            return None
        prev = self._before(doc, i)
        if prev is not None and prev in self.tr.relatives:
            return None
        sent = doc.sent_of_token[i]
        k, seen_object = i + 1, pronoun
        while k < min(len(toks), i + 8) and doc.sent_of_token[k] == sent:
            t, m = toks[k], doc.covered[k]
            if not t.is_word:
                if t.text not in "\"'«»“”":
                    return None
                k += 1
                continue
            if m is not None:
                if m.type not in ("Person", "Organization") and m.cls != "Country" or id(m) not in eid_of:
                    return None
                seen_object = True
                k = max(k + 1, m.tok_end)
                continue
            if t.text.startswith("ب") and seen_object:
                return i + 1, self.tr.describe_type
            if pronoun or seen_object:
                return None
            k += 1
        return None

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

    def _drop_embedded(self, doc: Doc, found: list[EventFact]) -> list[EventFact]:
        """An event noun that is what another event is about is not an event of
        its own: the talks an offer or an agreement is about (عرض … بشأن إجراء
        محادثات، اتفقا على إجراء محادثات), the sanctions a warning threatens
        (حذر من فرض عقوبات). An event that is the setting of another (اتفقا
        خلال مكالمة، حذره في اجتماع) is one."""
        out = []
        for ev in found:
            governed = any(o is not ev and o.sentences[0] == ev.sentences[0] and o.type in EMBEDDING
                           and ev.type in EMBEDDING[o.type] and o.first_token < ev.first_token
                           for o in found)
            if not governed or self._preceded_by(doc, ev.first_token, self.tr.frames):
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
        firsts = _first_words(self.tr.initiator_cues)
        for t in sent_tokens:
            if firsts is not None and toks[t].text not in firsts:
                continue
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

    def _clause(self, doc: Doc, sent_tokens: list[int], i: int) -> tuple[int, int]:
        """The character span of the clause of token i: its sentence cut at ؛
        and at a comma followed by a conjunction (، وردّ بوتين …)."""
        toks = doc.tokens
        cuts = [k for n, k in enumerate(sent_tokens[:-1]) if toks[k].text in (";", "؛") or (
            toks[k].text in (",", "،") and toks[sent_tokens[n + 1]].is_word
            and doc.covered[sent_tokens[n + 1]] is None
            and toks[sent_tokens[n + 1]].text[:1] in self.tr.clause_words)]
        lo = max((k for k in cuts if k < i), default=sent_tokens[0] - 1) + 1
        hi = min((k for k in cuts if k >= i), default=sent_tokens[-1] + 1) - 1
        return toks[lo].start, toks[hi].end

    def _date(self, doc: Doc, dates: list[Timex], sent_tokens: list[int], i: int, end: int,
              background: bool):
        """The date of the trigger's clause nearest to it (قال بايدن، الأربعاء
        …، قبل أن يصفه بـ…، وردّ بوتين، الخميس: Wednesday), else the nearest in
        the sentence. An event referred to as the background of another (بعد
        تصريحه، ردا على هجوم) takes only a date that follows it in its clause:
        the dates before it are the main event's."""
        toks = doc.tokens
        at, after = toks[i].start, toks[end - 1].end
        lo, hi = self._clause(doc, sent_tokens, i)
        inside = [d for d in dates if lo <= d.begin and d.end <= hi]
        if background:
            best = min((d for d in inside if d.begin >= after), key=lambda d: d.begin, default=None)
        else:
            if not inside:  # no date in the clause: the sentence's
                s_lo, s_hi = toks[sent_tokens[0]].start, toks[sent_tokens[-1]].end
                inside = [d for d in dates if s_lo <= d.begin and d.end <= s_hi]
            best = min(inside, key=lambda d: d.begin - after if d.begin >= after else at - d.end,
                       default=None)
        return (best.value, best.datatype) if best else (None, None)

    def _place(self, doc: Doc, sent_tokens: list[int], i: int, end: int, eid_of, fallback):
        """The place introduced by في or بـ nearest after the trigger (قمة استمرت 4
        ساعات في جنيف، في العاصمة السعودية الرياض), else before it, within
        PLACE_WINDOW words; else the first place the sentence names. Returns
        (place, rank): 2, 1 or 0 in that order."""
        toks = doc.tokens
        sent = doc.sent_of_token[i]
        best = None
        for t in sent_tokens:
            m = doc.covered[t]
            if m is None or m.tok_start != t or m.type != "Place" or m.cls == "Country":
                continue
            eid = eid_of.get(id(m))
            if eid is None:
                continue
            k = t - 1  # في [العاصمة] [السعودية] الرياض
            while k > max(t - 4, 0) and doc.sent_of_token[k] == sent and doc.covered[k] is None and (
                    token_key(toks[k].text) in self.tr.place_heads
                    or any(v in self.rec.lex.nisba for _, v in clitic_variants(toks[k].text))):
                k -= 1
            prev = toks[k].text if k >= 0 and doc.sent_of_token[k] == sent else ""
            own, stem = toks[t].text, normalize(m.text).text.split()[0]
            prefix = own[:-len(stem)] if own.endswith(stem) else ""
            introduced = prev in ("في", "وفي") or "ب" in prefix and k == t - 1
            near = sum(1 for x in range(end, t) if toks[x].is_word) <= PLACE_WINDOW if t >= end \
                else sum(1 for x in range(t, i) if toks[x].is_word) <= PLACE_WINDOW
            introduced = introduced and near
            if not introduced:
                continue
            rank = (2, -(t - end)) if t >= end else (1, t)
            if best is None or rank > best[0]:
                best = (rank, eid)
        if best:
            return best[1], best[0][0]
        return fallback, 0

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
                         and (o.date is None or ev.date is None or o.date == ev.date)
                         # غارات السبت ردا على هجوم: the attack answered came before
                         and not (ev.background and any(
                             s == ev.sentences[0] and t < ev.first_token and d and not b
                             for s, t, d, b in o.mentions))),
                        None)
            if same is None:
                out.append(ev)
                continue
            same.participants |= ev.participants
            same.persons |= ev.persons
            if ev.place and (same.place is None or ev.place_rank > same.place_rank):
                same.place, same.place_rank = ev.place, ev.place_rank
            if same.date is None:
                same.date, same.datatype = ev.date, ev.datatype
            same.planned = same.planned and ev.planned
            same.duration = same.duration or ev.duration
            same.initiator = same.initiator or ev.initiator
            same.sentences += ev.sentences
            same.triggers += ev.triggers
            same.mentions += ev.mentions
        for ev in out:
            ev.participants.discard(ev.place)
        return out


@lru_cache(maxsize=200_000)
def _describes(token: str, with_object: frozenset[str], verbs: frozenset[str]) -> tuple[bool, bool]:
    """Whether a token is a describing verb with a pronoun object, and whether it
    is one without (see :meth:`Events._description_at`)."""
    forms = {k for _, k in clitic_variants(token)}
    return bool(forms & with_object), bool(forms & verbs)


@lru_cache(maxsize=16)
def _first_words(cues: tuple[tuple[str, ...], ...]) -> frozenset[str] | None:
    """The words cues start with (None if a cue is empty: then any token may start one)."""
    return frozenset(c[0] for c in cues) if all(cues) else None
