"""The persistent store: incremental, idempotent ingestion, removal, exports
that equal a one-shot build, and every reading command on a store."""

from __future__ import annotations

import dataclasses
import json

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.io import read_articles
from kg.store import KgStore, StoreError, content_hash, is_store

from conftest import SEEDS


def seed_articles():
    return list(read_articles([SEEDS]))


def quads(store: KgStore) -> set:
    return set(store.ox)


def export_bytes(store: KgStore, tmp_path, name="x") -> dict[str, bytes]:
    out = tmp_path / name
    store.export(out)
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


@pytest.fixture(scope="module")
def whole(tmp_path_factory, recognizer):
    """The seeds ingested at once into a store."""
    from kg.pipeline import Extractor

    path = tmp_path_factory.mktemp("whole") / "store"
    store = KgStore(path, create=True)
    stats = store.ingest(seed_articles(), Extractor(recognizer))
    yield store, stats
    store.close()


@pytest.fixture()
def extractor(recognizer):
    from kg.pipeline import Extractor

    return Extractor(recognizer)


def test_store_export_equals_a_one_shot_build(whole, seeds_build, tmp_path):
    store, stats = whole
    assert stats.added == 5 and stats.unchanged == 0
    out, _ = seeds_build
    mine = export_bytes(store, tmp_path)
    for name, data in mine.items():
        assert data == (out / name).read_bytes(), name


def test_building_in_two_halves_is_isomorphic_to_building_at_once(whole, tmp_path, extractor):
    arts = seed_articles()
    with KgStore(tmp_path / "halves", create=True) as halves:
        first = halves.ingest(arts[:2], extractor)
        second = halves.ingest(arts[2:], extractor)
        assert (first.added, second.added) == (2, 3)
        assert quads(halves) == quads(whole[0])
        # the Geneva summit is reported by two articles that went in separately
        assert export_bytes(halves, tmp_path, "a") == export_bytes(whole[0], tmp_path, "b")



KG = "https://w3id.org/kg-ar/ontology#"
PROV = "http://www.w3.org/ns/prov#"


def shared_events(store: KgStore) -> dict:
    """Event IRI → the articles (graph names) that report it, for the events
    reported by more than one article."""
    reporters: dict = {}
    for q in store.ox.quads_for_pattern(None, ox.NamedNode(PROV + "wasDerivedFrom"), None, None):
        if "/event/" in q.subject.value:
            reporters.setdefault(q.subject, set()).add(q.graph_name)
    return {e: g for e, g in reporters.items() if len(g) > 1}


def test_an_event_reported_twice_is_described_once_in_the_default_graph(whole):
    store, _ = whole
    shared = shared_events(store)
    assert shared, "the seeds report the Geneva summit in two articles"
    participant = ox.NamedNode(KG + "participant")
    for event, graphs in shared.items():
        described = list(store.ox.quads_for_pattern(event, participant, None, None))
        assert described and all(q.graph_name == ox.DefaultGraph() for q in described)
        # a union-graph query sees each participant once, not once per article
        rows = list(store.ox.query(f"SELECT ?p WHERE {{ {event} <{KG}participant> ?p }}",
                                   use_default_graph_as_union=True))
        assert len(rows) == len({q.object for q in described})
        # each reporting article's graph keeps its provenance
        assert {q.graph_name for q in store.ox.quads_for_pattern(
            event, ox.NamedNode(PROV + "wasDerivedFrom"), None, None)} == graphs
    # no article graph describes an event's or membership's content
    for p in ("participant", "eventPlace"):
        assert not any(q.graph_name != ox.DefaultGraph()
                       for q in store.ox.quads_for_pattern(None, ox.NamedNode(KG + p), None, None))
    assert not any(q.graph_name != ox.DefaultGraph() for q in store.ox.quads_for_pattern(
        None, ox.NamedNode("http://www.w3.org/ns/org#member"), None, None))


def test_a_shared_event_lasts_until_its_last_reporter_is_removed(tmp_path, extractor):
    arts = seed_articles()
    with KgStore(tmp_path / "s", create=True) as store:
        store.ingest(arts, extractor)
        shared = shared_events(store)
        event, graphs = sorted(shared.items(), key=lambda kv: kv[0].value)[0]
        ids = sorted(a.id for a in arts if ox.NamedNode(store.iris.graph(a.id)[1:-1]) in graphs)
        store.remove(ids[:1])
        still = list(store.ox.quads_for_pattern(event, None, None, None))
        assert any(q.graph_name == ox.DefaultGraph() for q in still)
        assert {q.graph_name for q in still if q.graph_name != ox.DefaultGraph()} == \
            {ox.NamedNode(store.iris.graph(i)[1:-1]) for i in ids[1:]}
        store.remove(ids[1:])
        assert not list(store.ox.quads_for_pattern(event, None, None, None))
        assert not list(store.ox.quads_for_pattern(None, None, event, None))


def test_loading_in_many_batches_gives_the_same_store(whole, tmp_path, extractor, monkeypatch):
    import kg.store as store_mod

    monkeypatch.setattr(store_mod, "LOAD_BYTES", 1)  # every article loaded on its own
    with KgStore(tmp_path / "batches", create=True) as batches:
        batches.ingest(seed_articles(), extractor)
        assert quads(batches) == quads(whole[0])
        assert export_bytes(batches, tmp_path, "a") == export_bytes(whole[0], tmp_path, "b")


def test_reingesting_is_a_no_op(tmp_path, extractor):
    with KgStore(tmp_path / "s", create=True) as store:
        store.ingest(seed_articles(), extractor)
        before = export_bytes(store, tmp_path, "before")
        n = len(store.ox)
        again = store.ingest(seed_articles(), extractor)
        assert (again.added, again.replaced, again.unchanged) == (0, 0, 5)
        assert again.mentions == 0  # nothing was extracted again
        assert len(store.ox) == n
        assert export_bytes(store, tmp_path, "after") == before


def test_remove_then_readd_round_trips(tmp_path, extractor):
    arts = seed_articles()
    with KgStore(tmp_path / "s", create=True) as store:
        store.ingest(arts, extractor)
        full = quads(store)
        full_bytes = export_bytes(store, tmp_path, "full")
        gone = arts[1]
        assert store.remove([gone.id]) == 1
        left = quads(store)
        assert gone.id not in store.articles()
        graph = ox.NamedNode(store.iris.graph(gone.id)[1:-1])
        assert not any(q.graph_name == graph for q in left)
        # what only that article supported is gone from the default graph too
        with KgStore(tmp_path / "four", create=True) as four:
            four.ingest([a for a in arts if a.id != gone.id], extractor)
            assert left == quads(four)
        store.ingest([gone], extractor)
        assert quads(store) == full
        assert export_bytes(store, tmp_path, "back") == full_bytes
        # the updates recomputed only what the article touched; recomputing all
        # of the default graph changes nothing
        assert store.refresh_default_graph() == 0


def test_a_changed_article_replaces_its_graph(tmp_path, extractor):
    arts = seed_articles()
    with KgStore(tmp_path / "s", create=True) as store:
        store.ingest(arts, extractor)
        changed = dataclasses.replace(arts[0], text=arts[0].text + "\n\nوقال المتحدث إن الاجتماع انتهى.")
        stats = store.ingest([changed], extractor)
        assert (stats.added, stats.replaced) == (0, 1)
        assert store.articles()[changed.id][0] == content_hash(changed)
        with KgStore(tmp_path / "fresh", create=True) as fresh:
            fresh.ingest([changed] + arts[1:], extractor)
            assert quads(store) == quads(fresh)
            assert export_bytes(store, tmp_path, "changed") == export_bytes(fresh, tmp_path, "fresh-export")


def test_exports_read_the_kept_graphs_which_equal_oxigraphs_dump(tmp_path, extractor):
    """An article's named graph is exported from the N-Quads the manifest keeps of
    it; a store made before the manifest kept them (no ``graphs`` table, or an
    article without a row) has its graphs dumped from Oxigraph: the same bytes."""
    import io

    with KgStore(tmp_path / "s", create=True) as store:
        store.ingest(seed_articles(), extractor)
        kept = io.StringIO()
        n = store.write_nquads(kept)
        assert n == kept.getvalue().count("\n") == len(store.ox)
        store.db.execute("DELETE FROM graphs WHERE article = ?", (seed_articles()[2].id,))
        store.db.commit()
        dumped = io.StringIO()
        assert store.write_nquads(dumped) == n
        assert dumped.getvalue() == kept.getvalue()
        store.db.execute("DROP TABLE graphs")
        store.db.commit()
    with KgStore(tmp_path / "s", read_only=True) as none_kept:
        dumped = io.StringIO()
        assert none_kept.write_nquads(dumped) == n
        assert dumped.getvalue() == kept.getvalue()


def test_a_new_extractor_version_reextracts(tmp_path, extractor, monkeypatch):
    import kg.store as store_mod

    arts = seed_articles()[:1]
    with KgStore(tmp_path / "s", create=True) as store:
        store.ingest(arts, extractor)
        monkeypatch.setattr(store_mod, "extractor_version", lambda: "kg test+changed")
        stats = store.ingest(arts, extractor)
        assert stats.replaced == 1
        assert set(store.info()["extractors"]) == {"kg test+changed"}


def test_store_errors_are_clear(tmp_path, extractor):
    with pytest.raises(StoreError, match="no such folder"):
        KgStore(tmp_path / "missing")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x.txt").write_text("x")
    with pytest.raises(StoreError, match="not empty"):
        KgStore(tmp_path / "full", create=True)
    with KgStore(tmp_path / "s", create=True) as store:
        store.ingest(seed_articles()[:1], extractor)
        with pytest.raises(StoreError, match="no article 'nope'"):
            store.remove(["nope"])
        arts = seed_articles()[:1]
        with pytest.raises(StoreError, match="given twice"):
            store.ingest(arts + arts, extractor)
    with pytest.raises(StoreError, match="base IRI"):
        KgStore(tmp_path / "s", base="https://example.org/other/")
    with KgStore(tmp_path / "s", read_only=True) as ro:
        with pytest.raises(StoreError, match="read-only"):
            ro.remove(["x"])


def test_an_interrupted_run_is_finished_on_open(tmp_path, extractor):
    arts = seed_articles()
    with KgStore(tmp_path / "s", create=True) as store:
        store.ingest(arts, extractor)
        expected = quads(store)
        # as if a run had died after changing an article but before
        # recomputing the default graph
        store.ox.remove_graph(ox.NamedNode(store.iris.graph(arts[0].id)[1:-1]))
        store.db.execute("DELETE FROM contributions WHERE article = ?", (arts[0].id,))
        store.db.execute("DELETE FROM articles WHERE id = ?", (arts[0].id,))
        store._set_meta("dirty", "1")
    with KgStore(tmp_path / "s") as store:
        stats = store.ingest(arts, extractor)
        assert stats.added == 1 and stats.unchanged == 4
        assert quads(store) == expected


def test_cli_build_store_query_validate_export_remove(tmp_path):
    runner = CliRunner()
    store, out = tmp_path / "store", tmp_path / "out"
    r = runner.invoke(cli, ["build", str(SEEDS), "--store", str(store), "-o", str(out), "-q"])
    assert r.exit_code == 0, r.output
    assert "5 articles added" in r.output and is_store(store)
    r = runner.invoke(cli, ["build", str(SEEDS), "--store", str(store), "-q"])
    assert r.exit_code == 0 and "5 unchanged" in r.output, r.output

    from_store = runner.invoke(cli, ["query", "--store", str(store), "--name", "who-met-whom", "--format", "csv"])
    from_file = runner.invoke(cli, ["query", str(out / "graph.trig"), "--name", "who-met-whom", "--format", "csv"])
    assert from_store.exit_code == 0, from_store.output
    assert from_store.output == from_file.output and from_store.output.count("\n") > 1
    as_path = runner.invoke(cli, ["query", str(store), "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                                  "--format", "json"])
    assert as_path.exit_code == 0, as_path.output
    assert int(json.loads(as_path.output)[0]["n"]) > 3000

    r = runner.invoke(cli, ["validate", "--store", str(store)])
    assert r.exit_code == 0 and "conforms" in r.output, r.output

    target = tmp_path / "g.ttl"
    r = runner.invoke(cli, ["export", "--store", str(store), "--format", "ttl", "-o", str(target)])
    assert r.exit_code == 0, r.output
    assert target.read_bytes() == (out / "graph.ttl").read_bytes()

    r = runner.invoke(cli, ["info", str(store)])
    assert json.loads(r.output)["articles"] == 5

    victim = seed_articles()[0].id
    r = runner.invoke(cli, ["remove", "--store", str(store), victim])
    assert r.exit_code == 0 and "4 articles" in r.output, r.output
    r = runner.invoke(cli, ["query", "--store", str(store), "--name", "people-in-article", "--param", f"id={victim}"])
    assert r.exit_code == 0 and "(0 rows)" in r.output, r.output
    r = runner.invoke(cli, ["remove", "--store", str(store), victim])
    assert r.exit_code != 0 and f"no article '{victim}'" in r.output


def test_cli_evaluate_reads_a_store(tmp_path, gold_path):
    runner = CliRunner()
    store = tmp_path / "store"
    assert runner.invoke(cli, ["build", str(SEEDS), "--store", str(store), "-q"]).exit_code == 0
    r = runner.invoke(cli, ["evaluate", str(gold_path), "--store", str(store), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["entities"]["f1"] >= 0.95


def test_cli_needs_a_target_and_names_a_bad_store(tmp_path):
    runner = CliRunner()
    r = runner.invoke(cli, ["build", str(SEEDS)])
    assert r.exit_code != 0 and "-o OUT, --store DIR" in r.output
    (tmp_path / "plain").mkdir()
    r = runner.invoke(cli, ["query", "--store", str(tmp_path / "plain"), "--name", "roles"])
    assert r.exit_code != 0 and "not a kg store" in r.output


def test_the_readme_main_command_with_a_relative_store(tmp_path, monkeypatch):
    """`kg build seeds/ --store store/ -o exports/` from the repository's root,
    with relative paths: the exports equal a plain build's."""
    import shutil

    shutil.copytree(SEEDS, tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    r = runner.invoke(cli, ["build", "seeds/", "--store", "store/", "-o", "exports/", "-q"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli, ["build", "seeds/", "-o", "plain/", "-q"])
    assert r.exit_code == 0, r.output
    for name in ("graph.nq", "graph.ttl", "graph.html"):
        assert (tmp_path / "exports" / name).read_bytes() == (tmp_path / "plain" / name).read_bytes(), name
    r = runner.invoke(cli, ["query", "store", "--name", "roles", "--format", "csv"])
    assert r.exit_code == 0 and r.output.count("\n") > 3, r.output


def test_views_are_drawn_unless_the_graph_is_large_or_no_views(tmp_path, monkeypatch):
    import kg.pipeline as pipeline

    runner = CliRunner()
    out = tmp_path / "out"
    r = runner.invoke(cli, ["build", str(SEEDS), "-o", str(out), "-q"])
    assert r.exit_code == 0 and (out / "graph.html").is_file(), r.output
    r = runner.invoke(cli, ["build", str(SEEDS), "-o", str(out), "-q", "--no-views"])
    assert r.exit_code == 0 and "no views drawn" in r.output, r.output
    assert not (out / "graph.html").exists() and (out / "graph.ttl").is_file()  # no stale view left
    monkeypatch.setattr(pipeline, "VIEW_AUTO_MAX_ARTICLES", 4)  # five seeds: "large"
    r = runner.invoke(cli, ["build", str(SEEDS), "--store", str(tmp_path / "s"), "-o", str(out), "-q"])
    assert r.exit_code == 0 and "no views drawn" in r.output and not (out / "graph.gexf").exists()
    r = runner.invoke(cli, ["build", str(SEEDS), "--store", str(tmp_path / "s"), "-o", str(out), "-q",
                            "--views"])
    assert r.exit_code == 0 and (out / "graph.gexf").is_file(), r.output
