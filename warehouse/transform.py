"""Builds the derived warehouse from raw: seeds, then staging -> core -> intermediate -> marts.

transforms/macros.sql defines the SQL macros models share;
transforms/query_macros.sql, made after the models, those the named queries share. Each file
transforms/<layer>/<model>.sql is one SELECT; the model is named
after its file, and built as a table, unless its first line says
`-- materialise: view` (for a big staging model read once, by one core
model, so that its rows are written once, not twice). Within a layer, models run after the models they mention.
Each layer's schema.toml declares data tests (not_empty, unique, not_null,
accepted_values, relationships) that must pass, or the build fails and the
snapshot is not published.
"""
from __future__ import annotations

import re
import time
import tomllib
from dataclasses import dataclass
from graphlib import TopologicalSorter
from pathlib import Path

import duckdb
import pandas as pd

from warehouse import staff_records
from warehouse.config import Settings, load_settings
from warehouse.scales import REFERENCE_DIR, all_scales
from warehouse.schema import quote

TRANSFORMS_DIR = Path(__file__).resolve().parent.parent / "transforms"
LAYERS = ("staging", "core", "intermediate", "marts")

# Reference tables shipped with the product (see warehouse/reference/).
SEEDS = {
    "ref_attendance_codes": "attendance_codes.csv",
    "ref_a8_estimates": "dfe_ks4/a8_estimates_by_ks2_group.csv",
}


class DataTestFailed(Exception):
    """A data test on a built model found rows it should not have."""


@dataclass(frozen=True)
class Model:
    layer: str
    name: str
    sql: str


def discover_models() -> list[Model]:
    """All models, in an order where each runs after what it reads."""
    models = {}
    for layer in LAYERS:
        for path in sorted((TRANSFORMS_DIR / layer).glob("*.sql")):
            models[path.stem] = Model(layer, path.stem, path.read_text(encoding="utf-8"))
    graph = {}
    for model in models.values():
        mentioned = set(re.findall(r"\b([a-z_][a-z0-9_]*)\b", model.sql.lower()))
        graph[model.name] = {name for name in mentioned if name in models and name != model.name}
    order = list(TopologicalSorter(graph).static_order())
    return sorted((models[name] for name in order), key=lambda m: (LAYERS.index(m.layer), order.index(m.name)))


def load_seeds(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """Reference tables, as text (models cast what they use), and the settings measures read."""
    frames = {table: pd.read_csv(REFERENCE_DIR / file_name, dtype=str, keep_default_na=False)
              for table, file_name in SEEDS.items()}
    frames["ref_grade_scales"] = all_scales(settings.scales)
    frames["ref_settings"] = pd.DataFrame(
        [(name, str(value)) for name, value in settings.measures.items()], columns=["name", "value"])
    for table, frame in frames.items():
        con.register("seed_frame", frame)
        con.execute("create or replace table " + quote(table) + " as select * from seed_frame")
        con.unregister("seed_frame")
    load_staff_targets(con, settings)


def load_staff_targets(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """The targets staff set in the tracker (warehouse/staff_records.py), which fct_target folds in beside
    the imported ones: they live in the staff store, so every build takes them afresh and none is lost."""
    con.execute("""create or replace table staff_targets (
        id bigint, school_code varchar, upn varchar, subject_code varchar, grade varchar, set_on varchar,
        reason varchar, set_by varchar, actor varchar, recorded_at varchar)""")
    frame = staff_records.targets_for_build(settings.data_dir)
    if not frame.empty:
        con.register("staff_frame", frame)
        con.execute("insert into staff_targets by name select * from staff_frame")
        con.unregister("staff_frame")


def build(con: duckdb.DuckDBPyConnection, settings: Settings | None = None, timings: bool = False):
    """Rebuild every derived model, then run the data tests.

    Returns the models built, in order; with timings=True, a dict of each model's
    seconds (and "data tests"), for bench/marts.py.
    """
    load_seeds(con, settings or load_settings())
    con.execute((TRANSFORMS_DIR / "macros.sql").read_text(encoding="utf-8"))
    seconds: dict[str, float] = {}
    for model in discover_models():
        started = time.perf_counter()
        # The model's name is a fixed identifier from our own files.
        kind = "view" if model.sql.startswith("-- materialise: view") else "table"
        _drop_if_other_kind(con, model.name, kind)
        statement = "create or replace " + kind + " " + quote(model.name) + " as\n"
        con.execute(statement + model.sql.strip().rstrip(";"))
        seconds[model.name] = time.perf_counter() - started
    con.execute((TRANSFORMS_DIR / "query_macros.sql").read_text(encoding="utf-8"))
    started = time.perf_counter()
    failures = run_data_tests(con)
    seconds["data tests"] = time.perf_counter() - started
    if failures:
        raise DataTestFailed("data tests failed:\n" + "\n".join(f"- {f}" for f in failures))
    return seconds if timings else [name for name in seconds if name != "data tests"]


def _drop_if_other_kind(con: duckdb.DuckDBPyConnection, name: str, kind: str) -> None:
    """A model that became a view (or a table) since the warehouse was built replaces the old object."""
    found = con.execute("select table_type from information_schema.tables where table_schema = 'main' "
                        "and table_name = ?", [name]).fetchall()
    existing = {"VIEW": "view", "BASE TABLE": "table"}.get(found[0][0]) if found else None
    if existing is not None and existing != kind:
        # An identifier cannot be a bound parameter: the kind is one of two words, the name is quoted.
        con.execute("drop " + existing + " " + quote(name))


def data_tests() -> list[tuple[str, str, str, object]]:
    """(model, test, column, argument) from every layer's schema.toml."""
    tests = []
    for layer in LAYERS:
        path = TRANSFORMS_DIR / layer / "schema.toml"
        if not path.exists():
            continue
        for model, spec in tomllib.loads(path.read_text(encoding="utf-8")).items():
            if spec.get("not_empty"):
                tests.append((model, "not_empty", "", None))
            for key in spec.get("unique", []):
                tests.append((model, "unique", key, None))
            for column in spec.get("not_null", []):
                tests.append((model, "not_null", column, None))
            for column, values in spec.get("accepted_values", {}).items():
                tests.append((model, "accepted_values", column, values))
            for column, target in spec.get("relationships", {}).items():
                tests.append((model, "relationships", column, target))
    return tests


def run_data_tests(con: duckdb.DuckDBPyConnection) -> list[str]:
    failures = []
    for model, test, column, argument in data_tests():
        table = quote(model)
        if test == "not_empty":
            sql = f"select count(*) = 0 from {table}"
            params = []
        elif test == "unique":
            columns = ", ".join(quote(c.strip()) for c in column.split(","))
            sql = f"select count(*) from (select {columns} from {table} group by all having count(*) > 1)"
            params: list = []
        elif test == "not_null":
            sql = f"select count(*) from {table} where {quote(column)} is null"
            params = []
        elif test == "accepted_values":
            sql = f"select count(*) from {table} where {quote(column)} is not null and {quote(column)} <> all(?)"
            params = [list(argument)]
        else:  # relationships: "other_model.column"; a composite key is "a,b" -> "other.a,b"
            target_model, target_columns = str(argument).split(".", 1)
            left = [c.strip() for c in column.split(",")]
            right = [c.strip() for c in target_columns.split(",")]
            condition = " and ".join(f"t.{quote(r)} = m.{quote(lc)}" for lc, r in zip(left, right))
            sql = (f"select count(*) from {table} m where {quote(left[-1])} is not null and not exists "
                   f"(select 1 from {quote(target_model)} t where {condition})")
            params = []
        count = con.execute(sql, params).fetchall()[0][0]
        if count and test == "not_empty":
            failures.append(f"{model}: has no rows")
        elif count:
            failures.append(f"{model}: {test} on {column}{'' if argument is None else f' ({argument})'}: {count} row(s)")
    return failures
