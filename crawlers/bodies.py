"""Bounded decompression of response bodies (gzip, deflate, br, zstd).

Every decoder produces output in small steps and stops as soon as the running
total passes the cap, so a compression bomb costs at most ``limit`` bytes of memory.
"""

from __future__ import annotations

import io
import logging
import zlib

import brotli
import zstandard

logger = logging.getLogger(__name__)

__all__ = ["BodyTooLarge", "DecodeError", "decode_body", "SUPPORTED_ENCODINGS"]

#: Output produced per decoder step: small enough that overshoot past the cap is tiny.
STEP = 64 * 1024
SUPPORTED_ENCODINGS = ("gzip", "x-gzip", "deflate", "br", "zstd", "identity")


class BodyTooLarge(Exception):
    """The body (raw or decoded) is longer than the configured cap."""


class DecodeError(Exception):
    """The body claims an encoding it does not have, or an unknown one."""


def _check(total: int, limit: int) -> None:
    if total > limit:
        raise BodyTooLarge(f"body exceeds {limit} bytes after decompression")


def _zlib(data: bytes, limit: int, wbits: int) -> bytes:
    decoder = zlib.decompressobj(wbits)
    out: list[bytes] = []
    total = 0
    while data:
        chunk = decoder.decompress(data, STEP)
        total += len(chunk)
        _check(total, limit)
        out.append(chunk)
        data = decoder.unconsumed_tail
        if decoder.eof:
            break
    tail = decoder.flush(STEP)
    _check(total + len(tail), limit)
    if not decoder.eof and not total and not tail:
        raise zlib.error("truncated stream with no output")
    return b"".join(out) + tail


def _gzip(data: bytes, limit: int) -> bytes:
    return _zlib(data, limit, 16 + zlib.MAX_WBITS)


def _deflate(data: bytes, limit: int) -> bytes:
    try:
        return _zlib(data, limit, zlib.MAX_WBITS)
    except zlib.error:
        # Some servers send raw deflate without the zlib header.
        return _zlib(data, limit, -zlib.MAX_WBITS)


def _brotli(data: bytes, limit: int) -> bytes:
    decoder = brotli.Decompressor()
    chunk = decoder.process(data, output_buffer_limit=STEP)
    out, total = [chunk], len(chunk)
    while not decoder.is_finished():
        _check(total, limit)
        chunk = decoder.process(b"", output_buffer_limit=STEP)
        if not chunk and decoder.can_accept_more_data():
            raise DecodeError("truncated br body")
        total += len(chunk)
        out.append(chunk)
    _check(total, limit)
    return b"".join(out)


def _zstd(data: bytes, limit: int) -> bytes:
    reader = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data), read_across_frames=True)
    out: list[bytes] = []
    total = 0
    while chunk := reader.read(STEP):
        total += len(chunk)
        _check(total, limit)
        out.append(chunk)
    return b"".join(out)


DECODERS = {"gzip": _gzip, "x-gzip": _gzip, "deflate": _deflate, "br": _brotli, "zstd": _zstd}


def decode_body(raw: bytes, content_encoding: str, limit: int) -> bytes:
    """Undo a ``Content-Encoding`` chain without ever holding more than ``limit`` bytes.

    Args:
        raw: the body as received (already capped by the caller).
        content_encoding: the header value, e.g. ``"gzip"`` or ``"gzip, br"``.
        limit: the largest decoded size accepted.

    Returns:
        The decoded body.

    Raises:
        BodyTooLarge: when decoding would pass ``limit``.
        DecodeError: for unknown encodings or corrupt data.
    """
    codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
    data = raw
    for coding in reversed(codings):
        if coding == "identity":
            continue
        decoder = DECODERS.get(coding)
        if decoder is None:
            raise DecodeError(f"unsupported content-encoding {coding!r}")
        try:
            data = decoder(data, limit)
        except (zlib.error, brotli.error, zstandard.ZstdError) as exc:
            raise DecodeError(f"corrupt {coding} body: {exc}") from None
    _check(len(data), limit)
    return data
