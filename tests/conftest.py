import pytest

from tests.redis_server import own_redis, redis_cache  # noqa: F401 (fixtures)


@pytest.fixture(autouse=True)
def _clear_cache():
    """Every test starts with empty caches."""
    from django.core.cache import caches

    for name in ("default", "fragments"):
        caches[name].clear()
    yield
    for name in ("default", "fragments"):
        caches[name].clear()


@pytest.fixture
def archive(db):
    """A small public archive (see factories.public_archive)."""
    from tests import factories

    return factories.public_archive()


@pytest.fixture
def unpublished(archive):
    """A draft, an in-review and a scheduled issue sharing the archive's tag and source."""
    from tests import factories

    return factories.unpublished_issues(tags=[archive.tag], source_obj=archive.source)
