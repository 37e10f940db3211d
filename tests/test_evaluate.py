"""Scoring against the gold file of ../shared (always present in CI)."""

import json

from click.testing import CliRunner

from kg.cli import cli
from kg.evaluate import GoldIndex, Node, evaluate, load_gold, match_keys
from kg.query import load_graph


def test_match_keys_strip_clitics_and_normalize():
    assert "روسيا" in match_keys("لروسيا")
    assert match_keys("الأمريكي") & match_keys("الامريكي")
    assert "ولايات متحده" in match_keys("للولايات المتحدة")


def test_gold_matching_by_wikidata_label_or_surface():
    gold = {"entities": {"p": {"type": "Person", "label_ar": "جو بايدن", "label_en": "Joe Biden",
                               "wikidata": "Q6279"}},
            "documents": {"d": {"entities": {"p": ["بايدن"]}}}}
    idx = GoldIndex(gold)
    by_id = Node("x", "Person", {"شخص آخر"}, "Q6279")
    by_label = Node("y", "Person", {"Joe Biden"})
    by_surface = Node("z", "Person", {"لبايدن"})
    wrong_type = Node("w", "Place", {"جو بايدن"})
    for node, ok in [(by_id, True), (by_label, True), (by_surface, True), (wrong_type, False)]:
        assert idx.matches("p", node, node.keys()) is ok


def test_seeds_entity_scores(seeds_build, gold_path):
    out, _ = seeds_build
    result = evaluate(load_gold(gold_path), load_graph(out / "graph.ttl"))
    ents = result["entities"]
    assert ents["f1"] >= 0.90, ents
    assert result["entity_identity"]["ok"], result["entity_identity"]


def test_seeds_role_and_quote_scores(seeds_build, gold_path):
    out, _ = seeds_build
    result = evaluate(load_gold(gold_path), load_graph(out / "graph.ttl"))
    assert result["roles"]["f1"] >= 0.90, result["roles"]
    assert result["quotes"]["recall"] >= 0.90, result["quotes"]


def test_evaluate_detects_a_missing_entity(seeds_build, gold_path, tmp_path):
    """Removing every mention of Moscow from the graph must cost recall."""
    out, _ = seeds_build
    text = (out / "graph.nq").read_text("utf-8")
    store = load_graph(out / "graph.nq")
    full = evaluate(load_gold(gold_path), store)
    lines = [ln for ln in text.splitlines(keepends=True)
             if not ("schema.org/mentions> <" in ln and "/entity/Q649>" in ln)]
    path = tmp_path / "less.nq"
    path.write_text("".join(lines), "utf-8")
    less = evaluate(load_gold(gold_path), load_graph(path))
    assert less["entities"]["fn"] > full["entities"]["fn"]
    assert any("moscow" in m for m in less["entities"]["misses"])


def test_evaluate_command(seeds_build, gold_path):
    out, _ = seeds_build
    res = CliRunner().invoke(cli, ["evaluate", str(gold_path), str(out / "graph.ttl")])
    assert res.exit_code == 0, res.output
    for layer in ("entities", "roles", "events", "quotes"):
        assert layer in res.output
    res = CliRunner().invoke(cli, ["evaluate", str(gold_path), str(out / "graph.ttl"), "--json"])
    assert json.loads(res.output)["entities"]["tp"] > 0
