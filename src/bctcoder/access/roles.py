"""Who may do what: roles as data, actors with ``can_*`` checks, and blind mode's one rule.

Every library call acts for an :class:`Actor` (a name and a role). The CLI's actor is the OS user (or
``--user NAME``) with the owner role: whoever holds the project file can already read and change all of it.
The web's actor is the signed-in account. The rules live here, once; the CLI and the web only render.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bctcoder.errors import PermissionDenied


class Role(StrEnum):
    """A person's role in a project."""

    OWNER = "owner"
    CODER = "coder"
    VIEWER = "viewer"


class Action(StrEnum):
    """Everything the library checks before it reads or writes on someone's behalf."""

    READ = "read"                          # pages, tables, reports, downloads (blind mode filters them)
    CODE = "code"                          # add codings; change, delete and undo one's own
    REVIEW_SUGGESTIONS = "review"          # accept, change or reject pending suggestions
    ADD_CODE = "add_code"                  # create inductive codes
    EDIT_ANY_CODING = "edit_any_coding"    # change or delete another coder's coding
    UNBLIND = "unblind"                    # see everyone's codings while blind mode is on
    MANAGE_TAXONOMY = "manage_taxonomy"    # promote codes, install codebooks and ontologies, choose suggester
    MANAGE_CASES = "manage_cases"          # cases, attributes, partnerships, roles, case sets
    IMPORT = "import"                      # import transcripts, codings and other tools' projects
    RUN_SUGGESTER = "run_suggester"        # store suggestions for the whole project
    RECONCILE = "reconcile"                # record consensus decisions
    SET_BLIND = "set_blind"                # turn blind mode on or off
    MANAGE_USERS = "manage_users"          # add, remove and change the role of accounts
    COPY_PROJECT = "copy_project"          # copy the whole project (accounts included) to another database
    ASSIGN_SPEAKERS = "assign_speakers"    # say who speaks a transcribed turn (interviewer or participant)
    PSEUDONYMISE = "pseudonymise"          # find identifiers, review their replacements, write the pseudonymised copy


_CODER = frozenset({Action.READ, Action.CODE, Action.REVIEW_SUGGESTIONS, Action.ADD_CODE, Action.ASSIGN_SPEAKERS})
PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.OWNER: frozenset(Action),
    Role.CODER: _CODER,
    Role.VIEWER: frozenset({Action.READ}),
}

DESCRIPTIONS: dict[Action, str] = {
    Action.READ: "read transcripts, tables, reports and downloads",
    Action.CODE: "add codings; change, delete and undo their own",
    Action.REVIEW_SUGGESTIONS: "accept, change or reject suggestions",
    Action.ADD_CODE: "create inductive codes",
    Action.EDIT_ANY_CODING: "change or delete another coder's coding",
    Action.UNBLIND: "see everyone's codings in blind mode",
    Action.MANAGE_TAXONOMY: "promote codes, install codebooks, choose the suggester",
    Action.MANAGE_CASES: "edit cases, attributes, partnerships, roles and case sets",
    Action.IMPORT: "import transcripts, codings and projects",
    Action.RUN_SUGGESTER: "run the suggester over the project",
    Action.RECONCILE: "record consensus decisions",
    Action.SET_BLIND: "turn blind mode on or off",
    Action.MANAGE_USERS: "add and remove accounts, change roles",
    Action.COPY_PROJECT: "copy the whole project to another database",
    Action.ASSIGN_SPEAKERS: "say who speaks a transcribed turn",
    Action.PSEUDONYMISE: "see identifiers, review their replacements, write the pseudonymised copy",
}


def parse_role(value: str, source: str = "role") -> Role:
    """A role from its name, with a one-line error naming the allowed ones."""
    from bctcoder.errors import InputError

    try:
        return Role(value)
    except ValueError:
        raise InputError(f"role must be one of {', '.join(r.value for r in Role)}, not {value!r}",
                         source=source) from None


@dataclass(frozen=True)
class Actor:
    """Who a library call acts for: the name written into codings and the event log, and a role."""

    name: str
    role: Role = Role.OWNER

    def can(self, action: Action) -> bool:
        return action in PERMISSIONS[self.role]

    def require(self, action: Action) -> None:
        """Raise :class:`PermissionDenied` (one readable line) unless this actor may do ``action``."""
        if not self.can(action):
            raise PermissionDenied(f"{self.name} ({self.role.value}) may not {DESCRIPTIONS[action]}")

    @property
    def can_write(self) -> bool:
        return self.can(Action.CODE)

    @property
    def is_owner(self) -> bool:
        return self.role is Role.OWNER

    def sees_only_own_codings(self, blind: bool) -> bool:
        """Blind mode's one rule: while it is on, whoever may not unblind sees only their own codings
        (and the pending suggestions they are asked to review) in every page, table, report and download."""
        return blind and not self.can(Action.UNBLIND)


def permissions_table() -> str:
    """The "who may do what" table as Markdown (ARCHITECTURE.md carries it; a test keeps the two equal)."""
    roles = list(Role)
    lines = ["| action | " + " | ".join(r.value for r in roles) + " |",
             "| --- | " + " | ".join("---" for _ in roles) + " |"]
    for action in Action:
        marks = " | ".join("yes" if action in PERMISSIONS[r] else "—" for r in roles)
        lines.append(f"| {DESCRIPTIONS[action]} | {marks} |")
    return "\n".join(lines)
