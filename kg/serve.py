"""``kg serve``: a read-only SPARQL 1.1 Protocol endpoint over a store or an
export file.

The HTTP side is the standard library's threading HTTP server (no dependency
to install, HTTP parsing done by ``http.server``; enough for a loopback or
intranet endpoint). Queries run in a small pool of worker processes, each with
the graph opened read-only: a query that runs past the timeout is stopped by
ending its worker process (Oxigraph cannot interrupt a running query from
Python), and a fresh worker takes its place.

Routes:
    GET  /             health: status, articles, quads, limits (JSON)
    GET  /sparql?query=…           SPARQL query (results by content negotiation)
    POST /sparql       form (query=…) or application/sparql-query body
    GET  /sparql       (no query) the HTML page with a query box and the canned queries
    any  /update, update=…         refused: the endpoint is read-only
"""

from __future__ import annotations

import html
import json
import multiprocessing
import queue
import re
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

#: media type → name of a results format (SELECT/ASK)
RESULT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
RESULT_MEDIA = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                "csv": "text/csv", "tsv": "text/tab-separated-values"}
#: media type → RDF syntax (CONSTRUCT/DESCRIBE)
GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
GRAPH_MEDIA = {ox.RdfFormat.TURTLE: "text/turtle", ox.RdfFormat.N_TRIPLES: "application/n-triples",
               ox.RdfFormat.JSON_LD: "application/ld+json", ox.RdfFormat.RDF_XML: "application/rdf+xml"}
#: short names accepted in a ``format=`` parameter
FORMAT_PARAM = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                "csv": "text/csv", "tsv": "text/tab-separated-values", "turtle": "text/turtle",
                "ttl": "text/turtle", "nt": "application/n-triples", "ntriples": "application/n-triples",
                "jsonld": "application/ld+json", "json-ld": "application/ld+json",
                "rdfxml": "application/rdf+xml"}


@dataclass(frozen=True)
class Limits:
    timeout: float = 10.0  # seconds per query
    max_rows: int = 100_000  # solutions or triples per response


@dataclass
class Response:
    status: int
    media_type: str
    body: bytes
    truncated: bool = False


def negotiate(accept: str | None, table: dict) -> list[str]:
    """Media types of ``table`` the Accept header asks for, best first."""
    if not accept:
        return []
    ranked = []
    for i, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        q = 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        if q > 0:
            ranked.append((-q, i, media))
    out = []
    for _, _, media in sorted(ranked):
        if media in table:
            out.append(media)
        elif media in ("*/*", "application/*", "text/*"):
            out.extend(m for m in table if m.startswith(media[:-1]) or media == "*/*")
    return out


# -- results writers (SELECT rows are capped, so they are written here) ----------
def _json_term(t) -> dict:
    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, ox.Literal):
        out = {"type": "literal", "value": t.value}
        if t.language:
            out["xml:lang"] = t.language
        elif t.datatype.value != XSD_STRING:
            out["datatype"] = t.datatype.value
        return out
    return {"type": "literal", "value": str(t)}  # RDF-star triple terms, written as text


def _xml_term(t) -> str:
    e = html.escape
    if isinstance(t, ox.NamedNode):
        return f"<uri>{e(t.value, quote=False)}</uri>"
    if isinstance(t, ox.BlankNode):
        return f"<bnode>{e(t.value, quote=False)}</bnode>"
    if isinstance(t, ox.Literal):
        if t.language:
            return f'<literal xml:lang="{e(t.language)}">{e(t.value, quote=False)}</literal>'
        if t.datatype.value != XSD_STRING:
            return f'<literal datatype="{e(t.datatype.value)}">{e(t.value, quote=False)}</literal>'
        return f"<literal>{e(t.value, quote=False)}</literal>"
    return f"<literal>{e(str(t), quote=False)}</literal>"


def _csv_cell(t) -> str:
    if t is None:
        return ""
    v = t.value if isinstance(t, (ox.NamedNode, ox.Literal)) else f"_:{t.value}" \
        if isinstance(t, ox.BlankNode) else str(t)
    if any(c in v for c in ',"\r\n'):
        v = '"' + v.replace('"', '""') + '"'
    return v


def _tsv_cell(t) -> str:
    return "" if t is None else str(t)


def write_solutions(variables: list[str], rows: list[list], fmt: str) -> bytes:
    if fmt == "json":
        bindings = [{v: _json_term(t) for v, t in zip(variables, row) if t is not None} for row in rows]
        return json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}},
                          ensure_ascii=False).encode("utf-8")
    if fmt == "xml":
        parts = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
                 "<head>" + "".join(f'<variable name="{html.escape(v)}"/>' for v in variables) + "</head>",
                 "<results>"]
        for row in rows:
            parts.append("<result>" + "".join(
                f'<binding name="{html.escape(v)}">{_xml_term(t)}</binding>'
                for v, t in zip(variables, row) if t is not None) + "</result>")
        parts.append("</results>\n</sparql>\n")
        return "\n".join(parts).encode("utf-8")
    if fmt == "csv":
        lines = [",".join(variables)] + [",".join(_csv_cell(t) for t in row) for row in rows]
        return ("\r\n".join(lines) + "\r\n").encode("utf-8")
    if fmt == "tsv":
        lines = ["\t".join(f"?{v}" for v in variables)] + ["\t".join(_tsv_cell(t) for t in row) for row in rows]
        return ("\n".join(lines) + "\n").encode("utf-8")
    raise ValueError(fmt)


def write_boolean(value: bool, fmt: str) -> bytes:
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if fmt == "xml":
        return ('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                f"<head/><boolean>{str(value).lower()}</boolean></sparql>\n").encode()
    return f"{str(value).lower()}\n".encode()


def execute(store: ox.Store, text: str, accept: str | None, max_rows: int) -> Response:
    """Run one query against ``store`` (union default graph, as ``kg query``)."""
    try:
        res = store.query(text, use_default_graph_as_union=True)
    except SyntaxError as exc:
        msg = str(exc)
        if _looks_like_update(text):
            return Response(403, "text/plain", b"this endpoint is read-only: SPARQL Update is refused\n")
        return Response(400, "text/plain", f"SPARQL syntax error: {msg}\n".encode())
    except OSError as exc:
        return Response(500, "text/plain", f"query failed: {exc}\n".encode())
    if isinstance(res, ox.QueryTriples):
        media = (negotiate(accept, GRAPH_TYPES) or ["text/turtle"])[0]
        fmt = GRAPH_TYPES[media]
        triples = []
        truncated = False
        for t in res:
            if len(triples) >= max_rows:
                truncated = True
                break
            triples.append(t)
        return Response(200, GRAPH_MEDIA[fmt], ox.serialize(triples, format=fmt), truncated)
    media = (negotiate(accept, RESULT_TYPES) or ["application/sparql-results+json"])[0]
    fmt = RESULT_TYPES[media]
    if isinstance(res, ox.QueryBoolean):
        return Response(200, RESULT_MEDIA[fmt], write_boolean(bool(res), fmt))
    variables = [v.value for v in res.variables]
    rows = []
    truncated = False
    for sol in res:
        if len(rows) >= max_rows:
            truncated = True
            break
        rows.append([sol[v] for v in variables])
    return Response(200, RESULT_MEDIA[fmt], write_solutions(variables, rows, fmt), truncated)


def _looks_like_update(text: str) -> bool:
    body = re.sub(r"(?im)^\s*(PREFIX|BASE)\s+\S*\s*<[^>]*>\s*", "", text)
    body = re.sub(r"(?m)#.*$", "", body).strip().upper()
    return body.startswith(("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE",
                            "COPY", "WITH"))


# -- worker processes -----------------------------------------------------------------
def _worker_main(conn, source: str) -> None:
    from .store import open_graph

    try:
        store = open_graph(source)
    except Exception as exc:  # reported to the parent, which refuses to start
        conn.send(("error", str(exc)))
        return
    conn.send(("ready", len(store)))
    while True:
        try:
            msg = conn.recv()
        except EOFError:
            return
        if msg is None:
            return
        text, accept, max_rows = msg
        conn.send(execute(store, text, accept, max_rows))


class ServeError(RuntimeError):
    pass


class _Worker:
    def __init__(self, ctx, source: str):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, source), daemon=True)
        self.proc.start()
        child.close()
        kind, value = self.conn.recv()
        if kind == "error":
            self.proc.join()
            raise ServeError(value)
        self.quads = value

    def kill(self) -> None:
        self.proc.kill()
        self.proc.join()
        self.conn.close()


class QueryPool:
    """Worker processes that answer queries; one per concurrent query."""

    def __init__(self, source: str | Path, workers: int = 2, limits: Limits = Limits()):
        self.source = str(source)
        self.limits = limits
        self.ctx = multiprocessing.get_context("spawn")
        self.idle: queue.Queue[_Worker] = queue.Queue()
        started = [_Worker(self.ctx, self.source) for _ in range(max(1, workers))]
        self.quads = started[0].quads
        for w in started:
            self.idle.put(w)
        self.size = len(started)
        self.closed = False

    def run(self, text: str, accept: str | None) -> Response:
        try:
            w = self.idle.get(timeout=self.limits.timeout)
        except queue.Empty:
            return Response(503, "text/plain", b"server busy: every query worker is taken; try again\n")
        w.conn.send((text, accept, self.limits.max_rows))
        if w.conn.poll(self.limits.timeout):
            try:
                resp = w.conn.recv()
            except EOFError:
                resp = None
            if resp is not None:
                self.idle.put(w)
                return resp
            w.kill()
            self._replace()
            return Response(500, "text/plain", b"query failed: the worker process ended\n")
        w.kill()
        self._replace()
        return Response(
            503, "text/plain",
            f"query cancelled: it ran longer than the {self.limits.timeout:g} s timeout\n".encode())

    def _replace(self) -> None:
        def spawn():
            if not self.closed:
                self.idle.put(_Worker(self.ctx, self.source))
        threading.Thread(target=spawn, daemon=True).start()

    def close(self) -> None:
        self.closed = True
        while True:
            try:
                w = self.idle.get_nowait()
            except queue.Empty:
                break
            try:
                w.conn.send(None)
            except OSError:
                pass
            w.proc.join(timeout=2)
            if w.proc.is_alive():
                w.kill()


# -- HTTP -----------------------------------------------------------------------------
class Handler(BaseHTTPRequestHandler):
    server_version = "kg-sparql"
    protocol_version = "HTTP/1.1"
    # headers and body go out in separate writes: without TCP_NODELAY, Nagle's
    # algorithm and the client's delayed ACK hold the body back up to 40 ms
    disable_nagle_algorithm = True

    # set on the subclass made by make_server
    pool: QueryPool
    info: dict
    page: bytes
    quiet: bool = False

    def log_message(self, fmt, *args):  # noqa: D401 - http.server's hook
        if not self.quiet:
            super().log_message(fmt, *args)

    def _send(self, resp: Response, head_only: bool = False) -> None:
        self.send_response(resp.status)
        media = resp.media_type
        if media.startswith(("text/", "application/sparql-results", "application/json",
                             "application/ld+json", "application/n-triples")):
            media += "; charset=utf-8"
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(resp.body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Expose-Headers", "X-KG-Truncated")
        self.send_header("Vary", "Accept")
        if resp.truncated:
            self.send_header("X-KG-Truncated", f"results cut at {self.pool.limits.max_rows}")
        self.end_headers()
        if not head_only:
            self.wfile.write(resp.body)

    def _text(self, status: int, message: str) -> None:
        self._send(Response(status, "text/plain", (message + "\n").encode()))

    def do_OPTIONS(self):
        self.send_response(204)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept")
        self.send_header("Access-Control-Max-Age", "86400")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        url = urlsplit(self.path)
        params = parse_qs(url.query, keep_blank_values=True)
        if url.path == "/":
            self._send(Response(200, "application/json", json.dumps(self.info, ensure_ascii=False,
                                                                     indent=1).encode("utf-8")))
        elif url.path in ("/sparql", "/query"):
            if "update" in params:
                self._text(403, "this endpoint is read-only: SPARQL Update is refused")
            elif "query" in params:
                self._query(params["query"][0], params)
            else:
                self._send(Response(200, "text/html", self.page))
        elif url.path == "/update":
            self._text(403, "this endpoint is read-only: SPARQL Update is refused")
        else:
            self._text(404, f"no such path {url.path}; the SPARQL endpoint is /sparql")

    def do_POST(self):
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if url.path == "/update":
            self._text(403, "this endpoint is read-only: SPARQL Update is refused")
            return
        if url.path not in ("/sparql", "/query"):
            self._text(404, f"no such path {url.path}; the SPARQL endpoint is /sparql")
            return
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = parse_qs(url.query, keep_blank_values=True)
        if ctype == "application/sparql-update":
            self._text(403, "this endpoint is read-only: SPARQL Update is refused")
        elif ctype == "application/sparql-query":
            self._query(body.decode("utf-8", "replace"), params)
        elif ctype == "application/x-www-form-urlencoded":
            form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
            if "update" in form:
                self._text(403, "this endpoint is read-only: SPARQL Update is refused")
            elif "query" in form:
                self._query(form["query"][0], {**params, **form})
            else:
                self._text(400, "no query: send query=… or an application/sparql-query body")
        else:
            self._text(415, f"unsupported Content-Type {ctype or '(none)'}: use "
                            "application/sparql-query or application/x-www-form-urlencoded")

    def _query(self, text: str, params: dict) -> None:
        accept = self.headers.get("Accept")
        fmt = (params.get("format") or [""])[0].lower()
        if fmt:
            if fmt not in FORMAT_PARAM:
                self._text(400, f"unknown format {fmt!r}; known: {', '.join(sorted(FORMAT_PARAM))}")
                return
            accept = FORMAT_PARAM[fmt]
        if params.get("default-graph-uri") or params.get("named-graph-uri"):
            self._text(400, "default-graph-uri and named-graph-uri are not supported: "
                            "use GRAPH in the query")
            return
        if _looks_like_update(text):
            self._text(403, "this endpoint is read-only: SPARQL Update is refused")
            return
        self._send(self.pool.run(text, accept))


def page_html(info: dict) -> bytes:
    """The query page: a text box, the canned queries, results as a table."""
    from .query import canned_queries

    queries = {q.name: {"description": q.description, "text": q.text} for q in canned_queries().values()}
    data = json.dumps(queries, ensure_ascii=False)
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    title = html.escape(f"kg SPARQL endpoint — {info.get('source', '')}")
    return _PAGE.replace("{{title}}", title).replace("{{queries}}", data).encode("utf-8")


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{title}}</title>
<style>
body{font-family:"DejaVu Sans",sans-serif;margin:1.5em;max-width:70em}
textarea{width:100%;height:14em;font-family:monospace}
table{border-collapse:collapse;margin-top:1em}td,th{border:1px solid #ccc;padding:.2em .5em;vertical-align:top}
td{unicode-bidi:plaintext}#status{margin:.5em 0;color:#555}
</style></head><body>
<h1>{{title}}</h1>
<p>SPARQL 1.1 Protocol endpoint at <code>/sparql</code> (GET or POST, read-only). Canned query:
<select id="canned"><option value="">—</option></select> <span id="desc"></span></p>
<textarea id="q">SELECT ?type (COUNT(?x) AS ?n) WHERE { ?x a ?type } GROUP BY ?type ORDER BY DESC(?n) LIMIT 20</textarea>
<p><button id="run">Run</button> <span id="status"></span></p>
<div id="out"></div>
<script type="application/json" id="queries">{{queries}}</script>
<script>
const queries = JSON.parse(document.getElementById("queries").textContent);
const sel = document.getElementById("canned"), q = document.getElementById("q");
for (const name of Object.keys(queries)) {
  const o = document.createElement("option"); o.value = name; o.textContent = name; sel.appendChild(o);
}
sel.onchange = () => { const c = queries[sel.value]; if (c) { q.value = c.text;
  document.getElementById("desc").textContent = c.description; } };
document.getElementById("run").onclick = async () => {
  const status = document.getElementById("status"), out = document.getElementById("out");
  status.textContent = "running…"; out.textContent = "";
  const t0 = performance.now();
  const r = await fetch("sparql", {method: "POST", body: new URLSearchParams({query: q.value}),
    headers: {"Accept": "application/sparql-results+json, text/turtle;q=0.9"}});
  const ms = Math.round(performance.now() - t0);
  if (!r.ok) { status.textContent = r.status + ": " + await r.text(); return; }
  const type = r.headers.get("Content-Type") || "";
  if (!type.includes("json")) { const pre = document.createElement("pre");
    pre.textContent = await r.text(); out.appendChild(pre); status.textContent = ms + " ms"; return; }
  const data = await r.json();
  if ("boolean" in data) { status.textContent = String(data.boolean) + " (" + ms + " ms)"; return; }
  const table = document.createElement("table"), head = table.insertRow();
  for (const v of data.head.vars) { const th = document.createElement("th"); th.textContent = v; head.appendChild(th); }
  for (const b of data.results.bindings) { const row = table.insertRow();
    for (const v of data.head.vars) { row.insertCell().textContent = b[v] ? b[v].value : ""; } }
  out.appendChild(table);
  status.textContent = data.results.bindings.length + " rows, " + ms + " ms" +
    (r.headers.get("X-KG-Truncated") ? " (" + r.headers.get("X-KG-Truncated") + ")" : "");
};
</script></body></html>
"""


def make_server(source: str | Path, host: str = "127.0.0.1", port: int = 7878, workers: int = 2,
                limits: Limits = Limits(), quiet: bool = False) -> tuple[ThreadingHTTPServer, QueryPool]:
    """A ready server (call ``serve_forever``) and its query pool (``close`` it after)."""
    from .store import KgStore, is_store

    info = {"status": "ok", "service": "kg SPARQL endpoint", "source": str(source), "read_only": True,
            "endpoint": "/sparql", "timeout_s": limits.timeout, "max_rows": limits.max_rows}
    if is_store(source):
        with KgStore(source, read_only=True) as st:
            meta = st.info()
        info.update(articles=meta["articles"], extractors=meta["extractors"], base=meta["base"])
    pool = QueryPool(source, workers, limits)
    info["quads"] = pool.quads
    handler = type("KgHandler", (Handler,), {"pool": pool, "info": info, "page": page_html(info),
                                             "quiet": quiet})
    try:
        server = ThreadingHTTPServer((host, port), handler)
    except OSError:
        pool.close()
        raise
    server.daemon_threads = True
    return server, pool


def serve(source, host="127.0.0.1", port=7878, workers=2, limits=Limits(), quiet=False,
          on_ready=None) -> None:
    server, pool = make_server(source, host, port, workers, limits, quiet)
    if on_ready:
        on_ready(server)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        pool.close()


__all__ = ["serve", "make_server", "execute", "negotiate", "Limits", "QueryPool", "ServeError"]
