"""The statistical recognizer's models, their features and their evaluation.

Two kinds of model tag BIO over Person, Organization and Place (see
:func:`model_kinds`): the network of :mod:`kg.neural`, which the recognizer
uses (``kg/models/ner.npz``), and a linear-chain CRF (CRFsuite,
``kg/models/ner.crfsuite``) over normalized tokens, with features that carry
the lexicons and cue words; the network reads the same evidence. Both ship in
the package and are rebuilt from the FANE corpora with ``kg train-ner``
(``--kind bilstm`` or ``crf``).
"""

from __future__ import annotations

import bisect
import os
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Callable, Iterable

from .clusters import load_clusters
from .lexicon import Lexicon
from .recognize import Cues, lexicon_spans, load_cues
from .text import clitic_readings, clitic_variants, normalize

MODEL_NAME = "ner.crfsuite"
#: the model's labels: "BILOU" (a name's last token L-, a one-token name U-) or "BIO";
#: a trained model tells which it uses by its labels, and :meth:`NerModel.tag` returns BIO
LABEL_SCHEME = "BILOU"

#: training settings (L1 keeps the model small, L2 smooths it)
TRAIN_PARAMS = {"c1": 0.05, "c2": 0.01, "max_iterations": 150, "feature.possible_transitions": True,
                "feature.minfreq": 2}


def default_model_path() -> Path:
    return Path(str(resources.files("kg") / "models" / MODEL_NAME))


@dataclass
class TokenInfo:
    w: str
    stem: str
    lex: str
    flags: tuple[str, ...]
    cluster: tuple | None = None  # (fine, coarse, name evidence) from kg/data/clusters.tsv


class Featurizer:
    """Per-token features: the word, its clitic-stripped stem, affixes, shape,
    lexicon BIO tag, cue-word classes, word clusters and name evidence learned
    from unlabeled news (:mod:`kg.clusters`), in a window of ±2 tokens, and
    whether a title word is among the three tokens before."""

    def __init__(self, lex: Lexicon, cues: Cues | None = None, clusters: dict | None = None,
                 known: frozenset[str] | None = None):
        """``known``: the attributes a trained model has weights for; the others are
        left out of the features (CRFsuite is slow at skipping unknown ones)."""
        self.lex = lex
        self.cues = cues or load_cues()
        self.clusters = load_clusters() if clusters is None else clusters
        self.known = known
        c = self.cues
        self._classes = (
            ("title", c.title_firsts), ("orgh", frozenset(c.org_heads)), ("plh", frozenset(c.place_heads)),
            ("stop", c.stop), ("verb", c.verbs), ("nisba", frozenset(lex.nisba)),
        )
        self._word_cache: dict[str, tuple] = {}

    def infos(self, words: list[str]) -> list[TokenInfo]:
        """``words`` are normalized tokens of one sentence."""
        return [self._info(w, lt) for w, lt in zip(words, self.lex_tags(words))]

    def lex_tags(self, words: list[str]) -> list[str]:
        """The lexicon's BIO tag of each token."""
        tags = ["O"] * len(words)
        for i, j, key, _, _ in lexicon_spans(self.lex, words):
            typ = self.lex.entries[key].type
            tags[i] = "B-" + typ
            for t in range(i + 1, j):
                tags[t] = "I-" + typ
        return tags

    def _info(self, w: str, lex_tag: str) -> TokenInfo:
        variants = clitic_variants(w)
        keys = {k for _, k in variants}
        stem = variants[-1][1] if variants else w
        flags = [name for name, vocab in self._classes if keys & vocab]
        if w in self.lex.given_names or keys & self.lex.given_names:
            flags.append("given")
        if w[:1].isdigit():
            flags.append("digit")
        elif w.isascii() and w[:1].isalpha():
            flags.append("latin")
        elif not w[:1].isalnum():
            flags.append("punct")
        if w.startswith("ال"):
            flags.append("def")
        if len(variants) > 1:
            flags.append("clitic")
        return TokenInfo(w, stem, lex_tag, tuple(flags), self.cluster(w))

    def cluster(self, w: str) -> tuple | None:
        """The word's entry in the cluster table, else that of its least stripped
        clitic reading (وبوتين → بوتين) that has one."""
        c = self.clusters.get(w)
        if c is None and self.clusters:
            for _, stem in clitic_readings(w)[1:]:
                c = self.clusters.get(stem)
                if c is not None:
                    break
        return c

    def _word(self, w: str) -> tuple:
        """What a word contributes, whatever its neighbours: its own features,
        its features as a neighbour at each offset (both UTF-8 encoded), whether
        it is a title, and its stem."""
        got = self._word_cache.get(w)
        if got is not None:
            return got
        t = self._info(w, "O")
        own = ["b", "w=" + w, "s=" + t.stem, "p2=" + t.stem[:2], "p3=" + t.stem[:3], "p4=" + t.stem[:4],
               "x1=" + w[-1:], "x2=" + w[-2:], "x3=" + w[-3:], "x4=" + t.stem[-4:], f"len={min(len(t.stem), 9)}"]
        own += ["f=" + x for x in t.flags]
        fine, coarse, names = t.cluster or (None, None, ())
        own += ["c=" + (fine or "none"), "cc=" + (coarse or "none")]
        own += ["g=" + x for x in names]
        side = {}
        for d in (-2, -1, 1, 2):
            f = [f"{d}s={t.stem}"] + [f"{d}f={x}" for x in t.flags]
            if coarse:
                f.append(f"{d}cc={coarse}")
            f += [f"{d}g={x}" for x in names]
            if abs(d) == 1:
                if fine:
                    f.append(f"{d}c={fine}")
                f += [f"{d}w={w}", f"{d}x2={w[-2:]}"]
            side[d] = f
        if self.known is not None:
            own = [x for x in own if x in self.known]
            side = {d: [x for x in f if x in self.known] for d, f in side.items()}
        # kept encoded: what the tagger takes, and smaller than str in Arabic
        got = ([x.encode() for x in own], {d: [x.encode() for x in f] for d, f in side.items()},
               "title" in t.flags, t.stem)
        if len(self._word_cache) > 200_000:
            self._word_cache.clear()
        self._word_cache[w] = got
        return got

    def features(self, words: list[str], lex_tags: list[str] | None = None,
                 encoded: bool = False) -> list[list[str]] | list[list[bytes]]:
        """Features of each token of a sentence (normalized tokens); ``lex_tags``
        are the lexicon's tags when the caller has them already. ``encoded``:
        as UTF-8 bytes, which CRFsuite takes without encoding each again (the
        words' features are encoded once, in the cache)."""
        n = len(words)
        lex = lex_tags or self.lex_tags(words)
        cache, known = self._word_cache, self.known
        per = [cache.get(w) or self._word(w) for w in words]
        titled = after_title([p[2] for p in per])
        feats = []
        lexf = _LEX_FEATURES
        for i in range(n):
            f = per[i][0] + [lexf[0][lex[i]]]
            if titled[i]:
                f.append(b"titled")
            for d in (-2, -1, 1, 2):
                k = i + d
                if 0 <= k < n:
                    f.append(lexf[d][lex[k]])
                    f += per[k][1][d]
                else:
                    f.append(_EDGES[d])
            if i > 0:
                x = f"s-1|s={per[i - 1][3]}|{per[i][3]}"
                if known is None or x in known:
                    f.append(x.encode())
            if i + 1 < n:
                x = f"s|s+1={per[i][3]}|{per[i + 1][3]}"
                if known is None or x in known:
                    f.append(x.encode())
            feats.append(f)
        if not encoded:
            feats = [[x.decode() for x in f] for f in feats]
        return feats


def after_title(is_title: list[bool]) -> list[bool]:
    """Whether a title word is among the three tokens before each token."""
    n = len(is_title)
    out = [False] * n
    for i, t in enumerate(is_title):
        if t:
            for k in range(i + 1, min(n, i + 4)):
                out[k] = True
    return out


_LEX_TAGS = ["O"] + [f"{p}-{t}" for p in "BI" for t in ("Person", "Organization", "Place")]
_LEX_FEATURES = {d: {t: f"{d or ''}lex={t}".encode() for t in _LEX_TAGS} for d in (-2, -1, 0, 1, 2)}
#: the feature of a neighbour beyond the sentence's edge
_EDGES = {d: (f"{d}BOS" if d < 0 else f"{d}EOS").encode() for d in (-2, -1, 1, 2)}


def normalize_tokens(tokens: Iterable[str]) -> list[str]:
    return [normalize(t).text or t for t in tokens]


class NerModel:
    """A trained CRF and its featurizer."""

    def __init__(self, path: str | Path, lex: Lexicon, cues: Cues | None = None):
        import pycrfsuite

        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(f"{self.path}: no NER model (build it with `kg train-ner`)")
        self.tagger = pycrfsuite.Tagger()
        self.tagger.open(str(self.path))
        self.featurizer = Featurizer(lex, cues, known=read_attributes(self.path))
        self.bilou = any(lab.startswith(("U-", "L-")) for lab in self.tagger.labels())

    def tag(self, words: list[str], lex_tags: list[str] | None = None,
            outside: set[int] | None = None) -> tuple[list[str], list[float]]:
        """BIO labels and each label's marginal probability for normalized tokens
        (``lex_tags``: the lexicon's tags, when known). With ``outside``, the
        probability of an O label is computed only for the tokens in it (else
        0.0): the caller needs few of them."""
        if not words:
            return [], []
        self.tagger.set(self.featurizer.features(words, lex_tags, encoded=True))
        labels = self.tagger.tag()
        marginal = self.tagger.marginal
        if outside is None:
            probs = [marginal(lab, i) for i, lab in enumerate(labels)]
        else:
            probs = [0.0 if lab == "O" and i not in outside else marginal(lab, i)
                     for i, lab in enumerate(labels)]
        return (to_bio(labels) if self.bilou else labels), probs

    def tag_many(self, sentences: list[tuple[list[str], list[str] | None]],
                 outside: list[set[int] | None] | None = None) -> list[tuple[list[str], list[float]]]:
        """:meth:`tag` of each ``(words, lex_tags)``."""
        outside = outside or [None] * len(sentences)
        return [self.tag(w, lt, o) for (w, lt), o in zip(sentences, outside)]


def to_bilou(labels: list[str]) -> list[str]:
    """BIO → BILOU: the last token of a name is L-, a name of one token U-."""
    out = list(labels)
    n = len(labels)
    for i, lab in enumerate(labels):
        if lab == "O":
            continue
        last = i + 1 >= n or labels[i + 1] != "I-" + lab[2:]
        if last:
            out[i] = ("U-" if lab.startswith("B-") else "L-") + lab[2:]
    return out


def to_bio(labels: list[str]) -> list[str]:
    """BILOU → BIO."""
    return [("B-" if lab[0] == "U" else "I-") + lab[2:] if lab[:1] in ("U", "L") else lab for lab in labels]


def attributes_path(model: Path) -> Path:
    """The list of the attributes a model has weights for, beside it."""
    return model.with_suffix(".attributes.gz")


def _digest(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_attributes(model: Path) -> Path:
    """Write the attributes ``model`` has weights for (first line: the model's
    SHA-256, so that a stale list is never used)."""
    import gzip

    import pycrfsuite

    tagger = pycrfsuite.Tagger()
    tagger.open(str(model))
    attrs = sorted({a for a, _ in tagger.info().state_features})
    out = attributes_path(model)
    tmp = out.with_name(out.name + ".tmp")
    with gzip.GzipFile(tmp, "wb", mtime=0) as fh:
        fh.write(("\n".join([_digest(model), *attrs]) + "\n").encode("utf-8"))
    os.replace(tmp, out)
    return out


def read_attributes(model: Path) -> frozenset[str] | None:
    """The attributes of :func:`write_attributes`, or None when the list is absent
    or belongs to another model (then every feature is passed to CRFsuite)."""
    import gzip

    path = attributes_path(model)
    if not path.is_file():
        return None
    lines = gzip.decompress(path.read_bytes()).decode("utf-8").split("\n")
    if lines[0] != _digest(model):
        return None
    return frozenset(x for x in lines[1:] if x)


def model_kinds() -> dict[str, tuple[str, type]]:
    """The kinds of model: name → (the shipped file's name, the class that runs it)."""
    from .neural import NEURAL_MODEL_NAME, NeuralTagger

    return {"bilstm": (NEURAL_MODEL_NAME, NeuralTagger), "crf": (MODEL_NAME, NerModel)}


#: the kind of model the recognizer uses when the package ships it
DEFAULT_KIND = "bilstm"


def shipped_model_path(kind: str = DEFAULT_KIND) -> Path:
    return Path(str(resources.files("kg") / "models" / model_kinds()[kind][0]))


def open_model(path: str | Path, lex: Lexicon):
    """A trained model of either kind, told apart by the file's name."""
    path = Path(path)
    for name, cls in model_kinds().values():
        if path.suffix == Path(name).suffix:
            return cls(path, lex)
    raise ValueError(f"{path}: not a model file (expected one of "
                     f"{', '.join(n for n, _ in model_kinds().values())})")


@lru_cache(maxsize=2)
def load_model(path: str | None = None, lex: Lexicon | None = None):
    """The model at ``path``, else the shipped one (:data:`DEFAULT_KIND`, else
    the CRF), or None when the package has none."""
    from .lexicon import load_lexicon

    candidates = [Path(path)] if path else [shipped_model_path(DEFAULT_KIND), default_model_path()]
    for p in candidates:
        if p.is_file():
            return open_model(p, lex or load_lexicon())
    return None


def train(
    sentences,
    out: str | Path,
    lex: Lexicon,
    params: dict | None = None,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Train a CRF on ``sentences`` (:class:`kg.fane.Sentence`, clitics merged)
    and write it atomically to ``out``."""
    import pycrfsuite

    feat = Featurizer(lex)
    trainer = pycrfsuite.Trainer(verbose=False)
    for s in sentences:
        trainer.append(feat.features(normalize_tokens(s.tokens), encoded=True),
                       to_bilou(s.labels) if LABEL_SCHEME == "BILOU" else s.labels)
    trainer.set_params({**TRAIN_PARAMS, **(params or {})})
    if progress:
        trainer.message = lambda text: None
        orig = trainer.on_iteration

        def on_iteration(log, info):
            progress(f"iteration {info.get('num')}: loss {info.get('loss'):.1f}")
            return orig(log, info)

        trainer.on_iteration = on_iteration
    from .export import atomic_path

    out = Path(out)
    with atomic_path(out) as tmp:
        trainer.train(str(tmp))
    write_attributes(out)
    return out




# ---------------------------------------------------------------- evaluation

def _score(pairs) -> dict:
    """Per-type and micro P/R/F1 over ``(gold spans, predicted spans)`` pairs."""
    from collections import Counter

    tp, fp, fn = Counter(), Counter(), Counter()
    for gold, pred in pairs:
        for x in pred & gold:
            tp[x[2]] += 1
        for x in pred - gold:
            fp[x[2]] += 1
        for x in gold - pred:
            fn[x[2]] += 1

    def prf(t, p, n):
        prec = t / (t + p) if t + p else 0.0
        rec = t / (t + n) if t + n else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        return {"precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f1, 4),
                "tp": t, "fp": p, "fn": n}

    types = sorted(set(tp) | set(fp) | set(fn))
    out = {t: prf(tp[t], fp[t], fn[t]) for t in types}
    out["micro"] = prf(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    return out


def recognizer_spans(rec, tokens: list[str]) -> set[tuple[int, int, str]]:
    """Run the full recognizer over a sentence given as tokens (joined by
    spaces) and map its mentions back to token spans."""
    text = " ".join(tokens)
    starts, pos = [], 0
    for t in tokens:
        starts.append(pos)
        pos += len(t) + 1
    _, mentions = rec.recognize(text)
    out = set()
    for m in mentions:
        i = bisect.bisect_right(starts, m.begin) - 1
        j = bisect.bisect_right(starts, m.end - 1)
        out.add((i, j, m.type))
    return out


def recognizer_doc_spans(rec, sents: list[list[str]]) -> list[set[tuple[int, int, str]]]:
    """Run the full recognizer over consecutive sentences given as tokens, one
    text with a sentence per line (so that what it finds in one sentence may
    inform the others, as in an article), and map its mentions back to each
    sentence's token spans."""
    text = "\n".join(" ".join(toks) for toks in sents)
    starts, owner, pos = [], [], 0
    for si, toks in enumerate(sents):
        for k, t in enumerate(toks):
            starts.append(pos)
            owner.append((si, k))
            pos += len(t) + 1
    _, mentions = rec.recognize(text)
    out: list[set] = [set() for _ in sents]
    for m in mentions:
        si, i = owner[bisect.bisect_right(starts, m.begin) - 1]
        sj, j = owner[bisect.bisect_right(starts, m.end - 1) - 1]
        if si == sj:
            out[si].add((i, j + 1, m.type))
    return out


#: FANE's sentences come without their articles' boundaries: the evaluation reads
#: them in blocks of this many consecutive sentences (articles are contiguous in
#: the file), as the recognizer reads an article: about the length of a news
#: article (ANT's average 219 words against NewsFANE's 33 tokens a sentence),
#: chosen so, not tuned. 1: each sentence on its own.
EVAL_BLOCK = 7


def _blocks(test, size: int):
    for b in range(0, len(test), size):
        yield [s.tokens for s in test[b:b + size]]


def block_spans(rec, test, size: int = EVAL_BLOCK) -> list[set]:
    """The recognizer's spans of each test sentence, read in blocks of ``size``."""
    if size <= 1:
        return [recognizer_spans(rec, s.tokens) for s in test]
    out = []
    for block in _blocks(test, size):
        out += recognizer_doc_spans(rec, block)
    return out


def evaluate_ner(test, lex: Lexicon, model: NerModel | None, block: int = EVAL_BLOCK) -> dict:
    """Scores on ``test`` sentences for the lexicon and cues alone, the model
    alone and the combination (the recognizer ``kg build`` uses)."""
    from .fane import spans
    from .recognize import Recognizer

    gold = [spans(s.labels) for s in test]
    # FANE does not annotate nationality adjectives (الإيراني) as mentions of their
    # country, and its sentences come without their articles: the adjective rule is off.
    rules = Recognizer(lex, model=None, adjectives=False)
    result = {"sentences": len(test), "tokens": sum(len(s.tokens) for s in test), "block": block,
              "lexicon+cues": _score(zip(gold, block_spans(rules, test, block)))}
    if model is not None:
        result["model"] = _score(zip(gold, (spans(model.tag(normalize_tokens(s.tokens))[0]) for s in test)))
        combined = Recognizer(lex, model=model, adjectives=False)
        result["combined"] = _score(zip(gold, block_spans(combined, test, block)))
        if block > 1:  # and each sentence on its own, without the rest of its article
            result["combined/sentence"] = _score(zip(gold, block_spans(combined, test, 1)))
    return result


def format_ner_report(result: dict) -> str:
    lines = [f"NewsFANE held-out: {result['sentences']} sentences, {result['tokens']} tokens, "
             f"read in blocks of {result.get('block', 1)} (the model alone: sentence by sentence)",
             f"{'system':<17} {'type':<13} {'P':>6} {'R':>6} {'F1':>6} {'tp':>6} {'fp':>6} {'fn':>6}"]
    for system in ("lexicon+cues", "model", "combined", "combined/sentence"):
        if system not in result:
            continue
        for typ, s in result[system].items():
            lines.append(f"{system:<17} {typ:<13} {s['precision']:>6.3f} {s['recall']:>6.3f} "
                         f"{s['f1']:>6.3f} {s['tp']:>6} {s['fp']:>6} {s['fn']:>6}")
    return "\n".join(lines) + "\n"
