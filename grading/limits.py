"""Bounds applied to untrusted answers before and while they are evaluated."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """What one untrusted answer may cost; the parser, the bounds and the sandbox enforce it."""

    max_length: int = 2000          # characters of one answer
    max_depth: int = 60             # nesting of brackets and operators
    max_nodes: int = 400            # nodes of the expression tree
    max_digits: int = 40            # digits of one number literal
    max_log10: float = 1000.0       # |log10| of any constant sub-expression
    max_exponent: int = 1000        # |exponent| on a non-constant base (polynomial degree)
    max_factorial: int = 1000       # largest constant argument of factorial
    seconds: float = 5.0            # wall time of one check in its worker process
    memory_mb: int = 1024           # address-space limit of a worker process


DEFAULT = Limits()


@dataclass(frozen=True)
class BankLimits:
    """What a question bank may hold: each piece of its content is read under the answers'
    :class:`Limits` as well; these bound how many pieces there are and how far definitions expand."""

    max_questions: int = 256        # [[question]] tables
    max_models: int = 64            # [[model]] tables
    max_mistakes: int = 64          # known mistakes of one question (each is compared with every answer)
    max_alternatives: int = 64      # accepted alternatives of one question
    max_definitions: int = 64       # definitions of one model
    max_expanded_nodes: int = 4000  # nodes of a definition with every defined name it uses written out
    max_text: int = 16 * 1024       # characters of one text (prompt, syntax, example, feedback)
    max_example_lines: int = 60     # lines of an example derivation


BANK = BankLimits()
