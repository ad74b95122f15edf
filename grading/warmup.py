"""What a worker runs before it takes answers: the bank, then one derivation check of each model.

A worker's first derivation check pays for what every later one reuses (the model's definitions
read, its sample points and laws set up, SymPy's caches filled). A :class:`~.sandbox.Sandbox`
runs these items in each worker before its first task, each under the same budget as an answer
and never charged to one, so an answer's verdict does not depend on whether its worker was fresh.
The derivation checked is the question's own example stated twice (``example`` then
``= example``), which walks every stage of the derivation checker.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .limits import DEFAULT, Limits
from .sandbox import WarmItem


def load_bank(bank_path: str | None) -> int:
    """Load the bank in the worker (a cache hit when the parent loaded it before forking)."""
    from .bank import load

    return len(load(bank_path))


def check_example(bank_path: str | None, question_id: str, limits: Limits = DEFAULT) -> str:
    """Check question ``question_id``'s example as a two-line derivation; its verdict."""
    from .bank import load
    from .grader import check

    question = load(bank_path)[question_id]
    return str(check(question, warm_answer(question.example), limits, evidence=False).get("verdict"))


def warm_answer(example: str) -> str:
    """The two-line derivation a warm-up checks: the example, then ``= example``."""
    return f"{example}\n= {example}"


def bank_items(bank_path: str | None, question_ids: Iterable[str] | None = None,
               limits: Limits = DEFAULT) -> list[WarmItem]:
    """The bank, then one derivation check per model (of the first question using it, among
    ``question_ids`` when given)."""
    from .bank import load
    from .lines import judges_working

    bank = load(bank_path)
    wanted = None if question_ids is None else set(question_ids)
    first: dict[str, str] = {}
    for qid, question in bank.items():
        if question.model is not None and judges_working(question) and question.example \
                and (wanted is None or qid in wanted):
            first.setdefault(question.model.name, qid)
    return [WarmItem("loading the bank", load_bank, (bank_path,)),
            *(WarmItem(f"question {qid}: its example checked as a derivation (model {model})",
                       check_example, (bank_path, qid, limits)) for model, qid in first.items())]


def items_for(fn: Callable[..., Any], tasks: Sequence[tuple]) -> list[WarmItem]:
    """The warm-up for a batch of ``fn(*args)`` tasks: the bank and the models its questions use
    for checks, one equivalence for ``equiv``; nothing for other functions."""
    from . import tasks as units

    if not tasks:
        return []
    if fn is units.check_task:
        bank_path = tasks[0][0]
        limits = next((a for a in tasks[0] if isinstance(a, Limits)), DEFAULT)
        return bank_items(bank_path, {str(args[1]) for args in tasks if len(args) > 1}, limits)
    if fn is units.equiv_task:
        return [WarmItem("an equivalence", units.equiv_task, ("x + 1", "1 + x", {}))]
    return []
