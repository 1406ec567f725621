"""The documentation says what the code does (after datasette's test_docs.py)."""
import re
from pathlib import Path

from tests.exports import query
from tests.tiny import Tiny
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


# A model's section in data-model.md starts at a heading naming it or a line
# starting with its bold name (**`mart_progress`**); its columns are the first
# cells of the `| column | meaning |` table that follows, before the next section.
SECTION = re.compile(r"^(?:#+\s*`?(?P<heading>(?:mart|int)_\w+)`?\s*$|\*\*`?(?P<bold>(?:mart|int)_\w+)`?\*\*)")
COLUMN_TABLE = re.compile(r"^\|\s*column\s*\|\s*meaning\s*\|\s*$")


def documented_models(text: str) -> dict[str, list[list[str] | None]]:
    """Each model with a section: the column names of each of its sections (None: no column table)."""
    lines = text.splitlines()
    sections: dict[str, list[list[str] | None]] = {}
    for i, line in enumerate(lines):
        match = SECTION.match(line)
        if not match:
            continue
        columns = None
        for j in range(i + 1, len(lines)):
            if lines[j].startswith("#") or SECTION.match(lines[j]):
                break
            if COLUMN_TABLE.match(lines[j]):
                columns = []
                for row in lines[j + 2:]:  # after the |---|---| line
                    if not row.startswith("|"):
                        break
                    columns.append(row.strip("|").split("|", 1)[0].strip().strip("`").strip())
                break
        sections.setdefault(match["heading"] or match["bold"], []).append(columns)
    return sections


def test_every_mart_and_intermediate_column_is_documented():
    con = Tiny().build()
    models = {name: [row[0] for row in con.execute(f"describe {name}").fetchall()]
              for (name,) in con.execute(
                  "select table_name from information_schema.tables"
                  " where starts_with(table_name, 'mart_') or starts_with(table_name, 'int_')").fetchall()}
    assert "mart_progress" in models and "int_ks_grade" in models
    documented = documented_models((DOCS / "data-model.md").read_text(encoding="utf-8"))
    problems = []
    for model, columns in sorted(models.items()):
        sections = documented.get(model, [])
        if len(sections) != 1 or sections[0] is None:
            problems.append(f"{model}: needs exactly one section with a | column | meaning | table "
                            f"(found {len(sections)} section(s), tables: {[s is not None for s in sections]})")
            continue
        listed = sections[0]
        missing = [c for c in columns if c not in listed]
        extra = [c for c in listed if c not in columns]
        if missing:
            problems.append(f"{model}: columns not documented: {missing}")
        if extra:
            problems.append(f"{model}: documented columns the model does not have: {extra}")
        if not missing and not extra and listed != columns:
            problems.append(f"{model}: document the columns once each, in the model's order: {columns}")
    for model in sorted(set(documented) - set(models)):
        problems.append(f"{model}: documented, but there is no such model")
    assert not problems, "docs/data-model.md is out of date:\n" + "\n".join(problems)
