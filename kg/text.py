"""Arabic text: normalization for matching (with a map back to original offsets),
sentence splitting, tokenization and clitic stripping.

Everything downstream matches on normalized text and reports spans in the
original text: :class:`Normalized` keeps, for every normalized character, the
original span it came from.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

# Characters removed for matching: harakat, superscript alef, Quranic marks,
# tatweel, zero-width and bidi controls, BOM.
_DELETE = (
    [chr(c) for c in range(0x064B, 0x0660)]
    + ["\u0670", "\u0640", "\u06D6", "\u06D7", "\u06D8", "\u06D9", "\u06DA", "\u06DB", "\u06DC"]
    + ["\u06DF", "\u06E0", "\u06E1", "\u06E2", "\u06E3", "\u06E4", "\u06E7", "\u06E8", "\u06EA", "\u06EB", "\u06EC", "\u06ED"]
    + ["\u200B", "\u200C", "\u200D", "\u200E", "\u200F", "\u202A", "\u202B", "\u202C", "\u202D", "\u202E"]
    + ["\u2066", "\u2067", "\u2068", "\u2069", "\uFEFF", "\u00AD"]
)
_DELETE_SET = frozenset(_DELETE)

# One-to-one replacements for matching.
_REPLACE = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
    "ى": "ي", "ی": "ي", "ې": "ي",
    "ة": "ه", "ۀ": "ه", "ہ": "ه", "ە": "ه",
    "ؤ": "و", "ئ": "ي",
    "ک": "ك", "ڪ": "ك",
    "\u00A0": " ", "\u2007": " ", "\u202F": " ", "\u2009": " ", "\u200A": " ", "\u3000": " ",
    "\t": " ",
}
for _i in range(10):
    _REPLACE[chr(0x0660 + _i)] = str(_i)  # Arabic-Indic digits
    _REPLACE[chr(0x06F0 + _i)] = str(_i)  # Extended (Persian) digits

_TABLE = {ord(c): None for c in _DELETE}
_TABLE.update({ord(k): v for k, v in _REPLACE.items()})

_PRESENTATION = re.compile("[\uFB50-\uFDFF\uFE70-\uFEFF]")
_NEEDS_CASEFOLD = re.compile("[A-Z\u00C0-\u024F]")


def _fold_char(ch: str) -> str:
    """Normalize one character (may return '' or several characters)."""
    if ch in _DELETE_SET:
        return ""
    if "\uFB50" <= ch <= "\uFDFF" or "\uFE70" <= ch <= "\uFEFF":
        ch = unicodedata.normalize("NFKC", ch)
    return ch.translate(_TABLE).lower()


@dataclass(frozen=True)
class Normalized:
    """Normalized text and the way back to the original.

    ``starts[i]``/``ends[i]`` give the original span of normalized character
    ``i``; both are ``None`` when normalization changed no length (identity map).
    """

    original: str
    text: str
    starts: tuple[int, ...] | None = None
    ends: tuple[int, ...] | None = None

    def span(self, begin: int, end: int) -> tuple[int, int]:
        """Original ``(begin, end)`` of the normalized slice ``[begin, end)``."""
        if end <= begin:
            raise ValueError(f"empty span {begin}:{end}")
        if self.starts is None:
            return begin, end
        return self.starts[begin], self.ends[end - 1]


def normalize(text: str) -> Normalized:
    """Normalize ``text`` for matching, keeping the map to original offsets.

    Folds hamza forms of alef (أ إ آ ٱ → ا), ى → ي, ة → ه, ؤ → و, ئ → ي,
    Persian ی/ک, removes harakat, tatweel and invisible controls, maps
    Arabic-Indic digits to ASCII, decomposes presentation forms (NFKC) and
    lower-cases Latin letters.
    """
    if not _PRESENTATION.search(text):
        folded = text.translate(_TABLE)
        if _NEEDS_CASEFOLD.search(folded):
            lowered = folded.lower()
            if len(lowered) == len(folded):
                folded = lowered
            else:  # rare: characters whose lower case has another length
                return _normalize_slow(text)
        if len(folded) == len(text):
            return Normalized(text, folded)
        if all(len(_fold_char(c)) <= 1 for c in set(text)):
            keep = [i for i, c in enumerate(text) if c not in _DELETE_SET]
            return Normalized(text, folded, tuple(keep), tuple(i + 1 for i in keep))
    return _normalize_slow(text)


def _normalize_slow(text: str) -> Normalized:
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, ch in enumerate(text):
        folded = _fold_char(ch)
        for f in folded:
            out.append(f)
            starts.append(i)
            ends.append(i + 1)
    return Normalized(text, "".join(out), tuple(starts), tuple(ends))


def normalize_key(text: str) -> str:
    """Normalized matching key of a short string (name, alias): normalized,
    punctuation-free tokens with the definite article removed, joined by spaces."""
    return " ".join(token_key(t.text) for t in tokenize(normalize(text).text) if t.is_word)


def clean(text: str) -> str:
    """Display-clean form of a name: NFC, no harakat/tatweel/controls/presentation
    forms, single spaces. Lexicon entries are stored in this form."""
    chars = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in _DELETE_SET:
            continue
        if "\uFB50" <= ch <= "\uFDFF" or "\uFE70" <= ch <= "\uFEFF":
            ch = unicodedata.normalize("NFKC", ch)
        chars.append(" " if ch.isspace() else ch)
    return " ".join("".join(chars).split())


# ---------------------------------------------------------------- tokens

_TOKEN = re.compile(r"[^\W_]+(?:[.'’][^\W_]+)*|[^\w\s#]", re.UNICODE)  # a hashtag's # is markup, like its _
_ARABIC_LETTER = re.compile(r"[\u0621-\u064A\u0671-\u06D3]")


class Token(NamedTuple):
    """A token of normalized text: ``start``/``end`` index the normalized text;
    ``is_word``: a word, not a punctuation mark. (A named tuple: the recognizers
    make and read millions of them.)"""

    text: str
    start: int
    end: int
    is_word: bool


def tokenize(norm_text: str) -> list[Token]:
    """Split normalized text into word tokens and single punctuation marks."""
    make = Token._make
    return [make((t := m.group(), m.start(), m.end(), t[0].isalnum())) for m in _TOKEN.finditer(norm_text)]


# Proclitics, on normalized text: a conjunction, then a preposition, then the
# definite article. "لل" is ل + ال with the alef elided.
_CONJ = ("و", "ف")
_PREP = ("ب", "ل", "ك")
_MIN_STEM = 2


def token_key(token: str) -> str:
    """A normalized token without its definite article (ال), the form lexicon
    keys are stored in."""
    if token.startswith("ال") and len(token) - 2 > _MIN_STEM:
        return token[2:]  # but الله stays: له is another word
    return token


@lru_cache(maxsize=200_000)
def clitic_readings(token: str) -> tuple[tuple[int, str], ...]:
    """Possible readings of a normalized token as proclitics + stem.

    Returns ``(prefix_length, stem)`` pairs, the unsegmented reading first and
    then ever longer prefixes. The stem keeps its article: للولايات reads as
    ل + الولايات, بالكرملين as ب + الكرملين.
    """
    seen: dict[str, int] = {token: 0}

    def add(prefix_len: int, stem: str) -> None:
        if len(stem) >= _MIN_STEM and stem not in seen:
            seen[stem] = prefix_len

    if _ARABIC_LETTER.match(token):
        for c in ("", *_CONJ):
            if c and not token.startswith(c):
                continue
            rest = token[len(c):]
            if c:
                add(len(c), rest)
            for p in _PREP:
                if rest.startswith(p):
                    after = rest[1:]
                    if p == "ل" and after.startswith("ل") and len(after) > 2:
                        add(len(c) + 2, "ال" + after[1:])  # لل = ل + ال
                    add(len(c) + 1, after)
    return tuple((p, k) for k, p in seen.items())


@lru_cache(maxsize=200_000)
def clitic_variants(token: str) -> tuple[tuple[int, str], ...]:
    """Like :func:`clitic_readings`, with each stem's article removed (the form
    cue words and adjectives are looked up in)."""
    seen: dict[str, int] = {}
    for p, stem in clitic_readings(token):
        key = token_key(stem)
        if key not in seen:
            seen[key] = p
    return tuple((p, k) for k, p in seen.items())


def name_key(text: str) -> str:
    """Normalized word tokens of a name, article kept: the lexicon's key."""
    return " ".join(t.text for t in tokenize(normalize(text).text) if t.is_word)


def strip_clitics(token: str) -> str:
    """The shortest reading of :func:`clitic_variants` (for comparing surface forms)."""
    return clitic_variants(token)[-1][1]


_LONG_VOWELS = str.maketrans("", "", "اي")


@lru_cache(maxsize=200_000)
def skeleton(key: str) -> str:
    """A spelling-variant key for transliterated names: inner alef and ya
    dropped in each word (دميتري and ديمتري → دمتري; الأمريكي and الأميركي → امركي)."""
    words = []
    for w in key.split():
        if len(w) > 3:
            w = w[0] + w[1:-1].translate(_LONG_VOWELS) + w[-1]
        words.append(w)
    return " ".join(words)


# ------------------------------------------------------------- sentences

_SENT_END = re.compile(r"(?:[.!?؟]+[\"”»')\]]*|\n)(?=\s|$)")
_ABBREV = re.compile(r"(?:^|\s)[^\W\d_]$")  # a lone letter before the dot: "د."


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans ``(begin, end)`` of ``text`` (original offsets), trimmed of
    surrounding white space; empty lines produce no sentence."""
    spans = []
    start = 0
    for m in _SENT_END.finditer(text):
        if m.group().startswith(".") and _ABBREV.search(text, max(0, m.start() - 2), m.start()):
            continue
        _add_trimmed(text, start, m.end(), spans)
        start = m.end()
    _add_trimmed(text, start, len(text), spans)
    return spans


def _add_trimmed(text: str, begin: int, end: int, spans: list[tuple[int, int]]) -> None:
    while begin < end and text[begin].isspace():
        begin += 1
    while end > begin and text[end - 1].isspace():
        end -= 1
    if end > begin:
        spans.append((begin, end))
