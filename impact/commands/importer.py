"""`import`: add the rows of a CSV or Excel file to a table of the data directory.

(The module is `importer` because `import` is a Python keyword; the command word is `import`.)
Exit 0 with a one-line summary; exit 1 with every error when any row is invalid (nothing is
written); exit 2 for usage errors.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from impact.cli import add_data_dir
from impact.config import resolve_data_dir
from impact.errors import UsageError
from impact.access import audit
from impact.access.policy import public_mode
from impact.access.readonly import read_only
from impact.ingest import FileProblem, ImportCheck, import_payload, rejects_csv
from impact.ingest.check import check_file
from impact.datadir import refuse_bundled_demo
from impact.ingest.mappings import MappingProblem, load
from impact.ingest.messages import (file_message, header_message, mapping_message,
                                    notice_lines, overlap_message, row_message,
                                    totals_line, visible)
from impact.presentation.i18n import t
from impact.ingest.reading import WORKBOOK_SUFFIXES
from impact.storage.schema import TABLES, importable_tables
from impact.storage.store import DataStore

NAME = "import"
SHOWN_ERRORS = 200  # a file with 100,000 bad rows gets the first ones and a count
HELP = "Import a CSV or Excel file into a table (all rows or none)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE",
                        help=".csv (UTF-8 or GBK), .xlsx, .xls or .ods file")
    parser.add_argument("--table", required=True, choices=sorted(importable_tables()),
                        help="table the rows belong to")
    parser.add_argument("--hash-personal", action="store_true",
                        help="participants only: turn name / ID-card / phone columns into the "
                             "pseudonymous person key instead of refusing them (never stored)")
    parser.add_argument("--org", metavar="NAME",
                        help="the organisation of every row, for a file without a 机构 column "
                             "(default: the data directory's organisation, when it holds "
                             "exactly one)")
    parser.add_argument("--mapping", metavar="NAME",
                        help="read the file's columns with this saved mapping (default: the "
                             "saved mapping whose headers are the file's, if any; list them "
                             "with `impact mappings`)")
    add_data_dir(parser)
    parser.add_argument("--sheet", metavar="NAME",
                        help="workbook sheet (default: the first visible one)")
    parser.add_argument("--dry-run", action="store_true",
                        help="validate and report, write nothing")
    parser.add_argument("--skip-invalid", action="store_true",
                        help="write the valid rows; write the invalid ones to FILE.rejects.csv")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--update", action="store_true",
                      help="rows whose key is stored with other values correct them (shows "
                           "each field old → new first)")
    mode.add_argument("--replace", action="store_true",
                      help="replace every stored row of the organisation × months the file "
                           "covers (finance: of the journal it corrects only, see --source)")
    parser.add_argument("--source", metavar="NAME",
                        help="finance: the journal the rows come from, stored with each row "
                             "(default: the file's name). A corrected copy saved under another "
                             "name gives the name the journal was imported under, so "
                             "--replace replaces that journal's rows and no other's")
    parser.add_argument("--reason", default="", metavar="TEXT",
                        help="why (recorded in the version history)")
    parser.add_argument("--all-errors", action="store_true",
                        help=f"list every error (default: the first {SHOWN_ERRORS} and a count)")


def run(args: argparse.Namespace) -> int:
    if args.dry_run and args.skip_invalid:
        raise UsageError("--dry-run and --skip-invalid cannot be combined")
    path = Path(args.file)
    if args.sheet and path.suffix.casefold() not in WORKBOOK_SUFFIXES:
        raise UsageError(f"--sheet applies to workbooks (.xlsx, .xls, .ods) only, "
                         f"not {path.name}")
    payload = _read_input(path)
    store = DataStore(resolve_data_dir(args.data_dir))
    # Refused here, before any check: a dry run that passes against the bundled demo would
    # promise an import that is then refused.
    refuse_bundled_demo(store.url or str(store.root))
    if public_mode():  # a public server's data is read-only for every process that serves it
        store = read_only(store)
    try:
        args.mapping = load(store, args.mapping) if args.mapping else None
    except MappingProblem as problem:
        print(f"{path}: {mapping_message(problem)}", file=sys.stderr)
        return 1
    if args.org is not None and not args.org.strip():
        raise UsageError("--org needs an organisation's name")
    args.org = args.org.strip() if args.org else None
    if args.source is not None and (not args.source.strip() or args.table != "finance"):
        raise UsageError("--source needs a journal's name, and applies to --table finance")
    try:
        args.org = args.org or _default_org(path, payload, args, store)
    except (FileProblem, MappingProblem) as problem:
        return _refused(path, problem)
    if args.update or args.replace:
        if args.skip_invalid:
            raise UsageError("--skip-invalid cannot be combined with --update or --replace")
        return _correct(args, path, payload, store, "update" if args.update else "replace")
    try:
        if args.dry_run:
            check, entry = check_file(path.name, payload, args.table, store, sheet=args.sheet,
                                      hash_personal=args.hash_personal, org=args.org,
                                      mapping=args.mapping, source=args.source), None
        else:
            check, entry = import_payload(path.name, payload, args.table, store, sheet=args.sheet,
                                          skip_invalid=args.skip_invalid, process="cli",
                                          hash_personal=args.hash_personal, org=args.org,
                                          mapping=args.mapping, source=args.source)
    except (FileProblem, MappingProblem) as problem:
        return _refused(path, problem)
    note = sheet_note(check)
    if note and (check.header_problems or (check.errors and not args.skip_invalid)):
        print(f"{path}: {note}", file=sys.stderr)  # which sheet the errors below are in
    if check.header_problems:
        _print_header_problems(path, check, store)
        return 1
    # A dry run says what it understood, before the counts it led to; the import itself
    # stays the one summary line (docs/import.md).
    for line in notice_lines(check) if args.dry_run else ():
        print(f"  {line}")
    if check.errors and not args.skip_invalid:
        shown = check.errors if args.all_errors else check.errors[:SHOWN_ERRORS]
        lines = [row_message(e) for e in shown]
        _print_problems(path, lines, "error", f" in {len(check.rejected_rows)} of "
                        f"{check.rows_read} rows; nothing was written", len(check.errors))
        return 1
    if check.overlaps:
        for org, overlap in check.overlaps.items():
            print(f"{path}: {overlap_message(org, overlap)}", file=sys.stderr)
        return 1
    if entry:
        problem = audit.record("import", audit.os_identity(), str(store.root), file=path.name,
                               table=args.table, rows_added=entry.get("rows_added"),
                               manifest_version=entry.get("manifest_version"), process="cli")
        if problem:
            print(f"warning: imported, but the audit log was not written: {problem}",
                  file=sys.stderr)
    if entry and entry.get("log_error"):
        print(f"warning: imported, but the import log was not written: {entry['log_error']}",
              file=sys.stderr)
    if args.dry_run and check.new_rows and totals_line(check):
        print(f"  {totals_line(check)}")
    rejects = _write_rejects(path, check) if check.errors else None
    print(summary_line(path, check, written=entry is not None, dry_run=args.dry_run,
                       rejects=rejects))
    return 0


def _default_org(path: Path, payload: bytes, args, store: DataStore) -> str | None:
    """The data directory's one organisation, for a file without a 机构 column (said aloud);
    None when the file has one, or when there is no single organisation to choose."""
    from impact.ingest.check import stored_orgs
    from impact.ingest.headers import map_headers
    from impact.ingest.reading import open_file

    if args.table not in TABLES or "org" not in TABLES[args.table].column_names:
        return None
    from impact.ingest.mappings import find, header_test

    # The headers only: the rows are not read here (a million of them would be held twice).
    sheet = open_file(path.name, payload, args.sheet, header_test(store, args.table))
    chosen = args.mapping or find(store, args.table, sheet.headers)
    overrides = chosen.overrides() if chosen else None
    if "org" in map_headers(args.table, sheet.headers, args.hash_personal,
                            overrides=overrides)[0].values():
        return None
    orgs = stored_orgs(store)
    if len(orgs) != 1:
        return None
    print(f"{path}: " + t("data.cli.default_org", "en", org=visible(orgs[0]),
                          data_dir=store.url or str(store.root)), file=sys.stderr)
    return orgs[0]


def _refused(path: Path, problem) -> int:
    """A file the importer cannot read, or a mapping it cannot use: one line, exit 1."""
    text = mapping_message(problem) if isinstance(problem, MappingProblem) else \
        file_message(problem)
    print(f"{path}: {text}", file=sys.stderr)
    return 1


def _print_header_problems(path: Path, check: ImportCheck, store: DataStore) -> None:
    """Every column problem, then where a sheet the importer reads is to be had."""
    from impact.ingest.check import stored_orgs
    from impact.ingest.messages import template_hint

    lines = [header_message(p) for p in check.header_problems]
    if any(p.code == "missing_column" and p.header.endswith("(org)")
           for p in check.header_problems):
        orgs = stored_orgs(store)
        lines.append(t("data.cli.give_org", "en") + (
            t("data.cli.stored_orgs", "en", orgs=t("data.list_sep", "en").join(
                visible(o) for o in orgs)) if orgs else ""))
    if any(p.code == "unknown_column" for p in check.header_problems):
        lines.append("or map these columns once on the Data page: the mapping is saved in the "
                     "data directory and used for every file with the same headers "
                     "(`impact mappings` lists them; --mapping NAME names one)")
    _print_problems(path, lines, "column problem", "; nothing was written",
                    total=len(check.header_problems))
    print(f"  {template_hint(check.table)}", file=sys.stderr)


def _read_input(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"{path}: is a directory, not a file") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read ({exc.strerror})") from None
    except ValueError:  # a NUL in the name: no such file can exist
        raise UsageError(f"{str(path)!r}: not a valid file name") from None


def sheet_note(check: ImportCheck) -> str:
    """Which sheet of a workbook was read, when there was a choice (or a hidden sheet)."""
    sheet = check.sheet
    if not sheet or sheet.sheet_count <= 1:
        return ""
    text = f'read sheet "{visible(sheet.sheet_name)}" of {sheet.sheet_count}'
    if sheet.hidden_sheets:
        hidden = ", ".join(f'"{visible(n)}"' for n in sheet.hidden_sheets)
        text += f"; hidden, not read: {hidden}"
    return text


def _print_problems(path: Path, lines: list[str], noun: str, tail: str = "",
                    total: int | None = None) -> None:
    total = len(lines) if total is None else total
    print(f"{path}: {total} {noun}{'s' if total != 1 else ''}{tail or ''}:", file=sys.stderr)
    for line in lines:
        print(f"  {line}", file=sys.stderr)
    if total > len(lines):
        print(f"  … and {total - len(lines)} more (--all-errors lists them all)",
              file=sys.stderr)


def _write_rejects(path: Path, check: ImportCheck) -> Path:
    from impact.storage.store import atomic_write_bytes

    target = path.with_name(f"{path.stem}.rejects.csv")
    atomic_write_bytes(target, rejects_csv(check))
    return target


def summary_line(path: Path, check: ImportCheck, *, written: bool, dry_run: bool,
                 rejects: Path | None) -> str:
    """One line: what was (or would be) added, per organisation and year."""
    groups = ", ".join(f"{org} {year}: {n}" for (org, year), n in check.added_by_org_year().items())
    verb = "would add" if dry_run else "added"
    text = (f"{path.name} → {check.table}: {check.rows_read} rows read, {verb} "
            f"{len(check.new_rows)}, {check.duplicates} duplicates skipped")
    if groups:
        text += f" ({groups})"
    if rejects is not None:
        text += (f"; {len(check.rejected_rows)} invalid rows skipped, listed with reasons "
                 f"in {rejects}")
    if check.sheet and check.sheet.encoding:
        text += f" [encoding {check.sheet.encoding}]"
    if sheet_note(check):
        text += f" [{sheet_note(check)}]"
    return text


def _correct(args, path: Path, payload: bytes, store: DataStore, mode: str) -> int:
    """--update / --replace: show the diff (field old → new), then commit it as one version
    (or, with --dry-run, stop there)."""
    from impact.ingest.write import commit_correction, plan_correction
    from impact.storage.edits import totals_delta

    try:
        check = check_file(path.name, payload, args.table, store, sheet=args.sheet,
                           org=args.org, mapping=args.mapping, source=args.source)
    except (FileProblem, MappingProblem) as problem:
        return _refused(path, problem)
    if check.header_problems:
        _print_header_problems(path, check, store)
        return 1
    errors = [e for e in check.errors if e.code != "conflicts_existing"]
    if errors:
        _print_problems(path, [row_message(e) for e in errors], "error",
                        f" in {len({e.row for e in errors})} of {check.rows_read} rows; "
                        "nothing was written")
        return 1
    plan = plan_correction(check, store, mode)
    for line in preview_lines(plan):
        print(line)
    delta = totals_delta(plan)
    verb = "would" if args.dry_run else "will"
    print(f"{path.name} → {args.table} ({mode}): {verb} add {plan.count('added')}, change "
          f"{plan.count('changed')}, remove {plan.count('removed')}"
          + (f"; totals {', '.join(f'{k} {v}' for k, v in delta.items())}" if delta else ""))
    if args.dry_run or plan.empty:
        if plan.empty:
            print("nothing to change: the stored rows already match the file")
        return 0
    manifest = commit_correction(check, plan, store, mode, args.reason)
    print(f"committed as version {manifest['version']}")
    return 0


def preview_lines(plan, limit: int = 50) -> list[str]:
    """One line per changed record: its key, then each field old → new."""
    lines = []
    changes = plan.all_changes  # the companion table's (groups …) too: one commit
    for table, change in changes[:limit]:
        key = "/".join("" if v is None else str(v) for v in change.key)
        where = "" if table == plan.table else f"{table} "
        if change.kind == "changed":
            fields = "; ".join(f"{c}: {o} → {n}" for c, (o, n) in change.fields.items())
            lines.append(f"  changed {where}{key}: {fields}")
        else:  # an auto-… id says nothing: show what the record holds
            record = change.new or change.old
            held = " ".join(str(v) for c, v in record.items()
                            if v is not None and v not in change.key)
            lines.append(f"  {change.kind} {where}{key}: {held}")
    if len(changes) > limit:
        lines.append(f"  … and {len(changes) - limit} more")
    return lines
