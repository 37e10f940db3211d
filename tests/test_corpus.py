"""Robustness on real news: a sample of ../shared/corpora/ant builds without error."""

import gzip
import itertools

from kg.pipeline import build_exports
from kg.query import load_graph, run_query

SAMPLE = 400


def test_ant_sample_builds_and_reports(ant_path, tmp_path):
    sample = tmp_path / "sample.jsonl"
    with gzip.open(ant_path, "rt", encoding="utf-8") as src, open(sample, "w", encoding="utf-8") as dst:
        for line in itertools.islice(src, 0, SAMPLE * 50, 50):  # spread over the year and sections
            dst.write(line)
    stats, written = build_exports([sample], tmp_path / "out")
    assert stats.articles == SAMPLE and stats.skipped == 0
    assert stats.entities > SAMPLE and stats.mentions > stats.entities
    assert stats.by_source.get("cue", 0) > 0 and stats.by_source.get("lexicon", 0) > 0
    store = load_graph(tmp_path / "out" / "graph.nq")
    rows = run_query(store, """
        PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
        SELECT ?anchor ?b ?e ?text WHERE { ?m nif:anchorOf ?anchor ; nif:beginIndex ?b ;
          nif:endIndex ?e ; nif:referenceContext ?a . ?a nif:isString ?text }""").rows
    bad = [(a, b, e) for a, b, e, t in rows if t[int(b):int(e)] != a]
    assert not bad, bad[:5]
    # titles and URLs and dates of the JSON Lines records made it into the graph
    ask = run_query(store, """PREFIX schema: <https://schema.org/>
        ASK { ?a schema:headline ?h ; schema:datePublished ?d ; schema:url ?u ; schema:publisher ?p }""")
    assert ask.boolean
