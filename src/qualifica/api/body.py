"""The one request-body reader: streamed, refused with 413 as soon as it passes its limit."""

from __future__ import annotations

import io
import zipfile

from fastapi import Request

from qualifica.errors import BadParameter, TooLarge


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, read chunk by chunk; ``TooLarge`` once it passes ``limit`` bytes
    (before reading at all when ``Content-Length`` already says so)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > limit:
        raise TooLarge(f"the request body is {int(declared)} bytes; the limit is {limit}",
                       param="request body")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"the request body exceeds {limit} bytes", param="request body")
        chunks.append(chunk)
    return b"".join(chunks)


def decode_utf8(data: bytes, *, param: str) -> str:
    """``data`` as UTF-8 text; ``BadParameter`` (400) when it is not."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadParameter(f"the {param} is not valid UTF-8 (byte {exc.start})",
                           param=param) from exc


def check_unpacked_size(data: bytes, limit: int) -> None:
    """Refuse a ZIP container (an XLSX workbook) that would unpack to more than ``limit``
    bytes, before any reader inflates it: a zip bomb is small on the wire."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        return  # not a ZIP: the reader says what is wrong with it
    if total > limit:
        raise TooLarge(f"the workbook unpacks to {total} bytes; the limit is {limit}",
                       param="file")
