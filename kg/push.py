"""``kg push``: send a graph to an external SPARQL 1.1 store.

One request per graph, each replacing that graph atomically:

- with a Graph Store HTTP Protocol URL (``--graph-store``): ``PUT
  URL?graph=IRI`` (and ``PUT URL?default`` for the default graph) with the
  graph as N-Triples;
- otherwise with SPARQL 1.1 Update at ``--endpoint``: ``DROP SILENT GRAPH <g>;
  INSERT DATA { GRAPH <g> { … } }`` in one request (one transaction in
  Oxigraph, Fuseki, GraphDB and Virtuoso).

Stores with no default graph of their own (Virtuoso, where the default graph
of a query is the union of all graphs) take the default graph into a named
graph given by ``default_graph`` (``--default-graph IRI``).

The standard library's ``urllib`` speaks HTTP (Basic or Digest
authentication), so nothing more needs installing.
"""

from __future__ import annotations

import base64
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import pyoxigraph as ox


class PushError(RuntimeError):
    pass


@dataclass
class PushStats:
    graphs: int = 0
    triples: int = 0
    bytes: int = 0


def graphs_of(store: ox.Store) -> Iterator[tuple[ox.NamedNode | None, list[ox.Triple]]]:
    """(graph name or None for the default graph, its triples), default graph
    first, then the named graphs by IRI, each sorted."""
    default = sorted((q.triple for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())), key=str)
    if default:
        yield None, default
    for g in sorted(store.named_graphs(), key=str):
        yield g, sorted((q.triple for q in store.quads_for_pattern(None, None, None, g)), key=str)


class Pusher:
    def __init__(self, endpoint: str | None, graph_store: str | None = None, auth: str | None = None,
                 digest: bool = False, timeout: float = 300.0):
        if not endpoint and not graph_store:
            raise PushError("give --endpoint (SPARQL Update) or --graph-store (Graph Store Protocol)")
        for url in (endpoint, graph_store):
            if url and urllib.parse.urlsplit(url).scheme not in ("http", "https"):
                raise PushError(f"not an http(s) URL: {url}")
        self.endpoint, self.graph_store, self.timeout = endpoint, graph_store, timeout
        handlers = []
        self.basic = None
        if auth:
            user, sep, password = auth.partition(":")
            if not sep:
                raise PushError("--auth needs USER:PASSWORD")
            if digest:
                mgr = urllib.request.HTTPPasswordMgrWithDefaultRealm()
                for url in (endpoint, graph_store):
                    if url:
                        mgr.add_password(None, url, user, password)
                handlers.append(urllib.request.HTTPDigestAuthHandler(mgr))
            else:
                self.basic = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        self.opener = urllib.request.build_opener(*handlers)

    def _send(self, method: str, url: str, body: bytes, content_type: str, what: str) -> None:
        req = urllib.request.Request(url, data=body, method=method, headers={"Content-Type": content_type})
        if self.basic:
            req.add_header("Authorization", self.basic)
        try:
            with self.opener.open(req, timeout=self.timeout) as resp:
                resp.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace").strip()[:500]
            raise PushError(f"{what}: {method} {url} answered {exc.code} {exc.reason}: {detail}") from None
        except urllib.error.URLError as exc:
            raise PushError(f"{what}: cannot reach {url}: {exc.reason}") from None

    def put_graph(self, graph: ox.NamedNode | None, triples: list[ox.Triple]) -> int:
        data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        what = f"graph {graph.value}" if graph else "the default graph"
        if self.graph_store:
            sep = "&" if "?" in self.graph_store else "?"
            target = f"{sep}graph={urllib.parse.quote(graph.value, safe='')}" if graph else f"{sep}default"
            self._send("PUT", self.graph_store + target, data, "application/n-triples", what)
        else:
            body = data.decode("utf-8")
            if graph:
                update = f"DROP SILENT GRAPH {graph} ;\nINSERT DATA {{ GRAPH {graph} {{\n{body}}} }}"
            else:
                update = f"DROP SILENT DEFAULT ;\nINSERT DATA {{\n{body}}}"
            data = update.encode("utf-8")
            self._send("POST", self.endpoint, data, "application/sparql-update; charset=utf-8", what)
        return len(data)


def push(source: str | Path, endpoint: str | None = None, graph_store: str | None = None,
         auth: str | None = None, digest: bool = False,
         progress: Callable[[object], None] | None = None,
         default_graph: str | None = None) -> PushStats:
    """Send every graph of ``source`` (a store folder or an export file); the
    default graph into the named graph ``default_graph`` if given."""
    from .store import open_graph

    if default_graph is not None and urllib.parse.urlsplit(default_graph).scheme not in ("http", "https", "urn"):
        raise PushError(f"--default-graph needs an absolute IRI, not {default_graph!r}")
    pusher = Pusher(endpoint, graph_store, auth, digest)
    store = open_graph(source)
    stats = PushStats()
    for graph, triples in graphs_of(store):
        if graph is None and default_graph:
            graph = ox.NamedNode(default_graph)
        stats.bytes += pusher.put_graph(graph, triples)
        stats.graphs += 1
        stats.triples += len(triples)
        if progress:
            progress(graph)
    return stats
