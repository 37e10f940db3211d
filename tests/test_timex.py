"""The date normalizer: month systems, dual forms, weekdays, years, relative
expressions, precision, and never guessing."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.text import normalize
from kg.timex import _tables, find_dates

PUB = dt.date(2021, 3, 19)  # a Friday


def dates(text, published=None):
    norm = normalize(text).text
    return [(x.value, x.datatype) for x in find_dates(norm, published)]


@pytest.mark.parametrize("text,expected", [
    ("الجمعة 19 مارس/آذار 2021", ("2021-03-19", "xsd:date")),
    ("في 7 كانون الأول/ديسمبر 2021", ("2021-12-07", "xsd:date")),
    ("يوم ٧ ديسمبر ٢٠٢٠", ("2020-12-07", "xsd:date")),
    ("في 3 تموز 2019", ("2019-07-03", "xsd:date")),
    ("في 12 جوان 2018", ("2018-06-12", "xsd:date")),
    ("في 1 أيلول/سبتمبر 2015", ("2015-09-01", "xsd:date")),
    ("في شهر نيسان/أبريل 2016", ("2016-04", "xsd:gYearMonth")),
    ("في يناير 2022", ("2022-01", "xsd:gYearMonth")),
    ("ضم القرم عام 2014", ("2014", "xsd:gYear")),
    ("خلال مكالمة يوم 7 ديسمبر", ("--12-07", "xsd:gMonthDay")),
])
def test_explicit_dates_with_their_precision(text, expected):
    assert dates(text) == [expected]


@pytest.mark.parametrize("text,expected", [
    ("قال أمس", "2021-03-18"), ("وصل اليوم", "2021-03-19"), ("يصل غدا", "2021-03-20"),
    ("قال الخميس", "2021-03-18"), ("والثلاثاء، أصدر", "2021-03-16"), ("يوم الجمعة", "2021-03-19"),
    ("الأحد المقبل", "2021-03-21"), ("الشهر المقبل", "2021-04"), ("الشهر الماضي", "2021-02"),
    ("العام الماضي", "2020"), ("في 17 مارس/آذار", "2021-03-17"),
])
def test_relative_dates_resolve_against_publication(text, expected):
    assert [v for v, _ in dates(text, PUB)] == [expected]


def test_relative_dates_without_anchor_are_left_out():
    assert dates("قال أمس الخميس إن الشهر المقبل حاسم") == []


def test_an_explicit_full_date_in_the_article_is_the_anchor():
    text = "أعلن الكرملين الجمعة 19 مارس/آذار 2021 أن العرض قائم. والثلاثاء صدر تقرير."
    assert [v for v, _ in dates(text)] == ["2021-03-19", "2021-03-16"]


def test_month_without_year_takes_the_next_occurrence():
    assert dates("تبدأ في كانون الثاني/يناير", dt.date(2021, 12, 30)) == [("2022-01", "xsd:gYearMonth")]


def test_invalid_day_is_not_a_date():
    assert dates("في 31 فبراير 2021") == []


def test_every_month_name_of_every_system():
    t = _tables()
    assert sorted(set(t.months.values())) == list(range(1, 13))
    babel = pytest.importorskip("babel")
    for num, name in babel.Locale("ar").months["format"]["wide"].items():
        assert t.months.get(normalize(name).text) == num, name


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2035, 12, 31)),
       st.sampled_from(["gregorian", "levantine", "dual"]))
@settings(max_examples=200, deadline=None)
def test_any_written_date_round_trips(day, system):
    t = _tables()
    names = {v: k for k, v in t.months.items()}
    greg = ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر",
            "نوفمبر", "ديسمبر"][day.month - 1]
    lev = ["كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول",
           "تشرين الأول", "تشرين الثاني", "كانون الأول"][day.month - 1]
    month = {"gregorian": greg, "levantine": lev, "dual": f"{greg}/{lev}"}[system]
    assert names  # tables loaded
    text = f"وقال الوزير في {day.day} {month} {day.year} إن الاتفاق قائم"
    assert dates(text) == [(day.isoformat(), "xsd:date")]
