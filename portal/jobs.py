"""Background work: in-process threads by default, RQ on Redis when REDIS_URL is set.

A job is named by the dotted path of a function taking plain arguments. Either
backend runs it inside an application context, so job code is the same.
"""
from __future__ import annotations

import importlib
import logging
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from flask import Flask, current_app

logger = logging.getLogger(__name__)

EXECUTOR_KEY = "local_reach_executor"


def resolve(func_path: str) -> Callable[..., Any]:
    """Import ``package.module:function`` (or ``package.module.function``)."""
    module_name, _, attr = func_path.replace(":", ".").rpartition(".")
    return getattr(importlib.import_module(module_name), attr)


def _run_in_app(app: Flask, func_path: str, args: tuple, kwargs: dict) -> Any:
    with app.app_context():
        try:
            return resolve(func_path)(*args, **kwargs)
        except Exception:
            logger.exception("background job %s failed", func_path)
            raise
        finally:
            from portal.extensions import db

            db.session.remove()


def run_job(func_path: str, *args: Any, **kwargs: Any) -> Any:
    """Entry point for RQ workers: build the app from the environment and run the job."""
    from portal import create_app

    return _run_in_app(create_app(), func_path, args, kwargs)


def redis_connection(app: Flask | None = None):
    """Return a Redis connection for REDIS_URL, or None when jobs run in-process."""
    app = app or current_app
    url = app.config.get("REDIS_URL")
    if not url:
        return None
    from redis import Redis

    return Redis.from_url(url)


def queue(app: Flask | None = None):
    """Return the RQ queue (None in-process)."""
    app = app or current_app
    conn = redis_connection(app)
    if conn is None:
        return None
    from rq import Queue

    return Queue(app.config.get("RQ_QUEUE", "local-reach"), connection=conn)


def enqueue(func_path: str, *args: Any, job_timeout: int = 3600, **kwargs: Any) -> str:
    """Run ``func_path(*args, **kwargs)`` in the background; return a job id."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    job_id = uuid.uuid4().hex
    if app.config.get("JOBS_INLINE"):
        _run_in_app(app, func_path, args, kwargs)
        return job_id
    rq_queue = queue(app)
    if rq_queue is not None:
        rq_queue.enqueue("portal.jobs.run_job", job_id=job_id, job_timeout=job_timeout,
                         args=(func_path, *args), kwargs=kwargs)
        return job_id
    executor: ThreadPoolExecutor = app.extensions.setdefault(
        EXECUTOR_KEY, ThreadPoolExecutor(max_workers=2, thread_name_prefix="local-reach-job")
    )
    future: Future = executor.submit(_run_in_app, app, func_path, args, kwargs)
    app.extensions.setdefault("local_reach_futures", {})[job_id] = future
    return job_id
