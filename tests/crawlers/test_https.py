"""HTTPS through the crawler's connection layer: certificates are verified, and a trusted site works."""

from __future__ import annotations

import asyncio
import shutil
import ssl
import subprocess
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import aiohttp
import pytest

from crawlers import connections
from crawlers.addresses import check_url
from crawlers.fetch import Fetcher
from crawlers.settings import CrawlSettings
from tests.crawlers.conftest import serving


class _Page(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        body = b"User-agent: *\n" if self.path == "/robots.txt" else b"<html><title>tls ok</title></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain" if self.path == "/robots.txt" else "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 (made with the openssl command)."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is not installed: cannot make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


@pytest.fixture
def tls_site(certificate):
    cert, key = certificate
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    server.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    with serving(server):
        port = server.server_address[1]
        yield f"https://127.0.0.1:{port}", f"127.0.0.1:{port}"


def _fetch(url: str, allow: str):
    async def go():
        async with Fetcher(CrawlSettings(allow_private=(allow,), retries=0)) as fetcher:
            return await fetcher.fetch(url)
    return asyncio.run(go())


def test_an_untrusted_certificate_is_refused(tls_site):
    base, allow = tls_site

    async def go():
        async with Fetcher(CrawlSettings(allow_private=(allow,), retries=0)) as fetcher:
            url = check_url(base + "/")
            await fetcher.vet(url.host, url.port)
            with pytest.raises(aiohttp.ClientConnectorCertificateError):
                await fetcher.connections.send(url, {})
    asyncio.run(go())
    # Through the fetcher, robots.txt cannot be read, so no page of the site is fetched.
    result = _fetch(base + "/", allow)
    assert not result.ok
    assert result.skipped == "disallowed by robots.txt"


def test_a_trusted_certificate_works_end_to_end(tls_site, certificate, monkeypatch):
    base, allow = tls_site
    monkeypatch.setattr(connections.certifi, "where", lambda: str(certificate[0]))
    result = _fetch(base + "/", allow)
    assert result.ok, result.error
    assert b"tls ok" in result.body
