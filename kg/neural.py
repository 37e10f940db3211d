"""A neural recognizer: a bidirectional LSTM with a CRF output layer over the
same per-token evidence as the CRF of :mod:`kg.ner` (the word, its
clitic-stripped stem, affixes, word clusters and name evidence learned from
unlabeled news, the lexicon's tag, cue-word classes, a title before), plus a
small convolution over the word's letters, which carries what a transliterated
foreign name looks like (a name the training data never had).

It is trained with PyTorch (``kg train-ner --kind bilstm``; ``pip install
'kg[train]'``) and ships as plain arrays (``kg/models/ner.npz``) that this
module runs without PyTorch, with numpy (and :mod:`kg.kernels` for the CRF
layer's decoding): the LSTM is run over all the sentences of an article at
once, the letter convolution and the input weights' product once per distinct
word.

Tagging gives, as the CRF does, BIO labels with the marginal probability of
each label (forward-backward over the CRF layer), which the recognizer's
combination uses as its confidence.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path
from typing import Callable

import numpy as np

from .lexicon import Lexicon
from .ner import Featurizer, after_title
from .recognize import Cues

NEURAL_MODEL_NAME = "ner.npz"
TAGS = ["O"] + [f"{p}-{t}" for t in ("Person", "Organization", "Place") for p in "BI"]
#: the token's own categorical inputs: (name, minimum count in training to get an
#: embedding of its own, embedding size)
FIELDS = (("word", 2, 64), ("stem", 2, 48), ("prefix3", 1, 16), ("suffix2", 1, 16), ("suffix3", 1, 16),
          ("cluster", 1, 24), ("coarse", 1, 12), ("lex", 1, 8))
#: letters of a word the convolution reads, and its size
MAX_CHARS, CHAR_DIM, CHAR_FILTERS, CHAR_MIN_COUNT = 16, 24, 64, 5
#: training settings (chosen on the development split of :func:`kg.fane.dev_split`); one
#: thread, so that PyTorch's sums come out the same on any machine and a rebuild gives
#: the same bytes
TRAIN = {"hidden": 64, "epochs": 8, "batch": 32, "lr": 2e-3, "lr_decay": 0.15, "dropout": 0.3,
         "word_dropout": 0.15, "stem_dropout": 0.1, "seed": 13, "threads": 1,
         # then NewsFANE's sentences alone (the domain of use): 3 epochs at 0.3 × the rate
         "finetune_epochs": 3, "finetune_lr": 0.3}
PAD, UNK = 0, 1
_NEG = -1e4


def _allowed(a: str, b: str) -> bool:
    """Whether label ``b`` may follow label ``a`` (an I- continues its own type)."""
    return not b.startswith("I-") or (a != "O" and a[2:] == b[2:])


TRANSITION_MASK = np.array([[0.0 if _allowed(a, b) else _NEG for b in TAGS] for a in TAGS], dtype=np.float32)
START_MASK = np.array([_NEG if t.startswith("I-") else 0.0 for t in TAGS], dtype=np.float32)


class TokenFields:
    """What the network reads of each token, from the CRF's featurizer: the
    categorical fields of :data:`FIELDS` and a set of flags (cue classes, name
    evidence, a title among the three tokens before)."""

    def __init__(self, lex: Lexicon, cues: Cues | None = None):
        self.featurizer = Featurizer(lex, cues)
        self._cache: dict[str, tuple] = {}

    def word(self, w: str) -> tuple:
        """A word's fields, whatever its neighbours: (fields without the lexicon
        tag, flags, is a title)."""
        got = self._cache.get(w)
        if got is None:
            t = self.featurizer._info(w, "O")
            fine, coarse, names = t.cluster or (None, None, ())
            fields = (w, t.stem, t.stem[:3], w[-2:], t.stem[-3:], fine or "-", coarse or "-")
            flags = tuple(t.flags) + tuple("g:" + x for x in names)
            got = (fields, flags, "title" in t.flags)
            if len(self._cache) > 200_000:
                self._cache.clear()
            self._cache[w] = got
        return got

    def rows(self, words: list[str], lex_tags: list[str] | None = None) -> list[tuple[tuple, tuple]]:
        """(fields, flags) of each token of a sentence of normalized tokens."""
        lex = lex_tags or self.featurizer.lex_tags(words)
        per = [self.word(w) for w in words]
        titled = after_title([p[2] for p in per])
        return [(p[0] + (lex[i],), p[1] + (("titled",) if titled[i] else ())) for i, p in enumerate(per)]


# ------------------------------------------------------------------ inference

#: words whose projected inputs are kept (2 KB each: 60 MB)
STATIC_CACHE = 30_000
#: a sentence longer than this is read in overlapping windows of this many tokens,
#: each token tagged from the window where it has at least WINDOW_CONTEXT tokens
#: of context on either side (the recurrence then takes as many steps as a window
#: has tokens, however long the sentence: news sentences can run to 200 tokens)
WINDOW, WINDOW_CONTEXT = 48, 8


def _windows(n: int) -> list[tuple[int, int, int, int]]:
    """``(start, end, keep_from, keep_to)`` of the windows over a sentence of ``n``
    tokens: tokens ``[start, end)`` are read, ``[keep_from, keep_to)`` kept."""
    if n <= WINDOW:
        return [(0, n, 0, n)]
    core = WINDOW - 2 * WINDOW_CONTEXT
    out = []
    for keep in range(0, n, core):
        keep_to = min(n, keep + core)
        start = max(0, keep - WINDOW_CONTEXT)
        end = min(n, keep_to + WINDOW_CONTEXT)
        out.append((start, end, keep, keep_to))
    return out


class NeuralTagger:
    """The shipped network (``ner.npz``), run with numpy. Same interface as
    :class:`kg.ner.NerModel`: :meth:`tag` one sentence, :meth:`tag_many` several
    (an article's sentences, as one batch)."""

    def __init__(self, path: str | Path, lex: Lexicon, cues: Cues | None = None):
        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(f"{self.path}: no NER model (build it with `kg train-ner`)")
        try:
            with np.load(self.path) as z:
                arrays = {k: z[k] for k in z.files}
            meta = json.loads(bytes(arrays.pop("meta")).decode("utf-8"))
        except (OSError, ValueError, KeyError) as exc:
            raise ValueError(f"{self.path}: not a model written by `kg train-ner` ({exc})") from None
        if meta.get("format") != 1 or meta.get("tags") != TAGS:
            raise ValueError(f"{self.path}: a model of another format or other labels")
        self.meta = meta
        self.vocabs = [{w: i + 2 for i, w in enumerate(v)} for v in meta["vocabs"]]
        self.flags = {f: i for i, f in enumerate(meta["flags"])}
        self.chars = {c: i + 2 for i, c in enumerate(meta["chars"])}
        f32 = {k: v.astype(np.float32) for k, v in arrays.items()}
        self.embs = [f32[f"emb{k}"] for k in range(len(FIELDS))]
        self.cemb, self.conv_w, self.conv_b = f32["cemb"], f32["conv_w"], f32["conv_b"]
        self.lstm = {d: (f32[f"w_ih{d}"], f32[f"w_hh{d}"], f32[f"b{d}"]) for d in ("", "_reverse")}
        self.hidden = H = self.lstm[""][1].shape[1]
        # PyTorch's gates come as i, f, g, o; reordered to i, f, o, g, the three
        # sigmoids are contiguous, and as σ(z) = (tanh(z/2) + 1) / 2, with their rows
        # halved one tanh serves all four gates
        order = np.r_[0:2 * H, 3 * H:4 * H, 2 * H:3 * H]
        half = np.r_[np.full(3 * H, 0.5, dtype=np.float32), np.ones(H, dtype=np.float32)]
        w_ih = [(self.lstm[d][0][order] * half[:, None]).T for d in ("", "_reverse")]
        self._w_ih = np.ascontiguousarray(np.concatenate(w_ih, axis=1))  # (D, 2 × 4H)
        self._b = np.concatenate([self.lstm[d][2][order] * half for d in ("", "_reverse")])
        self._w_hh = np.stack([(self.lstm[d][1][order] * half[:, None]).T for d in ("", "_reverse")])  # (2, H, 4H)
        self.out_w, self.out_b = f32["out_w"], f32["out_b"]
        self.trans = f32["trans"] + TRANSITION_MASK
        self.start = f32["start"] + START_MASK
        self._start64, self._trans64 = self.start.astype(np.float64), self.trans.astype(np.float64)
        from .kernels import crf_decode  # here: Numba loads only where a network runs

        self._crf_decode = crf_decode
        self.fields = TokenFields(lex, cues)
        self._lex_at = at = sum(e.shape[1] for e in self.embs[:-1])
        self.input_dim = sum(e.shape[1] for e in self.embs) + len(self.flags) + self.conv_w.shape[0]
        # a token's input is [word's own part | lexicon tag's embedding | word's flags and
        # letters], and "titled" is one of the flags: its projection by the input weights
        # is the word's part's (kept per word) + the tag's (a table, with the bias) + the
        # title's row
        lex_dim = self.embs[-1].shape[1]
        self._w_word = np.ascontiguousarray(np.concatenate([self._w_ih[:at], self._w_ih[at + lex_dim:]]))
        self._lex_proj = self.embs[-1] @ self._w_ih[at:at + lex_dim] + self._b
        titled = self.flags.get("titled")
        self._titled_proj = None if titled is None else self._w_ih[at + lex_dim + titled]
        self._static = {}  # word → its row of self._static_rows
        self._static_rows = np.empty((0, self._w_ih.shape[1]), dtype=np.float32)
        from threadpoolctl import ThreadpoolController

        self._blas = ThreadpoolController()

    def _one_thread(self):
        """While the network runs, numpy's BLAS keeps to one thread: its products
        are small, and a second thread costs more than it gains (it spins on the
        core that another process, or the store's loader, works on)."""
        return self._blas.limit(limits=1, user_api="blas")

    def _statics(self, rows: list[tuple[tuple, tuple]]) -> np.ndarray:
        """For each token, the projection (by the LSTM's input weights) of the part
        of its input that depends on the word alone: its embeddings (but the lexicon
        tag's), flags (but "titled") and letter convolution; computed at once for
        the words not seen before, and kept (up to :data:`STATIC_CACHE` words)."""
        cache = self._static
        if len(cache) + len(rows) > STATIC_CACHE:
            cache.clear()  # before looking: every word of these rows is then at hand below
        new: dict[str, tuple] = {}
        for fields, flags in rows:
            w = fields[0]
            if w not in cache and w not in new:
                new[w] = (fields, flags)
        if new:
            table = self._static_rows
            first = len(cache)
            if first + len(new) > len(table):
                size = max(first + len(new), min(STATIC_CACHE, max(2 * len(table), 4096)))
                grown = np.empty((size, table.shape[1]), dtype=np.float32)
                grown[:first] = table[:first]
                self._static_rows = table = grown
            table[first:first + len(new)] = self._word_inputs(list(new.values())) @ self._w_word
            for r, w in enumerate(new, first):
                cache[w] = r
        return self._static_rows[[cache[f[0]] for f, _ in rows]]

    def _word_inputs(self, items: list[tuple[tuple, tuple]]) -> np.ndarray:
        """The part of the input of each word that depends on the word alone
        (``(fields, flags)`` of one of its tokens): (words, input size − tag size)."""
        parts = [self.embs[k][[self.vocabs[k].get(f[k], UNK) for f, _ in items]] for k in range(len(FIELDS) - 1)]
        mh = np.zeros((len(items), len(self.flags)), dtype=np.float32)
        for r, (_, flags) in enumerate(items):
            for f in flags:
                i = self.flags.get(f)
                if i is not None and f != "titled":
                    mh[r, i] = 1.0
        return np.concatenate(parts + [mh, self._letters([f[0] for f, _ in items])], axis=1)

    def _letters(self, words: list[str]) -> np.ndarray:
        """The letter convolution of each word, max-pooled: (words, filters)."""
        ids = np.zeros((len(words), MAX_CHARS + 2), dtype=np.int64)  # a zero letter each side
        chars = self.chars
        for r, w in enumerate(words):
            ids[r, 1:1 + min(len(w), MAX_CHARS)] = [chars.get(c, UNK) for c in w[:MAX_CHARS]]
        x = self.cemb[ids]  # (words, MAX_CHARS + 2, letter size); the padding letter's row is zero
        k = self.conv_w  # (filters, letter size, width 3)
        y = x[:, :-2] @ k[:, :, 0].T + x[:, 1:-1] @ k[:, :, 1].T + x[:, 2:] @ k[:, :, 2].T
        return np.maximum(y + self.conv_b, 0.0).max(axis=1)

    def _rows(self, sentences: list[tuple[list[str], list[str] | None]]) -> list[tuple[tuple, tuple]]:
        return [r for words, lex_tags in sentences for r in self.fields.rows(words, lex_tags)]

    def _titled(self, rows: list[tuple[tuple, tuple]]) -> list[int]:
        return [r for r, (_, flags) in enumerate(rows) if flags and flags[-1] == "titled"]

    def _projected(self, sentences: list[tuple[list[str], list[str] | None]]) -> np.ndarray:
        """Each token of the sentences, one after the other, projected by both
        directions' input weights, with the bias: (tokens, 2 × 4H)."""
        rows = self._rows(sentences)
        lex_voc = self.vocabs[-1]
        proj = self._statics(rows) + self._lex_proj[[lex_voc.get(f[-1], UNK) for f, _ in rows]]
        hit = self._titled(rows)
        if hit and self._titled_proj is not None:
            proj[hit] += self._titled_proj
        return proj

    def _inputs(self, sentences: list[tuple[list[str], list[str] | None]]) -> np.ndarray:
        """The network's input for every token of the sentences, as PyTorch's LSTM
        reads it: the fields' embeddings with the lexicon tag's last, the flags,
        the letter convolution. (Tagging works on its projections instead, see
        :meth:`_projected`.)"""
        rows = self._rows(sentences)
        st = self._word_inputs(rows)
        at = self._lex_at
        x = np.concatenate([st[:, :at], self.embs[-1][[self.vocabs[-1].get(f[-1], UNK) for f, _ in rows]],
                            st[:, at:]], axis=1)
        hit = self._titled(rows)
        if hit and self._titled_proj is not None:
            x[hit, at + self.embs[-1].shape[1] + self.flags["titled"]] = 1.0
        return x

    def _lstm(self, proj: np.ndarray, idx: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Both directions of the LSTM over the rows of tokens ``idx`` (B, L) of the
        projected inputs ``proj`` (its last row is padding), rows sorted by length,
        longest first: the hidden states (B, L, 2H), zero past a row's end."""
        B, L = idx.shape
        H = self.hidden
        rows = np.arange(B)[:, None]
        steps = np.arange(L)[None, :]
        # the backward direction reads each row reversed within its own length
        rev = np.where(steps < lengths[:, None], lengths[:, None] - 1 - steps, steps)
        proj = proj.reshape(len(proj), 2, 4 * H)
        proj = np.stack([proj[idx.T, 0], proj[idx[rows, rev].T, 1]], axis=1)  # (L, 2, B, 4H)
        active = np.searchsorted(-lengths, -np.arange(L), side="left")  # rows still running at each step
        h = np.zeros((2, B, H), dtype=np.float32)
        c = np.zeros((2, B, H), dtype=np.float32)
        out = np.zeros((L, 2, B, H), dtype=np.float32)
        w_hh = self._w_hh
        for t in range(L):
            n = active[t]
            g = proj[t, :, :n]
            g += np.matmul(h[:, :n], w_hh)
            np.tanh(g, out=g)
            sig = g[..., :3 * H]
            sig += 1.0
            sig *= 0.5
            c = g[..., H:2 * H] * c[:, :n] + g[..., :H] * g[..., 3 * H:]
            h = out[t, :, :n] = g[..., 2 * H:3 * H] * np.tanh(c)
        return np.concatenate([out[:, 0].transpose(1, 0, 2), out[:, 1].transpose(1, 0, 2)[rows, rev]], axis=2)

    def _decode(self, em: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Viterbi paths (B, L) and each path label's marginal probability
        (forward-backward), for label scores ``em`` (B, L, K)."""
        B, L, _ = em.shape
        paths = np.zeros((B, L), dtype=np.int64)
        probs = np.zeros((B, L))
        self._crf_decode(em.astype(np.float64), lengths.astype(np.int64), self._start64, self._trans64, paths,
                         probs)
        return paths, probs

    def tag_many(self, sentences: list[tuple[list[str], list[str] | None]],
                 outside: list | None = None) -> list[tuple[list[str], list[float]]]:
        """BIO labels and each label's marginal probability for each sentence
        (normalized tokens, and the lexicon's tags when known), run as one batch
        of windows (see :data:`WINDOW`). (``outside`` is for the CRF's interface:
        every probability is computed.)"""
        out: list[tuple[list[str], list[float]]] = [([], []) for _ in sentences]
        todo = [k for k, (w, _) in enumerate(sentences) if w]
        if not todo:
            return out
        with self._one_thread():
            self._tag_batch(sentences, todo, out)
        return out

    def _tag_batch(self, sentences, todo: list[int], out: list) -> None:
        """:meth:`tag_many` of the non-empty sentences ``todo``, into ``out``."""
        x = self._projected([sentences[k] for k in todo])
        windows = []  # (sentence, first token in x, window)
        offset = 0
        for k in todo:
            n = len(sentences[k][0])
            windows += [(k, offset, w) for w in _windows(n)]
            offset += n
        em, lengths = self._scores(x, [(first + a, first + b) for _, first, (a, b, _, _) in windows])
        paths, probs = self._decode(em, lengths)
        labels: dict[int, list[str]] = {k: [] for k in todo}
        confidence: dict[int, list[float]] = {k: [] for k in todo}
        for r, (k, _, (a, _, keep_from, keep_to)) in enumerate(windows):
            labels[k] += [TAGS[i] for i in paths[r, keep_from - a:keep_to - a]]
            confidence[k] += probs[r, keep_from - a:keep_to - a].tolist()
        for k in todo:
            labs = labels[k]
            for i in range(1, len(labs)):  # where two windows meet, an I- may follow an O
                if labs[i].startswith("I-") and labs[i - 1][2:] != labs[i][2:]:
                    labs[i] = "B-" + labs[i][2:]
            if labs and labs[0].startswith("I-"):
                labs[0] = "B-" + labs[0][2:]
            out[k] = (labs, confidence[k])

    def _scores(self, proj: np.ndarray, rows: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
        """Label scores (B, L, K) of rows of tokens ``[start, end)`` of the projected
        inputs ``proj``, read by the LSTM as one padded batch, and the rows' lengths."""
        lengths = np.array([b - a for a, b in rows])
        order = np.argsort(-lengths, kind="stable")  # longest first: at each step the rows still running lead
        idx = np.full((len(rows), int(lengths.max())), len(proj))  # past a row's end: the padding row
        for r, k in enumerate(order):
            a, b = rows[k]
            idx[r, :b - a] = np.arange(a, b)
        proj = np.concatenate([proj, np.zeros((1, proj.shape[1]), dtype=np.float32)])
        hidden = np.empty((len(rows), idx.shape[1], 2 * self.hidden), dtype=np.float32)
        hidden[order] = self._lstm(proj, idx, lengths[order])
        return hidden @ self.out_w.T + self.out_b, lengths

    def emissions(self, sentences: list[tuple[list[str], list[str] | None]]) -> tuple[np.ndarray, np.ndarray]:
        """Label scores (B, L, K) of whole sentences (no windows), and their lengths."""
        with self._one_thread():
            ends = np.cumsum([len(w) for w, _ in sentences])
            return self._scores(self._projected(sentences), [(int(e) - len(w), int(e)) for e, (w, _) in
                                                             zip(ends, sentences)])

    def tag(self, words: list[str], lex_tags: list[str] | None = None,
            outside: set[int] | None = None) -> tuple[list[str], list[float]]:
        """BIO labels and each label's marginal probability for normalized tokens."""
        return self.tag_many([(words, lex_tags)])[0]


# ------------------------------------------------------------------- training

def _vocabularies(rows: list[list[tuple[tuple, tuple]]]):
    counts = [Counter() for _ in FIELDS]
    flags: Counter = Counter()
    chars: Counter = Counter()
    for sent in rows:
        for fields, fl in sent:
            for k, v in enumerate(fields):
                counts[k][v] += 1
            flags.update(fl)
            chars.update(fields[0])
    vocabs = [sorted(v for v, n in c.items() if n >= FIELDS[k][1]) for k, c in enumerate(counts)]
    return vocabs, sorted(flags), sorted(c for c, n in chars.items() if n >= CHAR_MIN_COUNT)


def train_neural(sentences, out: str | Path, lex: Lexicon, settings: dict | None = None,
                 progress: Callable[[str], None] | None = None, finetune=None) -> Path:
    """Train the network on ``sentences`` (:class:`kg.fane.Sentence`, clitics
    merged) with PyTorch and write its arrays atomically to ``out``. With
    ``finetune`` (sentences among those), training then goes on over those alone
    for ``finetune_epochs`` epochs at ``finetune_lr`` times the learning rate."""
    try:
        import torch
        import torch.nn as nn
    except ImportError:
        raise RuntimeError("training the neural recognizer needs PyTorch: pip install 'kg[train]'") from None
    import random

    from .ner import normalize_tokens

    cfg = {**TRAIN, **(settings or {})}
    torch.set_num_threads(cfg["threads"])
    torch.manual_seed(cfg["seed"])
    rng = random.Random(cfg["seed"])
    fields = TokenFields(lex)
    t2i = {t: i for i, t in enumerate(TAGS)}

    def token_rows(s):
        return fields.rows(normalize_tokens(s.tokens))

    def tag_ids(s):
        return [t2i[lab] for lab in s.labels]

    rows = [token_rows(s) for s in sentences]
    vocabs, flag_names, char_names = _vocabularies(rows)
    vmaps = [{w: i + 2 for i, w in enumerate(v)} for v in vocabs]
    fmap = {f: i for i, f in enumerate(flag_names)}
    cmap = {c: i + 2 for i, c in enumerate(char_names)}

    def encode(sent):
        ids = [[vmaps[k].get(v, UNK) for k, v in enumerate(f)] for f, _ in sent]
        letters = []
        for f, _ in sent:
            c = [cmap.get(ch, UNK) for ch in f[0][:MAX_CHARS]]
            letters.append(c + [PAD] * (MAX_CHARS - len(c)))
        flags = [[fmap[x] for x in fl if x in fmap] for _, fl in sent]
        return ids, letters, flags

    data = [(encode(r), tag_ids(s)) for r, s in zip(rows, sentences)]
    H = cfg["hidden"]
    n_fields = len(FIELDS)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.embs = nn.ModuleList(nn.Embedding(len(v) + 2, d, padding_idx=PAD)
                                      for v, (_, _, d) in zip(vocabs, FIELDS))
            self.cemb = nn.Embedding(len(char_names) + 2, CHAR_DIM, padding_idx=PAD)
            self.conv = nn.Conv1d(CHAR_DIM, CHAR_FILTERS, 3, padding=1)
            din = sum(d for _, _, d in FIELDS) + len(flag_names) + CHAR_FILTERS
            self.drop = nn.Dropout(cfg["dropout"])
            self.lstm = nn.LSTM(din, H, batch_first=True, bidirectional=True)
            self.out = nn.Linear(2 * H, len(TAGS))
            self.trans = nn.Parameter(torch.zeros(len(TAGS), len(TAGS)))
            self.start = nn.Parameter(torch.zeros(len(TAGS)))
            self.register_buffer("tmask", torch.tensor(TRANSITION_MASK))
            self.register_buffer("smask", torch.tensor(START_MASK))

        def emissions(self, ids, letters, flags, lengths):
            B, L, _ = ids.shape
            c = self.cemb(letters.reshape(B * L, MAX_CHARS)).transpose(1, 2)
            c = torch.relu(self.conv(c)).max(dim=2).values.reshape(B, L, CHAR_FILTERS)
            # NeuralTagger's order: the fields' embeddings (the lexicon tag's last), the
            # flags, the letter convolution
            x = torch.cat([e(ids[:, :, k]) for k, e in enumerate(self.embs)] + [flags, c], dim=-1)
            x = self.drop(x)
            packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
            h, _ = self.lstm(packed)
            h, _ = nn.utils.rnn.pad_packed_sequence(h, batch_first=True, total_length=L)
            return self.out(self.drop(h))

        def nll(self, em, y, mask):
            trans = self.trans + self.tmask
            start = self.start + self.smask
            L = em.shape[1]
            score = start[y[:, 0]] + em[:, 0].gather(1, y[:, :1]).squeeze(1)
            for t in range(1, L):
                s = trans[y[:, t - 1], y[:, t]] + em[:, t].gather(1, y[:, t:t + 1]).squeeze(1)
                score = score + s * mask[:, t]
            alpha = start + em[:, 0]
            for t in range(1, L):
                nxt = torch.logsumexp(alpha.unsqueeze(2) + trans.unsqueeze(0), dim=1) + em[:, t]
                m = mask[:, t].unsqueeze(1)
                alpha = nxt * m + alpha * (1 - m)
            return (torch.logsumexp(alpha, dim=1) - score).sum()

    def batchify(items):
        L = max(len(y) for _, y in items)
        B = len(items)
        ids = torch.zeros(B, L, n_fields, dtype=torch.long)
        letters = torch.zeros(B, L, MAX_CHARS, dtype=torch.long)
        flags = torch.zeros(B, L, len(flag_names))
        y = torch.zeros(B, L, dtype=torch.long)
        mask = torch.zeros(B, L)
        lengths = []
        for b, ((ii, ll, ff), yy) in enumerate(items):
            n = len(yy)
            lengths.append(n)
            t = torch.tensor(ii)
            # word dropout: the network learns to tag names it has no embedding for
            t[torch.rand(n) < cfg["word_dropout"], 0] = UNK
            t[torch.rand(n) < cfg["stem_dropout"], 1] = UNK
            ids[b, :n] = t
            letters[b, :n] = torch.tensor(ll)
            for i, fl in enumerate(ff):
                if fl:
                    flags[b, i, fl] = 1.0
            y[b, :n] = torch.tensor(yy)
            mask[b, :n] = 1
        return ids, letters, flags, y, mask, lengths

    def epochs(data, n: int, lr: float, name: str) -> None:
        opt = torch.optim.Adam(net.parameters(), lr=lr)
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda ep: 1.0 / (1 + cfg["lr_decay"] * ep))
        order = sorted(range(len(data)), key=lambda i: len(data[i][1]))
        batches = [order[k:k + cfg["batch"]] for k in range(0, len(order), cfg["batch"])]
        for epoch in range(n):
            rng.shuffle(batches)
            total = 0.0
            for bi in batches:
                items = [data[i] for i in bi]
                ids, letters, flags, y, mask, lengths = batchify(items)
                loss = net.nll(net.emissions(ids, letters, flags, lengths), y, mask) / len(items)
                opt.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(net.parameters(), 5.0)
                opt.step()
                total += float(loss.detach())
            sched.step()
            if progress:
                progress(f"{name} {epoch + 1}/{n}: loss {total / max(1, len(batches)):.3f}")

    net = Net()
    net.train()
    epochs(data, cfg["epochs"], cfg["lr"], "epoch")
    if finetune and cfg.get("finetune_epochs"):
        tune = [(encode(token_rows(s)), tag_ids(s)) for s in finetune]
        epochs(tune, cfg["finetune_epochs"], cfg["lr"] * cfg["finetune_lr"], "fine-tuning epoch")

    sd = {k: v.detach().numpy() for k, v in net.state_dict().items()}
    arrays = {f"emb{k}": sd[f"embs.{k}.weight"] for k in range(n_fields)}
    arrays.update(cemb=sd["cemb.weight"], conv_w=sd["conv.weight"], conv_b=sd["conv.bias"],
                  out_w=sd["out.weight"], out_b=sd["out.bias"], trans=sd["trans"], start=sd["start"])
    for d in ("", "_reverse"):
        arrays[f"w_ih{d}"] = sd[f"lstm.weight_ih_l0{d}"]
        arrays[f"w_hh{d}"] = sd[f"lstm.weight_hh_l0{d}"]
        arrays[f"b{d}"] = sd[f"lstm.bias_ih_l0{d}"] + sd[f"lstm.bias_hh_l0{d}"]
    # half precision halves the file; the network runs in single precision
    arrays = {k: v.astype(np.float16) for k, v in arrays.items()}
    meta = {"format": 1, "tags": TAGS, "fields": [f[0] for f in FIELDS], "vocabs": vocabs,
            "flags": flag_names, "chars": char_names, "settings": cfg}
    arrays["meta"] = np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), dtype=np.uint8)
    from .export import atomic_path

    out = Path(out)
    with atomic_path(out) as tmp:
        tmp.write_bytes(_npz_bytes(arrays))
    return out


def _npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """An ``.npz`` file (what :func:`numpy.load` reads) with fixed timestamps, so
    that the same arrays always give the same bytes."""
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(arrays):
            data = io.BytesIO()
            np.lib.format.write_array(data, np.ascontiguousarray(arrays[name]), allow_pickle=False)
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data.getvalue())
    return buf.getvalue()
