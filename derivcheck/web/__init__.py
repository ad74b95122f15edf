"""The self-check page (``derivcheck serve``, extra ``serve``): students see how their answer is
read, as they type, and check it.

:mod:`.service` does the work (bank, warm sandboxed workers, caches), :mod:`.app` speaks HTTP
(Starlette), :mod:`.page` and ``static/`` are the page. Importing this package imports neither
Starlette nor SymPy.
"""
