"""Extraction engines: forked processes and Dask give the bytes of one process.

The Dask tests run a LocalCluster of two single-threaded worker processes, the
shape of the smallest real cluster; batches are made small so that the seeds
span several tasks and the order of their results matters."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg import pipeline, shards
from kg.io import Article, InputError
from kg.cli import cli
from kg.export import FORMATS
from kg.pipeline import STAGES, build_exports
from kg.view import VIEW_FILES

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def same_files(a: Path, b: Path, names=(*FORMATS, *VIEW_FILES)) -> None:
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, silence_logs=50) as c:
        yield c


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(pipeline, "BATCH", 2)
    monkeypatch.setattr(shards, "PARTITION", 2)


def test_forked_processes_in_small_batches_give_the_same_bytes(seeds_build, tmp_path, small_batches):
    out, _ = seeds_build
    build_exports([SEEDS], tmp_path, jobs=2)
    same_files(out, tmp_path)


def test_dask_gives_the_same_bytes(seeds_build, cluster, tmp_path, small_batches):
    out, stats = seeds_build
    dask_stats, _ = build_exports([SEEDS], tmp_path, engine="dask", scheduler=cluster.scheduler_address)
    same_files(out, tmp_path)
    assert dask_stats.triples == stats.triples and dask_stats.entities == stats.entities


def test_dask_workers_load_the_extractor_once(cluster, tmp_path, small_batches):
    from distributed import Client

    build_exports([SEEDS], tmp_path, engine="dask", scheduler=cluster.scheduler_address)
    with Client(cluster.scheduler_address) as client:
        held = client.run(lambda: len(__import__("kg.pipeline").pipeline._dask_state))
    # 3 partitions over 2 workers: every worker that ran one made one extractor
    assert set(held.values()) <= {0, 1} and sum(held.values()) >= 1


def test_dask_into_a_store_gives_the_same_exports(seeds_build, cluster, tmp_path, small_batches):
    from kg.store import KgStore
    from kg.io import read_articles

    out, _ = seeds_build
    with KgStore(tmp_path / "store", create=True) as st:
        stats = st.ingest(read_articles([SEEDS]), engine="dask", scheduler=cluster.scheduler_address)
        assert stats.added == 5
        st.export(tmp_path / "out")
    # a store writes its graphs by article id, a build in input order: compare the sets
    a = sorted((out / "graph.nq").read_text("utf-8").splitlines())
    b = sorted((tmp_path / "out" / "graph.nq").read_text("utf-8").splitlines())
    assert a == b


def test_dask_workers_read_the_inputs_and_write_shards(seeds_build, cluster, tmp_path, small_batches, monkeypatch):
    """With inputs given by path, the client sends only partitions (never an
    article) and reads back shards the workers wrote in --shards."""
    sent = []

    def spy(client_submit):
        def submit(self, fn, *args, **kw):
            sent.append(args)
            return client_submit(self, fn, *args, **kw)
        return submit

    from distributed import Client
    monkeypatch.setattr(Client, "submit", spy(Client.submit))
    out, _ = seeds_build
    shard_dir = tmp_path / "shards"
    build_exports([SEEDS], tmp_path / "out", engine="dask", scheduler=cluster.scheduler_address,
                  shard_dir=shard_dir)
    same_files(out, tmp_path / "out")
    parts = [a[0] for a in sent]
    assert [p.index for p in parts] == [0, 1, 2] and all(isinstance(p, shards.Partition) for p in parts)
    assert not any(isinstance(x, Article) for a in sent for x in a)
    assert sum(len(p.paths) for p in parts) == 5
    assert shard_dir.is_dir() and not list(shard_dir.iterdir())  # each shard read back, then deleted


def _jsonl(path: Path, records: list) -> Path:
    import json

    path.write_text("".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n"
                            for r in records), encoding="utf-8")
    return path


def seed_records() -> list[dict]:
    from kg.io import read_articles

    return [{"id": a.id, "text": a.text} for a in read_articles([SEEDS])]


def test_dask_partitions_of_a_jsonl_file_give_the_local_bytes_and_errors(cluster, tmp_path, small_batches):
    recs = seed_records()
    good = _jsonl(tmp_path / "good.jsonl", recs)
    build_exports([good], tmp_path / "local", jobs=1)
    build_exports([good], tmp_path / "dask", engine="dask", scheduler=cluster.scheduler_address)
    same_files(tmp_path / "local", tmp_path / "dask")
    # a bad record and a duplicate id in later partitions: the same errors as
    # reading here, raised or (with skip_bad) reported and skipped
    bad = _jsonl(tmp_path / "bad.jsonl", recs[:3] + ['{"id": "x"}'] + recs[3:] + [recs[0]])
    for engine in ("local", "dask"):
        with pytest.raises(InputError, match=r"bad.jsonl:4: field 'text': required field is missing"):
            build_exports([bad], tmp_path / f"fail-{engine}", engine=engine,
                          scheduler=cluster.scheduler_address if engine == "dask" else None)
    errors = {}
    for engine in ("local", "dask"):
        errors[engine] = []
        stats, _ = build_exports([bad], tmp_path / f"skip-{engine}", engine=engine, skip_bad=True,
                                 on_error=lambda e, into=errors[engine]: into.append(str(e)),
                                 scheduler=cluster.scheduler_address if engine == "dask" else None)
        assert stats.articles == 5
    assert errors["dask"] == errors["local"] and len(errors["local"]) == 2
    assert "bad.jsonl:7: field 'id': duplicate id" in errors["local"][1]
    same_files(tmp_path / "local", tmp_path / "skip-dask")


def test_dask_workers_skip_what_a_store_holds_unchanged(seeds_build, cluster, tmp_path, small_batches):
    from kg.shards import Inputs
    from kg.store import KgStore

    out, _ = seeds_build
    with KgStore(tmp_path / "store", create=True) as st:
        first = st.ingest(Inputs([SEEDS]), engine="dask", scheduler=cluster.scheduler_address)
        before = set(st.ox)
        again = st.ingest(Inputs([SEEDS]), engine="dask", scheduler=cluster.scheduler_address)
        assert (first.added, again.added, again.unchanged, again.mentions) == (5, 0, 5, 0)
        assert set(st.ox) == before
        st.export(tmp_path / "out")
    a = sorted((out / "graph.nq").read_text("utf-8").splitlines())
    b = sorted((tmp_path / "out" / "graph.nq").read_text("utf-8").splitlines())
    assert a == b


def test_cli_build_on_dask(seeds_build, cluster, tmp_path):
    out, _ = seeds_build
    result = CliRunner().invoke(cli, ["build", str(SEEDS), "-o", str(tmp_path), "-q",
                                      "--engine", "dask", "--scheduler", cluster.scheduler_address])
    assert result.exit_code == 0, result.output
    same_files(out, tmp_path, FORMATS)


def test_scheduler_needs_the_dask_engine(tmp_path):
    result = CliRunner().invoke(cli, ["build", str(SEEDS), "-o", str(tmp_path), "--scheduler", "tcp://x:1"])
    assert result.exit_code == 2 and "--engine dask" in result.output


def test_unknown_engine_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown engine"):
        build_exports([SEEDS], tmp_path, engine="spark")


@pytest.mark.parametrize("jobs", [1, 2])
def test_stage_timings_cover_every_stage(tmp_path, jobs):
    timings: dict = {}
    build_exports([SEEDS], tmp_path, jobs=jobs, timings=timings)
    assert set(timings) == set(STAGES)
    assert all(v >= 0 for v in timings.values())


def test_dask_workers_with_another_extractor_are_refused(cluster, tmp_path):
    from distributed import Client

    def set_version(v):
        import kg.store
        if v is None:
            kg.store.extractor_version = kg.store._real_extractor_version
        else:
            kg.store._real_extractor_version = kg.store.extractor_version
            kg.store.extractor_version = lambda: v

    with Client(cluster.scheduler_address) as client:
        client.run(set_version, "kg 0.0.0+other")
        try:
            with pytest.raises(ValueError, match="another extractor"):
                build_exports([SEEDS], tmp_path, engine="dask", scheduler=cluster.scheduler_address)
        finally:
            client.run(set_version, None)


def test_store_export_keeps_literals_with_unicode_line_separators(tmp_path):
    """N-Triples escapes only \\n and \\r: U+2028, U+0085 and form feeds stay in
    literals, and the store's N-Quads must not split lines at them."""
    import pyoxigraph as ox

    from kg.io import Article
    from kg.pipeline import build
    from kg.store import KgStore

    arts = [Article(id="a", text="قال الرئيس المصري\u2028 في القاهرة\x85 اليوم\x0c إن الاجتماع انتهى.")]
    with KgStore(tmp_path / "store", create=True) as st:
        st.ingest(arts)
        st.export(tmp_path / "out")
        # the graph the manifest keeps is what Oxigraph's dump of it gives
        kept = (tmp_path / "out" / "graph.nq").read_bytes()
        st.db.execute("DELETE FROM graphs")
        st.export(tmp_path / "dumped")
        assert (tmp_path / "dumped" / "graph.nq").read_bytes() == kept
    with open(tmp_path / "built.nq", "w", encoding="utf-8", newline="\n") as fh:
        build(arts, fh)
    got = set(ox.parse(path=str(tmp_path / "out" / "graph.nq"), format=ox.RdfFormat.N_QUADS))
    assert got == set(ox.parse(path=str(tmp_path / "built.nq"), format=ox.RdfFormat.N_QUADS))


def test_a_dask_worker_undoes_the_nannys_malloc_trim_setting(tmp_path):
    """With Dask's MALLOC_TRIM_THRESHOLD_=65536 every array over 128 KB is mapped
    and zeroed afresh (page faults each time); after tune_malloc, freed arrays
    are reused. Run in a fresh process, as a worker is."""
    code = textwrap.dedent("""
        import resource
        import numpy as np
        from kg.pipeline import tune_malloc

        def faults():
            before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
            for _ in range(200):
                a = np.ones(1 << 18, dtype=np.float32)  # 1 MB
                del a
            return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before

        faults()
        pinned = faults()
        tuned = tune_malloc()
        faults()
        print(pinned, tuned, faults())
    """)
    env = {**os.environ, "MALLOC_TRIM_THRESHOLD_": "65536"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    pinned, tuned, after = out.stdout.split()
    assert tuned == "True"
    assert int(pinned) >= 200 * 200  # about 256 pages an array
    assert int(after) < int(pinned) / 20
