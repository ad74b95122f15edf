"""The errors derivcheck raises on input it cannot use (the command line exits 2 on them)."""
from __future__ import annotations


class InputError(ValueError):
    """An input that cannot be used: a bank or CSV file, a data directory, an option's value."""


class UnknownId(InputError, KeyError):
    """An unknown claim, question or exercise id; the message lists the known ones."""

    def __str__(self) -> str:
        # KeyError would show the message quoted, as if it were the missing key itself.
        return str(self.args[0]) if self.args else ""
