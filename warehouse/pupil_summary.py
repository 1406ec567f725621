"""A one-page summary of one pupil at one data drop, for a parents' meeting.

`summary_html` renders a self-contained HTML document (no scripts, no external
files: it opens offline and prints from any browser) that fits on one A4 page
for a pupil with a dozen subjects. No Streamlit here: the Pupil page offers it
as a download, and the tests print it in Chromium.

What it deliberately leaves out: SEN status, ethnicity, looked-after,
disadvantaged / pupil premium / FSM, EAL and the school's own groups. Some are
special-category data under UK GDPR (ethnicity; SEN, which can reveal health)
and the rest are data the DfE treats as sensitive; a printed page leaves the
school's control (handed over, left on a table, read by a sibling or by the
other parent of a separated family), and none of it is what a conversation
about progress needs. Staff see them on the Pupil page.
"""
from __future__ import annotations

import datetime as dt
import re
from html import escape

import pandas as pd

from warehouse.loaders import STATUS_LABELS, PupilRecord

# DfE definitions (as in mart_attendance_pupil), fixed rather than configured.
PERSISTENT_ABSENCE_PCT = 10
SEVERE_ABSENCE_PCT = 50

CSS = """
@page { size: A4; margin: 12mm; }
* { box-sizing: border-box; }
html { font: 9pt/1.3 "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #111; }
body { margin: 0; }
@media screen { body { max-width: 186mm; margin: 12mm auto; } }
header { border-bottom: 2px solid #222; padding-bottom: 1.5mm; margin-bottom: 2mm; }
.school { font-size: 8pt; color: #444; text-transform: uppercase; letter-spacing: .04em; }
h1 { font-size: 15pt; margin: 0.5mm 0; }
h2 { font-size: 10.5pt; margin: 3mm 0 1mm; }
.facts { margin: 0; }
.facts span + span::before { content: " · "; color: #888; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 0.8mm 1.4mm; border-bottom: 1px solid #ccc; }
thead th { font-size: 8pt; border-bottom: 1.5px solid #222; }
th small { display: block; font-weight: normal; color: #444; }
tr { break-inside: avoid; }
td.grade { font-weight: bold; }
td.status { white-space: nowrap; }
p { margin: 0 0 1mm; }
ul { margin: 0; padding-left: 4mm; }
.side-by-side { display: grid; grid-template-columns: 3fr 2fr; column-gap: 6mm; }
.note, dl { font-size: 8pt; color: #333; }
dl { margin: 0; columns: 2; column-gap: 6mm; }
dl div { break-inside: avoid; margin-bottom: 1mm; }
dt { font-weight: bold; display: inline; }
dd { display: inline; margin: 0; }
footer { margin-top: 3mm; border-top: 1px solid #ccc; }
"""


def summary_html(record: PupilRecord, assessment_point: str, point_date: dt.date | None = None) -> str:
    """The printable summary of the record's pupil at the drop `assessment_point` (dated point_date)."""
    if record.profile is None:
        raise ValueError("No such pupil in the viewer's scope: nothing to summarise.")
    subjects = record.at_point(assessment_point) if not record.progress.empty else pd.DataFrame()
    if point_date is None and not subjects.empty:
        point_date = subjects["point_date"].iloc[0]
    point_date = None if point_date is None or pd.isna(point_date) else pd.Timestamp(point_date).date()
    pupil = record.profile
    title = f"Progress summary: {pupil.pupil_name}, {assessment_point}"
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en-GB"><head><meta charset="utf-8">',
        f"<title>{_text(title)}</title>",
        f"<style>{CSS}</style></head><body>",
        _header(pupil, subjects, assessment_point, point_date),
        _subjects(subjects, assessment_point),
        # side by side: a dozen subjects, attendance, programmes and the words must share one page
        '<div class="side-by-side"><section>',
        _attendance(record.attendance, point_date),
        "</section><section>",
        _programmes(record.interventions, point_date),
        "</section></div>",
        _words(),
        "</body></html>",
    ])


def summary_file_name(upn: str, assessment_point: str) -> str:
    """'<upn>-<drop>.html', with the drop's '/' and spaces made safe for a file name."""
    return f"{upn}-{re.sub(r'[^A-Za-z0-9]+', '-', assessment_point).strip('-')}.html"


def academic_year_of(day: dt.date) -> str:
    """'2025/26' for any date from 1 September 2025 to 31 August 2026."""
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def _text(value) -> str:
    """A value as escaped HTML text; a dash where there is none."""
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return "–"
    return escape(str(value))


def _long_date(day: dt.date | None) -> str:
    return "date not recorded" if day is None else f"{day.day} {day:%B %Y}"


def _header(pupil: pd.Series, subjects: pd.DataFrame, assessment_point: str, point_date: dt.date | None) -> str:
    # The year group at the drop (an earlier drop may be from an earlier year); the tutor group is today's.
    year_group = subjects["year_group"].iloc[0] if not subjects.empty else pupil.year_group
    facts = [f"UPN {_text(pupil.upn)}", f"Year {_text(year_group)}", f"Tutor group {_text(pupil.tutor_group)}",
             f"Data drop: {_text(assessment_point)} ({_text(_long_date(point_date))})"]
    return (f'<header><div class="school">School {_text(pupil.school_code)} · progress summary for parents '
            f"and carers</div><h1>{_text(pupil.pupil_name)}</h1>"
            f'<p class="facts">{"".join(f"<span>{fact}</span>" for fact in facts)}</p></header>')


def _subjects(subjects: pd.DataFrame, assessment_point: str) -> str:
    heading = f"<h2>Subjects at {_text(assessment_point)}</h2>"
    if subjects.empty:
        return heading + "<p>No grades were recorded for this pupil at this drop.</p>"
    rows = "".join(
        f"<tr><td>{_text(row.subject_name)}</td><td class=\"grade\">{_text(row.working_at)}</td>"
        f"<td>{_text(row.target)}</td><td class=\"status\">{_text(STATUS_LABELS.get(row.status))}</td>"
        f"<td>{_text(row.effort)}</td><td>{_text(row.teacher)}</td></tr>"
        for row in subjects.itertuples())
    return (heading + "<table><thead><tr><th>Subject</th>"
            "<th>Working at<small>grade now, at this drop</small></th>"
            "<th>Target<small>for the end of the key stage</small></th>"
            "<th>Status<small>against the progress target</small></th>"
            "<th>Effort</th><th>Teacher</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>")


def _attendance(attendance: pd.DataFrame, point_date: dt.date | None) -> str:
    year = academic_year_of(point_date) if point_date else None
    heading = f"<h2>Attendance in {_text(year)}</h2>" if year else "<h2>Attendance</h2>"
    rows = attendance[attendance["academic_year"] == year] if year and not attendance.empty else pd.DataFrame()
    if rows.empty:
        return heading + "<p>No attendance has been recorded for this academic year.</p>" + _absence_explained()
    row = rows.iloc[0]
    possible = int(row.possible_sessions)
    if not possible:
        return heading + "<p>No possible sessions have been recorded for this academic year.</p>" + \
            _absence_explained()
    authorised, unauthorised = int(row.authorised_absence_sessions), int(row.unauthorised_absence_sessions)
    absence_pct = 100 * (authorised + unauthorised) / possible
    if row.severe_absent:
        verdict = f"<b>Severely absent</b>: missed {SEVERE_ABSENCE_PCT}% or more of possible sessions."
    elif row.persistent_absent:
        verdict = f"<b>Persistently absent</b>: missed {PERSISTENT_ABSENCE_PCT}% or more of possible sessions."
    else:
        verdict = f"Not persistently absent (missed less than {PERSISTENT_ABSENCE_PCT}% of possible sessions)."
    return (heading + f"<p><b>Attendance {row.attendance_pct:.1f}%</b>: present at {int(row.present_sessions)} "
            f"of {possible} possible sessions; absent from {authorised + unauthorised} ({absence_pct:.1f}%), "
            f"{authorised} authorised and {unauthorised} unauthorised. {verdict}</p>"
            + _absence_explained(f"Counted from the school's {_text(row.counted_from)} for the whole academic "
                                 "year so far. "))


def _absence_explained(counted: str = "") -> str:
    return (f'<p class="note">{counted}A session is a morning or an afternoon. A pupil who misses '
            f"{PERSISTENT_ABSENCE_PCT}% or more of their possible sessions (about one day a fortnight) is "
            f"<b>persistently absent</b>; {SEVERE_ABSENCE_PCT}% or more is <b>severely absent</b> "
            "(Department for Education definitions). Authorised absence is absence the school agreed to, "
            "such as illness.</p>")


def _programmes(interventions: pd.DataFrame, point_date: dt.date | None) -> str:
    # Current: running at the drop or started since (a programme planned at the drop's review counts);
    # those that ended before the drop are history, on the Pupil page.
    heading = "<h2>Programmes</h2>"
    current = interventions
    if point_date is not None and not interventions.empty:
        ends = pd.to_datetime(interventions["end_date"])
        current = interventions[ends.isna() | (ends.dt.date >= point_date)]
    if current.empty:
        return heading + "<p>Not in any support programme at the time of this drop.</p>"
    items = "".join(
        f"<li><b>{_text(row.programme)}</b>"
        + (f" ({_text(row.subject_name)})" if pd.notna(row.subject_name) else "")
        + f": from {_text(_long_date(_day(row.start_date)))}"
        + (f" to {_text(_long_date(_day(row.end_date)))}" if pd.notna(row.end_date) else ", continuing")
        + "</li>"
        for row in current.itertuples())
    return heading + f"<ul>{items}</ul>"


def _day(value) -> dt.date | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


def _words() -> str:
    marks = "; ".join(escape(label) for label in STATUS_LABELS.values())
    words = [
        ("Working at", "the grade the teacher judges the pupil's work to be at now, at this data drop."),
        ("Target", "the grade the school has agreed the pupil should aim for by the end of the key stage (Year 9 "
                   "for Years 7 to 9; GCSE at the end of Year 11). It is a goal, not a forecast."),
        ("Progress target", "where the pupil should be at this point of the year, on the way from their "
                            "starting grade to their target."),
        ("Status", f"the working-at grade against the progress target: {marks}. A dash means there is no "
                   "grade or no target to compare yet."),
        ("Estimate", "a statistical estimate (such as FFT) of what pupils with similar starting points usually "
                     "achieve. Estimates inform targets but are never used as targets; none is shown here."),
        ("Effort", "the teacher's grade for effort, on the school's effort scale (for example 1 excellent to "
                   "4 poor). A dash means it was not recorded."),
    ]
    # The words are ours (no values in them), the marks escaped for form's sake.
    return ("<footer><h2>What the words mean</h2><dl>"
            + "".join(f"<div><dt>{word}</dt><dd>: {meaning}</dd></div>" for word, meaning in words)
            + "</dl></footer>")
