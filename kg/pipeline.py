"""The build pipeline: articles → normalized text → mentions → entities → RDF.

One-way data flow; each stage is a plain function of the previous stage's
output. :func:`build` streams articles: each article's named graph is written
as soon as it is extracted, and only the entity registry stays in memory.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Iterable, TextIO

from . import __version__
from .io import Article, parse_datetime
from .recognize import Mention, Recognizer
from .events import EventFact, Events, load_event_types
from .relations import QuoteFact, Relations, RoleFact
from .resolve import Registry, contribution, resolve_article
from .rdf import A, Iris, integer, iri, lit, quad, url_term
from .text import normalize
from .timex import anchor_date
from .vocab import ontology_lines


@dataclass
class ArticleResult:
    article: Article
    sentences: list[tuple[int, int]]
    mentions: list[tuple[Mention, str]]  # (mention, entity id)
    roles: list[RoleFact] = field(default_factory=list)
    quotes: list[QuoteFact] = field(default_factory=list)
    events: list[EventFact] = field(default_factory=list)


class Extractor:
    """The per-article stages after reading: recognition, resolution, then roles,
    quotations and events."""

    def __init__(self, rec: Recognizer | None = None):
        self.rec = rec or Recognizer()
        self.relations = Relations(self.rec)
        self.events = Events(self.rec)

    def __call__(self, article: Article) -> ArticleResult:
        date = article.published_date or anchor_date(normalize(article.content).text, None)
        doc, mentions = self.rec.recognize(article.content, date)
        resolved = resolve_article(doc, mentions, self.rec)
        roles = self.relations.roles(doc, resolved)
        quotes = self.relations.quotes(doc, resolved, roles)
        events = self.events.extract(doc, resolved, roles, article.published_date)
        return ArticleResult(article, doc.sentence_spans, resolved, roles, quotes, events)


def extract(article: Article, rec: Recognizer) -> ArticleResult:
    """Extract one article (see :class:`Extractor`)."""
    return Extractor(rec)(article)


CLASS_IRIS = {
    "Person": "kg:Person",
    "Organization": "kg:Organization",
    "InternationalOrganization": "kg:InternationalOrganization",
    "GovernmentOrganization": "kg:GovernmentOrganization",
    "MilitaryOrganization": "kg:MilitaryOrganization",
    "PoliticalParty": "kg:PoliticalParty",
    "NewsMediaOrganization": "kg:NewsMediaOrganization",
    "Corporation": "kg:Corporation",
    "NGO": "kg:NGO",
    "SportsOrganization": "kg:SportsOrganization",
    "Place": "kg:Place",
    "Country": "kg:Country",
    "City": "kg:City",
    "AdministrativeArea": "kg:AdministrativeArea",
    "Region": "kg:Region",
    "Continent": "kg:Continent",
    "BodyOfWater": "kg:BodyOfWater",
}


def article_lines(res: ArticleResult, iris: Iris) -> list[str]:
    """The quads of one article's named graph, sorted."""
    art = res.article
    g = iris.graph(art.id)
    a = iris.article(art.id)
    content = art.content
    out = [
        quad(a, A, iri("kg:NewsArticle"), g),
        quad(a, iri("schema:identifier"), lit(art.id), g),
        quad(a, iri("schema:inLanguage"), lit("ar"), g),
        quad(a, iri("nif:isString"), lit(content), g),
        quad(a, iri("kg:extractedBy"), lit(f"kg {__version__}"), g),
    ]
    if art.title:
        out.append(quad(a, iri("schema:headline"), lit(art.title), g))
    if art.url:
        out.append(quad(a, iri("schema:url"), url_term(art.url), g))
    if art.published:
        when = parse_datetime(art.published)
        value, dtype = (when.isoformat(), "xsd:dateTime") if "T" in art.published else \
            (when.date().isoformat(), "xsd:date")
        out.append(quad(a, iri("schema:datePublished"), lit(value, datatype=dtype), g))
    if art.source:
        out.append(quad(a, iri("schema:publisher"), iris.publisher(art.source), g))
    for i, (b, e) in enumerate(res.sentences):
        s = iris.sentence(art.id, i)
        out += [
            quad(s, A, iri("kg:Sentence"), g),
            quad(s, iri("nif:referenceContext"), a, g),
            quad(s, iri("nif:beginIndex"), integer(b), g),
            quad(s, iri("nif:endIndex"), integer(e), g),
            quad(s, iri("nif:anchorOf"), lit(content[b:e]), g),
        ]
    entities = set()
    for m, eid in res.mentions:
        x = iris.mention(art.id, m.begin, m.end)
        ent = iris.entity(eid)
        entities.add(ent)
        out += [
            quad(x, A, iri("kg:EntityMention"), g),
            quad(x, iri("nif:anchorOf"), lit(m.text), g),
            quad(x, iri("nif:beginIndex"), integer(m.begin), g),
            quad(x, iri("nif:endIndex"), integer(m.end), g),
            quad(x, iri("nif:referenceContext"), a, g),
            quad(x, iri("nif:sentence"), iris.sentence(art.id, m.sentence), g),
            quad(x, iri("kg:denotes"), ent, g),
            quad(x, iri("kg:confidence"), lit(f"{m.confidence:.2f}", datatype="xsd:decimal"), g),
            quad(x, iri("kg:recognizedBy"), lit(m.source), g),
        ]
    out += [quad(a, iri("schema:mentions"), ent, g) for ent in entities]
    for r in res.roles:
        m = iris.membership(r.person, r.role, r.of, r.to)
        out += [
            quad(m, A, iri("kg:Membership"), g),
            quad(m, iri("org:member"), iris.entity(r.person), g),
            quad(m, iri("org:organization"), iris.entity(r.of), g),
            quad(m, iri("org:role"), iris.role(r.role), g),
            quad(m, iri("prov:wasDerivedFrom"), a, g),
            quad(m, iri("kg:inSentence"), iris.sentence(art.id, r.sentence), g),
            quad(m, iri("kg:evidence"), lit(content[r.begin:r.end], lang="ar"), g),
        ]
        if r.to:
            out.append(quad(m, iri("kg:hostCountry"), iris.entity(r.to), g))
    types = load_event_types().types
    for ev in res.events:
        x = iris.event(ev.key())
        et = types[ev.type]
        label = et.ar + (f" {ev.date}" if ev.date else "")
        out += [
            quad(x, A, iri(f"kg:{ev.type}"), g),
            quad(x, iri("rdfs:label"), lit(label, lang="ar"), g),
            quad(x, iri("prov:wasDerivedFrom"), a, g),
            quad(a, iri("schema:mentions"), x, g),
        ]
        out += [quad(x, iri("kg:inSentence"), iris.sentence(art.id, s_), g) for s_ in sorted(set(ev.sentences))]
        out += [quad(x, iri("kg:participant"), iris.entity(p), g) for p in sorted(ev.participants)]
        if ev.place:
            out.append(quad(x, iri("kg:eventPlace"), iris.entity(ev.place), g))
        if ev.date:
            out.append(quad(x, iri("schema:startDate"), lit(ev.date, datatype=ev.datatype), g))
        if ev.planned:
            out.append(quad(x, iri("kg:planned"), lit("true", datatype="xsd:boolean"), g))
        if ev.duration:
            out.append(quad(x, iri("schema:duration"), lit(ev.duration, datatype="xsd:duration"), g))
        if ev.initiator:
            out.append(quad(x, iri("kg:initiator"), iris.entity(ev.initiator), g))
        for b, e in ev.triggers:
            t = iris.mention(art.id, b, e)
            out += [
                quad(t, A, iri("kg:EventMention"), g),
                quad(t, iri("nif:anchorOf"), lit(content[b:e]), g),
                quad(t, iri("nif:beginIndex"), integer(b), g),
                quad(t, iri("nif:endIndex"), integer(e), g),
                quad(t, iri("nif:referenceContext"), a, g),
                quad(t, iri("kg:denotes"), x, g),
            ]
    for q in res.quotes:
        x = iris.quote(art.id, q.begin, q.end)
        out += [
            quad(x, A, iri("kg:Quotation"), g),
            quad(x, iri("schema:text"), lit(q.text, lang="ar"), g),
            quad(x, iri("nif:beginIndex"), integer(q.begin), g),
            quad(x, iri("nif:endIndex"), integer(q.end), g),
            quad(x, iri("nif:referenceContext"), a, g),
            quad(x, iri("prov:wasDerivedFrom"), a, g),
            quad(x, iri("kg:inSentence"), iris.sentence(art.id, q.sentence), g),
        ]
        if q.speaker:
            out.append(quad(x, iri("schema:creator"), iris.entity(q.speaker), g))
        if q.cue:
            out.append(quad(x, iri("kg:cueWord"), lit(q.cue, lang="ar"), g))
    return sorted(set(out))


def role_lines(roles: Iterable[str], iris: Iris) -> list[str]:
    """Default-graph quads of the roles used: type and labels."""
    from .recognize import load_role_labels

    ar = load_role_labels()
    out = []
    for role in roles:
        r = iris.role(role)
        out += [quad(r, A, iri("kg:Role")), quad(r, iri("rdfs:label"), lit(role, lang="en"))]
        if role in ar:
            out.append(quad(r, iri("rdfs:label"), lit(ar[role], lang="ar")))
    return out


def entity_lines(registry: Registry, iris: Iris) -> list[str]:
    """Default-graph quads of every entity: types, labels, alt labels, sameAs."""
    out = []
    for eid, ent in registry.entities.items():
        s = iris.entity(eid)
        out.append(quad(s, A, iri(CLASS_IRIS.get(ent.cls, CLASS_IRIS[ent.type]))))
        # the entailed schema.org type too, so that `?x a schema:Person` works
        # without following subclass links (and costs no path in a query)
        out.append(quad(s, A, iri(f"schema:{ent.type}")))
        label = registry.label(ent)
        out.append(quad(s, iri("rdfs:label"), lit(label, lang="ar")))
        if ent.mentions:
            out.append(quad(s, iri("kg:mentionCount"), integer(ent.mentions)))
            out.append(quad(s, iri("kg:articleCount"), integer(ent.articles)))
        entry = ent.entry
        alts = set(ent.surfaces)
        if entry:
            out.append(quad(s, iri("rdfs:label"), lit(entry.en, lang="en")))
            alts.update(entry.aliases)
            if entry.wikidata:
                out.append(quad(s, iri("owl:sameAs"), f"<http://www.wikidata.org/entity/{entry.wikidata}>"))
        for alt in alts - {label}:
            if not (entry and alt == entry.en):
                out.append(quad(s, iri("skos:altLabel"), lit(alt, lang="ar")))
    return sorted(set(out))


def publisher_lines(sources: Iterable[str], iris: Iris) -> list[str]:
    out = []
    for src in sources:
        p = iris.publisher(src)
        out += [quad(p, A, iri("kg:NewsMediaOrganization")), quad(p, iri("rdfs:label"), lit(src))]
    return out


@dataclass
class JoiningFacts:
    """What one article adds to the default graph, which joins articles: its
    mentions' contributions to entity descriptions (see
    :func:`kg.resolve.contribution`), the lexicon entities its facts refer to,
    and the roles it uses. A build folds them into one registry; a store keeps
    them per article so it can recompute the default graph when articles come
    and go."""
    contributions: list[tuple] = field(default_factory=list)
    ensured: set[str] = field(default_factory=set)
    roles: set[str] = field(default_factory=set)

    def apply(self, registry: Registry) -> None:
        for c in self.contributions:
            registry.add_contribution(*c)
        for eid in {c[0] for c in self.contributions}:
            registry.entities[eid].articles += 1
        for eid in sorted(self.ensured):
            registry.ensure(eid)


def joining_facts(res: ArticleResult) -> JoiningFacts:
    facts = JoiningFacts([contribution(m, eid) for m, eid in res.mentions])
    for ev in res.events:
        facts.ensured.update(e for e in (*ev.participants, ev.place, ev.initiator) if e)
    for r in res.roles:
        facts.roles.add(r.role)
        facts.ensured.update(e for e in (r.person, r.of, r.to) if e)
    return facts


def default_graph_lines(registry: Registry, sources: Iterable[str], roles: Iterable[str],
                        iris: Iris) -> list[str]:
    """The default graph: ontology, entities, publishers and roles, sorted."""
    head = ontology_lines() + entity_lines(registry, iris) + publisher_lines(sorted(sources), iris) \
        + role_lines(sorted(roles), iris)
    return sorted(set(head))


#: articles handed to the worker processes at a time (bounds memory)
BATCH = 256
_worker_state: tuple[Extractor, Iris] | None = None


def _extracted(articles: Iterable[Article], extractor: Extractor, iris: Iris, jobs: int):
    """``(article, result, named-graph lines)`` in input order. With ``jobs`` > 1
    the work runs in forked processes that share the loaded lexicons and model;
    bad input still raises in this process, as articles are read here."""
    if jobs <= 1:
        for art in articles:
            res = extractor(art)
            yield art, res, article_lines(res, iris)
        return
    import itertools
    import multiprocessing

    global _worker_state
    _worker_state = (extractor, iris)
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        it = iter(articles)
        while batch := list(itertools.islice(it, BATCH)):
            for art, (res, lines) in zip(batch, pool.map(_extract_one, batch, chunksize=8)):
                yield art, res, lines


def _extract_one(article: Article):
    extractor, iris = _worker_state
    res = extractor(article)
    return res, article_lines(res, iris)


@dataclass
class BuildStats:
    articles: int = 0
    mentions: int = 0
    entities: int = 0
    triples: int = 0
    roles: int = 0
    quotes: int = 0
    events: int = 0
    skipped: int = 0
    seconds: float = 0.0
    by_source: dict = field(default_factory=dict)
    by_type: dict = field(default_factory=dict)


def build(
    articles: Iterable[Article],
    out: TextIO,
    base: str | None = None,
    recognizer: Recognizer | None = None,
    progress: Callable[[Article], None] | None = None,
    jobs: int = 1,
) -> BuildStats:
    """Extract every article and write the whole dataset as N-Quads to ``out``:
    the default graph (ontology, entities, publishers, roles) first, then one named
    graph per article in input order. The article
    graphs go to a temporary file first and are appended after the default graph, which is
    known only at the end. With ``jobs`` > 1, extraction runs in that many worker
    processes; the output is the same byte for byte."""
    import tempfile

    started = time.perf_counter()
    iris = Iris(base) if base else Iris()
    extractor = Extractor(recognizer)
    registry = Registry(extractor.rec.lex)
    stats = BuildStats()
    sources: set[str] = set()
    roles_used: set[str] = set()
    with tempfile.TemporaryFile("w+", encoding="utf-8") as parts:
        for art, res, lines in _extracted(articles, extractor, iris, jobs):
            facts = joining_facts(res)
            facts.apply(registry)
            roles_used.update(facts.roles)
            for m, _ in res.mentions:
                stats.by_source[m.source] = stats.by_source.get(m.source, 0) + 1
            stats.events += len(res.events)
            stats.roles += len(res.roles)
            stats.quotes += len(res.quotes)
            if art.source:
                sources.add(art.source)
            parts.writelines(lines)
            stats.articles += 1
            stats.mentions += len(res.mentions)
            stats.triples += len(lines)
            if progress:
                progress(art)
        head = default_graph_lines(registry, sources, roles_used, iris)
        out.writelines(head)
        stats.triples += len(head)
        parts.seek(0)
        while chunk := parts.read(1 << 20):
            out.write(chunk)
    stats.entities = len(registry.entities)
    for ent in registry.entities.values():
        stats.by_type[ent.type] = stats.by_type.get(ent.type, 0) + 1
    stats.seconds = time.perf_counter() - started
    return stats


def build_exports(
    inputs,
    out_dir,
    base: str | None = None,
    skip_bad: bool = False,
    on_error=None,
    progress: Callable[[Article], None] | None = None,
    jobs: int = 1,
    on_file: Callable[[str], None] | None = None,
) -> tuple[BuildStats, list]:
    """Read ``inputs``, build the graph and write the four exports into
    ``out_dir``, then the views of it (graph.html, graph.graphml, graph.gexf),
    each atomically. The RDF exports change only if the whole build succeeds."""
    import os
    import tempfile
    from pathlib import Path

    from .export import write_exports
    from .io import read_articles
    from .view import write_view_exports

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    skipped = []

    def record(err):
        skipped.append(err)
        if on_error:
            on_error(err)

    fd, tmp = tempfile.mkstemp(prefix=".graph.nq.", suffix=".build", dir=out_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            stats = build(read_articles(inputs, skip_bad=skip_bad, on_error=record), fh,
                          base=base, progress=progress, jobs=jobs)
        stats.skipped = len(skipped)
        written = write_exports(Path(tmp), out_dir, base, on_file=on_file)
        written += write_view_exports(out_dir / "graph.nq", out_dir, on_file=on_file)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return stats, written
