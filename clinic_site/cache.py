"""Cache housekeeping that respects other tenants of a shared Redis server."""

from django.conf import settings
from django.core.cache import cache, caches
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

    # Counters in one round trip each (the generic helpers below fall back
    # to the plain cache API for other backends).

    def bump_many(self, keys: list[str]) -> None:
        client = self._cache.get_client(write=True)
        with client.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.incr(self.make_and_validate_key(key))
            pipe.execute()

    def count_hit(self, key: str, seconds: int) -> tuple[int, int]:
        client = self._cache.get_client(write=True)
        name = self.make_and_validate_key(key)
        with client.pipeline(transaction=False) as pipe:
            pipe.incr(name)
            pipe.expire(name, seconds, nx=True)
            pipe.ttl(name)
            count, _set, left = pipe.execute()
        return count, max(int(left), 0)


def bump_many(keys: list[str]) -> None:
    """Add one to each counter; a missing counter becomes 1 and never expires."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        backend.bump_many(keys)
        return
    for key in keys:
        try:
            backend.incr(key)
        except ValueError:
            backend.set(key, 1, timeout=None)


def count_hit(key: str, seconds: int) -> tuple[int, int]:
    """Count one more hit in the window `key` names, which the first hit opens
    for `seconds`; returns (hits so far, seconds until the window closes)."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        return backend.count_hit(key, seconds)
    backend.add(key, 0, timeout=seconds)
    try:
        return backend.incr(key), seconds
    except ValueError:  # expired between the two calls: a new window
        backend.set(key, 1, timeout=seconds)
        return 1, seconds
