"""Dates in Arabic news: both month systems and their dual forms (مارس/آذار،
كانون الأول/ديسمبر), weekdays, years (عام 2014) and relative expressions (أمس،
الخميس، الشهر المقبل), with the precision the text supports.

Relative expressions resolve against the article's publication date when it is
known, otherwise only against an explicit full date in the same article; else
they are left out. Nothing is guessed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .text import normalize


@dataclass(frozen=True)
class Timex:
    begin: int  # offsets into the normalized text (same length as the original when no marks)
    end: int
    value: str  # ISO lexical form: 2021-03-19, 2021-03, 2021, --12-07
    datatype: str  # xsd:date, xsd:gYearMonth, xsd:gYear, xsd:gMonthDay


@dataclass
class _Tables:
    month_re: str
    months: dict[str, int]
    weekdays: dict[str, int]
    rel_days: dict[str, int]
    rel_periods: dict[str, tuple[str, int]]
    future: frozenset[str]


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    data = json.loads((resources.files("kg") / "data" / "time.json").read_text("utf-8"))
    n = lambda s: normalize(s).text  # noqa: E731
    months = {n(name): int(k) for k, names in data["months"].items() for name in names}
    alts = sorted(months, key=len, reverse=True)
    return _Tables(
        month_re="(?:" + "|".join(re.escape(m) for m in alts) + ")",
        months=months,
        weekdays={n(name): int(k) for k, names in data["weekdays"].items() for name in names},
        rel_days={n(k): v for k, v in data["relative_days"].items()},
        rel_periods={n(k): tuple(v) for k, v in data["relative_periods"].items()},
        future=frozenset(n(w) for w in data["future_words"]),
    )


@lru_cache(maxsize=1)
def _patterns():
    t = _tables()
    m = t.month_re
    # [weekday] D month[/month] [YYYY]  |  month[/month] YYYY  |  عام YYYY
    day_month = re.compile(
        rf"(?<!\w)(?:(?:و|ب|ل|ف)?(?:يوم\s+)?(?P<wd>ال\w+)\s+)?(?P<d>[0-3]?\d)\s+(?:من\s+)?(?P<m1>{m})"
        rf"(?:\s*/\s*(?P<m2>{m}))?(?:\s*(?:من\s+)?(?:عام\s+)?(?P<y>(?:19|20)\d\d))?(?!\w)")
    month_year = re.compile(
        rf"(?<![\w/])(?:شهر\s+)?(?P<m1>{m})(?:\s*/\s*(?P<m2>{m}))?(?:\s+(?:من\s+)?(?:عام\s+)?(?P<y>(?:19|20)\d\d))?(?!\w)")
    year = re.compile(r"(?<!\w)(?:ال)?(?:عام|سنه|العام)\s+(?P<y>(?:19|20)\d\d)(?!\w)")
    rel = re.compile(r"(?<!\w)(?:و|ب|ف|ل)?(?:" + "|".join(
        re.escape(k) for k in sorted(list(t.rel_periods) + list(t.rel_days), key=len, reverse=True))
        + r")(?!\w)")
    weekday = re.compile(r"(?<!\w)(?:و|ب|ف|ل)?(?:يوم\s+)?(?P<wd>" + "|".join(
        re.escape(k) for k in sorted(t.weekdays, key=len, reverse=True)) + r")(?P<next>\s+(?:المقبل|القادم))?(?!\w)")
    return day_month, month_year, year, rel, weekday


def _iso(y, m, d=None) -> tuple[str, str]:
    if y and m and d:
        return dt.date(y, m, d).isoformat(), "xsd:date"
    if y and m:
        return f"{y:04d}-{m:02d}", "xsd:gYearMonth"
    if m and d:
        return f"--{m:02d}-{d:02d}", "xsd:gMonthDay"
    return f"{y:04d}", "xsd:gYear"


def explicit_dates(norm_text: str) -> list[Timex]:
    """Dates the text states in full or in part (no relative expressions)."""
    t = _tables()
    day_month, month_year, year, _, _ = _patterns()
    out: list[Timex] = []
    taken: list[tuple[int, int]] = []

    def free(b, e):
        return all(e <= tb or b >= te for tb, te in taken)

    for mt in day_month.finditer(norm_text):
        d, mo = int(mt["d"]), t.months[mt["m1"]]
        y = int(mt["y"]) if mt["y"] else None
        try:
            value, dtype = _iso(y, mo, d)
        except ValueError:
            taken.append((mt.start(), mt.end()))  # 31 فبراير: no date, and no month either
            continue
        b = mt.start("wd") if mt["wd"] and mt["wd"] in t.weekdays else mt.start("d")
        out.append(Timex(b, mt.end(), value, dtype))
        taken.append((b, mt.end()))
    for mt in month_year.finditer(norm_text):
        if not free(mt.start(), mt.end()):
            continue
        y = int(mt["y"]) if mt["y"] else None
        mo = t.months[mt["m1"]]
        if y is None:
            if not mt["m2"]:
                continue  # a bare month name (ماي، آب) is too often another word
            out.append(Timex(mt.start(), mt.end(), f"--{mo:02d}", "xsd:gMonth"))
        else:
            out.append(Timex(mt.start(), mt.end(), *_iso(y, mo)))
        taken.append((mt.start(), mt.end()))
    for mt in year.finditer(norm_text):
        if free(mt.start(), mt.end()):
            out.append(Timex(mt.start(), mt.end(), mt["y"], "xsd:gYear"))
            taken.append((mt.start(), mt.end()))
    return sorted(out, key=lambda x: x.begin)


def anchor_date(norm_text: str, published: dt.date | None) -> dt.date | None:
    """The date relative expressions resolve against: the publication date, else
    the first full date the article states, else None."""
    if published:
        return published
    for x in explicit_dates(norm_text):
        if x.datatype == "xsd:date":
            return dt.date.fromisoformat(x.value)
    return None


def find_dates(norm_text: str, published: dt.date | None = None) -> list[Timex]:
    """Every date expression of a normalized text, resolved as far as the text
    and the anchor allow."""
    t = _tables()
    _, _, _, rel, weekday = _patterns()
    anchor = anchor_date(norm_text, published)
    out = []
    for x in explicit_dates(norm_text):
        if x.datatype in ("xsd:gMonthDay", "xsd:gMonth") and anchor:
            mo = int(x.value[2:4])
            if x.datatype == "xsd:gMonthDay":
                d = int(x.value[5:7])
                try:
                    x = Timex(x.begin, x.end, *_iso(anchor.year, mo, d))
                except ValueError:
                    continue
            else:
                y = anchor.year + (1 if mo < anchor.month - 6 else 0)
                x = Timex(x.begin, x.end, *_iso(y, mo))
        if x.datatype == "xsd:gMonth":
            continue  # a month with no year and no anchor says too little
        out.append(x)
    taken = [(x.begin, x.end) for x in out]

    def free(b, e):
        return all(e <= tb or b >= te for tb, te in taken)

    if anchor:
        for mt in rel.finditer(norm_text):
            word = mt.group().lstrip("وبفل") if mt.group()[1:] in t.rel_days or mt.group()[1:] in t.rel_periods \
                else mt.group()
            if not free(mt.start(), mt.end()):
                continue
            if word in t.rel_days:
                day = anchor + dt.timedelta(days=t.rel_days[word])
                out.append(Timex(mt.start(), mt.end(), day.isoformat(), "xsd:date"))
            elif word in t.rel_periods:
                unit, delta = t.rel_periods[word]
                if unit == "month":
                    y, mo = divmod(anchor.year * 12 + anchor.month - 1 + delta, 12)
                    out.append(Timex(mt.start(), mt.end(), *_iso(y, mo + 1)))
                elif unit == "year":
                    out.append(Timex(mt.start(), mt.end(), *_iso(anchor.year + delta, None)))
                else:
                    continue  # a week has no XSD type
            taken.append((mt.start(), mt.end()))
        for mt in weekday.finditer(norm_text):
            if not free(mt.start(), mt.end()):
                continue
            wd = t.weekdays[mt["wd"]]
            if mt["next"]:
                delta = (wd - anchor.weekday()) % 7 or 7
            else:
                delta = -((anchor.weekday() - wd) % 7)
            day = anchor + dt.timedelta(days=delta)
            out.append(Timex(mt.start(), mt.end(), day.isoformat(), "xsd:date"))
            taken.append((mt.start(), mt.end()))
    return sorted(out, key=lambda x: x.begin)
