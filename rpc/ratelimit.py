"""Rate limits per API key tier: one token bucket per caller (API key, or IP when anonymous).

Each JSON-RPC call takes one token. A bucket holds up to ``burst`` tokens and refills at
``rate`` per second; an empty bucket answers -32005 with the seconds until a token is back.
Idle buckets are dropped (a full bucket is the same as a new one), so memory stays bounded
by the callers of the last few seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from rpc.errors import rate_limited


@dataclass(frozen=True)
class Tier:
    rate: float  # tokens per second; 0 means unlimited
    burst: int


DEFAULT_TIERS: dict[str, Tier] = {
    "FREE": Tier(2, 10),
    "BASIC": Tier(10, 50),
    "PRO": Tier(40, 200),
    "MARKET_MAKER": Tier(200, 500),
}
ANONYMOUS_TIER = "FREE"
PRUNE_EVERY = 10_000  # calls between sweeps of idle buckets


class RateLimiter:
    def __init__(self, tiers: dict[str, Tier] | None = None, *, enabled: bool = True,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.tiers = dict(tiers or DEFAULT_TIERS)
        self.enabled = enabled
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # identity -> (tokens, at)
        self._calls = 0

    def take(self, identity: str, tier_name: str) -> float:
        """Take one token: 0.0 if granted, else the seconds to wait for the next token."""
        if not self.enabled:
            return 0.0
        tier = self.tiers[tier_name]
        if tier.rate <= 0:
            return 0.0
        now = self.clock()
        self._calls += 1
        if self._calls % PRUNE_EVERY == 0:
            self._prune(now)
        tokens, at = self._buckets.get(identity, (float(tier.burst), now))
        tokens = min(float(tier.burst), tokens + (now - at) * tier.rate)
        if tokens >= 1.0 - 1e-9:  # float refill of exactly the advertised wait
            self._buckets[identity] = (max(0.0, tokens - 1.0), now)
            return 0.0
        self._buckets[identity] = (tokens, now)
        return (1.0 - tokens) / tier.rate

    def charge(self, identity: str, tier_name: str) -> None:
        """Take one token or raise -32005 (with the seconds until a token is back)."""
        wait = self.take(identity, tier_name)
        if wait > 0:
            tier = self.tiers[tier_name]
            raise rate_limited(wait, tier_name, tier.rate, tier.burst)

    def _prune(self, now: float) -> None:
        # A bucket idle for longer than any tier takes to refill is full: the same as absent.
        refill = max((t.burst / t.rate for t in self.tiers.values() if t.rate > 0), default=0.0)
        self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < refill}

    def __len__(self) -> int:
        return len(self._buckets)
