"""The bulletin as a distributable document: a print page and a Word file.

Both start from ``.published()`` and preview like the issue page. Imports: preview,
models, text.
"""
