import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.text import (
    clean, clitic_variants, normalize, normalize_key, sentences, skeleton, strip_clitics, tokenize,
)


@pytest.mark.parametrize("raw,expected", [
    ("أحمد", "احمد"), ("إيران", "ايران"), ("آسيا", "اسيا"), ("ٱلله", "الله"),
    ("مصطفى", "مصطفي"), ("القاهرة", "القاهره"), ("مسؤول", "مسوول"), ("رئيس", "رييس"),
    ("العربيـــة", "العربيه"), ("مُحَمَّدٌ", "محمد"), ("٢٠٢١", "2021"), ("۱۴۰۰", "1400"),
    ("\uFEFB", "لا"), ("\uFE8D\uFEDF", "ال"), ("ABC News", "abc news"), ("a\u200fb", "ab"),
    ("کیف", "كيف"),
])
def test_normalize_folds_for_matching(raw, expected):
    assert normalize(raw).text == expected


arabic = st.text(alphabet=st.sampled_from(list(
    "ابتثجحخدذرزسشصضطظعغفقكلمنهويأإآىةؤئء ـًٌٍَُِّْ٠١٢٣٤٥٦٧٨٩،.؟\n \uFEFB\uFE8D\u200fAbCz")), max_size=80)


@given(arabic)
@settings(max_examples=300, deadline=None)
def test_normalize_offsets_map_back_to_original(text):
    norm = normalize(text)
    for tok in tokenize(norm.text):
        b, e = norm.span(tok.start, tok.end)
        assert 0 <= b < e <= len(text)
        # the original slice normalizes back to the token
        assert normalize(text[b:e]).text == tok.text


def test_span_skips_deleted_characters():
    text = "قال مُحمّد"
    norm = normalize(text)
    tok = tokenize(norm.text)[1]
    b, e = norm.span(tok.start, tok.end)
    assert text[b:e] == "مُحمّد"


@pytest.mark.parametrize("token,stem", [
    ("وبروسيا", "روسيا"), ("للولايات", "ولايات"), ("بالكرملين", "كرملين"), ("لروسيا", "روسيا"),
    ("فالرئيس", "رييس"), ("كالعادة", "عاده"), ("والناتو", "ناتو"),
])
def test_clitic_variants_include_stem(token, stem):
    keys = [k for _, k in clitic_variants(normalize(token).text)]
    assert normalize(stem).text in keys
    # the unsegmented reading always comes first
    assert clitic_variants(normalize(token).text)[0][0] == 0


def test_clitic_variants_keep_the_prefix_length():
    variants = dict((k, p) for p, k in clitic_variants("وبروسيا"))
    assert variants["روسيا"] == 2
    assert variants["بروسيا"] == 1


def test_strip_clitics_and_short_words():
    assert strip_clitics("بالكرملين") == "كرملين"
    assert clitic_variants("في") == ((0, "في"),)
    assert clitic_variants("و") == ((0, "و"),)


@pytest.mark.parametrize("a,b", [("دميتري", "ديمتري"), ("الأمريكي", "الأميركي"), ("أليكسي", "اليكسي")])
def test_skeleton_merges_spelling_variants(a, b):
    assert skeleton(normalize_key(a)) == skeleton(normalize_key(b))


@pytest.mark.parametrize("a,b", [("محمد", "محمود"), ("بوتين", "بايدن")])
def test_skeleton_keeps_different_names_apart(a, b):
    assert skeleton(normalize_key(a)) != skeleton(normalize_key(b))


def test_normalize_key_drops_article_and_punctuation():
    assert normalize_key("الولايات المتحدة") == "ولايات متحده"
    assert normalize_key("«الكرملين»") == "كرملين"


def test_sentences_split_and_trim():
    text = "قال بوتين إن الوضع خطير. وأضاف: «لا». هل تنتهي الأزمة؟ نعم\n\nعنوان آخر"
    spans = sentences(text)
    parts = [text[b:e] for b, e in spans]
    assert parts == ["قال بوتين إن الوضع خطير.", "وأضاف: «لا».", "هل تنتهي الأزمة؟", "نعم", "عنوان آخر"]


def test_sentences_keep_abbreviations():
    text = "وقال د. أحمد زويل إن العلم مهم."
    assert len(sentences(text)) == 1


def test_clean_removes_harakat_tatweel_and_controls():
    assert clean("  مُحَمَّد\u200f  بـــن   سلمان ") == "محمد بن سلمان"
    assert clean("\uFEFB") == "لا"
