"""RQ cron configuration: run retention nightly when workers run on Redis.

Start with ``.venv/bin/rq cron portal.auditor.cron --url "$REDIS_URL"`` beside the
workers (``rq worker local-reach``). Without Redis, use the system crontab instead:
``15 3 * * * cd /srv/local-reach && .venv/bin/flask --app wsgi retention run``.
"""
from rq import cron

from portal.jobs import run_job

cron.register(run_job, queue_name="local-reach", args=("portal.auditor.retention.run_scheduled",),
              cron="15 3 * * *", name="retention-nightly")
