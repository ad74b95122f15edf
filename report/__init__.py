"""The solution PDF: every formula printed from a SymPy object, every number from the run.

``build(output)`` runs the derivations, the verifications and the exercises (cached by a hash
of their inputs), renders ``templates/solutions.tex.j2`` with LaTeX-safe Jinja2 delimiters and
compiles it with ``latexmk -pdf``.
"""
