"""Time the HTML network view on synthetic graphs.

For each size N: a graph of N people, organizations and places, 2N two-party
events (so about two actor–actor edges per node in the default, folded view),
one sentence per mention, N/10 articles. Measured: the projection (SPARQL over
Oxigraph, PageRank and layout with igraph), writing the HTML, and, in headless
Chromium from file://, the time from navigation to the page's first drawing
with everything in place (the flag the page sets after vis-network's first
``afterDrawing``), median of three loads.

    python benchmarks/view.py [--sizes 100 1000 5000] [--runs 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's kg

from kg.view import project, write_html
from kg.vocab import ontology_path

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SYLLABLES = ["با", "تو", "سي", "مر", "لا", "نو", "كا", "ري", "دي", "فو", "جا", "هي", "عم", "سل"]
TYPES = [("Person", 0.5), ("Organization", 0.3), ("Place", 0.2)]
EVENTS = ["Meeting", "PhoneCall", "Summit", "Visit", "Statement", "Sanction"]


def synthetic_turtle(n: int, seed: int = 0) -> str:
    rnd = random.Random(seed)
    x = "http://example.org/"
    lines = ["@prefix kg: <https://w3id.org/kg-ar/ontology#> . @prefix schema: <https://schema.org/> .",
             "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix prov: <http://www.w3.org/ns/prov#> .",
             "@prefix nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#> .",
             "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> ."]
    articles = max(1, n // 10)
    for a in range(articles):
        lines.append(f'<{x}a{a}> a kg:NewsArticle ; schema:identifier "a{a}" ; schema:url <https://news.example/{a}> ;'
                     f' schema:headline "خبر رقم {a}"@ar .')
    for i in range(n):
        kind = rnd.choices([t for t, _ in TYPES], [w for _, w in TYPES])[0]
        name = " ".join("".join(rnd.choice(SYLLABLES) for _ in range(rnd.randint(2, 3))) for _ in range(2))
        a = rnd.randrange(articles)
        lines.append(f'<{x}e{i}> a kg:{kind} ; rdfs:label "{name}"@ar , "Name {i}"@en .')
        lines.append(f'<{x}a{a}/s{i}> a kg:Sentence ; nif:anchorOf "قال {name} إن الأمر مهم"@ar ; '
                     f'nif:referenceContext <{x}a{a}> ; nif:beginIndex "{i}"^^xsd:integer .')
        lines.append(f'<{x}a{a}/m{i}> kg:denotes <{x}e{i}> ; nif:sentence <{x}a{a}/s{i}> ; '
                     f'nif:referenceContext <{x}a{a}> . <{x}a{a}> schema:mentions <{x}e{i}> .')
    for k in range(2 * n):
        # preferential attachment: some actors take part in many events
        p = min(int(rnd.paretovariate(1.0)) - 1, n - 1) if rnd.random() < 0.2 else rnd.randrange(n)
        q = rnd.randrange(n)
        if p == q:
            q = (q + 1) % n
        a = rnd.randrange(articles)
        day = f"2021-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
        lines.append(f'<{x}ev{k}> a kg:{rnd.choice(EVENTS)} ; kg:participant <{x}e{p}> , <{x}e{q}> ; '
                     f'prov:wasDerivedFrom <{x}a{a}> ; schema:startDate "{day}"^^xsd:date .')
    return "\n".join(lines)


def measure(sizes: list[int], runs: int) -> list[dict]:
    from playwright.sync_api import sync_playwright

    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for n in sizes:
            store = ox.Store()
            store.load(path=str(ontology_path()), format=ox.RdfFormat.TURTLE)
            store.load(input=synthetic_turtle(n), format=ox.RdfFormat.TURTLE)
            t0 = time.perf_counter()
            proj = project(store, max_nodes=2 * max(sizes))  # no top-N, every event kept
            t1 = time.perf_counter()
            path = write_html(proj, Path(tmp) / f"view-{n}.html")
            t2 = time.perf_counter()
            ready, wall = [], []
            for _ in range(runs):
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                started = time.perf_counter()
                page.goto(path.as_uri())
                page.wait_for_function("window.kgReady !== undefined", timeout=120000)
                wall.append(time.perf_counter() - started)
                ready.append(page.evaluate("window.kgReady") / 1000)
                drawn = page.evaluate("kgView.network.body.nodeIndices.length")
                edges = page.evaluate("kgView.edgeView.length")
                page.close()
            rows.append({"nodes": drawn, "edges": edges, "project": t1 - t0, "html": t2 - t1,
                         "mb": path.stat().st_size / 1e6, "ready": statistics.median(ready),
                         "wall": statistics.median(wall)})
        browser.close()
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    rows = measure(args.sizes, args.runs)
    print("| nodes | edges | projection + layout | HTML written | page size | first interactive render (navigation → drawn) | wall (goto → drawn) |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['nodes']:,} | {r['edges']:,} | {r['project']:.2f} s | {r['html']:.2f} s | {r['mb']:.1f} MB | "
              f"{r['ready']:.2f} s | {r['wall']:.2f} s |")


if __name__ == "__main__":
    main()
