"""Download: the bytes of one file a portal serves, read as a raw binary stream."""

from __future__ import annotations

import ctypes
import io
import threading
from typing import Any, Dict, Optional

from . import _native
from .errors import Error

__all__ = ["Download"]


class Download(io.RawIOBase):
    """An open download (selfservice_download_open): the bytes of a ticket attachment or a
    document, or of the range of them the request asked for, as a read-only, non-seekable raw
    stream. Made by Portal.open_download(); close it with close() or a `with` block (a Download
    that is garbage-collected is closed too).

    read(), readall(), readinto() and iteration work as on any io.RawIOBase; readinto() reads
    straight into the caller's buffer. A read the library cannot serve (the file was deleted
    meanwhile, the store failed, the bytes of a whole-file read do not match its SHA-256) raises
    the Error subclass of its envelope, and every later read raises it again. A read after
    close() raises ValueError, as on a closed file.

    A Download does not need its Portal: it stays readable after Portal.close(). It may be
    shared between threads, but its reads are then serialised and their order is up to them."""

    def __init__(self, handle: int, info: Dict[str, Any]) -> None:
        # The handle and lock are set first: close(), which io calls when the object is
        # collected, relies on them.
        self._handle: Optional[int] = handle
        # Guards _handle and _position, and keeps close() from freeing the handle while another
        # thread is inside selfservice_download_read with it.
        self._lock = threading.Lock()
        # Kept so that close() still works while the interpreter shuts down.
        self._lib = _native.lib()
        self._info = info
        self._position = 0
        super().__init__()

    @property
    def info(self) -> Dict[str, Any]:
        """The data of the success envelope: the method's description of the file (without
        data_base64), "file": {"name", "content_type", "size", "sha256"} and "range":
        {"offset", "length", "size"}."""
        return self._info

    @property
    def size(self) -> int:
        """The bytes of the whole file."""
        return int(self._info["range"]["size"])

    @property
    def offset(self) -> int:
        """The byte of the file where the range starts."""
        return int(self._info["range"]["offset"])

    @property
    def length(self) -> int:
        """The bytes of the range: what the reads deliver in all."""
        return int(self._info["range"]["length"])

    @property
    def position(self) -> int:
        """The bytes of the range read so far: an interrupted download resumes at file offset
        `offset + position`."""
        return self._position

    @property
    def file_name(self) -> str:
        return str(self._info["file"]["name"])

    @property
    def content_type(self) -> str:
        return str(self._info["file"]["content_type"])

    @property
    def sha256(self) -> Optional[str]:
        """The whole file's SHA-256 as 64 hex digits, or None when none was recorded."""
        return self._info["file"]["sha256"]

    def readable(self) -> bool:
        if self.closed:
            raise ValueError("I/O operation on a closed Download")
        return True

    def readinto(self, buffer: Any) -> int:
        """Reads the next bytes of the range into `buffer` (a writable, C-contiguous buffer:
        bytearray, memoryview, array, ...), without a copy; returns how many, 0 at the end."""
        if self.closed:
            raise ValueError("I/O operation on a closed Download")
        with memoryview(buffer) as view, view.cast("B") as target:
            if target.readonly:
                raise TypeError("readinto() needs a writable buffer")
            if not target.nbytes:
                return 0
            window = (ctypes.c_char * target.nbytes).from_buffer(target)
            try:
                return self._read(ctypes.addressof(window), target.nbytes)
            finally:
                del window  # its export of `target` must end before the view is released

    def readall(self) -> bytes:
        """The rest of the range, read into one buffer of its size (io's default would grow one
        8 KiB read at a time)."""
        if self.closed:
            raise ValueError("I/O operation on a closed Download")
        remaining = self.length - self._position
        buffer = bytearray(remaining)
        filled = 0
        with memoryview(buffer) as view:
            while filled < remaining:
                got = self.readinto(view[filled:])
                if not got:
                    break
                filled += got
        del buffer[filled:]
        return bytes(buffer)

    def _read(self, address: int, capacity: int) -> int:
        error = ctypes.c_void_p()
        with self._lock:
            if self._handle is None:
                raise ValueError("I/O operation on a closed Download")
            got = self._lib.selfservice_download_read(self._handle, address, capacity, ctypes.byref(error))
            if got >= 0:
                self._position += got
                return int(got)
        raise Error.from_envelope(_native.take_json(error.value))

    def close(self) -> None:
        """Frees the download, read to its end or not; closing again is a no-op. Waits for a
        read running on another thread to return."""
        with self._lock:
            handle, self._handle = self._handle, None
        if handle is not None:
            self._lib.selfservice_download_close(handle)
        super().close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else f"{self._position} of {self.length} bytes read"
        return f"<selfservice.Download {self._info.get('file', {}).get('name')!r} {state}>"
