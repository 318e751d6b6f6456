"""Cache housekeeping that respects other tenants of a shared Redis server."""

from django.conf import settings
from django.core.cache import cache


def clear_own_cache() -> int:
    """Delete this instance's cache keys only (Django's cache.clear() on Redis
    is FLUSHDB: it would wipe every other instance, test run and broker queue)."""
    if not settings.REDIS_URL:
        cache.clear()
        return 0
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    pattern = f"{settings.REDIS_KEY_PREFIX}:*"
    deleted = 0
    batch = []
    for key in client.scan_iter(match=pattern, count=1000):
        # Cache keys are "<prefix>:<version>:<key>"; broker keys have no version.
        if key.split(b":", 2)[1].isdigit():
            batch.append(key)
        if len(batch) >= 500:
            deleted += client.delete(*batch)
            batch.clear()
    if batch:
        deleted += client.delete(*batch)
    return deleted
