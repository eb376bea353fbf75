"""The golden corpus: every command's output, byte for byte, on the inputs in tests/golden/inputs/.

    python tools/golden.py --check   # run every case, compare with tests/golden/expected/ (1 on a difference)
    python tools/golden.py --write   # re-record the expected outputs: only when a change is intended

The program is run only as a subprocess (`python -m mappa_stats ...`), never imported: its modules are about
to move. Each case runs with the inputs folder as working directory and relative paths, so no output holds a
machine path. An `-o` file is written under `_out/` there (removed afterwards) and recorded too: a text file
as it is, a spreadsheet (xlsx/ods: zip) canonically, member by member with its dates removed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import hashlib
import os
import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
INPUTS = GOLDEN / "inputs"
EXPECTED = GOLDEN / "expected"
OUT = "_out"
YEARS = [f"20{y}-{y + 1}" for y in range(14, 25)]
SHORT = [y[:4] for y in YEARS]
ENV_KEEP = ("PATH", "HOME", "LANG", "SYSTEMROOT", "VIRTUAL_ENV")


class Case(NamedTuple):
    name: str
    args: list[str]
    output: str | None = None  # the -o file's name, under _out/


def cases() -> list[Case]:
    out: list[Case] = []

    def add(name: str, *args: str, output: str | None = None) -> None:
        full = list(args)
        if output:
            full += ["-o", f"{OUT}/{name}/{output}"]
        out.append(Case(name, full, output))

    # Help and version.
    add("help", "--help")
    add("version", "--version")
    add("no_command")
    commands = [
        "validate",
        "tables",
        "rate",
        "signoff",
        "template",
        "combine",
        "compare",
        "templates",
        "rules",
        "check-publication",
    ]
    for command in commands:
        add(f"help_{command}", command, "--help")
    add("unknown_command", "frobnicate")

    # templates and rules.
    for fmt in ("text", "markdown", "json"):
        add(f"templates_{fmt}", "templates", "--format", fmt)
    for year in YEARS:
        add(f"rules_{year}", "rules", "--year", year)
    for fmt in ("markdown", "json"):
        add(f"rules_2024-25_{fmt}", "rules", "--year", "2024-25", "--format", fmt)
        add(f"rules_2014-15_{fmt}", "rules", "--year", "2014-15", "--format", fmt)
    for year in ("2022-23", "2023-24", "2024-25"):
        add(f"rules_nsd_{year}", "rules", "--year", year, "--form", "nsd")
    add("rules_nsd_2024-25_json", "rules", "--year", "2024-25", "--form", "nsd", "--format", "json")
    add("rules_nsd_2014-15", "rules", "--year", "2014-15", "--form", "nsd")
    add("rules_default", "rules")
    # check-publication on an area workbook (not a publication: items fail) and on a file that is no workbook.
    add("check_publication_area", "check-publication", "samples/kent_2015.xlsx")
    add("check_publication_area_json", "check-publication", "samples/kent_2015.xlsx", "--format", "json")
    add("check_publication_not_a_workbook", "check-publication", "samples/kent_2015.csv")
    add("rules_unknown_year", "rules", "--year", "2030-31")

    # template: every year's workbook, the returns, refusals.
    for year in YEARS:
        add(f"template_{year}", "template", "--year", year, output=f"template_{year}.xlsx")
    for year in ("2023-24", "2024-25"):
        add(
            f"template_return_{year}",
            "template",
            "--year",
            year,
            "--form",
            "return",
            "--area",
            "Kent",
            output=f"return_{year}.xlsx",
        )
        add(
            f"template_return_nsd_{year}",
            "template",
            "--year",
            year,
            "--form",
            "return",
            "--area",
            "NSD",
            output=f"return_nsd_{year}.xlsx",
        )
    add("template_return_2022-23", "template", "--year", "2022-23", "--form", "return", output="r.xlsx")
    add("template_return_unknown_area", "template", "--form", "return", "--area", "Kentt", output="r.xlsx")
    add("template_no_output", "template")
    add("template_over_input", "template", "-o", "samples/kent_2015.xlsx")

    # Generated inputs of every year and form.
    workbooks = [f"gen/kent_{s}.xlsx" for s in SHORT]
    tidy = [f"gen/kent_{s}.csv" for s in SHORT]
    returns = [f"gen/return_kent_{s}.xlsx" for s in ("2023", "2024")]
    nsd = [f"gen/return_nsd_{s}.xlsx" for s in ("2023", "2024")]
    reports = ["gen/kent_2014_report.pdf"]
    mistyped = [
        "gen/kent_2014_swapped.xlsx",
        "gen/kent_2024_total.xlsx",
        "gen/kent_2019_swapped.csv",
        "gen/return_kent_2024_swapped.xlsx",
        "gen/return_nsd_2023_total.xlsx",
        "gen/kent_2014_report_swapped.pdf",
        "gen/kent_2014_report_swapped.txt",
    ]
    every = workbooks + tidy + returns + nsd + reports + mistyped

    def stem(path: str) -> str:
        return path.replace("samples/errors/", "err_").replace("/", "_").replace(".", "_")

    # validate: every input as text; json and markdown on each form; the options.
    for path in every:
        add(f"validate_{stem(path)}", "validate", path)
    for path in workbooks + returns + nsd + mistyped:
        add(f"validate_{stem(path)}_json", "validate", path, "--format", "json")
    for path in [workbooks[0], workbooks[-1], tidy[5], returns[1], nsd[0], reports[0], *mistyped[:2]]:
        add(f"validate_{stem(path)}_markdown", "validate", path, "--format", "markdown")
    samples = ["samples/kent_2015.xlsx", "samples/kent_2015.csv", "samples/kent_2015_report.txt"]
    errors = sorted(p.relative_to(INPUTS).as_posix() for p in (INPUTS / "samples" / "errors").glob("*.xlsx"))
    for path in samples + errors:
        add(f"validate_{stem(path)}", "validate", path)
    for path in errors[:6]:
        add(f"validate_{stem(path)}_json", "validate", path, "--format", "json")
        add(f"validate_{stem(path)}_no_suggest", "validate", path, "--no-suggest")
    pop, claims = "samples/ons_mid2014.csv", "samples/kent_2015_claims.csv"
    for path in samples:
        for fmt in ("text", "json", "markdown"):
            add(
                f"validate_{stem(path)}_population_{fmt}",
                "validate",
                path,
                "--population",
                pop,
                "--format",
                fmt,
            )
        add(f"validate_{stem(path)}_claims", "validate", path, "--claims", claims)
        add(f"validate_{stem(path)}_strict", "validate", path, "--strict")
        add(
            f"validate_{stem(path)}_all",
            "validate",
            path,
            "--population",
            pop,
            "--claims",
            claims,
            "--strict",
        )
    add("validate_claims_json", "validate", samples[0], "--claims", claims, "--format", "json")
    add("validate_strict_return", "validate", returns[0], "--strict")
    add("validate_gen_2019_population", "validate", workbooks[5], "--population", pop)
    add("validate_level1_share", "validate", samples[0], "--level1-share", "97%")
    add("validate_area_other", "validate", samples[0], "--area", "Essex")
    add("validate_area_override", "validate", samples[0], "--area", "Essex", "--area-override")
    add("validate_area_unknown", "validate", samples[0], "--area", "Kentt")
    add("validate_year", "validate", tidy[0], "--year", "2014-15")
    add("validate_sheet_missing", "validate", samples[0], "--sheet", "Nope")
    add("validate_missing_file", "validate", "no_such_file.xlsx")
    add("validate_several", "validate", samples[0], workbooks[-1], mistyped[0])
    add("validate_many", "validate", *workbooks[:5])
    add("validate_many_json", "validate", *workbooks[:5], "--format", "json")
    add("validate_errors_all", "validate", *errors)
    add("validate_output", "validate", samples[0], "--format", "json", output="report.json")
    add("validate_output_md", "validate", mistyped[0], "--format", "markdown", output="report.md")

    # tables: every input as text; every format on each form; publication spreadsheets.
    for path in every:
        add(f"tables_{stem(path)}", "tables", path)
    for path in [workbooks[0], workbooks[5], workbooks[-1], returns[1], nsd[1], reports[0], samples[0]]:
        for fmt in ("markdown", "csv", "json"):
            add(f"tables_{stem(path)}_{fmt}", "tables", path, "--format", fmt)
    for path in [tidy[0], tidy[-1], returns[0], nsd[0], samples[2]]:
        add(f"tables_{stem(path)}_csv", "tables", path, "--format", "csv")
    cover = [
        "--release-date",
        "1 July 2025",
        "--next-release",
        "July 2026",
        "--contact",
        "golden@example.org",
    ]
    for path, fmt in [
        (samples[0], "xlsx"),
        (samples[0], "ods"),
        (workbooks[-1], "xlsx"),
        (nsd[1], "ods"),
    ]:
        add(f"tables_{stem(path)}_{fmt}", "tables", path, "--format", fmt, *cover, output=f"t.{fmt}")
    add("tables_xlsx_refused", "tables", mistyped[0], "--format", "xlsx", *cover, output="t.xlsx")
    add(
        "tables_xlsx_publish_failing",
        "tables",
        mistyped[0],
        "--format",
        "xlsx",
        "--publish-failing",
        *cover,
        output="t.xlsx",
    )
    # --force consents to replacing a file, never to publishing failing tables: refused, as without it.
    add(
        "tables_xlsx_force_refused",
        "tables",
        mistyped[0],
        "--format",
        "xlsx",
        "--force",
        *cover,
        output="t.xlsx",
    )
    # -o - is standard output: the bytes -o FILE writes, with no "wrote -" (rate_output writes the file).
    add("rate_output_stdout", "rate", "--population", pop, samples[0], "--format", "csv", "-o", "-")
    add(
        "tables_xlsx_source",
        "tables",
        tidy[3],
        "--format",
        "xlsx",
        *cover,
        "--source",
        "Golden",
        output="t.xlsx",
    )
    add("tables_xlsx_default_cover", "tables", samples[0], output="t.xlsx")
    add("tables_xlsx_no_output", "tables", samples[0], "--format", "xlsx")
    add("tables_format_mismatch", "tables", samples[0], "--format", "xlsx", output="t.ods")
    add("tables_output_md", "tables", samples[0], output="t.md")

    # rate.
    for fmt in ("text", "json", "markdown", "csv"):
        add(f"rate_kent_{fmt}", "rate", "--population", pop, samples[0], "--format", fmt)
        add(f"rate_national_{fmt}", "rate", "--population", pop, "--format", fmt)
        add(
            f"rate_rsos_{fmt}",
            "rate",
            "--population",
            pop,
            "--area",
            "Kent",
            "--rsos",
            "1560",
            "--format",
            fmt,
        )
    add("rate_all_ages", "rate", "--population", pop, samples[0], "--all-ages")
    add("rate_stated", "rate", "--population", pop, samples[0], "--stated", "101")
    add("rate_several", "rate", "--population", pop, samples[0], samples[1], samples[2], reports[0])
    add("rate_other_year", "rate", "--population", pop, workbooks[5])
    add("rate_mid_year_refused", "rate", "--population", pop, "--mid-year", "2018", samples[0])
    add("rate_no_population", "rate", samples[0])
    add("rate_output", "rate", "--population", pop, samples[0], "--format", "csv", output="rate.csv")

    # signoff.
    for path in [
        samples[0],
        samples[2],
        workbooks[-1],
        returns[1],
        nsd[0],
        reports[0],
        mistyped[0],
        errors[0],
    ]:
        add(f"signoff_{stem(path)}_markdown", "signoff", path, "--format", "markdown")
    for path in [samples[0], mistyped[0], returns[1]]:
        add(f"signoff_{stem(path)}_html", "signoff", path, "--format", "html", output="pack.html")
    add("signoff_population", "signoff", samples[0], "--population", pop)
    add("signoff_population_html", "signoff", samples[0], "--population", pop, output="pack.html")
    add("signoff_strict", "signoff", samples[0], "--strict")
    add("signoff_format_mismatch", "signoff", samples[0], "--format", "html", output="pack.md")

    # combine: the 42 returns of 2023-24 in every format; some of them; mixed years.
    folder = "gen/returns_2023"
    some = [f"{folder}/area_{i:02d}.xlsx" for i in (1, 2, 17)]
    for fmt in ("text", "markdown"):
        add(f"combine_{fmt}", "combine", folder, "--format", fmt)
    # The whole set's long CSV, JSON and ODS are 700, 650 and 350 KB: those formats are recorded on three
    # areas (the ODS published with --publish-failing), the national workbook on the whole set.
    add("combine_csv", "combine", *some, "--format", "csv")
    add("combine_json", "combine", *some, "--format", "json")
    add("combine_xlsx", "combine", folder, "--format", "xlsx", *cover, output="national.xlsx")
    add(
        "combine_ods_publish_failing",
        "combine",
        *some,
        "--format",
        "ods",
        "--publish-failing",
        *cover,
        output="national.ods",
    )
    add("combine_csv_output", "combine", *some, output="national.csv")
    add("combine_some", "combine", *some)
    add("combine_no_nsd", "combine", *[f"{folder}/area_{i:02d}.xlsx" for i in range(1, 43)])
    add("combine_some_xlsx_refused", "combine", f"{folder}/area_01.xlsx", *cover, output="national.xlsx")
    add("combine_nsd", "combine", folder, nsd[0])
    add("combine_mixed_years", "combine", f"{folder}/area_01.xlsx", f"{folder}/area_02.xlsx", returns[1])
    add("combine_population_refused", "combine", folder, "--population", pop)
    add("combine_claims", "combine", f"{folder}/area_17.xlsx", "--claims", claims)
    add("combine_tidy_2014", "combine", tidy[0], samples[1], "--population", pop)
    add("combine_samples_population", "combine", samples[0], "--population", pop, "--format", "json")
    add("combine_empty", "combine", "samples/errors/manifest.json")

    # compare: every year of Kent's workbooks; forms and releases; options.
    for fmt in ("text", "markdown", "json", "csv"):
        add(f"compare_years_{fmt}", "compare", *workbooks, "--format", fmt)
    add("compare_forms", "compare", *tidy[-2:], *returns)
    add("compare_releases", "compare", samples[0], samples[1], samples[2])
    add("compare_duplicate", "compare", samples[0], samples[0])
    add("compare_claims", "compare", samples[0], workbooks[1], "--claims", claims)
    add("compare_claims_strict", "compare", samples[0], workbooks[1], "--claims", claims, "--strict")
    add("compare_threshold", "compare", *workbooks, "--threshold", "5,5")
    add("compare_mistyped", "compare", workbooks[0], mistyped[0], workbooks[1])
    add("compare_tidy", "compare", *tidy)
    add("compare_output_json", "compare", *workbooks[:3], "--format", "json", output="compare.json")

    # The formats issue 20 added so that every document has text, Markdown, CSV, JSON and HTML.
    for fmt in ("csv", "html"):
        add(f"templates_{fmt}", "templates", "--format", fmt)
        add(f"rules_2024-25_{fmt}", "rules", "--year", "2024-25", "--format", fmt)
        add(f"validate_{stem(samples[0])}_{fmt}", "validate", samples[0], "--format", fmt)
        add(f"validate_{stem(mistyped[0])}_{fmt}", "validate", mistyped[0], "--format", fmt)
    add(f"tables_{stem(samples[0])}_html", "tables", samples[0], "--format", "html")
    add("rate_kent_html", "rate", "--population", pop, samples[0], "--format", "html")
    add("rate_national_html", "rate", "--population", pop, "--format", "html")
    for fmt in ("text", "csv", "json"):
        add(f"signoff_{stem(samples[0])}_{fmt}", "signoff", samples[0], "--format", fmt)
        add(f"signoff_{stem(mistyped[0])}_{fmt}", "signoff", mistyped[0], "--format", fmt)
    add("combine_html", "combine", *some, "--format", "html")
    add("compare_years_html", "compare", *workbooks, "--format", "html")
    return out


def _env() -> dict[str, str]:
    env = {k: os.environ[k] for k in ENV_KEEP if k in os.environ}
    env.update(
        COLUMNS="100",
        LINES="50",
        NO_COLOR="1",
        PYTHONHASHSEED="0",
        TZ="UTC",
        LC_ALL="C.UTF-8",
        PYTHONIOENCODING="utf-8",
        PYTHONUTF8="1",
        PYTHONDONTWRITEBYTECODE="1",
        TERM="dumb",
    )
    return env


def _today_patterns() -> list[tuple[re.Pattern[bytes], bytes]]:
    """Today's date (and a time with it), which sign-off packs ("Checked on: 5 December 2026 at 14:06 UTC")
    and the default release date of a cover print: replaced by <TODAY>, and nothing else."""
    pats = []
    for day in {dt.datetime.now(dt.UTC).date(), dt.date.today()}:
        long = f"{day.day} {day:%B %Y}".encode()
        iso = day.isoformat().encode()
        pats.append((re.compile(re.escape(long) + rb"( at \d\d:\d\d( UTC)?)?"), b"<TODAY>"))
        pats.append(
            (re.compile(re.escape(iso) + rb"([T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?)?"), b"<TODAY>")
        )
    return pats


def normalise(data: bytes) -> bytes:
    for pattern, repl in _today_patterns():
        data = pattern.sub(repl, data)
    return data


PROGRESS = re.compile(rb"^\[(\d+)/(\d+)\] (.*)$")


def progress_in_order(stderr: bytes) -> bytes:
    """validate and combine given four files or more read them in two processes and say "[k/N] file" as each
    is read: the order is a race. A run of such lines is recorded with its files sorted (count kept)."""
    lines = stderr.split(b"\n")
    out: list[bytes] = []
    run: list[bytes] = []
    for line in [*lines, None]:
        match = PROGRESS.match(line) if line is not None else None
        if match:
            assert line is not None  # only a line matches
            run.append(line)
            continue
        if run:
            total = PROGRESS.match(run[0]).group(2)  # type: ignore[union-attr]
            names = sorted(PROGRESS.match(r).group(3) for r in run)  # type: ignore[union-attr]
            out += [b"[%d/%s] %s" % (k, total, name) for k, name in enumerate(names, start=1)]
            run = []
        if line is not None:
            out.append(line)
    return b"\n".join(out)


def canonical_zip(path: Path) -> bytes:
    """A zip (xlsx, ods) as text: each member's name and content, XML one tag a line, dates removed."""
    parts = []
    with zipfile.ZipFile(path) as z:
        for name in sorted(z.namelist()):
            data = z.read(name)
            if name.endswith((".xml", ".rels", ".vml")) or name in ("mimetype", "META-INF/manifest.xml"):
                data = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)", rb"\1<DATE>\3", data
                )
                data = re.sub(
                    rb"(<(meta:creation-date|dc:date|meta:print-date)>)[^<]*(</\2>)", rb"\1<DATE>\3", data
                )
                data = re.sub(rb">\s*<", b">\n<", data)
                parts.append(b"=== " + name.encode() + b" ===\n" + normalise(data) + b"\n")
            else:
                digest = hashlib.sha256(data).hexdigest().encode()
                parts.append(b"=== " + name.encode() + b" === (binary, sha256 " + digest + b")\n")
    return b"".join(parts)


def run(case: Case, workdir: Path) -> bytes:
    """One case's record: the command, exit code, stdout, stderr and the -o file (canonical)."""
    out_dir = workdir / OUT
    cmd = [sys.executable, "-m", "mappa_stats", *case.args]
    if case.output:
        (out_dir / case.name).mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        cmd, cwd=workdir, env=_env(), stdin=subprocess.DEVNULL, capture_output=True, timeout=300, check=False
    )
    stdout, stderr = normalise(proc.stdout), progress_in_order(normalise(proc.stderr))
    record = [
        b"$ mappa-stats " + shlex.join(case.args).encode() + b"\n",
        b"exit: %d\n" % proc.returncode,
        b"--- stdout (%d bytes) ---\n" % len(stdout) + stdout + b"\n",
        b"--- stderr (%d bytes) ---\n" % len(stderr) + stderr + b"\n",
    ]
    if case.output:
        target = out_dir / case.name / case.output
        if not target.exists():
            record.append(b"--- file " + case.output.encode() + b": not written ---\n")
        elif zipfile.is_zipfile(target):
            record.append(
                b"--- file " + case.output.encode() + b" (zip, canonical) ---\n" + canonical_zip(target)
            )
        else:
            data = normalise(target.read_bytes())
            record.append(b"--- file %s (%d bytes) ---\n" % (case.output.encode(), len(data)) + data)
        leftovers = sorted(p.name for p in (out_dir / case.name).iterdir() if p.name != case.output)
        if leftovers:
            record.append(b"\n--- left in the output folder: " + ", ".join(leftovers).encode() + b" ---\n")
    return b"".join(record)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="re-record the expected outputs")
    mode.add_argument("--check", action="store_true", help="compare every case with its expected output")
    parser.add_argument("--only", help="run only the cases whose name contains this")
    parser.add_argument("--show", type=int, default=3, help="differences to show as a diff (default 3)")
    args = parser.parse_args(argv)
    all_cases = cases()
    names = [c.name for c in all_cases]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise SystemExit(f"duplicate case names: {sorted(dupes)}")
    chosen = [c for c in all_cases if not args.only or args.only in c.name]
    out_dir = INPUTS / OUT
    shutil.rmtree(out_dir, ignore_errors=True)
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(lambda c: run(c, INPUTS), chosen))
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)
    if args.write:
        EXPECTED.mkdir(parents=True, exist_ok=True)
        if not args.only:
            for stale in EXPECTED.glob("*.txt"):
                if stale.stem not in names:
                    stale.unlink()
        for case, record in zip(chosen, results, strict=True):
            (EXPECTED / f"{case.name}.txt").write_bytes(record)
        print(f"{len(chosen)} cases written to {EXPECTED.relative_to(ROOT)}")
        return 0
    differ = []
    for case, record in zip(chosen, results, strict=True):
        path = EXPECTED / f"{case.name}.txt"
        expected = path.read_bytes() if path.exists() else None
        if expected != record:
            differ.append((case, expected, record))
    for case, expected, record in differ[: args.show]:
        old = (expected or b"").decode("utf-8", "replace").splitlines(keepends=True)
        new = record.decode("utf-8", "replace").splitlines(keepends=True)
        label = f"expected/{case.name}.txt" + ("" if expected is not None else " (missing)")
        sys.stdout.writelines(difflib.unified_diff(old, new, label, f"actual/{case.name}", n=2))
        print()
    if differ:
        names_differ = ", ".join(c.name for c, _, _ in differ)
        print(f"{len(chosen)} cases, {len(differ)} differ: {names_differ}")
        return 1
    print(f"{len(chosen)} cases, all equal")
    return 0


if __name__ == "__main__":
    sys.exit(main())
