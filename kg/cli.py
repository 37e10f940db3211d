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
@click.option("-o", "--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for graph.ttl, graph.trig, graph.nq and graph.jsonld.")
@click.option("--base", default=None, help="Base IRI of the resources (default https://w3id.org/kg-ar/resource/).")
@click.option("--skip-bad", is_flag=True, help="Report bad records and skip them instead of stopping.")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Extraction processes (the output is the same for any number).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def build(inputs, out_dir, base, skip_bad, quiet, jobs):
    """Build the graph of INPUTS (.txt files, folders of them, .jsonl/.jsonl.gz) into OUT.

    \b
    Example:
        kg build seeds/ -o exports/
        kg build articles.jsonl.gz -o out/ --skip-bad
    """
    from .pipeline import build_exports

    def on_error(err):
        click.echo(f"skipped: {err}", err=True)

    progress = None if quiet else Progress("articles")
    try:
        stats, written = build_exports(inputs, out_dir, base=base, skip_bad=skip_bad,
                                       on_error=on_error, progress=progress, jobs=jobs,
                                       on_file=None if quiet else progress.stage)
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


def _load(graph: Path):
    from .query import QueryError, load_graph

    try:
        return load_graph(graph)
    except QueryError as exc:
        raise click.ClickException(str(exc)) from None


@cli.command()
@click.argument("graph", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.argument("sparql", required=False)
@click.option("--name", "name", help="Run a canned query by name (see --list).")
@click.option("--list", "list_", is_flag=True, help="List the canned queries.")
@click.option("--param", "params", multiple=True, metavar="VAR=VALUE",
              help="Bind a variable of the query (repeatable), e.g. --param id=000_9c8f.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json"]), default="table",
              show_default=True)
def query(graph, sparql, name, list_, params, fmt):
    """Run SPARQL (a string or a .rq file) or a canned query against GRAPH.

    \b
    Example:
        kg query exports/graph.ttl --name entities-by-type
        kg query exports/graph.ttl 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'
        kg query exports/graph.ttl my-query.rq --format csv
    """
    from .query import QueryError, bind_params, canned_queries, format_result, run_query

    canned = canned_queries()
    if list_:
        for q in canned.values():
            click.echo(f"{q.name:<22} {q.description}")
        return
    if graph is None:
        raise click.UsageError("GRAPH is required")
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
@click.argument("graph", type=click.Path(dir_okay=False, path_type=Path))
def validate(graph):
    """Check GRAPH against the SHACL shapes of the graph contract.

    \b
    Example:
        kg validate exports/graph.ttl
    """
    from .validate import validate_store

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
@click.argument("graph", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
def evaluate(gold, graph, as_json):
    """Score GRAPH against a GOLD annotation file: P/R/F1 per layer and the misses.

    \b
    Example:
        kg evaluate ../shared/gold/seeds.gold.json exports/graph.ttl
    """
    import json

    from .evaluate import evaluate as run, format_report, load_gold

    try:
        gold_data = load_gold(gold)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    result = run(gold_data, _load(graph))
    click.echo(json.dumps(result, ensure_ascii=False, indent=1) if as_json else format_report(result),
               nl=not as_json or True)


@cli.command("train-ner")
@click.option("--corpus", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder with NewsFANE_Gold_2014_170K.txt and WikiFANE_Gold_2014_500K.txt.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the model (default: the package's kg/models/ner.crfsuite).")
@click.option("--iterations", type=int, default=None, help="L-BFGS iterations (default 150).")
def train_ner(corpus, out, iterations):
    """Train the CRF recognizer on the FANE corpora (NewsFANE's held-out fifth excluded).

    \b
    Example:
        kg train-ner --corpus ../shared/corpora/fane --out kg/models/ner.crfsuite
    """
    from .fane import CorpusError, load_corpus
    from .lexicon import load_lexicon
    from .ner import default_model_path, train

    started = time.perf_counter()
    try:
        train_set, _ = load_corpus(corpus)
    except CorpusError as exc:
        raise click.ClickException(str(exc)) from None
    tokens = sum(len(s.tokens) for s in train_set)
    click.echo(f"training on {len(train_set)} sentences, {tokens} tokens", err=True)
    progress = Progress("iterations")
    params = {"max_iterations": iterations} if iterations else None
    path = train(train_set, out or default_model_path(), load_lexicon(), params=params,
                 progress=lambda _msg: progress())
    progress.close()
    size = path.stat().st_size / 1e6
    click.echo(f"wrote {path} ({size:.1f} MB) in {time.perf_counter() - started:.0f} s")


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
    from .ner import NerModel, default_model_path, evaluate_ner as run, format_ner_report

    try:
        _, test = load_corpus(corpus)
    except CorpusError as exc:
        raise click.ClickException(str(exc)) from None
    lex = load_lexicon()
    path = model_path or default_model_path()
    model = NerModel(path, lex) if path.is_file() else None
    result = run(test, lex, model)
    click.echo(json.dumps(result, indent=1) if as_json else format_ner_report(result), nl=False)
