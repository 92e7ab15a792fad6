// bctcoder workspace: selection → technique picker → coding; edit, suggestions, undo.
// Offsets sent to the server are Unicode code points, counted from each segment's data-start.
"use strict";

(function () {
  const csrf = () => document.querySelector('meta[name="csrf-token"]').content;

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  // A busy project (another coder saving, an import running) answers 503 with Retry-After: wait and try
  // again by ourselves, telling the coder, up to about a minute. Every other error is shown as it is.
  async function api(method, url, body) {
    for (let attempt = 0; ; attempt++) {
      const response = await fetch(url, {
        method,
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "same-origin",
      });
      const data = await response.json().catch(() => ({}));
      if (response.status === 503 && attempt < 12) {
        const wait = Math.min(10, Number(response.headers.get("Retry-After")) || 2);
        status(`The project is busy (another change is being saved); trying again in ${wait} s…`, false);
        await sleep(wait * 1000);
        continue;
      }
      if (response.status === 401) {
        window.location.href = "/login?next=" + encodeURIComponent(window.location.pathname);
      }
      if (!response.ok) {
        const failure = new Error(data.error || data.detail || response.statusText);
        if (data.current) { failure.current = data.current; failure.yours = data.yours; }
        throw failure;
      }
      return data;
    }
  }

  function status(message, isError) {
    const el = document.getElementById("status");
    if (!el) return;
    el.textContent = message;
    el.className = isError ? "error" : "ok";
  }

  function reloadKeepingScroll() {
    sessionStorage.setItem("bctcoder-scroll", String(window.scrollY));
    window.location.reload();
  }

  // Taxonomy page filter
  const filter = document.getElementById("taxonomy-filter");
  if (filter) {
    filter.addEventListener("input", () => {
      const q = filter.value.trim().toLowerCase();
      document.querySelectorAll("tr[data-search]").forEach((row) => {
        row.hidden = q !== "" && !row.dataset.search.includes(q);
      });
    });
  }

  const transcript = document.getElementById("transcript");
  if (!transcript) return;
  const saved = sessionStorage.getItem("bctcoder-scroll");
  if (saved !== null) { window.scrollTo(0, Number(saved)); sessionStorage.removeItem("bctcoder-scroll"); }

  const doc = JSON.parse(document.getElementById("doc-data").textContent);
  const codings = JSON.parse(document.getElementById("codings-data").textContent);
  const picker = document.getElementById("picker");
  const input = document.getElementById("picker-input");
  const list = document.getElementById("picker-list");
  const editor = document.getElementById("editor");
  let pending = null;      // {start, end} of the selection being coded, or {change: id}
  let current = null;      // the coding open in the editor
  let matches = [];
  let active = 0;

  const codePoints = (s) => Array.from(s).length;

  // A DOM position (node, offset in UTF-16 units) → code-point offset in the document.
  function toOffset(node, offset) {
    let el = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
    if (el && !el.classList.contains("seg")) {
      const seg = el.closest ? el.closest(".seg") : null;
      if (seg) el = seg;
      else if (node.childNodes && node.childNodes[offset]) {
        const child = node.childNodes[offset];
        el = child.classList && child.classList.contains("seg") ? child : null;
        if (el) return Number(el.dataset.start);
      }
    }
    if (!el || !el.classList.contains("seg")) return null;
    const text = node.nodeType === Node.TEXT_NODE ? node.data.slice(0, offset) : "";
    return Number(el.dataset.start) + codePoints(text);
  }

  function selectionRange() {
    const sel = window.getSelection();
    if (!sel || sel.isCollapsed || sel.rangeCount === 0) return null;
    const range = sel.getRangeAt(0);
    if (!transcript.contains(range.commonAncestorContainer)) return null;
    let start = toOffset(range.startContainer, range.startOffset);
    let end = toOffset(range.endContainer, range.endOffset);
    if (start === null || end === null || end <= start) return null;
    // trim surrounding whitespace, as coders expect
    const text = sel.toString();
    const lead = codePoints(text) - codePoints(text.replace(/^\s+/, ""));
    const trail = codePoints(text) - codePoints(text.replace(/\s+$/, ""));
    start += lead; end -= trail;
    return end > start ? { start, end, text: text.trim() } : null;
  }

  function search(q) {
    q = q.trim().toLowerCase();
    if (!q) return doc.codes.slice(0, 12);
    const exact = doc.codes.filter((c) => String(c.id).toLowerCase() === q);
    const prefix = doc.codes.filter((c) => String(c.id).toLowerCase().startsWith(q) && !exact.includes(c));
    const words = q.split(/\s+/);
    const text = doc.codes.filter((c) => !exact.includes(c) && !prefix.includes(c) && words.every((w) =>
      (c.label + " " + c.description + " " + (c.cues || []).join(" ") + " " + (c.group || "")).toLowerCase().includes(w)));
    return exact.concat(prefix, text).slice(0, 12);
  }

  function renderList() {
    list.innerHTML = "";
    matches.forEach((c, i) => {
      const li = document.createElement("li");
      li.setAttribute("role", "option");
      li.className = i === active ? "active" : "";
      li.innerHTML = "<b></b> <span></span>";
      li.querySelector("b").textContent = c.id;
      li.querySelector("span").textContent = c.label + (c.group ? " · " + c.group : "");
      li.addEventListener("mousedown", (e) => { e.preventDefault(); choose(c); });
      list.appendChild(li);
    });
  }

  function openPicker(target) {
    pending = target;
    picker.hidden = false;
    input.value = "";
    active = 0;
    matches = search("");
    renderList();
    input.focus();
  }

  function closePicker() { picker.hidden = true; pending = null; }

  async function choose(code) {
    const target = pending;
    closePicker();
    if (!target || !code) return;
    try {
      if (target.change !== undefined) {
        const c = codings[target.change];
        if (c && c.origin === "suggested") await api("POST", `/api/suggestions/${c.id}/change?code=${encodeURIComponent(code.id)}`);
        else await api("PATCH", `/api/codings/${target.change}`, { code: code.id });
      } else {
        await api("POST", "/api/codings", { document: doc.document, start: target.start, end: target.end, code: code.id });
      }
      status(`Coded ${code.id} ${code.label}`);
      reloadKeepingScroll();
    } catch (err) { status(err.message, true); }
  }

  input.addEventListener("input", () => { active = 0; matches = search(input.value); renderList(); });
  input.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown") { active = Math.min(active + 1, matches.length - 1); renderList(); e.preventDefault(); }
    else if (e.key === "ArrowUp") { active = Math.max(active - 1, 0); renderList(); e.preventDefault(); }
    else if (e.key === "Enter") { e.preventDefault(); choose(matches[active]); }
    else if (e.key === "Escape") { closePicker(); }
  });

  // Selecting text with the mouse or the keyboard: the first typed character opens the picker.
  document.addEventListener("keydown", (e) => {
    if (!doc.canWrite) return;
    const typing = e.target.closest && e.target.closest("input, textarea, select");
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "z" && !typing) {
      e.preventDefault();
      api("POST", "/api/undo").then((r) => { status("Undid: " + r.description); reloadKeepingScroll(); })
        .catch((err) => status(err.message, true));
      return;
    }
    if (typing || !picker.hidden || e.ctrlKey || e.metaKey || e.altKey) return;
    if (current && !editor.hidden) {
      if (current.origin === "suggested" && (e.key === "a" || e.key === "r")) {
        e.preventDefault(); review(e.key === "a" ? "accept" : "reject"); return;
      }
      if (e.key === "c") { e.preventDefault(); const id = current.id; closeEditor(); openPicker({ change: id }); return; }
      if (e.key === "Escape") { closeEditor(); return; }
    }
    const range = selectionRange();
    if (range && e.key.length === 1) {
      e.preventDefault();
      openPicker(range);
      input.value = e.key;
      matches = search(input.value);
      renderList();
    } else if (range && e.key === "Enter") {
      e.preventDefault(); openPicker(range);
    }
  });

  transcript.addEventListener("mouseup", () => {
    const range = selectionRange();
    if (range && doc.canWrite) status(`Selected ${range.end - range.start} characters: type a technique number or words`);
  });

  // Editing an existing coding or reviewing a suggestion
  function openEditor(id) {
    current = codings[id];
    if (!current) return;
    editor.hidden = false;
    document.getElementById("editor-title").textContent =
      `${current.code} ${current.code_label} — ${current.coder} (${current.origin}` +
      (current.confidence !== null && current.confidence !== undefined ? `, ${Math.round(current.confidence * 100)}%` : "") + ")";
    document.getElementById("editor-quote").textContent = current.quote;
    document.getElementById("editor-memo").value = current.memo || "";
    document.getElementById("editor-exemplar").checked = !!current.exemplar;
    const suggested = current.origin === "suggested";
    document.getElementById("editor-accept").hidden = !suggested;
    document.getElementById("editor-reject").hidden = !suggested;
    document.getElementById("editor-conflict").hidden = true;
    const history = document.getElementById("editor-history");
    history.open = false;
    document.getElementById("editor-history-list").replaceChildren();
  }

  // Who created, changed, accepted or adjudicated this coding (read from the event log when opened)
  document.getElementById("editor-history").addEventListener("toggle", async (event) => {
    if (!event.target.open || !current) return;
    const list = document.getElementById("editor-history-list");
    try {
      const data = await api("GET", `/api/codings/${current.id}/history`);
      list.replaceChildren(...data.history.map((h) => {
        const item = document.createElement("li");
        item.textContent = `${h.at.replace("T", " ")} ${h.user}: ${h.what}` + (h.details ? ` — ${h.details}` : "");
        return item;
      }));
    } catch (error) {
      status(error.message, true);
    }
  });
  function closeEditor() { editor.hidden = true; current = null; }

  async function review(decision) {
    if (!current) return;
    try { await api("POST", `/api/suggestions/${current.id}/${decision}`); status(decision + "ed"); reloadKeepingScroll(); }
    catch (err) { status(err.message, true); }
  }

  transcript.addEventListener("click", (e) => {
    if (!window.getSelection().isCollapsed) return;
    const seg = e.target.closest(".seg.coded");
    if (seg) openEditor(seg.dataset.codings.split(",").pop());
  });
  document.querySelectorAll(".margin .label").forEach((li) => {
    li.addEventListener("click", () => openEditor(li.dataset.id));
    li.addEventListener("keydown", (e) => { if (e.key === "Enter") openEditor(li.dataset.id); });
  });
  document.getElementById("editor-close").addEventListener("click", closeEditor);
  document.getElementById("editor-accept").addEventListener("click", () => review("accept"));
  document.getElementById("editor-reject").addEventListener("click", () => review("reject"));
  document.getElementById("editor-change").addEventListener("click", () => { const id = current.id; closeEditor(); openPicker({ change: id }); });
  document.getElementById("editor-save").addEventListener("click", async () => {
    try {
      await api("PATCH", `/api/codings/${current.id}`, {
        memo: document.getElementById("editor-memo").value,
        exemplar: document.getElementById("editor-exemplar").checked,
        version: current.version,
      });
      reloadKeepingScroll();
    } catch (err) {
      if (err.current) {   // someone saved this coding since it was opened: show both versions, keep the typing
        const theirs = err.current;
        document.getElementById("editor-conflict").hidden = false;
        document.getElementById("editor-conflict-text").textContent =
          `Changed meanwhile (now version ${theirs.version}, by ${theirs.coder}): memo “${theirs.memo || ""}”, ` +
          `exemplar ${theirs.exemplar ? "yes" : "no"}. Yours (not saved): memo “${err.yours.memo || ""}”, ` +
          `exemplar ${err.yours.exemplar ? "yes" : "no"}. Save again to replace theirs.`;
        current.version = theirs.version;
      }
      status(err.message, true);
    }
  });
  document.getElementById("editor-delete").addEventListener("click", async () => {
    try { await api("DELETE", `/api/codings/${current.id}`); reloadKeepingScroll(); }
    catch (err) { status(err.message, true); }
  });
})();
