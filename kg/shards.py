"""Extraction on a Dask cluster whose workers read the inputs and write sharded
N-Quads themselves.

The client (``kg build … --engine dask``) splits the inputs into partitions
(a JSON Lines file into ranges of lines, folders of ``.txt`` files into runs of
files) and sends each worker only the partition's description. The worker reads
those articles from the path (which it must reach: a shared file system, with
absolute paths), extracts them, writes their named graphs to a shard file
``part-NNNNNN.nq`` in the shard folder (which the client must reach too), and
returns what joins articles: per article its id, content hash, counts and
joining facts (:class:`kg.pipeline.JoiningFacts`), and where its lines sit in
the shard. The client then merges in input order: it folds the joining facts
into the entity registry and the default graph, checks ids are unique across
partitions, and bulk-loads the shards into the store or appends them to the
exports, so the output is the one of ``--jobs 1`` byte for byte. Cross-article
merging needs no more than that: entity, event and membership IRIs are
deterministic, so two workers describing one event describe the same node.
"""

from __future__ import annotations

import gzip
import os
import shutil
import tempfile
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from .io import Article, InputError, _files, _kind, _read_jsonl, _read_txt, read_articles

#: articles (JSON Lines lines or .txt files) in one partition
PARTITION = 1024


@dataclass(frozen=True)
class Partition:
    """A run of input: lines ``start``..``stop`` (1-based, ``stop`` excluded)
    of one JSON Lines file, or a list of ``.txt`` files."""
    index: int
    paths: tuple[str, ...]
    start: int = 0
    stop: int = 0


class Inputs:
    """Articles given by path. Iterating reads them here (as
    :func:`kg.io.read_articles`); the Dask engine instead hands
    :meth:`partitions` of them to its workers."""

    def __init__(self, paths, skip_bad: bool = False, on_error: Callable[[InputError], None] | None = None,
                 shard_dir: str | Path | None = None, partition: int | None = None):
        self.paths = [Path(p) for p in paths]
        self.skip_bad, self.on_error = skip_bad, on_error
        self.shard_dir = Path(shard_dir) if shard_dir else None
        self.partition = partition or PARTITION

    def __iter__(self) -> Iterator[Article]:
        return read_articles(self.paths, skip_bad=self.skip_bad, on_error=self.on_error)

    def partitions(self) -> list[Partition]:
        parts: list[Partition] = []
        txt: list[str] = []

        def flush_txt():
            if txt:
                parts.append(Partition(len(parts), tuple(txt)))
                txt.clear()

        for path in _files(self.paths):
            path = str(path.resolve())
            if _kind(Path(path)) == "txt":
                txt.append(path)
                if len(txt) >= self.partition:
                    flush_txt()
                continue
            flush_txt()
            lines = _count_lines(Path(path))
            for start in range(1, lines + 1, self.partition):
                parts.append(Partition(len(parts), (path,), start, min(start + self.partition, lines + 1)))
        flush_txt()
        return parts


def _count_lines(path: Path) -> int:
    opener = gzip.open if path.name.endswith(".gz") else open
    n, last = 0, b"\n"
    with opener(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            n += chunk.count(b"\n")
            last = chunk[-1:]
    return n + (last != b"\n")


def read_partition(part: Partition) -> Iterator[Article | InputError]:
    """The articles (or bad records) of a partition, as :mod:`kg.io` reads them."""
    if part.stop == 0:
        for p in part.paths:
            yield from _read_txt(Path(p))
        return
    yield from _read_jsonl(Path(part.paths[0]), part.start, part.stop)


@dataclass
class Extracted:
    """What an engine gives the merging process for one extracted article (see
    :func:`kg.pipeline.summarize`): all but its named graph, whose N-Quads come
    beside it, or here sit in a shard at ``offset`` (``length`` bytes, ``lines``
    lines)."""
    article: Article | None  # from a Dask worker: the article without its text
    hash: str  # content hash (kg.store.content_hash)
    counts: dict  # mentions, events, roles, quotes, by_source
    facts: object  # kg.pipeline.JoiningFacts
    offset: int = 0
    length: int = 0
    lines: int = 0


@dataclass
class ShardResult:
    shard: str
    items: list = field(default_factory=list)  # Extracted | InputError | ("unchanged", Article)
    timings: dict | None = None


def _shard_task(part: Partition, base: str, shard_dir: str, held: dict | None, version: str | None,
                timed: bool) -> ShardResult:
    """A Dask task: read, extract and shard one partition. The extractor is made
    once per worker process."""
    from .pipeline import dask_worker_state, summarize
    from .store import content_hash

    extractor, iris = dask_worker_state(base)
    timings: dict | None = {} if timed else None
    extractor.timings = timings
    clock = time.perf_counter
    shard = Path(shard_dir) / f"part-{part.index:06d}.nq"
    out = ShardResult(str(shard), timings=timings)
    tmp = shard.with_suffix(".tmp")
    offset = 0
    with open(tmp, "wb") as fh:
        items = read_partition(part)
        while True:
            t0 = clock()
            item = next(items, None)
            if timings is not None:
                timings["read"] = timings.get("read", 0.0) + clock() - t0
            if item is None:
                break
            if isinstance(item, InputError):
                out.items.append(item)
                continue
            digest = content_hash(item)
            stub = Article(id=item.id, text="", title=item.title, url=item.url, published=item.published,
                           source=item.source, origin=item.origin)
            if held is not None and held.get(item.id) == (digest, version):
                out.items.append(("unchanged", stub))
                continue
            res = extractor(item)
            t0 = clock()
            summary, data = summarize(item, res, iris, digest)
            if timings is not None:
                timings["rdf"] = timings.get("rdf", 0.0) + clock() - t0
            fh.write(data)
            summary.article, summary.offset = stub, offset
            out.items.append(summary)
            offset += len(data)
    os.replace(tmp, shard)
    return out


def sharded(inputs: Inputs, base: str, jobs: int, scheduler: str | None, timings: dict | None = None,
            held: dict | None = None, version: str | None = None) -> Iterator[tuple]:
    """``(article, extracted, N-Quads bytes)`` in input order from the workers' shards, or
    ``(article, None, None)`` for an article of ``held`` that has not changed
    (same id, content hash and ``version``); the workers' stage seconds are
    added to ``timings`` if given. Bad records and duplicate ids are
    raised, or with ``inputs.skip_bad`` reported and skipped, as
    :func:`kg.io.read_articles` does. The shards are read back here and deleted;
    a shard folder made here is removed at the end."""
    from .pipeline import dask_client

    own = inputs.shard_dir is None
    shard_dir = Path(tempfile.mkdtemp(prefix="kg-shards-")) if own else inputs.shard_dir
    shard_dir.mkdir(parents=True, exist_ok=True)
    seen: dict[str, str] = {}
    try:
        with dask_client(jobs, scheduler) as client:
            threads = sum(client.nthreads().values()) or jobs
            pending: deque = deque()
            # what the store holds goes to every worker once, not with every task
            known = client.scatter(held, broadcast=True) if held else held

            def results():
                for part in inputs.partitions():
                    pending.append(client.submit(_shard_task, part, base, str(shard_dir), known, version,
                                                 timings is not None, pure=False))
                    if len(pending) >= 2 * threads:
                        yield pending.popleft().result()
                while pending:
                    yield pending.popleft().result()

            for result in results():
                with open(result.shard, "rb") as fh:
                    data = fh.read()
                os.unlink(result.shard)
                if timings is not None:
                    for k, v in (result.timings or {}).items():
                        timings[k] = timings.get(k, 0.0) + v
                for item in result.items:
                    if isinstance(item, tuple):  # unchanged
                        seen[item[1].id] = item[1].origin
                        yield item[1], None, None
                        continue
                    if isinstance(item, Extracted) and item.article.id in seen:
                        art = item.article
                        path, line = _origin(art.origin)
                        item = InputError(path, line, "id", f"duplicate id {art.id!r} (first at {seen[art.id]})")
                    if isinstance(item, InputError):
                        if not inputs.skip_bad:
                            raise item
                        if inputs.on_error:
                            inputs.on_error(item)
                        continue
                    seen[item.article.id] = item.article.origin
                    yield item.article, item, data[item.offset:item.offset + item.length]
    finally:
        if own:
            shutil.rmtree(shard_dir, ignore_errors=True)


def _origin(origin: str) -> tuple[str, int | None]:
    """``path:line`` of a JSON Lines record, or the path of a ``.txt`` file."""
    path, _, line = origin.rpartition(":")
    if path and _kind(Path(path)) == "jsonl" and line.isdigit():
        return path, int(line)
    return origin, None
