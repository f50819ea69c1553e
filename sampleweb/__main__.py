"""Run the sample web standalone: ``python -m sampleweb [--port N] [--latency S]``.

With ``--control``, a line on standard input controls it (benchmarks use this): ``reset``
forgets the requests so far, ``report`` prints one JSON line of :meth:`SampleWeb.politeness`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from sampleweb.server import serve


def main(argv: list[str] | None = None) -> int:
    """Serve until interrupted, printing the seeds and the --allow-private value."""
    parser = argparse.ArgumentParser(prog="python -m sampleweb", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="first port (default: any free block)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every response")
    parser.add_argument("--control", action="store_true", help="read reset / report commands on stdin")
    args = parser.parse_args(argv)
    web = serve(args.host, args.port, args.latency)
    sys.stdout.write(f"seeds: {' '.join(web.seeds)}\nallow-private: {web.allow_private}\n")
    sys.stdout.flush()
    try:
        for line in sys.stdin if args.control else ():
            if line.strip() == "reset":
                web.reset()
            elif line.strip() == "report":
                sys.stdout.write(json.dumps(web.politeness()) + "\n")
                sys.stdout.flush()
        while True:  # no (more) commands: serve until interrupted
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        web.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
