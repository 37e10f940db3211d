"""The build pipeline: articles → normalized text → mentions → entities → RDF.

One-way data flow; each stage is a plain function of the previous stage's
output. :func:`build` streams articles: each article's named graph is written
as soon as it is extracted, and only the entity registry and the descriptions
of events and memberships (the default graph) stay in memory.
"""

from __future__ import annotations

import ctypes
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, TextIO

from . import __version__
from .io import Article, parse_datetime
from .recognize import Mention, Recognizer, prepare
from .events import EventFact, Events, load_event_types
from .relations import QuoteFact, Relations, RoleFact
from .resolve import Registry, contribution, resolve_article
from .rdf import A, Iris, integer, iri, lit, quad, url_term
from .timex import anchor_date
from .shards import Extracted, Inputs, sharded
from .vocab import ontology_lines


@dataclass
class ArticleResult:
    article: Article
    sentences: list[tuple[int, int]]
    mentions: list[tuple[Mention, str]]  # (mention, entity id)
    roles: list[RoleFact] = field(default_factory=list)
    quotes: list[QuoteFact] = field(default_factory=list)
    events: list[EventFact] = field(default_factory=list)


#: the stages a build's time is split into (see :attr:`Extractor.timings`)
STAGES = ("read", "normalize", "recognize", "resolve", "events", "rdf", "store", "export")


class Extractor:
    """The per-article stages after reading: recognition, resolution, then roles,
    quotations and events.

    Set :attr:`timings` to a dict to have the seconds of each stage added to it
    (``normalize``, ``recognize``, ``resolve``, ``events``, the last with roles
    and quotations); left at None, nothing is timed."""

    def __init__(self, rec: Recognizer | None = None):
        self.rec = rec or Recognizer()
        self.relations = Relations(self.rec)
        self.events = Events(self.rec)
        self.timings: dict[str, float] | None = None

    def __call__(self, article: Article) -> ArticleResult:
        if self.timings is not None:
            return self._timed(article)
        doc = prepare(article.content)
        date = article.published_date or anchor_date(doc.norm.text, None)
        mentions = self.rec.recognize_doc(doc, date)
        resolved = resolve_article(doc, mentions, self.rec)
        roles = self.relations.roles(doc, resolved)
        quotes = self.relations.quotes(doc, resolved, roles)
        events = self.events.extract(doc, resolved, roles, article.published_date)
        return ArticleResult(article, doc.sentence_spans, resolved, roles, quotes, events)

    def _timed(self, article: Article) -> ArticleResult:
        clock, t = time.perf_counter, self.timings
        t0 = clock()
        doc = prepare(article.content)
        date = article.published_date or anchor_date(doc.norm.text, None)
        t1 = clock()
        mentions = self.rec.recognize_doc(doc, date)
        t2 = clock()
        resolved = resolve_article(doc, mentions, self.rec)
        t3 = clock()
        roles = self.relations.roles(doc, resolved)
        quotes = self.relations.quotes(doc, resolved, roles)
        events = self.events.extract(doc, resolved, roles, article.published_date)
        t4 = clock()
        for name, dt in (("normalize", t1 - t0), ("recognize", t2 - t1), ("resolve", t3 - t2),
                         ("events", t4 - t3)):
            t[name] = t.get(name, 0.0) + dt
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
        # what the membership is (member, organization, role, host) is described
        # once in the default graph (see :func:`shared_lines`); here, who says so
        m = iris.membership(r.person, r.role, r.of, r.to)
        out += [
            quad(m, iri("prov:wasDerivedFrom"), a, g),
            quad(m, iri("kg:inSentence"), iris.sentence(art.id, r.sentence), g),
            quad(m, iri("kg:evidence"), lit(content[r.begin:r.end], lang="ar"), g),
        ]
    for ev in res.events:
        # likewise the event's type, date, place and participants
        x = iris.event(ev.key(art.id))
        out += [
            quad(x, iri("prov:wasDerivedFrom"), a, g),
            quad(a, iri("schema:mentions"), x, g),
        ]
        out += [quad(x, iri("kg:inSentence"), iris.sentence(art.id, s_), g) for s_ in sorted(set(ev.sentences))]
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


def shared_lines(res: ArticleResult, iris: Iris) -> list[str]:
    """The default-graph triples that describe the article's events and
    memberships: what they are, not who reports them. An event or membership
    reported by many articles is one node (its IRI is deterministic) and is
    described once, in the default graph, as the union of what the articles
    say; each article's graph keeps its own provenance (``prov:wasDerivedFrom``,
    sentences, trigger mentions, evidence). Described in every article's graph
    instead, a union-graph query joining k of its properties would see each
    reporting article's copy, n^k rows for n articles."""
    out = []
    for r in res.roles:
        m = iris.membership(r.person, r.role, r.of, r.to)
        out += [
            quad(m, A, iri("kg:Membership")),
            quad(m, iri("org:member"), iris.entity(r.person)),
            quad(m, iri("org:organization"), iris.entity(r.of)),
            quad(m, iri("org:role"), iris.role(r.role)),
        ]
        if r.to:
            out.append(quad(m, iri("kg:hostCountry"), iris.entity(r.to)))
    types = load_event_types().types
    for ev in res.events:
        x = iris.event(ev.key(res.article.id))
        et = types[ev.type]
        label = et.ar + (f" {ev.date}" if ev.date else "")
        out += [
            quad(x, A, iri(f"kg:{ev.type}")),
            quad(x, iri("rdfs:label"), lit(label, lang="ar")),
        ]
        out += [quad(x, iri("kg:participant"), iris.entity(p)) for p in sorted(ev.participants)]
        if ev.place:
            out.append(quad(x, iri("kg:eventPlace"), iris.entity(ev.place)))
        if ev.date:
            out.append(quad(x, iri("schema:startDate"), lit(ev.date, datatype=ev.datatype)))
        if ev.planned:
            out.append(quad(x, iri("kg:planned"), lit("true", datatype="xsd:boolean")))
        if ev.duration:
            out.append(quad(x, iri("schema:duration"), lit(ev.duration, datatype="xsd:duration")))
        if ev.initiator:
            out.append(quad(x, iri("kg:initiator"), iris.entity(ev.initiator)))
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
    the roles it uses, and the triples describing its events and memberships
    (:func:`shared_lines`). A build folds them into one registry and one set of
    lines; a store keeps them per article so it can recompute the default graph
    when articles come and go."""
    contributions: list[tuple] = field(default_factory=list)
    ensured: set[str] = field(default_factory=set)
    roles: set[str] = field(default_factory=set)
    shared: list[str] = field(default_factory=list)

    def apply(self, registry: Registry) -> None:
        for c in self.contributions:
            registry.add_contribution(*c)
        for eid in {c[0] for c in self.contributions}:
            registry.entities[eid].articles += 1
        for eid in sorted(self.ensured):
            registry.ensure(eid)


def joining_facts(res: ArticleResult, iris: Iris) -> JoiningFacts:
    facts = JoiningFacts([contribution(m, eid) for m, eid in res.mentions], shared=shared_lines(res, iris))
    for ev in res.events:
        facts.ensured.update(e for e in (*ev.participants, ev.place, ev.initiator) if e)
    for r in res.roles:
        facts.roles.add(r.role)
        facts.ensured.update(e for e in (r.person, r.of, r.to) if e)
    return facts


def summarize(art: Article, res: ArticleResult, iris: Iris, digest: str | None = None) -> tuple[Extracted, bytes]:
    """What the caller of an engine needs of one extracted article: its content
    hash (``digest`` if the caller has it), counts and joining facts
    (:class:`kg.shards.Extracted`), and its named graph as N-Quads bytes. Made
    where the article was extracted (a worker), so the process that merges does
    no more per article than fold and load."""
    from .store import content_hash

    lines = article_lines(res, iris)
    graph = "".join(lines).encode("utf-8")
    by_source: dict[str, int] = {}
    for m, _ in res.mentions:
        by_source[m.source] = by_source.get(m.source, 0) + 1
    counts = {"mentions": len(res.mentions), "events": len(res.events), "roles": len(res.roles),
              "quotes": len(res.quotes), "by_source": by_source}
    summary = Extracted(None, digest or content_hash(art), counts, joining_facts(res, iris), 0, len(graph), len(lines))
    return summary, graph


def default_graph_lines(registry: Registry, sources: Iterable[str], roles: Iterable[str],
                        iris: Iris, shared: Iterable[str] = ()) -> list[str]:
    """The default graph, sorted: ontology, entities, publishers, roles, and the
    ``shared`` descriptions of events and memberships (:func:`shared_lines`)."""
    head = ontology_lines() + entity_lines(registry, iris) + publisher_lines(sorted(sources), iris) \
        + role_lines(sorted(roles), iris) + list(shared)
    return sorted(set(head))


#: articles handed to a worker process (or a Dask task) at a time; with at
#: most two batches per worker in flight, this bounds memory
BATCH = 256
#: the ways extraction can run: here (``--jobs`` forked processes) or on Dask
ENGINES = ("local", "dask")
_worker_state: tuple[Extractor, Iris] | None = None


def _add_timings(into: dict[str, float] | None, more: dict[str, float] | None) -> None:
    if into is not None and more:
        for k, v in more.items():
            into[k] = into.get(k, 0.0) + v


def _timed_read(articles: Iterable[Article], timings: dict[str, float]) -> Iterator[Article]:
    """``articles``, with the time spent reading them added to ``timings["read"]``."""
    clock = time.perf_counter
    it = iter(articles)
    while True:
        t0 = clock()
        try:
            art = next(it)
        except StopIteration:
            timings["read"] = timings.get("read", 0.0) + clock() - t0
            return
        timings["read"] = timings.get("read", 0.0) + clock() - t0
        yield art


def _extract_batch(batch: list[Article], extractor: Extractor, iris: Iris):
    """What :func:`summarize` gives of each article of a batch (without the
    articles: the caller has them), and the stage timings if asked for."""
    timed = extractor.timings is not None
    if timed:
        extractor.timings = {}
    out = []
    for art in batch:
        res = extractor(art)
        t0 = time.perf_counter() if timed else 0.0
        out.append(summarize(art, res, iris))
        if timed:
            extractor.timings["rdf"] = extractor.timings.get("rdf", 0.0) + time.perf_counter() - t0
    return out, extractor.timings


def _extracted(articles: Iterable[Article], extractor: Extractor, iris: Iris, jobs: int,
               engine: str = "local", scheduler: str | None = None):
    """``(article, summary, named-graph N-Quads)`` in input order (see
    :func:`summarize`). With ``jobs`` > 1
    the work runs in forked processes that share the loaded lexicons and model;
    with ``engine="dask"`` it runs on a Dask cluster (see :func:`_dask_batches`).
    Bad input still raises in this process, as articles are read here. If
    ``extractor.timings`` is a dict, the stages' seconds are added to it."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r} (not one of {', '.join(ENGINES)})")
    timings = extractor.timings
    if engine == "dask" and isinstance(articles, Inputs):
        # the workers read the inputs and write the named graphs to shards
        yield from sharded(articles, iris.base, jobs, scheduler, timings)
        return
    if timings is not None:
        articles = _timed_read(articles, timings)
    if engine == "local" and jobs <= 1:
        clock = time.perf_counter
        for art in articles:
            res = extractor(art)
            t0 = clock()
            summary, graph = summarize(art, res, iris)
            if timings is not None:
                timings["rdf"] = timings.get("rdf", 0.0) + clock() - t0
            yield art, summary, graph
        return
    batches = _batches(articles)
    if engine == "dask":
        results = _dask_batches(batches, iris, jobs, scheduler, timed=timings is not None)
    else:
        results = _pool_batches(batches, extractor, iris, jobs)
    for batch, (out, batch_timings) in results:
        _add_timings(timings, batch_timings)
        for art, (summary, graph) in zip(batch, out):
            yield art, summary, graph


def _batches(articles: Iterable[Article]) -> Iterator[list[Article]]:
    import itertools

    it = iter(articles)
    while batch := list(itertools.islice(it, BATCH)):
        yield batch


def _pool_batches(batches: Iterator[list[Article]], extractor: Extractor, iris: Iris, jobs: int):
    """``(batch, extracted batch)`` in order, from ``jobs`` forked processes; up to two
    batches per worker are handed out before the oldest is consumed, so the workers
    do not wait while the caller loads what they gave (as the Dask engine does)."""
    import multiprocessing
    from collections import deque

    global _worker_state
    _worker_state = (extractor, iris)
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        pending: deque = deque()
        for batch in batches:
            chunks = [batch[i:i + 8] for i in range(0, len(batch), 8)]
            pending.append((batch, pool.map_async(_extract_chunk, chunks)))
            if len(pending) >= 2 * jobs:
                yield _joined(*pending.popleft())
        while pending:
            yield _joined(*pending.popleft())


def _joined(batch, async_result):
    out, timings = [], {}
    for part, part_timings in async_result.get():
        out += part
        _add_timings(timings, part_timings)
    return batch, (out, timings or None)


def _extract_chunk(chunk: list[Article]):
    extractor, iris = _worker_state
    return _extract_batch(chunk, extractor, iris)


# -- Dask ----------------------------------------------------------------------
_dask_state: dict[str, tuple[Extractor, Iris]] = {}

#: glibc's mallopt parameters, and what a Dask worker sets them to (see :func:`tune_malloc`)
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
WORKER_MALLOC = {M_TRIM_THRESHOLD: 64 << 20, M_MMAP_THRESHOLD: 32 << 20}


def tune_malloc() -> bool:
    """Set glibc's trim and mmap thresholds to :data:`WORKER_MALLOC` in this process
    (whether it did: not elsewhere than glibc).

    Dask's nannies start workers with ``MALLOC_TRIM_THRESHOLD_=65536``, which also
    pins glibc's mmap threshold at 128 KB: every array of more than that (the
    recognizer's network makes several per article) is then mapped, zeroed and
    unmapped afresh, and recognition ran 25–30 % slower than in a plain process.
    These are about the sizes glibc itself grows the thresholds to."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        return all(libc.mallopt(param, value) == 1 for param, value in WORKER_MALLOC.items())
    except (OSError, AttributeError):
        return False


def dask_worker_state(base: str) -> tuple[Extractor, Iris]:
    """The extractor of this Dask worker process, made by its first task and
    kept in a module global, so that the lexicons and model load once; the
    first also sets the worker's malloc thresholds (:func:`tune_malloc`)."""
    if base not in _dask_state:
        if not _dask_state:
            tune_malloc()
        _dask_state[base] = (Extractor(), Iris(base))
    return _dask_state[base]


def _dask_extract(batch: list[Article], base: str, timed: bool):
    """A Dask task: extract one batch (see :func:`dask_worker_state`)."""
    extractor, iris = dask_worker_state(base)
    extractor.timings = {} if timed else None
    return _extract_batch(batch, extractor, iris)


def _worker_version() -> str:
    from .store import extractor_version

    return extractor_version()


@contextmanager
def dask_client(jobs: int, scheduler: str | None):
    """A Dask client of the cluster at ``scheduler``, or else of a LocalCluster of
    ``jobs`` single-threaded worker processes, closed afterwards. Workers that
    run another extractor version than this process are refused."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ValueError("the dask engine needs dask.distributed: pip install 'kg[dask]'") from None
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=50)
        client = Client(cluster)
    try:
        from .store import extractor_version

        mine = extractor_version()
        others = {w: v for w, v in client.run(_worker_version).items() if v != mine}
        if others:
            raise ValueError(f"Dask workers run another extractor than this one ({mine}): "
                             + ", ".join(f"{w}: {v}" for w, v in sorted(others.items())))
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _dask_batches(batches: Iterator[list[Article]], iris: Iris, jobs: int, scheduler: str | None,
                  timed: bool = False):
    """``(batch, extracted batch)`` in order, computed on a Dask cluster (see
    :func:`dask_client`) from articles read here. At most two batches per worker
    thread are in flight. (Inputs given by path go to :mod:`kg.shards` instead,
    whose workers read them.)"""
    from collections import deque

    with dask_client(jobs, scheduler) as client:
        threads = sum(client.nthreads().values()) or jobs
        pending: deque = deque()
        for batch in batches:
            pending.append((batch, client.submit(_dask_extract, batch, iris.base, timed, pure=False)))
            if len(pending) >= 2 * threads:
                b, fut = pending.popleft()
                yield b, fut.result()
        while pending:
            b, fut = pending.popleft()
            yield b, fut.result()


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
    engine: str = "local",
    scheduler: str | None = None,
    timings: dict[str, float] | None = None,
) -> BuildStats:
    """Extract every article and write the whole dataset as N-Quads to ``out``:
    the default graph (ontology, entities, publishers, roles, the descriptions of
    events and memberships) first, then one named graph per article in input
    order. The article graphs go to a temporary file first and are appended
    after the default graph, which is known only at the end. With ``jobs`` > 1, extraction runs in that many worker
    processes; with ``engine="dask"``, on a Dask cluster (``scheduler``, or a
    local one of ``jobs`` workers); the output is the same byte for byte. A
    ``timings`` dict gets the seconds of each stage (:data:`STAGES`; ``store``
    here is folding the joining facts and writing the N-Quads)."""
    import tempfile

    started = time.perf_counter()
    iris = Iris(base) if base else Iris()
    extractor = Extractor(recognizer)
    if engine == "dask" and recognizer is not None:
        raise ValueError("the dask engine uses the default recognizer")
    extractor.timings = timings
    registry = Registry(extractor.rec.lex)
    clock = time.perf_counter
    stats = BuildStats()
    sources: set[str] = set()
    roles_used: set[str] = set()
    shared: set[str] = set()
    with tempfile.TemporaryFile("w+b") as parts:
        for art, res, graph in _extracted(articles, extractor, iris, jobs, engine, scheduler):
            t0 = clock()
            facts = res.facts
            facts.apply(registry)
            roles_used.update(facts.roles)
            shared.update(facts.shared)
            counts = res.counts
            for src, n in counts["by_source"].items():
                stats.by_source[src] = stats.by_source.get(src, 0) + n
            stats.events += counts["events"]
            stats.roles += counts["roles"]
            stats.quotes += counts["quotes"]
            if art.source:
                sources.add(art.source)
            parts.write(graph)
            stats.articles += 1
            stats.mentions += counts["mentions"]
            stats.triples += res.lines
            if timings is not None:
                timings["store"] = timings.get("store", 0.0) + clock() - t0
            if progress:
                progress(art)
        t0 = clock()
        head = default_graph_lines(registry, sources, roles_used, iris, shared)
        out.writelines(head)
        stats.triples += len(head)
        parts.seek(0)
        _copy_bytes(parts, out)
        if timings is not None:
            timings["store"] = timings.get("store", 0.0) + clock() - t0
    stats.entities = len(registry.entities)
    for ent in registry.entities.values():
        stats.by_type[ent.type] = stats.by_type.get(ent.type, 0) + 1
    stats.seconds = time.perf_counter() - started
    return stats


def _copy_bytes(src, out: TextIO) -> None:
    """Append UTF-8 bytes from ``src`` to the text stream ``out``: to its buffer
    when it has one, else decoded (chunks may split a character)."""
    import codecs

    buffer = getattr(out, "buffer", None)
    if buffer is not None:
        out.flush()
        while chunk := src.read(1 << 20):
            buffer.write(chunk)
        return
    dec = codecs.getincrementaldecoder("utf-8")()
    while chunk := src.read(1 << 20):
        out.write(dec.decode(chunk))
    out.write(dec.decode(b"", final=True))


#: beyond this many articles a build draws no views unless asked (drawing the
#: network of a whole archive takes long and shows too much: use ``kg view
#: --focus`` or ``--max-nodes`` on it instead)
VIEW_AUTO_MAX_ARTICLES = 2000


def wants_views(views: bool | None, articles: int, out_dir) -> bool:
    """Whether to draw the view files; when not, stale ones in ``out_dir`` (of
    an earlier build) are removed, so nothing there disagrees with the graph."""
    from pathlib import Path

    from .view import VIEW_FILES

    draw = articles <= VIEW_AUTO_MAX_ARTICLES if views is None else views
    if not draw:
        for name in VIEW_FILES:
            (Path(out_dir) / name).unlink(missing_ok=True)
    return draw


def build_exports(
    inputs,
    out_dir,
    base: str | None = None,
    skip_bad: bool = False,
    on_error=None,
    progress: Callable[[Article], None] | None = None,
    jobs: int = 1,
    on_file: Callable[[str], None] | None = None,
    engine: str = "local",
    scheduler: str | None = None,
    timings: dict[str, float] | None = None,
    views: bool | None = None,
    shard_dir=None,
) -> tuple[BuildStats, list]:
    """Read ``inputs``, build the graph and write the four exports into
    ``out_dir``, then the views of it (graph.html, graph.graphml, graph.gexf),
    each atomically. The RDF exports change only if the whole build succeeds.
    ``views``: True, False, or None for "when the graph has at most
    :data:`VIEW_AUTO_MAX_ARTICLES` articles" (see :func:`wants_views`). With
    ``engine="dask"`` the workers read the inputs and write their named graphs
    to shards in ``shard_dir`` (see :mod:`kg.shards`; default: a temporary
    folder, which suits a cluster on this machine)."""
    import os
    import tempfile
    from pathlib import Path

    from .export import write_exports
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
            stats = build(Inputs(inputs, skip_bad=skip_bad, on_error=record, shard_dir=shard_dir), fh,
                          base=base, progress=progress, jobs=jobs, engine=engine,
                          scheduler=scheduler, timings=timings)
        stats.skipped = len(skipped)
        t0 = time.perf_counter()
        draw = wants_views(views, stats.articles, out_dir)
        written = write_exports(Path(tmp), out_dir, base, on_file=on_file, jobs=jobs,
                                meanwhile=(lambda nq: write_view_exports(nq, out_dir, on_file=on_file))
                                if draw else None)
        if timings is not None:
            timings["export"] = timings.get("export", 0.0) + time.perf_counter() - t0
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return stats, written
