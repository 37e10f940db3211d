"""Recognition: find mentions of people, organizations and places in one text.

Recognizers run in a fixed order of precedence (:meth:`Recognizer.recognize`),
each over the tokens the previous ones left free:

1. ``lexicon`` – longest match of known names and aliases (confidence 0.95);
2. ``cue`` – titles and appositions (الرئيس …، … المتحدث باسم …), then a bare
   title standing for its holder on the article's date (الرئيس الروسي), then
   heads of organization names (وزارة، حزب، صحيفة "…");
3. ``model`` – the statistical model (the network of :mod:`kg.neural`, or the
   CRF of :mod:`kg.ner`), for names no list or cue knows;
4. ``cue`` – heads of place names (مدينة، ولاية …);
5. document consistency (:meth:`Recognizer.propagate`) – a name found once is a
   mention wherever else it stands, a person's surname alone a ``coref`` one;
   and last a country the text names only by its adjective.

Mentions carry exact offsets into the original text and a confidence.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from .lexicon import MIN_SKELETON_WORD, Lexicon, load_lexicon
from .text import (
    Normalized, Token, clitic_readings, clitic_variants, normalize, normalize_key, sentences, skeleton, token_key,
    tokenize,
)

LEXICON_CONFIDENCE = 0.95
SKELETON_CONFIDENCE = 0.85  # a lexicon name matched through a spelling variant
MIN_STRIPPED_STEM = 3  # بلد is not ب + لد
OPEN_QUOTES = {'"', "“", "«", "„", "'"}
CLOSE_QUOTES = {'"', "”", "»", "“", "'"}
_STRIP_MARKS = {c: None for c in range(0x064B, 0x0660)} | {0x0640: None, 0x0670: None}
GIVEN_NAME_CONFIDENCE = 0.85
ADJECTIVE_CONFIDENCE = 0.5
TITLE_REFERENCE_CONFIDENCE = 0.6  # الرئيس الروسي → the president of Russia on the article's date
FORMER = {"سابق", "سابقه", "اسبق", "راحل", "راحله"}
#: model mentions less sure than this are dropped (places below 0.75 were mostly common words
#: in a sample of the news corpus; people and organizations there were mostly right)
MODEL_MIN_CONFIDENCE = {"Person": 0.5, "Organization": 0.5, "Place": 0.75}  # a country referred to only by its adjective
COMMAS = {"،", ","}
PLACE_BEFORE_PLACE_FIRST = True
STATE_HEADS = {"دوله", "مملكه", "سلطنه", "اماره"}  # دولة الكويت، سلطنة عمان: the name follows
#: a model span at least this sure decides the extent of a lexicon or cue mention it overlaps
RECONCILE_MIN_CONFIDENCE = 0.8
#: a cue mention this weak (a name of unknown words) is dropped where the model is at
#: least this sure that none of its words is part of a name
WEAK_CUE = 0.7
VETO_MIN_CONFIDENCE = 0.9
VETO_TYPES = {"Organization", "Place"}  # a title before a known given name is evidence enough
#: a title's name of two unknown words (confidence WEAK_CUE: رئيس للوزراء | فسيتم حله،
#: الرئيس التركي | جبال قنديل) is dropped where the model is sure its words are no name,
#: or reads them as a name of another type
VETO_WEAK_TITLES = True
#: the veto also holds for the places after a head (المدينة X), found after the model
VETO_LATE_PLACES = True
#: an organization cue's name stops before a known name carrying a proclitic (الحزب ولبنان،
#: لجنة الطاقة بمجلس النواب) and before a plural adjective (الحزب الباكستانيين)
ORG_CLITIC_BREAK = True
ORG_PLURAL_BREAK = True
NO_SHRINK: set[str] = set()
#: a model span this sure may start or end with a cue word (السيد is also a surname)
EDGE_MIN_CONFIDENCE = 0.9
EDGE_TYPES = {"Person"}
#: where a model span this sure has the extent of a lexicon mention but another type
#: among these (lexicon type, model type), the model's reading wins
RETYPE_MIN_CONFIDENCE = 0.9
RETYPE = {("Place", "Organization")}
SPLIT_PERSON_LISTS = True
#: ... except after a lone known given name, before a word that is no given name after its
#: و (داني ويلبك، جافين وليامسون: one name; رمزي وفؤاد: two)
SPLIT_KEEPS_GIVEN_NAME = True
#: one sense per article: where the model reads a city's name as an organization
#: (RETYPE_MIN_CONFIDENCE) somewhere in an article, the lexicon's other mentions of that
#: name there are the organization too (ليفربول the club, in a match report)
RETYPE_IN_DOCUMENT = True
#: document consistency (:meth:`Recognizer.propagate`): a name found with at least this
#: confidence is a mention wherever else the same words occur in the text, and so is a
#: person's surname (confidence of the propagated mentions: PROPAGATED_CONFIDENCE)
PROPAGATE = True
PROPAGATE_MIN_CONFIDENCE = 0.7
PROPAGATED_CONFIDENCE = 0.75
MIN_SURNAME = 3
_PRONOUN_SUFFIXES = ("ه", "ها", "هم", "هما", "هن", "نا", "كم", "ك")


@dataclass
class Mention:
    """A recognized mention; ``begin``/``end`` index the original text."""

    begin: int
    end: int
    text: str
    type: str  # Person | Organization | Place
    cls: str
    source: str  # lexicon | cue | coref
    confidence: float
    key: str = ""  # lexicon entry key when known
    name: str = ""  # normalized name key (for entities the lexicon does not know)
    sentence: int = 0
    tok_start: int = 0
    tok_end: int = 0
    title: tuple[str | None, str | None] | None = None  # (role, of-key) from a title cue
    is_name: bool = True  # False for a title standing for a person (its words are no name)


@dataclass(frozen=True)
class TitleScan:
    """What follows a title: where its complements end and whom it is of."""

    end: int
    of: str | None
    to: str | None  # the host country after لدى
    served: str | None  # the person a role is held for (مستشار بوتين)


@dataclass
class Cues:
    titles: dict[tuple[str, ...], str | None]
    title_max: int
    title_firsts: frozenset[str]
    title_complements: frozenset[str]
    org_heads: dict[str, dict]
    org_generic: frozenset[str]
    place_heads: dict[str, dict]
    place_preps: frozenset[str]
    verbs: frozenset[str]
    stop: frozenset[str]
    connectors: frozenset[str]
    host_words: frozenset[str]
    directions: frozenset[str]  # جنوبي، غربي: after a place name, not part of it
    group_plurals: frozenset[str] = frozenset()  # الروس، الأكراد: peoples, no person's name


def _keys(text: str) -> tuple[str, ...]:
    return tuple(normalize_key(text).split())


@lru_cache(maxsize=2)
def load_cues() -> Cues:
    data = json.loads((resources.files("kg") / "data" / "cues.json").read_text("utf-8"))
    titles = {_keys(t["ar"]): t["role"] for t in data["person_titles"]}
    return Cues(
        titles=titles,
        title_max=max(len(k) for k in titles),
        title_firsts=frozenset(k[0] for k in titles),
        title_complements=frozenset(k for w in data["title_complements"] for k in _keys(w)),
        org_heads={_keys(h["ar"])[0]: h for h in data["org_heads"]},
        org_generic=frozenset(k for w in data["org_generic_complements"] for k in _keys(w)),
        place_heads={_keys(h["ar"])[0]: h for h in data["place_heads"]},
        place_preps=frozenset(k for w in data["place_prepositions"] for k in _keys(w)),
        verbs=frozenset(k for w in data["reporting_verbs"] for k in _keys(w)),
        stop=frozenset(k for w in data["stopwords"] for k in _keys(w)),
        connectors=frozenset(normalize(w).text for w in data["name_connectors"]),
        host_words=frozenset(k for w in data["host_words"] for k in _keys(w)),
        directions=frozenset(k for w in data["directions"] for k in _keys(w)),
        group_plurals=frozenset(k for w in data.get("group_plurals", ()) for k in _keys(w)),
    )


@lru_cache(maxsize=1)
def load_role_labels() -> dict[str, str]:
    """Arabic labels of the roles' English names."""
    data = json.loads((resources.files("kg") / "data" / "cues.json").read_text("utf-8"))
    return data.get("role_labels", {})


@dataclass
class Doc:
    """A text prepared for recognition."""

    norm: Normalized
    tokens: list[Token]
    sent_of_token: list[int]
    sentence_spans: list[tuple[int, int]]
    covered: list[Mention | None] = field(default_factory=list)
    lex_tags: list[str] | None = None  # the lexicon's BIO tag of each token
    #: the title starting at each token, of the cues it was found with (see
    #: :meth:`Recognizer._title_at`: several recognizers ask for each token)
    titles: tuple[Cues, list] | None = None

    @property
    def text(self) -> str:
        return self.norm.original


def prepare(text: str) -> Doc:
    norm = normalize(text)
    tokens = tokenize(norm.text)
    spans = sentences(text)
    sent_of_token = []
    si = 0
    for tok in tokens:
        begin = norm.span(tok.start, tok.end)[0]
        while si + 1 < len(spans) and begin >= spans[si + 1][0]:
            si += 1
        sent_of_token.append(si)
    return Doc(norm, tokens, sent_of_token, spans, [None] * len(tokens))


def phrase_at(toks: list[Token], i: int, table: dict, firsts: frozenset[str], max_len: int):
    """The longest phrase of ``table`` (keyed by token keys, the first word with
    its clitics stripped) starting at token ``i``: ``(end, value)`` or None."""
    starts = _phrase_starts(toks[i].text, firsts)
    if not starts:
        return None
    rest = tuple(token_key(t.text) for t in toks[i + 1:i + max_len])
    for first in starts:
        for n in range(min(max_len, len(toks) - i), 0, -1):
            keys = (first, *rest[:n - 1])
            if keys in table:
                return i + n, table[keys]
    return None


@lru_cache(maxsize=200_000)
def _phrase_starts(token: str, firsts: frozenset[str]) -> tuple[str, ...]:
    """The keys of ``token`` (see :func:`kg.text.clitic_variants`) that are in ``firsts``."""
    return tuple(first for _, first in clitic_variants(token) if first in firsts)


def lexicon_spans(lex: Lexicon, words: list[str], sent_of_token: list[int] | None = None):
    """Longest lexicon matches over normalized tokens: ``(i, j, key, prefix,
    confidence)`` for tokens ``[i, j)``, trying each first token's clitic
    readings (least stripped first), then spelling skeletons. Matches never
    cross a sentence boundary."""
    sents = sent_of_token or [0] * len(words)
    i = 0
    while i < len(words):
        found = None
        if words[i][:1].isalnum():
            for prefix, first in clitic_readings(words[i]):
                if prefix and len(first) < MIN_STRIPPED_STEM:
                    continue
                found = _lex_at(words, sents, i, first, lex.index, False)
                if found and prefix and len(first) == MIN_STRIPPED_STEM and found[0] == i + 1 \
                        and lex.entries[found[1]].cls != "Country":
                    # بنوك is not ب + نوك (Nuuk); لمصر is ل + مصر, and لحزب العمال الكردستاني
                    # is ل + a name the words after it confirm
                    found = None
                if not found and len(first) >= MIN_SKELETON_WORD:
                    found = _lex_at(words, sents, i, skeleton(first), lex.skeletons, True)
                if found:
                    j, key, conf = found
                    yield i, j, key, prefix, conf
                    i = j
                    break
        if not found:
            i += 1


def _lex_at(words, sents, i, first, index, skel):
    rows = index.get(first)
    if not rows:
        return None
    for tail, key in rows:
        j = i + 1 + len(tail)
        if j > len(words) or sents[j - 1] != sents[i]:
            continue
        got = tuple(words[i + 1:j])
        if skel:
            if any(len(w) < MIN_SKELETON_WORD for w in got):
                continue
            got = tuple(skeleton(w) for w in got)
        if got == tail:
            return j, key, SKELETON_CONFIDENCE if skel else LEXICON_CONFIDENCE
    return None


class Recognizer:
    """Lexicon and cue recognition over one text."""

    def __init__(self, lexicon: Lexicon | None = None, cues: Cues | None = None, model="default",
                 adjectives: bool = True, reconcile: bool = True):
        """``model``: a :class:`kg.neural.NeuralTagger` or :class:`kg.ner.NerModel`,
        ``"default"`` for the shipped one
        (if any), or None for lexicon and cues alone. ``adjectives``: whether a
        country the text never names is mentioned through its adjective."""
        self.adjectives = adjectives
        self.reconcile_spans = reconcile
        self.lex = lexicon or load_lexicon()
        self.cues = cues or load_cues()
        if model == "default":
            from .ner import load_model

            model = load_model()
        self.model = model

    # ------------------------------------------------------------ helpers
    def _mention(self, doc: Doc, i: int, j: int, prefix: int, **kw) -> Mention:
        """A mention over tokens [i, j), skipping ``prefix`` proclitic characters
        of the first token (except the elided article of لل, kept whole)."""
        toks = doc.tokens
        start = toks[i].start + prefix
        begin, _ = doc.norm.span(start, start + 1)
        _, end = doc.norm.span(toks[j - 1].end - 1, toks[j - 1].end)
        m = Mention(begin=begin, end=end, text=doc.text[begin:end], tok_start=i, tok_end=j,
                    sentence=doc.sent_of_token[i], **kw)
        for t in range(i, j):
            doc.covered[t] = m
        return m

    def _anchor_prefix(self, token: str, prefix: int) -> int:
        # For لل (ل + elided ال) the article is part of the name: keep the token whole.
        if prefix >= 2 and token[prefix - 2:prefix] == "لل":
            return prefix - 2 if prefix > 2 else 0
        return prefix

    @staticmethod
    def definite(doc: Doc, t: int) -> bool:
        """Whether token ``t`` carries the article ال in the original text, after
        any proclitics (والرئيس، بالكرملين، للولايات). Normalized text cannot
        tell: أليكسي normalizes to اليكسي."""
        tok = doc.tokens[t]
        b, e = doc.norm.span(tok.start, tok.end)
        word = doc.text[b:e].translate(_STRIP_MARKS)
        if word.startswith("ال") or word.startswith("لل"):
            return True
        if word[:1] in "وف":
            word = word[1:]
            if word.startswith("ال") or word.startswith("لل"):
                return True
        return word[:1] in "بك" and word[1:].startswith("ال")

    def is_stop(self, tok: str) -> bool:
        c = self.cues
        return any(k in c.stop or k in c.verbs for _, k in clitic_variants(tok))

    # ------------------------------------------------------------ lexicon
    def match_lexicon(self, doc: Doc) -> list[Mention]:
        """Longest lexicon match at each token (see :func:`lexicon_spans`)."""
        words = [t.text for t in doc.tokens]
        out = []
        doc.lex_tags = tags = ["O"] * len(words)  # the whole matches, for the model's features
        for i, j, key, prefix, conf in lexicon_spans(self.lex, words, doc.sent_of_token):
            e = self.lex.entries[key]
            tags[i] = "B-" + e.type
            for t in range(i + 1, j):
                tags[t] = "I-" + e.type
            start = self._name_start(doc, i, j, e.type)
            if start > i:
                i, prefix = start, 0
            out.append(self._mention(doc, i, j, self._anchor_prefix(words[i], prefix), type=e.type,
                                     cls=e.cls, source="lexicon", confidence=conf, key=key,
                                     name=" ".join(token_key(w) for w in words[i:j])))
        return out

    def _name_start(self, doc: Doc, i: int, j: int, typ: str) -> int:
        """Where the name starts in a lexicon alias that opens with a title or a
        place head (الملك عبدالله الثاني، الأمير محمد بن سلمان، مدينة الباب، دولة
        الكويت): the title or head tells which entry is meant, but it is no part
        of the name, as with title and place cues. A definite head is part of the
        name (الجزيرة العربية، المملكة العربية السعودية)."""
        start = i
        if typ == "Person":
            while start < j - 1 and (hit := self._title_at(doc, start)) and hit[0] < j:
                start = hit[0]
        elif typ == "Place" and j - i >= 2 and not self.definite(doc, i) and any(
                k in self.cues.place_heads or k in STATE_HEADS for _, k in clitic_variants(doc.tokens[i].text)):
            start = i + 1
        return start

    # ------------------------------------------------------------ cues
    def _title_at(self, doc: Doc, i: int):
        """A title starting at token i: (end, role) or None."""
        c = self.cues
        if doc.titles is None or doc.titles[0] is not c:
            toks = doc.tokens
            doc.titles = (c, [phrase_at(toks, k, c.titles, c.title_firsts, c.title_max) for k in range(len(toks))])
        return doc.titles[1][i]

    def _name_like(self, doc: Doc, t: int, allow_article: bool = False) -> bool:
        tok = doc.tokens[t]
        if not tok.is_word or doc.covered[t] is not None or tok.text.isdigit():
            return False
        if self.is_stop(tok.text) or self._title_at(doc, t):
            return False
        key = token_key(tok.text)
        if key in self.lex.nisba or key in self.cues.title_complements or key in self.cues.directions:
            return False
        if not allow_article and self.definite(doc, t):
            return False
        return len(tok.text) >= 2 or tok.text.isascii()

    def _boundary_after(self, doc: Doc, j: int, sent: int) -> bool:
        if j >= len(doc.tokens) or doc.sent_of_token[j] != sent:
            return True
        tok = doc.tokens[j]
        return not tok.is_word or self.is_stop(tok.text) or doc.covered[j] is not None \
            or any(k in self.lex.nisba or k in self.cues.directions for _, k in clitic_variants(tok.text)) \
            or self.definite(doc, j)  # a name seldom goes on with a definite word

    def _given(self, tok: str) -> bool:
        return tok in self.lex.given_names or any(k in self.lex.given_names for _, k in clitic_variants(tok))

    def _connector(self, tok: str) -> bool:
        return tok in self.cues.connectors

    def person_name(self, doc: Doc, start: int, sent: int) -> tuple[int, float] | None:
        """A person's name starting at token ``start``: ``(end, confidence)``.

        A name that starts with a known given name takes a surname and, after a
        further given name or a connector (بن، أبو، عبد، آل), more parts: up to
        four tokens (confidence 0.85). A name of two unknown words needs a
        boundary after it (0.7). A single unknown word is not taken.
        """
        toks = doc.tokens
        n = len(toks)
        if not self._name_like(doc, start):
            return None
        first = toks[start].text
        if self._given(first) or (self._connector(first) and start + 1 < n):
            j = start + 1
            while j < n and j - start < 4 and doc.sent_of_token[j] == sent:
                prev = toks[j - 1].text
                after_connector = self._connector(prev) or (
                    j - 2 >= start and self._connector(toks[j - 2].text))
                # a family name right after a given name may carry the article (نوري المالكي)
                if not self._name_like(doc, j, allow_article=after_connector or j == start + 1):
                    break
                if j - start >= 2 and not (self._given(prev) or after_connector):
                    break
                if not after_connector and self.common_word_shape(doc, j, strict=j - start >= 2):
                    break
                if j - start >= 2 and len(toks[j].text) >= 5 and toks[j].text.endswith("ا") \
                        and not self._given(toks[j].text):
                    break  # an accusative after the name: صالح زكريا | مستشارا
                j += 1
            if self._connector(toks[j - 1].text):
                j -= 1
            return (j, GIVEN_NAME_CONFIDENCE) if j > start else None
        if start + 1 < n and doc.sent_of_token[start + 1] == sent and self._name_like(doc, start + 1) \
                and self._boundary_after(doc, start + 2, sent) \
                and not any(self.common_word_shape(doc, t) for t in (start, start + 1)):
            return start + 2, 0.7
        return None

    def common_word_shape(self, doc: Doc, t: int, strict: bool = True, conj: bool = True) -> bool:
        """Shapes of common words that an unknown word in a name slot more often
        is than a name: imperfect verbs (يتفقان، تمكنت), feminine plurals
        (تصريحات), a conjunction or preposition glued on (وبلدة، بتسديدة),
        accusative adverbs with tanween (هدفاً، جنوباً), feminine nouns and
        pronoun suffixes (زيارة، زيارته، سكانها). Known given names are exempt."""
        tok = doc.tokens[t].text
        if self._given(tok) or tok.isascii():
            return False
        b, e = doc.norm.span(doc.tokens[t].start, doc.tokens[t].end)
        orig = doc.text[b:e]
        if "\u064b" in orig or orig.endswith(("ته", "ها", "هم", "هما", "كم", "نا")):
            return True
        if strict and orig.endswith("ة"):
            return True  # زيارة (a surname after a given name may end so: هنية)
        if len(tok) >= 4 and (conj and tok.startswith("و") or tok.endswith("ات")):
            return True
        # a name part after a known given name may well start so (جو بايدن، دونالد ترمب)
        return strict and len(tok) >= 4 and tok.startswith(("ي", "ت"))

    def match_titles(self, doc: Doc) -> list[Mention]:
        out = []
        toks = doc.tokens
        i = 0
        while i < len(toks):
            hit = self._title_at(doc, i) if toks[i].is_word and doc.covered[i] is None else None
            if not hit:
                i += 1
                continue
            tend, role = hit
            sent = doc.sent_of_token[i]
            scan = self.scan_title(doc, tend, sent)
            j, of_key = scan.end, scan.of
            # forward: title [complements] [،] NAME
            if j + 1 < len(toks) and toks[j].text in COMMAS and doc.sent_of_token[j + 1] == sent:
                found = self.person_name(doc, j + 1, sent)
                if found and found[1] >= GIVEN_NAME_CONFIDENCE:
                    j += 1
            if j < len(toks) and doc.sent_of_token[j] == sent and doc.covered[j] is None:
                found = self.person_name(doc, j, sent)
                if found:
                    k, conf = found
                    out.append(self._mention(doc, j, k, 0, type="Person", cls="Person",
                                             source="cue", confidence=conf,
                                             name=" ".join(token_key(t.text) for t in toks[j:k]),
                                             title=(role, of_key)))
                    i = k
                    continue
            # backward: NAME [،] title
            b = i - 1
            if b >= 0 and toks[b].text in COMMAS and doc.sent_of_token[b] == sent:
                b -= 1
            a = b + 1
            while a - 1 >= 0 and b - (a - 1) < 3 and doc.sent_of_token[a - 1] == sent and \
                    self._name_like(doc, a - 1):
                a -= 1
            while a <= b:
                found = self.person_name(doc, a, sent)
                if found and found[0] == b + 1:
                    break
                a += 1
            if a <= b:
                before_ok = a == 0 or doc.sent_of_token[a - 1] != sent or not toks[a - 1].is_word \
                    or self.is_stop(toks[a - 1].text)
                # only names that start with a known given name: a title after two unknown
                # words is too often a clause ("تم استدعاء السفير")
                conf = found[1] if before_ok and found[1] >= GIVEN_NAME_CONFIDENCE else None
                if conf:
                    out.append(self._mention(doc, a, b + 1, 0, type="Person", cls="Person",
                                             source="cue", confidence=min(conf, 0.75),
                                             name=" ".join(token_key(t.text) for t in toks[a:b + 1]),
                                             title=(role, of_key)))
            i = max(i + 1, j)
        return out

    def match_title_references(self, doc: Doc, date) -> list[Mention]:
        """A title with its country and no name (الرئيس الروسي، وزير الخارجية الأمريكي)
        refers to whoever held that office on the article's date, when the
        lexicon knows exactly one such person."""
        if date is None:
            return []
        out = []
        toks = doc.tokens
        i = 0
        day = date.isoformat()
        while i < len(toks):
            hit = self._title_at(doc, i) if toks[i].is_word and doc.covered[i] is None else None
            if not hit:
                i += 1
                continue
            tend, role = hit
            sent = doc.sent_of_token[i]
            scan = self.scan_title(doc, tend, sent)
            j, of_key = scan.end, scan.of
            former = any(token_key(t.text) in FORMER for t in toks[tend:j])
            nxt = doc.covered[j] if j < len(toks) else None
            if of_key and role and not former and not (nxt is not None and nxt.type == "Person"):
                holders = self.lex.office_holders(role, of_key, day)
                # only a title whose country is an adjective: المتحدثة باسم البيت الأبيض keeps
                # its own mention of the White House
                if len(holders) == 1 and all(doc.covered[t] is None for t in range(i, j)):
                    e = self.lex.entries[holders[0]]
                    out.append(self._mention(doc, i, j, self._anchor_prefix(toks[i].text, next(
                        (p for p, k in clitic_variants(toks[i].text) if k in self.cues.title_firsts), 0)),
                        type="Person", cls="Person", source="cue", confidence=TITLE_REFERENCE_CONFIDENCE,
                        key=e.key, name=" ".join(token_key(t.text) for t in toks[i:j]), is_name=False))
            i = max(i + 1, j)
        return out

    def scan_title(self, doc: Doc, tend: int, sent: int, serves_person: bool = False,
                   entity=None) -> TitleScan:
        """Read a title's complements after its last word ``tend`` (الروسي، باسم
        الكرملين، لدى واشنطن، للشؤون الخارجية): where they end, and the country,
        organization or person the title is of, the host after لدى, and, for a
        role held for a person (``serves_person``), the person right after the
        title (مستشار بوتين). ``entity`` maps a mention to its entity id (by
        default its lexicon key)."""
        entity = entity or (lambda m: m.key or None)
        toks = doc.tokens
        j, of, to, served = tend, None, None, None
        steps = 0
        while j < len(toks) and doc.sent_of_token[j] == sent and steps < 7:
            steps += 1
            tok = toks[j]
            m = doc.covered[j]
            if m is not None:
                if m.type == "Person":
                    if not (serves_person and served is None and j == tend):
                        break
                    served = entity(m)
                elif j > 0 and token_key(toks[j - 1].text) in self.cues.host_words:
                    to = to or entity(m)
                else:
                    of = of or entity(m)
                j = m.tok_end
                continue
            if not tok.is_word:
                break
            variants = [k for _, k in clitic_variants(tok.text)]
            nisba = next((self.lex.nisba[k] for k in variants if k in self.lex.nisba), None)
            if nisba:
                of = of or nisba
            elif not (token_key(tok.text) in self.cues.title_complements
                      or (self.definite(doc, j) and not self.is_stop(tok.text))):
                break
            j += 1
        return TitleScan(j, of, to, served)

    def match_orgs(self, doc: Doc) -> list[Mention]:
        out = []
        toks = doc.tokens
        for i, tok in enumerate(toks):
            if not tok.is_word or doc.covered[i] is not None:
                continue
            head = next((self.cues.org_heads[k] for _, k in clitic_variants(tok.text)
                         if k in self.cues.org_heads), None)
            if not head:
                continue
            sent = doc.sent_of_token[i]
            j = i + 1
            # head "quoted name": صحيفة "نيويورك تايمز"
            if j < len(toks) and toks[j].text in OPEN_QUOTES:
                k = j + 1
                while k < len(toks) and k - j <= 6 and toks[k].is_word and doc.sent_of_token[k] == sent:
                    k += 1
                inner = {id(doc.covered[t]): doc.covered[t] for t in range(j + 1, k) if doc.covered[t]}
                same_org = any(m.type == "Organization" and m.tok_start == j + 1 and m.tok_end == k
                               for m in inner.values())
                if k > j + 1 and k < len(toks) and toks[k].text in CLOSE_QUOTES and not same_org \
                        and all(m.tok_start > j and m.tok_end <= k for m in inner.values()):
                    # the quoted name of a medium/body wins over names inside it
                    for m in inner.values():
                        for t in range(m.tok_start, m.tok_end):
                            doc.covered[t] = None
                    out.append(self._mention(doc, j + 1, k, 0, type="Organization", cls=head["class"],
                                             source="cue", confidence=0.8,
                                             name=" ".join(token_key(t.text) for t in toks[j + 1:k])))
                continue
            strong, nisba_only = False, True
            while j < len(toks) and j - i <= 5 and doc.sent_of_token[j] == sent:
                t = toks[j]
                m = doc.covered[j]
                if m is not None:
                    if m.type == "Person" or m.tok_start != j:
                        break
                    if ORG_CLITIC_BREAK and m.begin > doc.norm.span(t.start, t.start + 1)[0]:
                        break  # a name after a proclitic is no part of it: الحزب ولبنان، بسوريا
                    strong, nisba_only = True, False
                    j = m.tok_end
                    continue
                if not t.is_word or self.is_stop(t.text):
                    break
                key = token_key(t.text)
                if not (self.definite(doc, j) or key in self.cues.org_generic) \
                        or t.text[:1] in "بلك" and not t.text.startswith("ال"):
                    break  # بالحديث، للشركة: a prepositional phrase, not the name
                if j > i + 1 and toks[j - 1].is_word and token_key(toks[j - 1].text) in self.lex.nisba \
                        and key not in self.lex.nisba:
                    break  # an adjective closes the name: ميليشيات الحوثي الإيرانية | المسؤولية
                if key in self.lex.nisba:
                    if ORG_PLURAL_BREAK and key.endswith(("يين", "يون")):
                        break  # a plural adjective is of people: الحزب الباكستانيين
                    strong = True
                else:
                    nisba_only = False
                    if key in self.cues.org_generic or head.get("open"):
                        strong = True
                j += 1
            if j == i + 1 or not strong or (nisba_only and not head.get("adjective_only")):
                continue
            if doc.covered[j - 1] is not None and all(doc.covered[t] is doc.covered[j - 1]
                                                       for t in range(i + 1, j)):
                continue  # head + one known name: "حركة حماس" is Hamas, already found
            # the mention takes over known names inside it ("جامعة القاهرة")
            for t in range(i, j):
                doc.covered[t] = None
            prefix = self._anchor_prefix(tok.text, next(
                p for p, k in clitic_variants(tok.text) if k in self.cues.org_heads))
            out = [m for m in out if not (i <= m.tok_start < j)]
            out.append(self._mention(doc, i, j, prefix, type="Organization", cls=head["class"],
                                     source="cue", confidence=0.7,
                                     name=" ".join(token_key(t.text) for t in toks[i:j])))
        return out

    def match_places(self, doc: Doc, heads: bool = True, before: bool = True) -> list[Mention]:
        """Places after a head (مدينة كفرنبل) when ``heads``, and a place named
        before a known one (من ويلمنغتون في ديلاور) when ``before``."""
        out = []
        toks = doc.tokens
        preps = self.cues.place_preps
        for i, tok in enumerate(toks[:-1]):
            if not tok.is_word or doc.covered[i] is not None:
                continue
            if not heads:  # only the place before a known one: a preposition first
                if clitic_variants(tok.text)[0][1] not in preps or i + 3 >= len(toks):
                    continue
                head = None
            else:
                head = next((self.cues.place_heads[k] for _, k in clitic_variants(tok.text)
                             if k in self.cues.place_heads), None)
            sent = doc.sent_of_token[i]
            if head:
                j = i + 1
                first = toks[j].text
                with_article = self.definite(doc, j)
                if doc.sent_of_token[j] != sent or not self._name_like(
                        doc, j, allow_article=head["article_names"]):
                    continue
                if with_article and (first.endswith(("يه", "ي")) or self.definite(doc, i)):
                    continue  # an adjective (مدينة صناعية، المدينة القديمة), not a name
                if head.get("feminine_names_excluded") and doc.text[
                        doc.norm.span(toks[j].start, toks[j].end)[1] - 1] == "ة":
                    continue  # ولاية رئاسية، ولاية خامسة: a term of office
                if not with_article and (self.common_word_shape(doc, j, strict=False)
                                         or len(first) >= 4 and first.startswith("ي")):
                    continue  # مدينة يسيطر عليها، وبلدة، جنوباً
                k = j + 1
                if not with_article and k < len(toks) and doc.sent_of_token[k] == sent \
                        and self._name_like(doc, k) and not self._boundary_after(doc, k, sent) \
                        and not self.common_word_shape(doc, k):
                    k += 1
                if self._boundary_after(doc, k, sent) or with_article:
                    out.append(self._mention(doc, j, k, 0, type="Place", cls=head["class"],
                                             source="cue", confidence=0.7,
                                             name=" ".join(token_key(t.text) for t in toks[j:k])))
                continue
            # PREP X في/، KNOWN-PLACE : "من ويلمنغتون في ديلاور"
            variants = clitic_variants(tok.text)
            if before and variants[0][1] in self.cues.place_preps and i + 3 < len(toks):
                x, nxt, place = i + 1, toks[i + 2], doc.covered[i + 3]
                if (self._name_like(doc, x) and doc.sent_of_token[i + 3] == sent
                        and not self.common_word_shape(doc, x, strict=False, conj=False)
                        and (nxt.text in {"،", ","} or token_key(nxt.text) in self.cues.place_preps)
                        and place is not None and place.type == "Place"
                        and not doc.text[doc.norm.span(toks[x].start, toks[x].end)[1] - 1] in "هةى"
                        and len(toks[x].text) >= 5
                        and not toks[x].text.endswith(_PRONOUN_SUFFIXES[1:])):
                    out.append(self._mention(doc, x, x + 1, 0, type="Place", cls="City", source="cue",
                                             confidence=0.55, name=token_key(toks[x].text)))
        return out

    def tag_model(self, doc: Doc) -> tuple[list[tuple[int, int, str, float]], list[float]]:
        """The model's spans over the whole text, sentence by sentence (tagged as one batch): ``(i, j,
        type, confidence)`` for tokens ``[i, j)``, the confidence being the lowest
        marginal probability of the span's labels. Spans whose edge is no word,
        or an adjective, title or function word, are left out. Also, for each
        token, the probability that it is no part of a name, where the model
        says so (else 0)."""
        from .fane import spans as bio_spans

        out = []
        outside = [0.0] * len(doc.tokens)
        by_sent: dict[int, list[int]] = {}
        for t, s in enumerate(doc.sent_of_token):
            by_sent.setdefault(s, []).append(t)
        covered = doc.covered
        sents = list(by_sent.values())
        weak = [{a for a, t in enumerate(idx) if (m := covered[t]) is not None and m.source == "cue"}
                for idx in sents]
        tagged = self.model.tag_many(
            [([doc.tokens[t].text for t in idx], [doc.lex_tags[t] for t in idx] if doc.lex_tags else None)
             for idx in sents], outside=weak)
        for idx, (labels, probs) in zip(sents, tagged):
            for a, lab in enumerate(labels):
                if lab == "O":
                    outside[idx[a]] = probs[a]
            for a, b, typ in sorted(bio_spans(labels)):
                i, j = idx[a], idx[b - 1] + 1
                if not doc.tokens[i].is_word or not doc.tokens[j - 1].is_word:
                    continue
                conf = round(min(probs[a:b]), 2)
                if (conf < EDGE_MIN_CONFIDENCE or typ not in EDGE_TYPES) and any(
                        self._cue_word(doc.tokens[t].text) or len(doc.tokens[t].text) < 2 for t in (i, j - 1)):
                    continue  # an adjective, title or function word is seldom a name's edge
                if typ == "Person" and SPLIT_PERSON_LISTS:
                    # two people joined by و (صبري وعنان): two names
                    cut = i
                    for t in range(i + 1, j):
                        w = doc.tokens[t].text
                        if w.startswith("و") and len(w) >= 4 and w not in self.lex.given_names \
                                and not self._connector(doc.tokens[t - 1].text) \
                                and not (SPLIT_KEEPS_GIVEN_NAME and t - cut == 1
                                         and self._given(doc.tokens[cut].text)
                                         and w[1:] not in self.lex.given_names):
                            out.append((cut, t, typ, conf))
                            cut = t
                    i = cut
                out.append((i, j, typ, conf))
        return out, outside

    def reconcile(self, doc: Doc, mentions: list[Mention], spans, outside=None) -> list[Mention]:
        """Where a confident model span overlaps the lexicon's or the cues' mentions
        and disagrees on where the name starts or ends, the model's extent wins:
        the cue words around a name are no part of it (دولة الكويت → الكويت،
        الملك عبدالله الثاني → عبدالله الثاني), and a name the model reads as one
        takes in the names inside it (منتخب فرنسا، جامعة زيورخ). A mention keeps
        its entry, title and type when the model's span has its type and lies
        inside it."""
        for i, j, typ, conf in spans:
            if VETO_WEAK_TITLES and (m := doc.covered[i]) is not None and m.tok_start == i \
                    and m.tok_end == j and self._weak_title(m) and typ != m.type:
                self._uncover(doc, m)  # the model's reading may come in with match_model
                mentions = [x for x in mentions if x is not m]
                continue
            if conf < RECONCILE_MIN_CONFIDENCE:
                continue
            over = {id(m): m for t in range(i, j) if (m := doc.covered[t]) is not None}
            if not over:
                continue
            ms = list(over.values())
            if any(m.tok_start == i and m.tok_end == j for m in ms):
                m = ms[0]
                if len(ms) == 1 and conf >= RETYPE_MIN_CONFIDENCE and m.source == "lexicon" \
                        and (m.type, typ) in RETYPE:
                    # a city's name standing for its club (لاعب مانشستر): the model's type wins
                    self._uncover(doc, m)
                    new = self._mention(doc, i, j, self._model_prefix(doc, i), type=typ, cls=typ,
                                        source="model", confidence=conf,
                                        name=" ".join(token_key(t.text) for t in doc.tokens[i:j]))
                    mentions = [x for x in mentions if x is not m] + [new]
                continue
            if len(ms) == 1 and ms[0].tok_start <= i and j <= ms[0].tok_end and ms[0].type == typ \
                    and ms[0].is_name and not (ms[0].source == "cue" and typ in NO_SHRINK) \
                    and not (ms[0].source == "lexicon" and j < ms[0].tok_end):
                # (a known name loses words before it, a title or a head, never its last
                # words: لشبه جزيرة القرم is one name, whatever the model makes of لشبه)
                m = ms[0]  # the model's name lies inside the mention: shrink it
                new = self._reshape(doc, m, i, j)
            elif all(i <= m.tok_start and m.tok_end <= j and not (m.source == "lexicon" and m.type == typ)
                     for m in ms):
                # the model's name takes in the mentions inside it, except known names of its
                # own type (بوتين وبايدن are two people)
                for m in ms:
                    self._uncover(doc, m)
                new = self._mention(doc, i, j, self._model_prefix(doc, i), type=typ, cls=typ,
                                    source="model", confidence=conf,
                                    name=" ".join(token_key(t.text) for t in doc.tokens[i:j]))
                if len(ms) == 1 and ms[0].type == typ and ms[0].source == "cue":
                    new.title = ms[0].title
            else:
                continue
            gone = {id(m) for m in ms}
            mentions = [m for m in mentions if id(m) not in gone] + [new]
        if outside is not None:
            mentions = self.veto(doc, mentions, outside)
        return mentions

    def veto(self, doc: Doc, mentions: list[Mention], outside: list[float]) -> list[Mention]:
        """Drop each weak organization or place cue (a generic phrase: الحكومة المصرية;
        a verb after a head: المدينة تقل) whose words the model is sure are no name;
        a title cue stays, unless its name is of unknown words (VETO_WEAK_TITLES)."""
        keep = []
        for m in mentions:
            if m.source == "cue" and m.is_name and m.confidence <= WEAK_CUE \
                    and (m.type in VETO_TYPES or VETO_WEAK_TITLES and self._weak_title(m)) \
                    and min(outside[m.tok_start:m.tok_end]) >= VETO_MIN_CONFIDENCE:
                self._uncover(doc, m)
            else:
                keep.append(m)
        return keep

    @staticmethod
    def _weak_title(m: Mention) -> bool:
        """A person after a title whose name starts with no known given name."""
        return m.source == "cue" and m.type == "Person" and m.confidence <= WEAK_CUE

    def _uncover(self, doc: Doc, m: Mention) -> None:
        for t in range(m.tok_start, m.tok_end):
            if doc.covered[t] is m:
                doc.covered[t] = None

    def _reshape(self, doc: Doc, m: Mention, i: int, j: int) -> Mention:
        """``m`` over tokens [i, j) instead, with its entry, type and title."""
        self._uncover(doc, m)
        if i == m.tok_start:
            # same first token: keep the mention's own clitic split
            tok = doc.tokens[i]
            prefix = 0
            while prefix < len(tok.text) and doc.norm.span(tok.start + prefix, tok.start + prefix + 1)[0] < m.begin:
                prefix += 1
        else:
            prefix = self._model_prefix(doc, i)
        return self._mention(doc, i, j, prefix, type=m.type, cls=m.cls, source=m.source,
                             confidence=m.confidence, key=m.key,
                             name=" ".join(token_key(t.text) for t in doc.tokens[i:j]),
                             title=m.title, is_name=m.is_name)

    def retype_in_document(self, doc: Doc, mentions: list[Mention]) -> list[Mention]:
        """The lexicon's cities whose name the model reads elsewhere in the document
        as an organization, sure to :data:`RETYPE_MIN_CONFIDENCE`, become that
        organization (see :data:`RETYPE_IN_DOCUMENT`)."""
        orgs = {self._mention_keys(doc, m) for m in mentions
                if m.source == "model" and m.type == "Organization" and m.confidence >= RETYPE_MIN_CONFIDENCE}
        if not orgs:
            return mentions
        out = []
        for m in mentions:
            if m.source == "lexicon" and m.type == "Place" and m.cls == "City" \
                    and (keys := self._mention_keys(doc, m)) in orgs:
                self._uncover(doc, m)
                new = self._mention(doc, m.tok_start, m.tok_end, 0, type="Organization", cls="Organization",
                                    source="model", confidence=RETYPE_MIN_CONFIDENCE, name=" ".join(keys))
                new.begin, new.end, new.text = m.begin, m.end, m.text
                m = new
            out.append(m)
        return out

    def match_model(self, doc: Doc, spans) -> list[Mention]:
        """Mentions the model finds on tokens no earlier recognizer took (people and
        organizations from confidence 0.5, places from 0.75)."""
        out = []
        for i, j, typ, conf in spans:
            if any(doc.covered[t] is not None for t in range(i, j)):
                continue
            if conf < MODEL_MIN_CONFIDENCE[typ]:
                continue
            if j == i + 1 and (token_key(w := doc.tokens[i].text) in self.cues.group_plurals
                               or w[:1] == "و" and token_key(w[1:]) in self.cues.group_plurals):
                continue  # a people (جواسيس روس "Russian spies"), not a name
            out.append(self._mention(doc, i, j, self._model_prefix(doc, i), type=typ, cls=typ,
                                     source="model", confidence=conf,
                                     name=" ".join(token_key(t.text) for t in doc.tokens[i:j])))
        return out

    def _cue_word(self, tok: str) -> bool:
        keys = {k for _, k in clitic_variants(tok)}
        return bool(keys & self._cue_vocab) or any(k in self.lex.nisba for k in keys)

    @property
    def _cue_vocab(self) -> frozenset[str]:
        vocab = getattr(self, "_cue_vocab_cache", None)
        if vocab is None:
            c = self.cues
            vocab = self._cue_vocab_cache = c.stop | c.verbs | c.title_firsts | c.title_complements
        return vocab

    def _model_prefix(self, doc: Doc, i: int) -> int:
        """Proclitics to leave out of a model mention's anchor: those before an
        article (وال، بال، لل keeps its ل) or before a known name or given name."""
        tok = doc.tokens[i].text
        best = 0
        for prefix, stem in clitic_readings(tok):
            if not prefix:
                continue
            if stem.startswith("ال") and self.definite(doc, i):
                best = max(best, self._anchor_prefix(tok, prefix))
            elif len(stem) >= MIN_STRIPPED_STEM and (stem in self.lex.index or stem in self.lex.given_names):
                best = max(best, prefix)
        return best

    def match_adjectives(self, doc: Doc, mentions: list[Mention]) -> list[Mention]:
        """A country the article never names but refers to by its adjective
        (الملف الإيراني، الجانب الكوري الشمالي) is mentioned through it. Where the
        country is named, its adjectives stay what they are: modifiers."""
        named = {m.key for m in mentions if m.key}
        out = []
        for t, tok in enumerate(doc.tokens):
            if not tok.is_word or doc.covered[t] is not None:
                continue
            for prefix, key in clitic_variants(tok.text):
                country = self.lex.nisba.get(key)
                if country and country not in named:
                    e = self.lex.entries[country]
                    out.append(self._mention(doc, t, t + 1, self._anchor_prefix(tok.text, prefix),
                                             type=e.type, cls=e.cls, source="cue",
                                             confidence=ADJECTIVE_CONFIDENCE, key=country,
                                             name=key))
                    break
        return out

    @staticmethod
    def _mention_keys(doc: Doc, m: Mention) -> tuple[str, ...]:
        """The token keys of a mention, without the proclitics it leaves out
        (وبوتين → بوتين)."""
        first = doc.tokens[m.tok_start]
        skip = 0
        while skip < len(first.text) - 1 and doc.norm.span(first.start + skip, first.start + skip + 1)[0] < m.begin:
            skip += 1
        return (token_key(first.text[skip:]), *(token_key(t.text) for t in doc.tokens[m.tok_start + 1:m.tok_end]))

    def propagate(self, doc: Doc, mentions: list[Mention]) -> list[Mention]:
        """Document consistency: a name the cues or the model found somewhere in
        the text with at least :data:`PROPAGATE_MIN_CONFIDENCE` is a mention of
        the same type wherever else its words occur on tokens no recognizer
        took, and a person's surname alone (رايس after كوندوليزا رايس) is a
        ``coref`` mention of a person (as :func:`kg.resolve.resolve_article`
        would add it), as is the model's reading of such a surname alone. A
        string read as two types is left alone."""
        names: dict[tuple[str, ...], set[tuple[str, str]]] = {}
        surnames = set()
        for m in mentions:
            if not m.is_name or m.confidence < PROPAGATE_MIN_CONFIDENCE:
                continue
            keys = self._mention_keys(doc, m)
            if m.source != "lexicon":  # the lexicon finds its names wherever they are
                names.setdefault(keys, set()).add((m.type, "model"))
            if m.type == "Person" and len(keys) >= 2 and len(keys[-1]) >= MIN_SURNAME \
                    and not self._connector(doc.tokens[m.tok_end - 1].text) \
                    and not (len(keys) == 2 and any(self._connector(k) for _, k in
                                                    clitic_variants(doc.tokens[m.tok_start].text))):
                # (أبو الإلكترون, أبو مازن: a kunya's second word alone is no reference)
                names.setdefault(keys[-1:], set()).add(("Person", "coref"))
                surnames.add(keys[-1:])
        for m in mentions:
            # the model's reading of a surname alone is a reference to the full name
            if m.source == "model" and m.type == "Person" and m.tok_end - m.tok_start == 1 \
                    and self._mention_keys(doc, m) in surnames:
                m.source = "coref"
        # a string read as two types is left alone; one found as a name is no mere surname
        table = {k: min(v, key=lambda x: x[1] == "coref") for k, v in names.items()
                 if len({typ for typ, _ in v}) == 1}
        if not table:
            return []
        firsts = {k[0] for k in table}
        max_len = max(len(k) for k in table)
        out = []
        toks = doc.tokens
        t = 0
        while t < len(toks):
            tok = toks[t]
            if doc.covered[t] is not None or not tok.is_word or self.is_stop(tok.text):
                t += 1
                continue
            hit = None
            for prefix, first in clitic_variants(tok.text):
                if first not in firsts:
                    continue
                for n in range(min(max_len, len(toks) - t), 0, -1):
                    if any(doc.covered[x] is not None or doc.sent_of_token[x] != doc.sent_of_token[t]
                           for x in range(t + 1, t + n)):
                        continue
                    keys = (first, *(token_key(x.text) for x in toks[t + 1:t + n]))
                    if keys in table:
                        hit = (n, table[keys], prefix)
                        break
                if hit:
                    break
            if not hit:
                t += 1
                continue
            n, (typ, source), prefix = hit
            out.append(self._mention(doc, t, t + n, self._anchor_prefix(tok.text, prefix), type=typ, cls=typ,
                                     source=source, confidence=PROPAGATED_CONFIDENCE,
                                     name=" ".join(token_key(x.text) for x in toks[t:t + n])))
            t += n
        return out

    # ------------------------------------------------------------ all
    def recognize(self, text: str, date=None) -> tuple[Doc, list[Mention]]:
        """Mentions of ``text``; ``date`` (the article's) lets a bare title refer
        to its holder on that date."""
        doc = prepare(text)
        return doc, self.recognize_doc(doc, date)

    def recognize_doc(self, doc: Doc, date=None) -> list[Mention]:
        """Mentions of a prepared document (see :func:`prepare`); the document's
        ``covered`` table is filled in."""
        mentions = self.match_lexicon(doc)
        mentions += self.match_titles(doc)
        mentions += self.match_title_references(doc, date)
        orgs = self.match_orgs(doc)  # may take over lexicon names inside an organization's name
        ids = {id(m) for m in orgs}
        # an organization cue may absorb lexicon names inside it
        mentions = [m for m in mentions if any(doc.covered[t] is m for t in range(m.tok_start, m.tok_end))]
        mentions += [m for m in orgs if id(m) in ids]
        if PLACE_BEFORE_PLACE_FIRST:
            mentions += self.match_places(doc, heads=False)
        outside = None
        if self.model is not None:
            spans, outside = self.tag_model(doc)
            if self.reconcile_spans:
                mentions = self.reconcile(doc, mentions, spans, outside)
            mentions += self.match_model(doc, spans)
            if RETYPE_IN_DOCUMENT:
                mentions = self.retype_in_document(doc, mentions)
        places = self.match_places(doc, before=not PLACE_BEFORE_PLACE_FIRST)
        if outside is not None and VETO_LATE_PLACES:
            places = self.veto(doc, places, outside)
        mentions += places
        if PROPAGATE:
            mentions += self.propagate(doc, mentions)
        if self.adjectives:
            mentions += self.match_adjectives(doc, mentions)
        mentions.sort(key=lambda m: (m.begin, m.end))
        return mentions
