"""Re-encrypt every encrypted field and file with the newest of CLINIC_FIELD_KEYS,
recompute the keyed hashes and rewrap the second-factor seeds with it."""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, models, transaction

from cabinet.accounts.otp_seeds import rotate_seeds
from clinic_site.blind_index import BlindIndexField, blind_index
from clinic_site.crypto import EncryptedFileStorage, EncryptedTextField, is_current, rotate_token


def _encrypted_fields(model: type[models.Model]) -> list[EncryptedTextField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]


def _blind_indexes(model: type[models.Model]) -> list[BlindIndexField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, BlindIndexField)]


def _encrypted_files(model: type[models.Model]) -> list[models.FileField]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.FileField) and isinstance(f.storage, EncryptedFileStorage)
    ]


class Command(BaseCommand):
    help = (
        "Re-encrypt encrypted fields and files with the newest key (batched, idempotent): "
        "add the new key first in CLINIC_FIELD_KEYS, run this, then remove the old key."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: object, batch_size: int, **options: object) -> None:
        fields_done = files_done = checked = hashes_done = 0
        for model in apps.get_models():
            fields = _encrypted_fields(model)
            if fields:
                seen, rotated = self._rotate_fields(model, fields, batch_size)
                checked += seen
                fields_done += rotated
            for field in _encrypted_files(model):
                files_done += self._rotate_files(model, field, batch_size)
            indexes = _blind_indexes(model)
            if indexes:
                hashes_done += self._reindex(model, indexes, batch_size)
        seeds_done = rotate_seeds(batch_size=batch_size)
        self.stdout.write(
            f"Re-encrypted {fields_done} field values (of {checked} checked) "
            f"and {files_done} files with the newest key; recomputed {hashes_done} "
            f"keyed hashes and rewrapped {seeds_done} second-factor seeds."
        )

    def _rotate_fields(self, model, fields, batch_size: int) -> tuple[int, int]:
        # Raw SQL on purpose: the ORM would decrypt on read and encrypt anew on
        # write; here the ciphertext itself is what is rotated.
        quote = connection.ops.quote_name
        table = quote(model._meta.db_table)
        pk = quote(model._meta.pk.column)
        columns = [quote(f.column) for f in fields]
        select = (
            f"SELECT {pk}, {', '.join(columns)} FROM {table} "  # noqa: S608 (names quoted, values bound)
            f"WHERE {pk} > %s ORDER BY {pk} LIMIT %s"
        )
        last, checked, rotated = None, 0, 0
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(select, [last if last is not None else -1, batch_size])
                rows = cursor.fetchall()
                for row in rows:
                    changes = {}
                    for column, token in zip(columns, row[1:], strict=True):
                        if not token:
                            continue
                        checked += 1
                        if not is_current(token.encode("ascii")):
                            changes[column] = rotate_token(token.encode("ascii")).decode("ascii")
                    if changes:
                        assignments = ", ".join(f"{column} = %s" for column in changes)
                        cursor.execute(
                            f"UPDATE {table} SET {assignments} WHERE {pk} = %s",  # noqa: S608
                            [*changes.values(), row[0]],
                        )
                        rotated += len(changes)
            if len(rows) < batch_size:
                return checked, rotated
            last = rows[-1][0]

    def _reindex(self, model, indexes: list[BlindIndexField], batch_size: int) -> int:
        # After the fields: the sources decrypt with any key, the hashes are
        # made with the newest (lookups try every key until the old one goes).
        recomputed = 0
        loaded = ["pk", *{index.source for index in indexes}, *(i.attname for i in indexes)]
        for row in model._base_manager.only(*loaded).order_by("pk").iterator(batch_size):
            changes = {
                index.attname: blind_index(getattr(row, index.source), index.purpose)
                for index in indexes
            }
            changes = {
                name: value for name, value in changes.items() if getattr(row, name) != value
            }
            if changes:
                model._base_manager.filter(pk=row.pk).update(**changes)
                recomputed += len(changes)
        return recomputed

    def _rotate_files(self, model, field, batch_size: int) -> int:
        rotated = 0
        names = (
            model.objects.exclude(**{field.name: ""})
            .order_by("pk")
            .values_list(field.name, flat=True)
            .iterator(chunk_size=batch_size)
        )
        for name in names:
            storage = field.storage
            if not storage.exists(name):
                continue
            token = storage.read_token(name)
            if not is_current(token):
                storage.replace_token(name, rotate_token(token))
                rotated += 1
        return rotated
