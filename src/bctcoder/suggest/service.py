"""Suggestions inside a project: train on its codings, suggest for passages, accept, reject, queue, uncovered.

Suggestions are codings with origin ``suggested`` by the coder ``bctcoder-suggest``, with the model that made
them and a confidence; they never count in tables or agreement. Accepting one turns it into an ``accepted``
coding of the person who accepted it; rejecting keeps it as ``rejected`` so it is never suggested again and
its passage teaches the model what is *not* a technique. The model is refitted on the project's current
codings every time suggestions are made, so each accept and reject counts from the next run on.

Suggesters built for a transcript's previous turn (``lexical.v3``: :func:`~bctcoder.suggest.base.reads_turn_context`)
get every passage's context, the previous speaker turn (:mod:`bctcoder.suggest.passages`), both when trained on
the project's codings and when asked about uncoded passages; ``use_context=False`` leaves it out. ``ensemble.v1``
takes contexts on the corpora it was measured on but is not given turns it was never measured with.
"""

from __future__ import annotations

import hashlib
import json
import threading
import warnings
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any, Callable, ContextManager, Iterable, cast

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bctcoder.analysis.evidence import Scope, load_evidence
from bctcoder.coding.events import EventType, log_event
from bctcoder.coding.service import get_coder
from bctcoder.errors import BctcoderError, InputError
from bctcoder.store.models import COUNTING_ORIGINS, Code, Coding, Document, PassageEmbedding
from bctcoder.suggest import registry
from bctcoder.suggest.base import LabelInfo, Prediction, accepts_contexts, reads_turn_context
from bctcoder.suggest.multilabel import check_mode, suggestion_ranking
from bctcoder.suggest.passages import Passage, passages, span_contexts
from bctcoder.taxonomy.service import get_meta

SUGGEST_CODER = "bctcoder-suggest"
ReadSessions = Callable[[], ContextManager[Session]]
"""A factory of short read sessions, e.g. ``Project.reading``."""
NONE_LABEL = "(none)"


class ProjectEmbeddingCache:
    """Embeddings cached in the project database, keyed by model and text hash.

    Given a ``session``, new vectors are written through it. Given ``read`` (a factory of short read
    sessions) instead, lookups open a short read each and new vectors are only collected (``pending``), to be
    written later by :func:`store_embeddings` in a short write transaction, so that fitting and predicting —
    seconds to minutes — hold no database lock.
    """

    def __init__(self, session: Session | None = None, *, read: ReadSessions | None = None):
        if (session is None) == (read is None):
            raise ValueError("give a session or a read-session factory")
        self.session = session
        self.read = read
        self.pending: dict[tuple[str, str], np.ndarray] = {}

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def get_many(self, model: str, texts) -> dict[str, np.ndarray]:
        keys = {self._key(t): t for t in texts}
        out = {t: self.pending[(model, t)] for t in keys.values() if (model, t) in self.pending}
        items = list(keys)
        sessions: ContextManager[Session]
        if self.session is not None:
            sessions = nullcontext(self.session)
        else:
            assert self.read is not None  # __init__ requires a session or a read-session factory
            sessions = self.read()
        with sessions as session:
            for i in range(0, len(items), 500):
                rows = session.execute(select(PassageEmbedding.text_sha256, PassageEmbedding.vector).where(
                    PassageEmbedding.model == model, PassageEmbedding.text_sha256.in_(items[i:i + 500])))
                for key, blob in rows:
                    out[keys[key]] = np.frombuffer(blob, dtype=np.float32)
        return out

    def put_many(self, model: str, vectors: dict[str, np.ndarray]) -> None:
        if self.session is None:
            self.pending.update({(model, text): vector for text, vector in vectors.items()})
            return
        store_embeddings(self.session, {(model, text): vector for text, vector in vectors.items()})


def store_embeddings(session: Session, vectors: dict[tuple[str, str], np.ndarray]) -> int:
    """Write (model, text) → vector into the project's embedding cache; returns how many were new."""
    added = 0
    for (model, text), vector in vectors.items():
        key = ProjectEmbeddingCache._key(text)
        if session.get(PassageEmbedding, (model, key)) is None:
            session.add(PassageEmbedding(model=model, text_sha256=key, dimension=int(vector.shape[0]),
                                         vector=np.asarray(vector, dtype=np.float32).tobytes()))
            added += 1
    session.flush()
    return added


def labels_info(session: Session) -> list[LabelInfo]:
    """LabelInfo for every technique of the project (with the official definition when imported)."""
    out = []
    for code in session.scalars(select(Code).where(Code.kind == "technique").order_by(Code.id)):
        cues = tuple(json.loads(code.cues)) if code.cues else ()
        out.append(LabelInfo(cast(str, code.number), code.label, code.description, cues, code.official_definition))
    return out


def default_suggester(session: Session) -> str:
    """The project's chosen suggester, else the best one installed."""
    from bctcoder.suggest.embedders import suggest_extra_installed

    chosen = get_meta(session, "suggester")
    if chosen:
        return chosen
    return registry.DEFAULT if suggest_extra_installed() else registry.FALLBACK


def _document_text(session: Session, document_id: int) -> str:
    doc = session.get(Document, document_id)
    assert doc is not None  # ids taken from the project's own codings
    return doc.text


def training_examples(session: Session) -> tuple[list[str], list[str], list[str]]:
    """(texts, labels, documents) from counting codings of techniques, plus examples of "(none)" (no technique):
    rejected-only passages, and the uncoded interviewee sentences of documents the coders marked fully
    coded."""
    texts, labels, groups, _ = _training_rows(session)
    return texts, labels, groups


def training_examples_with_contexts(session: Session
                                    ) -> tuple[list[str], list[str], list[str], list[str | None]]:
    """:func:`training_examples` and each example's context (the previous turn, as passages get it)."""
    texts, labels, groups, spans = _training_rows(session)
    return texts, labels, groups, span_contexts(session, spans)


def _training_rows(session: Session) -> tuple[list[str], list[str], list[str], list[tuple[int, int]]]:
    evidence = load_evidence(session, Scope())
    texts_by_doc: dict[int, str] = {}
    texts: list[str] = []
    labels: list[str] = []
    groups: list[str] = []
    where: list[tuple[int, int]] = []     # (document id, start) of each example, for its context
    tech_rows = session.execute(select(Code.id, Code.number).where(Code.kind == "technique")).all()
    tech = cast(dict[int, str], dict(tech_rows))  # techniques always carry a number
    for row in evidence.itertuples():
        if row.document_id not in texts_by_doc:
            texts_by_doc[row.document_id] = _document_text(session, row.document_id)
        texts.append(texts_by_doc[row.document_id][row.start:row.end])
        labels.append(tech[row.code_id])
        groups.append(row.document)
        where.append((row.document_id, row.start))
    coded = {(r.document_id, r.start, r.end) for r in evidence.itertuples()}
    names = dict(session.execute(select(Document.id, Document.name)).all())
    rejected = session.execute(select(Coding.document_id, Coding.start, Coding.end).where(
        Coding.origin == "rejected").distinct()).all()
    for doc_id, start, end in rejected:
        if (doc_id, start, end) in coded:
            continue
        if doc_id not in texts_by_doc:
            texts_by_doc[doc_id] = _document_text(session, doc_id)
        texts.append(texts_by_doc[doc_id][start:end])
        labels.append(NONE_LABEL)
        groups.append(names[doc_id])
        where.append((doc_id, start))
    done = list(session.scalars(select(Document.name).where(Document.fully_coded.is_(True))))
    if done:
        spans: dict[str, list[tuple[int, int]]] = {}
        for r in evidence.itertuples():
            spans.setdefault(r.document, []).append((r.start, r.end))
        for p in passages(session, documents=done, mode="sentence"):
            if not any(a < p.end and p.start < b for a, b in spans.get(p.document, [])):
                texts.append(p.text)
                labels.append(NONE_LABEL)
                groups.append(p.document)
                where.append((p.document_id, p.start))
    return texts, labels, groups, where


class FittedModels:
    """Keeps the last fitted suggester (and the loaded embedding model) of a long-running process.

    A fitted suggester is reused while the training data it was fitted on (passages, labels, documents,
    label texts) and its name are unchanged; any accept, reject or new coding changes the fingerprint and
    refits. The web workspace keeps one per app, so opening the queue does not refit on every page view.
    """

    def __init__(self) -> None:
        self.lock = threading.RLock()   # held while fitting, and by callers while they predict
        self._key: tuple[str, str] | None = None
        self._model = None
        self.embedder = None
        self.fits = 0

    def get(self, name: str, fingerprint: str, fit: Callable[[Any], Any]):
        """The cached model for (name, fingerprint), else ``fit(embedder)``'s result (then cached)."""
        with self.lock:
            if self._key == (name, fingerprint):
                return self._model
            model = fit(self.embedder)
            self._key, self._model = (name, fingerprint), model
            self.embedder = getattr(model, "_embedder", None) or self.embedder
            self.fits += 1
            return model


@dataclass
class TrainingData:
    """Everything a suggester is fitted on, read from the project in one short read."""

    name: str
    texts: list[str]
    labels: list[str]
    groups: list[str]
    info: list[LabelInfo]
    contexts: list[str | None] | None = None    # None: the suggester is fitted without contexts

    def fingerprint(self) -> str:
        digest = hashlib.sha256(self.name.encode())
        for part in (self.texts, self.labels, self.groups, [repr(i) for i in self.info]):
            digest.update(json.dumps(list(part), ensure_ascii=False).encode())
        digest.update(json.dumps(self.contexts, ensure_ascii=False).encode())
        return digest.hexdigest()


def training_data(session: Session, name: str | None = None, use_context: bool = True) -> TrainingData:
    """The suggester name (the project's choice by default) and its training examples (with their contexts
    when ``use_context`` and the suggester takes them)."""
    name = name or default_suggester(session)
    if use_context and reads_turn_context(registry.create(name)):
        texts, labels, groups, contexts = training_examples_with_contexts(session)
        return TrainingData(name, texts, labels, groups, labels_info(session), contexts)
    texts, labels, groups = training_examples(session)
    return TrainingData(name, texts, labels, groups, labels_info(session))


def fit_suggester(data: TrainingData, models: FittedModels | None = None,
                  cache: ProjectEmbeddingCache | None = None):
    """Fit the suggester on ``data`` (no database session is held: embeddings go through ``cache``); with
    ``models``, reuse the last fit while the data are unchanged (hold ``models.lock`` while using it)."""

    def fit(embedder):
        suggester = registry.create(data.name)
        if getattr(suggester, "needs_embeddings", False) and embedder is not None:
            suggester._embedder = embedder
        _bind_cache(suggester, cache)
        with warnings.catch_warnings():   # few codings of many techniques are expected, not a mistake
            warnings.filterwarnings("ignore", message="The number of unique classes is greater than 50%")
            extra = {"contexts": data.contexts} if data.contexts is not None and accepts_contexts(
                suggester.fit) else {}
            suggester.fit(data.texts, data.labels, data.info, data.groups, **extra)
        suggester.n_training_examples = len(data.texts)
        return suggester

    if models is None:
        return fit(None)
    suggester = models.get(data.name, data.fingerprint(), fit)
    _bind_cache(suggester, cache)   # a reused model reads and writes embeddings through this call's cache
    return suggester


def _bind_cache(suggester, cache: ProjectEmbeddingCache | None) -> None:
    if getattr(suggester, "needs_embeddings", False) and cache is not None:
        suggester._cache = cache


def _covered(session: Session, documents: set[int]) -> dict[int, list[tuple[int, int]]]:
    spans: dict[int, list[tuple[int, int]]] = {}
    for doc_id, start, end in session.execute(select(Coding.document_id, Coding.start, Coding.end).where(
            Coding.origin.in_(COUNTING_ORIGINS), Coding.document_id.in_(documents))):
        spans.setdefault(doc_id, []).append((start, end))
    return spans


def _overlaps(passage: Passage, covered: dict[int, list[tuple[int, int]]]) -> bool:
    return any(a < passage.end and passage.start < b for a, b in covered.get(passage.document_id, []))


def uncoded_passages(session: Session, documents: Iterable[str] | None = None, mode: str = "sentence",
                     include_interviewer: bool = False) -> list[Passage]:
    """Interviewee passages (every speaker's with ``include_interviewer``) that no counting coding overlaps, in
    documents not marked fully coded (their uncoded passages are "no technique"; naming a document includes it)."""
    items = passages(session, documents=documents, mode=mode, interviewee_only=not include_interviewer)
    if documents is None:
        done = set(session.scalars(select(Document.id).where(Document.fully_coded.is_(True))))
        items = [p for p in items if p.document_id not in done]
    covered = _covered(session, {p.document_id for p in items})
    return [p for p in items if not _overlaps(p, covered)]


@dataclass
class SuggestionPlan:
    """What a suggest run computed in its read phase, before anything is written."""

    model_name: str
    passages: list[Passage]
    ranked: list[list[tuple[str, float]]]
    trained_on: int
    embeddings: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)
    thresholds: str = "none"    # the decision used: calibrated, global or none (top-k)
    note: str | None = None     # registry.calibration_note of a superseded suggester


def _check_options(top_k: int, min_confidence: float) -> None:
    if top_k < 1:
        raise InputError("--top-k must be at least 1", source="--top-k")
    if not 0.0 <= min_confidence <= 1.0:
        raise InputError("--min-confidence must be between 0 and 1", source="--min-confidence")


def _fit_and_predict(read: ReadSessions, data: TrainingData, texts: list[str], models: FittedModels | None,
                     cluster: ClusterOptions | None = None, contexts: list[str | None] | None = None):
    """Fit (or reuse) the suggester and predict ``texts`` (with their ``contexts`` when the model was fitted
    with contexts) with no session held (on a Dask cluster with ``cluster``); returns the model, the prediction
    (None without texts) and the new embeddings to store."""
    cache = ProjectEmbeddingCache(read=read)
    with models.lock if models is not None else nullcontext():
        model = fit_suggester(data, models, cache)
        if data.contexts is None or not accepts_contexts(model.predict):
            contexts = None            # trained without contexts: asked without them
        prediction: Prediction | None
        if texts and cluster is not None:
            from bctcoder.suggest.distributed import predict_on_cluster

            prediction = predict_on_cluster(model, texts, cluster.scheduler, batch_size=cluster.batch_size,
                                            progress=cluster.progress, contexts=contexts)
        elif texts:
            prediction = model.predict(texts, contexts=contexts) if contexts is not None else model.predict(texts)
        else:
            prediction = None
    return model, prediction, cache.pending


@dataclass
class ClusterOptions:
    """Where to score passages: a Dask scheduler address or ``local:N``, the batch size, a progress callback."""

    scheduler: str
    batch_size: int = 2_000
    progress: Callable[[int, int], None] | None = None


def plan_suggestions(read: ReadSessions, *, documents: Iterable[str] | None = None, top_k: int = 3,
                     min_confidence: float = 0.0, suggester: str | None = None, mode: str = "sentence",
                     models: FittedModels | None = None, include_interviewer: bool = False,
                     cluster: ClusterOptions | None = None, use_context: bool = True,
                     thresholds: str = "calibrated") -> SuggestionPlan:
    """Read phase of a suggest run (``Project.suggest``): fit (or reuse) the model and rank techniques for
    every uncoded interviewee passage (interviewer turns too with ``include_interviewer``), each with its
    previous turn as context when ``use_context``; ``thresholds`` chooses which (:mod:`.multilabel`). ``read()``
    gives short read sessions; none is held while fitting. Writes nothing: new embeddings are kept in the plan."""
    _check_options(top_k, min_confidence)
    check_mode(thresholds)
    with read() as session:
        data = training_data(session, suggester, use_context)
        items = uncoded_passages(session, documents, mode, include_interviewer)
    model, prediction, embeddings = _fit_and_predict(read, data, [p.text for p in items], models, cluster,
                                                     [p.context for p in items])
    ranked, used = suggestion_ranking(model, prediction, top_k, thresholds)
    model_name = model.name
    embedder = getattr(model, "_embedder", None)
    if embedder is not None:
        model_name += f" ({embedder.name})"
    return SuggestionPlan(model_name, items, ranked, model.n_training_examples, embeddings, used,
                          registry.calibration_note(model.name))


def store_suggestions(session: Session, user: str, plan: SuggestionPlan, *, top_k: int = 3,
                      min_confidence: float = 0.0) -> dict[str, Any]:
    """Write phase of a suggest run: replace the pending suggestions of the planned documents, skipping
    passages coded meanwhile and rejected (passage, technique) pairs; store the new embeddings."""
    store_embeddings(session, plan.embeddings)
    doc_ids = {p.document_id for p in plan.passages} or {-1}
    for old in session.scalars(select(Coding).where(Coding.origin == "suggested", Coding.document_id.in_(doc_ids))):
        session.delete(old)
    session.flush()
    covered = _covered(session, doc_ids)
    rejected = set(session.execute(select(Coding.document_id, Coding.start, Coding.end, Coding.code_id).where(
        Coding.origin == "rejected")).all())
    codes = dict(session.execute(select(Code.number, Code.id).where(Code.kind == "technique")).all())
    coder = get_coder(session, SUGGEST_CODER)
    stored = 0
    for passage, ranked in zip(plan.passages, plan.ranked):
        if _overlaps(passage, covered):
            continue   # coded since the plan was made
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
                               confidence=round(float(confidence), 4), model=plan.model_name))
            stored += 1
    session.flush()
    log_event(session, user, EventType.SUGGEST_RUN, model=plan.model_name, passages=len(plan.passages),
              suggestions=stored, top_k=top_k, min_confidence=min_confidence, thresholds=plan.thresholds)
    return {"model": plan.model_name, "passages": len(plan.passages), "suggestions": stored,
            "trained_on": plan.trained_on, "thresholds": plan.thresholds,
            **({"note": plan.note} if plan.note else {})}


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


def queue(read: ReadSessions, *, limit: int = 20, documents: Iterable[str] | None = None,
          suggester: str | None = None, mode: str = "sentence", models: FittedModels | None = None,
          use_context: bool = True) -> tuple[list[dict[str, Any]], dict[tuple[str, str], np.ndarray]]:
    """Uncoded passages ordered by how unsure the model is (active learning: label these first), and the
    new embeddings to store (:func:`store_embeddings`). Only short read sessions are used (see
    :func:`plan_suggestions`)."""
    with read() as session:
        items = uncoded_passages(session, documents, mode)
        data = training_data(session, suggester, use_context) if items else None
    if not items:
        return [], {}
    assert data is not None  # loaded whenever there are items
    _, prediction, embeddings = _fit_and_predict(read, data, [p.text for p in items], models,
                                                 contexts=[p.context for p in items])
    uncertainty = prediction.uncertainty()
    order = np.argsort(-uncertainty, kind="stable")[:limit]
    top = prediction.top_k(3)
    return [{"document": items[i].document, "case": items[i].case, "start": items[i].start, "end": items[i].end,
             "uncertainty": round(float(uncertainty[i]), 4), "text": items[i].text,
             "candidates": [f"{label} ({p:.2f})" for label, p in top[i] if label != NONE_LABEL]}
            for i in order], embeddings


def pending(session: Session, *, documents: Iterable[str] | None = None, offset: int = 0,
            limit: int | None = None) -> list[dict[str, Any]]:
    """Pending suggestions with their quotes, best first within each passage (``offset``/``limit``: one page).
    The quote is cut in the database, so a page never loads whole transcripts."""
    stmt = (select(Coding.id, Document.name, Coding.start, Coding.end, Code.number, Code.label, Coding.confidence,
                   Coding.model, func.substr(Document.text, Coding.start + 1, Coding.end - Coding.start))
            .join(Document, Coding.document_id == Document.id).join(Code, Coding.code_id == Code.id)
            .where(Coding.origin == "suggested")
            .order_by(Document.name, Coding.start, Coding.confidence.desc(), Coding.id))
    if documents:
        stmt = stmt.where(Document.name.in_(list(documents)))
    if offset:
        stmt = stmt.offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [{"id": cid, "document": name, "start": start, "end": end, "code": number, "label": label,
             "confidence": confidence, "model": model, "quote": quote}
            for cid, name, start, end, number, label, confidence, model, quote in session.execute(stmt)]


def pending_count(session: Session) -> int:
    """How many suggestions are pending."""
    return session.scalar(select(func.count()).select_from(Coding).where(Coding.origin == "suggested")) or 0
