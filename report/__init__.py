"""The solution PDF of a sheet: every formula printed from a SymPy object, every number from the run.

``pdf.build(output, sheet=...)`` is the generic builder: it runs the common stages
(``stages.common``: the sheet's claims derived and verified, its questions' mistakes, its worked
examples) and the stages the sheet declares in its ``sheet.toml`` (``[report] stages``, registered
by a module of ``stages``, e.g. ``stages.sheet8``), each kept in the store under a hash of its
inputs and the sheet; renders the sheet's template (``<id>.tex.j2`` in a built-in sheet's folder,
``derivcheck/sheets/<id>/templates/``; each claim's
``templates/claims/<claim>.tex.j2`` gives its glance row, body and appendix as blocks;
``templates/questions.tex.j2`` for a sheet without a template) with the LaTeX-safe Jinja2
delimiters of ``latex`` and the sheet's words (``wording``, ``worked``), and compiles it with
``latexmk -pdf``.
"""
