"""A team coding at once while an import runs (#14): SQLite and PostgreSQL side by side.

For each backend: a project of ``--transcripts`` transcripts, a server on a loopback port, ``--coders`` coders
signed in with their own accounts, each saving a coding, changing its memo (with the version it opened) and
now and then undoing, for ``--seconds`` seconds, while a command-line import of ``--import-codings`` codings
runs; the server runs in a process of its own, and each coder pauses ``--think`` seconds (default 1) after each
action, as a person does (``--think 0`` is a stress test). Afterwards every acknowledged write is checked in
the database: none lost, none twice. Printed: saves
per second, p50/p95/max save latency, the responses by status, and the import's duration.

    python benchmarks/bench_team.py                          # 20 coders, 60 s, 10,000 imported codings
    python benchmarks/bench_team.py --seconds 20 --coders 10 # a shorter run

PostgreSQL: ``BCTCODER_TEST_POSTGRES`` (default ``postgresql://postgres@127.0.0.1:5432``); a database is
created and dropped for the run. Loopback only; nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_web import WORDS, build_many  # noqa: E402

from bctcoder.project import Project  # noqa: E402

SERVER = os.environ.get("BCTCODER_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
PASSWORD = "bench-password-123"


def import_file(folder: Path, names: list[str], p: Project, n: int, seed: int = 9) -> Path:
    """A codings CSV of ``n`` codings by the coder 'importer' spread over every transcript."""
    rng = random.Random(seed)
    codes = [t["id"] for t in p.techniques()]
    texts = {name: len(p.document_text(name)) for name in names}
    rows = ["document,code,coder,start,end"]
    for i in range(n):
        name = names[i % len(names)]
        start = rng.randint(0, texts[name] - 60)
        rows.append(f"{name},{rng.choice(codes)},importer,{start},{start + rng.randint(10, 50)}")
    path = folder / "import.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def serve_process(url: str) -> tuple[subprocess.Popen, str]:
    """The workspace in a process of its own (as a real server runs), on a free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code = ("import uvicorn; from bctcoder.web.app import create_app; "
            f"uvicorn.run(create_app({url!r}, token='bench'), host='127.0.0.1', port={port}, log_level='warning')")
    process = subprocess.Popen([sys.executable, "-c", code])
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    return process, f"http://127.0.0.1:{port}"


def login(base: str, name: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=base, timeout=60)
    page = client.get("/login").text
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    r = client.post("/login", data={"name": name, "password": PASSWORD, "next": "/", "csrf_token": token})
    assert r.status_code in (200, 303), r.text[:300]
    html = client.get("/").text
    return client, html.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]


class Coder(threading.Thread):
    def __init__(self, base: str, name: str, names: list[str], lengths: dict[str, int], until: float, seed: int,
                 think: float = 1.0):
        super().__init__(daemon=True)
        self.think = think
        self.client, self.csrf = login(base, name)
        self.name_, self.names, self.lengths, self.until = name, names, lengths, until
        self.rng = random.Random(seed)
        self.saves: list[float] = []
        self.server: list[float] = []
        self.statuses: Counter[int] = Counter()
        self.acknowledged: list[int] = []

    def call(self, method: str, url: str, body: dict | None = None) -> httpx.Response:
        r = self.client.request(method, url, json=body, headers={"X-CSRF-Token": self.csrf})
        self.statuses[r.status_code] += 1
        return r

    def pause(self) -> None:
        if self.think:
            time.sleep(self.rng.uniform(0.5, 1.5) * self.think)

    def run(self) -> None:
        i = 0
        while time.monotonic() < self.until:
            doc = self.rng.choice(self.names)
            start = self.rng.randint(0, self.lengths[doc] - 60)
            t0 = time.perf_counter()
            r = self.call("POST", "/api/codings", {"document": doc, "start": start, "end": start + 30,
                                                  "code": self.rng.choice(["1.1", "3.1", "17.1", "5.1"])})
            self.saves.append(1000 * (time.perf_counter() - t0))
            if "server-timing" in r.headers:
                self.server.append(float(r.headers["server-timing"].split("dur=")[1]))
            self.pause()
            if r.status_code != 201:
                continue
            made = r.json()
            self.acknowledged.append(made["id"])
            self.call("PATCH", f"/api/codings/{made['id']}", {"memo": f"note {i} {self.rng.choice(WORDS)}",
                                                              "version": made["version"]})
            self.pause()
            if i % 5 == 4:
                self.call("POST", "/api/undo")        # undoes the memo change: the coding stays
                self.pause()
            i += 1


def run_backend(label: str, url: str, names: list[str], import_csv: Path, args: argparse.Namespace) -> str:
    with Project.open(url, user="owner") as p:
        for k in range(args.coders):
            p.access.add_user(f"coder{k:02d}", PASSWORD, "coder")
        lengths = {n: len(p.document_text(n)) for n in names}
        before = p.info()["codings"]
    server, base = serve_process(url)
    until = time.monotonic() + args.seconds
    coders = [Coder(base, f"coder{k:02d}", names, lengths, until, seed=k, think=args.think)
              for k in range(args.coders)]
    imported: dict[str, float] = {}

    def run_import() -> None:
        time.sleep(min(5.0, args.seconds / 4))
        t0 = time.perf_counter()
        with Project.open(url, user="importer") as q:
            q.import_codings(import_csv)
        imported["seconds"] = time.perf_counter() - t0

    importer = threading.Thread(target=run_import, daemon=True)
    for c in coders:
        c.start()
    importer.start()
    for c in coders:
        c.join()
    importer.join()
    server.terminate()
    server.wait(timeout=30)
    saves = sorted(s for c in coders for s in c.saves)
    server_times = sorted(s for c in coders for s in c.server)
    statuses: Counter[int] = sum((c.statuses for c in coders), Counter())
    acknowledged = [i for c in coders for i in c.acknowledged]
    with Project.open(url, user="owner") as p:
        stored = p.codings()
        after = p.info()["codings"]
    present = set(stored["id"])
    lost = [i for i in acknowledged if i not in present]
    by_coder = stored[stored["coder"].str.startswith("coder")].groupby("coder").size().to_dict()
    twice = sum(by_coder.get(c.name_, 0) - len(c.acknowledged) for c in coders)
    p95 = saves[math.ceil(0.95 * len(saves)) - 1]
    server_p95 = server_times[math.ceil(0.95 * len(server_times)) - 1] if server_times else float("nan")
    errors = sum(n for s, n in statuses.items() if s >= 500)
    return (f"{label:<11} {len(saves) / args.seconds:6.1f} saves/s  save p50 {statistics.median(saves):6.1f} ms  "
            f"p95 {p95:7.1f} ms  max {saves[-1]:7.1f} ms  (server p95 {server_p95:6.1f} ms)  5xx {errors}  "
            f"lost {len(lost)}  twice {twice}  "
            f"statuses {dict(sorted(statuses.items()))}  import of {args.import_codings} codings "
            f"{imported.get('seconds', float('nan')):.1f} s  codings {before} → {after}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--coders", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--import-codings", type=int, default=10_000)
    parser.add_argument("--transcripts", type=int, default=20)
    parser.add_argument("--think", type=float, default=1.0, help="seconds a coder pauses after each action")
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "team.bctcoder"
        names = build_many(path, args.transcripts, 1_000, 5)
        with Project.open(path, user="owner") as p:
            csv = import_file(folder, names, p, args.import_codings)
        template = folder / "template.bctcoder"
        path.rename(template)
        for backend in args.backends.split(","):
            if backend == "sqlite":
                url = str(folder / "sqlite.bctcoder")
                with Project.open(template, user="owner") as p:
                    p.copy_to(url)
                lines.append(run_backend("SQLite", url, names, csv, args))
            else:
                import psycopg

                name = "bench_" + uuid.uuid4().hex[:8]
                with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
                    admin.execute(f"CREATE DATABASE {name}")
                url = f"{SERVER.replace('postgresql://', 'postgresql+psycopg://')}/{name}"
                try:
                    with Project.open(template, user="owner") as p:
                        p.copy_to(url)
                    lines.append(run_backend("PostgreSQL", url, names, csv, args))
                finally:
                    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
                        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    print(f"{args.coders} coders pausing ~{args.think:g} s between actions, {args.seconds:.0f} s, an import of "
          f"{args.import_codings} codings in parallel")
    for line in lines:
        print(line)


if __name__ == "__main__":
    main()
