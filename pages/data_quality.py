"""For the data manager after each export: what loaded, what was held back and why, who owes grades."""
import pandas as pd
import streamlit as st

from pages.common import MISSING, run_query, show_table, use_the_router

# Status as icon and word, not colour alone.
STATUS_LABELS = {"loaded": "✓ loaded", "rejected": "✗ rejected"}

# Grades still to enter, three ways: the named query and the download's file name.
OWED_BY = {
    "By class": ("missing_grades", "grades-to-enter-by-class"),
    "By teacher": ("missing_grades_by_teacher", "grades-to-enter-by-teacher"),
    "By subject": ("missing_grades_by_subject", "grades-to-enter-by-subject"),
}
OWED_COLUMNS = {
    "school_code": "School", "assessment_point": "Assessment point", "class_code": "Class",
    "subject_code": "Subject code", "subject_name": "Subject", "teacher_code": "Staff code",
    "teacher_name": "Teacher", "year_group": "Year",
    "classes_to_complete": st.column_config.TextColumn(
        "Classes to complete", help="Each class with grades missing, and how many (in brackets)."),
    "classes": st.column_config.NumberColumn("Classes", help="Classes expected to enter grades at this drop."),
    "pupils": "Pupils", "grades_entered": "Entered", "grades_missing": "Missing",
    # One decimal: a teacher with one grade missing in 200 is at 99.5%, not "100%".
    "pct_entered": st.column_config.ProgressColumn("% entered", format="%.1f%%", min_value=0, max_value=100),
}

use_the_router()
st.title("Data quality")
st.caption("Every import batch with its row accounting, the rows held back in quarantine with the reason, "
           "and the classes whose grades are still to be entered.")

batches = run_query("batches")
if batches is not None:
    columns = st.columns(4)
    columns[0].metric("Batches loaded", int((batches.status == "loaded").sum()))
    columns[1].metric("Files rejected", int((batches.status == "rejected").sum()),
                      help="Rejected whole: wrong structure, or too many bad rows. Nothing of them was loaded.")
    columns[2].metric("Rows loaded", f"{int(batches.rows_loaded.sum()):,}")
    columns[3].metric("Rows quarantined", f"{int(batches.rows_quarantined.sum()):,}",
                      help="Rows that failed validation: kept aside with the reason, not loaded.")

    st.subheader("Import batches")
    st.caption("For each file: rows read = rows loaded + rows quarantined (a rejected file loads nothing).")
    shown = batches.drop(columns=["file_hash"]).assign(status=batches.status.map(STATUS_LABELS))
    st.dataframe(
        shown, hide_index=True, width="stretch", placeholder=MISSING,
        column_config={
            "batch_id": "Batch", "file_name": "File", "kind": "Kind", "layout": "Layout", "status": "Status",
            "rows_read": st.column_config.NumberColumn("Read", help="Rows read from the file."),
            "rows_loaded": st.column_config.NumberColumn("Loaded"),
            "rows_quarantined": st.column_config.NumberColumn("Quarantined"),
            "message": st.column_config.TextColumn("Message", width="large"),
            "encoding": "Encoding",
            "finished_at": st.column_config.DatetimeColumn("Imported", format="DD/MM/YYYY HH:mm"),
        },
    )

    st.subheader("Quarantined rows")
    st.caption("Rows held back by validation. Correct them in the MIS and import the corrected file: "
               "its rows replace those with the same key.")
    show_table(
        run_query("quarantine", batch_id=None), "No rows are in quarantine.",
        {
            "batch_id": "Batch", "file_name": "File",
            "row_number": st.column_config.NumberColumn("Row", help="Row in the file (the header is row 1)."),
            "column_name": "Column", "value": "Value", "reason": "Reason",
            "record": st.column_config.TextColumn("The row as in the file", width="large"),
        },
    )

    st.subheader("Validation report")
    # The newest batch with something to look at comes first.
    with_problems = (batches.status == "rejected") | (batches.rows_quarantined > 0)
    ordered = batches.assign(with_problems=with_problems).sort_values(["with_problems", "batch_id"], ascending=False)
    labels = {f"{row.batch_id}: {row.file_name} ({row.status})": int(row.batch_id) for row in ordered.itertuples()}
    choice = st.selectbox("Batch", list(labels), help="Every check run on the file, failed ones first.")
    batch_id = labels[choice]
    st.write(batches.loc[batches.batch_id == batch_id, "message"].iloc[0])
    report = run_query("validation_report", batch_id=batch_id)
    st.dataframe(
        report.assign(success=report.success.map({True: "✓ passed", False: "✗ failed"})),
        hide_index=True, width="stretch", placeholder=MISSING,
        column_config={
            "expectation": "Check (Great Expectations)", "column_name": "Column", "reason": "What it means",
            "success": "Result", "unexpected_count": st.column_config.NumberColumn("Rows failing"),
        },
    )

    st.subheader("Grades still to enter")
    st.caption("Who still has to enter working-at grades: pupils with none at a drop where the rest of their "
               "year group has one in that subject, by class, by teacher (with the classes still to complete and "
               "how many grades each is missing) or by subject.")
    points = run_query("assessment_points")
    options = ["All drops"] + list(pd.unique(points.assessment_point))
    left, right = st.columns([2, 3])
    drop = left.selectbox("Assessment point", options, index=len(options) - 1 if len(options) > 1 else 0)
    by = right.segmented_control("Show", list(OWED_BY), default="By class", required=True, key="owed_by",
                                 help="Whom to chase: each class, each teacher across their classes, or each "
                                      "subject across its classes.")
    query, file_name = OWED_BY[by]
    show_table(
        run_query(query, assessment_point=None if drop == "All drops" else drop),
        "Every class expected at this drop has its working-at grades entered.",
        OWED_COLUMNS, download_as=file_name,
    )
