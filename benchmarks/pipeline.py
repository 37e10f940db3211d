"""Benchmark: the whole build on the ANT corpus, end to end, at three sizes.

For each sample (every 100th article, every 10th, all 20,227) and each way of
running extraction (one process, ``--jobs 2``, Dask on a 2-worker LocalCluster),
builds the articles into a fresh store and writes the exports and views from it,
as ``kg build FILE --store DIR -o OUT`` does, in a process of its own. Prints a
table (articles/s, words/s, quads, peak RSS, seconds per stage) and writes it as
JSON, and checks that every way of running gives the same exports. Usage:

    python benchmarks/pipeline.py [--samples 1,10,100] [--runs local:1,local:2,dask:2]
                                  [--json benchmarks/pipeline.json] [--work DIR]

Stages: read (reading and parsing the input, hashing for the store), normalize
(normalization, tokens, sentences), recognize, resolve, events (with roles and
quotations), rdf (an article's quads), store (loading the store, its manifest
and default graph), export (the four syntaxes and the views). Extraction stages
are summed over the worker processes, so with two workers they add up to about
twice the wall time they take. Peak RSS is the main process's (``main``) and
the largest sum over the process and its workers seen every 0.2 s (``all``,
which counts pages forked workers share more than once). CPU is the seconds
of processor time the build used, in all its threads and processes; for a
one-process run, ``2 × s / CPU`` bounds the speed-up two processes can reach on
two cores (``speedup_bound_2cores``): the work a one-process run already does
in other threads (the store's loader and compaction threads) leaves less idle
core to gain.

Targets (issue 7): the full corpus with --jobs 2 ≥ 20,000 words/s with peak RSS ≤
2 GB; words/s on the full corpus within 20 % of the 10 % sample; --jobs 2 ≥ 1.7×
and Dask ≥ 1.5× faster than --jobs 1; the same output every way. The corpus is
read from KG_SHARED (default: ../shared beside the repository).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("KG_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "corpora" / "ant" / "ant-alarabiya-skynews-2018.jsonl.gz"
STAGES = ("read", "normalize", "recognize", "resolve", "events", "rdf", "store", "export")
COMPARED = ("graph.nq", "graph.trig", "graph.ttl", "graph.jsonld", "graph.graphml", "graph.gexf")


def make_sample(percent: int, work: Path) -> tuple[Path, int, int]:
    """Every (100 / percent)-th record of the corpus in a file of its own (the
    corpus itself at 100 %): (path, articles, words)."""
    from kg.io import read_articles

    step = round(100 / percent)
    path = CORPUS if percent == 100 else work / f"ant-{percent}pct.jsonl"
    articles = words = 0
    out = None if percent == 100 else open(path, "w", encoding="utf-8")
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if i % step == 0 and line.strip():
                if out:
                    out.write(line)
    if out:
        out.close()
    for art in read_articles([path]):
        articles += 1
        words += len(art.content.split())
    return path, articles, words


class PeakRss:
    """The largest summed RSS of this process and its descendants, sampled."""

    def __init__(self, every: float = 0.2):
        import psutil

        self.proc, self.every, self.peak = psutil.Process(), every, 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        import psutil

        while not self.done.wait(self.every):
            total = 0
            try:
                procs = [self.proc, *self.proc.children(recursive=True)]
            except psutil.Error:
                continue
            for p in procs:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)

    def stop(self) -> int:
        self.done.set()
        self.thread.join()
        return self.peak


def run_one(args) -> dict:
    """One build in this process (called in a child of the suite)."""
    sys.path.insert(0, str(ROOT))
    from kg.shards import Inputs
    from kg.store import KgStore

    peak = PeakRss()
    timings: dict[str, float] = {}
    started = time.perf_counter()
    last = [started]

    def progress(_art) -> None:
        last[0] = time.perf_counter()

    with KgStore(args.store, create=True) as st:
        # as `kg build` gives them: by path (on Dask, the workers read them)
        stats = st.ingest(Inputs([args.input]), jobs=args.jobs, engine=args.engine,
                          timings=timings, progress=progress)
        t0 = time.perf_counter()
        ingested = t0 - started
        st.export(args.out, jobs=args.jobs, views=not args.no_views)
        timings["export"] = time.perf_counter() - t0
        quads = len(st.ox)
    seconds = time.perf_counter() - started
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "articles": stats.added, "quads": quads, "seconds": seconds,
        "stages": {k: timings.get(k, 0.0) for k in STAGES},
        "peak_rss_main_mb": own.ru_maxrss / 1024,
        "peak_rss_all_mb": peak.stop() / 2**20,
        "views": not args.no_views,
        # when the last article came out of extraction, and the ingest ended
        "extracted_at_s": last[0] - started, "ingested_at_s": ingested,
        # CPU seconds of this process (all its threads) and of its child processes
        "cpu_main_s": own.ru_utime + own.ru_stime, "cpu_children_s": children.ru_utime + children.ru_stime,
        "digests": {n: hashlib.sha256((args.out / n).read_bytes()).hexdigest()[:16] for n in COMPARED
                    if (args.out / n).exists()},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", default="1,10,100", help="percentages of the corpus (default 1,10,100)")
    parser.add_argument("--runs", default="local:1,local:2,dask:2",
                        help="ENGINE:JOBS to compare (default local:1,local:2,dask:2)")
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "pipeline.json",
                        help="where to write the figures")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: a temporary one)")
    parser.add_argument("--no-views", action="store_true",
                        help="leave out the view files (graph.html, .graphml, .gexf) from the export stage")
    parser.add_argument("--keep", action="store_true",
                        help="keep each run's store and exports in --work (e.g. for benchmarks/store.py)")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the figures of runs already done in --work (to resume a suite)")
    # one build, in a child process
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--input", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--store", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--engine", default="local", help=argparse.SUPPRESS)
    parser.add_argument("--jobs", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        args.result.write_text(json.dumps(run_one(args)), encoding="utf-8")
        return 0
    if not CORPUS.is_file():
        print(f"{CORPUS} not found (set KG_SHARED)", file=sys.stderr)
        return 1
    sys.path.insert(0, str(ROOT))
    work = args.work or Path(tempfile.mkdtemp(prefix="kg-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    runs = [(e, int(j)) for e, j in (r.split(":") for r in args.runs.split(","))]
    rows = []
    try:
        for percent in (int(p) for p in args.samples.split(",")):
            path, articles, words = make_sample(percent, work)
            for engine, jobs in runs:
                tag = f"{percent}pct-{engine}{jobs}"
                store, out, result = work / f"store-{tag}", work / f"out-{tag}", work / f"{tag}.json"
                shutil.rmtree(store, ignore_errors=True)
                if args.reuse and result.is_file():
                    r = json.loads(result.read_text("utf-8"))
                    rows.append({"sample_pct": percent, "engine": engine, "jobs": jobs, "words": words,
                                 "articles_per_s": r["articles"] / r["seconds"],
                                 "words_per_s": words / r["seconds"], **r})
                    continue
                print(f"{percent} %: {articles} articles, {engine} jobs {jobs} …", file=sys.stderr, flush=True)
                subprocess.run([sys.executable, __file__, "--one", "--input", str(path), "--store", str(store),
                                "--out", str(out), "--engine", engine, "--jobs", str(jobs),
                                "--result", str(result)] + (["--no-views"] if args.no_views else []),
                               check=True, cwd=ROOT)
                r = json.loads(result.read_text("utf-8"))
                if not args.keep:
                    shutil.rmtree(store, ignore_errors=True)
                    shutil.rmtree(out, ignore_errors=True)
                rows.append({"sample_pct": percent, "engine": engine, "jobs": jobs, "words": words,
                             "articles_per_s": r["articles"] / r["seconds"],
                             "words_per_s": words / r["seconds"], **r})
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    summary = summarize(rows)
    print(table(rows, summary))
    args.json.write_text(json.dumps({"machine": machine(), "rows": rows, "summary": summary}, indent=1)
                         + "\n", encoding="utf-8")
    print(f"wrote {args.json}")
    return 0


def summarize(rows: list[dict]) -> dict:
    out = {}
    by = {(r["sample_pct"], r["engine"], r["jobs"]): r for r in rows}
    for pct in sorted({r["sample_pct"] for r in rows}):
        base = by.get((pct, "local", 1))
        same = {json.dumps(r["digests"], sort_keys=True) for r in rows if r["sample_pct"] == pct}
        s = {"identical_outputs": len(same) == 1}
        for (p, engine, jobs), r in by.items():
            if p == pct and base and (engine, jobs) != ("local", 1):
                s[f"speedup_{engine}{jobs}"] = base["seconds"] / r["seconds"]
        if base and "cpu_main_s" in base:
            s["speedup_bound_2cores"] = 2 * base["seconds"] / (base["cpu_main_s"] + base["cpu_children_s"])
        out[f"{pct}pct"] = s
    for engine, jobs in {(r["engine"], r["jobs"]) for r in rows}:
        full, tenth = by.get((100, engine, jobs)), by.get((10, engine, jobs))
        if full and tenth:
            out[f"full_vs_10pct_words_per_s_{engine}{jobs}"] = full["words_per_s"] / tenth["words_per_s"]
    return out


def table(rows: list[dict], summary: dict) -> str:
    head = ["sample", "run", "articles", "s", "art/s", "words/s", "quads", "RSS main", "RSS all", "CPU", *STAGES]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [f"{r['sample_pct']} %", f"{r['engine']} -j {r['jobs']}", f"{r['articles']:,}",
                 f"{r['seconds']:.1f}", f"{r['articles_per_s']:,.0f}", f"{r['words_per_s']:,.0f}",
                 f"{r['quads']:,}", f"{r['peak_rss_main_mb'] / 1024:.2f} GB",
                 f"{r['peak_rss_all_mb'] / 1024:.2f} GB",
                 f"{r['cpu_main_s'] + r['cpu_children_s']:.0f}" if "cpu_main_s" in r else "", *(f"{r['stages'][s]:.1f}" for s in STAGES)]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    lines += [f"{k}: {v:.2f}" if isinstance(v, float) else f"{k}: {v}" for k, v in summary.items()
              if not isinstance(v, dict)]
    for k, v in summary.items():
        if isinstance(v, dict):
            lines.append(f"{k}: " + ", ".join(f"{a} {b:.2f}" if isinstance(b, float) else f"{a} {b}"
                                              for a, b in v.items()))
    return "\n".join(lines)


def machine() -> dict:
    return {"cpus": os.cpu_count(), "loadavg_at_end": os.getloadavg(), "python": sys.version.split()[0],
            "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


if __name__ == "__main__":
    sys.exit(main())
