"""Lifecycles declared as data, and the one helper that applies a transition.

Each object with a lifecycle (adhesion, account, imagery request) declares its transitions
once, in `lifecycle/<object>.py`: from which states, to which state, which parties may apply
it, what it requires and what follows. Auth functions, actions, the `actions` list of every
`*_show`, the buttons of the pages and the README's permission table all read that table;
nothing else states a lifecycle rule.

`apply` is the only code that changes an object's state: it checks the declared rule and its
requirements, writes the audit event in the same transaction, commits (or leaves the commit
to the caller under `defer_commit`) and sends the object's signal once the transaction that
makes the change true has committed — never before, and never after a rollback. The emails
and documents a transition calls for are outbox rows written in the same transaction
(`follow`, notifications/), so they exist exactly when the change does.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.types import Context, DataDict
from sqlalchemy import orm

from ..access.roles import Roles
from ..model.base import utcnow
from . import audit

log = logging.getLogger(__name__)

# The state of an object that does not exist yet (creation transitions start from it).
NEW: str | None = None

Errors = dict[str, list[str]]


@dataclasses.dataclass(frozen=True)
class Party:
    """Someone who may apply a transition: a predicate over the caller's roles and the
    object (None when the object does not exist yet, then `subject` is what it is for)."""

    key: str
    # Plain English for the generated README table (what the predicate means).
    description: str
    test: Callable[[Roles, Any], bool]

    def __call__(self, roles: Roles, subject: Any) -> bool:
        return bool(self.test(roles, subject))


@dataclasses.dataclass(frozen=True)
class Requirement:
    """A condition a transition needs beyond the state, with field-level errors."""

    key: str
    description: str
    check: Callable[[Any, DataDict], Errors]


@dataclasses.dataclass(frozen=True)
class Transition:
    name: str  # also the audit event's action
    from_states: tuple[str | None, ...]
    to_state: str | None  # None: the state does not change (edits, checks)
    parties: tuple[Party, ...]
    action: str  # the API action, without the `dinamis_relay_<object>_` prefix
    requires: tuple[Requirement, ...] = ()
    follows: tuple[str, ...] = ()  # what happens after commit, for the README
    # Applied by the system (cron, membership sync), never offered as a button.
    automatic: bool = False

    def allows(self, roles: Roles, subject: Any) -> bool:
        return any(party(roles, subject) for party in self.parties)

    def errors(self, subject: Any, data_dict: DataDict) -> Errors:
        errors: Errors = {}
        for requirement in self.requires:
            for field, messages in requirement.check(subject, data_dict).items():
                errors.setdefault(field, []).extend(messages)
        return errors


@dataclasses.dataclass(frozen=True)
class Lifecycle:
    object_type: str
    states: tuple[str, ...]
    transitions: tuple[Transition, ...]
    state_label: Callable[[str], str]
    signal: Any = None

    def rule(self, name: str, state: str | None) -> Transition | None:
        """The declared transition `name` from `state`, if any."""
        return next(
            (t for t in self.transitions if t.name == name and state in t.from_states), None
        )

    def for_action(self, action: str) -> tuple[Transition, ...]:
        return tuple(t for t in self.transitions if t.action == action)

    def may_act(self, roles: Roles, subject: Any, action: str, state: Any = ...) -> bool:
        """Whether the caller plays a part allowed to call `action` on this object (from its
        current state, or from `state` when given)."""
        if state is ...:
            state = getattr(subject, "state", NEW)
        return any(
            state in t.from_states and t.allows(roles, subject) for t in self.for_action(action)
        )

    def may_ever(self, roles: Roles, subject: Any, action: str) -> bool:
        """Whether the caller plays a part allowed to call `action` in some state: what auth
        functions answer (the action itself then refuses a wrong state with a clear error)."""
        return any(t.allows(roles, subject) for t in self.for_action(action))

    def allowed(self, roles: Roles, subject: Any) -> list[str]:
        """Transition names the caller may apply now, in declaration order: the `actions`
        of the `*_show` results and the buttons of the pages."""
        state = getattr(subject, "state", NEW)
        names = (
            t.name
            for t in self.transitions
            if state in t.from_states
            and not t.automatic
            and NEW not in t.from_states
            and t.allows(roles, subject)
        )
        return list(dict.fromkeys(names))

    def state_error(self, name: str, state: str | None) -> tk.ValidationError:
        return tk.ValidationError(
            {
                "state": [
                    tk._("“{transition}” is not possible while the status is “{state}”.").format(
                        transition=transition_label(self.object_type, name),
                        state=self.state_label(state or ""),
                    )
                ]
            }
        )


def transition_label(object_type: str, name: str) -> str:
    """The translated name of a transition, for messages and buttons."""
    from .. import labels

    return labels.transition(object_type, name)


# --- After commit ----------------------------------------------------------------------

_PENDING = "dinamis_relay_after_commit"


def on_commit(session: Any, callback: Callable[[], None]) -> None:
    """Run `callback` once the session's current transaction commits; dropped if it rolls
    back. Callbacks run inside SQLAlchemy's after_commit event: they may queue jobs and send
    signals but must not use the session (receivers that need the database do it in a job).
    """
    session.info.setdefault(_PENDING, []).append(callback)


@sa.event.listens_for(orm.Session, "after_commit")
def _run_pending(session: orm.Session) -> None:
    for callback in session.info.pop(_PENDING, []):
        try:
            callback()
        except Exception:
            # The change is committed: a failing receiver is logged, not turned into an error
            # for a caller whose request succeeded.
            log.exception("An after-commit receiver of dinamis_relay failed")


@sa.event.listens_for(orm.Session, "after_rollback")
def _drop_pending(session: orm.Session) -> None:
    session.info.pop(_PENDING, None)


# --- Applying a transition -------------------------------------------------------------


def session_of(context: Context) -> Any:
    return context.get("session") or model.Session


def finish(context: Context) -> None:
    """Commit, unless the caller asked to commit itself (`defer_commit`): then the signals
    wait for the caller's commit, and a rollback drops them."""
    if not context.get("defer_commit"):
        session_of(context).commit()


def refuse(context: Context, error: Exception) -> None:
    """Roll back (the row lock and anything staged) and raise: a refused call changes
    nothing."""
    session_of(context).rollback()
    raise error


def apply(
    context: Context,
    lifecycle: Lifecycle,
    subject: Any,
    name: str,
    data_dict: DataDict | None = None,
    *,
    actor_id: str | None,
    from_state: Any = ...,
    rule_state: Any = ...,
    prepare: Callable[[Any], None] | None = None,
    comment: str | None = None,
    data: dict[str, Any] | None = None,
    actor_label: str | None = None,
    follow: Callable[[Any], None] | None = None,
    commit: bool = True,
) -> str | None:
    """Apply the declared transition `name` to a locked object, or to a new one (not yet in
    the session, `from_state` NEW).

    Checks the rule from `rule_state` (default: the object's state; a new application
    passes the state of the one it replaces) and its requirements, sets the state, runs
    `prepare` (the transition's own field changes, which may still refuse), journals the
    change and runs `follow` (which writes the emails and documents into the outbox, in the
    same transaction), then commits unless `commit=False` or `defer_commit`. The lifecycle's
    signal is sent after the commit that makes the change true, never after a rollback.
    Refusals roll back and raise. Returns the state the object left."""
    if from_state is ...:
        from_state = getattr(subject, "state", NEW)
    if rule_state is ...:
        rule_state = from_state
    rule = lifecycle.rule(name, rule_state)
    session = session_of(context)
    try:
        if rule is None:
            raise lifecycle.state_error(name, rule_state)
        errors = rule.errors(subject, data_dict or {})
        if errors:
            raise tk.ValidationError(errors)
        if rule.to_state is not None:
            subject.state = rule.to_state
        subject.modified = utcnow()
        if prepare is not None:
            prepare(subject)
        session.add(subject)
        if subject.id is None:
            session.flush()
    except (tk.ValidationError, tk.NotAuthorized, tk.ObjectNotFound) as error:
        refuse(context, error)
    audit.record(
        object_type=lifecycle.object_type,
        object_id=subject.id,
        organization_id=getattr(subject, "organization_id", None),
        action=name,
        from_state=from_state,
        to_state=subject.state,
        user_id=actor_id,
        actor_label=actor_label,
        comment=comment,
        data=data,
    )
    if follow is not None:
        follow(subject)
    if lifecycle.signal is not None:
        on_commit(
            session,
            _signal_sender(
                lifecycle.signal,
                subject.id,
                action=name,
                from_state=from_state,
                to_state=subject.state,
                user_id=actor_id,
            ),
        )
    if commit:
        finish(context)
    return from_state


def _signal_sender(signal: Any, sender: str, **kwargs: Any) -> Callable[[], None]:
    def send() -> None:
        signal.send(sender, **kwargs)

    return send


def lock_or_404(context: Context, model_class: Any, object_id: Any, message: str) -> Any:
    """The object by id, locked for the transition; ObjectNotFound otherwise."""
    found = (
        model_class.locked(session_of(context), object_id) if isinstance(object_id, str) else None
    )
    if found is None:
        raise tk.ObjectNotFound(message)
    return found


def check_access(context: Context, auth_name: str, data_dict: DataDict) -> None:
    """`tk.check_access`, rolling back (the row lock) when refused."""
    try:
        tk.check_access(auth_name, context, data_dict)
    except tk.NotAuthorized as error:
        refuse(context, error)


def table_rows(lifecycle: Lifecycle) -> Iterable[dict[str, str]]:
    """One row per transition for the generated README table."""
    for t in lifecycle.transitions:
        yield {
            "transition": t.name,
            "action": t.action,
            "from": ", ".join("(new)" if s is None else s for s in t.from_states),
            "to": t.to_state or "(unchanged)",
            "who": "; ".join(p.description for p in t.parties),
            "requires": "; ".join(r.description for r in t.requires) or "—",
            "follows": "; ".join(t.follows) or "—",
            "automatic": "yes" if t.automatic else "",
        }
