"""Data migrations that encrypt columns already holding plaintext (and fill their hashes).

Put `encrypt_columns` in a migration of its own after the schema migration
that adds the hash columns: on PostgreSQL a migration creates its indexes at
its end, which fails on a table whose rows the same transaction updated
("pending trigger events").
"""

from __future__ import annotations

from django.db import migrations

from clinic_site.blind_index import blind_index
from clinic_site.crypto import InvalidToken, decrypt_text, encrypt_text


def _is_token(value: str) -> bool:
    try:
        decrypt_text(value)
    except (InvalidToken, ValueError):
        return False
    return True


def _rewrite(schema_editor, table: str, columns: list[str], change) -> None:
    # Raw SQL: the historical models' encrypted fields would try to decrypt
    # the plaintext they are about to get.
    quote = schema_editor.connection.ops.quote_name
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, {', '.join(quote(c) for c in columns)} FROM {quote(table)}"  # noqa: S608
        )
        for row_id, *values in cursor.fetchall():
            changes = change(dict(zip(columns, values, strict=True)))
            if changes:
                assignments = ", ".join(f"{quote(column)} = %s" for column in changes)
                cursor.execute(
                    f"UPDATE {quote(table)} SET {assignments} WHERE id = %s",  # noqa: S608
                    [*changes.values(), row_id],
                )


def encrypt_columns(
    table: str, columns: list[str], *, hashes: dict[str, tuple[str, str]] | None = None
) -> migrations.RunPython:
    """Encrypt `columns` of `table` in place; `hashes` maps a hash column to
    (its source column, its purpose) and is filled from the plaintext.
    Reversible: backwards it decrypts (the hash columns go with their field)."""
    hashes = hashes or {}
    sources = sorted({source for source, _purpose in hashes.values()} - set(columns))

    def forwards(apps, schema_editor):  # noqa: ARG001
        def change(row: dict) -> dict:
            changes = {}
            for column in columns:
                value = row[column]
                if value is not None and value != "" and not _is_token(str(value)):
                    changes[column] = encrypt_text(str(value))
            for column, (source, purpose) in hashes.items():
                value = row[source]
                plain = decrypt_text(value) if value and _is_token(str(value)) else value
                changes[column] = blind_index(plain, purpose)
            return changes

        _rewrite(schema_editor, table, [*columns, *sources], change)

    def backwards(apps, schema_editor):  # noqa: ARG001
        def change(row: dict) -> dict:
            return {
                column: decrypt_text(row[column])
                for column in columns
                if row[column] and _is_token(str(row[column]))
            }

        _rewrite(schema_editor, table, columns, change)

    return migrations.RunPython(forwards, backwards, elidable=False)
