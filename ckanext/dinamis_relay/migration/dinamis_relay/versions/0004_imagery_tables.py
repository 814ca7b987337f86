"""Downloads of DINAMIS resources and new imagery requests.

Revision ID: 0004_imagery
Revises: 0003_document
Create Date: 2026-11-22
"""

revision = "0004_imagery"
down_revision = "0003_document"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
