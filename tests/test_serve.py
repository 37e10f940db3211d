"""``kg serve`` on a loopback port, queried with a real SPARQL client
(SPARQLWrapper), and ``kg push`` into a real Oxigraph server: both must answer
every canned query as the local store does."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from xml.dom import minidom

import pyoxigraph as ox
import pytest
from SPARQLWrapper import CSV, JSON, POST, TSV, XML, SPARQLWrapper

from conftest import SEEDS
from kg.query import canned_queries, run_query
from kg.store import KgStore

LABELS = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
SELECT ?x ?label WHERE { ?x a/rdfs:subClassOf* schema:Person ; rdfs:label ?label . FILTER(lang(?label) = "ar") }
ORDER BY ?label ?x"""
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory):
    from kg.io import read_articles

    path = tmp_path_factory.mktemp("serve") / "store"
    with KgStore(path, create=True) as st:
        st.ingest(read_articles([SEEDS]))
    return path


@pytest.fixture(scope="module")
def local(store_dir):
    return KgStore(store_dir, read_only=True).ox


def start_kg_serve(*args):
    proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", *args, "--port", "0", "-q"],
                            stderr=subprocess.PIPE, text=True)
    line = proc.stderr.readline()
    m = re.search(r"at (http://\S+)/sparql", line)
    if not m:
        proc.kill()
        raise AssertionError(f"kg serve did not start: {line}{proc.stderr.read()}")
    return proc, m.group(1)


@pytest.fixture(scope="module")
def endpoint(store_dir):
    proc, url = start_kg_serve("--store", str(store_dir), "--timeout", "1.5", "--max-rows", "50")
    yield url
    proc.terminate()
    proc.wait(timeout=10)


def wrapper(url, query, fmt, method=None):
    sw = SPARQLWrapper(url + "/sparql")
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    if method:
        sw.setMethod(method)
    return sw.query()


def rows_of(result: ox.QuerySolutions | list) -> list[tuple]:
    return sorted(tuple("" if v is None else v for v in row) for row in result)


def test_every_result_format_parses_and_agrees(endpoint, local):
    expected = run_query(local, LABELS).rows
    assert 5 < len(expected) <= 50
    as_json = wrapper(endpoint, LABELS, JSON).convert()
    got_json = [[b["x"]["value"], b["label"]["value"]] for b in as_json["results"]["bindings"]]
    assert got_json == expected
    assert all(b["label"]["xml:lang"] == "ar" for b in as_json["results"]["bindings"])

    doc = wrapper(endpoint, LABELS, XML).convert()
    assert isinstance(doc, minidom.Document)
    results = doc.getElementsByTagName("result")
    got_xml = [[r.getElementsByTagName("uri")[0].firstChild.data,
                r.getElementsByTagName("literal")[0].firstChild.data] for r in results]
    assert got_xml == expected

    text = wrapper(endpoint, LABELS, CSV).convert().decode("utf-8")
    got_csv = list(csv.reader(io.StringIO(text)))
    assert got_csv[0] == ["x", "label"] and got_csv[1:] == expected

    text = wrapper(endpoint, LABELS, TSV).convert().decode("utf-8")
    lines = [line.split("\t") for line in text.splitlines()]
    assert lines[0] == ["?x", "?label"]
    assert [[ox.parse(input=f"<s:x> <p:y> {c} .".encode(), format=ox.RdfFormat.N_TRIPLES).__next__().object.value
             for c in line] for line in lines[1:]] == expected


def test_graphs_by_content_negotiation(endpoint, local):
    construct = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> " \
                "CONSTRUCT { ?x rdfs:label ?l } WHERE { ?x rdfs:label ?l } LIMIT 40"
    expected = {t for t in local.query(construct, use_default_graph_as_union=True)}
    for media, fmt in (("text/turtle", ox.RdfFormat.TURTLE), ("application/n-triples", ox.RdfFormat.N_TRIPLES),
                       ("application/ld+json", ox.RdfFormat.JSON_LD)):
        req = urllib.request.Request(endpoint + "/sparql?" + urllib.parse.urlencode({"query": construct}),
                                     headers={"Accept": media})
        with urllib.request.urlopen(req) as resp:
            assert resp.headers["Content-Type"].startswith(media)
            got = {q.triple for q in ox.parse(input=resp.read(), format=fmt)}
        assert got == expected and len(got) == 40


def test_post_query_and_ask(endpoint):
    res = wrapper(endpoint, "ASK { ?s a <https://w3id.org/kg-ar/ontology#NewsArticle> }", JSON, POST).convert()
    assert res["boolean"] is True
    body = "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a <https://w3id.org/kg-ar/ontology#NewsArticle> }"
    req = urllib.request.Request(endpoint + "/sparql", data=body.encode(), method="POST",
                                 headers={"Content-Type": "application/sparql-query",
                                          "Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req) as resp:
        assert json.load(resp)["results"]["bindings"][0]["n"]["value"] == "5"


def _status(req) -> tuple[int, str, dict]:
    try:
        with urllib.request.urlopen(req) as resp:
            return resp.status, resp.read().decode(), dict(resp.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(), dict(exc.headers)


def test_updates_are_refused(endpoint, local):
    before = len(local)
    update = "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }"
    for req in (
        urllib.request.Request(endpoint + "/sparql", data=urllib.parse.urlencode({"update": update}).encode(),
                               headers={"Content-Type": "application/x-www-form-urlencoded"}),
        urllib.request.Request(endpoint + "/sparql", data=update.encode(),
                               headers={"Content-Type": "application/sparql-update"}),
        urllib.request.Request(endpoint + "/update", data=update.encode(),
                               headers={"Content-Type": "application/sparql-update"}),
        urllib.request.Request(endpoint + "/sparql?" + urllib.parse.urlencode({"query": update})),
    ):
        code, text, _ = _status(req)
        assert code == 403 and "read-only" in text
    ask = "ASK { <http://example.org/a> ?p ?o }"
    assert wrapper(endpoint, ask, JSON).convert()["boolean"] is False
    assert len(local) == before


def test_a_slow_query_is_cut_at_the_timeout(endpoint):
    started = time.perf_counter()
    code, text, _ = _status(urllib.request.Request(endpoint + "/sparql?" + urllib.parse.urlencode({"query": SLOW})))
    elapsed = time.perf_counter() - started
    assert code == 503 and "1.5 s timeout" in text
    assert elapsed < 6
    # the endpoint goes on answering
    assert wrapper(endpoint, "ASK { ?s ?p ?o }", JSON).convert()["boolean"] is True


def test_bad_queries_and_paths_get_clear_errors(endpoint):
    code, text, _ = _status(urllib.request.Request(endpoint + "/sparql?query=SELEKT"))
    assert code == 400 and "syntax error" in text
    code, text, _ = _status(urllib.request.Request(endpoint + "/nowhere"))
    assert code == 404 and "/sparql" in text
    code, text, _ = _status(urllib.request.Request(endpoint + "/sparql?query=ASK%7B%7D&format=pdf"))
    assert code == 400 and "unknown format" in text


def test_result_size_is_capped(endpoint):
    q = "SELECT ?s WHERE { ?s ?p ?o }"
    code, text, headers = _status(urllib.request.Request(endpoint + "/sparql?" + urllib.parse.urlencode(
        {"query": q, "format": "json"})))
    assert code == 200 and "50" in headers["X-KG-Truncated"]
    assert len(json.loads(text)["results"]["bindings"]) == 50


def test_cors_health_and_page(endpoint):
    req = urllib.request.Request(endpoint + "/sparql", method="OPTIONS",
                                 headers={"Origin": "http://example.org", "Access-Control-Request-Method": "POST"})
    code, _, headers = _status(req)
    assert code == 204 and headers["Access-Control-Allow-Origin"] == "*" and "POST" in headers[
        "Access-Control-Allow-Methods"]
    code, text, headers = _status(urllib.request.Request(endpoint + "/"))
    health = json.loads(text)
    assert code == 200 and health["status"] == "ok" and health["articles"] == 5 and health["read_only"]
    assert headers["Access-Control-Allow-Origin"] == "*"
    code, page, headers = _status(urllib.request.Request(endpoint + "/sparql"))
    assert code == 200 and headers["Content-Type"].startswith("text/html")
    assert all(name in page for name in canned_queries())


def canned_rows(run) -> dict[str, list[tuple]]:
    return {name: run(q.text) for name, q in canned_queries().items()}


def test_canned_queries_answer_alike_on_the_endpoint(store_dir, local):
    proc, url = start_kg_serve("--store", str(store_dir))
    try:
        def remote(text):
            res = wrapper(url, text, JSON, POST).convert()
            names = res["head"]["vars"]
            return rows_of([[b[v]["value"] if v in b else None for v in names] for b in res["results"]["bindings"]])
        mine = canned_rows(lambda text: rows_of(run_query(local, text).rows))
        theirs = canned_rows(remote)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert mine == theirs
    assert sum(bool(v) for v in mine.values()) >= len(mine) - 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(url: str, proc: subprocess.Popen, tries: int) -> bool:
    """Whether the server ``proc`` answers ``url`` within ``tries`` tries, 50 ms apart."""
    for _ in range(tries):
        if proc.poll() is not None:
            return False
        try:
            urllib.request.urlopen(url).read()
            return True
        except OSError:
            time.sleep(0.05)
    return False


@pytest.fixture()
def oxigraph_server(tmp_path):
    exe = shutil.which("oxigraph")
    if exe is None:
        pytest.fail("the oxigraph server (pip package 'oxigraph', in the test extras) is not installed")
    port = free_port()
    proc = subprocess.Popen([exe, "serve", "--location", str(tmp_path / "oxigraph-server"),
                             "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    if not answers(url + "/query?query=ASK%7B%7D", proc, 100):
        proc.kill()
        raise AssertionError(proc.stderr.read().decode())
    yield url
    proc.terminate()
    proc.wait(timeout=10)


def oxigraph_rows(url):
    return sparql_rows(url + "/query")


def sparql_rows(query_url):
    """A function running a query at ``query_url`` and returning its rows sorted."""
    def run(text):
        sw = SPARQLWrapper(query_url)
        sw.setQuery(text)
        sw.setReturnFormat(JSON)
        res = sw.query().convert()
        names = res["head"]["vars"]
        return rows_of([[b[v]["value"] if v in b else None for v in names] for b in res["results"]["bindings"]])
    return run


@pytest.mark.parametrize("mode", ["graph-store", "update"])
def test_push_into_oxigraph_server_answers_like_the_local_store(store_dir, local, oxigraph_server, mode):
    args = ["--graph-store", oxigraph_server + "/store"] if mode == "graph-store" else \
        ["--endpoint", oxigraph_server + "/update"]
    r = subprocess.run([sys.executable, "-m", "kg", "push", "--store", str(store_dir), *args],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "pushed 6 graphs" in r.stdout
    mine = canned_rows(lambda text: rows_of(run_query(local, text).rows))
    assert canned_rows(oxigraph_rows(oxigraph_server)) == mine
    # pushing again replaces each graph: nothing doubles
    r = subprocess.run([sys.executable, "-m", "kg", "push", "--store", str(store_dir), *args],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    count = oxigraph_rows(oxigraph_server)("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    named = sum(1 for q in local if not isinstance(q.graph_name, ox.DefaultGraph))
    assert count == [(str(named),)]


def test_push_replaces_a_changed_article_graph(tmp_path, oxigraph_server):
    """One graph per article, replaced as a whole: a graph that lost triples
    loses them in the external store too."""
    from kg.push import Pusher

    g = ox.NamedNode("https://example.org/graph/1")
    t = [ox.Triple(ox.NamedNode(f"https://example.org/s{i}"), ox.NamedNode("https://example.org/p"),
                   ox.Literal(f"قيمة {i}", language="ar")) for i in range(3)]
    pusher = Pusher(None, oxigraph_server + "/store")
    pusher.put_graph(g, t)
    pusher.put_graph(g, t[:1])
    rows = oxigraph_rows(oxigraph_server)(f"SELECT ?o WHERE {{ GRAPH {g} {{ ?s ?p ?o }} }}")
    assert rows == [("قيمة 0",)]


def test_push_errors_name_the_graph_and_the_server(store_dir):
    port = free_port()
    r = subprocess.run([sys.executable, "-m", "kg", "push", "--store", str(store_dir), "--endpoint",
                        f"http://127.0.0.1:{port}/update"], capture_output=True, text=True)
    assert r.returncode != 0 and "cannot reach" in r.stderr and "default graph" in r.stderr
    r = subprocess.run([sys.executable, "-m", "kg", "push", "--store", str(store_dir)], capture_output=True,
                       text=True)
    assert r.returncode != 0 and "--graph-store" in r.stderr


VIRTUOSO_INI = """[Database]
DatabaseFile = {d}/db.db
ErrorLogFile = {d}/db.log
LockFile = {d}/db.lck
TransactionFile = {d}/db.trx
xa_persistent_file = {d}/db.pxa
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/db-temp.db
TransactionFile = {d}/db-temp.trx

[Parameters]
ServerPort = {sql}
DisableUnixSocket = 1
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = ., {d}

[HTTPServer]
ServerPort = {http}
ServerRoot = {d}
ServerThreads = 4
EnabledDavVSP = 0

[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 60
"""


@pytest.fixture()
def virtuoso_server(tmp_path):
    """Debian's Virtuoso 7 (``virtuoso-t``, installed by .ci/run) on free loopback ports."""
    exe = shutil.which("virtuoso-t")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("virtuoso-t is missing: .ci/run installs virtuoso-opensource-7-bin")
        pytest.skip("virtuoso-t (Debian's virtuoso-opensource-7-bin) is not installed")
    d = tmp_path / "virtuoso"
    d.mkdir()
    http = free_port()
    (d / "virtuoso.ini").write_text(VIRTUOSO_INI.format(d=d, sql=free_port(), http=http))
    proc = subprocess.Popen([exe, "-c", str(d / "virtuoso.ini"), "-f"], cwd=d,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{http}"
    if not answers(url + "/sparql?query=ASK%7B%7D", proc, 600):
        proc.kill()
        raise AssertionError("Virtuoso did not start: " + (d / "db.log").read_text(errors="replace")[-2000:])
    yield url
    proc.terminate()
    proc.wait(timeout=30)


def unordered_concat(rows: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    """GROUP_CONCAT joins in an order SPARQL leaves open: compare its parts as sets."""
    return {name: sorted(tuple(" ".join(sorted(v.split(" "))) if name == "events-of-person" and i == len(row) - 1
                               else v for i, v in enumerate(row)) for row in rs)
            for name, rs in rows.items()}


def test_push_into_virtuoso_answers_like_the_local_store(store_dir, local, virtuoso_server):
    """Virtuoso has no default graph of its own (its queries see the union of all
    graphs): the default graph goes into a named graph of --default-graph."""
    default = "https://w3id.org/kg-ar/resource/graph/default"
    args = ["--store", str(store_dir), "--graph-store", virtuoso_server + "/sparql-graph-crud-auth",
            "--auth", "dba:dba", "--digest", "--default-graph", default]
    for _ in range(2):  # the second push replaces every graph: nothing doubles
        r = subprocess.run([sys.executable, "-m", "kg", "push", *args], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        assert "pushed 6 graphs" in r.stdout
    theirs = canned_rows(sparql_rows(virtuoso_server + "/sparql"))
    mine = canned_rows(lambda text: rows_of(run_query(local, text).rows))
    assert unordered_concat(theirs) == unordered_concat(mine)
    count = sparql_rows(virtuoso_server + "/sparql")(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g = <{default}> || "
        f"STRSTARTS(STR(?g), \"https://w3id.org/kg-ar/resource/graph/\")) }}")
    assert count == [(str(len(local)),)]
