"""The Redis cache shares one client per connection pool (kam/cache.py)."""

from __future__ import annotations

import pytest
from django.core.cache import caches

from kam.cache import SharedClientRedisCache


@pytest.mark.redis
def test_the_redis_cache_builds_one_client_and_still_reads_what_it_wrote() -> None:
    cache = caches["default"]
    assert isinstance(cache, SharedClientRedisCache)
    client = cache._cache.get_client(write=True)
    cache.set("kam-test-shared-client", [1, 2], 30)
    assert cache.get("kam-test-shared-client") == [1, 2]
    cache.delete("kam-test-shared-client")
    assert cache.get("kam-test-shared-client") is None
    assert cache._cache.get_client(write=True) is client
    assert cache._cache.get_client() is client  # one server: reads use the same pool
