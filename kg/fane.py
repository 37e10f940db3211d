"""The NewsFANE and WikiFANE gold NER corpora (Alotaibi & Lee 2014, CC BY-SA 3.0):
reading, mapping the 50 fine classes to kg's three types, and the fixed
train/test split.

The corpora are normalized and clitic-segmented (و، ب، ل، ه as tokens of
their own). To train on tokens shaped like raw news text, :func:`merge_clitics`
glues proclitic tokens onto the next token and pronoun suffixes onto the
previous one; the merged token takes the label of its stem.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .text import normalize

NEWS_FILE = "NewsFANE_Gold_2014_170K.txt"
WIKI_FILE = "WikiFANE_Gold_2014_500K.txt"

#: fine class → kg type (None: not an entity for kg)
FINE_TO_TYPE = {
    **dict.fromkeys(["Politician", "Athlete", "Businessperson", "Artist", "Scientist", "Police",
                     "Religious_PER", "Engineer", "Lawyer", "Other_PER"], "Person"),
    **dict.fromkeys(["Government", "Non-Governmental", "Commercial", "Educational", "Media",
                     "Religious_ORG", "Sports", "Medical-Science", "Entertainment"], "Organization"),
    # geo-political entities, natural locations and facilities are places
    **dict.fromkeys(["Nation", "Population-Center", "State-or-Province", "County-or-District",
                     "Continent", "GPE-Cluster", "Water-Body", "Land-Region-Natural",
                     "Building-Grounds", "Airport", "Path", "Subarea-Facility"], "Place"),
}
# Group (العرب، المسلمين: collectives of people), Celestial, vehicles, weapons and
# products are not entities of the graph.

PROCLITICS = {"و", "ف", "ب", "ل", "ك", "لل", "وب", "ول", "فب", "فل", "وك"}
SUFFIXES = {"ه", "ها", "هم", "هما", "هن", "ك", "كم", "كما", "نا", "ني", "ي"}

#: the held-out part of NewsFANE: its last fifth. Articles are contiguous in the
#: file, so a contiguous block keeps whole articles on one side (at most the
#: one straddling the cut is split).
TEST_FRACTION = 0.2
#: NewsFANE's training sentences count this many times against WikiFANE's (news
#: is the domain the recognizer works in; chosen on the development split)
NEWS_WEIGHT = 2


@dataclass
class Sentence:
    tokens: list[str]
    labels: list[str]  # BIO over Person / Organization / Place


class CorpusError(ValueError):
    """A corpus file is malformed."""


def read_fane(path: str | Path) -> list[Sentence]:
    """Read a FANE file: BOM, CRLF, U+200E before tokens, ``token<TAB>tag``, a
    line with only a tab between sentences. Tags are mapped to kg types."""
    path = Path(path)
    sents: list[Sentence] = []
    toks: list[str] = []
    labs: list[str] = []
    with open(path, encoding="utf-8-sig") as fh:
        for lineno, line in enumerate(fh, 1):
            line = line.rstrip("\r\n").replace("\u200e", "")
            if not line.strip():
                if toks:
                    sents.append(Sentence(toks, labs))
                    toks, labs = [], []
                continue
            parts = line.split("\t")
            if len(parts) != 2:
                raise CorpusError(f"{path}:{lineno}: expected 'token<TAB>tag'")
            word, tag = parts[0].strip(), parts[1].strip()
            if not word:
                continue
            if tag == "O":
                label = "O"
            elif tag[:2] in ("B-", "I-"):
                typ = FINE_TO_TYPE.get(tag[2:])
                label = f"{tag[:2]}{typ}" if typ else "O"
            else:
                raise CorpusError(f"{path}:{lineno}: field 'tag': unknown tag {tag!r}")
            toks.append(word)
            labs.append(label)
    if toks:
        sents.append(Sentence(toks, labs))
    return [fix_bio(s) for s in sents]


def fix_bio(s: Sentence) -> Sentence:
    """An I- after O or after another type starts an entity."""
    out = []
    prev = "O"
    for lab in s.labels:
        if lab.startswith("I-") and prev[2:] != lab[2:]:
            lab = "B-" + lab[2:]
        out.append(lab)
        prev = lab
    return Sentence(s.tokens, out)


def merge_clitics(s: Sentence) -> Sentence:
    """Glue segmented clitics back onto their words (و بوتين → وبوتين، ل الاتحاد →
    للاتحاد), so that training tokens look like those of raw text. Labels follow
    the stem."""
    toks, labs = [], []
    pending = ""
    pending_lab = "O"
    n_toks = len(s.tokens)
    for k, (tok, lab) in enumerate(zip(s.tokens, s.labels)):
        n = normalize(tok).text
        if n in PROCLITICS and lab == "O":
            pending += tok
            continue
        # a clitic segmented off inside a name (ف ؤاد، ب لنسية، عبد ه، و الاجتماعي) is
        # glued back too: the name is one word in print
        nxt = s.labels[k + 1] if k + 1 < n_toks else "O"
        if n in PROCLITICS and lab != "O" and nxt == "I-" + lab[2:] and not pending \
                and len(s.tokens[k + 1]) >= 2 and s.tokens[k + 1][:1].isalpha():
            pending, pending_lab = tok, lab
            continue
        if n in SUFFIXES and (lab == "O" or lab.startswith("I-") and labs and labs[-1][2:] == lab[2:]) \
                and toks and not pending and toks[-1][-1].isalpha() and len(toks[-1]) >= 2:
            toks[-1] += tok
            continue
        if pending_lab != "O":
            lab, pending_lab = pending_lab, "O"
        if pending and normalize(pending).text.endswith("ل") and n.startswith("ال") and len(n) > 3:
            tok = tok[1:]  # ل + الاتحاد is written للاتحاد
        toks.append(pending + tok)
        labs.append(lab)
        pending = ""
    if pending:
        toks.append(pending)
        labs.append("O")
    return Sentence(toks, labs)


def news_split(sents: list[Sentence]) -> tuple[list[Sentence], list[Sentence]]:
    """The fixed split of NewsFANE: (train, test)."""
    cut = int(len(sents) * (1 - TEST_FRACTION))
    return sents[:cut], sents[cut:]


def dev_split(news_train: list[Sentence]) -> tuple[list[Sentence], list[Sentence]]:
    """A development split carved from NewsFANE's training part only (its last
    fifth), for tuning settings without ever looking at the held-out part."""
    cut = int(len(news_train) * (1 - TEST_FRACTION))
    return news_train[:cut], news_train[cut:]


def load_corpus(directory: str | Path, dev: bool = False,
                news_weight: int | None = None) -> tuple[list[Sentence], list[Sentence]]:
    """(training sentences: NewsFANE's first 80 %, ``news_weight`` times, + all of
    WikiFANE; test: the last 20 % of NewsFANE), clitics merged. With ``dev``, the
    test part is the development split of :func:`dev_split` instead, and
    training leaves it out."""
    directory = Path(directory)
    news = directory / NEWS_FILE
    if not news.is_file():
        raise CorpusError(f"{news}: NewsFANE file not found")
    train, test = news_split(read_fane(news))
    if dev:
        train, test = dev_split(train)
    train = train * (NEWS_WEIGHT if news_weight is None else news_weight)
    wiki = directory / WIKI_FILE
    if wiki.is_file():
        train = train + read_fane(wiki)
    return [merge_clitics(s) for s in train], [merge_clitics(s) for s in test]


def news_training(directory: str | Path, dev: bool = False) -> list[Sentence]:
    """NewsFANE's training sentences alone, once each (without the development
    split with ``dev``), clitics merged: what the network is fine-tuned on."""
    news = Path(directory) / NEWS_FILE
    if not news.is_file():
        raise CorpusError(f"{news}: NewsFANE file not found")
    train, _ = news_split(read_fane(news))
    if dev:
        train, _ = dev_split(train)
    return [merge_clitics(s) for s in train]


def spans(labels: list[str]) -> set[tuple[int, int, str]]:
    """Entity spans ``(start, end, type)`` of a BIO sequence."""
    out = set()
    start = typ = None
    for i, lab in enumerate(labels + ["O"]):
        if start is not None and not lab.startswith("I-"):
            out.add((start, i, typ))
            start = None
        if lab.startswith("B-"):
            start, typ = i, lab[2:]
    return out
