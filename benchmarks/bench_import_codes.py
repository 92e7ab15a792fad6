"""Time imports that create many codes (issue #13: lookups by index, not scans).

In a temporary folder, writes a REFI codebook (.qdc) of N codes (a few mapping to BCTTv1 techniques by number
or label, the rest new inductive codes nested two levels deep) and a codings CSV whose rows create M new
inductive codes, then imports each into a fresh project and prints wall time and SQL statements.

    python benchmarks/bench_import_codes.py                          # 20,000-code .qdc, 5,000 codes from CSV
    python benchmarks/bench_import_codes.py --qdc-codes 2000 --csv-codes 800
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import quoteattr

from sqlalchemy import event

from bctcoder.project import Project

TEXT = ("Interviewer: How did the week go?\nPW1: We walked together every morning and felt better.\n"
        "Interviewer: Anything else?\nPW1: I kept a diary of my sleep and my steps.\n")
TECHNIQUES = ["1.1 Goal setting (behavior)", "3.1 Social support (unspecified)", "Self-monitoring of behaviour",
              "Problem solving", "2.3"]


def write_qdc(path: Path, codes: int) -> None:
    """A codebook of ``codes`` codes: folders of 100 codes, each code with one child every tenth code."""
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             '<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="bench"><Codes>']
    made = 0
    folder = 0
    while made < codes:
        lines.append(f'<Code guid="{_guid(made)}" name="Theme {folder}" isCodable="false">')
        made += 1
        for i in range(min(99, codes - made)):
            name = TECHNIQUES[made % len(TECHNIQUES)] if made % 500 == 0 else f"Theme {folder} idea {i}"
            lines.append(f'<Code guid="{_guid(made)}" name={quoteattr(name)} isCodable="true">'
                         f"<Description>Idea {i} of theme {folder}.</Description>")
            made += 1
            if i % 10 == 0 and made < codes:
                lines.append(f'<Code guid="{_guid(made)}" name="Theme {folder} idea {i} detail" '
                             'isCodable="true"/>')
                made += 1
            lines.append("</Code>")
        lines.append("</Code>")
        folder += 1
    lines.append("</Codes></CodeBook>")
    path.write_text("\n".join(lines), encoding="utf-8")


def _guid(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def write_codings_csv(path: Path, codes: int) -> None:
    """One coding per new inductive code, located by offsets in the single transcript."""
    start = TEXT.index("We walked")
    rows = ["document,code,coder,start,end"]
    rows += [f"PW1,Reason {i},bench,{start},{start + 9}" for i in range(codes)]
    rows += [f"PW1,{ref},bench,{start},{start + 9}" for ref in ("1.1", "3.1", "Problem solving")]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def timed(project: Project, action) -> tuple[float, int, object]:
    """Seconds and SQL statements ``action()`` takes."""
    count = [0]

    def record(*_args) -> None:
        count[0] += 1

    event.listen(project.engine, "before_cursor_execute", record)
    try:
        t0 = time.perf_counter()
        result = action()
        return time.perf_counter() - t0, count[0], result
    finally:
        event.remove(project.engine, "before_cursor_execute", record)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--qdc-codes", type=int, default=20_000, help="codes in the .qdc codebook")
    parser.add_argument("--csv-codes", type=int, default=5_000, help="new codes the codings CSV creates")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        qdc, codings = folder / "codebook.qdc", folder / "codings.csv"
        write_qdc(qdc, args.qdc_codes)
        write_codings_csv(codings, args.csv_codes)
        (folder / "PW1.txt").write_text(TEXT, encoding="utf-8")
        (folder / "cases.csv").write_text("case,role\nPW1,PW\n", encoding="utf-8")
        print(f"{'import':<28} {'seconds':>8} {'statements':>11}  result")
        with Project.create(folder / "qdc.bctcoder", user="bench") as p:
            seconds, statements, result = timed(p, lambda: p.import_qdc(qdc))
            print(f"{f'.qdc, {args.qdc_codes:,} codes':<28} {seconds:8.2f} {statements:11,}  "
                  f"created {result['created_inductive']:,} inductive, mapped {len(result['mapped']):,}")
        with Project.create(folder / "csv.bctcoder", user="bench") as p:
            p.import_cases(folder / "cases.csv")
            p.import_transcripts([folder / "PW1.txt"])
            seconds, statements, result = timed(p, lambda: p.import_codings(codings))
            print(f"{f'codings CSV, {args.csv_codes:,} new codes':<28} {seconds:8.2f} {statements:11,}  "
                  f"added {result['added']:,} codings, {len(result['inductive_codes']):,} inductive codes")


if __name__ == "__main__":
    main()
