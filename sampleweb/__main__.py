"""Run the sample web standalone: ``python -m sampleweb [--port N] [--latency S]``."""

from __future__ import annotations

import argparse
import sys
import time

from sampleweb.server import serve


def main(argv: list[str] | None = None) -> int:
    """Serve until interrupted, printing the seeds and the --allow-private value."""
    parser = argparse.ArgumentParser(prog="python -m sampleweb", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="first port (default: any free block)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every response")
    args = parser.parse_args(argv)
    web = serve(args.host, args.port, args.latency)
    sys.stdout.write(f"seeds: {' '.join(web.seeds)}\nallow-private: {web.allow_private}\n")
    sys.stdout.flush()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        web.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
