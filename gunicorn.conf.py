"""Gunicorn settings for production: ``gunicorn -c gunicorn.conf.py wsgi:app``.

Every value can be changed through the environment (GUNICORN_*), so one file
serves a laptop, a VM and a container. See docs/DEPLOY.md.
"""
import multiprocessing
import os


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


# Listen on loopback by default: TLS and the public address belong to the reverse proxy.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: the portal is database-bound and short-request; 2 × cores + 1 is the usual start.
workers = _env_int("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1)
# Threads > 1 switches to the gthread worker (helps when requests wait on a slow database).
threads = _env_int("GUNICORN_THREADS", 1)
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread" if threads > 1 else "sync")
# A request that takes longer than this is killed and its worker restarted.
timeout = _env_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Keep-alive only matters between the proxy and gunicorn; the proxy handles clients.
keepalive = _env_int("GUNICORN_KEEPALIVE", 5)
# Recycle workers now and then so a slow leak cannot grow without bound (jitter avoids a herd).
max_requests = _env_int("GUNICORN_MAX_REQUESTS", 5000)
max_requests_jitter = _env_int("GUNICORN_MAX_REQUESTS_JITTER", 500)
# Load the app once in the master, then fork: faster start, shared memory. Each worker opens its
# own database connections after the fork (see post_fork below).
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") not in {"0", "false", "no"}
if preload_app:
    # The disclosure layer's solver (portal/research/bounds.py) imports scipy lazily, which costs a
    # worker 1.7-2.4 s on its first table with small counts; imported here, the workers inherit it.
    import scipy.optimize  # noqa: F401
    import scipy.sparse.csgraph  # noqa: F401
    # The message check compiles its patterns on first use (~400 ms for a worker's first message,
    # 30-90 ms for the next few); built here, every worker starts with them (portal/guidance/warm.py).
    from portal.guidance.warm import warm_up

    warm_up()
# Request limits (the proxy should enforce the same or tighter).
limit_request_line = 8190
limit_request_fields = 100
# Trust X-Forwarded-* from these addresses (the app also needs TRUST_PROXY, see DEPLOY.md).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None  # empty: no access log
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
if os.environ.get("LOG_FORMAT", "text").lower() == "json":
    # One JSON object per request; %(M)s is the duration in milliseconds. No query strings:
    # searches may contain names.
    access_log_format = (
        '{"time": "%(t)s", "type": "access", "remote_addr": "%(h)s", "method": "%(m)s", '
        '"path": "%(U)s", "status": %(s)s, "bytes": "%(B)s", "duration_ms": %(M)s, '
        '"user_agent": "%(a)s", "pid": "%(p)s"}'
    )
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {"()": "portal.logs.JsonFormatter"},
            "raw": {"format": "%(message)s"},
        },
        "handlers": {
            "error": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
            "access": {"class": "logging.StreamHandler", "formatter": "raw", "stream": "ext://sys.stdout"},
        },
        "loggers": {
            "gunicorn.error": {"handlers": ["error"], "level": loglevel.upper(), "propagate": False},
            "gunicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        },
    }
else:
    access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'


def post_fork(server, worker):  # noqa: ARG001 - gunicorn hook signature
    """Drop database connections inherited from the master (never share a socket across processes)."""
    try:
        from wsgi import app
        from portal.extensions import db

        with app.app_context():
            db.engine.dispose(close=False)
    except Exception:  # noqa: BLE001 - the worker opens fresh connections anyway
        server.log.debug("no preloaded engine to dispose", exc_info=True)
