"""Python source from files: reading, decoding and parsing, with the one error every door
reports for a file that cannot be read (ASL003). The floor every layer that reads a file
stands on; the analysis itself never reads one (it is handed loaders)."""

from __future__ import annotations

import ast
import io
import os
import stat
import tokenize
import warnings

from asynclint.model import Diagnostic

MAX_FILE_BYTES = 16 * 1024 * 1024


class SourceError(Exception):
    """A file that cannot be read as Python source; the message says why."""

    def finding(self, path: str) -> Diagnostic:
        """The ASL003 finding every door reports for such a file."""
        return Diagnostic(path, 1, 1, "ASL003", str(self))


def read_source(path: str) -> str:
    return decode_source(read_bytes(path))


def read_bytes(path: str) -> bytes:
    """A source file's bytes; SourceError when it is not a regular file or too large."""
    too_large = f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB; not checked"
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; what it is, fstat tells next.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with open(fd, "rb") as handle:
            mode = os.fstat(fd).st_mode
            if stat.S_ISDIR(mode):
                raise SourceError("is a directory, not a file; not checked")
            if not stat.S_ISREG(mode):
                raise SourceError("not a regular file (a FIFO, socket or device?); not checked")
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise SourceError(f"cannot read file: {error.strerror or error}") from None
    if len(data) > MAX_FILE_BYTES:
        raise SourceError(too_large)
    return data


def decode_source(data: bytes) -> str:
    """Bytes to text as Python does: BOM, PEP 263 cookie, else UTF-8."""
    if b"\0" in data:
        raise SourceError("file contains null bytes (binary?); not checked")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding).removeprefix("\ufeff")
    except (SyntaxError, LookupError) as error:
        raise SourceError(f"cannot decode file: {error}") from None
    except UnicodeDecodeError as error:
        raise SourceError(f"file is not valid {error.encoding} (byte {error.start}); not checked") from None


def parse(source: str, path: str) -> ast.Module:
    with warnings.catch_warnings():  # invalid escapes etc.: Python's business, not ours
        warnings.simplefilter("ignore")
        return ast.parse(source, filename=path)
