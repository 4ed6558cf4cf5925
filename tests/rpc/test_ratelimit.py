"""Token buckets per caller: burst, refusal with the wait, refill, tiers apart."""

from __future__ import annotations

import pytest

from rpc.ratelimit import DEFAULT_TIERS, RateLimiter, Tier


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_issue_tiers() -> None:
    assert {"FREE": Tier(2, 10), "BASIC": Tier(10, 50), "PRO": Tier(40, 200),
                             "MARKET_MAKER": Tier(200, 500)} == DEFAULT_TIERS


@pytest.mark.parametrize("tier", list(DEFAULT_TIERS))
def test_burst_then_refusal_with_retry_after(tier: str) -> None:
    clock = Clock()
    lim = RateLimiter(clock=clock)
    t = DEFAULT_TIERS[tier]
    assert all(lim.take("a", tier) == 0.0 for _ in range(t.burst))
    wait = lim.take("a", tier)
    assert wait == pytest.approx(1 / t.rate)
    clock.t += wait
    assert lim.take("a", tier) == 0.0
    assert lim.take("a", tier) > 0


def test_refill_is_capped_at_burst_and_callers_are_apart() -> None:
    clock = Clock()
    lim = RateLimiter(clock=clock)
    for _ in range(10):
        lim.take("a", "FREE")
    assert lim.take("a", "FREE") > 0
    assert lim.take("b", "FREE") == 0.0  # another caller has its own bucket
    clock.t += 3600  # an hour idle refills to the burst, not beyond
    granted = sum(lim.take("a", "FREE") == 0.0 for _ in range(20))
    assert granted == 10


def test_sustained_rate() -> None:
    clock = Clock()
    lim = RateLimiter(clock=clock)
    granted = 0
    for _ in range(1000):  # 10 s of calls every 10 ms
        clock.t += 0.01
        granted += lim.take("a", "BASIC") == 0.0
    assert 50 + 10 * 10 - 2 <= granted <= 50 + 10 * 10 + 1


def test_disabled_and_unlimited_tier() -> None:
    lim = RateLimiter(enabled=False)
    assert all(lim.take("a", "FREE") == 0.0 for _ in range(100))
    lim = RateLimiter({**DEFAULT_TIERS, "INTERNAL": Tier(0, 1)})
    assert all(lim.take("a", "INTERNAL") == 0.0 for _ in range(100))


def test_idle_buckets_are_dropped() -> None:
    clock = Clock()
    lim = RateLimiter(clock=clock)
    for i in range(5000):
        lim.take(f"ip:{i}", "FREE")
    assert len(lim) == 5000
    clock.t += 60
    for _ in range(5000):
        lim.take("fresh", "MARKET_MAKER")
    assert len(lim) < 10
