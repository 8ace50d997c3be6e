"""Template tags: cards, kept blocks (caching), page metadata, links, reading helpers.

Each registers what another part builds; imports public, caching and text.
"""
