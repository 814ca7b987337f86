"""The input layer every plugin action goes through before its schema and its body.

`validate(schema)` replaces CKAN's decorator of the same name and, in this order:

1. refuses anonymous callers of actions whose auth function does not allow anonymous
   access (CKAN's own check lets them through the API, where the anonymous user object is
   truthy), before any validation is paid for;
2. screens the raw input at a cost bounded by its size: the whole body at most
   `ckanext.dinamis_relay.input.max_body_chars` characters, nesting at most
   `ckanext.dinamis_relay.input.max_depth` levels, no NUL character nor lone surrogate in
   any key or text (PostgreSQL refuses them at commit, or the driver cannot encode them);
3. runs the navl schema, whose validators check each value's type before its value.

Each refusal is a ValidationError naming the top-level field (or NotAuthorized).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Action, Context, DataDict, Schema

from ..validators import bad_characters


def core_messages() -> tuple[str, ...]:
    """CKAN's API wraps our NotAuthorized and ObjectNotFound messages in these, which CKAN's
    French catalogue lacks; listed here so that the plugin's catalogue (merged into CKAN's)
    translates them. Never called."""
    return (tk._("Access denied: %s"), tk._("Not found: %s"))


def max_body_chars() -> int:
    return int(tk.config.get("ckanext.dinamis_relay.input.max_body_chars") or 3_000_000)


def max_depth() -> int:
    return int(tk.config.get("ckanext.dinamis_relay.input.max_depth") or 20)


def _is_anonymous(context: Context) -> bool:
    if context.get("ignore_auth"):
        return False
    return not context.get("user")


def _public(action_name: str) -> bool:
    from .. import auth

    function = getattr(auth, action_name, None)
    return bool(getattr(function, "auth_allow_anonymous_access", False))


def refuse_anonymous(action_name: str, context: Context) -> None:
    if _is_anonymous(context) and not _public(action_name):
        raise tk.NotAuthorized(tk._("Log in to do this"))


def _field_problem(value: Any, limit_chars: int, limit_depth: int) -> tuple[str | None, int]:
    """(translated problem or None, characters seen) for one top-level value: an explicit
    stack, so neither depth nor size can exhaust Python's recursion or the budget."""
    seen = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit_depth:
            return tk._("Nested too deeply (at most {n} levels)").format(n=limit_depth), seen
        if isinstance(item, str):
            seen += len(item)
            if seen > limit_chars:
                return None, seen
            problem = bad_characters(item)
            if problem:
                return problem, seen
        elif isinstance(item, dict):
            for key, child in item.items():
                if isinstance(key, str):
                    seen += len(key)
                    problem = bad_characters(key)
                    if problem:
                        return problem, seen
                stack.append((child, depth + 1))
        elif isinstance(item, (list, tuple)):
            seen += len(item)
            stack.extend((child, depth + 1) for child in item)
        else:
            seen += 1
        if seen > limit_chars:
            return None, seen
    return None, seen


def screen(data_dict: Any) -> DataDict:
    """The raw input, or a ValidationError naming the field that breaks a limit."""
    if not isinstance(data_dict, dict):
        raise tk.ValidationError({"__input": [tk._("Give the parameters as a JSON object")]})
    budget = max_body_chars()
    depth = max_depth()
    for key, value in data_dict.items():
        field = key if isinstance(key, str) else "__input"
        problem = bad_characters(key) if isinstance(key, str) else None
        if problem:
            raise tk.ValidationError({"__input": [problem]})
        problem, seen = _field_problem(value, budget, depth)
        if problem:
            raise tk.ValidationError({field: [problem]})
        budget -= seen
        if budget < 0:
            raise tk.ValidationError(
                {
                    field: [
                        tk._("The request is too large (at most {n} characters)").format(
                            n=max_body_chars()
                        )
                    ]
                }
            )
    return data_dict


def validate(schema_func: Callable[[], Schema]) -> Callable[[Action], Action]:
    """Like ckan.logic.validate, behind the anonymous refusal and the screening above."""

    def decorator(action: Action) -> Action:
        @functools.wraps(action)
        def wrapper(context: Context, data_dict: DataDict) -> Any:
            refuse_anonymous(action.__name__, context)
            data_dict = screen(data_dict)
            data, errors = tk.navl_validate(data_dict, schema_func(), context)
            if errors:
                raise tk.ValidationError(errors)
            return action(context, data)

        # The fuzz generator (tests/fuzzing.py) reads the fields of each action from here.
        wrapper.dinamis_relay_schema = schema_func  # type: ignore[attr-defined]  # an attribute on a function
        return wrapper

    return decorator
