"""Reading articles: ``.txt`` files (id = file stem), folders of them, and JSON
Lines files (``.jsonl``, ``.jsonl.gz``) with ``id`` and ``text`` and optional
``title``, ``url``, ``published`` (ISO 8601) and ``source``.

Bad input raises :class:`InputError` naming the file, line and field; with
``skip_bad`` the error is reported through a callback and the record skipped.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator


class InputError(ValueError):
    """A bad input record; the message names file, line and field."""

    def __init__(self, path: str | Path, line: int | None, field: str | None, message: str):
        self.path, self.line, self.field, self.message = str(path), line, field, message
        where = self.path + (f":{line}" if line else "")
        what = f" field {field!r}:" if field else ""
        super().__init__(f"{where}:{what} {message}")

    def __reduce__(self):  # so that it crosses process boundaries whole
        return (InputError, (self.path, self.line, self.field, self.message))


@dataclass(frozen=True)
class Article:
    id: str
    text: str
    title: str | None = None
    url: str | None = None
    published: str | None = None  # ISO 8601 as given
    source: str | None = None
    origin: str = ""  # file:line it was read from

    @property
    def content(self) -> str:
        """The text that is processed and that offsets index: the title (when
        given), a blank line, then the body."""
        return f"{self.title}\n\n{self.text}" if self.title else self.text

    @property
    def published_date(self) -> dt.date | None:
        if not self.published:
            return None
        return parse_datetime(self.published).date()


def parse_datetime(value: str) -> dt.datetime:
    text = value.strip().replace("Z", "+00:00")
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return dt.datetime.combine(dt.date.fromisoformat(text[:10]), dt.time())


OPTIONAL_FIELDS = ("title", "url", "published", "source")


def _record(obj, path: Path, line: int) -> Article:
    if not isinstance(obj, dict):
        raise InputError(path, line, None, "expected a JSON object")
    for name in ("id", "text"):
        if name not in obj or obj[name] is None:
            raise InputError(path, line, name, "required field is missing")
    aid = obj["id"]
    if isinstance(aid, int) and not isinstance(aid, bool):
        aid = str(aid)
    if not isinstance(aid, str) or not aid.strip():
        raise InputError(path, line, "id", "must be a non-empty string")
    if not isinstance(obj["text"], str) or not obj["text"].strip():
        raise InputError(path, line, "text", "must be a non-empty string")
    extra = {}
    for name in OPTIONAL_FIELDS:
        value = obj.get(name)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise InputError(path, line, name, "must be a string")
        extra[name] = value
    if "published" in extra:
        try:
            parse_datetime(extra["published"])
        except ValueError:
            raise InputError(path, line, "published",
                             f"not an ISO 8601 date: {extra['published']!r}") from None
    return Article(id=aid.strip(), text=obj["text"], origin=f"{path}:{line}", **extra)


def _read_jsonl(path: Path, start: int = 1, stop: int | None = None) -> Iterator[Article | InputError]:
    """The records of lines ``start``..``stop`` (1-based, ``stop`` excluded; all by default)."""
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            if lineno < start:
                continue
            if stop is not None and lineno >= stop:
                break
            if not raw.strip():
                continue
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield InputError(path, lineno, None, f"not valid UTF-8 (byte {exc.start})")
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                yield InputError(path, lineno, None, f"invalid JSON: {exc.msg} at column {exc.colno}")
                continue
            try:
                yield _record(obj, path, lineno)
            except InputError as err:
                yield err


def _read_txt(path: Path) -> Iterator[Article | InputError]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        yield InputError(path, line, None, f"not valid UTF-8 (byte {exc.start})")
        return
    if not text.strip():
        yield InputError(path, None, "text", "file is empty")
        return
    yield Article(id=path.stem, text=text, origin=str(path))


def _files(paths: Iterable[str | Path]) -> Iterator[Path]:
    for p in map(Path, paths):
        if p.is_dir():
            for child in sorted(p.rglob("*")):
                if child.is_file() and _kind(child):
                    yield child
        elif p.is_file():
            if not _kind(p):
                raise InputError(p, None, None, "unsupported input (expected .txt, .jsonl or .jsonl.gz)")
            yield p
        else:
            raise InputError(p, None, None, "no such file or folder")


def _kind(path: Path) -> str | None:
    name = path.name
    if name.endswith((".jsonl", ".jsonl.gz")):
        return "jsonl"
    if name.endswith(".txt"):
        return "txt"
    return None


def read_articles(
    paths: Iterable[str | Path],
    skip_bad: bool = False,
    on_error: Callable[[InputError], None] | None = None,
) -> Iterator[Article]:
    """Yield the articles of every input, checking ids are unique.

    A bad record raises :class:`InputError`, or, with ``skip_bad``, is passed
    to ``on_error`` and skipped.
    """
    seen: dict[str, str] = {}
    for path in _files(paths):
        reader = _read_jsonl if _kind(path) == "jsonl" else _read_txt
        for item in reader(path):
            if isinstance(item, Article) and item.id in seen:
                line = int(item.origin.rsplit(":", 1)[1]) if _kind(path) == "jsonl" else None
                item = InputError(path, line, "id", f"duplicate id {item.id!r} (first at {seen[item.id]})")
            if isinstance(item, InputError):
                if not skip_bad:
                    raise item
                if on_error:
                    on_error(item)
                continue
            seen[item.id] = item.origin
            yield item
