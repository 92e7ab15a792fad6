"""Time every report on a large synthetic project (issue #3's speed target).

Builds (or reuses) a project of N transcripts of ~W words each and C codings spread over the BCTTv1 +
relational techniques and two coders, then builds and renders each report, printing wall time and the
process's peak memory.

    python benchmarks/bench_reports.py --out /tmp/bench.bctcoder            # 1,000 × 8,000 words, 200,000 codings
    python benchmarks/bench_reports.py --out /tmp/small.bctcoder --documents 50 --codings 5000
"""

from __future__ import annotations

import argparse
import hashlib
import random
import resource
import time
from pathlib import Path

from sqlalchemy import insert

from bctcoder.project import Project
from bctcoder.report.builders import REPORT_NAMES
from bctcoder.report.render import render
from bctcoder.store.models import Case, Code, Coder, Coding, Document, Turn

WORDS = ("support listen plan goal walk talk felt better week together hope group call phone practise step "
         "worry calm breathe routine friend family work sleep appointment medication diary notice change").split()


def build(path: Path, documents: int, words: int, codings: int, seed: int = 1) -> None:
    """Create the synthetic project with bulk inserts (one transaction)."""
    rng = random.Random(seed)
    project = Project.create(path, user="bench")
    with project.transaction() as s:
        code_ids = [c.id for c in s.query(Code).filter(Code.kind == "technique")]
        coders = []
        for name in ("coder_a", "coder_b"):
            coder = Coder(name=name)
            s.add(coder)
            s.flush()
            coders.append(coder.id)
        s.execute(insert(Case), [{"key": f"C{i:04d}", "role": "PW" if i % 2 else "SP"} for i in range(documents)])
        case_ids = [c.id for c in s.query(Case).order_by(Case.id)]
        docs, lengths = [], []
        for i in range(documents):
            turns, text = [], []
            pos = 0
            while sum(len(t.split()) for t in text) < words:
                speaker = "Interviewer" if len(turns) % 2 == 0 else f"C{i:04d}"
                utter = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 60)))
                line = f"{speaker}: {utter}"
                turns.append((pos + len(speaker) + 2, pos + len(line), speaker))
                text.append(line)
                pos += len(line) + 1
            body = "\n".join(text)
            docs.append({"name": f"C{i:04d}", "case_id": case_ids[i], "text": body, "source_format": "txt",
                         "sha256": hashlib.sha256(body.encode()).hexdigest(), "layout": "speaker_colon"})
            lengths.append((len(body), turns))
        s.execute(insert(Document), docs)
        doc_ids = [d.id for d in s.query(Document.id).order_by(Document.id)]
        s.execute(insert(Turn), [{"document_id": d, "start": a, "end": b, "speaker": sp,
                                  "is_interviewee": sp != "Interviewer"}
                                 for d, (_, turns) in zip(doc_ids, lengths) for a, b, sp in turns])
        rows = []
        for _ in range(codings):
            k = rng.randrange(documents)
            n = lengths[k][0]
            start = rng.randrange(0, n - 200)
            rows.append({"document_id": doc_ids[k], "start": start, "end": start + rng.randint(20, 200),
                         "code_id": rng.choice(code_ids), "coder_id": rng.choice(coders), "origin": "manual",
                         "exemplar": rng.random() < 0.01})
        for i in range(0, len(rows), 20000):
            s.execute(insert(Coding), rows[i:i + 20000])
    project.close()


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True, help="project file to build or reuse")
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--words", type=int, default=8000)
    parser.add_argument("--codings", type=int, default=200_000)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    if args.rebuild and args.out.exists():
        args.out.unlink()
    if not args.out.exists():
        t0 = time.perf_counter()
        build(args.out, args.documents, args.words, args.codings)
        print(f"built {args.out} ({args.out.stat().st_size / 2**20:.0f} MiB) in {time.perf_counter() - t0:.1f} s")
    with Project.open(args.out) as project:
        info = project.info()
        print(f"documents={info['documents']} codings={info['codings']} techniques={info['techniques']}")
        print(f"{'report':<10} {'build s':>8} {'render s':>9} {'peak MiB':>9}")
        for name in REPORT_NAMES:
            t0 = time.perf_counter()
            report = project.report(name)
            t1 = time.perf_counter()
            render(report, "json")
            t2 = time.perf_counter()
            print(f"{name:<10} {t1 - t0:8.2f} {t2 - t1:9.2f} {peak_mib():9.0f}")


if __name__ == "__main__":
    main()
