"""The solution PDF: every formula printed from a SymPy object, every number from the run.

``pdf.build(output)`` runs the derivations, the verifications and the exercises (each stage kept
in the store under a hash of its inputs), renders the sheet's template (``templates/sheet8.tex.j2``
for the current sheet, named by ``derivcheck.sheets``) with the LaTeX-safe Jinja2 delimiters of
``latex`` and compiles it with ``latexmk -pdf``.
"""
