"""The plugin's tables. Core objects are referenced by id, never by foreign key."""

from .account import Account
from .adhesion import Acceptance, Adhesion, EligibilityCheck
from .audit import AuditEvent
from .document import Document
from .download import DownloadEvent
from .imagery import ImageryRequest, ImageryRequestComment
from .outbox import MailPreference, OutboxMessage
from .personal_data import Pseudonym, ThreadArchive
from .procedure import QuotaCounter, QuotaOverride, QuotaUse, Registration
from .sequence import NumberSequence
from .supporting_document import SupportingDocument
from .tally import account_tally_table, imagery_tally_table, month_total_table

__all__ = [
    "Acceptance",
    "Account",
    "Adhesion",
    "AuditEvent",
    "Document",
    "DownloadEvent",
    "EligibilityCheck",
    "ImageryRequest",
    "ImageryRequestComment",
    "MailPreference",
    "NumberSequence",
    "OutboxMessage",
    "Pseudonym",
    "QuotaCounter",
    "QuotaOverride",
    "QuotaUse",
    "Registration",
    "SupportingDocument",
    "ThreadArchive",
    "account_tally_table",
    "imagery_tally_table",
    "month_total_table",
]
