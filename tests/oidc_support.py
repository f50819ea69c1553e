"""A real OpenID Connect provider for the tests: npm's `oidc-provider` run by Node on loopback.

`tests/oidc/provider.mjs` is the server; its package is installed from tests/oidc/package-lock.json
(`npm ci`, offline first) when node_modules is missing. Without node or npm the tests skip with
the reason (and fail in CI, LOCAL_REACH_REQUIRE_SERVICES=1).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urljoin

import requests

from tests.conftest import skip_or_fail

HERE = Path(__file__).resolve().parent / "oidc"
CLIENT_ID = "local-reach"
CLIENT_SECRET = "test-only-client-secret-6a1f0c2d9e8b7a6f5e4d3c2b1a09f8e7"
OTHER_CLIENT_ID = "another-app"
REDIRECT_URI = "http://localhost/login/sso/callback"
READY_WITHIN = 60  # seconds a cold start of node may take on a loaded machine


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _install() -> str | None:
    """Install the provider package from the lock file if needed; return why not, or None."""
    if not shutil.which("node") or not shutil.which("npm"):
        return "node and npm are needed for the OpenID Connect provider tests (tests/oidc); install Node 20+"
    if (HERE / "node_modules" / "oidc-provider").is_dir():
        return None
    for command in (["npm", "ci", "--offline", "--no-audit", "--no-fund"], ["npm", "ci", "--no-audit", "--no-fund"]):
        done = subprocess.run(command, cwd=HERE, capture_output=True, text=True, timeout=600, check=False)  # noqa: S603
        if done.returncode == 0:
            return None
    return f"npm ci in tests/oidc failed: {done.stderr[-500:]}"


class Provider:
    """A running provider: its issuer URL, and the accounts file tests rewrite between sign-ins."""

    def __init__(self, tmp: Path, redirect_uris: list[str]) -> None:
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.accounts_file = tmp / "accounts.json"
        self.set_accounts({})
        clients = [{"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uris": redirect_uris,
                    "grant_types": ["authorization_code"], "response_types": ["code"]},
                   {"client_id": OTHER_CLIENT_ID, "client_secret": CLIENT_SECRET + "-other",
                    "redirect_uris": redirect_uris, "grant_types": ["authorization_code"], "response_types": ["code"]}]
        env = {**os.environ, "OIDC_PORT": str(self.port), "OIDC_CLIENTS": json.dumps(clients),
               "OIDC_ACCOUNTS": str(self.accounts_file)}
        self.log = (tmp / "provider.log").open("w")
        self.process = subprocess.Popen(["node", "provider.mjs"], cwd=HERE, env=env,  # noqa: S603,S607
                                        stdout=self.log, stderr=subprocess.STDOUT)
        self._wait_ready(tmp)

    def _wait_ready(self, tmp: Path) -> None:
        deadline = time.monotonic() + READY_WITHIN
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if requests.get(f"{self.issuer}/.well-known/openid-configuration", timeout=2).ok:
                    return
            except requests.ConnectionError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the OIDC provider did not start: {(tmp / 'provider.log').read_text()[-2000:]}")

    def set_accounts(self, accounts: dict) -> None:
        self.accounts_file.write_text(json.dumps(accounts))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.log.close()


def start_provider(tmp: Path, redirect_uris: list[str]) -> Provider:
    reason = _install()
    if reason:
        skip_or_fail(reason)
    return Provider(tmp, redirect_uris)


def sign_in_at_provider(authorize_url: str, login: str, issuer: str) -> str:
    """Go through the provider's own pages (its sign-in form) as a browser would; return the URL it
    sends the browser back to (the portal's callback, not followed)."""
    browser = requests.Session()
    url = authorize_url
    for _ in range(20):
        response = browser.get(url, allow_redirects=False, timeout=10)
        if response.status_code in (302, 303):
            url = urljoin(url, response.headers["Location"])
            if not url.startswith(issuer):
                return url
            continue
        form = re.search(r'<form[^>]*action="([^"]+)"', response.text)
        assert form, response.text[:500]
        fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', response.text))
        fields.update({"login": login, "password": "any password"})
        response = browser.post(urljoin(url, form.group(1)), data=fields, allow_redirects=False, timeout=10)
        url = urljoin(url, response.headers["Location"])
        if not url.startswith(issuer):
            return url
    raise AssertionError("the provider never sent the browser back")
