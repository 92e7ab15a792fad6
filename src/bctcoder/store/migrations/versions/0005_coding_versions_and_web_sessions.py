"""coding ids never reused, coding row versions, server-side web sessions

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 09:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    # SQLite reuses the largest rowid after a delete unless the table is AUTOINCREMENT: rebuild it so.
    with op.batch_alter_table('coding', recreate="always" if sqlite else "auto",
                              table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
    if sqlite:
        # Never hand out an id that a deleted coding had (the event log may still name it).
        op.execute("INSERT INTO sqlite_sequence (name, seq) SELECT 'coding', COALESCE(MAX(id), 0) FROM coding "
                   "WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'coding')")
        op.execute("UPDATE sqlite_sequence SET seq = MAX(seq, COALESCE((SELECT MAX(CAST(json_extract(payload, "
                   "'$.coding') AS INTEGER)) FROM event WHERE action LIKE 'coding.%'), 0)) WHERE name = 'coding'")
    op.create_table('web_session',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('user', sa.String(length=200), nullable=False),
    sa.Column('account', sa.Boolean(), nullable=False),
    sa.Column('csrf', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_session'))
    )
    with op.batch_alter_table('web_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_web_session_user'), ['user'], unique=False)


def downgrade() -> None:
    op.drop_table('web_session')
    with op.batch_alter_table('coding', recreate="always") as batch_op:
        batch_op.drop_column('version')
