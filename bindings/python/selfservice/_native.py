"""Loading libselfservice and crossing its C ABI (capi/selfservice.h) with ctypes.

Ownership: every string the library returns is declared c_void_p (never c_char_p, which would
copy it and lose the pointer) so that it can be handed back to selfservice_free(); take() and
take_json() are the only places that do so. The one exception, selfservice_version(), returns a
static string.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import threading
import collections.abc
from typing import Any, Mapping, Optional, Sequence, Union

# A context, request, topic or options argument: a mapping to encode as JSON, JSON text as str or
# bytes (passed as is), or None for a C NULL (which the library answers with an error envelope).
Json = Union[Mapping[str, Any], Sequence[Any], str, bytes, None]

INT64_MIN = -(2 ** 63)
INT64_MAX = 2 ** 63 - 1

# selfservice_progress_fn, selfservice_event_fn and selfservice_destroy_fn.
ProgressFn = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64)
EventFn = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_char_p)
DestroyFn = ctypes.CFUNCTYPE(None, ctypes.c_void_p)

_library: Optional[ctypes.CDLL] = None
_library_lock = threading.Lock()


def _declare(lib: ctypes.CDLL) -> None:
    """Gives every function its prototype; those a library predates are left out (hasattr)."""
    c_void_p, c_char_p, c_int, c_int64 = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_int64
    out_string = ctypes.POINTER(c_void_p)
    prototypes = {
        "selfservice_version": ([], c_char_p),  # static, never freed
        "selfservice_abi_version": ([], c_int),
        "selfservice_portal_open": ([c_char_p, out_string], c_void_p),
        "selfservice_portal_close": ([c_void_p], None),
        "selfservice_invoke": ([c_void_p, c_char_p, c_char_p, c_char_p], c_void_p),
        "selfservice_free": ([c_void_p], None),
        # since 0.2.0
        "selfservice_invoke_with_progress": ([c_void_p, c_char_p, c_char_p, c_char_p, ProgressFn, c_void_p],
                                             c_void_p),
        # since 0.3.0; the chunk is declared c_char_p (the same pointer as const void *) so that
        # a bytes object is passed without a copy.
        "selfservice_subscribe": ([c_void_p, c_char_p, EventFn, c_void_p, DestroyFn, out_string], c_int64),
        "selfservice_unsubscribe": ([c_void_p, c_int64], c_int),
        "selfservice_upload_chunk": ([c_void_p, c_char_p, c_char_p, c_int64, c_char_p, ctypes.c_size_t],
                                     c_void_p),
        "selfservice_upload_chunk_checked": ([c_void_p, c_char_p, c_char_p, c_int64, c_char_p, ctypes.c_size_t,
                                              c_char_p], c_void_p),
        # since 0.4.0
        "selfservice_methods": ([], c_void_p),
        # since 0.5.0
        "selfservice_health": ([c_void_p], c_void_p),
        # since 0.6.0; a download handle is an opaque c_void_p, and the read's buffer a c_void_p
        # so that a ctypes array laid over the caller's buffer is passed as its address.
        "selfservice_download_open": ([c_void_p, c_char_p, c_char_p, c_char_p, out_string], c_void_p),
        "selfservice_download_read": ([c_void_p, c_void_p, ctypes.c_size_t, out_string], c_int64),
        "selfservice_download_close": ([c_void_p], None),
    }
    for name, (argtypes, restype) in prototypes.items():
        if hasattr(lib, name):
            function = getattr(lib, name)
            function.argtypes = argtypes
            function.restype = restype


def lib() -> ctypes.CDLL:
    """The library, loaded on first use from $SELFSERVICE_LIBRARY (a path), or else by name.
    Raises OSError when it cannot be loaded."""
    global _library
    with _library_lock:
        if _library is None:
            path = (os.environ.get("SELFSERVICE_LIBRARY") or ctypes.util.find_library("selfservice")
                    or "libselfservice.so")
            try:
                loaded = ctypes.CDLL(path)
            except OSError as error:
                raise OSError(f"cannot load libselfservice from {path!r} (set SELFSERVICE_LIBRARY to its "
                              f"path): {error}") from error
            _declare(loaded)
            _library = loaded
        return _library


def need(name: str, since: str) -> ctypes.CDLL:
    """The library, after checking that it exports `name` (added in version `since`)."""
    loaded = lib()
    if not hasattr(loaded, name):
        raise NotImplementedError(f"{name} needs libselfservice {since} or later")
    return loaded


def text(value: Optional[str], what: str) -> Optional[bytes]:
    """A name (method, upload id) for a const char * argument: str, or None for NULL."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str or None, not {type(value).__name__}")
    return _c_string(value.encode("utf-8"), what)


def json_arg(value: Json, what: str) -> Optional[bytes]:
    """A JSON argument: a mapping or sequence is encoded, str and bytes are passed as they are
    (the library answers malformed JSON with an error envelope), None is NULL."""
    if value is None:
        return None
    if isinstance(value, bytes):
        return _c_string(value, what)
    if isinstance(value, str):
        return _c_string(value.encode("utf-8"), what)
    if isinstance(value, (collections.abc.Mapping, list, tuple)):
        # allow_nan=False: NaN and Infinity are not JSON, so they fail here with a ValueError.
        document = dict(value) if isinstance(value, collections.abc.Mapping) else list(value)
        return json.dumps(document, ensure_ascii=False, allow_nan=False).encode("utf-8")
    raise TypeError(f"{what} must be a dict, JSON text or None, not {type(value).__name__}")


def int64(value: int, what: str) -> int:
    """An int64_t argument; bool is refused though it is an int."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int, not {type(value).__name__}")
    if not INT64_MIN <= value <= INT64_MAX:
        raise ValueError(f"{what} {value} does not fit in 64 bits")
    return value


def _c_string(encoded: bytes, what: str) -> bytes:
    # A NUL would silently end the C string early: "{}\0..." would be read as "{}".
    if b"\0" in encoded:
        raise ValueError(f"{what} contains a NUL character")
    return encoded


def take(pointer: Optional[int]) -> str:
    """The text of a string the library returned, which is freed here."""
    if not pointer:
        raise MemoryError("libselfservice returned no answer (out of memory)")
    try:
        return ctypes.string_at(pointer).decode("utf-8")
    finally:
        lib().selfservice_free(pointer)


def take_json(pointer: Optional[int]) -> Any:
    """The decoded JSON of a string the library returned, which is freed here."""
    return json.loads(take(pointer))
