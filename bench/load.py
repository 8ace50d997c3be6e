"""Bounded load generators: wrk when installed, else a small threaded Python client.

Both run for a fixed time with a fixed number of connections and report requests per
second, p50/p99 latency in milliseconds and the number of failed requests.
"""

import http.client
import json
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

WRK_SCRIPT = Path(__file__).with_name("wrk_report.lua")
# Added to the reporter for a mixed load: the paths given after "--", requested in turn.
WRK_MIXED = """
local paths, turn = {}, 0
function init(args) for i, path in ipairs(args) do paths[i] = path end end
function request() turn = turn % #paths + 1; return wrk.format(nil, paths[turn]) end
"""


GENERATOR = "wrk" if shutil.which("wrk") else "python"


def available() -> str:
    return GENERATOR


def run(url: str, seconds: float, connections: int, headers: dict | None = None) -> dict:
    if GENERATOR == "wrk":
        return run_wrk(url, seconds, connections, headers or {})
    return run_python(url, seconds, connections, headers or {})


def run_mixed(base: str, paths: list[str], seconds: float, connections: int) -> dict:
    """Load several paths of one server at once, each connection taking them in turn."""
    if GENERATOR == "wrk":
        with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
            script.write(WRK_SCRIPT.read_text() + WRK_MIXED)
            script.flush()
            return run_wrk(base + paths[0], seconds, connections, {}, script.name, paths)
    return run_python(base + paths[0], seconds, connections, {}, paths)


def run_wrk(url, seconds, connections, headers, script=WRK_SCRIPT, paths=()):
    command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s"]
    command += ["--timeout", "10s", "-s", str(script)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command += [url, *(["--", *paths] if paths else [])]
    output = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 30, check=True
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH_JSON "))
    raw = json.loads(line.removeprefix("BENCH_JSON "))
    elapsed = raw["duration_us"] / 1e6
    return {
        "requests": raw["requests"],
        "rps": raw["requests"] / elapsed if elapsed else 0.0,
        "p50_ms": raw["p50_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "errors": raw["errors"],
    }


def run_python(url, seconds, connections, headers=None, paths=()):
    parts = urlsplit(url)
    paths = list(paths) or [parts.path + (f"?{parts.query}" if parts.query else "")]
    latencies, errors, lock = [], [0], threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(turn):
        mine, failed, conn = [], 0, None
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            turn += 1
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
                conn.request("GET", paths[turn % len(paths)], headers=headers or {})
                response = conn.getresponse()
                response.read()
                if response.status >= 400:
                    failed += 1
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException):
                failed += 1
                conn = None
                continue
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 15)
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000 if latencies else 0.0,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000 if latencies else 0.0,
        "errors": errors[0],
    }
