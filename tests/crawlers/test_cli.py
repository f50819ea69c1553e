"""Command line: DESIGN.md's JSONL on stdout, progress and summary on stderr."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from crawlers.__main__ import main

KEYS = {"site", "title", "description", "platform", "feeds", "locality", "found_via", "pages_fetched"}
FEED_KEYS = {"url", "kind", "title", "items", "last_item_at", "items_per_week"}


def test_discover_jsonl(web, capsys):
    status = main(["discover", web.url_for("ringmer-parish"), "--area-file", "crawlers/areas/lewes.json",
                   "--max-pages", "80", "--allow-private", web.allow_private, "--jsonl"])
    out, err = capsys.readouterr()
    assert status == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) >= 5
    for line in lines:
        assert KEYS <= set(line)
        assert set(line["locality"]) == {"score", "evidence"}
        assert 0 <= line["locality"]["score"] <= 1
        for feed in line["feeds"]:
            assert FEED_KEYS <= set(feed)
    scores = [line["locality"]["score"] for line in lines]
    assert scores == sorted(scores, reverse=True)
    assert "pages" in err
    assert "summary:" in err
    assert "feeds" in err


def test_private_seed_is_refused_without_allow(web, capsys):
    assert main(["discover", web.url_for("ringmer-parish"), "--jsonl", "--quiet"]) == 3
    out, err = capsys.readouterr()
    assert out == ""
    assert '"errors": 1' in err
    assert '"seeds_refused": 1' in err
    assert err.count("seed refused:") == 1
    assert "not a public address" in err


@pytest.mark.parametrize("args", [["--allow-private", "nonsense"], ["--area-file", "/nonexistent.json"],
                                  ["--concurrency", "0"]])
def test_bad_arguments_exit_2(args, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["discover", "http://example.org/", *args])
    assert exit_info.value.code == 2


def test_inspect_command_runs_as_a_module(web):
    proc = subprocess.run([sys.executable, "-m", "crawlers", "inspect", web.url_for("plumpton-green"),
                           "--allow-private", web.allow_private], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    record = json.loads(proc.stdout)
    assert record["feeds"][0]["kind"] == "json"
