import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.query import canned_queries

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def runner():
    return CliRunner()


@pytest.fixture(scope="module")
def graph(seeds_build):
    return str(seeds_build[0] / "graph.ttl")


def test_build_prints_a_summary(runner, tmp_path):
    res = runner.invoke(cli, ["build", str(ROOT / "seeds"), "-o", str(tmp_path), "-q"])
    assert res.exit_code == 0, res.output
    assert "5 articles" in res.output and "entities" in res.output and "triples" in res.output
    assert f"wrote {tmp_path / 'graph.ttl'}" in res.output


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json"])
def test_query_formats(runner, graph, fmt):
    q = "SELECT ?id WHERE { ?a <https://schema.org/identifier> ?id } ORDER BY ?id"
    res = runner.invoke(cli, ["query", graph, q, "--format", fmt])
    assert res.exit_code == 0, res.output
    ids = sorted(p.stem for p in (ROOT / "seeds").glob("*.txt"))
    if fmt == "json":
        assert [r["id"] for r in json.loads(res.output)] == ids
    elif fmt in ("csv", "tsv"):
        rows = list(csv.reader(io.StringIO(res.output), delimiter="," if fmt == "csv" else "\t"))
        assert rows == [["id"]] + [[i] for i in ids]
    else:
        lines = res.output.splitlines()
        assert lines[0].strip() == "id" and lines[-1] == "(5 rows)" and lines[2].strip() == ids[0]


def test_query_from_file_and_ask(runner, graph, tmp_path):
    rq = tmp_path / "q.rq"
    rq.write_text("ASK { ?s a <https://w3id.org/kg-ar/ontology#NewsArticle> }")
    res = runner.invoke(cli, ["query", graph, str(rq)])
    assert res.exit_code == 0 and res.output.strip() == "true"


def test_canned_queries_all_run(runner, graph):
    names = list(canned_queries())
    assert {"people-in-article", "articles-mentioning", "entities-by-type", "co-mentions", "roles",
            "quotes-by-speaker"} <= set(names)
    listing = runner.invoke(cli, ["query", "--list"]).output
    for name in names:
        assert name in listing
        res = runner.invoke(cli, ["query", graph, "--name", name, "--format", "json"])
        assert res.exit_code == 0, res.output
        assert len(json.loads(res.output)) > 0, name


def test_canned_query_with_parameter(runner, graph):
    res = runner.invoke(cli, ["query", graph, "--name", "people-in-article",
                              "--param", "id=003_669c3c74050fa7e2", "--format", "json"])
    rows = json.loads(res.output)
    assert rows and {r["id"] for r in rows} == {"003_669c3c74050fa7e2"}
    labels = {r["label"] for r in rows}
    assert "فلاديمير بوتين" in labels


def test_canned_query_with_a_language_tagged_parameter(runner, graph):
    res = runner.invoke(cli, ["query", graph, "--name", "articles-mentioning",
                              "--param", "label=جو بايدن@ar", "--format", "json"])
    rows = json.loads(res.output)
    assert len(rows) == 5 and {r["label"] for r in rows} == {"جو بايدن"}


def test_query_errors_are_clear(runner, graph, tmp_path):
    res = runner.invoke(cli, ["query", graph, "SELECT WHERE {"])
    assert res.exit_code == 1 and "SPARQL syntax error" in res.output
    res = runner.invoke(cli, ["query", str(tmp_path / "none.ttl"), "ASK {}"])
    assert res.exit_code == 1 and "no such graph file" in res.output
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .")
    res = runner.invoke(cli, ["query", str(bad), "ASK {}"])
    assert res.exit_code == 1 and "not valid RDF" in res.output
    res = runner.invoke(cli, ["query", graph, "--name", "nope"])
    assert res.exit_code == 1 and "no canned query" in res.output


def test_validate_command(runner, graph, tmp_path):
    res = runner.invoke(cli, ["validate", graph])
    assert res.exit_code == 0 and "conforms" in res.output
    bad = tmp_path / "bad.ttl"
    bad.write_text('<http://x/m> a <https://w3id.org/kg-ar/ontology#EntityMention> ; '
                   '<http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#anchorOf> "x" .')
    res = runner.invoke(cli, ["validate", str(bad)])
    assert res.exit_code == 1 and "SHACL violations" in res.output


def test_every_command_is_documented():
    readme = (ROOT / "README.md").read_text("utf-8")
    for name, cmd in cli.commands.items():
        assert cmd.help, name
        assert f"kg {name}" in readme, f"README does not show `kg {name}`"


def test_build_says_what_it_is_writing_unless_quiet(runner, tmp_path):
    res = runner.invoke(cli, ["build", str(ROOT / "seeds" / "000_9c8f4ce210c7c9d8.txt"), "-o", str(tmp_path)])
    assert res.exit_code == 0, res.output
    err = getattr(res, "stderr", "") or res.output
    assert "writing graph.ttl" in err and "writing graph.jsonld" in err
    quiet = runner.invoke(cli, ["build", str(ROOT / "seeds" / "000_9c8f4ce210c7c9d8.txt"), "-o",
                                str(tmp_path / "q"), "-q"])
    assert "writing graph" not in quiet.output
