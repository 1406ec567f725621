"""The Pupil page's printable one-page summary for a parents' meeting."""
from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pandas as pd
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from tests.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium
from tests.exports import query
from tests.pages import open_page
from warehouse import staff_store
from warehouse.loaders import PupilRecord
from warehouse.pupil_summary import summary_file_name, summary_html

DROP = "2025/26 Summer"
# The words of the marks, written out here rather than imported, so that a changed label is noticed.
STATUS = {"ahead": "▲ ahead", "on_track": "● on track", "below": "▼ below", "well_below": "▼▼ well below"}
# What a parents' summary must never say (see warehouse/pupil_summary.py for why).
SENSITIVE = re.compile(r"\bSEN\b|special educational|\bEHC\b|disadvantage|pupil premium|\bPP\b|free school meal|"
                       r"\bFSM\b|looked[ -]after|ethnicity|\bEAL\b|english as an additional", re.IGNORECASE)


class Tables(HTMLParser):
    """The text of each table row's cells, and the whole text, of an HTML document."""

    def __init__(self, document: str):
        super().__init__()
        self.rows: list[list[str]] = []
        self.text: list[str] = []
        self._cell: list[str] | None = None
        self.feed(document)

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


@pytest.fixture
def downloads(monkeypatch) -> dict[str, tuple[bytes, str]]:
    """What the app offers for download in AppTest, by file name: (content, mime type)."""
    offered: dict[str, tuple[bytes, str]] = {}
    keep = MemoryMediaFileStorage.load_and_get_id

    def recording(self, path_or_data, mimetype, kind, filename=None):
        offered[filename] = (path_or_data, mimetype)
        return keep(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", recording)
    # A file made only when its button is clicked (as the printable summary is): kept as its maker.
    keep_deferred = MediaFileManager.add_deferred

    def deferred(self, make, mimetype, coordinates, file_name=None, element_id=""):
        offered[file_name] = (make, mimetype)
        return keep_deferred(self, make, mimetype, coordinates, file_name=file_name, element_id=element_id)

    monkeypatch.setattr(MediaFileManager, "add_deferred", deferred)
    return offered


def summary_from_page(upn: str, downloads: dict) -> tuple[object, str]:
    """The Pupil page for this pupil at the demo's last drop, and the summary it offers."""
    at = open_page("pages/pupil.py", year="11", upn=upn)
    assert not at.exception
    content, mime = downloads[f"{upn}-2025-26-Summer.html"]
    assert mime == "text/html"
    if callable(content):   # made on the click, as the browser's click would make it
        content = content()
    return at, content.decode("utf-8")


def most_subjects(store, where: str = "true") -> str:
    """The Year 11 pupil with the most subjects at the drop (of those matching `where` on mart_pupil)."""
    return query(store, "select m.upn from mart_progress m join mart_pupil p using (school_code, upn) "
                        f"where m.assessment_point = ? and m.year_group = 11 and {where} "
                        "group by m.upn order by count(*) desc, m.upn limit 1", [DROP])[0][0]


def test_the_pupil_page_offers_the_printable_summary(demo_env, downloads):
    upn = most_subjects(demo_env)
    at, _ = summary_from_page(upn, downloads)
    [button] = [b for b in at.download_button if b.label == "Printable summary"]
    assert button.proto.icon == ":material/print:"
    # Printing it is an export of a pupil's record: in the audit log, who and which pupil.
    entries = staff_store.read(staff_store.StaffStore.for_settings(), action="export",
                               subject=f"{upn}-2025-26-Summer.html")
    assert entries and entries[0].new["upn"] == upn and entries[0].actor == "test-data_manager"
    assert summary_file_name(upn, DROP) == f"{upn}-2025-26-Summer.html"


def test_the_summary_has_the_pupil_and_every_subject_at_the_drop_with_its_grades(demo_env, downloads):
    upn = most_subjects(demo_env)
    _, document = summary_from_page(upn, downloads)
    name, tutor_group = query(demo_env, "select pupil_name, tutor_group from mart_pupil where upn = ?", [upn])[0]
    expected = query(demo_env, """
        select s.subject_name, coalesce(m.working_at, '–'), coalesce(m.target, '–'), m.status,
               coalesce(m.effort, '–'), coalesce(t.staff_name, '–')
        from mart_progress m
        join dim_subject s using (school_code, subject_code)
        left join dim_staff t on t.school_code = m.school_code and t.staff_code = m.teacher_code
        where m.upn = ? and m.assessment_point = ? order by s.subject_name""", [upn, DROP])
    assert len(expected) == 10
    parsed = Tables(document)
    text = " ".join("".join(parsed.text).split())
    assert f"<h1>{name}</h1>" in document and f"UPN {upn}" in text and f"Tutor group {tutor_group}" in text
    assert "Data drop: 2025/26 Summer (3 July 2026)" in text and "Year 11" in text
    header, *rows = parsed.rows
    assert header[:3] == ["Subject", "Working atgrade now, at this drop", "Targetfor the end of the key stage"]
    assert rows == [[subject, working_at, target, STATUS.get(status, "–"), effort, teacher]
                    for subject, working_at, target, status, effort, teacher in expected]
    # this academic year's attendance, with the persistent-absence threshold explained
    pct, possible = query(demo_env, "select attendance_pct, possible_sessions from mart_attendance_pupil "
                                    "where upn = ? and academic_year = '2025/26'", [upn])[0]
    assert f"Attendance {pct:.1f}%" in text and f"of {possible} possible sessions" in text
    assert "misses 10% or more of their possible sessions" in text and "persistently absent" in text
    assert "What the words mean" in text and "Progress target" in text and "Estimate" in text


def test_the_summary_leaves_out_special_category_details(demo_env, downloads):
    upn = most_subjects(demo_env, "p.sen_status in ('K', 'E') and p.disadvantaged and p.looked_after")
    at, document = summary_from_page(upn, downloads)
    ethnicity, = query(demo_env, "select ethnicity from mart_pupil where upn = ?", [upn])[0]
    page_says = " ".join(c.value for c in at.caption)
    assert "Disadvantaged" in page_says and "Looked after" in page_says  # staff see them on the page
    text = " ".join(Tables(document).text)
    assert not SENSITIVE.search(text), SENSITIVE.search(text)
    assert ethnicity not in document


def hand_built(name: str = "Sam Example", subjects: int = 3, subject_name: str = "Subject {}",
               teacher: str = "Ms T Teacher", programme: str = "Reading club") -> PupilRecord:
    """A record as pupil_record returns it, with every sensitive flag set (none may be printed)."""
    profile = pd.Series({
        "school_code": "S001", "upn": "A123456789012", "pupil_name": name, "forename": name, "surname": "",
        "year_group": 10, "year_group_academic_year": "2025/26", "tutor_group": "10X", "disadvantaged": True,
        "pupil_premium": True, "fsm": True, "sen_status": "E", "eal": True, "ethnicity": "WIRT",
        "looked_after": True, "more_able": False, "custom_groups": ["Pupil premium champions"]})
    statuses = [None, "ahead", "on_track", "below", "well_below"]
    progress = pd.DataFrame([{
        "subject_name": subject_name.format(i + 1), "assessment_point": "2025/26 Spring",
        "point_date": dt.date(2026, 3, 20), "year_group": 10, "working_at": f"{4 + i % 3}+", "target": "7",
        "status": statuses[i % 5], "effort": str(1 + i % 4), "teacher": teacher, "class_code": f"10X/{i}"}
        for i in range(subjects)])
    attendance = pd.DataFrame([{
        "academic_year": "2025/26", "counted_from": "register marks", "possible_sessions": 250,
        "present_sessions": 220, "authorised_absence_sessions": 20, "unauthorised_absence_sessions": 10,
        "attendance_pct": 88.0, "persistent_absent": True, "severe_absent": False}])
    interventions = pd.DataFrame([
        {"programme": programme, "subject_name": None, "start_date": dt.date(2025, 10, 6), "end_date": None,
         "lead": "ABC"},
        {"programme": "Maths boost", "subject_name": "Mathematics", "start_date": dt.date(2026, 1, 12),
         "end_date": dt.date(2026, 3, 27), "lead": "DEF"},
        {"programme": "Ended last term", "subject_name": None, "start_date": dt.date(2025, 9, 8),
         "end_date": dt.date(2025, 12, 12), "lead": "DEF"}])
    return PupilRecord(profile, progress, attendance, interventions)


def test_the_summary_escapes_every_value():
    record = hand_built(name="Zoë <b>O'Brien</b> & Co", subject_name="D&T <Design> {}", teacher="Mr <A> & B",
                        programme="<script>alert(1)</script>")
    document = summary_html(record, "2025/26 Spring")
    assert "<b>O'Brien" not in document and "<script" not in document and "<Design>" not in document
    assert "<h1>Zoë &lt;b&gt;O&#x27;Brien&lt;/b&gt; &amp; Co</h1>" in document
    assert "D&amp;T &lt;Design&gt; 1" in document and "Mr &lt;A&gt; &amp; B" in document
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in document
    assert "http" not in document and "<link" not in document  # nothing fetched from elsewhere


def test_the_summary_of_a_hand_built_record():
    document = summary_html(hand_built(), "2025/26 Spring")
    text = " ".join("".join(Tables(document).text).split())
    assert not SENSITIVE.search(text) and "WIRT" not in document and "champions" not in document
    assert "Attendance 88.0%: present at 220 of 250 possible sessions; absent from 30 (12.0%)" in text
    assert "Persistently absent" in text
    # programmes running at the drop or since; the one that ended before it is left out
    assert "Reading club: from 6 October 2025, continuing" in text
    assert "Maths boost (Mathematics): from 12 January 2026 to 27 March 2026" in text
    assert "Ended last term" not in text
    rows = Tables(document).rows
    assert [row[3] for row in rows[1:]] == ["–", "▲ ahead", "● on track"]


def test_the_summary_of_a_pupil_with_nothing_at_the_drop():
    record = hand_built()
    empty = PupilRecord(record.profile, pd.DataFrame(), pd.DataFrame(), pd.DataFrame())
    text = " ".join("".join(Tables(summary_html(empty, "2025/26 Spring")).text).split())
    assert "No grades were recorded for this pupil at this drop." in text
    assert "No attendance has been recorded" in text and "Not in any support programme" in text


def pdf_pages(document: str) -> int:
    """The number of pages Chromium prints the document on, as A4."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_content(document)
            pdf = page.pdf(format="A4", prefer_css_page_size=True)
        finally:
            browser.close()
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


def test_the_summary_prints_on_one_a4_page(demo):
    require_chromium()
    # a dozen subjects with long names and teachers, programmes and a persistent absentee
    busy = hand_built(subjects=12, subject_name="GCSE Design and Technology: Textiles {}",
                      teacher="Mrs Alexandra Featherstonehaugh-Smythe")
    assert pdf_pages(summary_html(busy, "2025/26 Spring")) == 1
    from warehouse import loaders
    from warehouse.data import WarehouseReader
    from warehouse.view import Scope

    upn = most_subjects(demo)
    reader = WarehouseReader(demo)
    try:
        record = loaders.pupil_record(reader.run, Scope.everything(), "S001", upn)
    finally:
        reader.close()
    assert pdf_pages(summary_html(record, DROP)) == 1
