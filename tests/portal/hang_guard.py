"""A watchdog for tests that send hostile input: a request that runs far too long fails the test.

Not a timing assertion: the bound is generous (tens of seconds) and only catches hangs,
such as a validator that is quadratic in a megabyte of input. Main thread only (SIGALRM).
"""
from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

HANG_SECONDS = 30.0


class Hang(AssertionError):
    """The guarded block ran past its bound."""


@contextlib.contextmanager
def no_hang(what: str, seconds: float = HANG_SECONDS) -> Iterator[None]:
    """Fail with :class:`Hang` if the block runs longer than ``seconds``."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def _alarm(signum, frame):  # noqa: ARG001
        raise Hang(f"{what} ran for more than {seconds:.0f} s")

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
