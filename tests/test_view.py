"""The network view: the projection against SPARQL, GraphML/GEXF, the page's
self-containment and safety, and the page itself driven in headless Chromium."""

from __future__ import annotations

import json
import os
import re
import struct
import zlib
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.query import load_graph, run_query
from kg.text import normalize_key, skeleton
from kg.view import (Projection, ViewError, _script_json, project, render_html, write_gexf, write_graphml,
                     write_html)
from kg.vocab import ontology_path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("KG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PREFIXES = """
PREFIX schema: <https://schema.org/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX kg: <https://w3id.org/kg-ar/ontology#>
PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
PREFIX itsrdf: <http://www.w3.org/2005/11/its/rdf#>
"""
PWN = "window.__pwned=1"
HOSTILE_LABELS = [f"<script>{PWN}</script>", f'"><img src=x onerror="{PWN}">',
                  f"</script><svg onload={PWN}>", "&lt;b&gt; \u2028 \u2029 &amp;"]


# ------------------------------------------------------------------ fixtures

@pytest.fixture(scope="module")
def seeds_store(seeds_build):
    out, _ = seeds_build
    return load_graph(out / "graph.nq")


@pytest.fixture(scope="module")
def seeds_proj(seeds_store) -> Projection:
    return project(seeds_store)


def hostile_store() -> ox.Store:
    """A small graph whose labels, headline, URL, sentence and quotation are
    markup and script, beside one ordinary person."""
    store = ox.Store()
    store.load(path=str(ontology_path()), format=ox.RdfFormat.TURTLE)
    x = "http://example.org/"
    lit = lambda s, lang=None: json.dumps(s, ensure_ascii=False) + (f"@{lang}" if lang else "")  # noqa: E731
    ttl = f"""
    @prefix schema: <https://schema.org/> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    @prefix kg: <https://w3id.org/kg-ar/ontology#> . @prefix org: <http://www.w3.org/ns/org#> .
    @prefix prov: <http://www.w3.org/ns/prov#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
    @prefix nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#> .
    @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
    <{x}p1> a kg:Person ; rdfs:label {lit(HOSTILE_LABELS[0], "ar")} , {lit(HOSTILE_LABELS[1], "en")} ;
        skos:altLabel {lit(HOSTILE_LABELS[3], "ar")} .
    <{x}p2> a kg:Person ; rdfs:label "فلاديمير بوتين"@ar , "Vladimir Putin"@en .
    <{x}o1> a kg:Organization ; rdfs:label {lit(HOSTILE_LABELS[2], "ar")} .
    <{x}a1> a kg:NewsArticle ; schema:identifier "a1" ; schema:url "javascript:{PWN}" ;
        schema:headline {lit(HOSTILE_LABELS[1])} ; schema:mentions <{x}p1> , <{x}p2> .
    <{x}a1/s0> a kg:Sentence ; nif:anchorOf {lit("قال " + HOSTILE_LABELS[0] + " إن " + HOSTILE_LABELS[1], "ar")} ;
        nif:referenceContext <{x}a1> ; nif:beginIndex "0"^^xsd:integer .
    <{x}a1/m0> a kg:EntityMention ; kg:denotes <{x}p1> ; nif:sentence <{x}a1/s0> ; nif:referenceContext <{x}a1> .
    <{x}a1/m1> a kg:EntityMention ; kg:denotes <{x}p2> ; nif:sentence <{x}a1/s0> ; nif:referenceContext <{x}a1> .
    <{x}e1> a kg:Meeting ; kg:participant <{x}p1> , <{x}p2> ; prov:wasDerivedFrom <{x}a1> ;
        kg:inSentence <{x}a1/s0> ; schema:startDate "2021-06-16"^^xsd:date .
    <{x}q1> a kg:Quotation ; schema:text {lit(HOSTILE_LABELS[2], "ar")} ; schema:creator <{x}p1> ;
        prov:wasDerivedFrom <{x}a1> ; kg:inSentence <{x}a1/s0> .
    <{x}m1> a kg:Membership ; org:member <{x}p1> ; org:organization <{x}o1> ; org:role <{x}role> ;
        prov:wasDerivedFrom <{x}a1> ; kg:evidence {lit(HOSTILE_LABELS[0], "ar")} .
    <{x}role> a kg:Role ; rdfs:label {lit(HOSTILE_LABELS[1], "en")} , {lit(HOSTILE_LABELS[0], "ar")} .
    """
    store.load(input=ttl, format=ox.RdfFormat.TURTLE)
    return store


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for the module: Debian's, never a downloaded one.
    Missing, it fails the tests in CI and skips them elsewhere."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if sync_playwright is None or not Path(CHROMIUM).exists():
        why = "playwright is not installed" if sync_playwright is None else f"{CHROMIUM} is missing"
        if os.environ.get("CI"):
            pytest.fail(f"{why}: CI must run the browser tests (see .ci/run)")
        pytest.skip(why)
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Page:
    """A page opened from file://, with every console message, page error and
    request recorded."""

    def __init__(self, browser, path: Path):
        self.page = browser.new_page(viewport={"width": 1280, "height": 800})
        self.console, self.failed, self.requests = [], [], []
        self.page.on("console", lambda m: self.console.append((m.type, m.text)))
        self.page.on("pageerror", lambda e: self.console.append(("pageerror", str(e))))
        self.page.on("requestfailed", lambda r: self.failed.append(r.url))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_function("window.kgReady !== undefined", timeout=20000)

    def js(self, expr: str, arg=None):
        return self.page.evaluate(expr, arg)

    def errors(self):
        return [m for m in self.console if m[0] in ("error", "pageerror", "warning")]

    def close(self):
        self.page.close()


@pytest.fixture(scope="module")
def seeds_page(browser, seeds_build):
    out, _ = seeds_build
    page = Page(browser, out / "graph.html")
    yield page
    page.close()


# ------------------------------------------------------------------ projection

def _count(store, sparql: str) -> int:
    return int(run_query(store, PREFIXES + sparql).rows[0][0])


ACTOR = "?{v} a/rdfs:subClassOf* ?top{v} . VALUES ?top{v} {{ schema:Person schema:Organization schema:Place }}"


def test_projection_counts_match_sparql(seeds_store, seeds_proj):
    actors = _count(seeds_store, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {ACTOR.format(v='x')} }}")
    events = _count(seeds_store, f"""SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{
        ?e a/rdfs:subClassOf+ schema:Event ; ?p ?x . ?p rdfs:subPropertyOf* ?top .
        VALUES ?top {{ sem:hasActor sem:hasPlace }} {ACTOR.format(v='x')} }}""")
    links = _count(seeds_store, f"""SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?e ?link ?x WHERE {{
        ?e a/rdfs:subClassOf+ schema:Event ; ?p ?x . ?p rdfs:subPropertyOf* ?top .
        VALUES ?top {{ sem:hasActor sem:hasPlace }} {ACTOR.format(v='x')}
        BIND(IF(?top = sem:hasPlace, "place", IF(?p = kg:initiator, "initiator", "participant")) AS ?link) }} }}""")
    roles = _count(seeds_store, f"""SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?a ?b ?r WHERE {{
        ?m a/rdfs:subClassOf* org:Membership ; org:member ?a ; org:organization ?b ; org:role ?r .
        FILTER(?a != ?b) {ACTOR.format(v='a')} {ACTOR.format(v='b')} }} }}""")
    assert actors > 0 and events > 0
    assert seeds_proj.actor_count == seeds_proj.total_actors == actors
    assert len(seeds_proj.nodes) - seeds_proj.actor_count == events
    assert len(seeds_proj.edges["event"]) == links
    assert len(seeds_proj.edges["role"]) == roles
    g = seeds_proj.graph()
    assert g.number_of_nodes() == actors + events
    assert g.number_of_edges() == sum(len(rows) for rows in seeds_proj.edges.values())


def test_folded_edges_join_the_actors_of_each_event(seeds_proj):
    """Every folded edge is a pair of an event's actors, weighted by articles; every pair is one."""
    expected = {}
    for ev in seeds_proj.events:
        members = sorted({a for a, kind in ev["actors"]})
        node = seeds_proj.nodes[ev["node"]]
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                expected.setdefault((a, b, node["cls"]), set()).update(node["a"])
    got = {(a, b, rel): w for a, b, rel, w, _ in seeds_proj.edges["folded"]}
    assert set(got) == set(expected)
    assert all(got[k] == max(1, len(v)) for k, v in expected.items())


def test_nodes_are_sorted_labelled_and_placed(seeds_proj):
    actors = [n for n in seeds_proj.nodes if n["kind"] != "Event"]
    assert [n["iri"] for n in actors] == sorted(n["iri"] for n in actors)
    assert all(n["ar"] for n in actors)
    assert any(n["en"] for n in actors)
    assert all(isinstance(n["x"], int) and isinstance(n["y"], int) for n in seeds_proj.nodes)
    assert len({(n["x"], n["y"]) for n in seeds_proj.nodes}) == len(seeds_proj.nodes)


def test_graphml_and_gexf_read_back(seeds_proj, tmp_path):
    g = seeds_proj.graph()
    for writer, reader, name in ((write_graphml, nx.read_graphml, "g.graphml"), (write_gexf, nx.read_gexf, "g.gexf")):
        path = writer(seeds_proj, tmp_path / name)
        back = reader(path)
        assert back.number_of_nodes() == g.number_of_nodes(), name
        assert back.number_of_edges() == g.number_of_edges(), name
        iri, attrs = next((n, a) for n, a in g.nodes(data=True) if a.get("label_ar"))
        assert back.nodes[iri]["label_ar"] == attrs["label_ar"]
        assert "lastmodifieddate" not in path.read_text("utf-8")


def test_folded_edges_are_thinned_to_the_strongest_beyond_the_limit(seeds_store, seeds_proj):
    proj = project(seeds_store, max_nodes=seeds_proj.actor_count // 4)
    limit = 3 * (seeds_proj.actor_count // 4)
    assert len(proj.edges["folded"]) == limit < len(seeds_proj.edges["folded"])
    assert "strongest" in proj.note["en"]
    weights = sorted((row[3] for row in proj.edges["folded"]), reverse=True)
    assert weights[-1] >= min(row[3] for row in seeds_proj.edges["folded"])


def test_top_actors_by_centrality_beyond_the_limit(seeds_store, seeds_proj):
    proj = project(seeds_store, max_nodes=5)
    assert proj.actor_count == 5 and proj.total_actors == seeds_proj.total_actors
    assert proj.note and "5" in proj.note["en"]
    ranks = sorted((-n["pr"], n["iri"]) for n in seeds_proj.nodes if n["kind"] != "Event")
    assert {n["iri"] for n in proj.nodes if n["kind"] != "Event"} == {iri for _, iri in ranks[:5]}
    kept = set(range(len(proj.nodes)))
    assert all(a in kept and b in kept for rows in proj.edges.values() for a, b, *_ in rows)


def test_focus_by_iri_wikidata_id_or_any_spelling(seeds_store, seeds_proj):
    person = max((n for n in seeds_proj.nodes if n["kind"] == "Person" and n["wd"]), key=lambda n: n["deg"])
    by_iri = project(seeds_store, focus=person["iri"], hops=1)
    ids = lambda p: {n["iri"] for n in p.nodes}  # noqa: E731
    assert ids(project(seeds_store, focus=person["wd"], hops=1)) == ids(by_iri)
    assert ids(project(seeds_store, focus=_variant(person["ar"]), hops=1)) == ids(by_iri)
    assert person["iri"] in ids(by_iri) and by_iri.note
    alone = project(seeds_store, focus=person["iri"], hops=0)
    assert [n["iri"] for n in alone.nodes if n["kind"] != "Event"] == [person["iri"]]
    with pytest.raises(ViewError, match="no entity"):
        project(seeds_store, focus="Q999999999")
    with pytest.raises(ViewError, match="no entity"):
        project(seeds_store, focus="اسم لا وجود له")


def _variant(label: str) -> str:
    """Another spelling of an Arabic name, of the kinds news text has: a long
    vowel dropped inside the last word (بوتين → بوتن), else a hamza on a bare
    alef, a tatweel and a haraka."""
    words = label.split()
    last = words[-1]
    inner = re.sub("[اي]", "", last[1:-1])
    if len(last) > 3 and inner != last[1:-1]:
        words[-1] = last[0] + inner + last[-1]
    else:
        words[-1] = last.replace("ا", "أ", 1) if "ا" in last else last[0] + "ـ" + last[1:] + "َ"
    out = " ".join(words)
    assert out != label
    return out


# ------------------------------------------------------------------ the HTML, statically

def test_page_is_self_contained(seeds_build, tmp_path, monkeypatch):
    out, _ = seeds_build
    html = (out / "graph.html").read_text("utf-8")
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)\s*=\s*[\"']?(https?:)?//", html, re.I)
    assert "<link" not in html and "sourceMappingURL" not in html
    assert "default-src 'none'" in html
    assert len(re.findall(r"(?m)^<script", html)) == html.count("</script") == 3  # data, vis-network, app
    monkeypatch.chdir(tmp_path)
    write_html(project(load_graph(out / "graph.nq")), tmp_path / "v.html")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v.html"]  # no lib/ folder


def test_data_json_cannot_break_out_of_its_script():
    text = _script_json({"labels": HOSTILE_LABELS})
    assert not re.search("[<>&\u2028\u2029]", text)
    assert json.loads(text) == {"labels": HOSTILE_LABELS}
    html = render_html(project(hostile_store()))
    data = html.split('<script type="application/json" id="kg-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in data and ">" not in data
    for label in HOSTILE_LABELS:
        assert label not in html.split("<script>", 1)[0]


def test_cli_view(tmp_path):
    runner = CliRunner()
    out = tmp_path / "v.html"
    res = runner.invoke(cli, ["view", str(ROOT / "exports" / "graph.nq"), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert out.is_file() and "wrote" in res.output
    res = runner.invoke(cli, ["view", str(ROOT / "exports" / "graph.nq"), "-o", str(tmp_path / "v.gexf"),
                              "--focus", "Q999999999"])
    assert res.exit_code == 1 and "Error: no entity linked to Wikidata Q999999999" in res.output
    res = runner.invoke(cli, ["view", "-o", str(out)])
    assert res.exit_code == 2 and "GRAPH or --store" in res.output
    res = runner.invoke(cli, ["view", str(ROOT / "exports" / "graph.nq"), "-o", str(tmp_path / "v.png")])
    assert res.exit_code == 1 and "unknown view format" in res.output


# ------------------------------------------------------------------ the page in Chromium

@pytest.mark.browser
def test_page_loads_offline_without_errors(seeds_page):
    assert seeds_page.errors() == []
    assert seeds_page.failed == []
    assert all(u.startswith("file://") for u in seeds_page.requests), seeds_page.requests


@pytest.mark.browser
def test_every_node_of_the_projection_is_drawn(seeds_page, seeds_proj):
    drawn = "kgView.network.body.nodeIndices.length"
    assert seeds_page.js("kgView.state.events") is False
    assert seeds_page.js(drawn) == seeds_page.js("kgView.nodeView.length") == seeds_proj.actor_count
    assert seeds_page.js("kgView.edgeView.length") == len(seeds_proj.edges["folded"]) + len(seeds_proj.edges["role"])
    seeds_page.page.click("#mode")
    try:
        assert seeds_page.js(drawn) == len(seeds_proj.nodes)
        assert seeds_page.js("kgView.edgeView.length") == len(seeds_proj.edges["event"]) + len(seeds_proj.edges["role"])
    finally:
        seeds_page.page.click("#mode")
    assert seeds_page.js(drawn) == seeds_proj.actor_count


@pytest.mark.browser
def test_search_normalizes_as_the_pipeline_does(seeds_page, seeds_proj):
    labels = [x for n in seeds_proj.nodes for x in (n["ar"], n["en"]) if x]
    samples = labels + [_variant(n["ar"]) for n in seeds_proj.nodes if n["kind"] == "Person"] + [
        "الأَمْرِيكِيّ", "الأميركي", "ﻓﻼﺩﻳﻤﻴﺮ", "بوتــــين", "إيران", "مستشفى", "Vladimir PUTIN"] + HOSTILE_LABELS
    js = seeds_page.js("xs => xs.map(x => [kgView.normalizeKey(x), kgView.skeleton(kgView.normalizeKey(x))])", samples)
    assert js == [[normalize_key(x), skeleton(normalize_key(x))] for x in samples]


@pytest.mark.browser
def test_search_finds_an_entity_by_a_spelling_variant(seeds_page, seeds_proj):
    people = [(i, n) for i, n in enumerate(seeds_proj.nodes) if n["kind"] == "Person" and len(n["ar"].split()) > 1]
    assert people
    page = seeds_page.page
    for i, n in people:
        page.fill("#q", _variant(n["ar"]))
        hits = [int(x) for x in page.eval_on_selector_all("#results li[data-node]", "els => els.map(e => e.dataset.node)")]
        assert i in hits, (n["ar"], _variant(n["ar"]))
    page.fill("#q", "")


@pytest.mark.browser
def test_clicking_a_node_shows_its_source_sentence(seeds_page, seeds_proj, seeds_store):
    page = seeds_page.page
    # the drawn node with a sentence that stands furthest from any other
    i = seeds_page.js("""() => {
      const pos = kgView.network.getPositions(), ids = kgView.nodeView.getIds();
      let best = null, far = -1;
      ids.forEach(i => {
        if (!kgView.data.nodes[i].s.length) return;
        let d = Infinity;
        ids.forEach(j => { if (j !== i) d = Math.min(d, Math.hypot(pos[i].x - pos[j].x, pos[i].y - pos[j].y)); });
        if (d > far) { far = d; best = i; }
      });
      kgView.network.moveTo({position: pos[best], scale: 1.5, animation: false});
      return best;
    }""")
    box = page.locator("#net canvas").bounding_box()
    xy = seeds_page.js("i => kgView.network.canvasToDOM(kgView.network.getPositions([i])[i])", i)
    page.mouse.click(box["x"] + xy["x"], box["y"] + xy["y"])
    page.wait_for_function("document.querySelector('#details h2') !== null")
    assert seeds_page.js("kgView.network.getSelectedNodes()") == [i]
    iri = seeds_proj.nodes[i]["iri"]
    sentences = {r[0] for r in run_query(seeds_store, PREFIXES + f"""SELECT DISTINCT ?text WHERE {{
        ?m kg:denotes <{iri}> ; nif:sentence/nif:anchorOf ?text }}""").rows}
    panel = page.text_content("#details")
    assert sentences and any(s in panel for s in sentences)
    assert page.eval_on_selector("#details h2", "e => e.textContent") == seeds_proj.nodes[i]["ar"]
    assert seeds_page.errors() == []


def _in_range(date: str | None, lo: str, hi: str, undated: bool) -> bool:
    """The page's date filter, restated: an event's span (a year, a month or a
    day) overlaps [lo, hi]; events without a year pass when ``undated``."""
    if not date or not re.match(r"^\d{4}", date):
        return undated
    parts = date.split("-")
    first = f"{parts[0]}-{parts[1] if len(parts) > 1 else '01'}-{parts[2] if len(parts) > 2 else '01'}"
    last = f"{parts[0]}-{parts[1] if len(parts) > 1 else '12'}-{parts[2] if len(parts) > 2 else '31'}"
    return last >= lo and first <= hi


@pytest.mark.browser
def test_filters_by_entity_type_event_type_and_date(seeds_page, seeds_proj):
    page, nodes = seeds_page.page, seeds_proj.nodes
    drawn = "kgView.network.body.nodeIndices.length"
    page.click("#mode")  # events as nodes
    try:
        events = [n for n in nodes if n["kind"] == "Event"]
        dated = sorted(n["date"] for n in events if n.get("date") and re.match(r"^\d{4}", n["date"]))
        assert dated
        lo = hi = dated[len(dated) // 2][:10]
        page.fill("#from", lo)
        page.dispatch_event("#from", "change")
        page.fill("#to", hi)
        page.dispatch_event("#to", "change")
        page.click("#undated")  # leave out events without a year
        expected = sum(1 for n in events if _in_range(n.get("date"), lo, hi, False))
        assert 0 < expected < len(events)
        assert seeds_page.js(drawn) == seeds_proj.actor_count + expected
        page.click("#undated")
        page.fill("#from", "")
        page.dispatch_event("#from", "change")
        page.fill("#to", "")
        page.dispatch_event("#to", "change")
        assert seeds_page.js(drawn) == len(nodes)
        # one event type off, then one entity type off
        cls = nodes[next(i for i, n in enumerate(nodes) if n["kind"] == "Event")]["cls"]
        page.click("#evtypes-box summary")
        en = next(t[2] for t in seeds_proj.event_types if t[0] == cls)
        box = page.locator("#evtypes label", has_text=re.compile(f" · {re.escape(en)}$"))
        box.locator("input").uncheck()
        assert seeds_page.js(drawn) == len(nodes) - sum(1 for n in events if n["cls"] == cls)
        box.locator("input").check()
        place = page.locator("#types label").nth(2)
        place.locator("input").uncheck()
        assert seeds_page.js(drawn) == len(nodes) - sum(1 for n in nodes if n["kind"] == "Place")
        assert seeds_page.js("kgView.edgeView.get().every(e => kgView.data.nodes[e.from].kind !== 'Place' "
                             "&& kgView.data.nodes[e.to].kind !== 'Place')")
        place.locator("input").check()
        page.click("#evtypes-box summary")
    finally:
        page.click("#mode")
    assert seeds_page.js(drawn) == seeds_proj.actor_count
    assert seeds_page.errors() == []


@pytest.mark.browser
def test_markup_in_the_data_is_shown_as_text_and_never_run(browser, tmp_path):
    proj = project(hostile_store())
    path = write_html(proj, tmp_path / "hostile.html")
    page = Page(browser, path)
    try:
        hostile = next(i for i, n in enumerate(proj.nodes) if n["ar"] == HOSTILE_LABELS[0])
        page.js("i => kgView.select(i)", hostile)
        page.page.fill("#q", "script")
        assert page.js("document.querySelector('#details h2').textContent") == HOSTILE_LABELS[0]
        panel = page.page.text_content("#details")
        assert HOSTILE_LABELS[1] in panel and HOSTILE_LABELS[2] in panel
        assert HOSTILE_LABELS[0] in page.page.text_content("#results")
        page.page.click("#mode")
        event = next(i for i, n in enumerate(proj.nodes) if n["kind"] == "Event")
        page.js("i => kgView.select(i)", event)
        assert page.js("document.querySelectorAll('#bar img, #panel img, #panel svg, #panel script').length") == 0
        assert page.js("[...document.querySelectorAll('#panel a')].every(a => /^https?:/.test(a.href))")
        assert page.js("typeof window.__pwned") == "undefined"
        assert page.errors() == [] and page.failed == []
    finally:
        page.close()


@pytest.mark.browser
def test_a_truncated_view_says_so(browser, tmp_path):
    proj = project(hostile_store(), max_nodes=1)
    page = Page(browser, write_html(proj, tmp_path / "top.html"))
    try:
        assert page.js("kgView.nodeView.length") == 1
        assert page.page.is_visible("#note")
        assert proj.note["ar"] in page.page.text_content("#note")
    finally:
        page.close()


@pytest.mark.browser
def test_screenshot_of_the_seeds_view(seeds_page, tmp_path):
    seeds_page.js("kgView.network.fit({animation: false})")
    page_png = tmp_path / "view.png"
    seeds_page.page.screenshot(path=str(page_png))
    assert _png_size(page_png.read_bytes())[:2] == (1280, 800)
    canvas = seeds_page.page.locator("#net canvas").screenshot()
    width, height, raw = _png_size(canvas)
    # a blank canvas filters to rows of zeros; a drawing to varied bytes
    assert len(set(raw)) > 50, "the network canvas is blank"
    assert sum(1 for b in raw[::7] if b) > len(raw) // 7 // 100


def _png_size(data: bytes) -> tuple[int, int, bytes]:
    """Width, height and the (filtered) pixel bytes of a PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, size = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IHDR":
            size = struct.unpack(">II", data[pos + 8:pos + 16])
        elif kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    return size[0], size[1], zlib.decompress(idat)


@pytest.mark.parametrize("name,var", [("sentences", "sentence"), ("mention-sentences", "s")])
def test_a_query_bound_to_some_iris_gives_their_rows_of_the_whole(seeds_store, name, var):
    from kg.view import _rows, _rows_for

    def key(r):
        return tuple(sorted((k, v or "") for k, v in r.items()))

    whole = sorted((r for r in _rows(seeds_store, name)), key=key)
    some = sorted({r[var] for r in whole})[::3]
    expected = [r for r in whole if r[var] in set(some)]
    for chunk in (1, 4, 500):  # one VALUES block or several
        assert sorted(_rows_for(seeds_store, name, var, some, chunk=chunk), key=key) == expected
    assert expected and len(expected) < len(whole)
    assert list(_rows_for(seeds_store, name, var, [])) == []
