#!/usr/bin/env python3
"""Tune the recognizer's settings on a development split carved from the
training part of NewsFANE (its last fifth; see ``kg.fane.dev_split``), never on
the held-out part that ``kg evaluate-ner`` scores.

    python scripts/tune_ner.py --corpus ../shared/corpora/fane [--kind bilstm|crf] \\
        [--news-weight 2] [--param hidden=64 --param epochs=8] [--model dev.npz] \\
        [--unlabeled ../shared/corpora/ant --teacher dev-teacher.npz --articles 1500 --skip 10000]

Trains a model (the network by default, ``--param`` setting its training
settings; CRFsuite's with ``--kind crf``, e.g. ``--param c1=0.05``) on
NewsFANE's training part minus the development split (plus WikiFANE), unless
``--model`` names one already trained so, then prints the
scores on the development split: lexicon and cues alone, the model alone, and
the combination (read in blocks of sentences, as ``kg evaluate-ner`` reads the
held-out part), followed by the combination under other model-confidence
thresholds (``--sweep``). With ``--unlabeled``, the training set also takes the
sentences of unlabeled news labelled with ``--teacher`` (see ``kg.silver``).
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg import recognize, silver  # noqa: E402
from kg.io import read_articles  # noqa: E402
from kg.fane import load_corpus, news_training, spans  # noqa: E402
from kg.lexicon import load_lexicon  # noqa: E402
from kg.ner import _score, block_spans, evaluate_ner, format_ner_report, open_model, train  # noqa: E402
from kg.neural import train_neural  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", required=True, type=Path)
    parser.add_argument("--news-weight", type=int, default=None)
    parser.add_argument("--kind", choices=("bilstm", "crf"), default="bilstm")
    parser.add_argument("--param", action="append", default=[], help="training setting NAME=VALUE")
    parser.add_argument("--model", type=Path, default=None, help="a model trained without the dev split")
    parser.add_argument("--out", type=Path, default=None, help="default: dev.npz, or dev.crfsuite")
    parser.add_argument("--sweep", action="store_true", help="also try other confidence thresholds")
    parser.add_argument("--unlabeled", type=Path, default=None,
                        help="folder of unlabeled news: self-training as kg train-ner --unlabeled does")
    parser.add_argument("--articles", type=int, default=None, help="with --unlabeled: articles to label")
    parser.add_argument("--skip", type=int, default=0, help="with --unlabeled: articles to pass over first")
    parser.add_argument("--teacher", type=Path, default=None,
                        help="with --unlabeled: a network trained without the dev split, to label with")
    args = parser.parse_args()
    train_set, dev = load_corpus(args.corpus, dev=True, news_weight=args.news_weight)
    lex = load_lexicon()
    if args.unlabeled is not None:
        if args.teacher is None:
            parser.error("--unlabeled needs --teacher (a network trained without the dev split)")
        start = args.skip
        articles = itertools.islice(read_articles([args.unlabeled]), start,
                                    start + (args.articles or silver.ARTICLES))
        extra = silver.silver_sentences(articles, open_model(args.teacher, lex), lex)
        print(f"self-training: {len(extra)} sentences labelled by {args.teacher}")
        train_set = train_set + extra
    path = args.model
    if path is None:
        params = {}
        for p in args.param:
            name, value = p.split("=", 1)
            params[name] = float(value) if "." in value else int(value)
        started = time.perf_counter()
        if args.kind == "crf":
            path = train(train_set, args.out or Path("dev.crfsuite"), lex, params=params)
        else:
            path = train_neural(train_set, args.out or Path("dev.npz"), lex, settings=params,
                                finetune=news_training(args.corpus, dev=True),
                                progress=lambda msg: print(msg, flush=True))
        print(f"trained {path} on {len(train_set)} sentences in {time.perf_counter() - started:.0f} s")
    model = open_model(path, lex)
    result = evaluate_ner(dev, lex, model)
    print(format_ner_report(result).replace("NewsFANE held-out", "development split"), end="")
    if args.sweep:
        gold = [spans(s.labels) for s in dev]
        for rc in (0.5, 0.7, 0.8, 0.9):
            for per, org, place in ((0.5, 0.5, 0.75), (0.3, 0.5, 0.6), (0.3, 0.3, 0.5), (0.5, 0.5, 0.5)):
                recognize.RECONCILE_MIN_CONFIDENCE = rc
                recognize.MODEL_MIN_CONFIDENCE = {"Person": per, "Organization": org, "Place": place}
                rec = recognize.Recognizer(lex, model=model, adjectives=False)
                s = _score(zip(gold, block_spans(rec, dev)))
                print(f"reconcile {rc} person {per} organization {org} place {place}: "
                      + " ".join(f"{k} {v['f1']:.3f}" for k, v in s.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
