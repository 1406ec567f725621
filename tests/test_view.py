"""The view (filters) survives a round trip through the URL, and loaders never leave the viewer's scope."""
from tests.tiny import Tiny
from warehouse import loaders
from warehouse.view import Scope, ViewFilters


def test_filters_round_trip_through_the_url_and_bad_values_are_ignored():
    view = ViewFilters(school="S001", assessment_point="2025/26 Spring", year_group=9, subject_code="MA4",
                       disadvantaged=False, sen_status="K", custom_group="Young Carers")
    assert ViewFilters.from_url(view.to_url()) == view
    assert view.to_url()["disadvantaged"] == "N"
    assert ViewFilters.from_url({"year": "eleven", "disadvantaged": "maybe", "point": ""}) == ViewFilters()


def test_loaders_stay_within_the_viewers_scope():
    tiny = Tiny().ks4_subjects("MA4", "EL4")
    tiny.point("2025/26 Autumn", "2025-12-05", "2025/26", "autumn")
    for upn, disadvantaged in (("P1", "Y"), ("P2", "N"), ("P3", "Y")):
        tiny.pupil(upn, disadvantaged=disadvantaged).grades(upn, "2025/26 Autumn", {"MA4": "5", "EL4": "5"})
    tiny.build()
    run = tiny.run

    view = ViewFilters(school="S001", assessment_point="2025/26 Autumn")
    everyone = loaders.overview(run, Scope.everything(), view).at_point("2025/26 Autumn")
    assert everyone.pupils == 3
    two = loaders.overview(run, Scope(upns=("P1", "P2")), view).at_point("2025/26 Autumn")
    assert two.pupils == 2
    disadvantaged_in_scope = loaders.overview(
        run, Scope(upns=("P1", "P2")), ViewFilters(**{**view.params(), "disadvantaged": True}))
    assert disadvantaged_in_scope.at_point("2025/26 Autumn").pupils == 1
    assert loaders.overview(run, Scope(schools=("S999",)), view).at_point("2025/26 Autumn") is None
    only_maths = loaders.overview(run, Scope(subjects=("MA4",)), view)
    assert list(only_maths.by_subject.subject_code) in ([], ["MA4"])
    assert loaders.filter_options(run, Scope(schools=("S999",))).empty


def test_a_pupil_outside_the_scope_cannot_be_opened():
    tiny = Tiny().ks4_subjects("MA4")
    tiny.point("2025/26 Autumn", "2025-12-05", "2025/26", "autumn")
    tiny.pupil("P1").pupil("P2").grades("P1", "2025/26 Autumn", {"MA4": "5"})
    tiny.build()
    run = tiny.run

    assert loaders.pupil_record(run, Scope.everything(), "S001", "P1").progress.shape[0] == 1
    hidden = loaders.pupil_record(run, Scope(upns=("P2",)), "S001", "P1")
    assert hidden.profile is None and hidden.progress.empty
    view = ViewFilters(school="S001", assessment_point="2025/26 Autumn")
    assert list(loaders.pupils_to_find(run, Scope(upns=("P2",)), view).upn) == ["P2"]


def test_the_status_grid_places_each_pupils_subjects_by_name_and_keeps_pupils_without_a_tutor_group():
    import pandas as pd

    # As the status_grid query returns them: each pupil's and subject's place in name order (gaps where
    # other pupils and subjects are), rows by the pupil's.
    cells = pd.DataFrame({
        "upn": ["B2", "B2", "A1", "A1", "A1"],
        "pupil_name": ["Adams, Bo", "Adams, Bo", "Brown, Al", "Brown, Al", "Brown, Al"],
        "tutor_group": [None, None, "9X", "9X", "9X"],
        "subject_name": ["Art", "Maths", "Maths", "Maths", "Art"],
        "status": ["ahead", None, "well_below", "on_track", "something new"],
        "pupil_order": [17, 17, 40, 40, 40],
        "subject_order": [3, 8, 8, 8, 3],
    })
    grid = loaders.status_grid(cells)
    assert list(grid.columns) == ["pupil_name", "upn", "tutor_group", "Art", "Maths"]
    assert grid.fillna({"tutor_group": "(none)"}).to_dict("records") == [
        {"pupil_name": "Adams, Bo", "upn": "B2", "tutor_group": "(none)", "Art": "▲ ahead", "Maths": "–"},
        # The first of two rows for one subject is shown; a status without words shows as a dash.
        {"pupil_name": "Brown, Al", "upn": "A1", "tutor_group": "9X", "Art": "–", "Maths": "▼▼ well below"},
    ]
    assert loaders.status_grid(cells.iloc[:2].assign(subject_order=[5, 9])).shape == (1, 5)


def test_the_class_summary_counts_each_pupil_once_and_averages_only_known_figures():
    import pandas as pd

    pupils = pd.DataFrame({
        "upn": ["A", "A", "B", "C", "D"],
        "class_code": ["10X/Ma", "10X/Ma", "10X/Ma", "10Y/Ma", None],
        "teacher": ["Ms Bell", "Ms Bell", "Ms Bell", None, "Mr Cole"],
        "on_track": [True, True, False, None, True],
        "gap_grades": [0.5, 0.5, -1.0, None, 0.0],
        "residual_grades": [1.0, 1.0, None, None, -0.5],
    })
    summary = loaders.class_summary(pupils).round(6).astype(object).where(lambda f: f.notna(), None)
    assert summary.to_dict("records") == [
        # A's two rows count A once; the means are over the rows that have the figure.
        {"class_code": "10X/Ma", "teacher": "Ms Bell", "pupils": 2, "pct_on_track": 66.666667,
         "mean_gap_grades": 0.0, "mean_residual_grades": 1.0},
        {"class_code": "10Y/Ma", "teacher": None, "pupils": 1, "pct_on_track": None, "mean_gap_grades": None,
         "mean_residual_grades": None},
        {"class_code": None, "teacher": "Mr Cole", "pupils": 1, "pct_on_track": 100.0, "mean_gap_grades": 0.0,
         "mean_residual_grades": -0.5},
    ]
