"""Take the README's screenshots (docs/screenshots/*.png) in headless Chromium.

    python bench/screenshots.py [--out DIR]

Needs what the browser tests need (Debian's chromium and fonts-noto-cjk, the test extras).
The pages are served by pytest-django's live server over a fresh test database filled
with the demo archive (tests/browser/screenshots.py does the work).
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    env = {**os.environ, "SCREENSHOTS_DIR": str(args.out.resolve())}
    env.setdefault("DJANGO_SETTINGS_MODULE", "site_config.settings.test")
    command = [sys.executable, "-m", "pytest", "tests/browser/screenshots.py", "-q"]
    status = subprocess.call([*command, "-p", "no:cacheprovider"], cwd=ROOT, env=env)
    if status == 0:
        for png in sorted(args.out.glob("*.png")):
            print(f"{png}  {png.stat().st_size // 1024} KiB")
    return status


if __name__ == "__main__":
    sys.exit(main())
