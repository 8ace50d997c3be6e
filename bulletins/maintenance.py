"""After content changed in bulk (a restore, a large import): make everything derived agree.

Pages, counts and list orders are keyed by the content version, so a bump retires them;
a search index, when the site has one, is rebuilt by its management command.
"""

from django.core.management import call_command, get_commands

from . import content_version

# The names a search index rebuild command may have (the search backend defines one).
SEARCH_INDEX_COMMANDS = ("rebuild_search_index", "update_search_index", "search_index")


def rebuild_search_index() -> bool:
    """Run the search backend's rebuild command if there is one; True if it ran."""
    for name in SEARCH_INDEX_COMMANDS:
        if name in get_commands():
            call_command(name, verbosity=0)
            return True
    return False


def content_restored() -> None:
    content_version.bump()
    rebuild_search_index()
