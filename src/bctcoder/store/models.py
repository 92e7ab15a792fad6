"""SQLAlchemy models: the project's tables.

The schema is dialect-neutral (no SQLite-only types) so the same migrations run
on SQLite and PostgreSQL. Offsets are Unicode code points from 0 into
``Document.text`` (REFI-QDA's rule); ``text[start:end]`` is a coding's quote.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

ORIGINS = ("manual", "suggested", "accepted", "rejected", "consensus")
"""Where a coding came from. ``suggested`` and ``rejected`` never count in analyses."""

COUNTING_ORIGINS = ("manual", "accepted", "consensus")
"""Origins whose codings count as evidence in tables and statistics."""

CONSENSUS_CODER = "consensus"
"""The coder name under which reconciliation records the team's decisions."""

CODER_ORIGINS = ("manual", "accepted")
"""Origins of one coder's own judgements (what agreement compares; consensus codings are the team's)."""

VALUE_STATUSES = ("value", "declined", "missing")
ATTRIBUTE_TYPES = ("text", "integer", "number", "boolean", "date")
PRESENCE_SCOPES = ("document", "case", "attribute")
CODE_KINDS = ("technique", "inductive")
PSEUDONYM_DECISIONS = ("pending", "accepted", "rejected")
"""A proposed replacement of an identifier: not yet reviewed, to be applied, or left as it is."""


def utcnow() -> datetime:
    """The current time in UTC, stored naive (ISO text on SQLite)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every bctcoder table (named constraints, for portable migrations)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Meta(Base):
    """Project-level key/value settings (active taxonomy, created-with version, ...)."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Taxonomy(Base):
    """A taxonomy or codebook installed in the project, with its exact version and source."""

    __tablename__ = "taxonomy"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    version: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(Text)  # "built-in", a file path, "promoted"
    citation: Mapped[str | None] = mapped_column(Text)
    is_extension: Mapped[bool] = mapped_column(Boolean, default=False)
    extends: Mapped[str | None] = mapped_column(String(100))
    installed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    groups: Mapped[list[CodeGroup]] = relationship(back_populates="taxonomy", order_by="CodeGroup.position")


class CodeGroup(Base):
    """A group of techniques ("3 Social support", "17 Relational aspects")."""

    __tablename__ = "code_group"
    __table_args__ = (UniqueConstraint("taxonomy_id", "number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    taxonomy_id: Mapped[int] = mapped_column(ForeignKey("taxonomy.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(Integer, default=0)
    taxonomy: Mapped[Taxonomy] = relationship(back_populates="groups")


class Code(Base):
    """Something a passage can be coded with.

    ``kind='technique'`` codes belong to a taxonomy group and carry a number
    ("3.1"); ``kind='inductive'`` codes live outside any taxonomy (number and
    group null) until promoted into an extension group, at which point the same
    row gains a group and a number, so its codings follow it.
    """

    __tablename__ = "code"
    __table_args__ = (
        CheckConstraint("kind IN ('technique', 'inductive')", name="kind"),
        UniqueConstraint("taxonomy_id", "number"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    taxonomy_id: Mapped[int | None] = mapped_column(ForeignKey("taxonomy.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("code_group.id", ondelete="CASCADE"))
    number: Mapped[str | None] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    cues: Mapped[str | None] = mapped_column(Text)  # JSON list of cue phrases
    official_definition: Mapped[str | None] = mapped_column(Text)
    definition_source: Mapped[str | None] = mapped_column(Text)
    colour: Mapped[str | None] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("code.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    group: Mapped[CodeGroup | None] = relationship()
    taxonomy: Mapped[Taxonomy | None] = relationship()


class Coder(Base):
    """A person (or model, or the ``consensus`` pseudo-coder) who codes."""

    __tablename__ = "coder"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class Case(Base):
    """A participant (the unit of analysis), e.g. ``Interviewee_PW1``."""

    __tablename__ = "case"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(50))
    memo: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    values: Mapped[list[CaseValue]] = relationship(back_populates="case", cascade="all, delete-orphan")


class Attribute(Base):
    """A typed case attribute (sex, ethnicity, age band, setting, ...)."""

    __tablename__ = "attribute"
    __table_args__ = (
        CheckConstraint(
            "type IN ('text', 'integer', 'number', 'boolean', 'date')", name="type"
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    type: Mapped[str] = mapped_column(String(20), default="text")
    position: Mapped[int] = mapped_column(Integer, default=0)


class CaseValue(Base):
    """One case's value of one attribute; ``status`` separates declined from missing."""

    __tablename__ = "case_value"
    __table_args__ = (
        CheckConstraint("status IN ('value', 'declined', 'missing')", name="status"),
    )
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), primary_key=True)
    attribute_id: Mapped[int] = mapped_column(
        ForeignKey("attribute.id", ondelete="CASCADE"), primary_key=True
    )
    value: Mapped[str | None] = mapped_column(Text)  # canonical text form of the typed value
    status: Mapped[str] = mapped_column(String(20), default="value")
    case: Mapped[Case] = relationship(back_populates="values")
    attribute: Mapped[Attribute] = relationship()


class Partnership(Base):
    """A dyad between two cases (a peer worker and the person they support)."""

    __tablename__ = "partnership"
    __table_args__ = (UniqueConstraint("first_case_id", "second_case_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    first_case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    second_case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    label: Mapped[str | None] = mapped_column(String(200))


class Document(Base):
    """A transcript: canonical plain text (LF line ends) linked to a case."""

    __tablename__ = "document"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    source_format: Mapped[str] = mapped_column(String(20))
    source_path: Mapped[str | None] = mapped_column(Text)
    layout: Mapped[str | None] = mapped_column(String(40))
    memo: Mapped[str | None] = mapped_column(Text)
    imported_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # the coders say every technique in it is coded: its uncoded interviewee passages teach "no technique"
    fully_coded: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    case: Mapped[Case | None] = relationship()
    turns: Mapped[list[Turn]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="Turn.start"
    )


class Turn(Base):
    """A speaker turn: the utterance span ``text[start:end]`` of one speaker."""

    __tablename__ = "turn"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[str] = mapped_column(String(200))
    is_interviewee: Mapped[bool] = mapped_column(Boolean)
    timestamp: Mapped[float | None] = mapped_column(Float)
    document: Mapped[Document] = relationship(back_populates="turns")


class Coding(Base):
    """A code applied to ``document.text[start:end]`` by a coder."""

    __tablename__ = "coding"
    __table_args__ = (
        CheckConstraint(
            "origin IN ('manual', 'suggested', 'accepted', 'rejected', 'consensus')",
            name="origin",
        ),
        CheckConstraint("start >= 0 AND \"end\" > start", name="span"),
        {"sqlite_autoincrement": True},   # ids are never reused: undo and the event log name codings by id
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    code_id: Mapped[int] = mapped_column(ForeignKey("code.id", ondelete="CASCADE"), index=True)
    coder_id: Mapped[int] = mapped_column(ForeignKey("coder.id", ondelete="CASCADE"))
    origin: Mapped[str] = mapped_column(String(20), default="manual")
    confidence: Mapped[float | None] = mapped_column(Float)
    model: Mapped[str | None] = mapped_column(String(200))
    memo: Mapped[str | None] = mapped_column(Text)
    exemplar: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Bumped by every ORM change: undo reverts a change only while the row is as that change left it.
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    document: Mapped[Document] = relationship()
    code: Mapped[Code] = relationship()
    coder: Mapped[Coder] = relationship()

    __mapper_args__ = {"version_id_col": version}


class Presence(Base):
    """A presence/absence record without a text span (e.g. a published Table 2).

    ``scope`` is ``document`` (target = document name), ``case`` (target = case
    key) or ``attribute`` (``attribute`` names it, target = its value, e.g.
    role = PW).
    """

    __tablename__ = "presence"
    __table_args__ = (
        CheckConstraint("scope IN ('document', 'case', 'attribute')", name="scope"),
        UniqueConstraint("code_id", "scope", "attribute", "target", "coder_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_id: Mapped[int] = mapped_column(ForeignKey("code.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(20))
    attribute: Mapped[str | None] = mapped_column(String(100))
    target: Mapped[str] = mapped_column(String(300))
    coder_id: Mapped[int | None] = mapped_column(ForeignKey("coder.id", ondelete="CASCADE"))
    present: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    code: Mapped[Code] = relationship()
    coder: Mapped[Coder | None] = relationship()


class CaseSet(Base):
    """A named selection of cases (e.g. the transcripts chosen by coverage)."""

    __tablename__ = "case_set"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str | None] = mapped_column(Text)


class CaseSetMember(Base):
    """Membership of a case in a case set."""

    __tablename__ = "case_set_member"
    set_id: Mapped[int] = mapped_column(ForeignKey("case_set.id", ondelete="CASCADE"), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), primary_key=True)


class CaseSetDocument(Base):
    """Membership of a document in a set (a document set from another tool, e.g. REFI-QDA's sets of
    sources): ``--set`` then covers the document even when it is linked to no case."""

    __tablename__ = "case_set_document"
    set_id: Mapped[int] = mapped_column(ForeignKey("case_set.id", ondelete="CASCADE"), primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), primary_key=True)


class Event(Base):
    """The audit trail: one row per change (who, when, what)."""

    __tablename__ = "event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    user: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100))
    payload: Mapped[str] = mapped_column(Text)  # JSON


class PseudonymProposal(Base):
    """An identifier found in a transcript and the bracketed replacement proposed for it (#16).

    Nothing in the transcript changes until the owner applies the accepted proposals, which writes a new,
    pseudonymised project; ``original`` is the identifying text itself, so only owners may read this table.
    """

    __tablename__ = "pseudonym_proposal"
    __table_args__ = (
        CheckConstraint("decision IN ('pending', 'accepted', 'rejected')", name="decision"),
        CheckConstraint("start >= 0 AND \"end\" > start", name="span"),
        UniqueConstraint("document_id", "start", "end", name="uq_pseudonym_proposal_span"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    original: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(20))
    replacement: Mapped[str] = mapped_column(String(200))
    entity: Mapped[str] = mapped_column(String(300))
    score: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(100))
    decision: Mapped[str] = mapped_column(String(10), default="pending", server_default="pending")
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)


class PassageEmbedding(Base):
    """Cached sentence embedding of a passage text for one model (float32 bytes), keyed by the text's hash."""

    __tablename__ = "passage_embedding"
    model: Mapped[str] = mapped_column(String(200), primary_key=True)
    text_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    dimension: Mapped[int] = mapped_column(Integer)
    vector: Mapped[bytes] = mapped_column(LargeBinary)


class AppUser(Base):
    """A person who may sign in to the web workspace, with a role in this project.

    Roles: ``owner`` (everything, including users), ``coder`` (code and review), ``viewer`` (read only).
    Passwords are stored as argon2 hashes only.
    """

    __tablename__ = "app_user"
    __table_args__ = (CheckConstraint("role IN ('owner', 'coder', 'viewer')", name="role"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class WebSession(Base):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored here.

    Deleting the row signs the browser out at once (sign-out, ``users remove``, ``users role``). Account
    sessions re-read the account's role on every request; token sessions (``account`` false) act as the
    person who started the server, as owner.
    """

    __tablename__ = "web_session"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user: Mapped[str] = mapped_column(String(200), index=True)
    account: Mapped[bool] = mapped_column(Boolean)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
