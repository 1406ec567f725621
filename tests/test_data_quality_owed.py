"""Data quality: who still has to enter grades, by class, by teacher and by subject (demo warehouse)."""
from tests.exports import query
from tests.pages import open_page

DROP = "2025/26 Summer"
MART = "mart_assessment_completeness"


def owed(by: str, drop: str = DROP):
    """The Data quality page showing grades still to enter at the drop, by class, teacher or subject."""
    at = open_page("pages/data_quality.py")
    assert not at.exception
    [points] = [box for box in at.selectbox if box.label == "Assessment point"]
    points.set_value(drop).run()
    at.segmented_control(key="owed_by").set_value(by).run()
    assert not at.exception
    return at, at.dataframe[-1].value


def test_by_teacher_names_the_teacher_of_the_class_with_no_grades(demo_env):
    at, table = owed("By teacher")
    teacher_code, teacher_name, missing = query(
        demo_env, f"select teacher_code, teacher_name, grades_missing from {MART} "
                  "where assessment_point = ? and class_code = '9C/Hi'", [DROP])[0]
    pupils, entered, classes = query(
        demo_env, f"select sum(pupils), sum(grades_entered), count(distinct class_code) from {MART} "
                  "where assessment_point = ? and teacher_code = ?", [DROP, teacher_code])[0]
    first = table.iloc[0]
    assert (first.teacher_code, first.teacher_name) == (teacher_code, teacher_name)
    assert first.classes_to_complete == f"9C/Hi ({missing})" and missing > 20
    assert (first.classes, first.pupils, first.grades_entered, first.grades_missing) == (
        classes, pupils, entered, pupils - entered)
    assert first.pct_entered == round(100 * entered / pupils, 1)
    assert {button.label for button in at.download_button} >= {"CSV", "Excel"}
    assert at.download_button(key="csv-grades-to-enter-by-teacher") is not None


def test_by_teacher_sums_every_teacher_owing_grades_as_the_mart_does(demo_env):
    _, table = owed("By teacher", "All drops")
    expected = query(demo_env, f"""
        select assessment_point, teacher_code, sum(pupils), sum(grades_entered), sum(grades_missing)
        from {MART} group by all having sum(grades_missing) > 0 order by all""")
    shown = sorted(zip(table.assessment_point, table.teacher_code, table.pupils, table.grades_entered,
                       table.grades_missing))
    assert shown == [tuple(row) for row in expected] and len(shown) > 1
    assert list(table.grades_missing) == sorted(table.grades_missing, reverse=True)  # most owed first


def test_by_subject_names_the_subject_of_the_class_with_no_grades(demo_env):
    at, table = owed("By subject")
    subject_code, subject_name, missing = query(
        demo_env, f"select subject_code, subject_name, grades_missing from {MART} "
                  "where assessment_point = ? and class_code = '9C/Hi'", [DROP])[0]
    expected = query(demo_env, f"""
        select subject_code, sum(pupils), sum(grades_entered), sum(grades_missing), count(distinct class_code)
        from {MART} where assessment_point = ? group by subject_code having sum(grades_missing) > 0
        order by all""", [DROP])
    assert sorted(zip(table.subject_code, table.pupils, table.grades_entered, table.grades_missing,
                      table.classes)) == [tuple(row) for row in expected]
    first = table.iloc[0]
    assert (first.subject_code, first.subject_name) == (subject_code, subject_name) == ("HI3", "History")
    assert first.classes_to_complete == f"9C/Hi ({missing})"
    assert at.download_button(key="xlsx-grades-to-enter-by-subject") is not None


def test_by_class_stays_the_default(demo_env):
    at = open_page("pages/data_quality.py")
    assert at.segmented_control(key="owed_by").value == "By class"
    table = at.dataframe[-1].value
    assert table.iloc[0].class_code == "9C/Hi" and table.iloc[0].grades_entered == 0
    assert at.download_button(key="csv-grades-to-enter-by-class") is not None
