"""The documentation says what the code does (after datasette's test_docs.py)."""
from pathlib import Path

from tests.exports import query
from warehouse import formats_doc
from warehouse.formats import KINDS
from warehouse.ingest import IngestOptions, ingest

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_import_formats_tables_match_the_formats():
    text = formats_doc.DOC.read_text(encoding="utf-8")
    generated = text.split(formats_doc.START, 1)[1].split(formats_doc.END, 1)[0]
    assert generated.strip() == formats_doc.render().strip(), "run `python -m warehouse.formats_doc`"


def test_every_kind_has_an_example_file_that_loads_cleanly(store):
    examples = sorted((DOCS / "examples").glob("*.csv"))
    assert {KINDS[k].example for k in KINDS} == {p.name for p in examples}
    marksheet = DOCS / "marksheet-example.csv"
    report = ingest(examples + [marksheet], store=store, per_file_options={
        marksheet: IngestOptions(assessment_point="2025/26 Spring", grade_type="working_at")})
    assert {f.kind for f in report.files} == set(KINDS)
    assert all(f.status == "loaded" and f.rows_quarantined == 0 for f in report.files), [
        f.message for f in report.files]
    assert query(store, "select count(*) from fct_assessment where assessment_point = '2025/26 Spring'") == [(6,)]
