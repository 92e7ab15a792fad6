"""Time the web workspace against a running server (issue #7's speed targets, issue #11's statement bound).

Default mode: builds a project with one 10,000-word transcript and 500 codings, starts the server on a free
loopback port, signs in with the access token and measures, over repeated requests, the server time (the
``Server-Timing`` header the app sets) and the wall time of: opening the reading view, and saving a coding.

``--transcripts N``: builds a project with N unlinked transcripts of ``--words`` words each (default 1,000)
and ``--codings`` codings per transcript (default 5), then times the reading view (cycling over documents
across the project) and the document list.

Every mode also counts the SQL statements each request sends (an engine event on the app's project: the
server runs in a thread of this process), including the per-request session lookup.

    python benchmarks/bench_web.py                     # 20 page loads, 50 saves
    python benchmarks/bench_web.py --transcripts 500   # 500 transcripts: 20 reading views, 20 document lists
"""

from __future__ import annotations

import argparse
import math
import random
import shutil
import socket
import statistics
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from sqlalchemy import event

from bctcoder.project import Project
from bctcoder.web.app import create_app

WORDS = ("support listen plan goal walk talk felt better week together hope group call phone practise step "
         "worry calm breathe routine friend family work sleep appointment medication diary notice change").split()


def transcript(rng: random.Random, words: int, speaker: str) -> str:
    lines, count = [], 0
    while count < words:
        q = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))) + "?"
        a = ". ".join(" ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 16))) for _ in range(rng.randint(2, 6)))
        lines += [f"Interviewer: {q.capitalize()}", f"{speaker}: {a.capitalize()}."]
        count += len(q.split()) + len(a.split())
    return "\n".join(lines) + "\n"


def coding_rows(rng: random.Random, p: Project, name: str, codes: list[str], n: int) -> list[str]:
    turns = [t for t in p.turns(name) if t["is_interviewee"]]
    rows = []
    for _ in range(n):
        t = rng.choice(turns)
        a = rng.randint(t["start"], max(t["start"], t["end"] - 20))
        end = min(t["end"], a + rng.randint(15, 120))
        rows.append(f"{name},{rng.choice(codes)},{rng.choice(['a', 'b'])},{a},{end}")
    return rows


def build(path: Path, words: int, codings: int, seed: int = 3) -> None:
    """One case PW1 with one transcript of ``words`` words and ``codings`` codings."""
    rng = random.Random(seed)
    folder = path.parent
    (folder / "cases.csv").write_text("case,role\nPW1,PW\n", encoding="utf-8")
    (folder / "PW1.txt").write_text(transcript(rng, words, "PW1"), encoding="utf-8")
    with Project.create(path, user="bench") as p:
        p.import_cases(folder / "cases.csv")
        p.import_transcripts([folder / "PW1.txt"])
        codes = [t["id"] for t in p.techniques()]
        rows = ["document,code,coder,start,end"] + coding_rows(rng, p, "PW1", codes, codings)
        (folder / "codings.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
        p.import_codings(folder / "codings.csv")


def build_many(path: Path, transcripts: int, words: int, codings: int, seed: int = 3) -> list[str]:
    """``transcripts`` unlinked transcripts T0001… of ``words`` words, ``codings`` codings each; their names."""
    rng = random.Random(seed)
    folder = path.parent / "transcripts"
    folder.mkdir()
    names = [f"T{i:04d}" for i in range(1, transcripts + 1)]
    files = []
    for name in names:
        files.append(folder / f"{name}.txt")
        files[-1].write_text(transcript(rng, words, "PW1"), encoding="utf-8")
    with Project.create(path, user="bench") as p:
        p.import_transcripts(files, allow_unlinked=True)
        codes = [t["id"] for t in p.techniques()]
        rows = ["document,code,coder,start,end"]
        for name in names:
            rows += coding_rows(rng, p, name, codes, codings)
        (path.parent / "codings.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
        p.import_codings(path.parent / "codings.csv")
    shutil.rmtree(folder)
    return names


class Timed:
    """Server times, wall times and SQL statement counts of one kind of request."""

    def __init__(self, name: str, statements: list[str]):
        self.name, self.statements = name, statements
        self.server: list[float] = []
        self.wall: list[float] = []
        self.counts: list[int] = []
        self.last: list[str] = []

    def __call__(self, send: Any) -> httpx.Response:
        before = len(self.statements)
        t0 = time.perf_counter()
        r = send()
        self.wall.append(1000 * (time.perf_counter() - t0))
        self.counts.append(len(self.statements) - before)
        self.last = self.statements[before:]
        self.server.append(float(r.headers["server-timing"].split("dur=")[1]))
        return r

    def line(self) -> str:
        p95 = sorted(self.server)[math.ceil(0.95 * len(self.server)) - 1]   # nearest rank
        counts = f"{min(self.counts)}" if min(self.counts) == max(self.counts) else \
            f"{min(self.counts)}–{max(self.counts)}"
        return (f"{self.name:<20} server median {statistics.median(self.server):7.1f} ms  p95 {p95:7.1f} ms   "
                f"wall median {statistics.median(self.wall):7.1f} ms   SQL statements {counts}")


def serve(path: Path) -> tuple[uvicorn.Server, str, list[str]]:
    """Start the app on a free loopback port; the list every SQL statement it sends is appended to."""
    app = create_app(path, token="bench")
    statements: list[str] = []
    event.listen(app.state.project.engine, "before_cursor_execute",
                 lambda conn, cursor, statement, *rest: statements.append(statement))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}", statements


def many(args: argparse.Namespace) -> list[Timed]:
    words = args.words if args.words is not None else 1_000
    codings = args.codings if args.codings is not None else 5
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "web.bctcoder"
        t0 = time.perf_counter()
        names = build_many(path, args.transcripts, words, codings)
        info = Project.open(path).info()
        print(f"built in {time.perf_counter() - t0:.0f} s: {info['documents']} transcripts of ~{words} words, "
              f"{info['codings']} codings, {path.stat().st_size / 2**20:.0f} MiB")
        server, base, statements = serve(path)
        view, listing = Timed("open reading view", statements), Timed("document list", statements)
        with httpx.Client(base_url=base) as client:
            client.get("/?token=bench")
            client.get("/")
            step = max(1, len(names) // args.loads)
            for i in range(args.loads):
                name = names[(i * step + step // 2) % len(names)]   # spread over the whole project
                r = view(lambda name=name: client.get(f"/documents/{name}"))
                assert r.status_code == 200, r.text[:300]
                r = listing(lambda: client.get("/"))
                assert r.status_code == 200 and names[-1] in r.text, r.text[:300]
        server.should_exit = True
    return [view, listing]


def single(args: argparse.Namespace) -> list[Timed]:
    words = args.words if args.words is not None else 10_000
    codings = args.codings if args.codings is not None else 500
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "web.bctcoder"
        build(path, words, codings)
        server, base, statements = serve(path)
        page, save = Timed("open reading view", statements), Timed("save a coding", statements)
        with httpx.Client(base_url=base) as client:
            client.get("/?token=bench")
            html = client.get("/").text
            csrf = html.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
            text = Project.open(path).document_text("PW1")
            print(f"transcript: {len(text.split())} words, {codings} codings")
            for _ in range(args.loads):
                assert page(lambda: client.get("/documents/PW1")).status_code == 200
            for i in range(args.saves):
                body = {"document": "PW1", "start": 100 + i, "end": 140 + i, "code": "3.1"}
                r = save(lambda body=body: client.post("/api/codings", json=body, headers={"X-CSRF-Token": csrf}))
                assert r.status_code == 201, r.text
        server.should_exit = True
    return [page, save]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--transcripts", type=int, default=None,
                        help="build this many transcripts and time the reading view and the document list")
    parser.add_argument("--words", type=int, default=None,
                        help="words per transcript (default 10,000; 1,000 with --transcripts)")
    parser.add_argument("--codings", type=int, default=None,
                        help="codings (default 500; 5 per transcript with --transcripts)")
    parser.add_argument("--loads", type=int, default=20)
    parser.add_argument("--saves", type=int, default=50)
    parser.add_argument("--show-sql", action="store_true",
                        help="print the statements of the last request of each kind, grouped by text")
    args = parser.parse_args()
    results = many(args) if args.transcripts else single(args)
    for timed in results:
        print(timed.line())
    if args.show_sql:
        for timed in results:
            print(f"\n{timed.name}: {len(timed.last)} statements in its last request")
            for statement, n in Counter(" ".join(st.split()) for st in timed.last).most_common():
                print(f"{n:4d} × {statement[:150]}")


if __name__ == "__main__":
    main()
