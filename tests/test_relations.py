"""Roles and quotations, on sentences written for the tests."""

from kg.io import Article
from kg.pipeline import extract


def roles_of(recognizer, text):
    res = extract(Article("t", text), recognizer)
    names = {eid: m.text for m, eid in res.mentions}
    return {(names.get(r.person, r.person), r.role, names.get(r.of, r.of), names.get(r.to, r.to))
            for r in res.roles}, res


def test_title_before_name_with_adjective_and_host(recognizer):
    roles, _ = roles_of(recognizer, "وقال السفير الفرنسي لدى القاهرة، مارك بارتيه، إن العلاقات جيدة مع فرنسا.")
    assert ("مارك بارتيه", "ambassador", "فرنسا", "القاهرة") in roles


def test_apposition_after_name(recognizer):
    roles, _ = roles_of(recognizer, "وقال دانيال كوهين، المتحدث باسم الكرملين، إن الموعد لم يحدد.")
    assert ("دانيال كوهين", "spokesperson", "الكرملين", None) in roles


def test_adviser_of_a_person(recognizer):
    roles, res = roles_of(recognizer, "وصرح ماتيو رينزي مستشار بوتين للشؤون الخارجية بأن الاتصال جيد.")
    assert any(r.role == "adviser" and r.of == "Q7747" for r in res.roles), roles


def test_no_role_across_a_verb(recognizer):
    _, res = roles_of(recognizer, "وحذر بوتين الرئيس الأميركي من فرض عقوبات جديدة.")
    assert not [r for r in res.roles if r.person == "Q7747" and r.of == "Q30"]


def test_quote_attributed_to_subject_and_dropped_subject():
    from kg.recognize import Recognizer

    rec = Recognizer()
    text = ('وقال الرئيس الروسي فلاديمير بوتين إن الوضع خطير. '
            'وتابع: "لن نسمح بتوسيع الحلف شرقا مهما كان الثمن". '
            'وقالت ماريا كوزنتسوفا، المتحدثة باسم الكرملين: «نحن مستعدون للحوار في أي وقت». '
            'وأضافت المتحدثة باسم الكرملين، قائلة: "الكرة الآن في ملعب واشنطن تماما".')
    res = extract(Article("q", text), rec)
    names = {eid: m.text for m, eid in res.mentions}
    got = [(names.get(q.speaker), q.text) for q in res.quotes]
    assert got == [
        ("فلاديمير بوتين", "لن نسمح بتوسيع الحلف شرقا مهما كان الثمن"),
        ("ماريا كوزنتسوفا", "نحن مستعدون للحوار في أي وقت"),
        ("ماريا كوزنتسوفا", "الكرة الآن في ملعب واشنطن تماما"),
    ]
    for q in res.quotes:
        assert text[q.begin:q.end] == q.text


def test_scare_quotes_are_not_quotations(recognizer):
    res = extract(Article("s", 'ووصف المسؤول الخطوة بأنها "خطأ" فادح.'), recognizer)
    assert res.quotes == []
