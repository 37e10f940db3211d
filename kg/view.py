"""Interactive network views of a graph: a one-way projection of the RDF store
(SPARQL over Oxigraph) onto a networkx graph, exported as a self-contained HTML
page (vis-network, no network access), GraphML and GEXF.

What is drawn:

- people, organizations and places as nodes, coloured and shaped by type and
  sized by PageRank over the actor network;
- events either as nodes linked to their participants and place, or folded into
  actor–actor edges labelled by the event's relation (met, called, sanctioned…);
  both edge sets ship in the page and a toggle switches between them;
- roles (W3C ORG memberships) as edges from the person to what the role is in
  or for (spokesperson of the Kremlin), in both modes.

Edges are weighted by the number of articles that support them. Positions are
computed ahead (igraph's Fruchterman–Reingold from a fixed seed), so the page
draws with physics off, and the same graph always gives the same bytes.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import os
import random
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Callable

import networkx as nx

from .text import normalize, normalize_key, skeleton

#: files ``kg build`` writes next to the RDF exports, in the order written
VIEW_FILES = ("graph.html", "graph.graphml", "graph.gexf")
#: beyond this many actors a view shows the top ones by PageRank
MAX_NODES = 5000
#: events kept per actor shown, at most (those with the most actors shown and articles first)
EVENTS_PER_NODE = 1
#: folded actor–actor edges kept, at most, per ``max_nodes`` (the strongest)
FOLDED_PER_NODE = 3
#: source sentences kept per node, role or event (the panel says how many more)
MAX_SENTENCES = 5
#: quotations kept per speaker
MAX_QUOTES = 10
#: edge labels are drawn on the canvas up to this many edges (beyond, in the panel only)
MAX_EDGE_LABELS = 1500
TOPS = ("Person", "Organization", "Place")
LAYOUT_SEED = 20240601
#: room per node in the drawing (vis-network units on a side)
SPACING = 110

_WIKIDATA = "http://www.wikidata.org/entity/"
_RTL = re.compile("[\u0590-\u08FF\uFB1D-\uFEFF]")


class ViewError(ValueError):
    """A view could not be made (no such entity to focus on, an ambiguous name…)."""


# ------------------------------------------------------------------ resources

@lru_cache(maxsize=1)
def view_config() -> dict:
    """Colours, shapes, relation wording and the page's strings (kg/data/view/view.json)."""
    return json.loads(resources.files("kg").joinpath("data/view/view.json").read_text("utf-8"))


def _asset(name: str) -> str:
    return resources.files("kg").joinpath(f"data/view/{name}").read_text("utf-8")


@lru_cache(maxsize=None)
def _query(name: str) -> str:
    return resources.files("kg").joinpath(f"queries/view/{name}.rq").read_text("utf-8")


def vis_network_js() -> str:
    """vis-network's standalone build, as shipped inside the pyvis package."""
    import pyvis

    libs = Path(pyvis.__file__).parent / "templates" / "lib"
    candidates = sorted(libs.glob("vis-*/vis-network.min.js"),
                        key=lambda p: [int(x) for x in re.findall(r"\d+", p.parent.name)])
    if not candidates:
        raise ViewError(f"vis-network.min.js not found under {libs} (is pyvis installed?)")
    js = candidates[-1].read_text("utf-8")
    return re.sub(r"//# sourceMappingURL=\S*", "", js)


@lru_cache(maxsize=1)
def search_table() -> dict[str, str]:
    """Every character :func:`kg.text.normalize` changes (in the scripts the
    page may meet), with what it becomes: the page's JavaScript normalizes a
    query with this table, so that it matches exactly as the pipeline does."""
    ranges = [(0x09, 0x0A), (0xA0, 0xB0), (0x0600, 0x0700), (0x0750, 0x0780), (0x08A0, 0x0900),
              (0x2000, 0x2070), (0x3000, 0x3001), (0xFB50, 0xFE00), (0xFE70, 0xFF00)]
    table = {}
    for lo, hi in ranges:
        for cp in range(lo, hi):
            ch = chr(cp)
            folded = normalize(ch).text
            if folded != ch.lower():
                table[ch] = folded
    return table


# ------------------------------------------------------------------ reading

def _load_for_view(graph):
    """The store a view reads: an export file or a persistent store folder."""
    from .store import open_graph

    return open_graph(graph)


def _rows(store, name: str):
    return _solutions(store.query(_query(name), use_default_graph_as_union=True))


def _solutions(res):
    names = [v.value for v in res.variables]
    for sol in res:
        yield dict(zip(names, (None if t is None else t.value for t in sol)))


def _rows_for(store, name: str, var: str, iris, chunk: int = 500):
    """The rows of query ``name`` for the IRIs ``iris`` of its variable ``var``
    alone: a ``VALUES`` block of at most ``chunk`` of them opens its WHERE
    block, so that the store starts from them (on the corpus's 195,000
    sentences, reading 5,000 took 0.6 s instead of 39 s for all)."""
    query = _query(name)
    at = query.index("WHERE {") + len("WHERE {")
    iris = sorted(iris)
    for k in range(0, len(iris), chunk):
        values = " ".join(f"<{iri}>" for iri in iris[k:k + chunk])
        yield from _solutions(store.query(f"{query[:at]}\n  VALUES ?{var} {{ {values} }}{query[at:]}",
                                          use_default_graph_as_union=True))


def _local(iri: str) -> str:
    return re.split(r"[#/]", iri.rstrip("/#"))[-1]


# ------------------------------------------------------------------ projection

@dataclass
class Projection:
    """What a view draws. ``nodes`` (actors then events, each sorted by IRI)
    and the three edge layers index into each other by position; ``graph`` is
    the same as a networkx MultiGraph keyed by IRI."""

    nodes: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)      # event details (event nodes point here)
    roles: list[dict] = field(default_factory=list)
    quotes: list[dict] = field(default_factory=list)
    articles: list[list] = field(default_factory=list)    # [id, href, headline, date]
    sentences: list[list] = field(default_factory=list)   # [text, article index]
    edges: dict[str, list[list]] = field(default_factory=dict)  # layer -> [from, to, relation, weight, [detail idx]]
    relations: dict[str, list[str]] = field(default_factory=dict)  # relation key -> [ar, en]
    event_types: list[list[str]] = field(default_factory=list)     # [key, ar, en]
    total_actors: int = 0
    note: dict | None = None

    @property
    def actor_count(self) -> int:
        return sum(1 for n in self.nodes if n["kind"] != "Event")

    def graph(self) -> nx.MultiGraph:
        """The projection as a networkx MultiGraph: nodes are IRIs with their
        kind, class, labels, Wikidata id, article count, PageRank and position;
        edges have a key ``layer:relation``, the layer (``event``, ``folded``,
        ``role``), the relation, its labels and the weight (supporting articles)."""
        g = nx.MultiGraph()
        for n in self.nodes:
            attrs = {"label": n["ar"] or n["en"] or n["iri"], "kind": n["kind"], "class": n["cls"]}
            for key, name in (("ar", "label_ar"), ("en", "label_en"), ("wd", "wikidata"), ("date", "date")):
                if n.get(key):
                    attrs[name] = n[key]
            attrs.update(articles=int(n["n"]), pagerank=float(n["pr"]), degree=int(n["deg"]),
                         x=float(n["x"]), y=float(n["y"]))
            g.add_node(n["iri"], **attrs)
        for layer, rows in self.edges.items():
            for a, b, rel, weight, _ in rows:
                ar, en = self.relations[rel]
                g.add_edge(self.nodes[a]["iri"], self.nodes[b]["iri"], key=f"{layer}:{rel}",
                           layer=layer, relation=rel, label_ar=ar, label_en=en, weight=int(weight))
        return g


def _search_keys(labels) -> str:
    keys = []
    for label in labels:
        k = normalize_key(label)
        for x in (k, skeleton(k)):
            if x and x not in keys:
                keys.append(x)
    return "\n".join(keys)


def project(store, max_nodes: int = MAX_NODES, focus: str | None = None, hops: int = 2,
            max_sentences: int = MAX_SENTENCES) -> Projection:
    """Project the store's people, organizations, places, events, roles and
    quotations onto a :class:`Projection` (see the module's docstring).

    With ``focus`` (an IRI, a Wikidata id such as ``Q7747`` or a name: فلاديمير
    بوتين, بوتن, Vladimir Putin) only the actors within ``hops`` steps of it on
    the actor network are kept; else, beyond ``max_nodes`` actors, the top
    ``max_nodes`` by PageRank."""
    cfg = view_config()

    # --- actors and their classes
    actor_cls: dict[str, tuple[str, str]] = {}
    for r in _rows(store, "actors"):
        iri, top, cls = r["entity"], r["top"], _local(r["cls"])
        prev = actor_cls.get(iri)
        cand = (top, cls)
        if prev is None or TOPS.index(top) < TOPS.index(prev[0]) or (
                top == prev[0] and (prev[1] == top or (cls != top and cls < prev[1]))):
            actor_cls[iri] = cand
    labels: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    label_lang: dict[str, dict] = {}
    for r in store.query(_query("labels"), use_default_graph_as_union=True):
        lit, s = r["label"], r["s"].value
        labels[s][r["kind"].value].append(lit.value)
        if r["kind"].value == "label" and getattr(lit, "language", None):
            label_lang.setdefault(s, {}).setdefault(lit.language.split("-")[0].lower(), []).append(lit.value)
    wikidata = {}
    for r in _rows(store, "wikidata"):
        wikidata.setdefault(r["s"], r["wd"][len(_WIKIDATA):])
    mentioned = defaultdict(set)
    for r in _rows(store, "mentioned-in"):
        mentioned[r["s"]].add(r["article"])

    def label_of(iri: str) -> tuple[str | None, str | None]:
        langs = label_lang.get(iri, {})
        plain = sorted(labels.get(iri, {}).get("label", []))
        ar = min(langs["ar"]) if "ar" in langs else next((x for x in plain if _RTL.search(x)), None)
        en = min(langs["en"]) if "en" in langs else None
        return ar, en

    # --- events
    ev_cls: dict[str, str] = {}
    ev_date: dict[str, str] = {}
    ev_planned: set[str] = set()
    class_iri: dict[str, str] = {}
    for r in _rows(store, "events"):
        iri, cls = r["event"], _local(r["cls"])
        class_iri.setdefault(cls, r["cls"])
        if cls != "Event" and (iri not in ev_cls or ev_cls[iri] == "Event" or cls < ev_cls[iri]):
            ev_cls[iri] = cls
        ev_cls.setdefault(iri, cls)
        if r["date"] and (iri not in ev_date or r["date"] < ev_date[iri]):
            ev_date[iri] = r["date"]
        if r["planned"] in ("true", "1"):
            ev_planned.add(iri)
    ev_links: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    for r in _rows(store, "event-links"):
        ev_links[r["event"]][r["link"]].add(r["x"])
    cls_labels = {}
    for cls in set(ev_cls.values()):
        ar, en = label_of(class_iri[cls])
        cls_labels[cls] = (ar or cls, en or cls)

    # --- roles
    roles: dict[str, dict] = {}
    parts: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for r in _rows(store, "memberships"):
        parts[r["m"]][r["link"]].append(r["x"])
    for m_iri, got in parts.items():
        if not (got["member"] and got["of"] and got["role"]):
            continue  # a membership the contract says nothing about
        roles[m_iri] = {"member": min(got["member"]), "of": min(got["of"]), "role": min(got["role"]),
                        "host": min(got["host"]) if got["host"] else None, "articles": set(got["article"]),
                        "sentences": set(got["sentence"]), "evidence": set(got["evidence"])}

    # --- quotations
    quotes: dict[str, dict] = {}
    for r in _rows(store, "quotes"):
        q = quotes.setdefault(r["q"], {"speaker": r["speaker"], "text": r["text"], "article": r["article"],
                                       "sentence": r["sentence"], "cue": r["cue"]})
        for k in ("article", "sentence", "cue"):
            if r[k] and (q[k] is None or r[k] < q[k]):
                q[k] = r[k]

    # --- the actor network: folded event edges and role edges
    relations: dict[str, list[str]] = {}
    folded: dict[tuple, dict] = {}
    for ev, links in ev_links.items():
        if ev not in ev_cls:
            continue
        cls = ev_cls[ev]
        members = sorted(x for kind in ("participant", "initiator", "place") for x in links.get(kind, ())
                         if x in actor_cls)
        members = sorted(set(members))
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                e = folded.setdefault((a, b, cls), {"articles": set(), "events": set()})
                e["articles"] |= links.get("article", set())
                e["events"].add(ev)
        if cls not in relations:
            words = cfg["folded"].get(cls)
            relations[cls] = [words["ar"], words["en"]] if words else list(cls_labels[cls])
    role_edges: dict[tuple, dict] = {}
    for m_iri, m in roles.items():
        if m["member"] in actor_cls and m["of"] in actor_cls and m["member"] != m["of"]:
            key = "role:" + _local(m["role"])
            e = role_edges.setdefault((m["member"], m["of"], key), {"articles": set(), "roles": set()})
            e["articles"] |= m["articles"]
            e["roles"].add(m_iri)
            if key not in relations:
                ar, en = label_of(m["role"])
                name = _local(m["role"])
                relations[key] = [cfg["role_edge"]["ar"].format(role=ar or name),
                                  cfg["role_edge"]["en"].format(role=en or name)]

    # PageRank over the whole actor network (before any selection)
    actors_sorted = sorted(actor_cls)
    index = {iri: i for i, iri in enumerate(actors_sorted)}
    actor_edges = [(index[a], index[b], max(1, len(e["articles"])))
                   for (a, b, _), e in sorted(folded.items()) if a != b] + \
                  [(index[a], index[b], max(1, len(e["articles"])))
                   for (a, b, _), e in sorted(role_edges.items())]
    pagerank = _pagerank(len(actors_sorted), actor_edges)

    # --- selection
    total = len(actors_sorted)
    note = None
    kept = set(actors_sorted)
    if focus:
        center = _resolve_focus(focus, actors_sorted, label_of, labels, wikidata)
        adj = defaultdict(set)
        for a, b, _ in actor_edges:
            adj[actors_sorted[a]].add(actors_sorted[b])
            adj[actors_sorted[b]].add(actors_sorted[a])
        kept, frontier = {center}, {center}
        for _ in range(hops):
            frontier = {y for x in frontier for y in adj[x]} - kept
            kept |= frontier
        ar, en = label_of(center)
        note = {k: cfg["ui"]["focus"][k].format(label=(ar if k == "ar" else en) or ar or en or center,
                                                   hops=hops) for k in ("ar", "en")}
    elif total > max_nodes:
        ranked = sorted(actors_sorted, key=lambda iri: (-pagerank[index[iri]], iri))
        kept = set(ranked[:max_nodes])
        note = {k: cfg["ui"]["truncated"][k].format(shown=f"{max_nodes:,}", total=f"{total:,}")
                for k in ("ar", "en")}
    kept_actors = sorted(kept)
    events = sorted(ev for ev, links in ev_links.items() if ev in ev_cls and any(
        x in kept for kind in ("participant", "initiator", "place") for x in links.get(kind, ())))
    if len(events) > EVENTS_PER_NODE * max_nodes:
        def weight(ev):
            links = ev_links[ev]
            n = sum(1 for kind in ("participant", "initiator", "place") for x in links.get(kind, ()) if x in kept)
            return (-n, -len(links.get("article", ())), ev)
        events = sorted(sorted(events, key=weight)[:EVENTS_PER_NODE * max_nodes])
    kept_events = set(events)

    # --- tables shared by the panel: articles and sentences, indexed on first use
    article_info = {r["article"]: r for r in _rows(store, "articles")}
    shown = kept | kept_events
    mention_sentences = defaultdict(set)
    for r in _rows_for(store, "mention-sentences", "s", shown):
        mention_sentences[r["s"]].add(r["sentence"])
    # the sentences the panel may show: of the nodes', roles' and quotations' shown
    needed = {s for iri in shown for s in mention_sentences.get(iri, ())}
    needed |= {s for ev in events for s in ev_links[ev].get("sentence", ())}
    needed |= {s for m in roles.values() if m["member"] in shown or m["of"] in shown for s in m["sentences"]}
    needed |= {q["sentence"] for q in quotes.values() if q["speaker"] in shown and q["sentence"]}
    sentence_info = {}
    for r in _rows_for(store, "sentences", "sentence", needed):
        sentence_info[r["sentence"]] = (r["text"], r["article"], int(r["begin"]) if r["begin"] else 0)
    proj = Projection(total_actors=total, note=note)
    art_index: dict[str, int] = {}
    sent_index: dict[str, int] = {}

    def art(iri: str | None) -> int | None:
        if iri is None:
            return None
        if iri not in art_index:
            info = article_info.get(iri, {})
            url = info.get("url")
            href = url if url and re.match(r"^https?://", url) else iri
            art_index[iri] = len(proj.articles)
            proj.articles.append([info.get("id") or _local(iri), href, info.get("headline"),
                                  info.get("published")])
        return art_index[iri]

    def sent_order(s: str) -> tuple:
        text, article, begin = sentence_info.get(s, ("", "", 0))
        info = article_info.get(article, {})
        return (info.get("id") or article, begin, s)

    def sents(iris) -> list[int]:
        out = []
        for s in sorted((s for s in iris if s in sentence_info), key=sent_order):
            if s not in sent_index:
                text, article, _ = sentence_info[s]
                sent_index[s] = len(proj.sentences)
                proj.sentences.append([text, art(article)])
            out.append(sent_index[s])
        return out

    def articles_of(iris) -> list[int]:
        return [art(a) for a in sorted(iris, key=lambda a: (article_info.get(a, {}).get("id") or a, a))]

    # --- nodes
    node_index: dict[str, int] = {}
    for iri in kept_actors:
        top, cls = actor_cls[iri]
        ar, en = label_of(iri)
        alts = labels.get(iri, {}).get("alt", [])
        all_s = mention_sentences.get(iri, set())
        node_index[iri] = len(proj.nodes)
        proj.nodes.append({
            "iri": iri, "kind": top, "cls": cls, "ar": ar, "en": en, "wd": wikidata.get(iri),
            "n": len(mentioned.get(iri, ())), "pr": round(pagerank[index[iri]], 6),
            "k": _search_keys([x for x in (ar, en, *sorted(alts)) if x]),
            "s": sents(_first(all_s, max_sentences, sent_order)), "sn": len(all_s),
        })
    for ev in events:
        cls = ev_cls[ev]
        links = ev_links[ev]
        node_index[ev] = len(proj.nodes)
        ar, en = cls_labels[cls]
        all_s = links.get("sentence", set())
        proj.nodes.append({
            "iri": ev, "kind": "Event", "cls": cls, "ar": ar, "en": en, "wd": wikidata.get(ev),
            "n": len(links.get("article", ())), "pr": 0.0, "date": ev_date.get(ev),
            "planned": ev in ev_planned, "k": _search_keys([ar, en]),
            "s": sents(_first(all_s, max_sentences, sent_order)), "sn": len(all_s),
            "a": articles_of(links.get("article", ())),
        })
    proj.event_types = [[c, *cls_labels[c]] for c in sorted({ev_cls[e] for e in events})]

    # --- event details (what the folded edges and event nodes point to)
    event_detail: dict[str, int] = {}
    for ev in events:
        links = ev_links[ev]
        event_detail[ev] = len(proj.events)
        proj.events.append({
            "node": node_index[ev],
            "actors": [[node_index[x], kind] for kind in ("initiator", "participant", "place")
                       for x in sorted(links.get(kind, ())) if x in node_index],
        })
        proj.nodes[node_index[ev]]["e"] = event_detail[ev]

    # --- roles and quotations of kept actors
    role_detail: dict[str, int] = {}
    for m_iri in sorted(roles):
        m = roles[m_iri]
        if m["member"] not in node_index and m["of"] not in node_index:
            continue
        ar, en = label_of(m["role"])
        host = m["host"]
        role_detail[m_iri] = len(proj.roles)
        proj.roles.append({
            "member": _node_or_label(m["member"], node_index, label_of),
            "of": _node_or_label(m["of"], node_index, label_of),
            "host": _node_or_label(host, node_index, label_of) if host else None,
            "ar": ar or _local(m["role"]), "en": en or _local(m["role"]),
            "a": articles_of(m["articles"]), "s": sents(_first(m["sentences"], max_sentences, sent_order)),
            "sn": len(m["sentences"]), "ev": sorted(m["evidence"])[:max_sentences],
        })
    per_speaker = defaultdict(list)
    for q_iri in sorted(quotes):
        q = quotes[q_iri]
        if q["speaker"] in node_index:
            per_speaker[q["speaker"]].append(q_iri)
    for speaker in sorted(per_speaker):
        chosen = sorted(per_speaker[speaker], key=lambda i: (sent_order(quotes[i]["sentence"] or ""), i))
        for q_iri in chosen[:MAX_QUOTES]:
            q = quotes[q_iri]
            proj.quotes.append({"speaker": node_index[speaker], "text": q["text"], "cue": q["cue"],
                                "a": art(q["article"]), "s": sents([q["sentence"]] if q["sentence"] else [])})
        proj.nodes[node_index[speaker]]["qn"] = len(chosen)

    # --- edges
    ev_edges = []
    for ev in events:
        links = ev_links[ev]
        weight = max(1, len(links.get("article", ())))
        for kind in ("initiator", "participant", "place"):
            for x in sorted(links.get(kind, ())):
                if x in node_index and x in kept:
                    ev_edges.append([node_index[ev], node_index[x], kind, weight, []])
                    relations.setdefault(kind, [cfg["event_edges"][kind]["ar"], cfg["event_edges"][kind]["en"]])
    fold_edges = []
    for (a, b, cls), e in sorted(folded.items()):
        evs = sorted(event_detail[x] for x in e["events"] if x in kept_events)
        if a in kept and b in kept and evs:
            fold_edges.append([node_index[a], node_index[b], cls, max(1, len(e["articles"])), evs])
    limit = FOLDED_PER_NODE * max_nodes
    if len(fold_edges) > limit:
        # an event with many actors folds into a clique: keep the strongest edges
        strongest = sorted(range(len(fold_edges)), key=lambda k: (-fold_edges[k][3], -len(fold_edges[k][4]), k))
        keep = set(strongest[:limit])
        thinned = {k: cfg["ui"]["thinned"][k].format(shown=f"{limit:,}", total=f"{len(fold_edges):,}")
                   for k in ("ar", "en")}
        proj.note = {k: (proj.note[k] + " · " if proj.note else "") + thinned[k] for k in ("ar", "en")}
        fold_edges = [row for k, row in enumerate(fold_edges) if k in keep]
    role_rows = []
    for (a, b, key), e in sorted(role_edges.items()):
        if a in kept and b in kept:
            role_rows.append([node_index[a], node_index[b], key, max(1, len(e["articles"])),
                              sorted(role_detail[m] for m in e["roles"])])
    proj.edges = {"event": ev_edges, "folded": fold_edges, "role": role_rows}
    used = {row[2] for rows in proj.edges.values() for row in rows}
    proj.relations = {k: relations[k] for k in sorted(used)}

    # --- degree and layout
    deg = [0] * len(proj.nodes)
    for rows in proj.edges.values():
        for a, b, *_ in rows:
            deg[a] += 1
            deg[b] += 1
    for n, d in zip(proj.nodes, deg):
        n["deg"] = d
    # laid out over events as nodes (sparser than their folded pairs, the same structure)
    pos = layout(len(proj.nodes), [(a, b) for layer in ("event", "role") for a, b, *_ in proj.edges[layer]],
                 [n["iri"] for n in proj.nodes])
    for n, (x, y) in zip(proj.nodes, pos):
        n["x"], n["y"] = x, y
    return proj


def _first(iris, n: int, key: Callable) -> list:
    return sorted(iris, key=key)[:n]


def _node_or_label(iri: str, node_index: dict, label_of) -> list:
    """A reference to a node when it is drawn, else its labels: [index] or [None, ar, en]."""
    if iri in node_index:
        return [node_index[iri]]
    ar, en = label_of(iri)
    return [None, ar or _local(iri), en]


def _resolve_focus(focus: str, actors: list[str], label_of, labels, wikidata) -> str:
    if focus in set(actors):
        return focus
    if re.fullmatch(r"Q[1-9]\d*", focus):
        hits = [a for a in actors if wikidata.get(a) == focus]
        if hits:
            return hits[0]
        raise ViewError(f"no entity linked to Wikidata {focus}")
    key = normalize_key(focus)
    if not key:
        raise ViewError(f"--focus {focus!r}: not an IRI, a Wikidata id or a name")
    exact, fuzzy = [], []
    for a in actors:
        ar, en = label_of(a)
        names = [x for x in (ar, en, *labels.get(a, {}).get("alt", [])) if x]
        keys = {normalize_key(x) for x in names}
        if key in keys:
            exact.append(a)
        elif skeleton(key) in {skeleton(k) for k in keys} or any(
                re.search(rf"(^| ){re.escape(skeleton(key))}( |$)", skeleton(k)) for k in keys):
            fuzzy.append(a)
    hits = exact or fuzzy
    if len(hits) == 1:
        return hits[0]
    if not hits:
        raise ViewError(f"no entity named {focus!r}")
    names = ", ".join(f"{label_of(h)[0] or h} <{h}>" for h in hits[:8])
    raise ViewError(f"{focus!r} names {len(hits)} entities: {names}; give an IRI or a Wikidata id")


def _pagerank(n: int, edges: list[tuple[int, int, int]]) -> list[float]:
    """PageRank over the actor network, pair weights summed (networkx's power
    iteration: deterministic, and faster here than igraph's PRPACK, which
    solves small graphs densely)."""
    if n == 0:
        return []
    g = nx.Graph()
    g.add_nodes_from(range(n))
    for a, b, w in edges:
        if g.has_edge(a, b):
            g[a][b]["weight"] += w
        else:
            g.add_edge(a, b, weight=w)
    pr = nx.pagerank(g, weight="weight")
    return [pr[i] for i in range(n)]


def _spread(values: list[float]) -> float:
    v = sorted(values)
    k = len(v) // 50
    return v[-1 - k] - v[k]


def layout(n: int, edges: list[tuple[int, int]], ids: list[str]) -> list[tuple[int, int]]:
    """Node positions, computed ahead: igraph's Fruchterman–Reingold over the
    linked nodes, from positions derived from the node ids (so the same graph
    gets the same layout), scaled so that the median edge is ``SPACING``
    long; unconnected nodes in rows beneath. Integers, for stable bytes."""
    if n == 0:
        return []
    import igraph as ig

    def h(s: str, salt: str) -> float:
        return int.from_bytes(hashlib.sha1((salt + s).encode("utf-8")).digest()[:4], "big") / 2 ** 32 - 0.5

    pairs = sorted({(min(a, b), max(a, b)) for a, b in edges if a != b})
    linked = sorted({x for pair in pairs for x in pair})
    linked_set = set(linked)
    alone = [i for i in range(n) if i not in linked_set]
    pos: list[tuple[int, int]] = [(0, 0)] * n
    bottom, left, width = 0.0, 0.0, SPACING * max(4, math.sqrt(n))
    if linked:
        local = {x: k for k, x in enumerate(linked)}
        m = len(linked)
        seed = [[h(ids[i], "x") * math.sqrt(m), h(ids[i], "y") * math.sqrt(m)] for i in linked]
        g = ig.Graph(n=m, edges=[(local[a], local[b]) for a, b in pairs], directed=False)
        ig.set_random_number_generator(random.Random(LAYOUT_SEED))
        try:
            coords = g.layout_fruchterman_reingold(seed=seed, niter=500 if m <= 20000 else 200, grid="auto")
        finally:
            ig.set_random_number_generator(random)  # igraph's default
        # about SPACING² of area per node, measured on the bulk (2nd–98th percentile)
        # so that a few far-flung nodes do not squeeze the rest
        span = max(_spread([c[0] for c in coords]), _spread([c[1] for c in coords])) or 1.0
        scale = SPACING * math.sqrt(m) / span
        xs = [c[0] for c in coords]
        ys = [c[1] for c in coords]
        cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
        for i, (x, y) in zip(linked, coords):
            pos[i] = (round((x - cx) * scale), round((y - cy) * scale))
        bottom = (max(ys) - cy) * scale + SPACING
        left = (min(xs) - cx) * scale
        width = max(width, (max(xs) - min(xs)) * scale)
    per_row = max(1, int(width // (SPACING * 1.4)) + 1)
    for k, i in enumerate(alone):
        row, col = divmod(k, per_row)
        pos[i] = (round(left + col * SPACING * 1.4), round(bottom + row * SPACING * 0.6))
    return pos


# ------------------------------------------------------------------ writing

def _script_json(data) -> str:
    """JSON safe inside ``<script type="application/json">``: ``< > &`` and the
    line separators escaped, so no data can close the element or start markup."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def page_data(proj: Projection, title: str | None = None, mode: str = "folded") -> dict:
    cfg = view_config()
    n_edges = max((len(proj.edges.get("folded", [])) + len(proj.edges.get("role", [])),
                   len(proj.edges.get("event", [])) + len(proj.edges.get("role", []))))
    return {
        "meta": {"title": title or "", "note": proj.note, "mode": mode, "edgeLabels": n_edges <= MAX_EDGE_LABELS,
                 "actors": proj.actor_count, "totalActors": proj.total_actors},
        "style": cfg["types"], "ui": cfg["ui"], "norm": search_table(),
        "nodes": proj.nodes, "events": proj.events, "roles": proj.roles, "quotes": proj.quotes,
        "articles": proj.articles, "sentences": proj.sentences, "edges": proj.edges,
        "relations": proj.relations, "eventTypes": proj.event_types,
    }


def render_html(proj: Projection, title: str | None = None, mode: str = "folded") -> str:
    """The page: one self-contained HTML file (vis-network, the app's script and
    style inline, the data as JSON), with a Content-Security-Policy that allows
    no network request and only these two scripts."""
    if mode not in ("folded", "events"):
        raise ViewError(f"mode must be 'folded' or 'events', not {mode!r}")
    vis = vis_network_js().replace("</script", "<\\/script")
    app = _asset("app.js").replace("</script", "<\\/script")
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode() + "'"
        for s in (vis, app))
    csp = (f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; img-src data:; "
           "font-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'")
    cfg = view_config()
    page_title = title or f'{cfg["ui"]["title"]["ar"]} · {cfg["ui"]["title"]["en"]}'
    values = {
        "CSP": csp,
        "TITLE": _html_text(page_title),
        "CSS": _asset("page.css"),
        "DATA": _script_json(page_data(proj, page_title, mode)),
        "VIS": vis,
        "APP": app,
    }
    # one pass over the template: no value is searched for placeholders
    return re.sub(r"__([A-Z]+)__", lambda m: values[m.group(1)], _asset("page.html"))


def _html_text(s: str) -> str:
    import html

    return html.escape(s, quote=True)


def _readable(tmp: Path) -> None:
    """Give a staged file the mode a new file would have (mkstemp makes it 0600)."""
    from .export import _umask

    os.chmod(tmp, 0o666 & ~_umask())


def write_html(proj: Projection, path: Path, title: str | None = None, mode: str = "folded") -> Path:
    from .export import atomic_path

    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text(render_html(proj, title, mode), encoding="utf-8", newline="\n")
        _readable(tmp)
    return path


def write_graphml(proj: Projection, path: Path) -> Path:
    from .export import atomic_path

    path = Path(path)
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write('<?xml version="1.0" encoding="utf-8"?>\n')
            for line in nx.generate_graphml(proj.graph()):
                fh.write(line + "\n")
        _readable(tmp)
    return path


def write_gexf(proj: Projection, path: Path) -> Path:
    """GEXF without networkx's ``lastmodifieddate`` (today's date), so that
    rebuilds give the same bytes."""
    from .export import atomic_path

    path = Path(path)
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write('<?xml version="1.0" encoding="utf-8"?>\n')
            for line in nx.generate_gexf(proj.graph()):
                fh.write(re.sub(r' lastmodifieddate="[^"]*"', "", line) + "\n")
        _readable(tmp)
    return path


WRITERS = {".html": write_html, ".htm": write_html, ".graphml": write_graphml, ".gexf": write_gexf}


def write_view(graph, out: Path, focus: str | None = None, hops: int = 2, max_nodes: int = MAX_NODES,
               mode: str = "folded", title: str | None = None) -> Projection:
    """Read ``graph`` (an export file), project it and write ``out``: an HTML
    page, or GraphML or GEXF, by the file's extension."""
    out = Path(out)
    writer = WRITERS.get(out.suffix.lower())
    if writer is None:
        raise ViewError(f"{out}: unknown view format (expected {', '.join(sorted(WRITERS))})")
    proj = project(_load_for_view(graph), max_nodes=max_nodes, focus=focus, hops=hops)
    if writer is write_html:
        write_html(proj, out, title=title, mode=mode)
    else:
        writer(proj, out)
    return proj


def write_view_exports(graph, out_dir: Path,
                       on_file: Callable[[str], None] | None = None) -> list[Path]:
    """The view files of a build (``graph.html``, ``graph.graphml``,
    ``graph.gexf``), each written atomically, from an Oxigraph store or an
    N-Quads file. A file is loaded into a temporary store on disk beside the
    output, so memory does not grow with the graph (in memory, the 5.5 M quads
    of the ANT corpus took about 3.5 GB)."""
    import shutil
    import tempfile

    import pyoxigraph as ox

    tmp = None
    if not isinstance(graph, ox.Store):
        tmp = tempfile.mkdtemp(prefix=".view-store.", dir=out_dir)
        store = ox.Store(tmp)
        store.bulk_load(path=str(graph), format=ox.RdfFormat.N_QUADS)
        graph = store
    try:
        proj = project(graph)
    finally:
        if tmp:
            del graph, store
            shutil.rmtree(tmp, ignore_errors=True)
    written = []
    for name in VIEW_FILES:
        if on_file:
            on_file(name)
        path = Path(out_dir) / name
        WRITERS[path.suffix](proj, path)
        written.append(path)
    return written
