"""The four exports of the seeds: contract, identity across syntaxes and runs."""

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.export import FORMATS
from kg.pipeline import build_exports
from kg.query import load_graph, run_query
from kg.validate import validate_store
from kg.view import VIEW_FILES

ROOT = Path(__file__).resolve().parent.parent
NIF = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#"


def quads(path: Path) -> set:
    fmt = {".nq": ox.RdfFormat.N_QUADS, ".trig": ox.RdfFormat.TRIG, ".ttl": ox.RdfFormat.TURTLE,
           ".jsonld": ox.RdfFormat.JSON_LD}[path.suffix]
    return set(ox.parse(path=str(path), format=fmt))


def test_build_writes_the_four_exports_and_the_views(seeds_build):
    out, stats = seeds_build
    assert sorted(p.name for p in out.iterdir()) == sorted([*FORMATS, *VIEW_FILES])
    assert stats.articles == 5 and stats.entities > 20 and stats.triples > 1000


def test_exports_parse_back_isomorphic(seeds_build):
    out, _ = seeds_build
    nq = quads(out / "graph.nq")
    assert quads(out / "graph.trig") == nq
    assert quads(out / "graph.jsonld") == nq
    assert quads(out / "graph.ttl") == {ox.Quad(q.subject, q.predicate, q.object) for q in nq}


def test_two_builds_give_identical_bytes(seeds_build, tmp_path):
    out, _ = seeds_build
    build_exports([ROOT / "seeds"], tmp_path)
    for name in [*FORMATS, *VIEW_FILES]:
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name


def test_committed_exports_are_what_a_rebuild_gives(seeds_build):
    out, _ = seeds_build
    for name in [*FORMATS, *VIEW_FILES]:
        committed = ROOT / "exports" / name
        assert committed.exists(), f"exports/{name} is not committed"
        assert committed.read_bytes() == (out / name).read_bytes(), \
            f"exports/{name} is stale: run the README's build command"


def test_one_named_graph_per_article_and_facts_in_default(seeds_build):
    out, _ = seeds_build
    qs = quads(out / "graph.nq")
    graphs = {q.graph_name.value for q in qs if not isinstance(q.graph_name, ox.DefaultGraph)}
    assert len(graphs) == 5
    for q in qs:
        if q.predicate.value == "http://www.w3.org/2002/07/owl#sameAs":
            assert isinstance(q.graph_name, ox.DefaultGraph)
        if q.predicate.value == NIF + "anchorOf":
            assert not isinstance(q.graph_name, ox.DefaultGraph)


def test_every_anchor_equals_the_text_at_its_offsets(seeds_build):
    out, _ = seeds_build
    store = load_graph(out / "graph.nq")
    rows = run_query(store, f"""
        PREFIX nif: <{NIF}>
        SELECT ?anchor ?b ?e ?text WHERE {{
          ?m nif:anchorOf ?anchor ; nif:beginIndex ?b ; nif:endIndex ?e ; nif:referenceContext ?a .
          ?a nif:isString ?text }}""").rows
    assert len(rows) > 100
    for anchor, b, e, text in rows:
        assert text[int(b):int(e)] == anchor


def test_graph_conforms_to_shapes(seeds_build):
    out, _ = seeds_build
    result = validate_store(load_graph(out / "graph.ttl"))
    assert result.conforms, result.report[:3000]


def test_shapes_catch_a_broken_mention(seeds_build, tmp_path):
    out, _ = seeds_build
    text = (out / "graph.nq").read_text("utf-8")
    broken = re.sub(r'(<[^>]*/mention/[^>]*> <http://www.w3.org/2005/11/its/rdf#taIdentRef>|'
                    r'<[^>]*/mention/[^>]*> <https://w3id.org/kg-ar/ontology#denotes> <[^>]*> <[^>]*> \.\n)',
                    "", text, count=1)
    assert broken != text
    path = tmp_path / "broken.nq"
    path.write_text(broken, "utf-8")
    result = validate_store(load_graph(path))
    assert not result.conforms and result.violations >= 1


def test_base_iri_is_configurable(tmp_path):
    build_exports([ROOT / "seeds" / "000_9c8f4ce210c7c9d8.txt"], tmp_path, base="http://example.org/news/")
    text = (tmp_path / "graph.nq").read_text("utf-8")
    assert "<http://example.org/news/article/000_9c8f4ce210c7c9d8>" in text
    assert "w3id.org/kg-ar/resource/" not in text
    with pytest.raises(ValueError, match="base IRI"):
        build_exports([ROOT / "seeds"], tmp_path / "x", base="not an iri")


def test_contract_queries(seeds_build):
    out, _ = seeds_build
    store = load_graph(out / "graph.ttl")
    ask = run_query(store, """
      PREFIX schema: <https://schema.org/>
      PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
      PREFIX owl: <http://www.w3.org/2002/07/owl#>
      ASK { ?a a/rdfs:subClassOf* schema:NewsArticle ; schema:identifier "001_5ce41c4fb526e732" ;
               schema:inLanguage "ar" ; schema:mentions ?p .
            ?p a/rdfs:subClassOf* schema:Person ; owl:sameAs <http://www.wikidata.org/entity/Q7747> ;
               rdfs:label "Vladimir Putin"@en }""")
    assert ask.boolean is True


def test_parallel_extraction_gives_the_same_bytes(seeds_build, tmp_path):
    out, _ = seeds_build
    build_exports([ROOT / "seeds"], tmp_path, jobs=2)
    for name in FORMATS:
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name


def test_parallel_build_still_names_bad_input(tmp_path):
    from kg.io import InputError

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "text": "نص عربي"}\n{"id": "a", "text": "نص آخر"}\n', "utf-8")
    with pytest.raises(InputError, match=r"bad.jsonl:2: field 'id'"):
        build_exports([bad], tmp_path / "out", jobs=2)
    assert not (tmp_path / "out" / "graph.nq").exists()


def test_integer_literals_are_written_as_the_general_literal_path_writes_them():
    from kg.rdf import integer, lit

    for n in (0, 7, 12345, -3, 10**20):
        assert integer(n) == lit(str(n), datatype="xsd:integer")
