"""Why an answer could not be read: one clear message, with the position of the problem."""
from __future__ import annotations


class AnswerError(Exception):
    """An answer that is unparseable, unsafe, too large or of the wrong type (verdict ``invalid``).

    ``position`` is the 0-based character offset in the text the student typed, when known.
    """

    def __init__(self, message: str, position: int | None = None, text: str | None = None):
        self.position = position
        self.text = text
        super().__init__(message)

    @property
    def message(self) -> str:
        msg = str(self)
        if self.position is not None and self.text is not None and len(self.text) <= 200:
            caret = " " * min(self.position, len(self.text)) + "^"
            return f"{msg}\n  {self.text}\n  {caret}"
        if self.position is not None:
            return f"{msg} (at character {self.position + 1})"
        return msg


class TooLarge(AnswerError):
    """A number, exponent, depth or size over the limits (checked before anything is evaluated)."""


def printable(text: str, keep_newlines: bool = True) -> str:
    """``text`` safe to show on a terminal: control characters (escape sequences, carriage
    returns, bidi overrides, NUL) written as ``\\xNN``/``\\uNNNN`` escapes; newlines kept when asked."""
    import unicodedata

    out = []
    for ch in str(text):
        if ch == "\n" and keep_newlines:
            out.append(ch)
        elif unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") or ch == "\x7f":
            out.append(ascii(ch)[1:-1])
        else:
            out.append(ch)
    return "".join(out)
