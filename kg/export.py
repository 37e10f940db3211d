"""Exports: the four syntaxes of one build, written atomically.

``graph.nq`` is written by the pipeline; Oxigraph re-serializes it, in the
same (sorted) order, to TriG, Turtle (the union of all graphs) and JSON-LD, so
every run on the same input gives the same bytes.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import pyoxigraph as ox

from .rdf import PREFIXES

#: file name -> Oxigraph format, in the order they are written
FORMATS = {
    "graph.nq": ox.RdfFormat.N_QUADS,
    "graph.trig": ox.RdfFormat.TRIG,
    "graph.ttl": ox.RdfFormat.TURTLE,
    "graph.jsonld": ox.RdfFormat.JSON_LD,
}
#: format names accepted on the command line
FORMAT_NAMES = {
    "nq": ox.RdfFormat.N_QUADS, "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "ttl": ox.RdfFormat.TURTLE, "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD, "json-ld": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML, "rdfxml": ox.RdfFormat.RDF_XML,
}


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target`` that replaces it only on success."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~_umask())
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _prefixes(base: str | None) -> dict[str, str]:
    prefixes = dict(PREFIXES)
    if base:
        prefixes["res"] = base
    return prefixes


def serialize_nquads(nq_path: Path, target: Path, fmt: ox.RdfFormat, base: str | None = None) -> None:
    """Re-serialize an N-Quads file (in its own order) to ``target``, atomically.
    A syntax without graphs gets the union of the graphs, each triple once, in
    the order of its first occurrence; the quads stream through either way."""
    with atomic_path(target) as tmp:
        if fmt.supports_datasets:
            quads = ox.parse(path=str(nq_path), format=ox.RdfFormat.N_QUADS)
        else:
            quads = union_triples(nq_path)
        ox.serialize(quads, str(tmp), fmt, prefixes=_prefixes(base) if fmt != ox.RdfFormat.N_QUADS else None)


def union_triples(nq_path: Path) -> Iterator[ox.Triple]:
    """The triples of an N-Quads file, each once, in the order they first occur.

    Two passes keep memory flat: the first keeps only a 64-bit hash of each
    triple (8 bytes in an array) and finds the hashes seen more than once; the
    second remembers the triples themselves only for those few hashes (the
    triples that recur, such as a cross-article event's, and any collision),
    so no triple is dropped by mistake."""
    from array import array

    buckets = [array("q") for _ in range(256)]
    for q in ox.parse(path=str(nq_path), format=ox.RdfFormat.N_QUADS):
        h = hash(q.triple)
        buckets[h & 255].append(h)
    repeated: set[int] = set()
    for bucket in buckets:
        once: set[int] = set()
        for h in bucket:
            if h in once:
                repeated.add(h)
            else:
                once.add(h)
    del buckets, once
    seen: set[ox.Triple] = set()
    for q in ox.parse(path=str(nq_path), format=ox.RdfFormat.N_QUADS):
        t = q.triple
        if hash(t) in repeated:
            if t in seen:
                continue
            seen.add(t)
        yield t


def write_exports(nq_tmp: Path, out_dir: Path, base: str | None = None,
                  on_file: Callable[[str], None] | None = None, jobs: int = 1,
                  meanwhile: Callable[[Path], list[Path]] | None = None) -> list[Path]:
    """Turn a finished N-Quads file into the four exports in ``out_dir``
    (``on_file`` is told each file name as its writing starts). With ``jobs`` >
    1, up to that many forked processes write TriG, Turtle and JSON-LD at
    once. ``meanwhile`` (given the N-Quads file's path) runs in this process
    while they do, and its files are added to the ones returned.

    Every file is first written under a temporary name in ``out_dir`` and then
    renamed, so a failure leaves the previous exports untouched."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    staged = []
    try:
        for name in FORMATS:
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out_dir)
            os.close(fd)
            staged.append((Path(tmp), out_dir / name))
        nq = staged[0][0]
        os.replace(nq_tmp, nq)
        tasks = [(nq, tmp, name, base) for (tmp, _), name in zip(staged[1:], list(FORMATS)[1:])]
        if on_file:
            on_file(list(FORMATS)[0])
        extra = []
        if jobs > 1:
            import multiprocessing

            with multiprocessing.get_context("fork").Pool(min(jobs, len(tasks))) as pool:
                if on_file:
                    for name in list(FORMATS)[1:]:
                        on_file(name)
                done = pool.starmap_async(_serialize_named, tasks)
                if meanwhile:
                    extra = meanwhile(nq)
                done.get()
        else:
            for task in tasks:
                if on_file:
                    on_file(task[2])
                _serialize_named(*task)
            if meanwhile:
                extra = meanwhile(nq)
        mode = 0o666 & ~_umask()
        for tmp, target in staged:
            os.chmod(tmp, mode)
            os.replace(tmp, target)
            written.append(target)
    finally:
        for tmp, _ in staged:
            if tmp.exists():
                tmp.unlink()
    return written + extra


def _serialize_named(nq: Path, tmp: Path, name: str, base: str | None) -> None:
    serialize_nquads(nq, tmp, FORMATS[name], base)
