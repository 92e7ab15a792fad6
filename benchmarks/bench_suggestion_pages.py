"""The suggestions page on a large study (#15): 28 transcripts, 20,000 pending suggestions.

Builds the project (transcripts from bench_web's generator, suggestions stored directly as codings of origin
'suggested'), starts the workspace on a loopback port and times the first, a middle and the last page of
/queue (50 suggestions each), plus the size of the HTML.

    python benchmarks/bench_suggestion_pages.py
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_web import build_many, serve  # noqa: E402

from bctcoder.project import Project  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.bctcoder"
        names = build_many(path, 28, 3_000, 5)
        rng = random.Random(5)
        with Project.open(path, user="bench") as p:
            codes = [t["id"] for t in p.techniques()]
            lengths = {n: len(p.document_text(n)) for n in names}
            rows = ["document,code,coder,start,end,origin,confidence"]
            for i in range(20_000):
                name = names[i % len(names)]
                start = rng.randint(0, lengths[name] - 80)
                rows.append(f"{name},{rng.choice(codes)},model,{start},{start + rng.randint(20, 70)},suggested,"
                            f"{rng.random():.3f}")
            (Path(tmp) / "s.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
            p.import_codings(Path(tmp) / "s.csv")
            total = len(p.suggestions())
        server, base, _ = serve(path)
        with httpx.Client(base_url=base, timeout=60) as client:
            page = client.get("/?token=bench").text
            token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
            client.post("/login/token", data={"token": "bench", "name": "bench", "next": "/", "csrf_token": token})
            pages = -(-total // 50)
            for label, number in (("first", 1), ("middle", pages // 2), ("last", pages)):
                times = []
                for _ in range(5):
                    t0 = time.perf_counter()
                    r = client.get("/queue", params={"page": number})
                    times.append(1000 * (time.perf_counter() - t0))
                    assert r.status_code == 200, r.text[:200]
                print(f"{label:<7} page {number:>4} of {pages}: median {statistics.median(times):6.1f} ms, "
                      f"max {max(times):6.1f} ms, {len(r.content) / 1024:.0f} KiB")
        server.should_exit = True
        print(f"{total} pending suggestions over {len(names)} transcripts")


if __name__ == "__main__":
    main()
