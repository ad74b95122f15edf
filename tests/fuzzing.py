"""Generated inputs for the fuzz tests: grammar-aware mutations of real answers, random Unicode,
and equiv --batch lines over the complex domain. Deterministic for a seed."""
from __future__ import annotations

import json
import random
from pathlib import Path

#: Real answers: the dev set's, and a few of every kind the language reads.
SEEDS = [
    "d*sigma^2/2", r"\frac{\sigma^2 d}{2}", "sqrt(2/d)", r"\sqrt{\frac{2}{d}}", "sigma^2 = 2/d => sigma = sqrt(2/d)",
    "exp(x_i - max(x))/sum(exp(x - max(x)))", r"\frac{e^{x_i-\max_j x_j}}{\sum_k e^{x_k-\max_j x_j}}",
    "1/sum(exp(x - x_i))", "z - y", "softmax(x) - y", "log(1 + d (1-eps)/eps)",
    r"\log\left(1+\frac{d(1-\varepsilon)}{\varepsilon}\right)",
    "nLK^2", "3nLK^2", "(3L-1) n K^2", "L K^2 + 2 n K", "σ²d/2", "√(2/d)", "oo", r"\infty",
    "d sigma^2 (1/2 - 1/(2 pi))",
    "max(0, d - 10^6)", "csc(6*x)^2", r"\log_2 d", "log2(d)", "binomial(d, 2)", "floor(d/2) + ceiling(d/2)",
]
_DEV = Path(__file__).parent / "data" / "dev_answers.jsonl"
if _DEV.exists():
    SEEDS += [json.loads(line)["a"] for line in _DEV.read_text().splitlines() if line.strip()]

#: Tokens the mutations insert: operators, brackets, names, functions, numbers large and small,
#: LaTeX commands, chain words, and characters that have broken graders before.
TOKENS = [
    "+", "-", "*", "/", "^", "**", "!", "(", ")", "[", "]", "{", "}", "_", "=", "=>", ",", " ", "d", "sigma", "eps",
    "x", "x_i", "x_k", "y", "z", "n", "L", "K", "I", "E", "e", "pi", "oo", "0", "1", "2", "10", "0.5", "1e-300",
    "1e300", "10^999", "9^9^9", "1.0000000000000000000000000001", "exp(", "log(", "sqrt(", "max(", "min(", "sum(",
    "sum_k ", "max_j ", "abs(", "factorial(", "sin(", "csc(", "floor(", "sign(", "re(", "im(", "conjugate(",
    "binomial(", "log_2(", r"\frac{", r"\sqrt{", r"\max ", r"\log_{10} ", r"\sum_{k=1}^{d} ", r"\left(", r"\right)",
    r"\Rightarrow ", r"\cdot ", r"\sigma ", r"\varepsilon ", " so ", " hence ", "if", "else", "lambda", "__class__",
    "\x00", "\u202e", "\x1b[31m", "\r", "\t", "é", "σ", "²", "√", "∑", "ℓ", "𝑑", "\ud800",
]


def mutate(text: str, rng: random.Random) -> str:
    """A few random edits of ``text``: insert, delete, replace, duplicate or nest a piece."""
    for _ in range(rng.choice([1, 1, 2, 3])):
        op = rng.random()
        pos = rng.randint(0, len(text))
        if op < 0.35:
            text = text[:pos] + rng.choice(TOKENS) + text[pos:]
        elif op < 0.55 and text:
            end = min(len(text), pos + rng.randint(1, 4))
            text = text[:pos] + text[end:]
        elif op < 0.75 and text:
            end = min(len(text), pos + rng.randint(1, 3))
            text = text[:pos] + rng.choice(TOKENS) + text[end:]
        elif op < 0.85:
            text = text[:pos] + text[pos:pos + rng.randint(1, 8)] * rng.randint(2, 5) + text[pos:]
        else:
            depth = rng.choice([2, 10, 70, 400])
            opening, closing = rng.choice(["(", r"\frac{", "sqrt(", "{"]), rng.choice([")", "}{1}", ")", "}"])
            text = opening * depth + text + closing * depth
    return text


def random_unicode(rng: random.Random) -> str:
    """A short string of random code points (any plane, surrogates and controls included)."""
    return "".join(chr(rng.choice([rng.randint(0, 0x7F), rng.randint(0x80, 0x2FFF), rng.randint(0, 0x10FFFF)]))
                   for _ in range(rng.randint(0, 24)))


def answers(count: int, seed: int) -> list[str]:
    """``count`` distinct generated answers: about 85% mutations of real answers, the rest random."""
    rng = random.Random(seed)
    out: dict[str, None] = {}
    while len(out) < count:
        text = mutate(rng.choice(SEEDS), rng) if rng.random() < 0.85 else random_unicode(rng)
        out.setdefault(text, None)
    return list(out)


KINDS = ["real", "positive", "complex", "integer", "positive_integer", "nonnegative", "negative", "interval(0,1)",
         "bogus", 3, None]


def equiv_lines(count: int, seed: int) -> list[str]:
    """``count`` lines for ``equiv --batch``: mostly well formed (many over the complex domain),
    some broken JSON, wrong types, or nested deeply."""
    rng = random.Random(seed)
    lines = []
    for n in range(count):
        r = rng.random()
        if r < 0.05:
            lines.append("[" * rng.choice([10, 1000, 100000]) + "]" * rng.randint(0, 5))
        elif r < 0.1:
            lines.append(mutate('{"id": 1, "student": "x", "teacher": "x"}', rng))
        else:
            student, teacher = mutate(rng.choice(SEEDS), rng), rng.choice([*SEEDS, "x", "x^2", "abs(x)", "sqrt(x^2)"])
            item = {"id": n, "student": student if rng.random() > 0.05 else rng.choice([3, None, ["x"]]),
                    "teacher": teacher, "assume": {v: rng.choice(KINDS[:8] if rng.random() > 0.05 else KINDS)
                                                    for v in rng.sample(["x", "d", "sigma", "eps", "z", "n"], 2)}}
            if rng.random() < 0.5:
                item["assume"] = dict.fromkeys(item["assume"], "complex")
            lines.append(json.dumps(item))
    return lines
