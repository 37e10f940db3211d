"""Word clusters and name evidence learned from unlabeled news (kg/clusters.py),
and how the recognizer's featurizer uses them."""

import gzip
import json

from collections import Counter

import pytest

from kg.clusters import default_clusters_path, load_clusters, train_clusters
from kg.lexicon import load_lexicon
from kg.ner import Featurizer, normalize_tokens

NEWS = [
    "قال الرئيس سامي حدادين في عمان إن الحكومة ستعمل.",
    "وقال الوزير كريم حدادين في بيروت إن الوزارة ستعمل.",
    "وصل الرئيس سامي حدادين إلى دمشق أمس.",
    "وصل الوزير كريم العلي إلى عمان أمس.",
    "قالت الوزيرة سلمى العلي في دمشق إن الحكومة ستعمل.",
    "وصلت الوزيرة سلمى حدادين إلى بيروت أمس.",
] * 3


def test_shipped_table_is_small_and_well_formed():
    path = default_clusters_path()
    assert path.is_file() and path.stat().st_size < 3e6
    table = load_clusters()
    assert len(table) > 20_000
    fine, coarse, names = table["موسكو"]
    assert fine is not None and coarse is not None and "Place:hi" in names
    # capitals fall together, and verbs of saying, apart from them
    capitals = Counter(table[w][0] for w in ("موسكو", "دمشق", "القاهره", "بيروت", "بغداد", "لندن"))
    verbs = Counter(table[w][0] for w in ("قال", "اكد", "اعلن", "اوضح"))
    assert capitals.most_common(1)[0][1] >= 4 and verbs.most_common(1)[0][1] >= 3
    assert not set(capitals) & set(verbs)


def test_training_clusters_on_a_tiny_corpus(tmp_path):
    pytest.importorskip("numpy")
    pytest.importorskip("scipy")
    src = tmp_path / "news.jsonl.gz"
    with gzip.open(src, "wt", encoding="utf-8") as fh:
        for i, text in enumerate(NEWS):
            fh.write(json.dumps({"id": str(i), "text": text}, ensure_ascii=False) + "\n")
    out = train_clusters([src], tmp_path / "clusters.tsv", fine=4, coarse=2, dimensions=3)
    table = load_clusters(str(out))
    assert table["عمان"][0] is not None
    # the title cues found حدادين inside people's names
    assert any(x.startswith("Person:") for x in table["حدادين"][2])
    # deterministic
    again = train_clusters([src], tmp_path / "again.tsv", fine=4, coarse=2, dimensions=3)
    assert again.read_text("utf-8") == out.read_text("utf-8")


def test_featurizer_uses_clusters_through_clitics():
    table = {"بوتين": ("7", "3", ("Person:hi",)), "قال": ("9", "1", ())}
    feat = Featurizer(load_lexicon(), clusters=table)
    f = feat.features(["وقال", "وبوتين", "امس"])
    assert {"c=7", "cc=3", "g=Person:hi", "-1c=9"} <= set(f[1])
    assert "c=none" in f[2] and "-1g=Person:hi" in f[2]


def test_featurizer_marks_words_after_a_title():
    feat = Featurizer(load_lexicon(), clusters={})
    f = feat.features(normalize_tokens(["قال", "الرئيس", "سامي", "حدادين", "في", "عمان", "أمس"]))
    assert "titled" in f[2] and "titled" in f[3]
    assert "titled" not in f[0] and "titled" not in f[6]
