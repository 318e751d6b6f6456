"""Cache housekeeping that respects other tenants of a shared Redis server."""

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends import redis as django_redis


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


class _ClientPerPool(django_redis.RedisCacheClient):
    """Django's Redis cache client, keeping one redis.Redis per connection pool.

    Django builds a new redis.Redis for every cache call; its constructor
    fills a table of ~170 response callbacks each time, which made up a
    fifth of a refused hold's time. A redis.Redis holds no connection of its
    own (the pool does, and resets itself after a fork), so one per pool serves
    every thread.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._client(connection_pool=self._get_connection_pool(write))
            self._clients[index] = client
        return client


class RedisCache(django_redis.RedisCache):
    """settings.CACHES backend: Django's RedisCache with `_ClientPerPool`."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ClientPerPool
