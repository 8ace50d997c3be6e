#!/usr/bin/env bash
# Install, fill the demo archive on SQLite and serve it at http://127.0.0.1:8000
source "$(dirname "$0")/_venv.sh"
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py demo_data
echo "Serving the demo archive at http://127.0.0.1:8000 (Ctrl-C stops it)"
exec .venv/bin/python manage.py runserver 127.0.0.1:8000
