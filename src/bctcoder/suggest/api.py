"""The assisted-coding half of the Project API (mixed into :class:`bctcoder.project.Project`)."""

from __future__ import annotations

from typing import Any, Callable, Iterable

import pandas as pd

from bctcoder.access.context import ProjectContext, requires
from bctcoder.access.roles import Action
from bctcoder.coding.events import EventType, log_event
from bctcoder.suggest import registry, service
from bctcoder.taxonomy.service import set_meta


class SuggestMixin(ProjectContext):
    """Suggest techniques for passages, review suggestions, the active-learning queue, uncovered themes.

    ``fitted_models`` (a :class:`bctcoder.suggest.service.FittedModels`, None by default) lets a long-running
    caller reuse the fitted suggester while the project's codings are unchanged.
    """

    @requires(Action.MANAGE_TAXONOMY)
    def set_suggester(self, name: str) -> None:
        """Choose the project's suggester by registry name (e.g. ``ensemble.v1``, ``lexical.v4``)."""
        if name not in registry.available():
            registry.create(name)  # raises with the list of names
        with self.transaction() as s:
            set_meta(s, "suggester", name)
            log_event(s, self.user, EventType.SUGGEST_CHOOSE, suggester=name)

    @requires(Action.RUN_SUGGESTER)
    def suggest(self, *, documents: Iterable[str] | None = None, top_k: int = 3, min_confidence: float = 0.0,
                suggester: str | None = None, mode: str = "sentence", include_interviewer: bool = False,
                scheduler: str | None = None, batch_size: int = 2_000,
                progress: Callable[[int, int], None] | None = None, use_context: bool = True,
                thresholds: str = "calibrated") -> dict[str, Any]:
        """Store suggested techniques (origin ``suggested``) for every uncoded interviewee passage (interviewer
        turns too with ``include_interviewer``): with ``thresholds="calibrated"`` (the default) every technique
        whose calibrated probability reaches the threshold the suggester chose for it on its training data (at
        most ``top_k``, none when "no technique" is most probable), ``"global"`` one threshold for all,
        ``"none"`` the ``top_k`` most probable; suggesters without thresholds (e.g. ``lexical.v1``, or under
        30 coded passages) always rank as ``"none"``, and the result's ``thresholds`` says
        which was used (:mod:`bctcoder.suggest.multilabel`). ``min_confidence`` drops suggestions below it.
        Suggesters that read context (``lexical.v3``) get each passage's previous turn, in training and in
        suggesting (not with ``use_context=False``).
        With ``scheduler`` (a Dask scheduler address, or ``local:N`` for N local worker processes) the passages
        are scored in batches of ``batch_size`` on the cluster (``progress(done, total)`` after each batch);
        the results are written here, once."""
        cluster = service.ClusterOptions(scheduler, batch_size, progress) if scheduler else None
        plan = service.plan_suggestions(self.reading, documents=documents, top_k=top_k,   # no lock held
                                        min_confidence=min_confidence, suggester=suggester, mode=mode,
                                        models=self.fitted_models, include_interviewer=include_interviewer,
                                        cluster=cluster, use_context=use_context, thresholds=thresholds)
        with self.transaction() as s:
            return service.store_suggestions(s, self.user, plan, top_k=top_k, min_confidence=min_confidence)

    @requires(Action.READ)
    def evaluate_suggester(self, *, cv: int = 5, suggester: str | None = None, seed: int = 0,
                           use_context: bool = True) -> dict[str, Any]:
        """Held-out quality of a suggester on this project's own codings: K folds by document (top-1, top-3,
        macro/micro F1, per technique, calibration) and the document-level agreement of the model's verdicts
        with the coders' (per technique PABAK and kappa, as Table 2 counts). Each passage's context is its
        previous turn, built as :meth:`suggest` builds it (left out with ``use_context=False``)."""
        from bctcoder.errors import InputError
        from bctcoder.suggest.corpora import Example
        from bctcoder.suggest.evaluate import evaluate
        from bctcoder.suggest.project_evaluation import presence_agreement

        if cv < 2:
            raise InputError(f"--cv must be at least 2 (got {cv})", source="--cv")
        self._require_whole_view("evaluating the suggester on everyone's codings")
        with self.reading() as s:
            texts, labels, groups, contexts = service.training_examples_with_contexts(s)
            info = service.labels_info(s)
            name = suggester or service.default_suggester(s)
        examples = [Example(t, lab, g, c) for t, lab, g, c in zip(texts, labels, groups, contexts)]
        if len({e.group for e in examples}) < cv:
            raise InputError(f"--cv {cv} needs codings in at least {cv} transcripts (found "
                             f"{len({e.group for e in examples})})", source="--cv")
        result = evaluate(examples, info, name, cv=cv, seed=seed, use_context=use_context,
                          return_predictions=True)
        predicted = result.pop("_predictions")
        result["presence_agreement"] = presence_agreement(predicted["examples"], predicted["labels"],
                                                          predicted["probabilities"])
        return result

    @requires(Action.READ)
    def suggestion_page(self, page: int = 1, per_page: int = 50) -> dict[str, Any]:
        """One page of pending suggestions (best first within each passage), with the total and page count."""
        per_page = max(1, min(int(per_page), 500))
        with self.reading() as s:
            total = service.pending_count(s)
            pages = max(1, -(-total // per_page))
            page = max(1, min(int(page), pages))
            rows = service.pending(s, offset=(page - 1) * per_page, limit=per_page)
        return {"rows": rows, "total": total, "page": page, "pages": pages, "per_page": per_page}

    @requires(Action.READ)
    def suggestions(self, documents: Iterable[str] | None = None) -> pd.DataFrame:
        """Pending suggestions with quotes and confidence."""
        with self.reading() as s:
            return pd.DataFrame(service.pending(s, documents=documents),
                                columns=["id", "document", "start", "end", "code", "label", "confidence", "model",
                                         "quote"])

    @requires(Action.REVIEW_SUGGESTIONS)
    def accept(self, ids: Iterable[int] | None = None, *, document: str | None = None,
               min_confidence: float | None = None, all: bool = False, coder: str | None = None) -> dict:
        """Accept suggestions (by id, by document, above a confidence, or all) as codings of ``coder``
        (another coder than the actor: the owner only)."""
        if coder not in (None, self.actor.name):
            self.actor.require(Action.EDIT_ANY_CODING)
        with self.transaction() as s:
            return service.review(s, self.user, "accept", ids=ids, document=document, min_confidence=min_confidence,
                                  all_=all, coder=coder)

    @requires(Action.REVIEW_SUGGESTIONS)
    def reject(self, ids: Iterable[int] | None = None, *, document: str | None = None,
               min_confidence: float | None = None, all: bool = False) -> dict:
        """Reject suggestions; they are kept (origin ``rejected``) and never suggested again."""
        with self.transaction() as s:
            return service.review(s, self.user, "reject", ids=ids, document=document, min_confidence=min_confidence,
                                  all_=all)

    @requires(Action.READ)
    def queue(self, *, limit: int = 20, documents: Iterable[str] | None = None,
              suggester: str | None = None, use_context: bool = True) -> list[dict[str, Any]]:
        """The uncoded passages the model is least sure about, first: where it is most likely wrong, to find its
        errors (in held-out learning curves this order did not beat random order for learning)."""
        rows, embeddings = service.queue(self.reading, limit=limit, documents=documents, suggester=suggester,
                                         models=self.fitted_models, use_context=use_context)   # no lock held
        if embeddings:
            with self.transaction() as s:
                service.store_embeddings(s, embeddings)
        return rows

    @requires(Action.READ)
    def uncovered(self, *, threshold: float = 0.30, clusters: int | None = None,
                  documents: Iterable[str] | None = None) -> dict[str, Any]:
        """Clusters of interviewee passages no technique describes well (candidate new techniques)."""
        from bctcoder.suggest.uncovered import uncovered

        with self.transaction() as s:  # may cache new embeddings
            return uncovered(s, threshold=threshold, clusters=clusters, documents=documents)
