"""A small ``multipart/form-data`` parser (stdlib only)."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import Message


@dataclass
class UploadedFile:
    """One file part of a multipart body."""

    field_name: str
    filename: str
    content_type: str
    content: bytes


def _header_params(value: str, header: str = "content-disposition") -> Message:
    msg = Message()
    msg[header] = value
    return msg


def boundary_of(content_type: str) -> str | None:
    """The boundary of a ``multipart/form-data`` Content-Type, else None."""
    msg = _header_params(content_type, "content-type")
    if msg.get_content_type() != "multipart/form-data":
        return None
    boundary = msg.get_param("boundary", header="content-type")
    return boundary if isinstance(boundary, str) and boundary else None


def parse_multipart(body: bytes, boundary: str) -> tuple[dict[str, str], list[UploadedFile]]:
    """Split ``body`` into form fields and files; ``ValueError`` when malformed."""
    delimiter = b"\r\n--" + boundary.encode("latin-1")
    chunks = (b"\r\n" + body).split(delimiter)
    if len(chunks) < 3 or not chunks[-1].startswith(b"--"):
        raise ValueError("multipart body has no closing boundary")
    fields: dict[str, str] = {}
    files: list[UploadedFile] = []
    for chunk in chunks[1:-1]:
        head, sep, content = chunk.partition(b"\r\n\r\n")
        if not sep:
            raise ValueError("multipart part has no header/body separator")
        headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, colon, value = line.partition(":")
            if colon:
                headers[key.strip().lower()] = value.strip()
        disposition = _header_params(headers.get("content-disposition", ""))
        name = disposition.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            raise ValueError("multipart part without a form-data name")
        filename = disposition.get_filename()
        if filename is None:
            fields[name] = content.decode("utf-8", "replace")
        else:
            ctype = headers.get("content-type", "application/octet-stream")
            files.append(UploadedFile(name, filename, ctype, content))
    return fields, files
