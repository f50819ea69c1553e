"""Bounded decompression: real bodies decode, bombs stop at the cap (fixtures from scrapy)."""

from __future__ import annotations

import pytest

from crawlers.bodies import BodyTooLarge, DecodeError, decode_body

from .conftest import FIXTURES

COMPRESSED = FIXTURES / "compressed"


@pytest.mark.parametrize("name, coding", [
    ("html-gzip.bin", "gzip"), ("html-br.bin", "br"), ("html-zstd-streaming-no-content-size.bin", "zstd"),
    ("html-rawdeflate.bin", "deflate"),
])
def test_real_bodies_decode(name, coding):
    assert b"<html" in decode_body((COMPRESSED / name).read_bytes(), coding, 1_000_000).lower()


@pytest.mark.parametrize("coding", ["gzip", "deflate", "br", "zstd"])
def test_bombs_stop_at_the_cap(coding):
    with pytest.raises(BodyTooLarge):
        decode_body((COMPRESSED / f"bomb-{coding}.bin").read_bytes(), coding, 1_000_000)


@pytest.mark.parametrize("body, coding", [(b"not gzip", "gzip"), (b"x", "compress"), (b"\x1f\x8b\x08\x00", "gzip")])
def test_bad_encodings_are_errors(body, coding):
    with pytest.raises(DecodeError):
        decode_body(body, coding, 1000)


def test_identity_and_plain_bodies_are_capped():
    assert decode_body(b"abc", "identity", 10) == b"abc"
    with pytest.raises(BodyTooLarge):
        decode_body(b"a" * 11, "", 10)
