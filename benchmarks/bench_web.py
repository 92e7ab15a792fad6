"""Time the web workspace against a running server (issue #7's speed targets).

Builds a project with one 10,000-word transcript and 500 codings, starts the server on a free loopback port,
signs in with the access token and measures, over repeated requests, the server time (the ``Server-Timing``
header the app sets) and the wall time of: opening the reading view, and saving a coding.

    python benchmarks/bench_web.py                 # 20 page loads, 50 saves
"""

from __future__ import annotations

import argparse
import random
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn

from bctcoder.project import Project
from bctcoder.web.app import create_app

WORDS = ("support listen plan goal walk talk felt better week together hope group call phone practise step "
         "worry calm breathe routine friend family work sleep appointment medication diary notice change").split()


def build(path: Path, words: int, codings: int, seed: int = 3) -> None:
    rng = random.Random(seed)
    lines, count = [], 0
    while count < words:
        q = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))) + "?"
        a = ". ".join(" ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 16))) for _ in range(rng.randint(2, 6)))
        lines += [f"Interviewer: {q.capitalize()}", f"PW1: {a.capitalize()}."]
        count += len(q.split()) + len(a.split())
    folder = path.parent
    (folder / "cases.csv").write_text("case,role\nPW1,PW\n", encoding="utf-8")
    (folder / "PW1.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with Project.create(path, user="bench") as p:
        p.import_cases(folder / "cases.csv")
        p.import_transcripts([folder / "PW1.txt"])
        turns = [t for t in p.turns("PW1") if t["is_interviewee"]]
        codes = [t["id"] for t in p.techniques()]
        rows = ["document,code,coder,start,end"]
        for _ in range(codings):
            t = rng.choice(turns)
            a = rng.randint(t["start"], max(t["start"], t["end"] - 20))
            rows.append(f"PW1,{rng.choice(codes)},{rng.choice(['a', 'b'])},{a},{min(t['end'], a + rng.randint(15, 120))}")
        (folder / "codings.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
        p.import_codings(folder / "codings.csv")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--words", type=int, default=10_000)
    parser.add_argument("--codings", type=int, default=500)
    parser.add_argument("--loads", type=int, default=20)
    parser.add_argument("--saves", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "web.bctcoder"
        build(path, args.words, args.codings)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(create_app(path, token="bench"), host="127.0.0.1", port=port,
                                               log_level="warning"))
        threading.Thread(target=server.run, daemon=True).start()
        while not server.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base) as client:
            client.get("/?token=bench")
            html = client.get("/").text
            csrf = html.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
            text = Project.open(path).document_text("PW1")
            print(f"transcript: {len(text.split())} words, {args.codings} codings")
            page_server, page_wall = [], []
            for _ in range(args.loads):
                t0 = time.perf_counter()
                r = client.get("/documents/PW1")
                page_wall.append(1000 * (time.perf_counter() - t0))
                page_server.append(float(r.headers["server-timing"].split("dur=")[1]))
            save_server, save_wall = [], []
            for i in range(args.saves):
                t0 = time.perf_counter()
                r = client.post("/api/codings", json={"document": "PW1", "start": 100 + i, "end": 140 + i,
                                                      "code": "3.1"}, headers={"X-CSRF-Token": csrf})
                assert r.status_code == 201, r.text
                save_wall.append(1000 * (time.perf_counter() - t0))
                save_server.append(float(r.headers["server-timing"].split("dur=")[1]))
        server.should_exit = True
    for name, server_ms, wall_ms in (("open reading view", page_server, page_wall),
                                     ("save a coding", save_server, save_wall)):
        print(f"{name:<18} server median {statistics.median(server_ms):7.1f} ms  p95 "
              f"{sorted(server_ms)[int(0.95 * len(server_ms)) - 1]:7.1f} ms   wall median "
              f"{statistics.median(wall_ms):7.1f} ms")


if __name__ == "__main__":
    main()
