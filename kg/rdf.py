"""RDF: the graph contract as N-Quads lines.

Terms are written directly in N-Triples syntax (fast, and exactly under our
control for byte-identical output); :mod:`kg.export` turns the sorted lines
into the other syntaxes with Oxigraph.
"""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal
from functools import lru_cache
from urllib.parse import quote

ONT = "https://w3id.org/kg-ar/ontology#"
DEFAULT_BASE = "https://w3id.org/kg-ar/resource/"

PREFIXES = {
    "kg": ONT,
    "schema": "https://schema.org/",
    "prov": "http://www.w3.org/ns/prov#",
    "sem": "http://semanticweb.cs.vu.nl/2009/11/sem/",
    "org": "http://www.w3.org/ns/org#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "nif": "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#",
    "itsrdf": "http://www.w3.org/2005/11/its/rdf#",
    "wd": "http://www.wikidata.org/entity/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcterms": "http://purl.org/dc/terms/",
}


@lru_cache(maxsize=1024)
def iri(prefixed: str) -> str:
    """``"schema:mentions"`` → ``"<https://schema.org/mentions>"``."""
    prefix, local = prefixed.split(":", 1)
    return f"<{PREFIXES[prefix]}{local}>"


A = iri("rdf:type")
XSD = PREFIXES["xsd"]

# the escapes of canonical N-Triples as Oxigraph writes them, so that our lines
# and a store's dump of them are the same bytes
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b",
            "\f": "\\f"}
_NEEDS_ESCAPE = re.compile(r'[\\"\x00-\x1f\x7f]')


def _escape(m: re.Match) -> str:
    c = m.group()
    return _ESCAPES.get(c) or f"\\u{ord(c):04X}"


_DURATION = re.compile(r"^(-?)P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")


@lru_cache(maxsize=4096)
def canonical(value: str, datatype: str) -> str:
    """The canonical lexical form a store keeps of a typed value (0.60 → 0.6,
    PT90M → PT1H30M, +00:00 → Z), so that our lines and a store's dump agree."""
    if datatype == "xsd:decimal":
        d = Decimal(value)
        return str(int(d)) if d == d.to_integral_value() else format(d.normalize(), "f")
    if datatype == "xsd:integer":
        return str(int(value))
    if datatype == "xsd:dateTime" and value.endswith(("+00:00", "-00:00")):
        return value[:-6] + "Z"
    if datatype == "xsd:duration":
        m = _DURATION.match(value)
        if not m:
            return value
        sign, y, mo, d, h, mi, sec = m.groups()
        months = int(y or 0) * 12 + int(mo or 0)
        secs = ((int(d or 0) * 24 + int(h or 0)) * 60 + int(mi or 0)) * 60 + int(sec or 0)
        y, mo = divmod(months, 12)
        d, rest = divmod(secs, 86400)
        h, rest = divmod(rest, 3600)
        mi, sec = divmod(rest, 60)
        date = "".join(f"{n}{u}" for n, u in ((y, "Y"), (mo, "M"), (d, "D")) if n)
        time_ = "".join(f"{n}{u}" for n, u in ((h, "H"), (mi, "M"), (sec, "S")) if n)
        if not date and not time_:
            return "PT0S"
        return f"{sign}P{date}" + (f"T{time_}" if time_ else "")
    return value


def lit(value: str, lang: str | None = None, datatype: str | None = None) -> str:
    if datatype in ("xsd:decimal", "xsd:integer", "xsd:dateTime", "xsd:duration"):
        value = canonical(value, datatype)
    body = _NEEDS_ESCAPE.sub(_escape, value)
    if lang:
        return f'"{body}"@{lang}'
    if datatype and datatype != "xsd:string":
        return f'"{body}"^^<{XSD}{datatype.split(":", 1)[1]}>' if datatype.startswith("xsd:") \
            else f'"{body}"^^<{datatype}>'
    return f'"{body}"'


def integer(n: int) -> str:
    if type(n) is int:  # already canonical, and nothing to escape
        return f'"{n}"^^<{XSD}integer>'
    return lit(str(n), datatype="xsd:integer")


_URL_OK = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")


def url_term(url: str) -> str:
    """A URL as an IRI when it is a well-formed one, else as an xsd:anyURI literal."""
    if _URL_OK.match(url):
        return f"<{url}>"
    return lit(url, datatype="xsd:anyURI")


class Iris:
    """Deterministic IRIs under a configurable base."""

    def __init__(self, base: str = DEFAULT_BASE):
        if not re.match(r"^https?://\S+[/#]$", base):
            raise ValueError(f"base IRI must be an http(s) IRI ending in / or #: {base!r}")
        self.base = base

    def _q(self, s: str) -> str:
        return _quote(s)

    def article(self, aid: str) -> str:
        return f"<{self.base}article/{self._q(aid)}>"

    def graph(self, aid: str) -> str:
        return f"<{self.base}graph/{self._q(aid)}>"

    def sentence(self, aid: str, index: int) -> str:
        return f"<{self.base}article/{self._q(aid)}/sentence/{index}>"

    def mention(self, aid: str, begin: int, end: int) -> str:
        return f"<{self.base}article/{self._q(aid)}/mention/{begin}-{end}>"

    def membership(self, person: str, role: str, of: str | None, to: str | None) -> str:
        key = "|".join((person, role, of or "", to or ""))
        return f"<{self.base}membership/{hashlib.sha1(key.encode('utf-8')).hexdigest()[:16]}>"

    def event(self, key: str) -> str:
        return f"<{self.base}event/{key}>"

    def role(self, label: str) -> str:
        return f"<{self.base}role/{self._q(label.replace(' ', '-'))}>"

    def quote(self, aid: str, begin: int, end: int) -> str:
        return f"<{self.base}article/{self._q(aid)}/quote/{begin}-{end}>"

    def publisher(self, name: str) -> str:
        return f"<{self.base}publisher/{self._q(name.strip().lower())}>"

    def entity(self, eid: str) -> str:
        if re.fullmatch(r"Q\d+", eid) or re.fullmatch(r"[a-z0-9_]+", eid):
            return f"<{self.base}entity/{eid}>"
        typ, _, key = eid.partition(":")
        digest = hashlib.sha1(eid.encode("utf-8")).hexdigest()[:16]
        return f"<{self.base}entity/{typ.lower()}/{digest}>"


@lru_cache(maxsize=4096)
def _quote(s: str) -> str:
    """``s`` percent-encoded for an IRI path (an article's id is quoted for each
    of its sentences, mentions and quotations)."""
    return quote(s, safe="-_.~")


def quad(s: str, p: str, o: str, g: str | None = None) -> str:
    return f"{s} {p} {o} {g} .\n" if g else f"{s} {p} {o} .\n"
