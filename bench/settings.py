"""Production settings plus the floor URL; the static root comes from the benchmark run."""

import os

from site_config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT", STATIC_ROOT)  # noqa: F405
