"""REFI-QDA project exchange (``.qdpx``): export a bctcoder project, import one written by any QDA tool.

A ``.qdpx`` is a zip holding ``project.qde`` (QDA-XML Project 1.0) and ``sources/`` (one UTF-8 plain
text per transcript). Offsets in both directions are Unicode code points, REFI-QDA's rule and
bctcoder's. The mapping is described in :mod:`bctcoder.interop.refi.project_writer` (export) and
:mod:`bctcoder.interop.refi.project_import` (import); :mod:`bctcoder.interop.refi.code_mapping`
explains how imported codes meet the taxonomy.

Both functions take an open session and never commit: the caller (``Project``) owns the transaction,
so a failed import leaves the project unchanged.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path
from typing import Any, Iterable

from lxml import etree
from sqlalchemy.orm import Session

from bctcoder.coding.events import EventType, log_event
from bctcoder.errors import InputError
from bctcoder.interop.refi.project_import import store_project
from bctcoder.interop.refi.project_reader import read_refi_project
from bctcoder.interop.refi.project_writer import build_project

__all__ = ["export_qdpx", "import_qdpx", "qde_bytes", "report_lines"]

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed member times: the same project gives the same zip members


def qde_bytes(root) -> bytes:
    """The serialised ``project.qde`` (UTF-8 with an XML declaration, indented)."""
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def _member(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def export_qdpx(session: Session, path: str | Path, *, user: str, name: str | None = None,
                origins: Iterable[str] | None = None) -> dict[str, Any]:
    """Write the project as a REFI-QDA ``.qdpx`` file (atomically: ``NAME.part``, then renamed).

    ``name`` is the REFI project name (default: the file's stem); ``origins``
    limits the exported codings (default: all, so a re-import restores
    suggestions and rejected suggestions too); ``user`` is recorded as the
    project's creating user when it is one of the coders. Returns counts of
    what was written and ``not_exported``: what QDA-XML cannot hold.
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise InputError(f"folder {path.parent} does not exist", source=str(path))
    root, sources, summary = build_project(session, name=name or path.stem, user=user, origins=origins)
    partial = path.with_name(path.name + ".part")
    try:
        with zipfile.ZipFile(partial, "w") as archive:
            _member(archive, "project.qde", qde_bytes(root))
            for file_name, text in sources.items():
                _member(archive, f"sources/{file_name}", text.encode("utf-8"))
        os.replace(partial, path)
    except OSError as exc:
        raise InputError(f"cannot write the file ({exc.strerror or exc})", source=str(path)) from None
    finally:
        if partial.exists():
            partial.unlink()
    return {"path": str(path), **summary}


def import_qdpx(session: Session, path: str | Path, *, user: str, taxonomy_match: bool = True,
                sources_dir: str | Path | None = None, interviewer_labels: list[str] | None = None) -> dict[str, Any]:
    """Import a REFI-QDA project (``.qdpx`` zip or bare ``.qde``) into the project open in ``session``.

    Everything is read (and every source text loaded) before anything is
    stored; a file that cannot be read raises :class:`InputError` naming it.
    Source texts are read from inside the file; those it stores elsewhere
    only from inside ``sources_dir`` (see :func:`read_refi_project`).
    Everything else that cannot be imported is listed in the returned report
    (``skipped`` and ``warnings``: ``{"item", "reason"}``) next to ``counts``
    and ``code_mapping``. Logged as one ``project.import_qdpx`` event.
    """
    refi = read_refi_project(path, sources_dir=sources_dir)
    report = store_project(session, refi, user=user, taxonomy_match=taxonomy_match,
                           interviewer_labels=interviewer_labels)
    log_event(session, user, EventType.PROJECT_IMPORT_QDPX, file=str(path), skipped=len(report["skipped"]),
              warnings=len(report["warnings"]), **report["counts"])
    return report


def report_lines(report: dict[str, Any]) -> list[str]:
    """An import report as readable lines: counts, then each skipped item and warning with its reason."""
    counts = report.get("counts", {})
    lines = [f"Imported {report.get('file')}: " + ", ".join(f"{v} {k.replace('_', ' ')}"
                                                           for k, v in counts.items() if v)]
    for name, speakers in report.get("speakers", {}).items():
        who = ", ".join(f"{s['speaker']} ({s['turns']}{', interviewer' if s['interviewer'] else ''}"
                        f"{', guessed' if s['guessed'] else ''})" for s in speakers)
        lines.append(f"{name}: speakers {who or 'none'}")
    for m in report.get("documents_matched", []):
        lines.append(f"Matched {m['imported_as']!r} to the project's document {m['document']!r} ({m['matched_by']})")
    mapping = report.get("code_mapping", [])
    if mapping:
        lines.append(f"Codes: {len(mapping)} in the file; " + ", ".join(
            f"{sum(1 for m in mapping if m['how'] == how)} {how}" for how in dict.fromkeys(m["how"] for m in mapping)))
    for title, key in (("Skipped", "skipped"), ("Warnings", "warnings")):
        entries = report.get(key, [])
        if entries:
            lines.append(f"{title} ({len(entries)}):")
            lines.extend(f"  {e['item']}: {e['reason']}" for e in entries)
    return lines
