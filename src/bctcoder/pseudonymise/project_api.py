"""The Project's pseudonymisation methods: detect, review, apply (#16).

Only the owner may call them: proposals show the identifiers themselves. Detection stores proposals and
changes no transcript; reviewing records decisions; applying writes a new, pseudonymised project and a key
file, and leaves this project exactly as it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from bctcoder.access.context import ProjectContext, requires
from bctcoder.access.roles import Action
from bctcoder.coding.events import EventType, log_event
from bctcoder.errors import InputError, ProjectError
from bctcoder.pseudonymise import proposal_store
from bctcoder.pseudonymise.pseudonymised_copy import pseudonymised_stamp, write_copy
from bctcoder.pseudonymise.replacements import DATE_POLICIES
from bctcoder.store import database


def _study_lists(from_cases: Mapping[str, list[Any]], names_file: str | Path | None) -> Any:
    """The case attributes' names (a participant's name replaced by their case key: ``[SP3]``), then the
    user's list, whose entries win where both name the same person."""
    from bctcoder.pseudonymise.study_lists import NameEntry, StudyLists, merge_lists, read_study_lists

    lists = StudyLists.from_names(places=from_cases["places"], organisations=from_cases["organisations"])
    lists.people = [NameEntry(name, replacement=f"[{key}]") for name, key in from_cases["people"]]
    if names_file is not None:
        lists = merge_lists(lists, read_study_lists(names_file))
    return lists


class PseudonymiseMixin(ProjectContext):
    """Finding identifiers in every transcript, reviewing their bracketed replacements, and writing the
    pseudonymised copy with its key."""

    @requires(Action.PSEUDONYMISE)
    def detect_identifiers(self, *, names: str | Path | None = None, dates: str = "month",
                           nlp: str | bool | None = None) -> dict[str, Any]:
        """Find names, places, organisations, dates, ages, phone numbers, e-mail and postal addresses, NHS
        numbers and postcodes in every transcript and store a proposed replacement for each (consistent
        across the project). ``names`` is the study's own list (CSV or YAML: people with aliases and fixed
        replacements, places, organisations, words to ignore); names, sites and organisations recorded as
        case attributes are added. ``dates`` is ``month``, ``year`` or ``remove``. ``nlp`` names a spaCy
        pipeline (default: the installed English one; ``False`` for patterns and lists only). Decisions
        already taken on the same spans are kept. No transcript changes."""
        if dates not in DATE_POLICIES:
            raise InputError(f"dates must be one of {', '.join(DATE_POLICIES)}, not {dates!r}", source="--dates")
        from bctcoder.pseudonymise.detection import detect_identifiers
        from bctcoder.pseudonymise.replacements import propose_replacements

        with self.reading() as s:
            texts = proposal_store.document_texts(s)
            lists = _study_lists(proposal_store.case_identifiers(s), names)
        findings = detect_identifiers(texts, lists, nlp=nlp)
        proposals = propose_replacements(findings, lists, dates=dates)
        with self.transaction() as s:
            result = proposal_store.replace_proposals(s, proposals, user=self.user)
            log_event(s, self.user, EventType.PSEUDONYMS_DETECT, found=result["found"], new=result["new"],
                      dropped=result["dropped"], dates=dates, documents=len(texts))
        return {"documents": len(texts), **result}

    @requires(Action.PSEUDONYMISE)
    def pseudonym_proposals(self, *, decision: str | None = None, category: str | None = None,
                            document: str | None = None, offset: int = 0, limit: int | None = 100,
                            context: int = 60) -> dict[str, Any]:
        """One page of proposals (id, document, span, category, original, replacement, entity, decision and up
        to ``context`` characters of its line either side), the total, and counts by decision and category."""
        with self.reading() as s:
            return proposal_store.proposal_page(s, decision=decision, category=category, document=document,
                                                offset=offset, limit=limit, context=max(0, min(context, 300)))

    @requires(Action.PSEUDONYMISE)
    def review_pseudonyms(self, decisions: Iterable[Sequence[Any] | Mapping[str, Any]]) -> dict[str, Any]:
        """Record decisions: ``(id, decision[, replacement])`` or dicts with those keys, where decision is
        accept, reject, pending or edit (accept with a new replacement, which the same entity's other
        mentions take too)."""
        rows: list[tuple[int, str, str | None]] = []
        for item in decisions:
            if isinstance(item, Mapping):
                rows.append((int(item["id"]), str(item["decision"]), item.get("replacement")))
            else:
                values = list(item)
                rows.append((int(values[0]), str(values[1]), values[2] if len(values) > 2 else None))
        with self.transaction() as s:
            result = proposal_store.decide(s, rows, user=self.user)
            log_event(s, self.user, EventType.PSEUDONYMS_REVIEW, decided=result["decided"], renamed=result["renamed"])
            return result

    @requires(Action.PSEUDONYMISE)
    def review_pseudonyms_csv(self, path: str | Path) -> dict[str, Any]:
        """Read a reviewed CSV (as written by :meth:`write_pseudonym_review`) and record its decisions; rows
        with an empty decision stay as they are. A bad row refuses the whole file (nothing recorded)."""
        from bctcoder.pseudonymise.review_csv import read_review_csv

        decisions = [(d.id, d.decision, d.replacement) for d in read_review_csv(path)]
        result = self.review_pseudonyms(decisions)
        return {"file": str(path), "rows": len(decisions), **result}

    @requires(Action.PSEUDONYMISE)
    def write_pseudonym_review(self, path: str | Path, *, decision: str | None = None) -> dict[str, Any]:
        """Write the proposals (all, or those with one decision) to a CSV for review in a spreadsheet: fill
        the ``decision`` column (accept, reject or edit with a new ``replacement``) and read it back."""
        from bctcoder.pseudonymise.review_csv import write_review_csv

        page = self.pseudonym_proposals(decision=decision, limit=None)
        write_review_csv(path, page["rows"])
        return {"file": str(path), "rows": len(page["rows"])}

    @requires(Action.PSEUDONYMISE)
    def decide_all_pseudonyms(self, decision: str, *, category: str | None = None) -> dict[str, Any]:
        """Accept (or reject) every pending proposal, or every pending one of one category."""
        with self.transaction() as s:
            result = proposal_store.decide_where(s, decision, user=self.user, category=category)
            log_event(s, self.user, EventType.PSEUDONYMS_REVIEW, decided=result["decided"], category=category)
            return result

    @requires(Action.PSEUDONYMISE)
    def apply_pseudonyms(self, dest: str | Path, *, key: str | Path,
                         accept_pending: bool = False) -> dict[str, Any]:
        """Write the pseudonymised project to ``dest`` (a new SQLite file or an empty database URL) with every
        accepted replacement, each coding re-mapped onto its words, and the key (original ↔ replacement with
        document and positions) to the CSV file ``key``, which the owner keeps apart. Refused while
        proposals are pending unless ``accept_pending``. This project does not change."""
        url = database.to_url(dest)
        path = database.sqlite_path(url)
        if path is not None and path.exists():
            raise ProjectError(f"{path}: already exists; the pseudonymised copy goes to a new file")
        if path is not None and not path.parent.is_dir():
            raise ProjectError(f"{path}: the folder {path.parent} does not exist")
        key_path = Path(key)
        if path is not None and key_path.resolve() == path.resolve():
            raise InputError("the key and the pseudonymised project must be different files", source=str(key))
        with self.reading() as s:
            if pseudonymised_stamp(s) is not None:
                raise ProjectError("this project is already a pseudonymised copy")
            pending = proposal_store.pending_count(s)
        if pending and not accept_pending:
            raise InputError(f"{pending} proposed replacements are still pending: review them (accept, reject or "
                             "edit), or pass --accept-pending to apply them as proposed", source="review")
        if pending:
            self.decide_all_pseudonyms("accept")
        with self.reading() as s:
            accepted = proposal_store.accepted_replacements(s)
        try:
            result = write_copy(self.engine, accepted, url, key_path, user=self.user, source_label=self.url)
        except BaseException:
            if path is not None:
                path.unlink(missing_ok=True)
            raise
        with self.transaction() as s:
            log_event(s, self.user, EventType.PSEUDONYMS_APPLY, destination=url, key=str(key_path),
                      replacements=result["replacements"], documents=result["documents"])
        return {**result, "destination": str(path) if path is not None else url}

    @requires(Action.PSEUDONYMISE)
    def apply_pseudonyms_beside(self, name: str, key_name: str, *, accept_pending: bool = False) -> dict[str, Any]:
        """:meth:`apply_pseudonyms` into plain file names in this project's own folder (the web workspace
        offers no other place): ``name`` ends in ``.bctcoder``, ``key_name`` in ``.csv``; neither may hold a
        folder. Only for projects kept in a file (SQLite)."""
        folder = database.sqlite_path(self.url)
        if folder is None:
            raise InputError("this project is in a database server: write the pseudonymised copy with "
                             "'bctcoder pseudonymise PROJECT --apply --out URL --key FILE'", source="apply")
        for value, suffix, field in ((name, ".bctcoder", "name"), (key_name, ".csv", "key")):
            if not value or Path(value).name != value or value.startswith(".") or not value.endswith(suffix):
                raise InputError(f"give a plain file name ending in {suffix} (no folders)", source=field)
        return self.apply_pseudonyms(folder.parent / name, key=folder.parent / key_name,
                                     accept_pending=accept_pending)

    @requires(Action.READ)
    def pseudonymised(self) -> dict[str, Any] | None:
        """What a pseudonymised copy records about itself (its source, replacements, who wrote it), or None
        for a project that holds the original transcripts."""
        with self.reading() as s:
            return pseudonymised_stamp(s)
