"""Command line: python -m warehouse ingest | status | demo | rebuild.

Exit codes: 0 everything loaded; 1 a file was rejected or the run failed
(nothing of that file, or of the run, was loaded); 2 some rows were
quarantined (the rest loaded; see `status` or the Data quality page).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from warehouse.config import SettingError, load_settings
from warehouse.formats import GRADE_TYPES, KINDS
from warehouse.scales import ScaleConfigError
from warehouse.transform import DataTestFailed
from warehouse.store import Store, WarehouseBusy

EXIT_OK, EXIT_FAILED, EXIT_QUARANTINED = 0, 1, 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m warehouse", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    ingest = commands.add_parser("ingest", help="validate and load MIS export files or folders")
    ingest.add_argument("paths", nargs="+", type=Path, help="files (.csv, .xlsx) or folders of them")
    ingest.add_argument("--kind", choices=sorted(KINDS), help="the kind of export (default: from the headings)")
    ingest.add_argument("--school", help="school code for files without a school column")
    ingest.add_argument("--academic-year", help="academic year (e.g. 2025/26) for files without one")
    ingest.add_argument("--assessment-point", help="the drop a marksheet or assessments file is for")
    ingest.add_argument("--grade-type", choices=GRADE_TYPES, help="the grade type of a marksheet")
    ingest.add_argument("--json", action="store_true", help="print the report as JSON")
    ingest.add_argument("--quiet", action="store_true", help="no progress bar")

    status = commands.add_parser("status", help="what the warehouse holds: batches, counts, quarantine")
    status.add_argument("--json", action="store_true", help="print as JSON, for scripts")

    demo = commands.add_parser("demo", help="write the demo school's exports and load them")
    demo.add_argument("--schools", type=int, default=1, help="a trust of N schools (for benchmarks)")
    demo.add_argument("--seed", type=int, default=2026)
    demo.add_argument("--out", type=Path, help="where to write the exports (default: <data dir>/demo_exports)")
    demo.add_argument("--force", action="store_true", help="load even if the warehouse already has data")
    demo.add_argument("--quiet", action="store_true", help="no progress bar")

    commands.add_parser("rebuild", help="recompute the measures with the settings now in tracker.toml")

    args = parser.parse_args(argv)
    try:
        if args.command == "ingest":
            return _ingest(args)
        if args.command == "status":
            return _status(args)
        if args.command == "rebuild":
            return _rebuild()
        return _demo(args)
    except (WarehouseBusy, SettingError, ScaleConfigError, DataTestFailed) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_FAILED


def _rebuild() -> int:
    """A new snapshot with every model rebuilt: how a changed setting or scale takes effect."""
    from warehouse import transform

    store = Store.default()
    if store.current_snapshot() is None:
        print("The warehouse is empty: nothing to rebuild.", file=sys.stderr)
        return EXIT_FAILED
    with store.writer() as writer:
        transform.build(writer.con, store.settings)
        writer.changed = True
    print(f"Measures rebuilt with the settings in force. Warehouse snapshot: {writer.published.name}")
    return EXIT_OK


def _ingest(args) -> int:
    from warehouse.ingest import IngestOptions, expand_paths, ingest  # imports Great Expectations: only here

    options = IngestOptions(kind=args.kind, school=args.school, academic_year=args.academic_year,
                            assessment_point=args.assessment_point, grade_type=args.grade_type)
    files = expand_paths(args.paths)
    if not files:
        print("error: no export files (.csv, .xlsx) found in " + ", ".join(map(str, args.paths)), file=sys.stderr)
        return EXIT_FAILED
    report = _run_with_progress(ingest, files, options, None, quiet=args.quiet or args.json)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, default=str))
    else:
        _print_report(report)
    return _exit_code(report)


def _run_with_progress(ingest, files, options, per_file_options, quiet: bool):
    from tqdm import tqdm

    with tqdm(total=len(files), unit="file", disable=quiet, file=sys.stderr) as bar:
        def advance(result):
            bar.set_postfix_str(f"{result.path.name}: {result.status}", refresh=False)
            bar.update(1)
        return ingest(files, options, per_file_options=per_file_options, on_file=advance)


def _print_report(report) -> None:
    for result in report.files:
        mark = {"loaded": "ok", "unchanged": "--", "rejected": "REJECTED"}[result.status]
        print(f"[{mark}] {result.message}")
        for issue in result.issues:
            value = "" if issue["value"] is None else f" {issue['value']!r}"
            print(f"       row {issue['row']}, column {issue['column']}:{value} {issue['reason']}")
        if result.rows_quarantined > len(result.issues):
            print(f"       … see `python -m warehouse status` or the Data quality page for all of them")
    loaded = sum(f.rows_loaded for f in report.files)
    print(f"{loaded} rows loaded, {report.rows_quarantined} quarantined, {len(report.rejected)} file(s) rejected."
          + (f" Warehouse snapshot: {report.snapshot.name}" if report.snapshot else " Warehouse unchanged."))


def _exit_code(report) -> int:
    if report.rejected:
        return EXIT_FAILED
    return EXIT_QUARANTINED if report.rows_quarantined else EXIT_OK


def _status(args) -> int:
    from warehouse.data import EmptyWarehouse, WarehouseReader

    reader = WarehouseReader(Store(load_settings()))
    try:
        batches = reader.run("batches")
        summary = reader.run("school_summary")
        quarantine = reader.run("quarantine", batch_id=None)
    except EmptyWarehouse as empty:
        if args.json:
            print(json.dumps({"snapshot": None, "batches": [], "schools": [], "quarantine": []}))
        else:
            print(str(empty))
        return EXIT_OK
    snapshot = reader.snapshot()
    if args.json:
        print(json.dumps({
            "snapshot": str(snapshot),
            "schools": summary.to_dict("records"),
            "batches": batches.drop(columns=["file_hash"]).to_dict("records"),
            "quarantine": quarantine.drop(columns=["record"]).to_dict("records"),
        }, indent=2, default=str))
        return EXIT_OK
    print(f"Warehouse: {snapshot}")
    print(summary.to_string(index=False))
    print(f"\n{len(batches)} batch(es), newest first:")
    print(batches[["batch_id", "file_name", "kind", "status", "rows_read", "rows_loaded",
                   "rows_quarantined"]].head(30).to_string(index=False))
    print(f"\n{len(quarantine)} quarantined value(s):")
    if len(quarantine):
        print(quarantine[["batch_id", "file_name", "row_number", "column_name", "value", "reason"]]
              .head(30).to_string(index=False))
    return EXIT_OK


def _demo(args) -> int:
    from warehouse.demo import generate
    from warehouse.ingest import IngestOptions, ingest

    store = Store(load_settings())
    if store.current_snapshot() is not None and not args.force:
        print(f"The warehouse in {store.data_dir} already has data; the demo was not loaded again "
              "(use --force to load it anyway).")
        return EXIT_OK
    out = args.out or store.data_dir / "demo_exports"
    print(f"Writing the demo exports of {args.schools} school(s) to {out} …", file=sys.stderr)
    files = generate(out, schools=args.schools, seed=args.seed)
    per_file = {
        f.path: IngestOptions(kind=f.kind, school=f.school_code, academic_year=f.academic_year,
                              assessment_point=f.assessment_point, grade_type=f.grade_type, demo=True)
        for f in files
    }
    report = _run_with_progress(ingest, [f.path for f in files], IngestOptions(demo=True), per_file,
                                quiet=args.quiet)
    _print_report(report)
    if report.rejected:
        return EXIT_FAILED
    if report.rows_quarantined:
        print("The quarantined rows are the demo's deliberate mistakes (a mistyped UPN, a grade off the scale, …): "
              "see them on the dashboard's Data quality page.")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
