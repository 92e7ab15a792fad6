"""Where an imported document's codings go when the project may already hold the document.

Every importer matches a document first by its canonical text (the SHA-256 of the text, whatever its name),
then by name; a name match with a different text moves each coding to where its passage occurs.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bctcoder.store.models import Coder, Coding, Document


@dataclass
class Placement:
    """A new document, or one already in the project.

    ``how`` is ``new``, ``same text`` (canonical-text hash matched) or ``same name`` (the project's document of
    that name has a different text: each coding is moved to where its passage occurs there)."""

    document: Document
    how: str
    source_text: str

    def span(self, start: int, end: int) -> tuple[int, int] | str:
        """The span in the project's document, or the reason the passage is not there."""
        if self.how != "same name":
            return start, end
        quote, text = self.source_text[start:end], self.document.text
        hits, at = [], text.find(quote)
        while at >= 0 and quote:
            hits.append(at)
            at = text.find(quote, at + 1)
        if not hits:
            return f"its passage is not in the project's document {self.document.name!r} (the texts differ)"
        best = min(hits, key=lambda h: abs(h - start))
        return best, best + len(quote)


def find_existing(session: Session, sha256: str, name: str) -> tuple[Document | None, str]:
    """The project's document with this canonical text, else with this name, and how it matched."""
    same = session.scalar(select(Document).where(Document.sha256 == sha256))
    if same is not None:
        return same, "same text"
    return session.scalar(select(Document).where(Document.name == name)), "same name"


def coding_keys(session: Session, document_id: int, *, with_origin: bool = False) -> set[tuple]:
    """(document id, start, end, code id, coder name[, origin]) of every coding of a document: what a
    re-import skips."""
    columns = [Coding.document_id, Coding.start, Coding.end, Coding.code_id, Coder.name]
    columns += [Coding.origin] if with_origin else []
    return {tuple(row) for row in session.execute(select(*columns).join(Coder, Coding.coder_id == Coder.id)
                                                  .where(Coding.document_id == document_id))}
