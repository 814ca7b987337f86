"""Individual DINAMIS accounts.

Revision ID: 0002_account
Revises: 0001_adhesion
Create Date: 2026-11-22
"""

revision = "0002_account"
down_revision = "0001_adhesion"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
