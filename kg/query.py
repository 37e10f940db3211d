"""Querying a graph with SPARQL: load an export (or, later, a store), run a
query or a canned one, and format the results."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pyoxigraph as ox

from .export import FORMAT_NAMES

_EXTENSIONS = {
    ".ttl": ox.RdfFormat.TURTLE, ".trig": ox.RdfFormat.TRIG, ".nq": ox.RdfFormat.N_QUADS,
    ".nt": ox.RdfFormat.N_TRIPLES, ".jsonld": ox.RdfFormat.JSON_LD, ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
}


class QueryError(ValueError):
    """A query could not be loaded or run."""


def graph_format(path: Path) -> ox.RdfFormat:
    fmt = _EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        raise QueryError(f"{path}: unknown graph format (expected {', '.join(sorted(_EXTENSIONS))})")
    return fmt


def load_graph(path: str | Path) -> ox.Store:
    """Load an export file into an in-memory Oxigraph store."""
    path = Path(path)
    if not path.is_file():
        raise QueryError(f"{path}: no such graph file")
    store = ox.Store()
    fmt = graph_format(path)
    try:
        # a file of triples (Turtle, JSON-LD…) goes into one named graph, so that
        # queries that read each article's report within its graph (GRAPH ?g)
        # also answer on it; the union default graph sees it as before
        store.bulk_load(path=str(path), format=fmt,
                        to_graph=None if fmt.supports_datasets else ox.NamedNode(f"file://{path.resolve()}"))
    except SyntaxError as exc:
        raise QueryError(f"{path}: not valid RDF: {exc}") from None
    return store


@dataclass(frozen=True)
class CannedQuery:
    name: str
    description: str
    text: str


def canned_queries() -> dict[str, CannedQuery]:
    """The queries shipped in ``kg/queries/``: the first comment line of each
    file is its description."""
    out = {}
    for entry in sorted(resources.files("kg").joinpath("queries").iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".rq"):
            text = entry.read_text("utf-8")
            first = text.splitlines()[0] if text else ""
            out[entry.name[:-3]] = CannedQuery(entry.name[:-3], first.lstrip("# ").strip(), text)
    return out


def bind_params(text: str, params: dict[str, str]) -> str:
    """Bind variables by inserting ``VALUES`` right after the first ``WHERE {``."""
    if not params:
        return text
    m = re.search(r"WHERE\s*\{", text, re.IGNORECASE)
    if not m:
        raise QueryError("cannot bind parameters: the query has no WHERE clause")
    values = "".join(
        f"\n  VALUES ?{name} {{ {_term(value)} }}" for name, value in sorted(params.items())
    )
    return text[:m.end()] + values + text[m.end():]


def _term(value: str) -> str:
    """An IRI (``<…>`` or ``http…``), a language-tagged literal (``text@ar``) or a plain one."""
    if re.match(r"^<[^<>\s]+>$", value) or re.match(r"^https?://\S+$", value):
        return value if value.startswith("<") else f"<{value}>"
    tagged = re.match(r"^(.*)@([a-zA-Z]{2,3}(?:-[a-zA-Z0-9]+)*)$", value, re.S)
    if tagged:
        return json.dumps(tagged.group(1), ensure_ascii=False) + "@" + tagged.group(2)
    return json.dumps(value, ensure_ascii=False)


@dataclass
class Result:
    variables: list[str]
    rows: list[list[str | None]]
    boolean: bool | None = None
    graph: bytes | None = None


def run_query(store: ox.Store, text: str) -> Result:
    """Run SPARQL against the union of all graphs."""
    try:
        res = store.query(text, use_default_graph_as_union=True)
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {exc}") from None
    except OSError as exc:
        raise QueryError(f"query failed: {exc}") from None
    if isinstance(res, ox.QueryBoolean):
        return Result([], [], boolean=bool(res))
    if isinstance(res, ox.QueryTriples):
        return Result([], [], graph=ox.serialize(res, format=ox.RdfFormat.TURTLE))
    variables = [v.value for v in res.variables]
    rows = [[None if sol[v] is None else sol[v].value for v in variables] for sol in res]
    return Result(variables, rows)


def format_result(result: Result, fmt: str = "table") -> str:
    if result.boolean is not None:
        return json.dumps({"boolean": result.boolean}) if fmt == "json" else str(result.boolean).lower()
    if result.graph is not None:
        return result.graph.decode("utf-8")
    if fmt == "json":
        return json.dumps([dict(zip(result.variables, r)) for r in result.rows],
                          ensure_ascii=False, indent=1)
    if fmt in ("csv", "tsv"):
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(result.variables)
        writer.writerows([["" if v is None else v for v in r] for r in result.rows])
        return buf.getvalue()
    if fmt != "table":
        raise QueryError(f"unknown output format {fmt!r}")
    cells = [result.variables] + [["" if v is None else v for v in r] for r in result.rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(result.variables))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append(f"({len(result.rows)} rows)")
    return "\n".join(lines) + "\n"


__all__ = ["load_graph", "run_query", "format_result", "canned_queries", "bind_params", "FORMAT_NAMES"]
