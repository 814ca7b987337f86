"""navl schemas of the actions, one module per object, in one style (`@validator_args`).

The actions import `validate` from here (input.py: anonymous refusal and bounded screening
before the schema) and their object's module as `schema`. Shared pieces are in common.py.
"""

from .input import validate

__all__ = ["validate"]
