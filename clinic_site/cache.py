"""The cache backends and their counters: Redis (one client per pool) and
the embedded default's file cache, both counting atomically; housekeeping
that respects other tenants of a shared Redis server."""

from __future__ import annotations

import contextlib
import fcntl
import os
import pickle
import tempfile
import time
import zlib

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends import redis as django_redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache


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
    if isinstance(backend, (RedisCache, FileCache)):
        return backend.count_hit(key, seconds)
    # Other backends (none configured by the settings): add, then incr.
    backend.add(key, 0, timeout=seconds)
    try:
        return backend.incr(key), seconds
    except ValueError:  # expired between the two calls: a new window
        backend.set(key, 1, timeout=seconds)
        return 1, seconds


class FileCache(FileBasedCache):
    """settings.CACHES backend of the embedded default: Django's file cache
    whose `add`, `incr` and `count_hit` are atomic across processes and keep
    an entry's expiry.

    Django's own `add` is "has_key, then set" and its `incr` is "get, then set
    with the default timeout": parallel requests all pass a limit, and every
    increment gives a counter a fresh 5-minute life, so a 15-minute lock lasted
    5 and an hourly limit forgot its window. Here each of them holds an
    exclusive `flock` on one of LOCK_STRIPES lock files (chosen by the entry's
    file name) while it reads and rewrites the entry.
    """

    LOCK_STRIPES = 64

    @contextlib.contextmanager
    def _locked(self, fname: str):
        self._createdir()
        stripe = int(os.path.basename(fname)[:8], 16) % self.LOCK_STRIPES
        path = os.path.join(self._dir, f"counter-{stripe:02d}.lock")
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)  # closing releases the lock

    def _read_entry(self, fname: str):
        """(value, expiry) of a live entry, or None."""
        try:
            with open(fname, "rb") as f:
                try:
                    expiry = pickle.load(f)  # noqa: S301 - our own files, as Django's
                except EOFError:
                    return None
                if expiry is not None and expiry < time.time():
                    return None
                return pickle.loads(zlib.decompress(f.read())), expiry  # noqa: S301
        except FileNotFoundError:
            return None

    def _write_entry(self, fname: str, value, expiry) -> None:
        fd, temporary = tempfile.mkstemp(dir=self._dir)
        try:
            with open(fd, "wb") as f:
                f.write(pickle.dumps(expiry, self.pickle_protocol))
                f.write(zlib.compress(pickle.dumps(value, self.pickle_protocol)))
            os.replace(temporary, fname)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.remove(temporary)
            raise

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        fname = self._key_to_file(key, version)
        with self._locked(fname):
            if self._read_entry(fname) is not None:
                return False
            self._cull()
            self._write_entry(fname, value, self.get_backend_timeout(timeout))
            return True

    def incr(self, key, delta=1, version=None):
        fname = self._key_to_file(key, version)
        with self._locked(fname):
            entry = self._read_entry(fname)
            if entry is None:
                raise ValueError(f"Key '{key}' not found")
            value, expiry = entry
            value += delta
            self._write_entry(fname, value, expiry)  # the window it had
            return value

    def count_hit(self, key: str, seconds: int) -> tuple[int, int]:
        fname = self._key_to_file(key)
        with self._locked(fname):
            entry = self._read_entry(fname)
            now = time.time()
            if entry is None:
                count, expiry = 1, now + seconds
            else:
                count, expiry = entry[0] + 1, entry[1]
            self._write_entry(fname, count, expiry)
        left = seconds if expiry is None else max(int(expiry - now + 0.999), 0)
        return count, left
