"""Events on texts written for the tests, and their identity across articles."""

import json

import pyoxigraph as ox

from kg.events import load_event_types
from kg.io import Article
from kg.pipeline import build_exports, extract
from kg.vocab import ontology_path


def events(recognizer, text, aid="e", published=None):
    res = extract(Article(aid, text, published=published), recognizer)
    names = {eid: m.text for m, eid in res.mentions}
    return [(e.type, {names.get(p, p) for p in e.participants}, names.get(e.place), e.date, e.planned)
            for e in res.events], res


def test_summit_with_participants_place_and_date(recognizer):
    evs, _ = events(recognizer, "عقدت في جنيف يوم 16 يونيو 2021 قمة بين الرئيس الأمريكي جو بايدن والرئيس الروسي فلاديمير بوتين.")
    summit = [e for e in evs if e[0] == "Summit"]
    assert len(summit) == 1
    typ, people, place, date, planned = summit[0]
    assert {"جو بايدن", "فلاديمير بوتين"} <= people and (place, date, planned) == ("جنيف", "2021-06-16", False)


def test_planned_event(recognizer):
    evs, _ = events(recognizer, "ومن المقرر أن يزور الرئيس الفرنسي إيمانويل ماكرون القاهرة الشهر المقبل.",
                    published="2021-05-10")
    visit = [e for e in evs if e[0] == "Visit"]
    assert visit and visit[0][4] is True and visit[0][3] == "2021-06"


def test_phone_call_by_title(recognizer):
    text = ("أجرى الرئيس الروسي فلاديمير بوتين اتصالا هاتفيا مع الرئيس الأمريكي جو بايدن. "
            "والمكالمة التي جرت بطلب من الرئيس الروسي استمرت ساعة.")
    evs, _ = events(recognizer, text)
    calls = [e for e in evs if e[0] == "PhoneCall"]
    assert len(calls) == 1 and {"فلاديمير بوتين", "جو بايدن"} <= calls[0][1]


def test_one_event_across_articles_and_two_on_different_dates(tmp_path):
    arts = [
        {"id": "a", "text": "اختتمت في جنيف قمة الرئيس الأمريكي جو بايدن والرئيس الروسي فلاديمير بوتين."},
        {"id": "b", "text": "وقال الرئيس الأمريكي جو بايدن عقب القمة مع نظيره فلاديمير بوتين إن اللقاء بناء."},
        {"id": "c", "text": "أجرى فلاديمير بوتين وجو بايدن اتصالا هاتفيا يوم 7 ديسمبر 2021."},
        {"id": "d", "text": "أجرى فلاديمير بوتين وجو بايدن اتصالا هاتفيا يوم 30 ديسمبر 2021."},
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(a, ensure_ascii=False) for a in arts), "utf-8")
    build_exports([src], tmp_path / "out")
    store = ox.Store()
    store.bulk_load(path=str(tmp_path / "out" / "graph.nq"), format=ox.RdfFormat.N_QUADS)
    rows = store.query("""
        PREFIX kg: <https://w3id.org/kg-ar/ontology#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX schema: <https://schema.org/>
        SELECT ?t ?e (COUNT(DISTINCT ?a) AS ?n) WHERE {
          ?e a ?t ; prov:wasDerivedFrom/schema:identifier ?a .
          VALUES ?t { kg:Summit kg:PhoneCall } } GROUP BY ?t ?e""", use_default_graph_as_union=True)
    got = sorted((r["t"].value.rsplit("#", 1)[1], int(r["n"].value)) for r in rows)
    assert got == [("PhoneCall", 1), ("PhoneCall", 1), ("Summit", 2)]


def test_every_event_type_is_an_ontology_class_with_labels():
    g = ox.Store()
    g.bulk_load(path=str(ontology_path()), format=ox.RdfFormat.TURTLE)
    for name, et in load_event_types().types.items():
        cls = f"https://w3id.org/kg-ar/ontology#{name}"
        labels = {(r["l"].value, r["l"].language) for r in g.query(
            f"SELECT ?l WHERE {{ <{cls}> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}")}
        assert (et.label, "en") in labels and (et.ar, "ar") in labels, name
        ask = g.query(f"ASK {{ <{cls}> <http://www.w3.org/2000/01/rdf-schema#subClassOf>+ <https://schema.org/Event> }}")
        assert bool(ask), name


def test_wanted_or_feared_events_are_not_reported_events(recognizer):
    evs, _ = events(recognizer, "وقال الكرملين إن الرئيس فلاديمير بوتين يريد عقد اجتماع مع جو بايدن.")
    assert [e for e in evs if e[0] == "Meeting"] == []
    evs, _ = events(recognizer, "تراجعت الأسواق وسط المخاوف بشأن فرض عقوبات على روسيا.")
    assert [e for e in evs if e[0] == "Sanction"] == []


def test_what_an_agreement_or_warning_is_about_is_no_event_of_its_own(recognizer):
    evs, _ = events(recognizer, "واتفق فلاديمير بوتين وجو بايدن على إجراء محادثات جديدة.")
    assert [e[0] for e in evs] == ["Agreement"]
    evs, _ = events(recognizer, "وحذر فلاديمير بوتين من فرض عقوبات جديدة على بلاده.")
    assert [e[0] for e in evs] == ["Threat"]


def test_duration_and_initiator_go_to_the_nearest_trigger(recognizer):
    text = ("أجرى الرئيس الروسي فلاديمير بوتين اتصالا هاتفيا مع جو بايدن. "
            "وزار وفد روسي القاهرة، فيما قال الكرملين إن المكالمة التي جرت بطلب من الرئيس "
            "الروسي استمرت 50 دقيقة.")
    res = extract(Article("d", text), recognizer)
    calls = [e for e in res.events if e.type == "PhoneCall"]
    assert len(calls) == 1 and calls[0].duration == "PT50M" and calls[0].initiator == "Q7747"
    others = [e for e in res.events if e.type != "PhoneCall"]
    assert others and all(e.duration is None and e.initiator is None for e in others)


def _of(evs, typ):
    return [e for e in evs if e[0] == typ]


def test_an_event_that_is_the_setting_of_an_agreement_is_an_event(recognizer):
    """اتفقا على إجراء محادثات: the talks are what was agreed; اتفقا خلال اجتماع:
    the meeting is where it was agreed, an event of its own."""
    evs, _ = events(recognizer, "واتفق الرئيس الفرنسي إيمانويل ماكرون والمستشار الألماني أولاف شولتس "
                                "على تنسيق المواقف خلال مكالمة هاتفية يوم 3 مارس 2022.")
    assert [e[0] for e in evs] == ["Agreement", "PhoneCall"]
    assert _of(evs, "PhoneCall")[0][3] == "2022-03-03"
    evs, _ = events(recognizer, "واتفق إيمانويل ماكرون وأولاف شولتس على عقد اجتماع جديد.")
    assert [e[0] for e in evs] == ["Agreement"]


def test_describing_someone_as_something_is_a_statement(recognizer):
    table = [
        ("ووصف الرئيس التركي رجب طيب أردوغان نتنياهو بأنه إرهابي، الثلاثاء 5 أبريل 2022.", True),
        ("وهاجم رئيس الوزراء الإسرائيلي نفتالي بينيت الرئيس الإيراني، قبل أن يصفه بـ\"الجلاد\".", True),
        ("ووصف أردوغان الاجتماع بأنه كان مثمرا.", False),  # a thing described
        ("وانتقد أردوغان ما وصفه بـ\"الصمت الدولي\".", False),  # ما وصفه بـ: "what he called"
        ("وأشاد أردوغان بالاتفاقية التي وصفها بالتاريخية.", False),
    ]
    for text, expected in table:
        evs, _ = events(recognizer, text, published="2022-04-06")
        assert bool(_of(evs, "Statement")) is expected, text
    evs, _ = events(recognizer, table[0][0])
    assert _of(evs, "Statement")[0][3] == "2022-04-05"


def test_the_date_of_the_clause_not_of_the_next_one(recognizer):
    """The date nearest to the trigger in its own clause: a comma and a
    conjunction start the next clause, whose date is another event's."""
    text = ("وقال وزير الخارجية الأمريكي أنتوني بلينكن، الاثنين 7 فبراير 2022، إن بلاده قد ترد، "
            "قبل أن يصف روسيا بالمعتدي، ورد الكرملين، الثلاثاء، على التصريحات.")
    evs, _ = events(recognizer, text)
    assert _of(evs, "Statement")[0][3] == "2022-02-07"


def test_a_background_event_takes_no_date_of_the_main_clause(recognizer):
    """ضربات السبت ردا على هجوم: the attack the strikes answer happened before."""
    evs, _ = events(recognizer, "وشنت الطائرات الأمريكية غارات على مواقع في سوريا يوم السبت، "
                                "ردا على هجوم استهدف قاعدة التنف.", published="2022-05-09")
    assert {e[3] for e in _of(evs, "Attack")} == {"2022-05-07", None}


def test_the_place_introduced_by_fi_near_the_trigger(recognizer):
    evs, _ = events(recognizer, "ويعقد وزراء خارجية الاتحاد الأوروبي اجتماعا في العاصمة البلجيكية بروكسل "
                                "لبحث العلاقات مع واشنطن.")
    assert _of(evs, "Meeting")[0][2] == "بروكسل"
    evs, _ = events(recognizer, "وأعلنت الشرطة عن هجوم بسيارة مفخخة في ريف حلب الشمالي.")
    assert _of(evs, "Attack")[0][2] in ("حلب", "ريف حلب")


def test_a_brandished_sanction_is_not_imposed(recognizer):
    evs, _ = events(recognizer, "ولوحت واشنطن بفرض عقوبات جديدة على كوريا الشمالية.")
    assert _of(evs, "Sanction") == []


def test_an_event_with_no_participant_place_or_date_is_dropped(recognizer):
    evs, _ = events(recognizer, "وأضاف أنه قدم اقتراحا بتأجيل النقاش.")
    assert evs == []


def test_an_event_called_for_is_not_reported(recognizer):
    for text in ("وأعرب الأمين العام للأمم المتحدة أنطونيو غوتيريس عن قلقه، داعيا إلى الحوار بين الطرفين.",
                 "وطالب البرلمان الأوروبي بفرض عقوبات على الحكومة."):
        evs, _ = events(recognizer, text)
        assert [e for e in evs if e[0] in ("Negotiation", "Sanction")] == [], text


def test_an_event_of_named_people_is_one_across_articles_and_one_of_none_is_its_articles_own():
    from kg.events import EventFact

    summit = EventFact("Summit", persons={"Q7747", "Q6279"}, participants={"Q7747", "Q6279", "Q159"})
    assert summit.key("a") == summit.key("b")
    dated = EventFact("Summit", date="2021-06-16", persons={"Q7747", "Q6279"})
    assert dated.key("a") == dated.key("b") != summit.key("a")
    for unnamed in (EventFact("Meeting"), EventFact("Meeting", date="2018-05-03", participants={"Q159"})):
        assert unnamed.key("a") != unnamed.key("b")
        assert unnamed.key("a") == unnamed.key("a")


def test_undated_meetings_of_no_named_person_in_two_articles_are_two_events(recognizer):
    keys = {}
    for aid, text in (("m1", "عقد المسؤولون اجتماعا في موسكو لبحث الأزمة."),
                      ("m2", "عقد المسؤولون اجتماعا في موسكو لبحث الأزمة."),
                      ("p1", "التقى الرئيس الروسي فلاديمير بوتين الرئيس الأمريكي جو بايدن في جنيف."),
                      ("p2", "التقى الرئيس الروسي فلاديمير بوتين الرئيس الأمريكي جو بايدن في جنيف.")):
        keys[aid] = {ev.key(aid) for ev in extract(Article(aid, text), recognizer).events}
    assert keys["m1"] and keys["m2"] and not keys["m1"] & keys["m2"]
    assert keys["p1"] and keys["p1"] == keys["p2"]
