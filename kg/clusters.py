"""Word clusters learned from unlabeled news, a feature of the recognizer's models.

Words that occur between the same neighbours fall in the same cluster:
foreign given names together, towns together, verbs of saying together. The
recognizer's model can then generalize from a name it saw in training to one
it never saw but that news text uses the same way.

:func:`train_clusters` builds the table offline (``kg train-clusters --corpus
../shared/corpora/ant``) from the normalized tokens of a news corpus: for the
most frequent words, counts of the words right before and right after them,
weighted by positive pointwise mutual information, reduced by a truncated SVD
and grouped by k-means at two granularities (a fine and a coarse cluster). It
needs numpy and scipy (``pip install -e '.[clusters]'``); reading the shipped
table (``kg/data/clusters.tsv``) needs neither.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .text import normalize, tokenize

CLUSTERS_FILE = "clusters.tsv"

#: how the shipped table was built (the defaults of ``kg train-clusters``)
VOCABULARY = 40_000  # words that get a cluster (the most frequent, seen at least MIN_COUNT times)
MIN_COUNT = 5
CONTEXTS = 3_000  # the most frequent words serve as left and right contexts
DIMENSIONS = 100
FINE, COARSE = 400, 60
SEED = 13
#: name evidence: a word seen at least EVIDENCE_MIN_COUNT times inside names of a type is
#: "hi" for it when at least half its occurrences are, "lo" from EVIDENCE_LOW
EVIDENCE_MIN_COUNT = 2
EVIDENCE_LOW = 0.15


def default_clusters_path() -> Path:
    return Path(str(resources.files("kg") / "data" / CLUSTERS_FILE))


@lru_cache(maxsize=2)
def load_clusters(path: str | None = None) -> dict[str, tuple[str | None, str | None, tuple[str, ...]]]:
    """``word → (fine cluster, coarse cluster, name evidence)``, the clusters None
    for a word seen too seldom to have one, the evidence a tuple such as
    ``("Person:hi",)``; empty when the table is absent."""
    p = Path(path) if path else default_clusters_path()
    if not p.is_file():
        return {}
    out = {}
    with open(p, encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            word, fine, coarse, names = line.rstrip("\n").split("\t")
            out[word] = (None if fine == "-" else fine, None if coarse == "-" else coarse,
                         () if names == "-" else tuple(names.split(",")))
    return out


def _records(path: str | Path, limit: int | None = None) -> Iterator[dict]:
    """The records of a JSON Lines file (``.jsonl`` or ``.jsonl.gz``), the first ``limit``."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            if limit and n >= limit:
                break
            yield json.loads(line)


def corpus_sentences(path: str | Path, limit: int | None = None) -> Iterator[list[str]]:
    """Normalized word tokens of each line of the articles in a JSON Lines file
    (``.jsonl`` or ``.jsonl.gz``, fields ``title`` and ``text``)."""
    for obj in _records(path, limit):
        for part in ((obj.get("title") or "") + "\n" + (obj.get("text") or "")).split("\n"):
            toks = [t.text for t in tokenize(normalize(part).text)]
            if toks:
                yield toks


def name_evidence(files: Iterable[str | Path], limit: int | None = None):
    """How often each word form is part of a name that the lexicons and cue
    patterns (no model) find in the articles: ``(total counts, {type: counts})``.
    A word that is mostly seen inside such names (ليفني after وزيرة الخارجية) is
    likely a name elsewhere too."""
    from .recognize import Recognizer

    rec = Recognizer(model=None, adjectives=False)
    total: Counter = Counter()
    inside: dict[str, Counter] = {"Person": Counter(), "Organization": Counter(), "Place": Counter()}
    for f in files:
        for obj in _records(f, limit):
            doc, mentions = rec.recognize((obj.get("title") or "") + "\n\n" + (obj.get("text") or ""))
            total.update(t.text for t in doc.tokens)
            for m in mentions:
                if not m.is_name:
                    continue
                # the anchor leaves out proclitics: وبوتين counts for بوتين
                inside[m.type].update(t.text for t in tokenize(normalize(m.text).text) if t.is_word)
    return total, inside


def _kmeans(x, k: int, seed: int, iterations: int = 30):
    import numpy as np

    rng = np.random.default_rng(seed)
    centers = x[rng.choice(len(x), size=k, replace=False)].copy()
    assign = np.zeros(len(x), dtype=np.int64)
    for _ in range(iterations):
        assign = (x @ centers.T).argmax(axis=1)  # rows are unit vectors: cosine
        for c in range(k):
            members = x[assign == c]
            if len(members):
                v = members.sum(axis=0)
                centers[c] = v / (np.linalg.norm(v) or 1.0)
            else:
                centers[c] = x[rng.integers(len(x))]
    return assign


def train_clusters(
    files: list[str | Path],
    out: str | Path,
    vocabulary: int = VOCABULARY,
    contexts: int = CONTEXTS,
    fine: int = FINE,
    coarse: int = COARSE,
    dimensions: int = DIMENSIONS,
    min_count: int = MIN_COUNT,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Build the cluster table from news corpora and write it atomically to ``out``."""
    import numpy as np
    from scipy.sparse import coo_matrix
    from scipy.sparse.linalg import svds

    say = progress or (lambda _m: None)
    sents = [s for f in files for s in corpus_sentences(f)]
    say(f"{len(sents)} lines, {sum(map(len, sents))} tokens")
    freq = Counter(w for s in sents for w in s)
    ranked = sorted(freq, key=lambda w: (-freq[w], w))
    words = [w for w in ranked[:vocabulary] if freq[w] >= min_count and w[:1].isalpha()]
    ctx = ranked[:contexts]
    wid = {w: i for i, w in enumerate(words)}
    cid = {w: i for i, w in enumerate(ctx)}
    rows, cols = [], []
    for s in sents:
        padded = ["<s>", *s, "</s>"]
        for t in range(1, len(padded) - 1):
            r = wid.get(padded[t])
            if r is None:
                continue
            left, right = cid.get(padded[t - 1]), cid.get(padded[t + 1])
            if left is not None:
                rows.append(r)
                cols.append(left)
            if right is not None:
                rows.append(r)
                cols.append(len(ctx) + right)
    m = coo_matrix((np.ones(len(rows), dtype=np.float64), (np.array(rows), np.array(cols))),
                   shape=(len(words), 2 * len(ctx))).tocsr()
    m.sum_duplicates()
    total = m.sum()
    row_sum = np.asarray(m.sum(axis=1)).ravel()
    col_sum = np.asarray(m.sum(axis=0)).ravel() ** 0.75  # context distribution smoothing
    col_sum *= total / col_sum.sum()
    coo = m.tocoo()
    pmi = np.log(coo.data * total / (row_sum[coo.row] * col_sum[coo.col]))
    keep = pmi > 0
    ppmi = coo_matrix((pmi[keep], (coo.row[keep], coo.col[keep])), shape=m.shape).tocsr()
    say(f"{len(words)} words × {2 * len(ctx)} contexts, {ppmi.nnz} positive cells")
    v0 = np.full(min(ppmi.shape), 1.0 / np.sqrt(min(ppmi.shape)))
    u, sv, _ = svds(ppmi, k=min(dimensions, min(ppmi.shape) - 1), v0=v0, random_state=SEED)
    vec = u * np.sqrt(sv)
    vec /= np.linalg.norm(vec, axis=1, keepdims=True).clip(1e-9)
    say("k-means")
    fine_ids = _kmeans(vec, fine, SEED)
    coarse_ids = _kmeans(vec, coarse, SEED + 1)
    say("name evidence (lexicons and cues over the corpus)")
    total, inside = name_evidence(files)
    evidence: dict[str, list[str]] = {}
    for typ in sorted(inside):
        for w, n in inside[typ].items():
            ratio = n / max(total[w], n)
            if n >= EVIDENCE_MIN_COUNT and ratio >= EVIDENCE_LOW:
                evidence.setdefault(w, []).append(f"{typ}:{'hi' if ratio >= 0.5 else 'lo'}")
    from .export import atomic_path

    out = Path(out)
    with atomic_path(out) as tmp, open(tmp, "w", encoding="utf-8") as fh:
        fh.write(f"# kg train-clusters: word, fine cluster ({fine}), coarse cluster ({coarse}), "
                 f"name evidence\n")
        for w in sorted(set(words) | set(evidence)):
            r = wid.get(w)
            fh.write(f"{w}\t{'-' if r is None else fine_ids[r]}\t{'-' if r is None else coarse_ids[r]}"
                     f"\t{','.join(evidence.get(w, ())) or '-'}\n")
    return out
