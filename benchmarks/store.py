"""Benchmark: the persistent store on the ANT corpus, and the canned queries on
it, embedded and through ``kg serve``.

Builds (or reuses) a store of the corpus, then prints the median latency of
every canned query on the embedded store and through the HTTP endpoint, and
the endpoint's overhead. Usage:

    python benchmarks/store.py [--store DIR] [--limit N] [--jobs 2] [--runs 9] [--json FILE]

Targets (issue 5): each canned query ≤ 100 ms on the full corpus; the endpoint
adds ≤ 10 ms over the embedded store. The corpus is read from KG_SHARED
(default: ../shared beside the repository).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("KG_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "corpora" / "ant" / "ant-alarabiya-skynews-2018.jsonl.gz"


def build_store(path: Path, limit: int | None, jobs: int) -> dict:
    import itertools

    from kg.io import read_articles
    from kg.store import KgStore

    started = time.perf_counter()
    with KgStore(path, create=True) as st:
        arts = read_articles([CORPUS])
        if limit:
            arts = itertools.islice(arts, limit)
        n = [0]

        def progress(_a):
            n[0] += 1
            if n[0] % 500 == 0:
                el = time.perf_counter() - started
                print(f"\ringest: {n[0]} articles, {n[0] / el:,.0f}/s", end="", file=sys.stderr)
        stats = st.ingest(arts, jobs=jobs, progress=progress)
        info = st.info()
    print(file=sys.stderr)
    return {"added": stats.added, "unchanged": stats.unchanged, "quads": info["quads"],
            "articles": info["articles"], "seconds": round(time.perf_counter() - started, 1)}


PICK = """PREFIX schema: <https://schema.org/> PREFIX kg: <https://w3id.org/kg-ar/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?l ?n WHERE { ?p a %s ; kg:articleCount ?n ; rdfs:label ?l FILTER(lang(?l) = "ar") } ORDER BY DESC(?n) ?l"""


PLACES = """PREFIX kg: <https://w3id.org/kg-ar/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?l (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e kg:eventPlace ?p . ?p rdfs:label ?l FILTER(lang(?l) = "ar") }
GROUP BY ?l ORDER BY DESC(?n) ?l"""


def focus_params(store, which: str) -> dict[str, dict[str, str]]:
    """Each canned query's focus, bound as a user of a large store would bind it:
    ``top``: the most reported person, the place of most events and the first
    article; ``typical``: the median person among those in at least 3 articles and
    the median place of events."""
    def pick(cls):
        rows = [(r[0].value, int(r[1].value)) for r in store.query(PICK % cls, use_default_graph_as_union=True)]
        if which == "top":
            return rows[0][0]
        common = [r for r in rows if r[1] >= 3] or rows
        return common[len(common) // 2][0]
    person = pick("schema:Person") + "@ar"
    places = [(r[0].value, int(r[1].value)) for r in store.query(PLACES, use_default_graph_as_union=True)]
    place = (places[0] if which == "top" else places[len(places) // 2])[0] + "@ar"
    article = next(iter(store.query(
        "SELECT ?id WHERE { ?a a <https://w3id.org/kg-ar/ontology#NewsArticle> ; <https://schema.org/identifier> ?id }"
        " ORDER BY ?id LIMIT 1", use_default_graph_as_union=True)))[0].value
    return {"people-in-article": {"id": article}, "articles-mentioning": {"label": person},
            "events-of-person": {"label": person}, "events-in-place": {"placeLabel": place},
            "who-met-whom": {"labelA": person}, "co-mentions": {"labelA": person},
            "roles": {"label": person}, "quotes-by-speaker": {"label": person},
            "entities-by-type": {"type": "Person", "label": person}}


def median_ms(fn, runs: int) -> float:
    fn()  # warm
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=None,
                        help="store folder to build or reuse (default: a temporary one)")
    parser.add_argument("--limit", type=int, default=None, help="articles (default: all 20,227)")
    parser.add_argument("--jobs", type=int, default=2, help="extraction processes for the build")
    parser.add_argument("--runs", type=int, default=9, help="timed runs per query")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--focus", choices=["top", "typical", "none"], default="typical",
                        help="bind each query's focus to the most reported entity, a typical one, or nothing")
    args = parser.parse_args()
    if not CORPUS.is_file():
        print(f"{CORPUS} not found", file=sys.stderr)
        return 2
    from kg.query import bind_params, canned_queries
    from kg.store import KgStore, is_store

    tmp = None
    store_dir = args.store
    if store_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="kg-bench-store-")
        store_dir = Path(tmp.name) / "store"
    build = None
    if not is_store(store_dir) or args.limit:
        build = build_store(store_dir, args.limit, args.jobs)
        print(f"store: {build['articles']} articles, {build['quads']:,} quads, built in {build['seconds']} s")

    st = KgStore(store_dir, read_only=True)
    store = st.ox
    proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--store", str(store_dir), "--port", "0",
                             "-q", "--timeout", "60", "--max-rows", "10000000"],
                            stderr=subprocess.PIPE, text=True)
    url = re.search(r"at (http://\S+/sparql)", proc.stderr.readline()).group(1)
    rows = []
    params = {} if args.focus == "none" else focus_params(store, args.focus)
    print(f"focus ({args.focus}): " + ", ".join(f"{k}={v}" for k, v in sorted(
        {k: v for p in params.values() for k, v in p.items()}.items())))
    try:
        for name, q in canned_queries().items():
            text_ = bind_params(q.text, params.get(name, {}))

            def embedded(text=text_):
                res = store.query(text, use_default_graph_as_union=True)
                return sum(1 for _ in res)

            def http(text=text_):
                body = urllib.parse.urlencode({"query": text}).encode()
                req = urllib.request.Request(url, data=body, headers={
                    "Accept": "application/sparql-results+json",
                    "Content-Type": "application/x-www-form-urlencoded"})
                with urllib.request.urlopen(req) as resp:
                    return len(json.load(resp)["results"]["bindings"])
            n = embedded()
            e = median_ms(embedded, args.runs)
            h = median_ms(http, args.runs)
            rows.append({"query": name, "rows": n, "embedded_ms": round(e, 1), "endpoint_ms": round(h, 1),
                         "overhead_ms": round(h - e, 1)})
            print(f"\r{name}…", end=" ", file=sys.stderr)
    finally:
        proc.terminate()
        proc.wait()
    print(file=sys.stderr)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'query':<22} {'rows':>7} {'embedded ms':>12} {'endpoint ms':>12} {'overhead ms':>12}")
    for r in rows:
        print(f"{r['query']:<22} {r['rows']:>7} {r['embedded_ms']:>12.1f} {r['endpoint_ms']:>12.1f} "
              f"{r['overhead_ms']:>12.1f}")
    worst = max(r["embedded_ms"] for r in rows)
    over = max(r["overhead_ms"] for r in rows)
    print(f"slowest canned query {worst:.1f} ms embedded (target ≤ 100); endpoint overhead at most "
          f"{over:.1f} ms (target ≤ 10); {len(store):,} quads; peak RSS {peak:,.0f} MB")
    if args.json:
        args.json.write_text(json.dumps({"build": build, "queries": rows, "quads": len(store)}, indent=1))
    if tmp:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
