"""Roles and quotations of one article, from its resolved mentions.

Roles (W3C ORG memberships) come from titles next to a person: before the name
(الرئيس الروسي فلاديمير بوتين، السفير الروسي لدى واشنطن، أناتولي أنطونوف) or after it
in apposition (دميتري بيسكوف، المتحدث باسم الكرملين; يوري أوشاكوف مستشار بوتين).
A title's complements say what the role is held in or for: a nationality
adjective (الروسي), باسم X, a name in construct (سفير روسيا، مستشار بوتين); لدى X
names an ambassador's host country.

Quotations are the words between quotation marks after a reporting verb,
attributed to the verb's subject, to the holder of a title used as subject
(المتحدثة باسم البيت الأبيض), or, when the subject is dropped (وتابع: "…"), to the
article's last speaker.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass

from .recognize import COMMAS, Doc, Mention, Recognizer
from .text import clitic_variants

#: roles held in a country; with no complement, the article's main country
COUNTRY_ROLES = {"president", "prime minister", "foreign minister", "defence minister", "minister",
                 "opposition leader", "vice president", "king", "emir", "crown prince", "sultan"}
#: roles held for a person: a name right after the title is whom they serve
PERSON_ROLES = {"adviser"}
#: roles of the closed list the graph speaks of (others are titles, not roles)
ROLES = COUNTRY_ROLES | PERSON_ROLES | {"spokesperson", "ambassador", "leader", "secretary-general",
                                         "envoy", "representative", "supreme leader", "director",
                                         "chancellor", "governor", "mayor", "speaker"}


@dataclass(frozen=True)
class RoleFact:
    person: str  # entity id
    role: str  # English label from ROLES
    of: str | None  # entity id of the organization, country or person
    to: str | None  # host country of an ambassador
    sentence: int
    begin: int  # evidence span (title through name) in the original text
    end: int


@dataclass(frozen=True)
class QuoteFact:
    speaker: str | None  # entity id
    text: str
    begin: int  # offsets of the quoted words (without the marks)
    end: int
    sentence: int
    cue: str | None  # the reporting verb as written


class Relations:
    def __init__(self, rec: Recognizer):
        self.rec = rec
        self.lex = rec.lex

    # ------------------------------------------------------------ roles
    def roles(self, doc: Doc, resolved: list[tuple[Mention, str]]) -> list[RoleFact]:
        eid_of = {id(m): eid for m, eid in resolved}
        main_country = self._main_country(resolved)
        toks = doc.tokens
        out: list[RoleFact] = []
        i = 0
        while i < len(toks):
            hit = self.rec._title_at(doc, i) if toks[i].is_word and doc.covered[i] is None else None
            if not hit:
                i += 1
                continue
            tend, role = hit
            sent = doc.sent_of_token[i]
            scan = self.rec.scan_title(doc, tend, sent, serves_person=role in PERSON_ROLES,
                                       entity=lambda m: eid_of.get(id(m)))
            j, of, to, served = scan.end, scan.of, scan.to, scan.served
            holder = None
            k = j + 1 if j < len(toks) and toks[j].text in COMMAS else j
            if k < len(toks) and doc.sent_of_token[k] == sent and doc.covered[k] is not None \
                    and doc.covered[k].type == "Person" and doc.covered[k].tok_start == k:
                holder, end_tok = doc.covered[k], doc.covered[k].tok_end
                start_tok = i
            else:
                b = i - 1
                comma = b >= 0 and toks[b].text in COMMAS
                if comma:
                    b -= 1
                # NAME، المتحدث باسم …  or  NAME سفير روسيا … ; not "حذر بوتين الرئيس الأميركي"
                if (comma or not self.rec.definite(doc, i)) \
                        and b >= 0 and doc.sent_of_token[b] == sent and doc.covered[b] is not None \
                        and doc.covered[b].type == "Person" and doc.covered[b].tok_end == b + 1:
                    holder, start_tok, end_tok = doc.covered[b], doc.covered[b].tok_start, j
            if holder is not None and role in ROLES:
                person = eid_of.get(id(holder))
                if role in PERSON_ROLES:
                    of = served or of
                if of is None:
                    of = self._lexicon_of(person, role) or (main_country if role in COUNTRY_ROLES else None)
                if person and of and of != person:
                    b0, _ = doc.norm.span(toks[start_tok].start, toks[start_tok].end)
                    _, e0 = doc.norm.span(toks[end_tok - 1].start, toks[end_tok - 1].end)
                    out.append(RoleFact(person, role, of, to if role == "ambassador" else None, sent, b0, e0))
            i = max(i + 1, tend)
        return sorted(set(out), key=lambda r: (r.begin, r.person, r.role))

    def _lexicon_of(self, person: str | None, role: str) -> str | None:
        entry = self.lex.entries.get(person or "")
        if entry:
            for r in entry.roles:
                if r.role == role:
                    return r.of
        return None

    @staticmethod
    def _main_country(resolved) -> str | None:
        counts = Counter(eid for m, eid in resolved if m.cls == "Country")
        if not counts:
            return None
        return min(counts, key=lambda e: (-counts[e], e))

    # ------------------------------------------------------------ quotes
    _QUOTE = re.compile(r'«([^»]+)»|“([^”]+)”|"([^"\n]+)"|„([^“”\n]+)[“”]')

    def quotes(self, doc: Doc, resolved: list[tuple[Mention, str]], roles: list[RoleFact]) -> list[QuoteFact]:
        eid_of = {id(m): eid for m, eid in resolved}
        holders = {}
        for r in roles:
            holders.setdefault((r.role, r.of), r.person)
        text = doc.text
        starts = [doc.norm.span(t.start, t.end)[0] for t in doc.tokens]
        out = []
        last_speaker = None
        subjects = self._sentence_subjects(doc, eid_of, holders)
        for m in self._QUOTE.finditer(text):
            g = next(k for k in range(1, 5) if m.group(k) is not None)
            raw_b, raw_e = m.start(g), m.end(g)
            inner = m.group(g)
            b = raw_b + (len(inner) - len(inner.lstrip()))
            e = raw_e - (len(inner) - len(inner.rstrip()))
            quoted = text[b:e]
            if len(quoted.split()) < 3:
                continue  # a term in quotation marks, not a quotation
            qtok = bisect.bisect_left(starts, m.start())
            if qtok >= len(doc.tokens):
                continue
            sent = doc.sent_of_token[qtok]
            previous = next((subjects[k] for k in range(sent - 1, -1, -1) if subjects.get(k)), None)
            speaker, cue, found_verb = self._speaker(doc, qtok, sent, eid_of, holders,
                                                     previous or last_speaker)
            if not found_verb:
                continue
            last_speaker = speaker or last_speaker
            if speaker:
                subjects[sent] = speaker
            out.append(QuoteFact(speaker, quoted, b, e, sent, cue))
        return out

    def _sentence_subjects(self, doc, eid_of, holders) -> dict[int, str]:
        """Per sentence, who speaks in it: the subject after a reporting verb, or
        the first person named before one (وكان أناتولي أنطونوف … قد حذر)."""
        verbs = self.rec.cues.verbs
        out: dict[int, str] = {}
        first_person: dict[int, str] = {}
        for t, tok in enumerate(doc.tokens):
            sent = doc.sent_of_token[t]
            m = doc.covered[t]
            if m is not None and m.type == "Person" and sent not in first_person:
                first_person[sent] = eid_of.get(id(m))
            if sent in out or not tok.is_word or not any(k in verbs for _, k in clitic_variants(tok.text)):
                continue
            subj = self._subject_after(doc, t + 1, sent, eid_of, holders) or first_person.get(sent)
            if subj:
                out[sent] = subj
        return out

    def _speaker(self, doc, qtok, sent, eid_of, holders, last_speaker):
        """(speaker, cue verb, whether a reporting verb introduces the quote)."""
        toks = doc.tokens
        verbs = self.rec.cues.verbs
        first = qtok
        while first > 0 and doc.sent_of_token[first - 1] == sent:
            first -= 1
        verb_positions = [t for t in range(first, qtok) if toks[t].is_word
                          and any(k in verbs for _, k in clitic_variants(toks[t].text))]
        if not verb_positions:
            return None, None, False
        subjects = []
        for v in verb_positions:
            subj = self._subject_after(doc, v + 1, sent, eid_of, holders)
            if subj is None and v > first:
                subj = self._subject_before(doc, v, first, eid_of)
            subjects.append(subj)
        cue_pos = verb_positions[-1]
        b, e = doc.norm.span(toks[cue_pos].start, toks[cue_pos].end)
        cue = doc.text[b:e]
        # the verb closest to the quote, else the first clause's subject, else the last speaker
        speaker = subjects[-1] or next((s for s in subjects if s), None) or last_speaker
        return speaker, cue, True

    def _subject_after(self, doc, t, sent, eid_of, holders):
        toks = doc.tokens
        if t >= len(toks) or doc.sent_of_token[t] != sent:
            return None
        m = doc.covered[t]
        if m is not None and m.tok_start == t and m.type in ("Person", "Organization"):
            return eid_of.get(id(m))
        hit = self.rec._title_at(doc, t) if toks[t].is_word else None
        if hit:  # a title as subject: the person named after it, or its holder in this article
            tend, role = hit
            scan = self.rec.scan_title(doc, tend, sent, entity=lambda m: eid_of.get(id(m)))
            after = doc.covered[scan.end] if scan.end < len(toks) else None
            if after is not None and after.type == "Person" and doc.sent_of_token[scan.end] == sent:
                return eid_of.get(id(after))
            return holders.get((role, scan.of))
        return None

    def _subject_before(self, doc, v, first, eid_of):
        m = doc.covered[v - 1] if v - 1 >= first else None
        if m is not None and m.type in ("Person", "Organization") and m.tok_start == first:
            return eid_of.get(id(m))  # بوتين ذكر …
        return None
