"""Typed errors shared by every layer. Each carries a one-line, user-facing message."""


class UserError(Exception):
    """Something the user can fix; the CLI prints it on one line and exits non-zero."""

    exit_code = 2


class ConfigError(UserError):
    """A bad setting: an unknown database URL scheme, a malformed value."""


class DatabaseUnavailable(UserError):
    """The database cannot be reached or refused the credentials."""

    exit_code = 3


class InvalidFilter(UserError):
    """A filter value that cannot be applied (bad date, unknown category, from after to)."""


class DataExists(UserError):
    """A write would overwrite existing data without --replace."""
