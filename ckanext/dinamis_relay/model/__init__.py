"""The plugin's tables. Core objects are referenced by id, never by foreign key."""

from .adhesion import Acceptance, Adhesion, EligibilityCheck
from .audit import AuditEvent
from .sequence import NumberSequence

__all__ = ["Acceptance", "Adhesion", "AuditEvent", "EligibilityCheck", "NumberSequence"]
