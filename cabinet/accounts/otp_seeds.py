"""Second-factor seeds are stored wrapped, never as the hex a code can be computed from.

django-otp's TOTPDevice.key (varchar 80) and django-two-factor-auth's
PhoneDevice.key (varchar 40) hold the secret every login code is computed
from. Their models are the libraries' own, so the seed is wrapped on the way
into the row and unwrapped on the way out through the models' signals:
`pre_save` writes clinic_site.crypto.wrap_secret's token, `post_save` and
`post_init` (every load) put the hex seed back on the instance, which is
all the libraries ever see. A phone device's seed is 16 bytes (RFC 4226's
minimum), so its token fits its 40 characters; a longer one (a new device's
default) is replaced by a fresh 16-byte seed when first saved: SMS codes are
computed when sent, so no code outlives it.
"""

from __future__ import annotations

import binascii
import secrets

from django.db.models.signals import post_init, post_save, pre_save

from clinic_site.crypto import is_wrapped, rewrap_secret, unwrap_secret, wrap_secret

PHONE_SEED_BYTES = 16


def device_models() -> list[type]:
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from two_factor.plugins.phonenumber.models import PhoneDevice

    return [TOTPDevice, PhoneDevice]


def _is_phone(instance) -> bool:
    return type(instance)._meta.label_lower == "phonenumber.phonedevice"


def _unwrapped(sender, instance, **kwargs) -> None:  # noqa: ARG001
    key = instance.__dict__.get("key")
    if key and is_wrapped(key):
        instance.key = binascii.hexlify(unwrap_secret(key)).decode("ascii")


def _wrap_before_save(sender, instance, update_fields=None, **kwargs) -> None:  # noqa: ARG001
    if update_fields is not None and "key" not in update_fields:
        instance._plain_seed = None
        return
    seed = instance.key
    if is_wrapped(seed):
        instance._plain_seed = None
        return
    if _is_phone(instance) and len(seed) != 2 * PHONE_SEED_BYTES:
        seed = secrets.token_hex(PHONE_SEED_BYTES)
    instance._plain_seed = seed
    instance.key = wrap_secret(binascii.unhexlify(seed))


def _plain_after_save(sender, instance, **kwargs) -> None:  # noqa: ARG001
    if getattr(instance, "_plain_seed", None):
        instance.key = instance._plain_seed
    instance._plain_seed = None


def connect() -> None:
    for model in device_models():
        post_init.connect(_unwrapped, sender=model, dispatch_uid=f"otp-seed-load-{model}")
        pre_save.connect(_wrap_before_save, sender=model, dispatch_uid=f"otp-seed-wrap-{model}")
        post_save.connect(_plain_after_save, sender=model, dispatch_uid=f"otp-seed-plain-{model}")


def rotate_seeds(*, batch_size: int = 500) -> int:
    """Rewrap every stored seed with the newest key; the number rewrapped."""
    rotated = 0
    for model in device_models():
        rows = model.objects.values_list("pk", "key").order_by("pk").iterator(batch_size)
        for pk, token in rows:
            new = rewrap_secret(token) if is_wrapped(token) else None
            if new is not None:
                model.objects.filter(pk=pk).update(key=new)
                rotated += 1
    return rotated
