"""A statistical recognizer: a linear-chain CRF (CRFsuite) over normalized
tokens, with features that carry the lexicons and cue words.

The model ships in the package (``kg/models/ner.crfsuite``) and is rebuilt
from the FANE corpora with ``kg train-ner``. It tags BIO over Person,
Organization and Place.
"""

from __future__ import annotations

import bisect
import os
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Callable, Iterable

from .lexicon import Lexicon
from .recognize import Cues, lexicon_spans, load_cues
from .text import clitic_variants, normalize

MODEL_NAME = "ner.crfsuite"

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


class Featurizer:
    """Per-token features: the word, its clitic-stripped stem, affixes, shape,
    lexicon BIO tag, and cue-word classes, in a window of ±2 tokens."""

    def __init__(self, lex: Lexicon, cues: Cues | None = None):
        self.lex = lex
        self.cues = cues or load_cues()
        c = self.cues
        self._classes = (
            ("title", c.title_firsts), ("orgh", frozenset(c.org_heads)), ("plh", frozenset(c.place_heads)),
            ("stop", c.stop), ("verb", c.verbs), ("nisba", frozenset(lex.nisba)),
        )
        self._cache: dict[str, tuple] = {}

    #: words whose features are kept (a word's own features do not depend on its context)
    CACHE_WORDS = 200_000

    def _word(self, w: str) -> tuple:
        """What a word's features take from the word alone: its stem, its flags,
        its own features and, per offset, what it gives a neighbour's (cached)."""
        got = self._cache.get(w)
        if got is not None:
            return got
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
        own = ["b", "w=" + w, "s=" + stem, "p3=" + stem[:3], "x2=" + w[-2:], "x3=" + w[-3:],
               f"len={min(len(stem), 9)}"]
        near = {}
        for d in (-2, -1, 1, 2):
            f = [f"{d}s={stem}"] + [f"{d}f={x}" for x in flags]
            if abs(d) == 1:
                f += [f"{d}w={w}", f"{d}x2={w[-2:]}"]
            near[d] = f
        got = (stem, tuple(flags), own, ["f=" + x for x in flags], near)
        if len(self._cache) >= self.CACHE_WORDS:
            self._cache.clear()
        self._cache[w] = got
        return got

    def _lex_tags(self, words: list[str]) -> list[str]:
        lex_tags = ["O"] * len(words)
        for i, j, key, _, _ in lexicon_spans(self.lex, words):
            typ = self.lex.entries[key].type
            lex_tags[i] = "B-" + typ
            for t in range(i + 1, j):
                lex_tags[t] = "I-" + typ
        return lex_tags

    def infos(self, words: list[str]) -> list[TokenInfo]:
        """``words`` are normalized tokens of one sentence."""
        out = []
        for w, lt in zip(words, self._lex_tags(words)):
            stem, flags = self._word(w)[:2]
            out.append(TokenInfo(w, stem, lt, flags))
        return out

    def features(self, words: list[str]) -> list[list[str]]:
        lex_tags = self._lex_tags(words)
        cached = [self._word(w) for w in words]
        n = len(words)
        feats = []
        for i in range(n):
            _, _, own, fflags, _ = cached[i]
            f = own + ["lex=" + lex_tags[i]]
            f += fflags
            for d in (-2, -1, 1, 2):
                k = i + d
                if 0 <= k < n:
                    f.append(f"{d}lex={lex_tags[k]}")
                    f += cached[k][4][d]
                else:
                    f.append(f"{d}BOS" if k < 0 else f"{d}EOS")
            if i > 0:
                f.append(f"s-1|s={cached[i - 1][0]}|{cached[i][0]}")
            feats.append(f)
        return feats


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
        self.featurizer = Featurizer(lex, cues)

    def tag(self, words: list[str]) -> tuple[list[str], list[float]]:
        """BIO labels and each label's marginal probability for normalized tokens."""
        if not words:
            return [], []
        self.tagger.set(self.featurizer.features(words))
        labels = self.tagger.tag()
        probs = [self.tagger.marginal(lab, i) for i, lab in enumerate(labels)]
        return labels, probs


@lru_cache(maxsize=2)
def load_model(path: str | None = None, lex: Lexicon | None = None) -> NerModel | None:
    """The shipped model, or None when the package has none."""
    from .lexicon import load_lexicon

    p = Path(path) if path else default_model_path()
    if not p.is_file():
        return None
    return NerModel(p, lex or load_lexicon())


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
        trainer.append(feat.features(normalize_tokens(s.tokens)), s.labels)
    trainer.set_params({**TRAIN_PARAMS, **(params or {})})
    if progress:
        trainer.message = lambda text: None
        orig = trainer.on_iteration

        def on_iteration(log, info):
            progress(f"iteration {info.get('num')}: loss {info.get('loss'):.1f}")
            return orig(log, info)

        trainer.on_iteration = on_iteration
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(fd)
    try:
        trainer.train(tmp)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
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


def evaluate_ner(test, lex: Lexicon, model: NerModel | None) -> dict:
    """Scores on ``test`` sentences for the lexicon and cues alone, the model
    alone and the combination (the recognizer ``kg build`` uses)."""
    from .fane import spans
    from .recognize import Recognizer

    gold = [spans(s.labels) for s in test]
    # FANE does not annotate nationality adjectives (الإيراني) as mentions of their
    # country, and its sentences come without their articles: the adjective rule is off.
    rules = Recognizer(lex, model=None, adjectives=False)
    result = {"sentences": len(test), "tokens": sum(len(s.tokens) for s in test),
              "lexicon+cues": _score(zip(gold, (recognizer_spans(rules, s.tokens) for s in test)))}
    if model is not None:
        result["model"] = _score(zip(gold, (spans(model.tag(normalize_tokens(s.tokens))[0]) for s in test)))
        combined = Recognizer(lex, model=model, adjectives=False)
        result["combined"] = _score(zip(gold, (recognizer_spans(combined, s.tokens) for s in test)))
    return result


def format_ner_report(result: dict) -> str:
    lines = [f"NewsFANE held-out: {result['sentences']} sentences, {result['tokens']} tokens",
             f"{'system':<14} {'type':<13} {'P':>6} {'R':>6} {'F1':>6} {'tp':>6} {'fp':>6} {'fn':>6}"]
    for system in ("lexicon+cues", "model", "combined"):
        if system not in result:
            continue
        for typ, s in result[system].items():
            lines.append(f"{system:<14} {typ:<13} {s['precision']:>6.3f} {s['recall']:>6.3f} "
                         f"{s['f1']:>6.3f} {s['tp']:>6} {s['fp']:>6} {s['fn']:>6}")
    return "\n".join(lines) + "\n"
