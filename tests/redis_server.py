"""A Redis server of the test's own, on a free loopback port, that a test can stall
(SIGSTOP/SIGCONT), fill to its memory limit or turn into a read-only replica: real faults,
not mocks. Skips when redis-server is not installed."""

import contextlib
import shutil
import signal
import socket
import subprocess
import time

import pytest
import redis

from site_config.settings.base import cache_from_url
from tests import servers

REDIS_SERVER = shutil.which("redis-server")


class RedisServer:
    def __init__(self, tmp_path):
        self.port = servers.free_port()
        self.url = f"redis://{servers.HOST}:{self.port}/0"
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                servers.HOST,
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(tmp_path),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.client = redis.Redis(host=servers.HOST, port=self.port, socket_timeout=5)
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(redis.RedisError):
                if self.client.ping():
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)

    @contextlib.contextmanager
    def stalled(self):
        """The process stops answering (a stall), then carries on as if nothing happened."""
        self.process.send_signal(signal.SIGSTOP)
        try:
            yield
        finally:
            self.process.send_signal(signal.SIGCONT)

    def fill(self):
        """At its memory limit with no eviction: every write is refused (OOM), reads work."""
        self.client.config_set("maxmemory-policy", "noeviction")
        self.client.config_set("maxmemory", self.client.info("memory")["used_memory"])
        with contextlib.suppress(redis.exceptions.OutOfMemoryError):
            for n in range(10_000):
                self.client.set(f"filler:{n}", "x" * 1024)

    def make_read_only(self):
        """A replica of a master that does not exist, as after a failover gone wrong."""
        with socket.socket() as sock:
            sock.bind((servers.HOST, 0))
            nowhere = sock.getsockname()[1]
        self.client.replicaof(servers.HOST, nowhere)

    def stop(self):
        self.process.send_signal(signal.SIGCONT)
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def own_redis(tmp_path):
    if REDIS_SERVER is None:
        pytest.skip("needs redis-server (apt-get install redis-server)")
    server = RedisServer(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def redis_cache(own_redis, settings):
    """The shared cache is our own Redis (fail-soft, as in production); page cache on."""
    settings.CACHES = {**settings.CACHES, "default": cache_from_url(own_redis.url)}
    settings.PAGE_CACHE_SECONDS = 600
    return own_redis
