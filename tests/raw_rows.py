"""What a database reader sees: a column of one row read with raw SQL."""

from django.db import connection

from clinic_site.crypto import decrypt_text


def raw_value(model, pk, field_name: str):
    field = model._meta.get_field(field_name)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote(field.column)} FROM {quote(model._meta.db_table)} "  # noqa: S608
            f"WHERE {quote(model._meta.pk.column)} = %s",
            [pk],
        )
        return cursor.fetchone()[0]


def assert_stored_encrypted(row, **plain: object) -> None:
    """Each named field of `row` reads back as `plain` in Python, while its
    column holds a token of it that does not contain the plaintext."""
    fresh = type(row)._base_manager.get(pk=row.pk)
    for name, value in plain.items():
        stored = raw_value(type(row), row.pk, name)
        text = value.isoformat() if hasattr(value, "isoformat") else str(value)
        assert getattr(fresh, name) == value, name
        assert text not in str(stored), f"{name} is stored in plain text"
        assert decrypt_text(stored) == text, f"{name} is not a token of its value"
