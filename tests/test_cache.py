"""The Redis cache keeps one client per connection pool and still works."""

from django.core.cache import cache


def test_one_redis_client_serves_every_call_and_the_cache_works():
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client(write=True) is client
    cache.set("cache-test", {"n": 1}, timeout=30)
    assert cache.get("cache-test") == {"n": 1}
    assert cache.get_many(["cache-test", "missing"]) == {"cache-test": {"n": 1}}
    cache.delete("cache-test")


def _file_cache(tmp_path):
    from clinic_site.cache import FileCache

    return FileCache(str(tmp_path / "cache"), {})


def test_the_file_cache_keeps_a_counters_window(tmp_path, time_machine):
    """Django's file cache re-set a counter with the default 5 minutes on every
    incr(): a 15-minute lock lasted 5, an hourly limit forgot its window."""
    files = _file_cache(tmp_path)
    time_machine.move_to("2026-12-02 10:00:00+03:00", tick=False)
    assert files.count_hit("tries", 900) == (1, 900)
    assert files.add("lock", 0, timeout=900)
    time_machine.shift(360)  # past Django's default timeout of 300 s
    assert files.count_hit("tries", 900) == (2, 540)
    assert files.incr("lock") == 1
    time_machine.shift(480)  # 14 minutes in: both still in their window
    assert files.get("lock") == 1
    assert files.count_hit("tries", 900)[0] == 3
    time_machine.shift(61)  # 15 minutes and a second: a new window
    assert files.get("lock") is None
    assert files.count_hit("tries", 900) == (1, 900)


def _hit_many(location: str, times: int) -> None:
    from clinic_site.cache import FileCache

    files = FileCache(location, {})
    for _ in range(times):
        files.count_hit("parallel", 3600)
        files.add("first", 1, timeout=3600)


def test_the_file_cache_counts_every_hit_of_parallel_processes(tmp_path):
    import multiprocessing

    location = str(tmp_path / "cache")
    processes = [
        multiprocessing.get_context("fork").Process(target=_hit_many, args=(location, 50))
        for _ in range(6)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    assert _file_cache(tmp_path).count_hit("parallel", 3600)[0] == 6 * 50 + 1
