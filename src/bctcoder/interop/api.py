"""The exchange half of the Project API: REFI-QDA projects and codebooks, CSV/XLSX codebooks,
QualCoder and Taguette projects (mixed into :class:`bctcoder.project.Project`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from bctcoder.access.context import ProjectContext, requires
from bctcoder.access.roles import Action


class InteropMixin(ProjectContext):
    """Import and export whole projects and codebooks in other tools' formats."""

    @requires(Action.READ)
    def export_qdpx(self, path: str | Path, *, origins: Iterable[str] | None = None,
                    name: str | None = None) -> dict[str, Any]:
        """Write a REFI-QDA project (.qdpx: project.qde + sources/) that NVivo, ATLAS.ti, MAXQDA and
        QualCoder can open. ``origins`` limits which codings go out (default: all)."""
        self._require_whole_view("exporting the project")
        from bctcoder.interop.refi.project_file import export_qdpx

        with self.reading() as s:
            return export_qdpx(s, path, user=self.user, name=name, origins=list(origins) if origins else None)

    @requires(Action.IMPORT)
    def import_qdpx(self, path: str | Path, *, taxonomy_match: bool = True,
                    sources_dir: str | Path | None = None,
                    interviewer_labels: list[str] | None = None) -> dict[str, Any]:
        """Import a REFI-QDA project (.qdpx or .qde) in one transaction; returns a report of what was
        imported, how codes were mapped, and what was skipped and why. Source texts the file keeps
        outside itself (absolute:// or relative:// paths) are read only from inside ``sources_dir``."""
        from bctcoder.interop.refi.project_file import import_qdpx

        with self.transaction() as s:
            return import_qdpx(s, path, user=self.user, taxonomy_match=taxonomy_match, sources_dir=sources_dir,
                               interviewer_labels=interviewer_labels)

    @requires(Action.READ)
    def export_qdc(self, path: str | Path) -> dict[str, Any]:
        """Write the project's taxonomy and inductive codes as a REFI-QDA codebook (.qdc)."""
        from bctcoder.interop.refi.codebook import export_qdc

        with self.reading() as s:
            return export_qdc(s, path)

    @requires(Action.MANAGE_TAXONOMY)
    def import_qdc(self, path: str | Path, *, create_inductive: bool = True) -> dict[str, Any]:
        """Map a REFI-QDA codebook's codes onto the taxonomy (by number or label) or create inductive codes."""
        from bctcoder.interop.refi.codebook import import_qdc

        with self.transaction() as s:
            return import_qdc(s, path, user=self.user, create_inductive=create_inductive)

    @requires(Action.READ)
    def export_codebook(self, path: str | Path, format: str | None = None) -> dict[str, Any]:
        """Write the codebook as CSV or XLSX (id, label, group, description, kind, cues, official_definition)."""
        from bctcoder.interop.codebook_files import export_codebook_table

        with self.reading() as s:
            return export_codebook_table(s, path, format)

    @requires(Action.MANAGE_TAXONOMY)
    def import_codebook_table(self, path: str | Path, *, create_inductive: bool = True) -> dict[str, Any]:
        """Map a CSV/XLSX/YAML codebook onto the taxonomy or create inductive codes (report of the mapping)."""
        from bctcoder.interop.codebook_files import import_codebook_table

        with self.transaction() as s:
            return import_codebook_table(s, path, user=self.user, create_inductive=create_inductive)

    @requires(Action.IMPORT)
    def import_qualcoder(self, path: str | Path, *, interviewer_labels: list[str] | None = None) -> dict[str, Any]:
        """Import a QualCoder project (its folder or data.qda): texts, codes, codings, cases, attributes.
        Documents already in the project (same text, else same name) get the codings."""
        from bctcoder.interop.qualcoder import import_qualcoder

        with self.transaction() as s:
            return import_qualcoder(s, path, user=self.user, interviewer_labels=interviewer_labels)

    @requires(Action.IMPORT)
    def import_taguette(self, path: str | Path, *, project_id: int | None = None,
                        interviewer_labels: list[str] | None = None) -> dict[str, Any]:
        """Import a Taguette database: documents (HTML to text), tags as codes, highlights as codings.
        Documents already in the project (same text, else same name) get the codings."""
        from bctcoder.interop.taguette import import_taguette

        with self.transaction() as s:
            return import_taguette(s, path, user=self.user, project_id=project_id,
                                   interviewer_labels=interviewer_labels)
