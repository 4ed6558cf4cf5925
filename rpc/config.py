"""Gateway settings: command-line values over an optional TOML file over the defaults.

The file (``fictra gateway --config FILE``)::

    [gateway]
    index = "index.sqlite"        # the analytics index (or postgresql://...): history, explorer
    max_body_bytes = 1048576      # larger request bodies are refused (HTTP 413)
    health_max_block_age_s = 30   # /health fails when the last block is older
    rate_limit = true

    [tiers.PRO]                   # override a tier or add one: calls per second, burst
    rate = 40
    burst = 200

    [api_keys]                    # API key -> tier; callers without a key are FREE
    "k-3f9a0c..." = "PRO"
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rpc.ratelimit import DEFAULT_TIERS, Tier

DEFAULT_NODE = "http://127.0.0.1:26657"
DEFAULT_LISTEN = "127.0.0.1:8545"
DEFAULT_MAX_BODY = 1 << 20


class ConfigError(ValueError):
    pass


@dataclass
class GatewayConfig:
    node: str = DEFAULT_NODE
    listen: str = DEFAULT_LISTEN
    max_body_bytes: int = DEFAULT_MAX_BODY
    health_max_block_age_s: float = 30.0
    rate_limit: bool = True
    tiers: dict[str, Tier] = field(default_factory=lambda: dict(DEFAULT_TIERS))
    api_keys: dict[str, str] = field(default_factory=dict)
    index: str | None = None  # the analytics index's database URL (``fictra indexer --db``)

    @property
    def host_port(self) -> tuple[str, int]:
        host, _, port = self.listen.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ConfigError(f"--listen must be HOST:PORT, got {self.listen!r}")
        return host, int(port)


def _positive(v: Any, where: str, *, integer: bool = False) -> float:
    ok = isinstance(v, int) if integer else isinstance(v, int | float)
    if isinstance(v, bool) or not ok or v < 0:
        raise ConfigError(f"{where}: must be a non-negative {'integer' if integer else 'number'}")
    return v


def load(path: Path | None, **overrides: Any) -> GatewayConfig:
    """Read ``path`` (if given), then apply the non-None ``overrides``."""
    cfg = GatewayConfig()
    if path is not None:
        try:
            doc = tomllib.loads(Path(path).read_text())
        except (OSError, tomllib.TOMLDecodeError) as e:
            raise ConfigError(f"{path}: {e}") from None
        unknown = set(doc) - {"gateway", "tiers", "api_keys"}
        if unknown:
            raise ConfigError(f"{path}: unknown section [{sorted(unknown)[0]}]")
        gw = doc.get("gateway", {})
        allowed = {"node", "listen", "max_body_bytes", "health_max_block_age_s", "rate_limit",
                   "index"}
        if set(gw) - allowed:
            raise ConfigError(f"{path}: unknown key gateway.{sorted(set(gw) - allowed)[0]}")
        for key in ("node", "listen", "index"):
            if key in gw:
                setattr(cfg, key, str(gw[key]))
        if "max_body_bytes" in gw:
            cfg.max_body_bytes = int(_positive(gw["max_body_bytes"], "gateway.max_body_bytes",
                                               integer=True))
        if "health_max_block_age_s" in gw:
            cfg.health_max_block_age_s = _positive(gw["health_max_block_age_s"],
                                                   "gateway.health_max_block_age_s")
        if "rate_limit" in gw:
            cfg.rate_limit = bool(gw["rate_limit"])
        for name, t in doc.get("tiers", {}).items():
            if not isinstance(t, dict) or set(t) != {"rate", "burst"}:
                raise ConfigError(f"{path}: tiers.{name} needs exactly rate and burst")
            cfg.tiers[name] = Tier(_positive(t["rate"], f"tiers.{name}.rate"),
                                   max(1, int(_positive(t["burst"], f"tiers.{name}.burst",
                                                        integer=True))))
        for i, (key, tier) in enumerate(doc.get("api_keys", {}).items()):
            if tier not in cfg.tiers:  # the key itself is a secret: never in an error
                raise ConfigError(f"{path}: api_keys entry {i + 1}: unknown tier {tier!r} "
                                  f"(tiers: {', '.join(cfg.tiers)})")
            cfg.api_keys[key] = tier
    for key, value in overrides.items():
        if value is not None:
            setattr(cfg, key, value)
    cfg.host_port  # noqa: B018 - validates listen
    return cfg
