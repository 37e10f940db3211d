"""Validation of a graph against the SHACL shapes of the graph contract (pyshacl)."""

from __future__ import annotations

from dataclasses import dataclass
import pyoxigraph as ox

from .vocab import SHAPES_FILE, ontology_path


@dataclass
class Validation:
    conforms: bool
    violations: int
    report: str


def union_graph(store: ox.Store):
    """The union of a store's graphs as an rdflib Graph (what SHACL sees)."""
    import rdflib

    data = ox.serialize((q.triple for q in store), format=ox.RdfFormat.N_TRIPLES)
    g = rdflib.Graph()
    g.parse(data=data, format="nt")
    return g


def validate_store(store: ox.Store) -> Validation:
    import pyshacl
    import rdflib

    shapes = rdflib.Graph().parse(str(ontology_path(SHAPES_FILE)), format="turtle")
    conforms, report_graph, text = pyshacl.validate(
        union_graph(store), shacl_graph=shapes, inference="none", advanced=True,
    )
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    violations = len(set(report_graph.subjects(rdflib.RDF.type, sh.ValidationResult)))
    return Validation(bool(conforms), violations, text)
