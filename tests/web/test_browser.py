"""A coder's session in a real browser (Playwright driving Debian's chromium, headless).

Sign in, open a transcript, select a passage, code it with the keyboard, see it in Table 2, reject a
suggestion, undo, sign out. Screenshots of the main pages go to docs/screenshots when
BCTCODER_SCREENSHOTS is set.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if not Path(CHROMIUM).exists():
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)

from bctcoder.project import Project  # noqa: E402
from bctcoder.web.app import create_app  # noqa: E402

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def server(tmp_path, demo_template):
    import uvicorn

    path = tmp_path / "browser.bctcoder"
    shutil.copy(demo_template, path)
    with Project.open(path, user="owner") as p:
        p.access.add_user("ann", "ann-password", "coder")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(create_app(path, token="tok"), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", path
    srv.should_exit = True
    thread.join(timeout=10)


def shot(page, name: str) -> None:
    if os.environ.get("BCTCODER_SCREENSHOTS"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def select_text(page, document_offset: int, length: int) -> None:
    """Select text starting at a code-point offset, as a mouse drag would."""
    page.evaluate("""([start, length]) => {
        const segs = [...document.querySelectorAll('#transcript .seg')];
        const seg = segs.filter(s => Number(s.dataset.start) <= start).pop();
        const node = seg.firstChild;
        const from = [...node.data].slice(0, start - Number(seg.dataset.start)).join('').length;
        const range = document.createRange();
        range.setStart(node, from);
        range.setEnd(node, Math.min(node.data.length, from + length));
        const sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(range);
    }""", [document_offset, length])


def test_code_a_passage_with_the_keyboard(server):
    url, path = server
    with Project.open(path) as p:
        text = p.document_text("Demo_SP3")
        before = p.codings(documents=["Demo_SP3"], coders=["ann"])
        pending = p.suggestions(["Demo_SP3"])
    assert before.empty and len(pending)
    turn = next(t for t in Project.open(path).turns("Demo_SP3") if t["is_interviewee"])
    start = turn["start"]
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url + "/")
        assert "/login" in page.url
        page.fill("#name", "ann")
        page.fill("#password", "ann-password")
        page.click("#signin")
        page.wait_for_selector("#documents")
        shot(page, "documents")
        page.click("text=Demo_SP3")
        page.wait_for_selector("#transcript")
        shot(page, "reading-view")
        select_text(page, start, 30)
        page.keyboard.type("17.5")
        page.wait_for_selector("#picker-list li.active")
        shot(page, "picker")
        page.keyboard.press("Enter")
        page.wait_for_selector(".margin .label.manual .coder:text-is('ann')")   # ann's own, after the reload
        with Project.open(path) as p:
            mine = p.codings(documents=["Demo_SP3"], coders=["ann"])
        assert list(mine["code"]) == ["17.5"]
        assert mine.iloc[0]["quote"] == text[start:start + 30].strip()
        # the owner changes ann's coding meanwhile: ann's Ctrl+Z is refused with a sentence, nothing undone
        with Project.open(path, user="owner") as p:
            p.update_coding(int(mine.iloc[0]["id"]), memo="checked by the owner")
        page.wait_for_load_state("networkidle")
        page.keyboard.press("Control+z")
        page.wait_for_selector("#status.error")
        assert "someone else has changed that coding" in page.inner_text("#status")
        shot(page, "undo-refused")
        with Project.open(path) as p:
            assert len(p.codings(documents=["Demo_SP3"], coders=["ann"])) == 1
        page.reload()
        page.wait_for_selector(".margin .label.suggested")
        # reject a suggestion with one key
        page.click(".margin .label.suggested >> nth=0")
        page.wait_for_selector("#editor:not([hidden])")
        page.keyboard.press("r")
        page.wait_for_load_state("networkidle")
        with Project.open(path) as p:
            assert len(p.codings(origins=["rejected"])) == 1
        # the new coding shows in Table 2
        page.goto(url + "/results/table2")
        row = page.locator("tr", has_text="Validating relationship")
        assert "Yes" in row.inner_text()
        shot(page, "table2")
        # agreement: the coders are chosen on the page
        page.goto(url + "/results/agreement")
        page.wait_for_selector("form.agreement-choice input[name=coders]")
        assert page.locator("text=Pooled agreement").count() >= 1
        shot(page, "agreement")
        page.goto(url + "/results")
        shot(page, "results")
        page.click("#logout")
        page.wait_for_url("**/login**")
        browser.close()
