#!/usr/bin/env bash
# Install everything and run the whole test suite (DATABASE_URL picks the database).
EXTRAS="[test]"
source "$(dirname "$0")/_venv.sh"
source scripts/_axe.sh
.venv/bin/ruff check .
.venv/bin/lint-imports --no-cache   # the layout's rules (pyproject.toml, README "Layout")
DJANGO_SETTINGS_MODULE=site_config.settings.test .venv/bin/python manage.py makemigrations --check --dry-run
DJANGO_SETTINGS_MODULE=site_config.settings.test .venv/bin/python manage.py check
exec .venv/bin/python -m pytest "$@"
