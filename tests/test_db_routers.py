"""Read replicas: public reads spread over them, writes and transactions stay on the primary."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import transaction

from bulletins.models import Article
from site_config.db_routers import ReplicaRouter

ROOT = Path(__file__).resolve().parents[1]


def test_reads_go_to_the_replicas_and_writes_to_the_primary():
    router = ReplicaRouter(replicas=["replica1", "replica2"])
    assert {router.db_for_read(Article) for _ in range(50)} == {"replica1", "replica2"}
    assert router.db_for_write(Article) == "default"
    assert router.allow_migrate("default", "bulletins")
    assert not router.allow_migrate("replica1", "bulletins")


def test_without_replicas_everything_uses_the_primary():
    assert ReplicaRouter(replicas=[]).db_for_read(Article) == "default"


@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_see_its_writes_on_the_primary():
    router = ReplicaRouter(replicas=["replica1"])
    with transaction.atomic():
        assert router.db_for_read(Article) == "default"
    assert router.db_for_read(Article) == "replica1"


def test_replica_urls_come_from_the_environment():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "site_config.settings.test",
        "DATABASE_REPLICA_URLS": "postgres://reader@10.0.0.2:5432/bulletins,"
        "postgres://reader@10.0.0.3:5432/bulletins",
    }
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(sorted(s.DATABASES), s.DATABASE_ROUTERS, s.DATABASES['replica2']['HOST'])"
    )
    output = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    assert "['default', 'replica1', 'replica2']" in output
    assert "site_config.db_routers.ReplicaRouter" in output
    assert "10.0.0.3" in output
