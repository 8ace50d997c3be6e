"""The bulletin as a distributable document: a print page and a Word file."""
