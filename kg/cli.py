"""The ``kg`` command line: a thin layer over the library."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from . import __version__
from .io import InputError


class Progress:
    """A one-line progress display on standard error: count, rate, elapsed time.
    Silent when standard error is not a terminal."""

    def __init__(self, label: str, every: float = 0.2):
        self.label, self.every = label, every
        self.count = 0
        self.started = self.shown = time.perf_counter()
        self.tty = sys.stderr.isatty()
        self.closed = False

    def __call__(self, _item=None) -> None:
        self.count += 1
        now = time.perf_counter()
        if self.tty and now - self.shown >= self.every:
            self.shown = now
            self._show(now)

    def _show(self, now: float) -> None:
        elapsed = now - self.started
        rate = self.count / elapsed if elapsed else 0.0
        click.echo(f"\r{self.label}: {self.count} ({rate:,.0f}/s, {elapsed:.0f} s)", err=True, nl=False)

    def close(self) -> None:
        if self.tty and self.count and not self.closed:
            self._show(time.perf_counter())
            click.echo("", err=True)
        self.closed = True

    def stage(self, what: str) -> None:
        """A later stage has begun (the articles are done): say so on its own line."""
        self.close()
        click.echo(f"writing {what}", err=True)


@click.group()
@click.version_option(__version__, prog_name="kg")
def cli():
    """Build and query a knowledge graph of Arabic news."""


@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for graph.ttl, graph.trig, graph.nq, graph.jsonld and the views.")
@click.option("--store", "store_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Persistent store to add the articles to (made if missing); with -o the "
                   "exports are then written from the whole store.")
@click.option("--base", default=None, help="Base IRI of the resources (default https://w3id.org/kg-ar/resource/).")
@click.option("--skip-bad", is_flag=True, help="Report bad records and skip them instead of stopping.")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Extraction processes (the output is the same for any number).")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Where extraction runs: here (--jobs processes) or on a Dask cluster.")
@click.option("--scheduler", metavar="ADDRESS", default=None,
              help="With --engine dask: the scheduler to use (e.g. tcp://host:8786); "
                   "without it, a local cluster of --jobs worker processes.")
@click.option("--shards", "shard_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="With --engine dask: the folder, reachable by the workers and by this machine, where "
                   "the workers write the named graphs they extract (default: a temporary folder here, "
                   "which suits a local cluster).")
@click.option("--views/--no-views", default=None,
              help="Draw graph.html, graph.graphml and graph.gexf too (default: when the graph has at "
                   "most 2,000 articles; beyond, use kg view with --focus or --max-nodes).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def build(inputs, out_dir, store_dir, base, skip_bad, quiet, jobs, engine, scheduler, shard_dir, views):
    """Build the graph of INPUTS (.txt files, folders of them, .jsonl/.jsonl.gz) into
    the exports in OUT, or into a persistent store (or both).

    \b
    Example:
        kg build seeds/ -o exports/
        kg build seeds/ --store store/ -o exports/
        kg build more-articles.jsonl --store store/      # adds to it
        kg build articles.jsonl.gz -o out/ --skip-bad -j 2
        kg build articles.jsonl.gz -o out/ --engine dask --scheduler tcp://10.0.0.5:8786
    """
    from .pipeline import build_exports

    if out_dir is None and store_dir is None:
        raise click.UsageError("give -o OUT, --store DIR, or both")
    if (scheduler or shard_dir) and engine != "dask":
        raise click.UsageError("--scheduler and --shards go with --engine dask")
    run = {"jobs": jobs, "engine": engine, "scheduler": scheduler}

    def on_error(err):
        click.echo(f"skipped: {err}", err=True)

    progress = None if quiet else Progress("articles")
    on_file = None if quiet else progress.stage
    try:
        if store_dir is not None:
            _build_into_store(inputs, store_dir, out_dir, base, skip_bad, on_error, progress, on_file, run,
                              views, shard_dir)
            return
        stats, written = build_exports(inputs, out_dir, base=base, skip_bad=skip_bad,
                                       on_error=on_error, progress=progress, on_file=on_file, views=views,
                                       shard_dir=shard_dir, **run)
    except (InputError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        if progress is not None:
            progress.close()
    by_source = ", ".join(f"{k} {v}" for k, v in sorted(stats.by_source.items()))
    by_type = ", ".join(f"{k} {v}" for k, v in sorted(stats.by_type.items()))
    click.echo(
        f"{stats.articles} articles, {stats.mentions} mentions ({by_source}), "
        f"{stats.entities} entities ({by_type}), {stats.events} events, {stats.roles} roles, "
        f"{stats.quotes} quotations, "
        f"{stats.triples} triples"
        + (f", {stats.skipped} bad records skipped" if stats.skipped else "")
        + f" in {stats.seconds:.1f} s"
    )
    for path in written:
        click.echo(f"wrote {path}")
    _say_if_no_views(out_dir, written)


def _say_if_no_views(out_dir, written) -> None:
    from .view import VIEW_FILES

    if out_dir is not None and not any(Path(p).name in VIEW_FILES for p in written):
        click.echo("no views drawn (a graph of more than 2,000 articles, or --no-views): "
                   f"kg view {Path(out_dir) / 'graph.nq'} -o graph.html --max-nodes N | --focus ENTITY")


def _build_into_store(inputs, store_dir, out_dir, base, skip_bad, on_error, progress, on_file, run, views,
                      shard_dir=None):
    from .shards import Inputs
    from .store import KgStore

    started = time.perf_counter()
    skipped = []

    def record(err):
        skipped.append(err)
        on_error(err)

    with KgStore(store_dir, base=base, create=True) as store:
        stats = store.ingest(Inputs(inputs, skip_bad=skip_bad, on_error=record, shard_dir=shard_dir),
                             progress=progress, **run)
        written = store.export(out_dir, on_file=on_file, jobs=run["jobs"], views=views) \
            if out_dir is not None else []
        info = store.info()
    if progress is not None:
        progress.close()
    by_source = ", ".join(f"{k} {v}" for k, v in sorted(stats.by_source.items()))
    click.echo(
        f"{stats.added} articles added, {stats.replaced} replaced, {stats.unchanged} unchanged"
        + (f", {len(skipped)} bad records skipped" if skipped else "")
        + f"; {stats.mentions} mentions" + (f" ({by_source})" if by_source else "") + f", {stats.events} events, {stats.roles} roles, "
        f"{stats.quotes} quotations extracted; the store holds {info['articles']} articles, "
        f"{info['quads']} quads; {time.perf_counter() - started:.1f} s"
    )
    for path in written:
        click.echo(f"wrote {path}")
    _say_if_no_views(out_dir, written)


@cli.command()
@click.argument("ids", nargs=-1, required=True)
@click.option("--store", "store_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The store to remove the articles from.")
def remove(ids, store_dir):
    """Retract articles IDS from a store, with everything only they supported.

    \b
    Example:
        kg remove --store store/ 001_5ce41c4fb526e732
    """
    from .store import KgStore, StoreError

    try:
        with KgStore(store_dir) as store:
            n = store.remove(ids)
            info = store.info()
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"removed {n} articles; the store holds {info['articles']} articles, {info['quads']} quads")


@cli.command()
@click.argument("store_dir", type=click.Path(file_okay=False, path_type=Path))
def info(store_dir):
    """What a store holds: articles, quads, extractor versions.

    \b
    Example:
        kg info store/
    """
    import json

    from .store import KgStore, StoreError

    try:
        with KgStore(store_dir, read_only=True) as store:
            click.echo(json.dumps(store.info(), indent=1, ensure_ascii=False))
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None


@cli.command()
@click.argument("graph", required=False, type=click.Path(path_type=Path))
@click.option("--store", "store_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Read from this store instead of an export file.")
@click.option("--format", "fmt", type=click.Choice(sorted(["nq", "trig", "ttl", "nt", "jsonld", "xml"])),
              required=True, help="Syntax to write.")
@click.option("-o", "--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (replaced atomically).")
def export(graph, store_dir, fmt, out):
    """Write a store (or an export file) in another RDF syntax.

    \b
    Example:
        kg export --store store/ --format ttl -o graph.ttl
        kg export exports/graph.trig --format nt -o graph.nt
    """
    import pyoxigraph as ox

    from .export import FORMAT_NAMES, atomic_path
    from .store import KgStore, StoreError, is_store

    source = _source(graph, store_dir)
    fmt_ = FORMAT_NAMES[fmt]
    try:
        if is_store(source):
            with KgStore(source, read_only=True) as store:
                store.export_file(out, fmt_)
        else:
            data = _load(source)
            items = data if fmt_.supports_datasets else {q.triple for q in data}
            with atomic_path(out) as tmp:
                ox.serialize(sorted(items, key=str), str(tmp), fmt_)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"wrote {out}")


def _source(graph: Path | None, store_dir: Path | None) -> Path:
    if graph is not None and store_dir is not None:
        raise click.UsageError("give GRAPH or --store, not both")
    if graph is None and store_dir is None:
        raise click.UsageError("give GRAPH (an export file or a store folder) or --store DIR")
    return store_dir if store_dir is not None else graph


def _load(graph: Path):
    """An export file (loaded in memory) or a store folder (opened read-only)."""
    from .query import QueryError
    from .store import open_graph

    try:
        return open_graph(graph)
    except QueryError as exc:
        raise click.ClickException(str(exc)) from None


@cli.command()
@click.argument("graph", required=False, type=click.Path(path_type=Path))
@click.argument("sparql", required=False)
@click.option("--store", "store_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Query this store (then GRAPH is left out).")
@click.option("--name", "name", help="Run a canned query by name (see --list).")
@click.option("--list", "list_", is_flag=True, help="List the canned queries.")
@click.option("--param", "params", multiple=True, metavar="VAR=VALUE",
              help="Bind a variable of the query (repeatable), e.g. --param id=000_9c8f.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json"]), default="table",
              show_default=True)
def query(graph, sparql, store_dir, name, list_, params, fmt):
    """Run SPARQL (a string or a .rq file) or a canned query against GRAPH (an
    export file or a store folder) or --store DIR.

    \b
    Example:
        kg query exports/graph.ttl --name entities-by-type
        kg query --store store/ --name who-met-whom
        kg query exports/graph.ttl 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'
        kg query exports/graph.ttl my-query.rq --format csv
    """
    from .query import QueryError, bind_params, canned_queries, format_result, run_query

    canned = canned_queries()
    if list_:
        for q in canned.values():
            click.echo(f"{q.name:<22} {q.description}")
        return
    if store_dir is not None:
        if sparql is None and graph is not None:
            sparql = str(graph)
        elif graph is not None:
            raise click.UsageError("give GRAPH or --store, not both")
        graph = store_dir
    if graph is None:
        raise click.UsageError("GRAPH or --store is required")
    if name:
        if name not in canned:
            raise click.ClickException(f"no canned query {name!r}; known: {', '.join(canned)}")
        text = canned[name].text
    elif sparql:
        path = Path(sparql)
        text = path.read_text("utf-8") if sparql.endswith(".rq") and path.is_file() else sparql
    else:
        raise click.UsageError("give a SPARQL query, a .rq file or --name")
    bound = {}
    for p in params:
        if "=" not in p:
            raise click.UsageError(f"--param needs VAR=VALUE, got {p!r}")
        k, v = p.split("=", 1)
        bound[k.lstrip("?")] = v
    store = _load(graph)
    try:
        result = run_query(store, bind_params(text, bound))
    except QueryError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(format_result(result, fmt), nl=False)


@cli.command()
@click.argument("graph", required=False, type=click.Path(path_type=Path))
@click.option("--store", "store_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Read a persistent store folder instead of an export file.")
@click.option("-o", "--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The page to write (.html), or the projection as .graphml or .gexf.")
@click.option("--focus", metavar="ENTITY", help="Draw the network around ENTITY (an IRI, a Wikidata id or a name).")
@click.option("--hops", type=click.IntRange(0, 10), default=2, show_default=True, help="Steps from --focus.")
@click.option("--max-nodes", type=click.IntRange(1), default=5000, show_default=True,
              help="Beyond this many entities, show the top ones by centrality.")
@click.option("--events", "events_mode", is_flag=True, help="Open the page with events drawn as nodes.")
@click.option("--title", help="The page's title.")
def view(graph, store_dir, out, focus, hops, max_nodes, events_mode, title):
    """Draw GRAPH as an interactive network page (self-contained HTML), or GraphML/GEXF.

    \b
    Example:
        kg view exports/graph.nq -o graph.html
        kg view exports/graph.nq -o putin.html --focus 'فلاديمير بوتين' --hops 2
    """
    from .query import QueryError
    from .view import ViewError, write_view

    if (graph is None) == (store_dir is None):
        raise click.UsageError("give GRAPH or --store DIR (one of them)")
    try:
        proj = write_view(graph or store_dir, out, focus=focus, hops=hops, max_nodes=max_nodes,
                          mode="events" if events_mode else "folded", title=title)
    except (QueryError, ViewError) as exc:
        raise click.ClickException(str(exc)) from None
    edges = sum(len(rows) for rows in proj.edges.values())
    click.echo(f"wrote {out} ({proj.actor_count} entities, {len(proj.nodes) - proj.actor_count} events, "
               f"{edges} edges)")


@cli.command()
@click.argument("graph", required=False, type=click.Path(path_type=Path))
@click.option("--store", "store_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Validate this store instead of an export file.")
def validate(graph, store_dir):
    """Check GRAPH (an export file or a store folder) against the SHACL shapes of
    the graph contract.

    \b
    Example:
        kg validate exports/graph.ttl
        kg validate --store store/
    """
    from .validate import validate_store

    graph = _source(graph, store_dir)
    result = validate_store(_load(graph))
    if result.conforms:
        click.echo(f"{graph}: conforms to the kg shapes")
        return
    lines = result.report.splitlines()
    click.echo("\n".join(lines[:60]) + (f"\n… {len(lines) - 60} more lines" if len(lines) > 60 else ""),
               err=True)
    raise click.ClickException(f"{graph}: {result.violations} SHACL violations")


@cli.command()
@click.argument("gold", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("graph", required=False, type=click.Path(path_type=Path))
@click.option("--store", "store_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Score this store instead of an export file.")
@click.option("--articles", "articles", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="Build the graph of the gold's articles from these files or folders (e.g. "
                   "../shared/corpora/ant) in memory and score it, instead of GRAPH (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
def evaluate(gold, graph, store_dir, articles, as_json):
    """Score GRAPH against a GOLD annotation file: P/R/F1 per layer and the misses.

    \b
    Example:
        kg evaluate ../shared/gold/seeds.gold.json exports/graph.ttl
        kg evaluate tests/data/ant-test.gold.json --articles ../shared/corpora/ant
    """
    import json

    from .evaluate import evaluate as run, format_report, gold_graph, load_gold

    if articles and (graph is not None or store_dir is not None):
        raise click.UsageError("give GRAPH, --store or --articles, not two of them")
    graph = None if articles else _source(graph, store_dir)
    try:
        gold_data = load_gold(gold)
        store = gold_graph(gold_data, list(articles)) if articles else _load(graph)
    except ValueError as exc:  # InputError included
        raise click.ClickException(str(exc)) from None
    result = run(gold_data, store)
    click.echo(json.dumps(result, ensure_ascii=False, indent=1) if as_json else format_report(result),
               nl=not as_json or True)


@cli.command()
@click.argument("graph", required=False, type=click.Path(path_type=Path))
@click.option("--store", "store_dir", type=click.Path(file_okay=False, path_type=Path),
              help="The store to serve (or give an export file as GRAPH).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True,
              help="Port (0: any free port).")
@click.option("--timeout", type=click.FloatRange(0.1, None), default=10.0, show_default=True,
              help="Seconds a query may run before it is cancelled.")
@click.option("--max-rows", type=click.IntRange(1, None), default=100_000, show_default=True,
              help="Most solutions (or triples) in one response; more are cut (header X-KG-Truncated).")
@click.option("--workers", type=click.IntRange(1, 32), default=2, show_default=True,
              help="Query worker processes (concurrent queries).")
@click.option("-q", "--quiet", is_flag=True, help="No request log.")
def serve(graph, store_dir, host, port, timeout, max_rows, workers, quiet):
    """Serve a store (or an export file) as a read-only SPARQL 1.1 endpoint.

    \b
    GET/POST /sparql answers queries (SPARQL JSON, XML, CSV, TSV; graphs as
    Turtle, N-Triples, JSON-LD, RDF/XML by Accept), GET /sparql without a query
    shows a query page, GET / tells health and size. Updates are refused.

    \b
    Example:
        kg serve --store store/ --port 7878
        curl 'http://127.0.0.1:7878/sparql' --data-urlencode 'query=ASK { ?s ?p ?o }'
    """
    from .serve import Limits, ServeError, serve as run

    source = _source(graph, store_dir)

    def ready(server):
        h, p = server.server_address[:2]
        click.echo(f"serving {source} at http://{h}:{p}/sparql (read-only; Ctrl-C stops)", err=True)

    try:
        run(source, host, port, workers, Limits(timeout, max_rows), quiet, on_ready=ready)
    except (ServeError, OSError) as exc:
        raise click.ClickException(str(exc)) from None


@cli.command()
@click.argument("graph", required=False, type=click.Path(path_type=Path))
@click.option("--store", "store_dir", type=click.Path(file_okay=False, path_type=Path),
              help="The store to send (or give an export file as GRAPH).")
@click.option("--endpoint", help="SPARQL 1.1 Update endpoint (e.g. http://localhost:7878/update).")
@click.option("--graph-store", help="Graph Store HTTP Protocol URL (e.g. http://localhost:7878/store); "
                                    "used instead of SPARQL Update when given.")
@click.option("--auth", metavar="USER:PASSWORD", envvar="KG_PUSH_AUTH",
              help="HTTP credentials (or set KG_PUSH_AUTH).")
@click.option("--digest", is_flag=True, help="Use HTTP Digest authentication (Virtuoso) instead of Basic.")
@click.option("--default-graph", metavar="IRI", default=None,
              help="Send the default graph into this named graph (for stores with no default graph of "
                   "their own, such as Virtuoso, whose queries see the union of all graphs).")
def push(graph, store_dir, endpoint, graph_store, auth, digest, default_graph):
    """Send a store (or an export file) to an external SPARQL store, one named
    graph per article, each replaced atomically.

    \b
    Example:
        kg push --store store/ --graph-store http://localhost:7878/store
        kg push --store store/ --endpoint http://localhost:7878/update
        kg push exports/graph.trig --graph-store http://localhost:8890/sparql-graph-crud-auth \\
            --auth dba:dba --digest --default-graph https://w3id.org/kg-ar/resource/graph/default
    """
    from .push import PushError, push as run
    from .query import QueryError

    source = _source(graph, store_dir)
    progress = Progress("graphs")
    started = time.perf_counter()
    try:
        stats = run(source, endpoint, graph_store, auth, digest, progress=progress, default_graph=default_graph)
    except (PushError, QueryError) as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        progress.close()
    click.echo(f"pushed {stats.graphs} graphs, {stats.triples} triples ({stats.bytes / 1e6:.1f} MB) "
               f"to {graph_store or endpoint} in {time.perf_counter() - started:.1f} s")


@cli.command("train-ner")
@click.option("--corpus", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder with NewsFANE_Gold_2014_170K.txt and WikiFANE_Gold_2014_500K.txt.")
@click.option("--kind", type=click.Choice(["bilstm", "crf"]), default="bilstm", show_default=True,
              help="bilstm: the neural recognizer the package ships (needs PyTorch: pip install -e "
                   "'.[train]'); crf: the CRF alone.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the model (default: the package's kg/models/ner.npz, or ner.crfsuite).")
@click.option("--iterations", type=int, default=None, help="crf: L-BFGS iterations (default 150).")
@click.option("--epochs", type=int, default=None, help="bilstm: passes over the corpus (default 8).")
@click.option("--unlabeled", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="bilstm: folder of unlabeled news articles, as kg build reads them (e.g. "
                   "../shared/corpora/ant): "
                   "train a first network, label the first --articles of these with the recognizer "
                   "and it, then train the network on the gold and those sentences (how the shipped "
                   "model is made).")
@click.option("--articles", type=int, default=None,
              help="with --unlabeled: how many articles to label (default 1500).")
@click.option("--teacher", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
              help="with --unlabeled: a network already trained on the gold corpora alone, to label "
                   "with instead of training one first.")
def train_ner(corpus, kind, out, iterations, epochs, unlabeled, articles, teacher):
    """Train the recognizer's model on the FANE corpora (NewsFANE's held-out fifth excluded).

    \b
    Example:
        kg train-ner --corpus ../shared/corpora/fane --unlabeled ../shared/corpora/ant
        kg train-ner --corpus ../shared/corpora/fane
        kg train-ner --corpus ../shared/corpora/fane --kind crf
    """
    from .fane import CorpusError, load_corpus, news_training
    from .lexicon import load_lexicon
    from .ner import shipped_model_path, train
    from .neural import train_neural

    started = time.perf_counter()
    try:
        train_set, _ = load_corpus(corpus)
        news = news_training(corpus) if kind == "bilstm" else None
    except CorpusError as exc:
        raise click.ClickException(str(exc)) from None
    if kind == "crf" and (unlabeled or teacher or articles):
        raise click.ClickException("--unlabeled, --articles and --teacher are for the network (--kind bilstm)")
    tokens = sum(len(s.tokens) for s in train_set)
    click.echo(f"training a {kind} on {len(train_set)} sentences, {tokens} tokens", err=True)
    target = out or shipped_model_path(kind)
    if kind == "crf":
        progress = Progress("iterations")
        params = {"max_iterations": iterations} if iterations else None
        path = train(train_set, target, load_lexicon(), params=params, progress=lambda _msg: progress())
        progress.close()
    else:
        # an epoch takes about a minute: a line each
        settings = {"epochs": epochs} if epochs else {}
        lex = load_lexicon()

        def say(msg):
            click.echo(f"{msg} ({time.perf_counter() - started:.0f} s)", err=True)

        try:
            if unlabeled is not None:
                train_set = train_set + _silver(corpus, unlabeled, articles, teacher, lex, settings, news, say)
                say(f"training on {len(train_set)} sentences, "
                    f"{sum(len(s.tokens) for s in train_set)} tokens")
            path = train_neural(train_set, target, lex, settings=settings, finetune=news, progress=say)
        except RuntimeError as exc:
            raise click.ClickException(str(exc)) from None
    size = path.stat().st_size / 1e6
    click.echo(f"wrote {path} ({size:.1f} MB) in {time.perf_counter() - started:.0f} s")


def _silver(corpus: Path, unlabeled: Path, articles: int | None, teacher: Path | None, lex,
            settings: dict, news, say) -> list:
    """Self-training sentences (:mod:`kg.silver`): the first ``articles`` of the
    ``unlabeled`` folder read by the recognizer with ``teacher``, a network trained
    on the gold corpora alone (trained here first, in a temporary folder, unless given)."""
    import itertools
    import tempfile

    from .fane import load_corpus
    from .io import read_articles
    from .neural import NeuralTagger, train_neural
    from .silver import ARTICLES, silver_sentences

    try:
        items = list(itertools.islice(read_articles([unlabeled]), articles or ARTICLES))
    except InputError as exc:
        raise click.ClickException(str(exc)) from None
    if not items:
        raise click.ClickException(f"{unlabeled}: no articles (*.jsonl, *.jsonl.gz or *.txt files)")
    with tempfile.TemporaryDirectory() as tmp:
        if teacher is None:
            teacher = Path(tmp) / "teacher.npz"
            say("training the teacher: the network on the gold corpora alone")
            train_neural(load_corpus(corpus)[0], teacher, lex, settings=settings, finetune=news, progress=say)
        model = NeuralTagger(teacher, lex)
    progress = Progress("articles labelled")
    try:
        sentences = silver_sentences(items, model, lex, progress=progress)
    finally:
        progress.close()
    say(f"{len(items)} articles labelled: {len(sentences)} sentences, "
        f"{sum(len(s.tokens) for s in sentences)} tokens, "
        f"{sum(lab.startswith('B-') for s in sentences for lab in s.labels)} names")
    return sentences


@cli.command("train-clusters")
@click.option("--corpus", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder of news articles in JSON Lines (*.jsonl, *.jsonl.gz), e.g. ../shared/corpora/ant.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the table (default: the package's kg/data/clusters.tsv).")
def train_clusters(corpus, out):
    """Learn the word clusters and name evidence the recognizer's model uses as
    features from unlabeled news (needs numpy and scipy). Retrain the model after.

    \b
    Example:
        kg train-clusters --corpus ../shared/corpora/ant
    """
    from .clusters import default_clusters_path, train_clusters as run

    files = sorted([*corpus.glob("*.jsonl"), *corpus.glob("*.jsonl.gz")])
    if not files:
        raise click.ClickException(f"{corpus}: no *.jsonl or *.jsonl.gz files")
    started = time.perf_counter()
    try:
        path = run(files, out or default_clusters_path(), progress=lambda msg: click.echo(msg, err=True))
    except ImportError as exc:
        raise click.ClickException(f"{exc}: install numpy and scipy (pip install -e '.[clusters]')") from None
    click.echo(f"wrote {path} in {time.perf_counter() - started:.0f} s")


@cli.command("evaluate-ner")
@click.option("--corpus", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder with NewsFANE_Gold_2014_170K.txt.")
@click.option("--model", "model_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Model to score (default: the shipped one).")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
def evaluate_ner(corpus, model_path, as_json):
    """Per-type and micro P/R/F1 on NewsFANE's held-out fifth, for the lexicon and
    cues alone, the model alone, and the combination.

    \b
    Example:
        kg evaluate-ner --corpus ../shared/corpora/fane
    """
    import json

    from .fane import CorpusError, load_corpus
    from .lexicon import load_lexicon
    from .ner import evaluate_ner as run, format_ner_report, load_model, open_model

    try:
        _, test = load_corpus(corpus)
    except CorpusError as exc:
        raise click.ClickException(str(exc)) from None
    lex = load_lexicon()
    try:
        model = open_model(model_path, lex) if model_path else load_model()
    except (ValueError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    result = run(test, lex, model)
    click.echo(json.dumps(result, indent=1) if as_json else format_ner_report(result), nl=False)
