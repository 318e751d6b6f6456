"""The Redis cache keeps one client per connection pool and still works."""

from django.core.cache import cache


def test_one_redis_client_serves_every_call_and_the_cache_works():
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client(write=True) is client
    cache.set("cache-test", {"n": 1}, timeout=30)
    assert cache.get("cache-test") == {"n": 1}
    assert cache.get_many(["cache-test", "missing"]) == {"cache-test": {"n": 1}}
    cache.delete("cache-test")
