"""Without node and npm the SSO tests skip, saying why; in CI (LOCAL_REACH_REQUIRE_SERVICES=1) they fail."""
from __future__ import annotations

import pytest

from tests import oidc_support


def test_no_node_skips_with_the_reason(monkeypatch, tmp_path):
    monkeypatch.setattr(oidc_support.shutil, "which", lambda name: None)
    monkeypatch.delenv("LOCAL_REACH_REQUIRE_SERVICES", raising=False)
    with pytest.raises(pytest.skip.Exception, match="node and npm are needed"):
        oidc_support.start_provider(tmp_path, ["http://localhost/cb"])


def test_no_node_fails_in_ci(monkeypatch, tmp_path):
    monkeypatch.setattr(oidc_support.shutil, "which", lambda name: None)
    monkeypatch.setenv("LOCAL_REACH_REQUIRE_SERVICES", "1")
    with pytest.raises(pytest.fail.Exception, match="node and npm are needed"):
        oidc_support.start_provider(tmp_path, ["http://localhost/cb"])
