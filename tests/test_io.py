import gzip
import json

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.io import InputError, read_articles

GOOD = {"id": "a1", "text": "قال الرئيس الروسي فلاديمير بوتين إن موسكو مستعدة.", "title": "بوتين",
        "published": "2021-06-16T10:00:00+00:00", "url": "https://example.com/a1", "source": "test"}


def write_jsonl(path, records, raw_lines=()):
    with open(path, "wb") as fh:
        for r in records:
            fh.write((json.dumps(r, ensure_ascii=False) + "\n").encode("utf-8"))
        for raw in raw_lines:
            fh.write(raw + b"\n")
    return path


def test_reads_txt_folders_and_jsonl_gz(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "x1.txt").write_text("نص عربي", encoding="utf-8")
    (tmp_path / "docs" / "ignored.md").write_text("no", encoding="utf-8")
    gz = tmp_path / "more.jsonl.gz"
    with gzip.open(gz, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps(GOOD, ensure_ascii=False) + "\n\n")
    arts = list(read_articles([tmp_path / "docs", gz]))
    assert [a.id for a in arts] == ["x1", "a1"]
    assert arts[1].title == "بوتين" and arts[1].url == "https://example.com/a1"
    assert arts[1].content.startswith("بوتين\n\n")
    assert arts[1].published_date.isoformat() == "2021-06-16"


@pytest.mark.parametrize("records,raw,line,field,needle", [
    ([GOOD], [b"{not json"], 2, None, "invalid JSON"),
    ([GOOD], ['{"id": "z", "text": "\xe9"}'.encode("latin-1")], 2, None, "UTF-8"),
    ([{"text": "نص"}], [], 1, "id", "missing"),
    ([{"id": "b"}], [], 1, "text", "missing"),
    ([{"id": "b", "text": "  "}], [], 1, "text", "non-empty"),
    ([GOOD, GOOD], [], 2, "id", "duplicate id"),
    ([{"id": "b", "text": "نص", "published": "yesterday"}], [], 1, "published", "ISO 8601"),
    ([{"id": "b", "text": "نص", "title": 5}], [], 1, "title", "string"),
    ([["a list"]], [], 1, None, "JSON object"),
])
def test_bad_records_name_file_line_and_field(tmp_path, records, raw, line, field, needle):
    path = write_jsonl(tmp_path / "in.jsonl", records, raw)
    with pytest.raises(InputError) as info:
        list(read_articles([path]))
    err = info.value
    assert err.path == str(path) and err.line == line and err.field == field
    assert needle in str(err) and f"{path}:{line}" in str(err)


def test_skip_bad_reports_and_continues(tmp_path):
    path = write_jsonl(tmp_path / "in.jsonl", [GOOD, {"id": "x"}, dict(GOOD, id="a2")], [b"oops"])
    errors = []
    arts = list(read_articles([path], skip_bad=True, on_error=errors.append))
    assert [a.id for a in arts] == ["a1", "a2"]
    assert [(e.line, e.field) for e in errors] == [(2, "text"), (4, None)]


def test_bad_txt_file(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes("سطر\n".encode("utf-8") + b"\xff\xfe broken")
    with pytest.raises(InputError, match=r"bad.txt:2: not valid UTF-8"):
        list(read_articles([bad]))


def test_missing_and_unsupported_inputs(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        list(read_articles([tmp_path / "nope.jsonl"]))
    other = tmp_path / "x.csv"
    other.write_text("a,b")
    with pytest.raises(InputError, match="unsupported input"):
        list(read_articles([other]))


def test_failed_build_leaves_previous_exports_untouched(tmp_path):
    good = write_jsonl(tmp_path / "good.jsonl", [GOOD])
    out = tmp_path / "out"
    runner = CliRunner()
    res = runner.invoke(cli, ["build", str(good), "-o", str(out), "-q"])
    assert res.exit_code == 0, res.output
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert set(before) == {"graph.ttl", "graph.trig", "graph.nq", "graph.jsonld",
                           "graph.html", "graph.graphml", "graph.gexf"}
    bad = write_jsonl(tmp_path / "bad.jsonl", [dict(GOOD, id="other")], [b"{broken"])
    res = runner.invoke(cli, ["build", str(bad), "-o", str(out), "-q"])
    assert res.exit_code == 1
    assert f"{bad}:2" in res.output and "invalid JSON" in res.output
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert after == before  # no temporary files left, no file changed


def test_skip_bad_on_the_command_line(tmp_path):
    bad = write_jsonl(tmp_path / "bad.jsonl", [GOOD], [b"{broken"])
    res = CliRunner().invoke(cli, ["build", str(bad), "-o", str(tmp_path / "o"), "-q", "--skip-bad"])
    assert res.exit_code == 0, res.output
    assert "skipped:" in res.output and "1 articles" in res.output and "1 bad records skipped" in res.output
