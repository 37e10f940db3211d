"""Scoring a graph against a gold file (the format of ``shared/gold/README.md``).

Layers: entities (per article, micro-averaged, plus the graph-level check that
each gold entity is exactly one node), roles, events and quotes.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .query import run_query
from .text import clitic_variants, normalize, token_key, tokenize

PREFIXES = """
PREFIX schema: <https://schema.org/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>
"""
TYPES = '(schema:Person "Person") (schema:Organization "Organization") (schema:Place "Place")'


def match_keys(text: str) -> set[str]:
    """Readings of a name after normalization and clitic stripping."""
    toks = [t.text for t in tokenize(normalize(text).text) if t.is_word]
    if not toks:
        return set()
    rest = " ".join(token_key(t) for t in toks[1:])
    return {(k + " " + rest).strip() for _, k in clitic_variants(toks[0])}


def _norm_text(text: str) -> str:
    return " ".join(t.text for t in tokenize(normalize(text).text) if t.is_word)


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "f1": round(self.f1, 4),
                "misses": self.misses, "extras": self.extras}


@dataclass
class Node:
    iri: str
    type: str
    labels: set[str] = field(default_factory=set)
    wikidata: str | None = None

    def keys(self) -> set[str]:
        out = set()
        for label in self.labels:
            out |= match_keys(label)
        return out


class GoldIndex:
    """Gold entities with their match keys."""

    def __init__(self, gold: dict):
        self.entities = gold["entities"]
        self.keys: dict[str, set[str]] = {}
        for key, ent in self.entities.items():
            forms = {ent.get("label_ar") or "", ent.get("label_en") or ""}
            for doc in gold["documents"].values():
                forms.update(doc["entities"].get(key, []))
            ks = set()
            for f in forms:
                if f:
                    ks |= match_keys(f)
            self.keys[key] = ks

    def matches(self, key: str, node: Node, node_keys: set[str]) -> bool:
        ent = self.entities[key]
        if ent["type"] != node.type:
            return False
        if ent.get("wikidata") and node.wikidata == ent["wikidata"]:
            return True
        return bool(self.keys[key] & node_keys)


def _nodes(store: ox.Store) -> tuple[dict[str, Node], dict[str, set[str]]]:
    """All typed entities and, per article id, the entities it mentions."""
    q = PREFIXES + f"""
    SELECT ?e ?type ?label ?wd WHERE {{
      VALUES (?top ?type) {{ {TYPES} }}
      ?e a/rdfs:subClassOf* ?top .
      OPTIONAL {{ {{ ?e rdfs:label ?label }} UNION {{ ?e skos:altLabel ?label }} }}
      OPTIONAL {{ ?e owl:sameAs ?wd }}
    }}"""
    nodes: dict[str, Node] = {}
    for e, typ, label, wd in run_query(store, q).rows:
        node = nodes.setdefault(e, Node(e, typ))
        if label:
            node.labels.add(label)
        if wd:
            node.wikidata = wd.rsplit("/", 1)[-1]
    mentions: dict[str, set[str]] = defaultdict(set)
    for aid, e in run_query(store, PREFIXES + """
        SELECT ?id ?e WHERE { ?a schema:identifier ?id ; schema:mentions ?e }""").rows:
        if e in nodes:
            mentions[aid].add(e)
    return nodes, mentions


def evaluate(gold: dict, store: ox.Store) -> dict:
    """Score ``store`` against ``gold``; returns a dict of layers."""
    idx = GoldIndex(gold)
    nodes, mentioned = _nodes(store)
    node_keys = {iri: n.keys() for iri, n in nodes.items()}
    # which gold entities each node matches
    node_gold: dict[str, set[str]] = defaultdict(set)
    for iri, node in nodes.items():
        for key in idx.entities:
            if idx.matches(key, node, node_keys[iri]):
                node_gold[iri].add(key)

    ents = Score()
    for aid, doc in sorted(gold["documents"].items()):
        gold_keys = set(doc["entities"])
        optional = set(doc.get("optional_entities", []))
        predicted = sorted(mentioned.get(aid, ()))
        matched: set[str] = set()
        for iri in predicted:
            hits = (node_gold[iri] & gold_keys) - matched
            if hits:
                matched.add(sorted(hits)[0])
            elif not (node_gold[iri] & (optional | gold_keys)):
                ents.fp += 1
                ents.extras.append(f"{aid}: {_label(nodes[iri])} ({nodes[iri].type})")
        ents.tp += len(matched)
        for key in sorted(gold_keys - matched):
            ents.fn += 1
            ents.misses.append(f"{aid}: {key}")

    identity = {}
    required = {k for doc in gold["documents"].values() for k in doc["entities"]}
    for key in sorted(required):
        holders = sorted(iri for iri, keys in node_gold.items() if key in keys
                         and any(iri in mentioned[a] for a in mentioned))
        if len(holders) != 1:
            identity[key] = holders

    return {
        "entities": ents.as_dict(),
        "entity_identity": {"ok": not identity, "not_exactly_one_node": identity},
        "roles": _roles(gold, store, node_gold).as_dict(),
        "events": _events(gold, store, node_gold).as_dict(),
        "quotes": _quotes(gold, store, node_gold).as_dict(),
        # the layers the gold annotates (a gold file of entities alone scores no events)
        "annotated": ["entities"] + [layer for layer in ("roles", "events", "quotes") if gold.get(layer)],
    }


def _label(node: Node) -> str:
    return sorted(node.labels, key=lambda s: (s.isascii(), len(s)))[0] if node.labels else node.iri


def _roles(gold: dict, store: ox.Store, node_gold) -> Score:
    rows = run_query(store, PREFIXES + """
      SELECT DISTINCT ?p ?rl ?x WHERE {
        ?m a/rdfs:subClassOf* org:Membership ; org:member ?p ; org:organization ?x ; org:role ?r .
        ?r rdfs:label ?rl FILTER(lang(?rl) = "en" || lang(?rl) = "")
      }""").rows
    pred = [(node_gold.get(p, set()), rl.lower(), node_gold.get(x, set())) for p, rl, x in rows]
    score = Score()
    used = set()
    for g in gold.get("roles", []):
        hit = next((i for i, (ps, rl, xs) in enumerate(pred) if i not in used and g["person"] in ps
                    and g["role"].lower() in rl and g["of"] in xs), None)
        if hit is None:
            score.fn += 1
            score.misses.append(f"{g['person']} {g['role']} of {g['of']}")
        else:
            used.add(hit)
            score.tp += 1
    score.fp = len(pred) - len(used)
    return score


def _as_set(value) -> set:
    """A gold field that is one key or a list of keys (an event in several places)."""
    return set(value) if isinstance(value, list) else {value}


def _canon(label: str) -> str:
    return "".join(ch for ch in label.lower() if ch.isalnum())


def _date_parts(value: str) -> dict[str, str]:
    """The components an ISO date, gYearMonth, gYear or gMonthDay states."""
    m = re.fullmatch(r"(?:(\d{4})|-)(?:-(\d\d))?(?:-(\d\d))?", value or "")
    if not m:
        return {}
    return {k: v for k, v in zip("ymd", m.groups()) if v}


#: the sets of components a contract date type can state (date, gYearMonth, gYear, gMonthDay)
_REPRESENTABLE = ({"y", "m", "d"}, {"y", "m"}, {"y"}, {"m", "d"})


def _given_parts(g: dict) -> set[str]:
    """The components of the gold date the text gives: all of them where
    ``date_in_text`` is true or relative to a date the text states, the day and
    month or the month alone where it says so, none where it is false."""
    said = g.get("date_in_text")
    if not said or not g.get("date"):
        return set()
    full = set(_date_parts(g["date"]))
    if said is True or str(said).startswith("relative"):
        return full
    text = str(said).lower()
    if "day and month" in text:
        return full & {"m", "d"}
    if "month only" in text:
        return full & {"m"}
    if "year only" in text:
        return full & {"y"}
    return full


def _date_ok(g: dict, dates: set[str]) -> bool:
    """A predicted date must state what the text gives (as far as a contract
    date type can state it: a month alone cannot) and contradict none of it."""
    given = _given_parts(g)
    if not given:
        return True
    gold = _date_parts(g["date"])
    required = max((r for r in _REPRESENTABLE if r <= given), key=len, default=set())
    compatible = [p for p in map(_date_parts, dates)
                  if p and all(gold.get(k) == v for k, v in p.items())]
    if not required:
        return not dates or bool(compatible)
    return any(required <= set(p) for p in compatible)


def _events(gold: dict, store: ox.Store, node_gold) -> Score:
    rows = run_query(store, PREFIXES + """
      SELECT ?ev ?cl ?aid ?actor ?place ?date WHERE {
        ?ev a ?c . ?c rdfs:subClassOf* schema:Event ; rdfs:label ?cl FILTER(lang(?cl) = "en")
        ?ev prov:wasDerivedFrom ?a . ?a schema:identifier ?aid .
        OPTIONAL { ?ev ?ap ?actor . ?ap rdfs:subPropertyOf* sem:hasActor }
        OPTIONAL { ?ev ?pp ?place . ?pp rdfs:subPropertyOf* sem:hasPlace }
        OPTIONAL { ?ev schema:startDate ?date }
      }""").rows
    pred: dict[tuple[str, str], dict] = {}
    for ev, cl, aid, actor, place, date in rows:
        p = pred.setdefault((ev, aid), {"types": set(), "actors": set(), "places": set(), "dates": set()})
        p["types"].add(_canon(cl))
        if actor:
            p["actors"] |= node_gold.get(actor, set())
        if place:
            p["places"] |= node_gold.get(place, set())
        if date:
            p["dates"].add(date)
    score = Score()
    used = set()
    for g in gold.get("events", []):
        for aid in g["docs"]:
            def ok(p):
                return (_canon(g["type"]) in p["types"]
                        and set(g["participants"]) <= p["actors"]
                        and (not g.get("place") or bool(_as_set(g["place"]) & p["places"]))
                        and _date_ok(g, p["dates"]))
            hit = next((k for k, p in pred.items() if k[1] == aid and k not in used and ok(p)), None)
            if hit is None:
                score.fn += 1
                score.misses.append(f"{aid}: {g['id']}")
            else:
                used.add(hit)
                score.tp += 1
    score.fp = len(pred) - len(used)
    for ev, aid in sorted(set(pred) - used, key=lambda k: (k[1], k[0])):
        p = pred[(ev, aid)]
        score.extras.append(f"{aid}: {'/'.join(sorted(p['types']))} {' '.join(sorted(p['dates']))} "
                            f"{ev.rsplit('/', 1)[-1]}".replace("  ", " "))
    return score


def _quotes(gold: dict, store: ox.Store, node_gold) -> Score:
    rows = run_query(store, PREFIXES + """
      SELECT ?q ?text ?speaker ?aid WHERE {
        ?q a/rdfs:subClassOf* schema:Quotation ; schema:text ?text ; prov:wasDerivedFrom ?a .
        ?a schema:identifier ?aid .
        OPTIONAL { ?q schema:creator ?speaker }
      }""").rows
    pred = [(q, _norm_text(t), node_gold.get(s, set()) if s else set(), aid) for q, t, s, aid in rows]
    score = Score()
    used = set()
    for g in gold.get("quotes", []):
        snippet = _norm_text(g["text"])
        hit = next((i for i, (q, t, sp, aid) in enumerate(pred) if i not in used and aid == g["doc"]
                    and g["speaker"] in sp and snippet in t), None)
        if hit is None:
            score.fn += 1
            score.misses.append(f"{g['doc']}: {g['speaker']}: {g['text'][:40]}")
        else:
            used.add(hit)
            score.tp += 1
    score.fp = len(pred) - len(used)
    return score


def load_gold(path: str | Path) -> dict:
    path = Path(path)
    try:
        gold = json.loads(path.read_text("utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: cannot read gold file: {exc}") from None
    for fld in ("entities", "documents"):
        if fld not in gold:
            raise ValueError(f"{path}: field {fld!r} missing")
    return gold


def gold_graph(gold: dict, paths, recognizer=None) -> ox.Store:
    """The graph of the articles ``gold`` annotates, built in memory from
    ``paths`` (files or folders, as ``kg build`` reads them; the other articles
    there are passed over). A gold article missing from ``paths`` is an error."""
    import io

    from .io import read_articles
    from .pipeline import build

    wanted = set(gold["documents"])
    articles = [a for a in read_articles(paths) if a.id in wanted]
    missing = wanted - {a.id for a in articles}
    if missing:
        raise ValueError(f"{len(missing)} gold article(s) not found in {', '.join(map(str, paths))}: "
                         + ", ".join(sorted(missing)[:5]))
    out = io.StringIO()
    build(articles, out, recognizer=recognizer)
    store = ox.Store()
    store.load(input=out.getvalue().encode("utf-8"), format=ox.RdfFormat.N_QUADS)
    return store


def format_report(result: dict) -> str:
    lines = [f"{'layer':<10} {'P':>6} {'R':>6} {'F1':>6} {'tp':>5} {'fp':>5} {'fn':>5}"]
    annotated = result.get("annotated", ["entities", "roles", "events", "quotes"])
    for layer in ("entities", "roles", "events", "quotes"):
        s = result[layer]
        if layer not in annotated:
            lines.append(f"{layer:<10} (not annotated in the gold file)")
            continue
        lines.append(f"{layer:<10} {s['precision']:>6.3f} {s['recall']:>6.3f} {s['f1']:>6.3f} "
                     f"{s['tp']:>5} {s['fp']:>5} {s['fn']:>5}")
    ident = result["entity_identity"]
    lines.append("each gold entity is exactly one node: " + ("yes" if ident["ok"] else "no"))
    for key, holders in ident["not_exactly_one_node"].items():
        lines.append(f"  {key}: {len(holders)} nodes {' '.join(holders)}")
    for layer in annotated:
        s = result[layer]
        if s["misses"]:
            lines.append(f"{layer} missed:")
            lines += [f"  {m}" for m in s["misses"]]
        if s["extras"]:
            lines.append(f"{layer} not in gold:")
            lines += [f"  {m}" for m in s["extras"]]
    return "\n".join(lines) + "\n"
