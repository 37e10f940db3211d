"""Benchmark: recognition alone (lexicon, cues and the model) on the ANT corpus.

Prints words/s on one core and peak memory. Usage:

    python benchmarks/recognition.py [--limit N] [--no-model | --model FILE]

The corpus is read from KG_SHARED (default: ../shared beside the repository).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("KG_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "corpora" / "ant" / "ant-alarabiya-skynews-2018.jsonl.gz"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="articles to read (default: all)")
    parser.add_argument("--no-model", action="store_true", help="lexicon and cues only")
    parser.add_argument("--model", default=None,
                        help="a model file (ner.npz or ner.crfsuite; default: the shipped network)")
    args = parser.parse_args()
    if not CORPUS.is_file():
        print(f"{CORPUS} not found", file=sys.stderr)
        return 2
    # one core, whatever threads numpy's BLAS would start
    os.sched_setaffinity(0, {max(os.sched_getaffinity(0))})
    from kg.recognize import Recognizer

    if args.no_model:
        rec = Recognizer(model=None)
    elif args.model:
        from kg.lexicon import load_lexicon
        from kg.ner import open_model

        rec = Recognizer(model=open_model(args.model, load_lexicon()))
    else:
        rec = Recognizer()
    texts = []
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if args.limit and i >= args.limit:
                break
            obj = json.loads(line)
            texts.append(f"{obj.get('title') or ''}\n\n{obj['text']}")
    words = sum(len(t.split()) for t in texts)
    started = time.perf_counter()
    mentions = 0
    for n, text in enumerate(texts, 1):
        mentions += len(rec.recognize(text)[1])
        if n % 1000 == 0:
            el = time.perf_counter() - started
            print(f"\r{n}/{len(texts)} articles, {words * n / len(texts) / el:,.0f} words/s",
                  end="", file=sys.stderr)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(file=sys.stderr)
    print(f"recognition{' (no model)' if args.no_model else ''}: {len(texts)} articles, {words} words, "
          f"{mentions} mentions in {elapsed:.1f} s = {words / elapsed:,.0f} words/s on one core; "
          f"peak RSS {peak:,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
