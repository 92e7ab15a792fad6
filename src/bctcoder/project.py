"""The Project: bctcoder's public Python API.

A project is one SQLite file (or any SQLAlchemy URL). Open or create it, then
call methods; every method that writes runs in one transaction, so an error
(or a killed process) leaves the project exactly as it was.

>>> from bctcoder import Project
>>> project = Project.create("study.bctcoder")          # doctest: +SKIP
>>> project.import_cases("cases.csv")                   # doctest: +SKIP
>>> project.import_transcripts(["Interviewee_PW1.docx"])  # doctest: +SKIP
>>> project.codings()                                    # doctest: +SKIP
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import func, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bctcoder import __version__
from bctcoder.access.api import AccessAPI
from bctcoder.access.context import ProjectContext, requires
from bctcoder.access.roles import Action, Actor, Role
from bctcoder.agreement.api import AgreementMixin
from bctcoder.analysis.api import AnalysisMixin
from bctcoder.coding import service as coding_service
from bctcoder.coding import views
from bctcoder.coding.api import CodingMixin
from bctcoder.coding.events import EventType, log_event
from bctcoder.corpus import importer, speaker_assignment
from bctcoder.errors import InputError, ProjectError
from bctcoder.interop.api import InteropMixin
from bctcoder.participants import cases as case_service
from bctcoder.pseudonymise.project_api import PseudonymiseMixin
from bctcoder.store import copy as project_copy
from bctcoder.store import database
from bctcoder.store.models import Attribute, Case, Code, Coder, Coding, Document, Partnership, Presence, Taxonomy, Turn
from bctcoder.suggest.api import SuggestMixin
from bctcoder.taxonomy import service as taxonomy_service
from bctcoder.taxonomy.builtin import DEFAULT_TAXONOMY, parts_of
from bctcoder.transcribe.api import TranscribeMixin


def _default_user() -> str:
    try:
        return os.environ.get("BCTCODER_USER") or getpass.getuser()
    except Exception:  # getpass can fail without a login name (containers)
        return "unknown"


class Project(CodingMixin, AnalysisMixin, AgreementMixin, SuggestMixin, InteropMixin, PseudonymiseMixin,
              TranscribeMixin, ProjectContext):
    """A bctcoder project: taxonomy, cases, transcripts and codings in one database, used by one actor.

    The parts of the API share one declared context (:class:`ProjectContext`): codings and the workspace
    views (:class:`CodingMixin`), analyses and reports (:class:`AnalysisMixin`), agreement and reconciliation
    (:class:`AgreementMixin`), suggestions (:class:`SuggestMixin`), exchange formats (:class:`InteropMixin`),
    and accounts and sessions (:attr:`access`). Every public method declares the right it needs; the actor
    (``user`` and ``role``; by default the OS user as owner) is checked before anything is read or written.
    """

    def __init__(self, url: str, engine: Engine, *, user: str | None = None, role: Role | str = Role.OWNER,
                 backup: Path | None = None, owns_engine: bool = True):
        self._init_context(url, engine, Actor(user or _default_user(), Role(role)), backup)
        self._owns_engine = owns_engine

    def acting_as(self, actor: Actor) -> "Project":
        """The same project (sharing this one's connection pool) acting for another actor; closing it leaves
        the pool open. The web server makes one per request for the signed-in account."""
        other = Project(self.url, self.engine, user=actor.name, role=actor.role, owns_engine=False)
        other.fitted_models = self.fitted_models
        return other

    @property
    def access(self) -> AccessAPI:
        """Accounts, sign-in and sessions (see :class:`bctcoder.access.api.AccessAPI`)."""
        return AccessAPI(self)

    # -- opening -----------------------------------------------------------------------------------
    @classmethod
    def create(cls, path_or_url: str | Path, *, taxonomy: str = DEFAULT_TAXONOMY,
               user: str | None = None, roles: dict[str, str] | None = None) -> "Project":
        """Create a new project with the chosen built-in taxonomy (error if it already exists)."""
        parts_of(taxonomy)  # validate the name before touching the disk
        url = database.to_url(path_or_url)
        path = database.sqlite_path(url)
        if path is not None:
            if path.exists() and path.stat().st_size > 0:
                raise ProjectError(f"{path}: already exists; open it instead")
            if not path.parent.exists():
                raise ProjectError(f"{path}: folder {path.parent} does not exist")
        engine = database.make_engine(url)
        if inspect(engine).get_table_names():
            engine.dispose()
            raise ProjectError(f"{url}: the database is not empty")
        try:
            database.upgrade(engine)
            project = cls(url, engine, user=user)
            with project.transaction() as session:
                taxonomy_service.install_builtin(session, taxonomy)
                taxonomy_service.set_meta(session, "created_with", __version__)
                taxonomy_service.set_meta(session, "roles", roles or case_service.DEFAULT_ROLES)
                log_event(session, project.user, EventType.PROJECT_CREATE, taxonomy=taxonomy)
        except Exception:
            engine.dispose()
            if path is not None and path.exists():
                path.unlink()
            raise
        return project

    @classmethod
    def open(cls, path_or_url: str | Path, *, user: str | None = None,
             role: Role | str = Role.OWNER, pseudonymised: bool = False) -> "Project":
        """Open an existing project, migrating its schema (after a backup) when it is older. With
        ``pseudonymised``, refuse any project but a pseudonymised copy (for exports and reports that leave the
        team: they can then only be made from data without identifiers)."""
        url = database.to_url(path_or_url)
        path = database.sqlite_path(url)
        if path is not None and not path.exists():
            raise ProjectError(f"{path}: no such project (create it with 'bctcoder init')")
        engine = database.make_engine(url)
        try:
            tables = inspect(engine).get_table_names()
        except Exception as exc:
            engine.dispose()
            raise ProjectError(f"{path or url}: not a bctcoder project ({exc.__class__.__name__})") from None
        if "meta" not in tables and "alembic_version" not in tables:
            engine.dispose()
            raise ProjectError(f"{path or url}: not a bctcoder project")
        backup = database.migrate_if_needed(engine, url)
        project = cls(url, engine, user=user, role=role, backup=backup)
        if pseudonymised and project.pseudonymised() is None:
            project.close()
            raise ProjectError(f"{path or url}: not a pseudonymised copy; write one with 'bctcoder pseudonymise "
                               "PROJECT --apply --out COPY --key KEY.csv' and export from the copy")
        return project

    def close(self) -> None:
        """Release database connections (unless the pool belongs to the project this one acts from)."""
        if self._owns_engine:
            self.engine.dispose()

    def __enter__(self) -> "Project":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Project({self.url!r})"

    # -- facts -------------------------------------------------------------------------------------
    @requires(Action.READ)
    def info(self) -> dict[str, Any]:
        """Counts and settings: taxonomy, techniques, cases per role, documents, codings per origin."""
        with self.reading() as s:
            count = lambda model: s.scalar(select(func.count()).select_from(model))  # noqa: E731
            roles = dict(s.execute(select(Case.role, func.count()).group_by(Case.role)).all())
            origins = dict(s.execute(select(Coding.origin, func.count()).group_by(Coding.origin)).all())
            taxonomies = [{"name": t.name, "version": t.version, "source": t.source, "extension": t.is_extension}
                          for t in s.scalars(select(Taxonomy).order_by(Taxonomy.id))]
            return {
                "project": self.url,
                "backend": project_copy.backend(self.engine),
                "schema": database.current_revision(self.engine),
                "taxonomy": taxonomy_service.get_meta(s, "taxonomy"),
                "taxonomies": taxonomies,
                "bcto": taxonomy_service.get_meta(s, "bcto_source"),
                "techniques": s.scalar(select(func.count()).select_from(Code).where(Code.kind == "technique")),
                "inductive_codes": s.scalar(select(func.count()).select_from(Code).where(Code.kind == "inductive")),
                "cases": count(Case),
                "cases_by_role": roles,
                "attributes": count(Attribute),
                "partnerships": count(Partnership),
                "documents": count(Document),
                "turns": count(Turn),
                "coders": count(Coder),
                "codings": count(Coding),
                "codings_by_origin": origins,
                "presence_records": count(Presence),
            }

    @property
    def roles(self) -> dict[str, str]:
        """The roles cases may have (code → description), e.g. PW and SP."""
        with self.reading() as s:
            return taxonomy_service.get_meta(s, "roles", case_service.DEFAULT_ROLES)

    @requires(Action.COPY_PROJECT)
    def copy_to(self, dest: str | Path) -> dict[str, Any]:
        """Copy the whole project into an empty database at ``dest`` (a file path or URL: SQLite ↔
        PostgreSQL), in one transaction there, and verify it (row counts of every table and a checksum over
        every document text and coding). Sign-in sessions are not copied. Nothing is left at ``dest`` when
        the copy fails."""
        url = database.to_url(dest)
        path = database.sqlite_path(url)
        existed = path is not None and path.exists()
        if path is not None and not path.parent.is_dir():
            raise ProjectError(f"{path}: the folder {path.parent} does not exist")
        try:
            return project_copy.copy_project(self.engine, url)
        except BaseException:
            if path is not None and not existed:
                path.unlink(missing_ok=True)
            raise

    @requires(Action.MANAGE_CASES)
    def add_role(self, code: str, description: str | None = None) -> None:
        """Allow a further role (e.g. ``Carer`` or ``BSR``) for cases."""
        code = case_service.check_role_code(code)
        with self.transaction() as s:
            roles = dict(taxonomy_service.get_meta(s, "roles", case_service.DEFAULT_ROLES))
            if code in roles and (description is None or roles[code] == description):
                return
            roles[code] = (description or "").strip() or roles.get(code, code)
            taxonomy_service.set_meta(s, "roles", roles)
            log_event(s, self.user, EventType.ROLE_ADD, role=code)

    # -- taxonomy ----------------------------------------------------------------------------------
    @requires(Action.READ)
    def techniques(self, *, taxonomy: str | None = None) -> list[dict[str, Any]]:
        """The project's techniques as dicts (id, label, group_id, group_label, extension, ...)."""
        with self.reading() as s:
            return taxonomy_service.code_rows(s, taxonomy=taxonomy)

    @requires(Action.READ)
    def codes(self) -> list[dict[str, Any]]:
        """Techniques and inductive codes, with the number of codings of each (in blind mode, of the
        reader's own codings)."""
        with self.reading() as s:
            rows = taxonomy_service.code_rows(s, include_inductive=True)
            counted = select(Coding.code_id, func.count(Coding.id)).group_by(Coding.code_id)
            if self._own_only(s):
                counted = counted.join(Coder, Coding.coder_id == Coder.id).where(Coder.name == self.actor.name)
            per_id = dict(s.execute(counted).all())
            ids = dict(s.execute(select(Code.number, Code.id).where(Code.number.is_not(None))).all())
            ids_ind = dict(s.execute(select(Code.label, Code.id).where(Code.kind == "inductive")).all())
            shown = {cid: number or label for cid, number, label in s.execute(select(Code.id, Code.number,
                                                                                      Code.label))}
            parents = dict(s.execute(select(Code.id, Code.parent_id).where(Code.parent_id.is_not(None))).all())
            for row in rows:
                code_id = ids.get(row["id"]) if row["kind"] == "technique" else ids_ind.get(row["label"])
                row["codings"] = per_id.get(code_id, 0) if code_id is not None else 0
                parent_id = parents.get(code_id) if code_id is not None else None
                row["parent"] = shown.get(parent_id) if parent_id is not None else None
            return rows

    @requires(Action.READ)
    def technique(self, ref: str) -> dict[str, Any]:
        """One technique or code by number or label."""
        with self.reading() as s:
            code = taxonomy_service.require_code(s, ref)
            return taxonomy_service._row(code)

    @requires(Action.ADD_CODE)
    def add_inductive_code(self, label: str, description: str | None = None, parent: str | None = None) -> dict:
        """Create a code outside the taxonomy (the inductive stage of the analysis)."""
        with self.transaction() as s:
            code = taxonomy_service.add_inductive_code(s, label, description, parent)
            log_event(s, self.user, EventType.CODE_ADD, label=label)
            return taxonomy_service._row(code)

    @requires(Action.MANAGE_TAXONOMY)
    def promote_codes(self, codes: list[str], *, group_label: str, extension: str = "project-extension",
                      descriptions: dict[str, str] | None = None) -> list[dict]:
        """Promote inductive codes into a new technique group of a named taxonomy extension."""
        with self.transaction() as s:
            rows = taxonomy_service.promote(s, codes, group_label=group_label, extension=extension,
                                            descriptions=descriptions)
            log_event(s, self.user, EventType.CODES_PROMOTE, codes=codes, group=group_label, extension=extension)
            return rows

    @requires(Action.MANAGE_TAXONOMY)
    def import_bcto(self, path: str | Path) -> dict[str, Any]:
        """Attach the official BCT Ontology's definitions (xlsx or owl) to BCTTv1 techniques."""
        with self.transaction() as s:
            record = taxonomy_service.import_bcto(s, path)
            log_event(s, self.user, EventType.TAXONOMY_IMPORT_BCTO, **record)
            return record

    @requires(Action.MANAGE_TAXONOMY)
    def import_codebook(self, path: str | Path, name: str | None = None) -> dict[str, Any]:
        """Install a user codebook (CSV or YAML: id, label, group, description) as a taxonomy."""
        with self.transaction() as s:
            result = taxonomy_service.import_codebook(s, path, name)
            log_event(s, self.user, EventType.TAXONOMY_IMPORT_CODEBOOK, file=str(path), **result)
            return result

    # -- participants ------------------------------------------------------------------------------
    @requires(Action.MANAGE_CASES)
    def import_cases(self, path: str | Path, *, update: bool = False) -> dict[str, Any]:
        """Import cases and their attributes from CSV (see :func:`participants.cases.import_cases`)."""
        with self.transaction() as s:
            roles = taxonomy_service.get_meta(s, "roles", case_service.DEFAULT_ROLES)
            result = case_service.import_cases(s, path, roles, update=update)
            log_event(s, self.user, EventType.CASES_IMPORT, file=str(path), **result)
            return result

    @requires(Action.MANAGE_CASES)
    def import_partnerships(self, path: str | Path) -> dict[str, Any]:
        """Import PW–SP dyads from CSV (columns pw,sp)."""
        with self.transaction() as s:
            result = case_service.import_partnerships(s, path)
            log_event(s, self.user, EventType.PARTNERSHIPS_IMPORT, file=str(path), **result)
            return result

    @requires(Action.MANAGE_CASES)
    def add_partnership(self, first: str, second: str, label: str | None = None) -> dict[str, Any]:
        """Record one dyad (two existing cases, in either order, not already partners)."""
        with self.transaction() as s:
            a, b = case_service.require_case(s, first.strip()), case_service.require_case(s, second.strip())
            if a.id == b.id:
                raise InputError(f"a case cannot partner itself ({first!r})", source="partnership")
            pair = {a.id, b.id}
            if any({p.first_case_id, p.second_case_id} == pair for p in s.scalars(select(Partnership))):
                raise InputError(f"partnership {a.key}–{b.key} already exists", source="partnership")
            s.add(Partnership(first_case_id=a.id, second_case_id=b.id, label=label or None))
            log_event(s, self.user, EventType.PARTNERSHIP_ADD, first=a.key, second=b.key)
            return {"first": a.key, "second": b.key, "label": label or None}

    @requires(Action.MANAGE_CASES)
    def set_case_value(self, case: str, attribute: str, value: str | None) -> None:
        """Set one attribute of a case ("declined" records a refusal, None or "" a missing value)."""
        with self.transaction() as s:
            self._set_value(s, case, case_service.require_case(s, case), attribute, value)

    def _set_value(self, s: Session, case: str, case_row: Case, attribute: str, value: str | None) -> None:
        attr = s.scalar(select(Attribute).where(Attribute.name == attribute))
        if attr is None:
            attr = Attribute(name=attribute, type="text",
                             position=s.scalar(select(func.count()).select_from(Attribute)))
            s.add(attr)
            s.flush()
        case_service.set_value(s, case_row, attr, value, source=f"{case}.{attribute}")
        log_event(s, self.user, EventType.CASE_SET, case=case, attribute=attribute, value=value)

    @requires(Action.MANAGE_CASES)
    def set_case_values(self, case: str, values: Mapping[str, str | None]) -> None:
        """Set several attributes of one case in one transaction (the participants page's form)."""
        with self.transaction() as s:
            case_row = case_service.require_case(s, case)
            for attribute, value in values.items():
                self._set_value(s, case, case_row, attribute, value)

    @requires(Action.MANAGE_CASES)
    def link_document(self, document: str, case: str | None) -> dict[str, Any]:
        """Link a document (transcript) to a case, or unlink it with ``case=None``."""
        with self.transaction() as s:
            result = case_service.link_document(s, document, case)
            log_event(s, self.user, EventType.DOCUMENT_LINK, **result)
            return result

    @requires(Action.READ)
    def cases(self) -> pd.DataFrame:
        """One row per case: case, role and every attribute."""
        with self.reading() as s:
            return pd.DataFrame(case_service.case_rows(s))

    @requires(Action.CODE)
    def mark_fully_coded(self, document: str, on: bool = True) -> dict[str, Any]:
        """Say that every technique in ``document`` is coded (or take it back): its uncoded interviewee passages
        then teach the suggesters "no technique"."""
        with self.transaction() as s:
            doc = coding_service.require_document(s, document)
            doc.fully_coded = bool(on)
            log_event(s, self.user, EventType.DOCUMENT_FULLY_CODED, document=document, on=bool(on))
            return {"document": document, "fully_coded": bool(on)}

    @requires(Action.ASSIGN_SPEAKERS)
    def assign_speaker(self, document: str, start: int, role: str, *, speaker: str | None = None,
                       following: bool = False) -> dict[str, Any]:
        """Say who speaks the turn of ``document`` starting at ``start``: ``role`` is ``interviewer`` or
        ``participant`` (``speaker`` names them; ``following`` settles later turns with the same label too)."""
        with self.transaction() as s:
            result = speaker_assignment.assign_speaker(s, coding_service.require_document(s, document), start,
                                                       role, speaker=speaker, following=following)
            log_event(s, self.user, EventType.TURN_SPEAKER, **result)
            return result

    @requires(Action.READ)
    def participants_view(self) -> dict[str, Any]:
        """What the participants page shows: cases with attributes, partnerships, roles, and each document's
        case (to link transcripts to cases)."""
        with self.reading() as s:
            frame = pd.DataFrame(case_service.case_rows(s))
            documents = [{"document": r["document"], "case": r["case"]} for r in views.document_rows(s)]
            return {"cases": frame, "partnerships": case_service.partnership_rows(s),
                    "roles": taxonomy_service.get_meta(s, "roles", case_service.DEFAULT_ROLES),
                    "documents": documents}

    @requires(Action.READ)
    def partnerships(self) -> list[dict[str, Any]]:
        """The dyads as dicts (first, second, label)."""
        with self.reading() as s:
            return case_service.partnership_rows(s)

    # -- transcripts -------------------------------------------------------------------------------
    @requires(Action.IMPORT)
    def import_transcripts(self, paths: Iterable[str | Path], *, case: str | None = None,
                           allow_unlinked: bool = False, interviewer_labels: Iterable[str] | None = None,
                           progress: importer.ProgressCallback | None = None) -> dict[str, Any]:
        """Import transcript files (txt, docx, odt, vtt, srt) in one transaction."""
        with self.transaction() as s:
            return importer.import_transcripts(s, paths, self.user, case=case, allow_unlinked=allow_unlinked,
                                               interviewer_labels=interviewer_labels, progress=progress)

    @requires(Action.READ)
    def documents(self) -> pd.DataFrame:
        """One row per document with its case, role, size, turns and codings."""
        with self.reading() as s:
            return pd.DataFrame(views.document_rows(s))

    @requires(Action.READ)
    def document_text(self, name: str) -> str:
        """The canonical text of a document (offsets index this string)."""
        with self.reading() as s:
            return coding_service.require_document(s, name).text

    @requires(Action.READ)
    def turns(self, name: str) -> list[dict[str, Any]]:
        """The speaker turns of a document."""
        with self.reading() as s:
            doc = coding_service.require_document(s, name)
            return [{"start": t.start, "end": t.end, "speaker": t.speaker, "is_interviewee": t.is_interviewee,
                     "timestamp": t.timestamp, "text": doc.text[t.start:t.end]} for t in doc.turns]
