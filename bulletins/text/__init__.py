"""Text rules shared by every part: numerals (第六三六期 <-> 636, pure Python),
formatting (dates, citations, names) and markdown (Markdown -> safe HTML, links).

Imports nothing of the project.
"""
