"""The persistent store: an embedded Oxigraph (RocksDB) dataset that grows with
the news, plus a manifest of what it holds.

Layout of a store folder::

    DIR/kg-store.json    marker: format version and base IRI
    DIR/oxigraph/        the RDF dataset (one named graph per article + the default graph)
    DIR/manifest.sqlite  per article: content hash, extractor version, the facts it
                         adds to the default graph, and its named graph as
                         compressed N-Quads (what exports read: decoding the quads
                         from Oxigraph costs several lookups per quad)

Articles are ingested incrementally. An article whose content hash and
extractor version are already recorded is skipped; a changed article replaces
its named graph; :meth:`KgStore.remove` retracts articles. After every change
the default graph (entity descriptions, publishers, roles, and the descriptions
of events and memberships) is recomputed from the manifest, so the store always
holds exactly what a one-shot build of the same articles gives: an event two
articles report is one node (its IRI is deterministic), described once in the
default graph with what either article says of it, until both are removed.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Callable, Iterable, Iterator, TextIO

import pyoxigraph as ox

from . import __version__
from .io import Article
from .rdf import DEFAULT_BASE, ONT, Iris

#: 2: events and memberships are described in the default graph
FORMAT_VERSION = 2
MARKER = "kg-store.json"


class StoreError(ValueError):
    """A store folder is missing, of another kind, or used inconsistently."""


def is_store(path: str | Path) -> bool:
    return (Path(path) / MARKER).is_file()


def content_hash(article: Article) -> str:
    """Hash of everything of an article that reaches the graph."""
    record = [article.id, article.title, article.text, article.url, article.published, article.source]
    return hashlib.sha256(json.dumps(record, ensure_ascii=False).encode("utf-8")).hexdigest()


#: what the extractor's output depends on, besides the article
_EXTRACTOR_FILES = ("text.py", "io.py", "lexicon.py", "recognize.py", "ner.py", "neural.py", "kernels.py",
                    "resolve.py", "relations.py", "events.py", "timex.py", "rdf.py", "pipeline.py", "vocab.py")


@lru_cache(maxsize=1)
def extractor_version() -> str:
    """``kg <version>+<digest>``: the digest covers the extraction code, the
    language data, the model and the ontology, so a store notices any change."""
    h = hashlib.sha256()
    root = resources.files("kg")
    paths = [root / name for name in _EXTRACTOR_FILES]
    for folder in ("data", "models"):
        paths += _walk(root / folder)
    paths += _walk(resources.files("kg.ontology"))
    for p in sorted(paths, key=lambda p: str(p)):
        if p.name.endswith((".pyc", ".pyo")) or "__pycache__" in str(p):
            continue
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return f"kg {__version__}+{h.hexdigest()[:12]}"


def _walk(folder) -> list:
    out = []
    for entry in folder.iterdir():
        if entry.is_dir():
            out += _walk(entry)
        else:
            out.append(entry)
    return out


@dataclass
class IngestStats:
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    removed: int = 0
    mentions: int = 0
    events: int = 0
    roles: int = 0
    quotes: int = 0
    seconds: float = 0.0
    by_source: dict = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.replaced or self.removed)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY, hash TEXT NOT NULL, extractor TEXT NOT NULL, graph TEXT NOT NULL,
    source TEXT, origin TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS contributions (
    article TEXT NOT NULL, eid TEXT NOT NULL, type TEXT NOT NULL, cls TEXT NOT NULL,
    surface TEXT, counted INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS contributions_article ON contributions (article);
CREATE TABLE IF NOT EXISTS ensured (article TEXT NOT NULL, eid TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ensured_article ON ensured (article);
CREATE TABLE IF NOT EXISTS roles (article TEXT NOT NULL, role TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS roles_article ON roles (article);
CREATE TABLE IF NOT EXISTS shared (article TEXT NOT NULL, subject TEXT NOT NULL, line TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS shared_article ON shared (article);
CREATE INDEX IF NOT EXISTS shared_subject ON shared (subject);
CREATE INDEX IF NOT EXISTS contributions_eid ON contributions (eid);
CREATE INDEX IF NOT EXISTS ensured_eid ON ensured (eid);
CREATE TABLE IF NOT EXISTS graphs (article TEXT PRIMARY KEY, nquads BLOB NOT NULL);
"""

#: the N-Quads (in bytes) loaded into the store at once, in one transaction: the
#: bulk loader takes about a tenth less time with batches of 32 MB than of 16
#: (256 articles), and with 64 MB a few per cent less again but holds some
#: 100 MB more in memory
LOAD_BYTES = 32 << 20


class KgStore:
    """A store folder opened for reading (``read_only``) or for updates."""

    def __init__(self, path: str | Path, base: str | None = None, create: bool = False,
                 read_only: bool = False):
        self.path = Path(path)
        marker = self.path / MARKER
        if not marker.is_file():
            if not create:
                what = "no such folder" if not self.path.exists() else "not a kg store (no kg-store.json)"
                raise StoreError(f"{self.path}: {what}")
            if self.path.exists() and any(self.path.iterdir()):
                raise StoreError(f"{self.path}: folder exists and is not empty; not making a store in it")
            self.path.mkdir(parents=True, exist_ok=True)
            _write_json_atomic(marker, {"format": FORMAT_VERSION, "base": base or DEFAULT_BASE})
        meta = json.loads(marker.read_text("utf-8"))
        if meta.get("format") != FORMAT_VERSION:
            raise StoreError(f"{self.path}: store format {meta.get('format')} is not {FORMAT_VERSION}, "
                             f"which this kg reads; build a new store from the articles")
        self.base = meta["base"]
        if base and base != self.base:
            raise StoreError(f"{self.path}: the store's base IRI is {self.base}, not {base}")
        self.iris = Iris(self.base)
        self.read_only = read_only
        ox_path = str(self.path / "oxigraph")
        try:
            self.ox = ox.Store.read_only(ox_path) if read_only else ox.Store(ox_path)
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot open the Oxigraph store: {exc}") from None
        uri = (self.path / "manifest.sqlite").resolve().as_uri() + ("?mode=ro" if read_only else "")
        self.db = sqlite3.connect(uri, uri=True)
        if not read_only:
            self.db.executescript(_SCHEMA)
            if self._meta("dirty") == "1":
                # a run stopped between changing articles and recomputing the
                # default graph: finish its work
                self.refresh_default_graph()

    # -- bookkeeping -----------------------------------------------------
    def _meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
        self.db.commit()

    def articles(self) -> dict[str, tuple[str, str]]:
        """Article id → (content hash, extractor version)."""
        return {r[0]: (r[1], r[2]) for r in self.db.execute("SELECT id, hash, extractor FROM articles")}

    def info(self) -> dict:
        extractors = dict(self.db.execute(
            "SELECT extractor, COUNT(*) FROM articles GROUP BY extractor ORDER BY extractor"))
        return {
            "store": str(self.path),
            "base": self.base,
            "articles": sum(extractors.values()),
            "quads": len(self.ox),
            "extractors": extractors,
            "current_extractor": extractor_version(),
        }

    def close(self) -> None:
        self.db.close()
        if not self.read_only:
            self.ox.flush()
        del self.ox

    def __enter__(self) -> "KgStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- updates -----------------------------------------------------------
    def ingest(self, articles: Iterable[Article], extractor=None, jobs: int = 1,
               progress: Callable[[Article], None] | None = None, engine: str = "local",
               scheduler: str | None = None, timings: dict[str, float] | None = None) -> IngestStats:
        """Add or replace articles; unchanged ones (same content hash and
        extractor version) are skipped without being extracted again. Extraction
        runs here (``jobs`` processes) or on Dask (``engine``, ``scheduler``, as
        :func:`kg.pipeline.build`); ``timings`` gets the seconds of each stage."""
        from .pipeline import Extractor, _extracted
        from .shards import Inputs, sharded

        self._writable()
        started = time.perf_counter()
        stats = IngestStats()
        held = self.articles()
        version = extractor_version()
        seen: set[str] = set()

        def todo() -> Iterator[Article]:
            for art in articles:
                if art.id in seen:
                    raise StoreError(f"{art.origin or art.id}: article id {art.id!r} given twice")
                seen.add(art.id)
                if held.get(art.id) == (content_hash(art), version):
                    stats.unchanged += 1
                    if progress:
                        progress(art)
                    continue
                yield art

        extractor = extractor or Extractor()
        extractor.timings = timings
        clock = time.perf_counter
        # an empty store takes the fast, non-transactional loader (counting the
        # quads of a large store would take seconds: look for a first one)
        bulk = next(iter(self.ox), None) is None
        touched = _Touched()
        batch: list[tuple[Article, bytes, object]] = []  # (article, its graph's N-Quads, (hash, facts))
        size = 0

        def flush() -> None:
            nonlocal size
            if not batch:
                return
            t0 = clock()
            self._set_meta("dirty", "1")
            replaced = [a.id for a, _, _ in batch if a.id in held]
            for aid in replaced:
                self.ox.remove_graph(ox.NamedNode(self.iris.graph(aid)[1:-1]))
            data = b"".join(graph for _, graph, _ in batch)
            if bulk:
                self.ox.bulk_load(input=data, format=ox.RdfFormat.N_QUADS)
            else:
                self.ox.load(input=data, format=ox.RdfFormat.N_QUADS)
            with self.db:
                for art, graph, (digest, facts) in batch:
                    touched.note(*self._touched(art.id))
                    self._forget(art.id)
                    self._record(art, digest, version, facts)
                    self.db.execute("INSERT INTO graphs VALUES (?, ?)", (art.id, zlib.compress(graph, 1)))
                    touched.note(*self._touched(art.id))
            batch.clear()
            size = 0
            if timings is not None:
                timings["store"] = timings.get("store", 0.0) + clock() - t0

        if engine == "dask" and isinstance(articles, Inputs):
            # the workers read the inputs, skip what the store holds unchanged,
            # and write the named graphs to shards
            extracted = sharded(articles, self.base, jobs, scheduler, timings, held, version)
        else:
            extracted = _extracted(todo(), extractor, self.iris, jobs, engine, scheduler)
        for art, res, graph in extracted:
            if res is None:  # unchanged, found so by a Dask worker
                stats.unchanged += 1
                if progress:
                    progress(art)
                continue
            if art.id in held:
                stats.replaced += 1
            else:
                stats.added += 1
            counts = res.counts
            stats.mentions += counts["mentions"]
            stats.events += counts["events"]
            stats.roles += counts["roles"]
            stats.quotes += counts["quotes"]
            for src, n in counts["by_source"].items():
                stats.by_source[src] = stats.by_source.get(src, 0) + n
            batch.append((art, graph, (res.hash, res.facts)))
            size += len(graph)
            if size >= LOAD_BYTES:
                flush()
            if progress:
                progress(art)
        flush()
        t0 = clock()
        if stats.changed or self._meta("dirty") == "1" or self._default_stale():
            self.refresh_default_graph(None if bulk else touched)
        if timings is not None:
            timings["store"] = timings.get("store", 0.0) + clock() - t0
        stats.seconds = time.perf_counter() - started
        return stats

    def remove(self, ids: Iterable[str]) -> int:
        """Retract articles and everything only they supported."""
        self._writable()
        held = self.articles()
        ids = list(dict.fromkeys(ids))
        missing = [i for i in ids if i not in held]
        if missing:
            raise StoreError(f"{self.path}: no article {', '.join(map(repr, missing))} in the store")
        self._set_meta("dirty", "1")
        for aid in ids:
            self.ox.remove_graph(ox.NamedNode(self.iris.graph(aid)[1:-1]))
        touched = _Touched()
        with self.db:
            for aid in ids:
                touched.note(*self._touched(aid))
                self._forget(aid)
                self.db.execute("DELETE FROM articles WHERE id = ?", (aid,))
        self.refresh_default_graph(touched)
        return len(ids)

    def _writable(self) -> None:
        if self.read_only:
            raise StoreError(f"{self.path}: opened read-only")

    def _touched(self, aid: str) -> tuple[set[str], set[str]]:
        """The entity ids and the default-graph subjects (events, memberships)
        the manifest records for an article."""
        eids = {r[0] for r in self.db.execute(
            "SELECT eid FROM contributions WHERE article = ? UNION SELECT eid FROM ensured WHERE article = ?",
            (aid, aid))}
        subjects = {r[0] for r in self.db.execute("SELECT DISTINCT subject FROM shared WHERE article = ?", (aid,))}
        return eids, subjects

    def _forget(self, aid: str) -> None:
        for table in ("contributions", "ensured", "roles", "shared", "graphs"):
            self.db.execute(f"DELETE FROM {table} WHERE article = ?", (aid,))

    def _record(self, art: Article, digest: str, version: str, facts) -> None:
        self.db.execute("INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?, ?, ?)",
                        (art.id, digest, version, self.iris.graph(art.id)[1:-1],
                         art.source, art.origin))
        self.db.executemany("INSERT INTO contributions VALUES (?, ?, ?, ?, ?, ?)",
                            [(art.id, eid, t, c, s, int(n)) for eid, t, c, s, n in facts.contributions])
        self.db.executemany("INSERT INTO ensured VALUES (?, ?)", [(art.id, e) for e in sorted(facts.ensured)])
        self.db.executemany("INSERT INTO roles VALUES (?, ?)", [(art.id, r) for r in sorted(facts.roles)])
        self.db.executemany("INSERT INTO shared VALUES (?, ?, ?)",
                            [(art.id, line.split(" ", 1)[0], line) for line in facts.shared])

    def _default_stale(self) -> bool:
        return self._meta("default_graph") != extractor_version()

    def refresh_default_graph(self, touched: "_Touched | None" = None) -> int:
        """Recompute the default graph from the manifest; returns the number of
        quads that changed. With ``touched`` (what changed articles recorded
        before and after the change), only the descriptions of those entities,
        events and memberships are recomputed, with the publishers and roles;
        the result is the same as recomputing all of it (tested)."""
        from .lexicon import load_lexicon
        from .pipeline import default_graph_lines, entity_lines, publisher_lines, role_lines
        from .resolve import Registry

        dg = ox.DefaultGraph()
        if touched is not None and (self._default_stale() or self._meta("dirty") != "1"
                                    or not any(True for _ in self.ox.quads_for_pattern(None, None, None, dg))):
            touched = None  # no partial update from a state not known to be right
        registry = Registry(load_lexicon())
        if touched is None:
            where = ""
        else:
            self.db.execute("CREATE TEMP TABLE IF NOT EXISTS touched (eid TEXT PRIMARY KEY)")
            self.db.execute("DELETE FROM touched")
            self.db.executemany("INSERT INTO touched VALUES (?)", [(e,) for e in sorted(touched.eids)])
            where = " WHERE eid IN (SELECT eid FROM touched)"
        for row in self.db.execute("SELECT eid, type, cls, surface, counted FROM contributions" + where):
            registry.add_contribution(row[0], row[1], row[2], row[3], bool(row[4]))
        for eid, n in self.db.execute(
                "SELECT eid, COUNT(DISTINCT article) FROM contributions" + where + " GROUP BY eid"):
            registry.entities[eid].articles = n
        for (eid,) in self.db.execute("SELECT DISTINCT eid FROM ensured" + where + " ORDER BY eid"):
            registry.ensure(eid)
        sources = [r[0] for r in self.db.execute(
            "SELECT DISTINCT source FROM articles WHERE source IS NOT NULL AND source != ''")]
        roles = [r[0] for r in self.db.execute("SELECT DISTINCT role FROM roles")]
        held = self.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        if touched is None:
            shared = [r[0] for r in self.db.execute("SELECT DISTINCT line FROM shared")]
            lines = default_graph_lines(registry, sources, roles, self.iris, shared) if held else []
            old = set(self.ox.quads_for_pattern(None, None, None, dg))
        else:
            shared = []
            for subject in sorted(touched.subjects):
                shared += [r[0] for r in self.db.execute("SELECT DISTINCT line FROM shared WHERE subject = ?",
                                                         (subject,))]
            lines = entity_lines(registry, self.iris) + publisher_lines(sorted(sources), self.iris) \
                + role_lines(sorted(roles), self.iris) + shared if held else []
            subjects = {ox.NamedNode(self.iris.entity(e)[1:-1]) for e in touched.eids}
            subjects |= {ox.NamedNode(s[1:-1]) for s in touched.subjects}
            rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
            for cls, prefix in (("NewsMediaOrganization", "publisher/"), ("Role", "role/")):
                of_class = self.ox.quads_for_pattern(None, rdf_type, ox.NamedNode(ONT + cls), dg)
                subjects |= {q.subject for q in of_class if q.subject.value.startswith(self.base + prefix)}
            old = {q for s_ in subjects for q in self.ox.quads_for_pattern(s_, None, None, dg)}
        data = "".join(lines).encode("utf-8")
        if not old and not any(True for _ in self.ox.quads_for_pattern(None, None, None, dg)):
            # nothing to compare with (a first build): the bulk loader is several
            # times faster than a transaction of this many quads
            self.ox.bulk_load(input=data, format=ox.RdfFormat.N_QUADS)
            changed = len(set(lines))
        else:
            new = set(ox.parse(input=data, format=ox.RdfFormat.N_QUADS))
            for q in old - new:
                self.ox.remove(q)
            self.ox.extend(new - old)
            changed = len(old ^ new)
        self._set_meta("default_graph", extractor_version())
        self._set_meta("dirty", "0")
        return changed

    # -- reading -------------------------------------------------------------
    @property
    def _prefix_base(self) -> str | None:
        """The ``res:`` prefix of exports, as a build with the same base gives."""
        return None if self.base == DEFAULT_BASE else self.base

    def write_nquads(self, out: TextIO) -> int:
        """The whole dataset as sorted N-Quads in the order a build writes it:
        the default graph, then each article's graph by article id. An
        article's graph is the N-Quads the manifest keeps of it (the lines that
        were loaded, sorted); a graph the manifest lacks is dumped from
        Oxigraph instead."""
        # each graph dumped as N-Triples by Oxigraph, its graph name put before
        # the final " .": sorting these lines sorts the quads' lines too, as
        # the name follows the triple after a space
        # (lines split at "\n" only: literals may hold other line separators)
        def dumped(graph) -> list[str]:
            return self.ox.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph).decode("utf-8").split("\n")[:-1]

        default = sorted(line + "\n" for line in dumped(ox.DefaultGraph()))
        out.writelines(default)
        n = len(default)
        kept_graphs = self.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'graphs'").fetchone()
        for graph, kept in self.db.execute(
                "SELECT graph, nquads FROM articles LEFT JOIN graphs ON graphs.article = articles.id ORDER BY id"
                if kept_graphs else "SELECT graph, NULL FROM articles ORDER BY id"):
            if kept is not None:
                text = zlib.decompress(kept).decode("utf-8")
                out.write(text)
                n += text.count("\n")
                continue
            g = ox.NamedNode(graph)
            suffix = f" {g} .\n"
            lines = sorted(line[:-2] + suffix for line in dumped(g))
            out.writelines(lines)
            n += len(lines)
        return n

    def export(self, out_dir: Path, on_file: Callable[[str], None] | None = None,
               jobs: int = 1, views: bool | None = None) -> list[Path]:
        """Write the four exports of the store and its views into ``out_dir``, each
        atomically; with ``jobs`` > 1, the syntaxes are written in that many
        processes while this one draws the views (``views``: see
        :func:`kg.pipeline.wants_views`)."""
        from .export import write_exports
        from .pipeline import wants_views
        from .view import write_view_exports

        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".graph.nq.", suffix=".export", dir=out_dir)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                self.write_nquads(fh)
            return write_exports(Path(tmp), out_dir, self._prefix_base, on_file=on_file, jobs=jobs,
                                 meanwhile=(lambda _nq: write_view_exports(self.ox, out_dir, on_file=on_file))
                                 if wants_views(views, len(self.articles()), out_dir) else None)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    def export_file(self, target: Path, fmt: ox.RdfFormat) -> Path:
        """Write the store in one syntax to ``target``, atomically."""
        from .export import _umask, serialize_nquads

        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".nq", dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                self.write_nquads(fh)
            if fmt == ox.RdfFormat.N_QUADS:
                os.chmod(tmp, 0o666 & ~_umask())
                os.replace(tmp, target)
            else:
                serialize_nquads(Path(tmp), target, fmt, self._prefix_base)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return target


@dataclass
class _Touched:
    """Entity ids and default-graph subjects whose descriptions a change may alter."""
    eids: set = field(default_factory=set)
    subjects: set = field(default_factory=set)

    def note(self, eids: set[str], subjects: set[str]) -> None:
        self.eids |= eids
        self.subjects |= subjects


def _write_json_atomic(path: Path, data: dict) -> None:
    from .export import atomic_path

    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def open_graph(path: str | Path) -> ox.Store:
    """An Oxigraph store to read: a kg store folder (opened read-only) or an
    export file loaded into memory."""
    from .query import load_graph

    if Path(path).is_dir():
        try:
            return KgStore(path, read_only=True).ox
        except StoreError as exc:
            from .query import QueryError
            raise QueryError(str(exc)) from None
    return load_graph(path)
