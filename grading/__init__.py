"""Checking student answers: a safe reader, an equivalence engine, a question bank, diagnoses.

Untrusted text is never evaluated: ``reader`` parses it with a Lark grammar into an inert tree,
bounds it, and only then builds SymPy objects. ``bank`` loads the questions, ``equivalence``
decides whether two expressions are equal, ``grader`` grades one answer (verdict, diagnoses,
counterexample); ``batch`` grades many, crash-safe, in ``sandbox`` worker processes with time and
memory limits (``limits``).
"""
