// Adjudication by keyboard: j/k move between cards, 1/2/b/n decide; the library records the decision.
(function () {
  const root = document.getElementById("adjudication");
  if (!root) return;
  const cards = [...root.querySelectorAll("section.card")];
  const csrf = () => document.querySelector('meta[name="csrf-token"]').content;
  let at = Math.max(0, cards.findIndex((c) => !c.classList.contains("decided")));
  const focus = (i) => { if (cards.length) { at = Math.min(cards.length - 1, Math.max(0, i)); cards[at].focus(); } };

  async function decide(card, decision) {
    const response = await fetch("/api/decisions", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
      body: JSON.stringify({ first: root.dataset.first, second: root.dataset.second,
                             document: card.dataset.document, code: card.dataset.code, decision }),
    });
    const data = await response.json().catch(() => ({}));
    const line = card.querySelector(".decision");
    if (!response.ok) { line.textContent = data.error || response.statusText; line.classList.add("error"); return; }
    card.classList.add("decided");
    const shown = { first: root.dataset.first, second: root.dataset.second }[decision] || decision;
    line.textContent = `Decided: ${shown} (${data.consensus_codings} consensus passage(s)) — just now`;
    focus(at + 1);
  }

  root.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-decision]");
    if (button) { at = cards.indexOf(button.closest("section.card")); decide(cards[at], button.dataset.decision); }
  });
  document.addEventListener("keydown", (event) => {
    if (event.target.matches("input, textarea, select")) return;
    const keys = { "1": "first", "2": "second", b: "both", n: "none" };
    if (event.key === "j") focus(at + 1);
    else if (event.key === "k") focus(at - 1);
    else if (keys[event.key] && cards[at]) decide(cards[at], keys[event.key]);
  });
  focus(at);
})();
