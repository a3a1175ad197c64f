"""Rate limits and retry backoff of fan-out, without a database."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import redis

from notifications.delivery.policy import LocalBucket, RedisBucket, RetryPolicy, Unlimited, bucket_for


def test_backoff_doubles_within_jitter_and_stops_at_the_cap():
    policy = RetryPolicy(base_seconds=10, cap_seconds=60, max_attempts=5)

    for attempts, ceiling in [(1, 10), (2, 20), (3, 40), (4, 60), (9, 60)]:
        delays = [policy.delay(attempts) for _ in range(200)]
        assert all(timedelta(seconds=ceiling / 2) <= delay <= timedelta(seconds=ceiling) for delay in delays)
        assert len(set(delays)) > 1, "retries of one batch must not all come back at the same instant"


def test_a_providers_retry_after_is_a_floor_but_never_beyond_the_cap():
    policy = RetryPolicy(base_seconds=1, cap_seconds=30, max_attempts=5)

    assert policy.delay(1, retry_after=20) >= timedelta(seconds=20)
    assert policy.delay(1, retry_after=500) <= timedelta(seconds=30)


def test_attempts_are_bounded():
    policy = RetryPolicy(base_seconds=1, cap_seconds=30, max_attempts=3)

    assert not policy.gives_up_after(2)
    assert policy.gives_up_after(3)


def test_local_bucket_allows_a_burst_then_spaces_calls_at_the_rate():
    bucket = LocalBucket(rate=100, burst=5)

    waits = [bucket.reserve() for _ in range(10)]

    assert waits[:5] == [0.0] * 5
    assert waits[9] == pytest.approx(0.05, abs=0.01)


def test_a_zero_rate_means_unlimited(settings):
    settings.SMS_RATE_PER_SECOND = 0

    assert isinstance(bucket_for("sms"), Unlimited)


def test_without_redis_each_process_shares_one_bucket_per_channel(settings):
    settings.REDIS_URL = ""
    settings.EMAIL_RATE_PER_SECOND = 7

    assert bucket_for("email") is bucket_for("email")
    assert isinstance(bucket_for("email"), LocalBucket)


def _redis_or_skip() -> redis.Redis:
    client = redis.Redis.from_url("redis://127.0.0.1:6379/15")
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    return client


def test_workers_sharing_a_redis_bucket_together_keep_the_rate():
    client = _redis_or_skip()
    key = f"breachline:test:rate:{time.time_ns()}"
    workers = [RedisBucket(client, key, rate=50, burst=5) for _ in range(3)]

    started = time.monotonic()
    waits = [workers[index % 3].reserve() for index in range(30)]
    elapsed = time.monotonic() - started

    assert waits[:5] == [0.0] * 5
    # 25 tokens beyond the burst at 50 per second: the last caller waits about half a second, less
    # whatever time the 30 calls themselves took (the bucket refills meanwhile; a loaded machine is slow).
    assert 25 / 50 - elapsed - 0.05 <= waits[-1] <= 25 / 50 + 0.05
    client.delete(key)


def test_redis_url_selects_the_redis_bucket(settings):
    _redis_or_skip()
    settings.REDIS_URL = "redis://127.0.0.1:6379/15"
    settings.PUSH_RATE_PER_SECOND = 20

    assert isinstance(bucket_for("push"), RedisBucket)
