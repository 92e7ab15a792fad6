"""Plain data read from a REFI-QDA project (``.qde`` inside a ``.qdpx``), before it touches a database.

:mod:`bctcoder.interop.refi.project_reader` fills these from the XML (tolerantly:
any namespace, braced GUIDs, missing attributes) and loads every source text, so
that storing (:mod:`bctcoder.interop.refi.project_import`) needs no further
file access. GUIDs are lower-case and unbraced; offsets are as written in the
file, in code points of ``RefiSource.raw_text``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

__all__ = [
    "RefiCase", "RefiCode", "RefiCoding", "RefiLink", "RefiNote", "RefiProject", "RefiSelection", "RefiSet",
    "RefiSource", "RefiUser", "RefiValue", "RefiVariable",
]


@dataclass
class RefiUser:
    """A ``<User>``: someone who created codings."""

    guid: str
    name: str


@dataclass
class RefiCode:
    """A ``<Code>`` of the codebook with its nested child codes."""

    guid: str
    name: str
    codable: bool = True
    colour: str | None = None
    description: str | None = None
    note_guids: list[str] = field(default_factory=list)
    children: list[RefiCode] = field(default_factory=list)

    def walk(self, parent: RefiCode | None = None):
        """Yield ``(code, parent)`` for this code and every descendant, parents first."""
        yield self, parent
        for child in self.children:
            yield from child.walk(self)


@dataclass
class RefiVariable:
    """A ``<Variable>`` (case or source attribute) with its REFI type (Text, Integer, ...)."""

    guid: str
    name: str
    type: str = "Text"
    description: str | None = None


@dataclass
class RefiValue:
    """A ``<VariableValue>``: the variable it refers to and the value's element name and text."""

    variable_guid: str | None
    kind: str | None  # TextValue, BooleanValue, IntegerValue, FloatValue, DateValue, DateTimeValue
    text: str | None


@dataclass
class RefiCase:
    """A ``<Case>`` with its variable values and the sources it refers to."""

    guid: str
    name: str | None
    description: str | None = None
    values: list[RefiValue] = field(default_factory=list)
    source_guids: list[str] = field(default_factory=list)
    code_guids: list[str] = field(default_factory=list)


@dataclass
class RefiCoding:
    """A ``<Coding>``: one code applied to a selection (or to a whole source)."""

    guid: str | None
    code_guid: str | None
    user_guid: str | None = None
    created: datetime | None = None
    note_guids: list[str] = field(default_factory=list)


@dataclass
class RefiSelection:
    """A ``<PlainTextSelection>`` (positions in code points of the source's raw text) and its codings."""

    guid: str | None
    start: int
    end: int
    user_guid: str | None = None
    created: datetime | None = None
    modified: datetime | None = None
    description: str | None = None
    note_guids: list[str] = field(default_factory=list)
    codings: list[RefiCoding] = field(default_factory=list)


@dataclass
class RefiSource:
    """A source: for text sources the plain text as read (``raw_text``; None when unavailable)."""

    guid: str
    name: str | None
    kind: str = "TextSource"
    raw_text: str | None = None
    location: str | None = None  # where the text came from (inner path or "embedded"), for messages
    unavailable: str | None = None  # why there is no text (non-text source, rich text only)
    description: str | None = None
    note_guids: list[str] = field(default_factory=list)
    selections: list[RefiSelection] = field(default_factory=list)
    codings: list[RefiCoding] = field(default_factory=list)  # whole-source codings
    values: list[RefiValue] = field(default_factory=list)
    user_guid: str | None = None
    created: datetime | None = None


@dataclass
class RefiNote:
    """A ``<Note>`` (a memo) with its plain text."""

    guid: str
    name: str | None
    text: str
    user_guid: str | None = None


@dataclass
class RefiLink:
    """A ``<Link>`` between two objects (bctcoder writes partnerships between cases as links)."""

    guid: str | None
    name: str | None
    origin_guid: str | None
    target_guid: str | None


@dataclass
class RefiSet:
    """A ``<Set>`` of codes, sources and notes."""

    guid: str | None
    name: str
    description: str | None = None
    source_guids: list[str] = field(default_factory=list)
    code_guids: list[str] = field(default_factory=list)
    note_guids: list[str] = field(default_factory=list)


@dataclass
class RefiProject:
    """Everything read from one REFI-QDA project file, plus the problems met while reading it."""

    file: str
    name: str | None = None
    origin: str | None = None
    users: list[RefiUser] = field(default_factory=list)
    codes: list[RefiCode] = field(default_factory=list)  # top-level codes
    variables: list[RefiVariable] = field(default_factory=list)
    cases: list[RefiCase] = field(default_factory=list)
    sources: list[RefiSource] = field(default_factory=list)
    notes: list[RefiNote] = field(default_factory=list)
    links: list[RefiLink] = field(default_factory=list)
    sets: list[RefiSet] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)

    def skip(self, item: str, reason: str) -> None:
        """Record something not imported, with the reason."""
        self.skipped.append({"item": item, "reason": reason})

    def warn(self, item: str, reason: str) -> None:
        """Record something imported differently from how it was written, with the reason."""
        self.warnings.append({"item": item, "reason": reason})
