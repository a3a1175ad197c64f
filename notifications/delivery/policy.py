"""How fast and how often fan-out may call a provider: rate limits and retry backoff.

Rate limits (``SMS_RATE_PER_SECOND``, ``EMAIL_RATE_PER_SECOND``,
``PUSH_RATE_PER_SECOND``, and per provider ``TENCENT_SMS_RATE_PER_SECOND``,
``ALIYUN_SMS_RATE_PER_SECOND``, ``JPUSH_RATE_PER_SECOND``; 0 means unlimited) are the provider's contract, so
they must hold for the whole deployment, not per process. With Redis
(``REDIS_URL``, by default the broker's URL when the broker is Redis) the bucket
lives in Redis and every worker process draws from it; without (the embedded
filesystem default is for a single machine) each process has its own bucket, so
the effective rate is the setting times the number of worker processes: run one
process there, or set ``REDIS_URL``.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

import redis
from django.conf import settings

RATE_SETTINGS = {
    "email": "EMAIL_RATE_PER_SECOND",
    "sms": "SMS_RATE_PER_SECOND",
    "push": "PUSH_RATE_PER_SECOND",
    # Providers behind a channel, each with its own contract; a send waits for both buckets.
    "sms_tencent": "TENCENT_SMS_RATE_PER_SECOND",
    "sms_aliyun": "ALIYUN_SMS_RATE_PER_SECOND",
    "push_jpush": "JPUSH_RATE_PER_SECOND",
}

# A reservation bucket: every call takes one token and may drive the count below
# zero; the caller then waits until its token would have accrued. One round trip
# per message and no busy polling, and the wait is computed with Redis's own
# clock so that workers on different machines agree.
_RESERVE_SCRIPT = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + (now - at) * rate) - 1
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], 3600)
if tokens >= 0 then return '0' end
return tostring(-tokens / rate)
"""


class LocalBucket:
    """A token bucket for one process (threads share it)."""

    def __init__(self, rate: float, burst: float):
        self.rate, self.burst = rate, burst
        self._tokens, self._at = burst, time.monotonic()
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """Take one token; return the seconds to wait before using it."""
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate) - 1
            self._at = now
            return max(0.0, -self._tokens / self.rate)


class RedisBucket:
    """A token bucket in Redis shared by every process that uses the same key."""

    def __init__(self, client, key: str, rate: float, burst: float):
        self.rate, self.burst, self.key = rate, burst, key
        self._script = client.register_script(_RESERVE_SCRIPT)

    def reserve(self) -> float:
        return float(self._script(keys=[self.key], args=[self.rate, self.burst]))


class Unlimited:
    def reserve(self) -> float:
        return 0.0


def channel_rate(channel: str) -> float:
    """The rate of a channel or a provider; 0 (unlimited) for one without a rate of its own."""
    return float(getattr(settings, RATE_SETTINGS.get(channel, ""), 0) or 0)


_local_buckets: dict[tuple[str, float], LocalBucket] = {}
_local_lock = threading.Lock()


def bucket_for(channel: str):
    """The shared bucket for ``channel``: in Redis when ``REDIS_URL`` is set, else in this process.

    The burst is one second's worth, so a provider never sees more than
    twice its rate over any one-second window.
    """
    rate = channel_rate(channel)
    if rate <= 0:
        return Unlimited()
    burst = max(1.0, rate)
    if settings.REDIS_URL:
        return RedisBucket(_redis_client(settings.REDIS_URL), f"breachline:rate:{channel}", rate, burst)
    with _local_lock:
        return _local_buckets.setdefault((channel, rate), LocalBucket(rate, burst))


@lru_cache(maxsize=4)
def _redis_client(url: str):
    """One client (and connection pool) per process and URL, not one per batch."""
    return redis.Redis.from_url(url)


def provider_pacer():
    """A function that waits for a provider's own bucket (``pace`` of the sms and push transports)."""
    buckets: dict[str, object] = {}

    def pace(provider: str) -> None:
        if provider not in buckets:
            buckets[provider] = bucket_for(provider)
        wait_for_token(buckets[provider])

    return pace


def wait_for_token(bucket) -> None:
    delay = bucket.reserve()
    if delay > 0:
        time.sleep(delay)


@dataclass(frozen=True)
class RetryPolicy:
    """Capped exponential backoff with jitter, and a bound on attempts.

    Attempt ``n`` (1-based, the one that just failed) waits between half and
    all of ``min(cap, base * 2 ** (n - 1))`` seconds; the random half spreads
    the retries of a batch that failed together (a provider's 429 or outage)
    instead of sending them back in one burst. A provider's own Retry-After is
    a floor. After ``max_attempts`` the delivery fails for good.
    """

    base_seconds: float
    cap_seconds: float
    max_attempts: int

    @classmethod
    def from_settings(cls) -> RetryPolicy:
        return cls(
            base_seconds=float(settings.DELIVERY_RETRY_BASE_SECONDS),
            cap_seconds=float(settings.DELIVERY_RETRY_MAX_SECONDS),
            max_attempts=int(settings.DELIVERY_MAX_ATTEMPTS),
        )

    def gives_up_after(self, attempts: int) -> bool:
        return attempts >= self.max_attempts

    def delay(self, attempts: int, retry_after: float | None = None) -> timedelta:
        ceiling = min(self.cap_seconds, self.base_seconds * 2 ** max(0, attempts - 1))
        seconds = random.uniform(ceiling / 2, ceiling)
        if retry_after is not None:
            seconds = max(seconds, min(retry_after, self.cap_seconds))
        return timedelta(seconds=seconds)
