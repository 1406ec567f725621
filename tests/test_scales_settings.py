"""Scales and measure settings from tracker.toml: added, edited, and refused with a clear message."""
import pytest

from tests.tiny import Tiny
from warehouse.config import SettingError, measure_settings
from warehouse.lookups import load_scales
from warehouse.scales import ScaleConfigError, all_scales

STEPS = {
    "name": "KS3 science steps", "kind": "attainment", "grade_width": 3, "sublevel_width": 1,
    "grades": [{"label": "Mastering", "points": 9}, {"label": "Secure", "points": 6, "aliases": ["Sec"]},
               {"label": "Developing", "points": 3}, {"label": "Emerging", "points": 0}],
}


def test_a_school_adds_a_scale_and_its_words_compute():
    tiny = Tiny()
    tiny.scales = {"ks3_steps": STEPS}
    tiny.add("subjects", subject_code="SC3", subject_name="Science", key_stage="3", grade_scale="ks3_steps")
    tiny.point("2025/26 Autumn", "2025-12-05", "2025/26", "autumn")
    tiny.pupil("P1", year_group="7").grades("P1", "2025/26 Autumn", {"SC3": "Secure"})
    tiny.build()
    assert tiny.one("select grade_points from fct_assessment") == 6.0
    assert tiny.one("select grade_width from int_grade_scale where label = 'Secure'") == 3.0
    # Imports are checked against it too (labels match whatever their case).
    labels = load_scales({"ks3_steps": STEPS})["ks3_steps"].labels
    assert labels["SECURE"] == labels["SEC"] == "Secure"


def test_a_school_edits_a_built_in_scale():
    edited = {"gcse": {**STEPS, "name": "GCSE with our own U", "grades": [{"label": "9", "points": 9},
                                                                         {"label": "X", "points": 0}]}}
    scales = all_scales(edited)
    assert set(scales.loc[scales.scale_code == "gcse", "label"]) == {"9", "X"}
    assert (scales.scale_code == "gcse_fine").sum() == 28  # the others are untouched


@pytest.mark.parametrize("spec, message", [
    ({**STEPS, "grades": [{"label": "Low", "points": 1}, {"label": "High", "points": 5}]}, "highest first"),
    ({**STEPS, "grades": [{"label": "A", "points": 2}, {"label": "a", "points": 1}]}, "appears twice"),
    ({**STEPS, "grades": [{"label": "A"}]}, "numeric points"),
    ({**STEPS, "kind": "behaviour"}, "kind must be one of"),
    ({**STEPS, "grades": [{"label": "A", "points": 1, "aliases": "a+"}]}, "must be a list of strings"),
    ({"name": "empty"}, "needs grades"),
])
def test_a_broken_scale_is_refused_with_the_reason(spec, message):
    with pytest.raises(ScaleConfigError, match=message) as error:
        all_scales({"broken": spec})
    assert "[scales.broken]" in str(error.value)


def test_settings_override_defaults_and_bad_ones_are_refused():
    settings = measure_settings({"progress": {"ks3_method": "learned", "on_track_tolerance_grades": 0.5}})
    assert settings["progress.ks3_method"] == "learned" and settings["progress.on_track_tolerance_grades"] == 0.5
    assert settings["progress.ks4_method"] == "straight"
    with pytest.raises(SettingError, match="unknown setting 'tolerance'"):
        measure_settings({"progress": {"tolerance": 1}})
    with pytest.raises(SettingError, match="use one of straight, sublevels, learned"):
        measure_settings({"progress": {"ks4_method": "flight path"}})
    with pytest.raises(SettingError, match="expected a float"):
        measure_settings({"review": {"poor_attendance_pct": "ninety"}})
    with pytest.raises(SettingError, match="no DfE A8 estimates for 2019 provisional; the tables shipped are "
                                           "2022 provisional, .*2024 provisional"):
        measure_settings({"measures": {"p8_table_year": 2019}})


def test_tracker_toml_shows_every_measure_setting_at_its_default():
    import tomllib

    from warehouse.config import MEASURE_DEFAULTS, PROJECT_ROOT

    raw = tomllib.loads((PROJECT_ROOT / "tracker.toml").read_text(encoding="utf-8"))
    shown = {f"{section}.{key}" for section in ("progress", "measures", "review") for key in raw.get(section, {})}
    assert shown == set(MEASURE_DEFAULTS)
    assert measure_settings(raw) == MEASURE_DEFAULTS


def test_other_spellings_of_a_grade_import_as_the_scales_label(store, exports_dir):
    from tests import exports
    from warehouse.ingest import ingest

    upn = exports.UPNS[0]
    rows = [[upn, "MA", "2025/26 Autumn", "working_at", "6=", 2],       # the + / = / - convention
            [upn, "EN", "2025/26 Autumn", "working_at", "5\u2212", 2]]  # a minus sign, as Word types it
    report = ingest(exports.base_school(exports_dir) + [exports.assessments(exports_dir, rows)], store=store)
    assert all(f.rows_quarantined == 0 for f in report.files)
    assert exports.query(store, "select subject_code, grade, grade_points from fct_assessment order by 1") == [
        ("EN", "5-", 4.67), ("MA", "6", 6.0)]
