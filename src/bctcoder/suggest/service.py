"""Suggestions inside a project: train on its codings, suggest for passages, accept, reject, queue, uncovered.

Suggestions are codings with origin ``suggested`` by the coder ``bctcoder-suggest``, with the model that made
them and a confidence; they never count in tables or agreement. Accepting one turns it into an ``accepted``
coding of the person who accepted it; rejecting keeps it as ``rejected`` so it is never suggested again and
its passage teaches the model what is *not* a technique. The model is refitted on the project's current
codings every time suggestions are made, so each accept and reject counts from the next run on.
"""

from __future__ import annotations

import hashlib
import json
import threading
import warnings
from typing import Any, Callable, Iterable

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from bctcoder.analysis.evidence import Scope, load_evidence
from bctcoder.coding.events import log_event
from bctcoder.coding.service import get_coder
from bctcoder.errors import BctcoderError, InputError
from bctcoder.store.models import COUNTING_ORIGINS, Code, Coding, Document, PassageEmbedding
from bctcoder.suggest import registry
from bctcoder.suggest.base import LabelInfo
from bctcoder.suggest.passages import Passage, passages
from bctcoder.taxonomy.service import get_meta

SUGGEST_CODER = "bctcoder-suggest"
NONE_LABEL = "(none)"


class ProjectEmbeddingCache:
    """Embeddings cached in the project database, keyed by model and text hash."""

    def __init__(self, session: Session):
        self.session = session

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def get_many(self, model: str, texts) -> dict[str, np.ndarray]:
        keys = {self._key(t): t for t in texts}
        out = {}
        items = list(keys)
        for i in range(0, len(items), 500):
            rows = self.session.execute(select(PassageEmbedding.text_sha256, PassageEmbedding.vector).where(
                PassageEmbedding.model == model, PassageEmbedding.text_sha256.in_(items[i:i + 500])))
            for key, blob in rows:
                out[keys[key]] = np.frombuffer(blob, dtype=np.float32)
        return out

    def put_many(self, model: str, vectors: dict[str, np.ndarray]) -> None:
        for text, vector in vectors.items():
            key = self._key(text)
            if self.session.get(PassageEmbedding, (model, key)) is None:
                self.session.add(PassageEmbedding(model=model, text_sha256=key, dimension=int(vector.shape[0]),
                                                  vector=np.asarray(vector, dtype=np.float32).tobytes()))
        self.session.flush()


def labels_info(session: Session) -> list[LabelInfo]:
    """LabelInfo for every technique of the project (with the official definition when imported)."""
    out = []
    for code in session.scalars(select(Code).where(Code.kind == "technique").order_by(Code.id)):
        cues = tuple(json.loads(code.cues)) if code.cues else ()
        out.append(LabelInfo(code.number, code.label, code.description, cues, code.official_definition))
    return out


def default_suggester(session: Session) -> str:
    """The project's chosen suggester, else the best one installed."""
    from bctcoder.suggest.embedders import suggest_extra_installed

    chosen = get_meta(session, "suggester")
    if chosen:
        return chosen
    return registry.DEFAULT if suggest_extra_installed() else registry.FALLBACK


def training_examples(session: Session) -> tuple[list[str], list[str], list[str]]:
    """(texts, labels, documents) from counting codings of techniques, plus rejected-only passages as
    examples of "(none)" (no technique)."""
    evidence = load_evidence(session, Scope())
    texts_by_doc = {}
    texts, labels, groups = [], [], []
    tech = dict(session.execute(select(Code.id, Code.number).where(Code.kind == "technique")).all())
    for row in evidence.itertuples():
        if row.document_id not in texts_by_doc:
            texts_by_doc[row.document_id] = session.get(Document, row.document_id).text
        texts.append(texts_by_doc[row.document_id][row.start:row.end])
        labels.append(tech[row.code_id])
        groups.append(row.document)
    coded = {(r.document_id, r.start, r.end) for r in evidence.itertuples()}
    rejected = session.execute(select(Coding.document_id, Coding.start, Coding.end).where(
        Coding.origin == "rejected").distinct()).all()
    for doc_id, start, end in rejected:
        if (doc_id, start, end) in coded:
            continue
        if doc_id not in texts_by_doc:
            texts_by_doc[doc_id] = session.get(Document, doc_id).text
        texts.append(texts_by_doc[doc_id][start:end])
        labels.append(NONE_LABEL)
        groups.append(str(doc_id))
    return texts, labels, groups


class FittedModels:
    """Keeps the last fitted suggester (and the loaded embedding model) of a long-running process.

    A fitted suggester is reused while the training data it was fitted on (passages, labels, documents,
    label texts) and its name are unchanged; any accept, reject or new coding changes the fingerprint and
    refits. The web workspace keeps one per app, so opening the queue does not refit on every page view.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[str, str] | None = None
        self._model = None
        self.embedder = None
        self.fits = 0

    def get(self, name: str, fingerprint: str, fit: Callable[[Any], Any]):
        """The cached model for (name, fingerprint), else ``fit(embedder)``'s result (then cached)."""
        with self._lock:
            if self._key == (name, fingerprint):
                return self._model
            model = fit(self.embedder)
            self._key, self._model = (name, fingerprint), model
            self.embedder = getattr(model, "_embedder", None) or self.embedder
            self.fits += 1
            return model


def _fingerprint(name: str, texts, labels, groups, info: list[LabelInfo]) -> str:
    digest = hashlib.sha256(name.encode())
    for part in (texts, labels, groups, [repr(i) for i in info]):
        digest.update(json.dumps(list(part), ensure_ascii=False).encode())
    return digest.hexdigest()


def fitted_suggester(session: Session, name: str | None = None, models: FittedModels | None = None):
    """A suggester trained on the project's current codings (embeddings cached in the project); with
    ``models``, reused while the training data are unchanged."""
    name = name or default_suggester(session)
    texts, labels, groups = training_examples(session)
    info = labels_info(session)

    def fit(embedder):
        suggester = registry.create(name)
        if getattr(suggester, "needs_embeddings", False) and embedder is not None:
            suggester._embedder = embedder
        _bind_cache(suggester, session)
        with warnings.catch_warnings():   # few codings of many techniques are expected, not a mistake
            warnings.filterwarnings("ignore", message="The number of unique classes is greater than 50%")
            suggester.fit(texts, labels, info, groups)
        suggester.n_training_examples = len(texts)
        return suggester

    if models is None:
        return fit(None)
    suggester = models.get(name, _fingerprint(name, texts, labels, groups, info), fit)
    _bind_cache(suggester, session)   # a reused model writes new embeddings through this session
    return suggester


def _bind_cache(suggester, session: Session) -> None:
    if getattr(suggester, "needs_embeddings", False):
        suggester._cache = ProjectEmbeddingCache(session)


def _covered(session: Session, documents: set[int]) -> dict[int, list[tuple[int, int]]]:
    spans: dict[int, list[tuple[int, int]]] = {}
    for doc_id, start, end in session.execute(select(Coding.document_id, Coding.start, Coding.end).where(
            Coding.origin.in_(COUNTING_ORIGINS), Coding.document_id.in_(documents))):
        spans.setdefault(doc_id, []).append((start, end))
    return spans


def uncoded_passages(session: Session, documents: Iterable[str] | None = None, mode: str = "sentence"
                     ) -> list[Passage]:
    """Interviewee passages that no counting coding overlaps."""
    items = passages(session, documents=documents, mode=mode)
    covered = _covered(session, {p.document_id for p in items})
    return [p for p in items if not any(a < p.end and p.start < b for a, b in covered.get(p.document_id, []))]


def suggest(session: Session, user: str, *, documents: Iterable[str] | None = None, top_k: int = 3,
            min_confidence: float = 0.0, suggester: str | None = None, mode: str = "sentence",
            models: FittedModels | None = None) -> dict[str, Any]:
    """Suggest the top-k techniques for every uncoded interviewee passage; replaces pending suggestions."""
    if top_k < 1:
        raise InputError("--top-k must be at least 1", source="--top-k")
    if not 0.0 <= min_confidence <= 1.0:
        raise InputError("--min-confidence must be between 0 and 1", source="--min-confidence")
    model = fitted_suggester(session, suggester, models)
    items = uncoded_passages(session, documents, mode)
    doc_ids = {p.document_id for p in items} or {-1}
    for old in session.scalars(select(Coding).where(Coding.origin == "suggested", Coding.document_id.in_(doc_ids))):
        session.delete(old)
    session.flush()
    rejected = set(session.execute(select(Coding.document_id, Coding.start, Coding.end, Coding.code_id).where(
        Coding.origin == "rejected")).all())
    codes = dict(session.execute(select(Code.number, Code.id).where(Code.kind == "technique")).all())
    coder = get_coder(session, SUGGEST_CODER)
    model_name = model.name
    embedder = getattr(model, "_embedder", None)
    if embedder is not None:
        model_name += f" ({embedder.name})"
    stored = 0
    if items:
        prediction = model.predict([p.text for p in items])
        for passage, ranked in zip(items, prediction.top_k(top_k + 1)):
            kept = 0
            for label, confidence in ranked:
                if label == NONE_LABEL or label not in codes or kept >= top_k:
                    continue
                kept += 1
                if confidence < min_confidence:
                    continue
                if (passage.document_id, passage.start, passage.end, codes[label]) in rejected:
                    continue
                session.add(Coding(document_id=passage.document_id, start=passage.start, end=passage.end,
                                   code_id=codes[label], coder_id=coder.id, origin="suggested",
                                   confidence=round(float(confidence), 4), model=model_name))
                stored += 1
    session.flush()
    log_event(session, user, "suggest.run", model=model_name, passages=len(items), suggestions=stored,
              top_k=top_k, min_confidence=min_confidence)
    return {"model": model_name, "passages": len(items), "suggestions": stored,
            "trained_on": model.n_training_examples}


def _select_suggestions(session: Session, ids: Iterable[int] | None, document: str | None,
                        min_confidence: float | None, all_: bool) -> list[Coding]:
    stmt = select(Coding).where(Coding.origin == "suggested")
    if ids:
        stmt = stmt.where(Coding.id.in_(list(ids)))
    if document:
        doc = session.scalar(select(Document).where(Document.name == document))
        if doc is None:
            raise InputError(f"no document {document!r}", source="--document")
        stmt = stmt.where(Coding.document_id == doc.id)
    if min_confidence is not None:
        stmt = stmt.where(Coding.confidence >= min_confidence)
    if not (ids or document or min_confidence is not None or all_):
        raise InputError("choose suggestions: ids, --document, --min-confidence or --all", source="suggestions")
    found = list(session.scalars(stmt.order_by(Coding.id)))
    if ids:
        missing = set(ids) - {c.id for c in found}
        if missing:
            raise BctcoderError(f"coding {min(missing)} is not a pending suggestion")
    return found


def review(session: Session, user: str, decision: str, *, ids: Iterable[int] | None = None,
           document: str | None = None, min_confidence: float | None = None, all_: bool = False,
           coder: str | None = None) -> dict[str, Any]:
    """Accept or reject pending suggestions; accepted ones become codings of ``coder`` (default: the user)."""
    if decision not in ("accept", "reject"):
        raise InputError("decision must be accept or reject", source="review")
    chosen = _select_suggestions(session, list(ids) if ids else None, document, min_confidence, all_)
    reviewer = get_coder(session, coder or user)
    for c in chosen:
        c.origin = "accepted" if decision == "accept" else "rejected"
        if decision == "accept":
            c.coder_id = reviewer.id
    session.flush()
    log_event(session, user, f"suggest.{decision}", codings=[c.id for c in chosen], coder=reviewer.name)
    return {decision + "ed": len(chosen), "ids": [c.id for c in chosen]}


def queue(session: Session, *, limit: int = 20, documents: Iterable[str] | None = None,
          suggester: str | None = None, mode: str = "sentence", models: FittedModels | None = None
          ) -> list[dict[str, Any]]:
    """Uncoded passages ordered by how unsure the model is (active learning: label these first)."""
    items = uncoded_passages(session, documents, mode)
    if not items:
        return []
    model = fitted_suggester(session, suggester, models)
    prediction = model.predict([p.text for p in items])
    uncertainty = prediction.uncertainty()
    order = np.argsort(-uncertainty, kind="stable")[:limit]
    top = prediction.top_k(3)
    return [{"document": items[i].document, "case": items[i].case, "start": items[i].start, "end": items[i].end,
             "uncertainty": round(float(uncertainty[i]), 4), "text": items[i].text,
             "candidates": [f"{label} ({p:.2f})" for label, p in top[i] if label != NONE_LABEL]}
            for i in order]


def pending(session: Session, *, documents: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Pending suggestions with their quotes, best first within each passage."""
    stmt = (select(Coding, Document.name, Document.text, Code.number, Code.label)
            .join(Document, Coding.document_id == Document.id).join(Code, Coding.code_id == Code.id)
            .where(Coding.origin == "suggested")
            .order_by(Document.name, Coding.start, Coding.confidence.desc()))
    if documents:
        stmt = stmt.where(Document.name.in_(list(documents)))
    return [{"id": c.id, "document": name, "start": c.start, "end": c.end, "code": number, "label": label,
             "confidence": c.confidence, "model": c.model, "quote": text[c.start:c.end]}
            for c, name, text, number, label in session.execute(stmt)]
