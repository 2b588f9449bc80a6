"""Errors that are displayed to the user.

Anything raised as a :class:`BragError` is a user-facing problem: the CLI prints
its message on one line and exits 1 (``--debug`` shows the traceback).
"""

from __future__ import annotations


class BragError(Exception):
    """An error whose message is meant for the user."""

    exit_code = 1


class CommandExit(BragError):
    """A command's result that is not success, with its own exit code.

    ``brag check`` finding problems, an empty ``brag add``, an unattended
    import with nothing new: the message (possibly empty) is printed as it is,
    without an ``Error:`` prefix, and the command exits with ``exit_code``.
    """

    def __init__(self, message: str = "", exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code


class UsageProblem(BragError):
    """A value given on the command line that the command cannot take: exit code 2,
    as for any other mistake in how a command was called."""

    exit_code = 2


class PluginError(BragError):
    """A plugin misbehaved: an unexpected exception or a wrong value, named in one line."""


class JournalError(BragError):
    """The journal is missing, not a git repository, or in a state brag cannot use."""


class EntryError(BragError):
    """An entry file cannot be parsed or an entry is invalid."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None):
        self.reason = message
        self.path = path
        self.line = line
        where = ""
        if path:
            where = f"{path}:{line}: " if line else f"{path}: "
        super().__init__(where + message)


class DateError(BragError):
    """A date or period could not be understood."""


class ConfigError(BragError):
    """brag.toml is invalid or a config key is unknown."""


class NotFoundError(BragError):
    """No entry matches an id prefix, or the prefix is ambiguous."""


class ImportSourceError(BragError):
    """An importer could not fetch or understand its source."""


class ExportError(BragError):
    """An exporter or its template failed."""
