"""Python binding of libselfservice, the customer self-service portal SDK, over its C ABI.

Only ctypes, nothing to compile. The library is loaded on first use from the path in the
environment variable SELFSERVICE_LIBRARY, or else by name (libselfservice.so on the loader's
search path).

    import selfservice

    with selfservice.Portal({"storage": "sqlite:/var/lib/portal.db"}) as portal:
        who = {"tenant_id": 1, "customer_id": 10, "user_id": 100,
               "roles": ["customer_user"], "locale": "en-US"}
        answer = portal.invoke("sessions.start", who, {"session_type": "ai_chat",
                                                       "initial_question": "VPN keeps dropping"})
        session_id = answer["data"]["session_id"]

A call that does not answer code 200 raises selfservice.Error. A Portal may be used from many
threads at once; close() must not race with calls on it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import threading
from typing import Any, Callable, Optional, Union

__all__ = ["Error", "Portal", "Progress", "abi_version", "version"]

# A context or request: a dict to encode as JSON, JSON text as is, or None for a C NULL.
Json = Union[dict, str, bytes, None]

# A long method's progress: called with (done, total); returning False stops the work (see
# selfservice_invoke_with_progress in selfservice.h). None or True goes on.
Progress = Callable[[int, int], Optional[bool]]

_ProgressFn = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64)


class Error(Exception):
    """A failure envelope of the library: {"code", "message", "errors", "trace_id", ...}."""

    def __init__(self, envelope: dict):
        self.envelope = envelope
        self.code: int = envelope.get("code", 0)
        self.message: str = envelope.get("message", "")
        self.errors: list = envelope.get("errors") or []
        self.trace_id: Optional[str] = envelope.get("trace_id")
        super().__init__(f"{self.code} {self.message}" + (f" {self.errors}" if self.errors else ""))


_library = None
_library_lock = threading.Lock()


def _load() -> ctypes.CDLL:
    path = os.environ.get("SELFSERVICE_LIBRARY") or ctypes.util.find_library("selfservice") or "libselfservice.so"
    lib = ctypes.CDLL(path)
    lib.selfservice_version.argtypes = []
    lib.selfservice_version.restype = ctypes.c_char_p  # static, never freed
    lib.selfservice_abi_version.argtypes = []
    lib.selfservice_abi_version.restype = ctypes.c_int
    lib.selfservice_portal_open.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
    lib.selfservice_portal_open.restype = ctypes.c_void_p
    lib.selfservice_portal_close.argtypes = [ctypes.c_void_p]
    lib.selfservice_portal_close.restype = None
    # Returned strings stay c_void_p so they can be handed back to selfservice_free.
    lib.selfservice_invoke.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p]
    lib.selfservice_invoke.restype = ctypes.c_void_p
    lib.selfservice_free.argtypes = [ctypes.c_void_p]
    lib.selfservice_free.restype = None
    if hasattr(lib, "selfservice_invoke_with_progress"):  # since 0.2.0
        lib.selfservice_invoke_with_progress.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p,
                                                         ctypes.c_char_p, _ProgressFn, ctypes.c_void_p]
        lib.selfservice_invoke_with_progress.restype = ctypes.c_void_p
    return lib


def _lib() -> ctypes.CDLL:
    global _library
    with _library_lock:
        if _library is None:
            _library = _load()
        return _library


def _encode(value: Json) -> Optional[bytes]:
    if value is None or isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def _take(pointer: Optional[int]) -> dict:
    """Decodes an envelope returned by the library and frees it."""
    if not pointer:
        raise MemoryError("libselfservice returned no envelope")
    try:
        return json.loads(ctypes.string_at(pointer).decode("utf-8"))
    finally:
        _lib().selfservice_free(pointer)


def version() -> str:
    """The library's version, "MAJOR.MINOR.PATCH"."""
    return _lib().selfservice_version().decode("ascii")


def abi_version() -> int:
    """The version of the C ABI; it changes only on an incompatible change."""
    return _lib().selfservice_abi_version()


class Portal:
    """An open portal. Close it with close(), or use it as a context manager."""

    def __init__(self, options: Json = None):
        """Opens a portal; options as in selfservice_portal_open (None: a private in-memory
        database). Raises Error (10001 bad options, 20004 storage unavailable)."""
        error = ctypes.c_void_p()
        handle = _lib().selfservice_portal_open(_encode(options), ctypes.byref(error))
        if not handle:
            raise Error(_take(error.value))
        self._handle: Optional[int] = handle

    def close(self) -> None:
        """Closes the portal; closing twice is a no-op."""
        handle, self._handle = self._handle, None
        if handle:
            _lib().selfservice_portal_close(handle)

    @property
    def closed(self) -> bool:
        return self._handle is None

    def __enter__(self) -> "Portal":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def invoke(self, method: str, context: Json, request: Json, progress: Optional[Progress] = None) -> dict:
        """Calls one method. Returns the success envelope ({"code": 200, "data", "trace_id",
        "pagination"?, ...}); raises Error for any other code, ValueError when closed.

        `progress`, for a long method (knowledge.import), is called on this thread with
        (done, total) as the work goes on; returning False stops it after the current
        transaction (the answer then says "cancelled": true). An exception raised by it stops
        the work too, and is raised again once the call returns."""
        if self._handle is None:
            raise ValueError("invoke on a closed Portal")
        lib = _lib()
        if progress is None:
            pointer = lib.selfservice_invoke(self._handle, _encode(method), _encode(context), _encode(request))
        else:
            if not hasattr(lib, "selfservice_invoke_with_progress"):
                raise NotImplementedError("progress needs libselfservice 0.2.0 or later")
            raised: list = []

            def report(_user_data, done, total):
                if raised:
                    return 1
                try:
                    return 1 if progress(done, total) is False else 0
                except BaseException as error:  # a ctypes callback must not raise: stop, re-raise below
                    raised.append(error)
                    return 1

            callback = _ProgressFn(report)  # kept alive for the whole call
            pointer = lib.selfservice_invoke_with_progress(self._handle, _encode(method), _encode(context),
                                                           _encode(request), callback, None)
            if raised:
                _take(pointer)
                raise raised[0]
        envelope = _take(pointer)
        if envelope.get("code") != 200:
            raise Error(envelope)
        return envelope
