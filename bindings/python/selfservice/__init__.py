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

Live ticket status (libselfservice 0.3.0): portal.subscribe({"tenant_id": 1, "customer_id": 10},
callback) calls callback(event: dict) on a library thread for each matching ticket creation and
status change, until portal.unsubscribe(id) or close().
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import itertools
import threading
import traceback
from typing import Any, Callable, Dict, Optional, Union

__all__ = ["Error", "EventCallback", "Portal", "Progress", "abi_version", "methods", "version"]

# A context or request: a dict to encode as JSON, JSON text as is, or None for a C NULL.
Json = Union[dict, str, bytes, None]

# A long method's progress: called with (done, total); returning False stops the work (see
# selfservice_invoke_with_progress in selfservice.h). None or True goes on.
Progress = Callable[[int, int], Optional[bool]]

_ProgressFn = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64)

# A live ticket status event (see selfservice_event_fn in selfservice.h), decoded from its JSON.
EventCallback = Callable[[dict], Any]

_EventFn = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_char_p)
_DestroyFn = ctypes.CFUNCTYPE(None, ctypes.c_void_p)

# The subscribers' callables by token; the token is the user_data the library passes back. The two
# C trampolines below live as long as the module, so no ctypes callback object is ever freed while
# the library may still call it; an entry goes when the library calls destroy for its token.
_subscribers: Dict[int, EventCallback] = {}
_subscribers_lock = threading.Lock()
_tokens = itertools.count(1)


def _deliver(user_data: Optional[int], event_json: Optional[bytes]) -> None:
    with _subscribers_lock:
        callback = _subscribers.get(user_data or 0)
    if callback is None or event_json is None:
        return
    try:
        callback(json.loads(event_json.decode("utf-8")))
    except BaseException:  # a ctypes callback must not raise: report it and go on
        traceback.print_exc()


def _release(user_data: Optional[int]) -> None:
    with _subscribers_lock:
        _subscribers.pop(user_data or 0, None)


_deliver_fn = _EventFn(_deliver)
_release_fn = _DestroyFn(_release)


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
    if hasattr(lib, "selfservice_subscribe"):  # since 0.3.0
        lib.selfservice_subscribe.argtypes = [ctypes.c_void_p, ctypes.c_char_p, _EventFn, ctypes.c_void_p,
                                              _DestroyFn, ctypes.POINTER(ctypes.c_void_p)]
        lib.selfservice_subscribe.restype = ctypes.c_int64
        lib.selfservice_unsubscribe.argtypes = [ctypes.c_void_p, ctypes.c_int64]
        lib.selfservice_unsubscribe.restype = ctypes.c_int
    if hasattr(lib, "selfservice_methods"):  # since 0.4.0
        lib.selfservice_methods.argtypes = []
        lib.selfservice_methods.restype = ctypes.c_void_p
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


def methods() -> list:
    """The methods a portal answers: dicts of name, http_method, route, least_role, feature and
    rate_class, in the order of the library's dispatch table (libselfservice 0.4.0 or later)."""
    lib = _lib()
    if not hasattr(lib, "selfservice_methods"):
        raise NotImplementedError("methods() needs libselfservice 0.4.0 or later")
    pointer = lib.selfservice_methods()
    if not pointer:
        raise MemoryError("libselfservice returned no method table")
    try:
        return json.loads(ctypes.string_at(pointer).decode("utf-8"))
    finally:
        lib.selfservice_free(pointer)


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

    def subscribe(self, topic: Json, callback: EventCallback) -> int:
        """Subscribes to live ticket status; returns the subscription's id.

        `topic` is {"type": "ticket.status", "tenant_id", "customer_id"?, "user_id"?,
        "ticket_id"?} (tenant_id required). `callback(event)` gets each matching ticket creation
        and status change as a dict ({"type", "tenant_id", "customer_id", "user_id", "ticket_id",
        "external_id", "title", "from", "to", "comment", "actor_id", "at"}) on a library thread,
        one event at a time; an exception raised by it is printed and ignored. It may call
        subscribe/unsubscribe/invoke, never close(). Raises Error (10001) for a bad topic."""
        if self._handle is None:
            raise ValueError("subscribe on a closed Portal")
        lib = _lib()
        if not hasattr(lib, "selfservice_subscribe"):
            raise NotImplementedError("subscriptions need libselfservice 0.3.0 or later")
        if not callable(callback):
            raise TypeError("callback must be callable")
        with _subscribers_lock:
            token = next(_tokens)
            _subscribers[token] = callback
        error = ctypes.c_void_p()
        subscription = lib.selfservice_subscribe(self._handle, _encode(topic), _deliver_fn, token, _release_fn,
                                                 ctypes.byref(error))
        if subscription <= 0:
            _release(token)  # the library never calls destroy for a failed subscription
            raise Error(_take(error.value))
        return subscription

    def unsubscribe(self, subscription: int) -> bool:
        """Ends a subscription: once this returns its callback is not called again (a call
        running on the library thread has returned, unless this is called from that callback).
        Returns False when `subscription` is not a live subscription of this portal."""
        if self._handle is None:
            raise ValueError("unsubscribe on a closed Portal")
        return _lib().selfservice_unsubscribe(self._handle, subscription) == 0
