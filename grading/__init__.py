"""Checking student answers: a safe parser, an equivalence engine, a question bank, diagnoses.

Untrusted text is never evaluated: it is parsed by a Lark grammar into an inert tree, bounded,
and only then turned into SymPy objects (see ``parse``). ``check`` grades one answer;
``batch`` grades many, crash-safe, in worker processes with time and memory limits.
"""
