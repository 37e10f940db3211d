"""The CRF layer's decoding for the neural recognizer, compiled with Numba.

Viterbi and forward-backward step through a sentence token by token over a
handful of labels; written with numpy, each step is a dozen small array calls
whose overhead costs far more than their arithmetic (an article's sentences
are about 13 rows of 42 steps): compiled, the loops take a few percent of that
time. (The LSTM's recurrence stays with numpy: its steps are products of
matrices and many tanh, which numpy's vector code does faster than scalar
loops.) Compiled once per machine and kept (``cache=True``: beside this file,
or in Numba's cache folder where this one is read-only).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True)
def crf_decode(em: np.ndarray, lengths: np.ndarray, start: np.ndarray, trans: np.ndarray,
               paths: np.ndarray, probs: np.ndarray) -> None:
    """For each row of label scores ``em`` (B, L, K) of its own length: the Viterbi
    path into ``paths`` (B, L) and each of its labels' marginal probability
    (forward-backward) into ``probs``; both zero past a row's end. ``start`` (K)
    and ``trans`` (K, K) are the CRF's start and transition scores. Ties go to
    the lower label, as numpy's argmax gives them.

    Forward and backward sum in probability space, each step scaled by its
    largest score (K exponentials and K logarithms a step, not K²)."""
    B, L, K = em.shape
    e = np.exp(trans)
    v = np.empty((L, K))
    back = np.zeros((L, K), dtype=np.int64)
    alpha = np.empty((L, K))
    beta = np.empty((L, K))
    w = np.empty(K)
    for b in range(B):
        n = lengths[b]
        paths[b, :] = 0
        probs[b, :] = 0.0
        for k in range(K):
            v[0, k] = alpha[0, k] = start[k] + em[b, 0, k]
        for t in range(1, n):
            top = -np.inf
            for j in range(K):
                top = max(top, alpha[t - 1, j])
            for j in range(K):
                w[j] = math.exp(alpha[t - 1, j] - top)
            for k in range(K):
                best, arg, acc = -np.inf, 0, 0.0
                for j in range(K):
                    s = v[t - 1, j] + trans[j, k]
                    if s > best:
                        best, arg = s, j
                    acc += w[j] * e[j, k]
                v[t, k] = best + em[b, t, k]
                back[t, k] = arg
                alpha[t, k] = math.log(acc + 1e-300) + top + em[b, t, k]
        k = 0
        for j in range(1, K):
            if v[n - 1, j] > v[n - 1, k]:
                k = j
        for t in range(n - 1, -1, -1):
            paths[b, t] = k
            if t:
                k = back[t, k]
        beta[n - 1, :] = 0.0
        for t in range(n - 2, -1, -1):
            top = -np.inf
            for k in range(K):
                w[k] = em[b, t + 1, k] + beta[t + 1, k]
                top = max(top, w[k])
            for k in range(K):
                w[k] = math.exp(w[k] - top)
            for j in range(K):
                acc = 0.0
                for k in range(K):
                    acc += e[j, k] * w[k]
                beta[t, j] = math.log(acc + 1e-300) + top
        top = -np.inf
        for k in range(K):
            top = max(top, alpha[n - 1, k])
        acc = 0.0
        for k in range(K):
            acc += math.exp(alpha[n - 1, k] - top)
        z = top + math.log(acc)
        for t in range(n):
            k = paths[b, t]
            probs[b, t] = min(math.exp(alpha[t, k] + beta[t, k] - z), 1.0)
