"""Generated documents (Acte d'adhésion, avenant, convention).

Revision ID: 0003_document
Revises: 0002_account
Create Date: 2026-11-22
"""

revision = "0003_document"
down_revision = "0002_account"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
