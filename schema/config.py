"""The one place that reads the environment.

Every setting has a safe default so a fresh clone runs with no configuration;
secrets (database passwords inside DATABASE_URL, SECRET_KEY) only ever come from the
environment.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "data" / "ecommerce.db"


@dataclass(frozen=True)
class Settings:
    database_url: str = f"sqlite:///{DEFAULT_SQLITE_PATH}"
    cache_type: str = "SimpleCache"  # flask-caching backend: SimpleCache, RedisCache, NullCache
    cache_redis_url: str = ""
    cache_timeout: int = 3600
    secret_key: str = field(default="", repr=False)
    low_stock_threshold: int = 20

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides) -> "Settings":
        env = os.environ if env is None else env
        values = {
            "database_url": env.get("DATABASE_URL") or cls.database_url,
            "cache_type": env.get("CACHE_TYPE") or cls.cache_type,
            "cache_redis_url": env.get("CACHE_REDIS_URL", ""),
            "cache_timeout": _int(env, "CACHE_TIMEOUT", cls.cache_timeout),
            "secret_key": env.get("SECRET_KEY", ""),
            "low_stock_threshold": _int(env, "LOW_STOCK_THRESHOLD", cls.low_stock_threshold),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


def _int(env, name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        from schema.errors import ConfigError

        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
