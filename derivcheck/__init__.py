"""derivcheck: derive, verify and grade the mathematics of an introductory neural-network sheet.

This package holds only the command line; the work lives in ``derivations`` (SymPy),
``simulations`` (PyTorch) and, later, ``report`` and ``grading``.
"""
__version__ = "0.1.0"
