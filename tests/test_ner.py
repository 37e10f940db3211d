"""The statistical recognizer: corpus reading, training, the shipped model,
and unseen names in sentences written for the tests."""

import pytest

from kg.fane import load_corpus, merge_clitics, read_fane, spans
from kg.lexicon import load_lexicon
from kg.ner import (
    NerModel, attributes_path, default_model_path, evaluate_ner, load_model, normalize_tokens, open_model,
    read_attributes, shipped_model_path, train,
)
from kg.neural import NeuralTagger, train_neural

TINY = [
    [("\u200eقال", "O"), ("\u200eالرئيس", "O"), ("\u200eسامي", "B-Politician"), ("\u200eحدادين", "I-Politician"),
     ("\u200eفي", "O"), ("\u200eعمان", "B-Population-Center"), ("\u200eان", "O"), ("\u200eحزب", "B-Government"),
     ("\u200eالامل", "I-Government"), ("\u200eسيفوز", "O")],
    [("\u200eو", "O"), ("\u200eزار", "O"), ("\u200eسامي", "B-Politician"), ("\u200eحدادين", "I-Politician"),
     ("\u200eالعرب", "B-Group"), ("\u200eفي", "O"), ("\u200eب", "O"), ("\u200eعمان", "B-Population-Center"),
     ("\u200eه", "O")],
]


def write_fane(path, sentences):
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        for sent in sentences:
            for tok, tag in sent:
                fh.write(f"{tok}\t{tag}\r\n")
            fh.write("\t\r\n")
    return path


def test_reader_maps_fine_classes_and_merges_clitics(tmp_path):
    sents = read_fane(write_fane(tmp_path / "NewsFANE_Gold_2014_170K.txt", TINY))
    assert sents[0].labels == ["O", "O", "B-Person", "I-Person", "O", "B-Place", "O",
                               "B-Organization", "I-Organization", "O"]
    assert sents[1].labels[4] == "O"  # Group (العرب) is not an entity of the graph
    merged = merge_clitics(sents[1])
    assert merged.tokens == ["وزار", "سامي", "حدادين", "العرب", "في", "بعمانه"]
    assert spans(merged.labels) == {(1, 3, "Person"), (5, 6, "Place")}


def test_spans_of_bio():
    assert spans(["B-Person", "I-Person", "O", "B-Place", "B-Place"]) == {
        (0, 2, "Person"), (3, 4, "Place"), (4, 5, "Place")}


def test_training_on_a_tiny_corpus(tmp_path):
    sents = [merge_clitics(s) for s in read_fane(write_fane(tmp_path / "x.txt", TINY))] * 5
    path = train(sents, tmp_path / "tiny.crfsuite", load_lexicon(), params={"max_iterations": 30})
    model = NerModel(path, load_lexicon())
    labels, probs = model.tag(normalize_tokens(sents[0].tokens))
    assert labels == sents[0].labels
    assert all(0 < p <= 1 for p in probs)
    # features the model has no weight for are left out, with the same result
    assert model.featurizer.known and "w=حدادين" in model.featurizer.known
    words = normalize_tokens(sents[0].tokens)
    everything = NerModel(path, load_lexicon())
    everything.featurizer.known = None
    assert everything.tag(words) == (labels, probs)
    assert len(sum(model.featurizer.features(words), [])) < len(sum(everything.featurizer.features(words), []))
    # what the tagger is given: the same features, encoded
    for feat in (model.featurizer, everything.featurizer):
        assert feat.features(words, encoded=True) == [[x.encode() for x in f] for f in feat.features(words)]
    # a list that belongs to another model is not used
    assert attributes_path(path).is_file()
    path.write_bytes(path.read_bytes() + b"\0")
    assert read_attributes(path) is None


def test_shipped_model_loads_offline_from_the_package():
    path = shipped_model_path()
    assert path.name == "ner.npz" and "kg" in path.parts and path.stat().st_size < 20e6
    model = load_model()
    assert isinstance(model, NeuralTagger)
    labels, probs = model.tag(normalize_tokens("وصل الرئيس الفرنسي الى بيروت".split()))
    assert labels[-1] == "B-Place" and probs[-1] > 0.5
    # the CRF ships too, with the list of its attributes
    crf = open_model(default_model_path(), load_lexicon())
    assert crf.featurizer.known and read_attributes(default_model_path()) == crf.featurizer.known
    assert crf.tag(normalize_tokens("وصل الرئيس الفرنسي الى بيروت".split()))[0][-1] == "B-Place"


def test_evaluate_ner_command_scores_the_shipped_model_or_a_given_one(tmp_path):
    from click.testing import CliRunner

    from kg.cli import cli

    write_fane(tmp_path / "NewsFANE_Gold_2014_170K.txt", TINY * 5)
    runner = CliRunner()
    shipped = runner.invoke(cli, ["evaluate-ner", "--corpus", str(tmp_path), "--json"])
    assert shipped.exit_code == 0, shipped.output
    import json

    result = json.loads(shipped.output)
    assert result["sentences"] == 2 and {"lexicon+cues", "model", "combined"} <= set(result)
    crf = runner.invoke(cli, ["evaluate-ner", "--corpus", str(tmp_path), "--model", str(default_model_path())])
    assert crf.exit_code == 0 and "combined" in crf.output
    bad = runner.invoke(cli, ["evaluate-ner", "--corpus", str(tmp_path), "--model", str(tmp_path / "m.bin")])
    assert bad.exit_code != 0 and "not a model file" in bad.output


def test_train_ner_command_writes_a_network_that_loads(tmp_path):
    from click.testing import CliRunner

    from kg.cli import cli

    write_fane(tmp_path / "NewsFANE_Gold_2014_170K.txt", TINY * 5)
    out = tmp_path / "model.npz"
    run = CliRunner().invoke(cli, ["train-ner", "--corpus", str(tmp_path), "--out", str(out), "--epochs", "2"])
    assert run.exit_code == 0, run.output
    assert "epoch 2/2" in run.output and out.is_file()
    labels, _ = open_model(out, load_lexicon()).tag(normalize_tokens(["قال", "الرئيس"]))
    assert len(labels) == 2


def test_a_model_file_of_no_known_kind_is_refused(tmp_path):
    with pytest.raises(ValueError, match="not a model file"):
        open_model(tmp_path / "model.bin", load_lexicon())


TINY_SETTINGS = {"hidden": 16, "epochs": 25, "batch": 4, "lr": 0.01, "word_dropout": 0.0, "stem_dropout": 0.0,
                 "dropout": 0.0}


@pytest.fixture(scope="module")
def tiny_network(tmp_path_factory):
    sents = [merge_clitics(s) for s in read_fane(write_fane(tmp_path_factory.mktemp("fane") / "x.txt", TINY))] * 8
    path = train_neural(sents, tmp_path_factory.mktemp("model") / "tiny.npz", load_lexicon(),
                        settings=TINY_SETTINGS)
    return sents, NeuralTagger(path, load_lexicon())


def test_training_the_network_on_a_tiny_corpus(tiny_network, tmp_path):
    sents, model = tiny_network
    for s in sents[:2]:
        labels, probs = model.tag(normalize_tokens(s.tokens))
        assert labels == s.labels
        assert all(0.5 < p <= 1.0 + 1e-9 for p in probs)
    # training again gives the same file, byte for byte
    again = train_neural(sents, tmp_path / "again.npz", load_lexicon(), settings=TINY_SETTINGS)
    assert again.read_bytes() == model.path.read_bytes()


def test_fine_tuning_goes_on_over_the_given_sentences_alone(tiny_network, tmp_path):
    import numpy as np

    sents, model = tiny_network
    settings = {**TINY_SETTINGS, "finetune_epochs": 2, "finetune_lr": 0.5}
    lines = []
    tuned = train_neural(sents, tmp_path / "tuned.npz", load_lexicon(), settings=settings, finetune=sents[:1],
                         progress=lines.append)
    assert [x.split(":")[0] for x in lines[-2:]] == ["fine-tuning epoch 1/2", "fine-tuning epoch 2/2"]
    assert len(lines) == TINY_SETTINGS["epochs"] + 2
    assert tuned.read_bytes() != model.path.read_bytes()
    # the epochs before are those of training without it: fine-tuning for no epoch gives the same weights
    same = train_neural(sents, tmp_path / "same.npz", load_lexicon(), settings={**settings, "finetune_epochs": 0},
                        finetune=sents[:1])
    with np.load(same) as a, np.load(model.path) as b, np.load(tuned) as c:
        weights = [k for k in a.files if k != "meta"]
        assert weights == [k for k in b.files if k != "meta"]
        assert all(np.array_equal(a[k], b[k]) for k in weights)
        assert not all(np.array_equal(a[k], c[k]) for k in weights)
    labels, _ = NeuralTagger(tuned, load_lexicon()).tag(normalize_tokens(sents[0].tokens))
    assert labels == sents[0].labels


def test_the_network_in_numpy_computes_what_pytorch_does(tiny_network):
    import numpy as np
    import torch

    _, model = tiny_network
    words = normalize_tokens("قال الرئيس سامي حدادين في عمان".split())
    x = model._inputs([(words, None)])
    lstm = torch.nn.LSTM(x.shape[1], model.hidden, batch_first=True, bidirectional=True)
    with torch.no_grad():
        for d in ("", "_reverse"):
            w_ih, w_hh, b = model.lstm[d]
            getattr(lstm, f"weight_ih_l0{d}").copy_(torch.tensor(w_ih))
            getattr(lstm, f"weight_hh_l0{d}").copy_(torch.tensor(w_hh))
            getattr(lstm, f"bias_ih_l0{d}").copy_(torch.tensor(b))
            getattr(lstm, f"bias_hh_l0{d}").zero_()
        h, _ = lstm(torch.tensor(x)[None])
    expected = h[0].numpy() @ model.out_w.T + model.out_b
    em, lengths = model.emissions([(words, None)])
    assert lengths.tolist() == [len(words)]
    assert np.abs(em[0] - expected).max() < 1e-4
    # marginals: those of a sentence of one token are the softmax of its scores
    (label,), (p,) = model.tag(words[:1])
    scores = (model.start + model.emissions([(words[:1], None)])[0][0, 0]).astype(np.float64)
    soft = np.exp(scores - scores.max()) / np.exp(scores - scores.max()).sum()
    assert abs(p - soft.max()) < 1e-6


@pytest.mark.parametrize("n", [1, 47, 48, 49, 80, 200])
def test_windows_keep_every_token_once_with_context(n):
    from kg.neural import WINDOW, WINDOW_CONTEXT, _windows

    kept = []
    for start, end, keep_from, keep_to in _windows(n):
        assert 0 <= start <= keep_from < keep_to <= end <= n and end - start <= WINDOW
        assert keep_from - start >= min(WINDOW_CONTEXT, keep_from)
        assert end - keep_to >= min(WINDOW_CONTEXT, n - keep_to)
        kept += range(keep_from, keep_to)
    assert kept == list(range(n))


def test_a_long_sentence_is_read_in_windows_with_the_same_result(tiny_network):
    from kg.neural import WINDOW

    sents, model = tiny_network
    words = normalize_tokens(sents[0].tokens)
    long = words * (WINDOW // len(words) * 3)  # about three windows
    assert len(long) > 2 * WINDOW
    labels, probs = model.tag(long)
    assert labels == sents[0].labels * (len(long) // len(words))
    # the same as the whole sentence read at once
    em, lengths = model.emissions([(long, None)])
    paths, whole = model._decode(em, lengths)
    assert labels == [model.meta["tags"][k] for k in paths[0]]
    assert probs == pytest.approx(whole[0].tolist(), abs=0.02)


def test_a_full_word_cache_is_emptied_without_losing_a_word(tiny_network, monkeypatch):
    import kg.neural

    _, model = tiny_network
    first, second = normalize_tokens("قال الرئيس سامي".split()), normalize_tokens("سامي حدادين في عمان".split())
    expected = model.tag_many([(first, None), (second, None)])
    monkeypatch.setattr(kg.neural, "STATIC_CACHE", 5)
    model._static.clear()
    for words, (labels, probs) in zip((first, second), expected):  # the second empties the cache
        got = model.tag(words)
        assert got[0] == labels and got[1] == pytest.approx(probs, abs=1e-5)
    assert len(model._static) <= 5


def test_the_network_runs_with_one_blas_thread(tiny_network, monkeypatch):
    from threadpoolctl import threadpool_info

    _, model = tiny_network
    seen = []
    run = model._lstm

    def spy(*args):
        seen.append({lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"})
        return run(*args)

    monkeypatch.setattr(model, "_lstm", spy)
    model.tag(normalize_tokens("قال الرئيس سامي حدادين".split()))
    assert seen == [{1}]


def test_sentences_tagged_together_get_what_each_gets_alone(tiny_network):
    _, model = tiny_network
    sents = [normalize_tokens(t.split()) for t in (
        "قال الرئيس سامي حدادين في عمان ان حزب الامل سيفوز", "وزار عمان", "", "سامي")]
    together = model.tag_many([(w, None) for w in sents])
    for w, got in zip(sents, together):
        labels, probs = model.tag(w)
        assert got[0] == labels
        assert got[1] == pytest.approx(probs, abs=1e-5)


UNSEEN = [
    ("التقى وزير الزراعة بالسيد كريم بن حدو في العاصمة.", "كريم بن حدو", "Person"),
    ("قالت الناشطة سلمى بوعزيز إن السلطات اعتقلت عشرة محتجين.", "سلمى بوعزيز", "Person"),
    ("أكد النائب فهد العتيبي أن القانون سيصدر قريبا.", "فهد العتيبي", "Person"),
    ("وصل اللاعب ماتيو فيرنانديز إلى الملعب أمس.", "ماتيو فيرنانديز", "Person"),
    ("وأعلن حزب الوفاق الديمقراطي مقاطعته للانتخابات.", "حزب الوفاق الديمقراطي", "Organization"),
    ("سقطت قذيفة على مدينة كفرنبل صباحا.", "كفرنبل", "Place"),
    ("وجرت الانتخابات في ولاية كيرالا الهندية.", "كيرالا", "Place"),
]


@pytest.mark.parametrize("text,name,typ", UNSEEN)
def test_unseen_names_with_type_and_exact_offsets(recognizer, text, name, typ):
    _, mentions = recognizer.recognize(text)
    hits = [m for m in mentions if m.text == name]
    assert hits, [(m.text, m.type) for m in mentions]
    m = hits[0]
    assert m.type == typ
    assert (m.begin, m.end) == (text.index(name), text.index(name) + len(name))


def test_evaluate_ner_on_the_held_out_split(tmp_path):
    from conftest import shared_path

    corpus = shared_path("corpora", "fane")
    train_set, test = load_corpus(corpus)
    assert len(test) > 900 and len(train_set) > 15000
    # the held-out part is never in training
    train_keys = {tuple(s.tokens) for s in train_set}
    assert sum(tuple(s.tokens) in train_keys for s in test) < len(test) * 0.02
    lex = load_lexicon()
    result = evaluate_ner(test[:300], lex, load_model())
    for system in ("lexicon+cues", "model", "combined"):
        assert set(result[system]) >= {"Person", "Organization", "Place", "micro"}
    assert result["model"]["micro"]["f1"] > 0.55
    assert result["combined"]["micro"]["recall"] > result["lexicon+cues"]["micro"]["recall"]


def test_merged_clitics_are_spelled_as_in_raw_text():
    from kg.fane import Sentence

    s = merge_clitics(Sentence(["و", "ل", "الاتحاد", "الاوروبي", "قال"],
                               ["O", "O", "B-Organization", "I-Organization", "O"]))
    assert s.tokens == ["وللاتحاد", "الاوروبي", "قال"]  # ل + ال is written لل
    assert spans(s.labels) == {(0, 2, "Organization")}


def test_clitics_segmented_off_inside_a_name_are_glued_back():
    from kg.fane import Sentence

    s = merge_clitics(Sentence(["ف", "ؤاد", "السنيورة", "و", "فيفي", "عبد", "ه", "قالا"],
                               ["B-Person", "I-Person", "I-Person", "O", "B-Person", "I-Person", "I-Person", "O"]))
    assert s.tokens == ["فؤاد", "السنيورة", "وفيفي", "عبده", "قالا"]
    assert spans(s.labels) == {(0, 2, "Person"), (2, 4, "Person")}


def test_bilou_labels_round_trip():
    from kg.ner import to_bilou, to_bio

    bio = ["B-Person", "I-Person", "O", "B-Place", "B-Place", "I-Place", "I-Place", "O"]
    assert to_bilou(bio) == ["B-Person", "L-Person", "O", "U-Place", "B-Place", "I-Place", "L-Place", "O"]
    assert to_bio(to_bilou(bio)) == bio


def test_a_surname_alone_later_in_the_text_is_a_person(recognizer):
    text = ("قال الوزير كريم بن حدو إن الاتفاق سيوقع قريبا.\n"
            "وأضاف حدو أن المفاوضات كانت صعبة.")
    _, mentions = recognizer.recognize(text)
    later = [m for m in mentions if m.begin > text.index("\n")]
    assert any(m.text == "حدو" and m.type == "Person" for m in later), [(m.text, m.type) for m in mentions]


def test_the_compiled_decoder_finds_the_best_path_and_exact_marginals():
    """Viterbi and forward-backward (kg/kernels.py) against enumerating every
    label sequence of short rows of random scores, with rows of other lengths
    padded in the same batch."""
    import itertools

    import numpy as np

    from kg.kernels import crf_decode

    rng = np.random.default_rng(7)
    K, L = 3, 4
    em = rng.normal(size=(3, L, K))
    lengths = np.array([4, 1, 3])
    start, trans = rng.normal(size=K), rng.normal(size=(K, K))
    paths, probs = np.full((3, L), -1), np.full((3, L), -1.0)
    crf_decode(em, lengths, start, trans, paths, probs)
    for b, n in enumerate(lengths):
        scores = {}
        for seq in itertools.product(range(K), repeat=int(n)):
            s = start[seq[0]] + sum(em[b, t, k] for t, k in enumerate(seq))
            scores[seq] = s + sum(trans[a, c] for a, c in zip(seq, seq[1:]))
        best = max(scores, key=scores.get)
        assert paths[b, :n].tolist() == list(best)
        z = np.logaddexp.reduce(list(scores.values()))
        for t in range(n):
            marginal = np.exp(np.logaddexp.reduce([s for q, s in scores.items() if q[t] == best[t]]) - z)
            assert probs[b, t] == pytest.approx(marginal, abs=1e-9)
        assert (paths[b, n:] == 0).all() and (probs[b, n:] == 0).all()


def test_words_kept_before_the_word_table_grows_are_still_right_after(tiny_network):
    import random

    _, model = tiny_network
    rng = random.Random(3)
    letters = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
    fresh = sorted({"".join(rng.choice(letters) for _ in range(6)) for _ in range(6000)})
    first = [(fresh[i:i + 40], None) for i in range(0, 2000, 40)]
    second = [(fresh[i:i + 40], None) for i in range(2000, len(fresh), 40)]
    model._static.clear()
    before = model.tag_many(first)
    rows = len(model._static_rows)
    model.tag_many(second)  # more words than the table had rows: it grows
    assert len(model._static_rows) > rows and len(model._static) == len(fresh)
    for (labels, probs), (labels2, probs2) in zip(before, model.tag_many(first)):
        assert labels2 == labels and probs2 == pytest.approx(probs, abs=1e-6)


def test_self_training_sentences_label_names_and_leave_titles_and_unsure_ones_out(monkeypatch):
    import kg.silver
    from kg.io import Article
    from kg.recognize import Recognizer
    from kg.silver import article_sentences
    from tests.test_recognize import StubModel

    text = ("وقال الرئيس الروسي إن المحادثات مفيدة. "
            "والتقى تيموثي غاردنر بوزير الخارجية في موسكو أمس.")
    tags = {"تيموثي": "Person", "غاردنر": "Person"}
    sure = Recognizer(model=StubModel(tags), adjectives=False)
    sents = article_sentences(sure, Article("a", text, published="2021-06-16"))
    by_first = {s.tokens[0]: s for s in sents}
    # a title standing for its holder is no name (FANE marks none); the adjective neither
    assert set(by_first["وقال"].labels) == {"O"}
    met = by_first["والتقي"]
    assert spans(met.labels) == {(met.tokens.index("تيموثي"), met.tokens.index("غاردنر") + 1, "Person"),
                                 (met.tokens.index("موسكو"), met.tokens.index("موسكو") + 1, "Place")}
    # a name the recognizer is less sure of than MIN_CONFIDENCE (here the name cue's 0.75):
    # its sentence is left out, neither taught as a name nor as no name
    monkeypatch.setattr(kg.silver, "MIN_CONFIDENCE", 0.8)
    unsure = Recognizer(model=StubModel(tags, prob=0.6), adjectives=False)
    assert [s.tokens[0] for s in article_sentences(unsure, Article("a", text))] == ["وقال"]


def test_train_ner_self_trains_on_unlabeled_news(tmp_path):
    import json

    from click.testing import CliRunner

    from kg.cli import cli

    write_fane(tmp_path / "NewsFANE_Gold_2014_170K.txt", TINY * 5)
    news = tmp_path / "news"
    news.mkdir()
    with open(news / "a.jsonl", "w", encoding="utf-8") as fh:
        for k in range(4):
            fh.write(json.dumps({"id": f"n{k}", "text": f"قال الرئيس سامي حدادين في عمان إن حزب الامل سيفوز {k}."},
                                ensure_ascii=False) + "\n")
    out = tmp_path / "model.npz"
    run = CliRunner().invoke(cli, ["train-ner", "--corpus", str(tmp_path), "--out", str(out), "--epochs", "2",
                                   "--unlabeled", str(news), "--articles", "3"])
    assert run.exit_code == 0, run.output
    assert "training the teacher" in run.output
    assert "3 articles labelled: 3 sentences" in run.output
    gold = int(run.output.split("training a bilstm on ")[1].split()[0])
    assert f"training on {gold + 3} sentences" in run.output  # the gold and the labelled ones
    assert out.is_file() and not list(tmp_path.glob("*teacher*"))
    # a given teacher is used as it is
    again = CliRunner().invoke(cli, ["train-ner", "--corpus", str(tmp_path), "--out", str(tmp_path / "b.npz"),
                                     "--epochs", "1", "--unlabeled", str(news), "--teacher", str(out)])
    assert again.exit_code == 0, again.output
    assert "training the teacher" not in again.output and "4 articles labelled" in again.output
    empty = tmp_path / "empty"
    empty.mkdir()
    bad = CliRunner().invoke(cli, ["train-ner", "--corpus", str(tmp_path), "--out", str(tmp_path / "c.npz"),
                                   "--unlabeled", str(empty), "--teacher", str(out)])
    assert bad.exit_code != 0 and "no articles" in bad.output
    crf = CliRunner().invoke(cli, ["train-ner", "--corpus", str(tmp_path), "--kind", "crf", "--out",
                                   str(tmp_path / "d.crfsuite"), "--unlabeled", str(news)])
    assert crf.exit_code != 0 and "for the network" in crf.output
