"""Serve a generated layered web on loopback (one port per site, one asyncio loop) and give its truth.

    python -m benchmarks.layeredweb.serve --seed 7 [--communities 150] [--latency 0.05] --truth FILE

Prints ``seeds: …`` and ``allow-private: 127.0.0.1:FIRST-LAST``, writes the ground truth
as JSON to FILE, then serves. A line on standard input controls it: ``reset`` forgets the
requests so far, ``report`` prints one JSON line with every request served since (site name,
path) and the politeness figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import socket
import sys
from collections import defaultdict
from pathlib import Path

from benchmarks.layeredweb.generate import SiteSpec, generate
from benchmarks.layeredweb.render import directory_page, respond

MAX_HOPS = 3


def reachable_hops(specs: list[SiteSpec]) -> dict[str, int]:
    """Fewest sites from a directory to each site a polite crawler can reach within MAX_HOPS."""
    by_name = {spec.name: spec for spec in specs}
    hops = {spec.name: 0 for spec in specs if spec.platform == "directory"}
    queue = list(hops)
    while queue:
        name = queue.pop(0)
        if by_name[name].deny_all:
            continue  # its links page is off limits
        for other in by_name[name].links_to:
            if other not in hops and hops[name] + 1 <= MAX_HOPS:
                hops[other] = hops[name] + 1
                queue.append(other)
    return hops


def ground_truth(specs: list[SiteSpec], bases: dict[str, str], twins: dict[str, str]) -> dict:
    """Per canonical site URL: reachable politely, hops, main feed, section feeds, item feeds, twin."""
    hops = reachable_hops(specs)
    truth = {}
    for spec in specs:
        if spec.platform == "directory":
            continue
        base = bases[spec.name]
        polite = spec.name in hops and not spec.deny_all
        truth[base] = {
            "name": spec.name, "platform": spec.platform, "reachable": polite, "hops": hops.get(spec.name),
            "main": base + spec.main if spec.main else None, "advert": spec.advert,
            "sections": {base + p.feed: {"page": base + p.page, "kind": p.kind} for p in spec.parts
                         if not p.disallowed},
            "items": {page: [base + feed, role] for page, (feed, role) in spec.items.items() if feed},
            "twin": twins.get(spec.name), "soft404": spec.soft404, "calendar": spec.calendar,
        }
    return truth


def _bind_block(count: int) -> tuple[int, list[socket.socket]]:
    """Bind ``count`` consecutive loopback ports (a range one --allow-private entry can name)."""
    rng = random.Random()
    for _attempt in range(50):
        first = rng.randint(20000, 60000 - count)
        sockets = []
        try:
            for port in range(first, first + count):
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sock.bind(("127.0.0.1", port))
                sock.listen(128)
                sock.setblocking(False)
                sockets.append(sock)
            return first, sockets
        except OSError:
            for sock in sockets:
                sock.close()
    raise OSError("no block of free ports")


class LayeredWeb:
    """The running web: sites by port, the request log and politeness counters."""

    def __init__(self, specs: list[SiteSpec], first_port: int, latency: float) -> None:
        self.specs = {spec.name: spec for spec in specs}
        self.latency = latency
        names = [spec.name for spec in specs]
        twins = [spec.name for spec in specs if spec.twin]
        self.bases = {name: f"http://127.0.0.1:{first_port + i}" for i, name in enumerate(names)}
        self.twins = {name: f"http://127.0.0.1:{first_port + len(names) + i}" for i, name in enumerate(twins)}
        self.ports = {int(base.rsplit(":", 1)[1]): (name, False) for name, base in self.bases.items()}
        self.ports.update({int(base.rsplit(":", 1)[1]): (name, True) for name, base in self.twins.items()})
        self.reset()

    def reset(self) -> None:
        self.log: list[tuple[str, str]] = []
        self.in_flight: dict[str, int] = defaultdict(int)
        self.peak: dict[str, int] = defaultdict(int)
        self.robots_first: dict[str, bool] = {}

    def base_of(self, name: str, canonical: bool = False) -> str:
        """The URL other sites link to (a site's twin, when it has one)."""
        return self.bases[name] if canonical or name not in self.twins else self.twins[name]

    def answer(self, port: int, path: str) -> tuple[int, dict[str, str], bytes]:
        name, twin = self.ports[port]
        key = name + (" (twin)" if twin else "")
        self.log.append((key, path))
        self.robots_first.setdefault(key, path == "/robots.txt")
        if twin:
            return 301, {"Location": self.bases[name] + path}, b""
        spec = self.specs[name]
        if spec.platform == "directory":
            return directory_page(spec, path, self.base_of)
        return respond(spec, path, self.base_of)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        port = writer.get_extra_info("sockname")[1]
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ", 2)[1].decode("latin-1")
                name = self.ports[port][0]
                self.in_flight[name] += 1
                self.peak[name] = max(self.peak[name], self.in_flight[name])
                try:
                    await asyncio.sleep(self.latency)
                    status, headers, body = self.answer(port, path)
                finally:
                    self.in_flight[name] -= 1
                lines = [f"HTTP/1.1 {status} X"] + [f"{k}: {v}" for k, v in headers.items()]
                lines.append(f"Content-Length: {len(body)}")
                writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, IndexError):
            pass
        finally:
            writer.close()

    def report(self) -> dict:
        """Every request since the last reset, and politeness as seen from the servers."""
        sites = sorted(self.robots_first)
        return {"requests": self.log, "sites": len(sites), "robots_first": sum(self.robots_first.values()),
                "peak_per_site": max(self.peak.values(), default=0),
                "disallowed": sum(1 for key, path in self.log if self._disallowed(key.split(" ")[0], path))}

    def _disallowed(self, name: str, path: str) -> bool:
        spec = self.specs[name]
        if path == "/robots.txt" or spec.platform == "directory":
            return False
        if spec.deny_all:
            return True
        return any(p.disallowed and path.startswith((p.page, p.feed)) for p in spec.parts) or path.startswith("/cgi-bin/")


async def _serve(web: LayeredWeb, sockets: list[socket.socket]) -> None:
    servers = [await asyncio.start_server(web.handle, sock=sock) for sock in sockets]
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := (await reader.readline()).decode().strip() or not reader.at_eof():
        if line == "reset":
            web.reset()
        elif line == "report":
            sys.stdout.write(json.dumps(web.report()) + "\n")
            sys.stdout.flush()
    for server in servers:
        server.close()


def main() -> int:
    """Generate, write the truth, print seeds and the allowed range, serve until stdin closes."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--communities", type=int, default=150)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--truth", type=Path, required=True)
    args = parser.parse_args()
    specs = generate(args.seed, args.communities)
    count = len(specs) + sum(spec.twin for spec in specs)
    first, sockets = _bind_block(count)
    web = LayeredWeb(specs, first, args.latency)
    args.truth.write_text(json.dumps(ground_truth(specs, web.bases, web.twins)))
    seeds = [web.bases[spec.name] + "/" for spec in specs if spec.platform == "directory"]
    sys.stdout.write(f"seeds: {' '.join(seeds)}\nallow-private: 127.0.0.1:{first}-{first + count - 1}\n")
    sys.stdout.flush()
    asyncio.run(_serve(web, sockets))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
