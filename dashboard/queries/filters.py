"""The frozen `Filters` value every query takes, and its two parsers.

- `Filters.parse(mapping)` is strict (CLI, HTTP API): a bad value raises `InvalidFilter`.
- `Filters.from_query(mapping)` is tolerant (URL query strings in the browser): bad or unknown
  values are dropped and reported as notices, never raised.

Both normalise: multi-valued dimensions become sorted tuples without duplicates, so equal
selections give equal (hashable) values and therefore equal cache keys.
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date, timedelta
from typing import Iterable, Mapping

from schema.errors import InvalidFilter

STATUS_SCOPES = ("gross", "valid", "net")
DEFAULT_SCOPE = "valid"

# Multi-valued dimensions: Filters field -> query-string key (singular, repeatable).
DIMENSIONS: dict[str, str] = {
    "categories": "category",
    "brands": "brand",
    "payment_methods": "payment_method",
    "cities": "city",
    "platforms": "platform",
    "campaigns": "campaign",
}
SCALARS = ("from", "to", "scope")
MAX_VALUE_LENGTH = 200
MAX_VALUES = 500


@dataclass(frozen=True)
class Filters:
    start: date | None = None  # inclusive; None = from the beginning of the data
    end: date | None = None  # inclusive; None = to the end of the data
    categories: tuple[str, ...] = ()
    brands: tuple[str, ...] = ()
    payment_methods: tuple[str, ...] = ()  # method_name values
    cities: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()  # customer sign-up platform or ad platform, per dataset
    campaigns: tuple[str, ...] = ()  # campaign_name values
    status_scope: str = DEFAULT_SCOPE  # which orders count: gross (all), valid (paid), net (kept)

    def __post_init__(self):
        for name in DIMENSIONS:
            values = getattr(self, name)
            if isinstance(values, str):
                values = (values,)
            object.__setattr__(self, name, tuple(sorted({str(v) for v in values})))
        if self.status_scope not in STATUS_SCOPES:
            raise InvalidFilter(f"scope must be one of {', '.join(STATUS_SCOPES)}, got {self.status_scope!r}")
        if self.start and self.end and self.start > self.end:
            raise InvalidFilter(f"'from' ({self.start}) is after 'to' ({self.end}); swap them")

    # ------------------------------------------------------------ derived values
    @property
    def end_exclusive(self) -> date | None:
        """The day after `end`: compare datetimes with `< end_exclusive` to include all of `end`."""
        return self.end + timedelta(days=1) if self.end else None

    def previous_period(self) -> "Filters | None":
        """The same filters over the period of equal length just before; None for an open range."""
        if not (self.start and self.end):
            return None
        length = (self.end - self.start).days + 1
        return replace(self, start=self.start - timedelta(days=length), end=self.start - timedelta(days=1))

    def only(self, *names: str) -> "Filters":
        """A copy keeping only the named fields (others reset): the cache key of a dataset
        that ignores a dimension must not change when that dimension does."""
        keep = {f.name: getattr(self, f.name) for f in fields(self) if f.name in names or f.name == "status_scope"}
        return Filters(**keep)

    def to_query(self) -> dict[str, str | list[str]]:
        """Query-string form (inverse of `parse`); empty values are left out."""
        out: dict[str, str | list[str]] = {}
        if self.start:
            out["from"] = self.start.isoformat()
        if self.end:
            out["to"] = self.end.isoformat()
        for name, key in DIMENSIONS.items():
            if getattr(self, name):
                out[key] = list(getattr(self, name))
        if self.status_scope != DEFAULT_SCOPE:
            out["scope"] = self.status_scope
        return out

    # ------------------------------------------------------------ parsers
    @classmethod
    def parse(cls, query: Mapping[str, object], *, allowed: Iterable[str] | None = None) -> "Filters":
        """Strict: unknown keys (outside `allowed`, default all filter keys) and bad values raise."""
        filters, notices = cls._read(query, allowed)
        if notices:
            raise InvalidFilter(notices[0])
        return filters

    @classmethod
    def from_query(cls, query: Mapping[str, object], *, allowed: Iterable[str] | None = None) -> tuple["Filters", list[str]]:
        """Tolerant: returns the filters it could read and a notice per value it ignored."""
        return cls._read(query, allowed)

    @classmethod
    def _read(cls, query: Mapping[str, object], allowed: Iterable[str] | None) -> tuple["Filters", list[str]]:
        known = set(SCALARS) | set(DIMENSIONS.values())
        allowed = known if allowed is None else set(allowed)
        notices: list[str] = []
        values: dict[str, object] = {}
        for key, raw in query.items():
            if key not in allowed:
                notices.append(f"ignored unknown parameter {key!r}")
                continue
            items = [str(v) for v in _as_list(raw)]
            if any(len(v) > MAX_VALUE_LENGTH for v in items) or len(items) > MAX_VALUES:
                notices.append(f"ignored {key!r}: value too long")
                continue
            if key in ("from", "to"):
                try:
                    values["start" if key == "from" else "end"] = parse_date(items[-1], key)
                except InvalidFilter as exc:
                    notices.append(f"ignored {exc}")
            elif key == "scope":
                if items[-1] in STATUS_SCOPES:
                    values["status_scope"] = items[-1]
                else:
                    notices.append(f"ignored scope {items[-1]!r}: use one of {', '.join(STATUS_SCOPES)}")
            else:
                field = next(f for f, k in DIMENSIONS.items() if k == key)
                values[field] = tuple(v for item in items for v in _split(item))
        start, end = values.get("start"), values.get("end")
        if start and end and start > end:
            notices.append(f"'from' ({start}) is after 'to' ({end}); swap them")
            values.pop("start"), values.pop("end")
        return cls(**values), notices


def parse_date(text: str, name: str = "date") -> date:
    try:
        return date.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        raise InvalidFilter(f"{name} {text!r} is not a date; use YYYY-MM-DD") from None


def _as_list(raw) -> list:
    if raw is None:
        return []
    if isinstance(raw, (list, tuple)):
        return list(raw)
    return [raw]


def _split(item: str) -> list[str]:
    """`category=A&category=B` and `category=A|B` both work. Not commas: names may hold them."""
    return [v for v in item.split("|") if v != ""]
