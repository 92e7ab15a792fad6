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
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator

import pandas as pd
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from bctcoder import __version__
from bctcoder.agreement.api import AgreementMixin
from bctcoder.analysis.api import AnalysisMixin
from bctcoder.interop.api import InteropMixin
from bctcoder.suggest.api import SuggestMixin
from bctcoder.coding import csv_io
from bctcoder.coding import service as coding_service
from bctcoder.coding.events import event_rows, log_event
from bctcoder.corpus import importer
from bctcoder.errors import ProjectError
from bctcoder.participants import cases as case_service
from bctcoder.store import database
from bctcoder.store.models import (
    Attribute, Case, Code, Coder, Coding, Document, Partnership, Presence, Taxonomy, Turn,
)
from bctcoder.taxonomy import service as taxonomy_service
from bctcoder.taxonomy.builtin import DEFAULT_TAXONOMY, parts_of


def _default_user() -> str:
    try:
        return os.environ.get("BCTCODER_USER") or getpass.getuser()
    except Exception:  # getpass can fail without a login name (containers)
        return "unknown"


class Project(AnalysisMixin, AgreementMixin, SuggestMixin, InteropMixin):
    """A bctcoder project: taxonomy, cases, transcripts and codings in one database.

    Analyses (Table 1, Table 2, summary, fit, coverage, matrix, dyads, quotes,
    comparison, case selection, reports) come from :class:`AnalysisMixin`.
    """

    def __init__(self, url: str, engine, *, user: str | None = None, backup: Path | None = None):
        self.url = url
        self.engine = engine
        self.user = user or _default_user()
        self.last_backup = backup
        self._sessions = sessionmaker(engine, expire_on_commit=False)

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
                log_event(session, project.user, "project.create", taxonomy=taxonomy)
        except Exception:
            engine.dispose()
            if path is not None and path.exists():
                path.unlink()
            raise
        return project

    @classmethod
    def open(cls, path_or_url: str | Path, *, user: str | None = None) -> "Project":
        """Open an existing project, migrating its schema (after a backup) when it is older."""
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
        return cls(url, engine, user=user, backup=backup)

    def close(self) -> None:
        """Release database connections."""
        self.engine.dispose()

    def __enter__(self) -> "Project":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Project({self.url!r})"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in one write transaction: committed at the end, rolled back on any error.

        On SQLite the transaction starts with ``BEGIN IMMEDIATE``: concurrent writers wait their turn
        (busy timeout) rather than fail.
        """
        with self.engine.connect() as conn:
            conn.info[database.WRITE_FLAG] = True
            try:
                with conn.begin():
                    with Session(bind=conn, expire_on_commit=False) as session:
                        yield session
                        session.flush()
            finally:
                conn.info.pop(database.WRITE_FLAG, None)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only session (rolled back at the end)."""
        with self._sessions() as session:
            yield session
            session.rollback()

    # -- facts -------------------------------------------------------------------------------------
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

    def add_role(self, code: str, description: str | None = None) -> None:
        """Allow a further role (e.g. ``Carer``) for cases."""
        with self.transaction() as s:
            roles = dict(taxonomy_service.get_meta(s, "roles", case_service.DEFAULT_ROLES))
            roles[code] = description or code
            taxonomy_service.set_meta(s, "roles", roles)
            log_event(s, self.user, "role.add", role=code)

    # -- taxonomy ----------------------------------------------------------------------------------
    def techniques(self, *, taxonomy: str | None = None) -> list[dict[str, Any]]:
        """The project's techniques as dicts (id, label, group_id, group_label, extension, ...)."""
        with self.reading() as s:
            return taxonomy_service.code_rows(s, taxonomy=taxonomy)

    def codes(self) -> list[dict[str, Any]]:
        """Techniques and inductive codes, with the number of codings of each."""
        with self.reading() as s:
            rows = taxonomy_service.code_rows(s, include_inductive=True)
            counts = dict(s.execute(select(Code.number, func.count(Coding.id)).join(Coding)
                                    .where(Code.number.is_not(None)).group_by(Code.number)).all())
            counts_ind = dict(s.execute(select(Code.label, func.count(Coding.id)).join(Coding)
                                        .where(Code.kind == "inductive").group_by(Code.label)).all())
            for row in rows:
                row["codings"] = counts.get(row["id"], 0) if row["kind"] == "technique" else counts_ind.get(
                    row["label"], 0)
            return rows

    def technique(self, ref: str) -> dict[str, Any]:
        """One technique or code by number or label."""
        with self.reading() as s:
            code = taxonomy_service.require_code(s, ref)
            return taxonomy_service._row(code)

    def add_inductive_code(self, label: str, description: str | None = None, parent: str | None = None) -> dict:
        """Create a code outside the taxonomy (the inductive stage of the analysis)."""
        with self.transaction() as s:
            code = taxonomy_service.add_inductive_code(s, label, description, parent)
            log_event(s, self.user, "code.add", label=label)
            return taxonomy_service._row(code)

    def promote_codes(self, codes: list[str], *, group_label: str, extension: str = "project-extension",
                      descriptions: dict[str, str] | None = None) -> list[dict]:
        """Promote inductive codes into a new technique group of a named taxonomy extension."""
        with self.transaction() as s:
            rows = taxonomy_service.promote(s, codes, group_label=group_label, extension=extension,
                                            descriptions=descriptions)
            log_event(s, self.user, "codes.promote", codes=codes, group=group_label, extension=extension)
            return rows

    def import_bcto(self, path: str | Path) -> dict[str, Any]:
        """Attach the official BCT Ontology's definitions (xlsx or owl) to BCTTv1 techniques."""
        with self.transaction() as s:
            record = taxonomy_service.import_bcto(s, path)
            log_event(s, self.user, "taxonomy.import_bcto", **record)
            return record

    def import_codebook(self, path: str | Path, name: str | None = None) -> dict[str, Any]:
        """Install a user codebook (CSV or YAML: id, label, group, description) as a taxonomy."""
        with self.transaction() as s:
            result = taxonomy_service.import_codebook(s, path, name)
            log_event(s, self.user, "taxonomy.import_codebook", file=str(path), **result)
            return result

    # -- participants ------------------------------------------------------------------------------
    def import_cases(self, path: str | Path, *, update: bool = False) -> dict[str, Any]:
        """Import cases and their attributes from CSV (see :func:`participants.cases.import_cases`)."""
        with self.transaction() as s:
            roles = taxonomy_service.get_meta(s, "roles", case_service.DEFAULT_ROLES)
            result = case_service.import_cases(s, path, roles, update=update)
            log_event(s, self.user, "cases.import", file=str(path), **result)
            return result

    def import_partnerships(self, path: str | Path) -> dict[str, Any]:
        """Import PW–SP dyads from CSV (columns pw,sp)."""
        with self.transaction() as s:
            result = case_service.import_partnerships(s, path)
            log_event(s, self.user, "partnerships.import", file=str(path), **result)
            return result

    def set_case_value(self, case: str, attribute: str, value: str | None) -> None:
        """Set one attribute of a case ("declined" records a refusal, None or "" a missing value)."""
        with self.transaction() as s:
            case_row = case_service.require_case(s, case)
            attr = s.scalar(select(Attribute).where(Attribute.name == attribute))
            if attr is None:
                attr = Attribute(name=attribute, type="text",
                                 position=s.scalar(select(func.count()).select_from(Attribute)))
                s.add(attr)
                s.flush()
            case_service.set_value(s, case_row, attr, value, source=f"{case}.{attribute}")
            log_event(s, self.user, "case.set", case=case, attribute=attribute, value=value)

    def cases(self) -> pd.DataFrame:
        """One row per case: case, role and every attribute."""
        with self.reading() as s:
            return pd.DataFrame(case_service.case_rows(s))

    def partnerships(self) -> list[dict[str, Any]]:
        """The dyads as dicts (first, second, label)."""
        with self.reading() as s:
            return case_service.partnership_rows(s)

    # -- transcripts -------------------------------------------------------------------------------
    def import_transcripts(self, paths: Iterable[str | Path], *, case: str | None = None,
                           allow_unlinked: bool = False, interviewer_labels: Iterable[str] | None = None,
                           progress: importer.ProgressCallback | None = None) -> dict[str, Any]:
        """Import transcript files (txt, docx, odt, vtt, srt) in one transaction."""
        with self.transaction() as s:
            return importer.import_transcripts(s, paths, self.user, case=case, allow_unlinked=allow_unlinked,
                                               interviewer_labels=interviewer_labels, progress=progress)

    def documents(self) -> pd.DataFrame:
        """One row per document with its case, role, size, turns and codings."""
        with self.reading() as s:
            return pd.DataFrame(importer.document_rows(s))

    def document_text(self, name: str) -> str:
        """The canonical text of a document (offsets index this string)."""
        with self.reading() as s:
            return coding_service.require_document(s, name).text

    def turns(self, name: str) -> list[dict[str, Any]]:
        """The speaker turns of a document."""
        with self.reading() as s:
            doc = coding_service.require_document(s, name)
            return [{"start": t.start, "end": t.end, "speaker": t.speaker, "is_interviewee": t.is_interviewee,
                     "timestamp": t.timestamp, "text": doc.text[t.start:t.end]} for t in doc.turns]

    # -- codings -----------------------------------------------------------------------------------
    def add_coding(self, document: str, start: int, end: int, code: str, *, coder: str | None = None,
                   origin: str = "manual", confidence: float | None = None, memo: str | None = None,
                   exemplar: bool = False, model: str | None = None) -> dict[str, Any]:
        """Code ``text[start:end]`` of a document; returns the coding as a dict (with its quote)."""
        with self.transaction() as s:
            coding = coding_service.add_coding(s, self.user, document=document, start=start, end=end, code=code,
                                               coder=coder or self.user, origin=origin, confidence=confidence,
                                               memo=memo, exemplar=exemplar, model=model)
            return coding_service.coding_dict(s, coding)

    def update_coding(self, coding_id: int, **changes: Any) -> dict[str, Any]:
        """Change a coding's span, code, origin, confidence, memo, exemplar flag or coder."""
        with self.transaction() as s:
            return coding_service.coding_dict(s, coding_service.update_coding(s, self.user, coding_id, **changes))

    def delete_coding(self, coding_id: int) -> None:
        """Delete a coding (the event log keeps a copy)."""
        with self.transaction() as s:
            coding_service.delete_coding(s, self.user, coding_id)

    def _blind_filter(self, s: Session, coders: Iterable[str] | None, as_coder: str | None,
                      unblind: bool = False):
        if as_coder is not None:
            return [as_coder]
        if not unblind and taxonomy_service.get_meta(s, "blind", False):
            raise ProjectError("blind coding is on: codings are shown to one coder at a time "
                               "(pass as_coder=NAME, CLI --as NAME; or turn blind mode off)")
        return coders

    def codings(self, *, coders: Iterable[str] | None = None, origins: Iterable[str] | None = None,
                documents: Iterable[str] | None = None, codes: Iterable[str] | None = None,
                as_coder: str | None = None, unblind: bool = False) -> pd.DataFrame:
        """Codings as a DataFrame (one row per coding, with quote, case and role).

        In blind mode (:meth:`set_blind`) pass ``as_coder`` to see that coder's codings only, or
        ``unblind=True`` (the project's owner, reconciling) to see everyone's.
        """
        with self.reading() as s:
            coders = self._blind_filter(s, coders, as_coder, unblind)
            rows = coding_service.coding_rows(s, coders=coders, origins=origins, documents=documents, codes=codes)
            return pd.DataFrame(rows, columns=csv_io.CODING_EXPORT_COLUMNS)

    def import_codings(self, path: str | Path, *, coder: str | None = None, create_codes: bool = True,
                       skip_invalid: bool = False) -> dict[str, Any]:
        """Import codings from CSV (offsets checked against quotes; quotes located when no offsets)."""
        with self.transaction() as s:
            return csv_io.import_codings_csv(s, path, self.user, coder=coder, create_codes=create_codes,
                                             skip_invalid=skip_invalid)

    def export_codings(self, path: str | Path | None = None, *, as_coder: str | None = None,
                       **filters: Any) -> str:
        """Codings as CSV text; written to ``path`` when given (blind mode: ``as_coder`` required)."""
        with self.reading() as s:
            filters["coders"] = self._blind_filter(s, filters.get("coders"), as_coder)
            text = csv_io.export_codings_csv(s, **filters)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    def import_presence(self, path: str | Path, *, by: str | None = None, coder: str | None = None) -> dict:
        """Import presence records (a published Table 2, or document/case-level presence)."""
        with self.transaction() as s:
            return csv_io.import_presence_csv(s, path, self.user, by=by, coder=coder)

    def presence(self) -> pd.DataFrame:
        """Stored presence records."""
        with self.reading() as s:
            return pd.DataFrame(csv_io.presence_rows(s),
                                columns=["code", "scope", "attribute", "target", "present", "coder", "source"])

    def coders(self) -> list[str]:
        """Names of every coder in the project."""
        with self.reading() as s:
            return list(s.scalars(select(Coder.name).order_by(Coder.name)))

    def events(self, limit: int | None = None, action: str | None = None) -> list[dict[str, Any]]:
        """The event log, newest first."""
        with self.reading() as s:
            return event_rows(s, limit=limit, action=action)
