#!/bin/sh
# One deploy on one machine (docs/operations.md, "On each deploy"). Run from /opt/backoffice as the backoffice user
# after the new code and its venv are in place; the schema is migrated once, by the first machine.
set -eu
. /etc/backoffice/env
export SECRET_KEY ALLOWED_HOSTS CSRF_TRUSTED_ORIGINS DATABASE_URL REDIS_URL VAR_DIR
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py collectstatic --noinput
.venv/bin/python manage.py check --deploy
sudo systemctl restart backoffice.target
