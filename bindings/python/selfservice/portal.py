"""Portal: one open portal of libselfservice, and its live ticket status subscriptions."""

from __future__ import annotations

import contextlib
import ctypes
import itertools
import json
import threading
import traceback
from typing import Any, BinaryIO, Callable, Dict, Iterator, List, NamedTuple, Optional, Tuple, Union, overload

from . import _native
from ._native import Json
from .download import Download
from .errors import Error, PortalClosedError

__all__ = ["Chunk", "Envelope", "EventCallback", "Portal", "Progress", "abi_version", "methods", "version"]

# A decoded success envelope: {"code": 200, "message", "data", "timestamp", "trace_id",
# "pagination"?}.
Envelope = Dict[str, Any]

# A long method's progress: called with (done, total); returning False stops the work (see
# selfservice_invoke_with_progress in selfservice.h); None or True goes on.
Progress = Callable[[int, int], Optional[bool]]

# A live ticket status event (selfservice_event_fn in selfservice.h), decoded from its JSON.
EventCallback = Callable[[Dict[str, Any]], Any]

# The bytes of an upload chunk: bytes are passed without a copy, other buffers are copied once.
Chunk = Union[bytes, bytearray, memoryview]


class _Subscriber(NamedTuple):
    callback: EventCallback
    portal: int  # the handle of the portal it listens to


# The subscribers by token; the token is the user_data the library passes back. The two C
# trampolines below live as long as the module, so no ctypes callback object is ever freed while
# the library may still call it; an entry goes when the library calls destroy for its token.
_subscribers: Dict[int, _Subscriber] = {}
_subscribers_lock = threading.Lock()
_tokens = itertools.count(1)

# On a library thread, while it runs a subscriber: the handle of that subscriber's portal, which
# this thread must not close (selfservice_portal_close would wait for the thread itself).
_delivering = threading.local()


def _deliver(user_data: Optional[int], event_json: Optional[bytes]) -> None:
    with _subscribers_lock:
        subscriber = _subscribers.get(user_data or 0)
    if subscriber is None or event_json is None:
        return
    _delivering.portal = subscriber.portal
    try:
        subscriber.callback(json.loads(event_json.decode("utf-8")))
    except BaseException:  # a ctypes callback must not raise: report it and go on
        traceback.print_exc()
    finally:
        _delivering.portal = None


def _release(user_data: Optional[int]) -> None:
    with _subscribers_lock:
        _subscribers.pop(user_data or 0, None)


_deliver_fn = _native.EventFn(_deliver)
_release_fn = _native.DestroyFn(_release)


def _answer(pointer: Optional[int]) -> Envelope:
    """The success envelope the library returned (freed here); any other code is raised."""
    envelope = _native.take_json(pointer)
    if not isinstance(envelope, dict) or envelope.get("code") != 200:
        raise Error.from_envelope(envelope if isinstance(envelope, dict) else {})
    return envelope


def _chunk(data: Chunk) -> bytes:
    if isinstance(data, bytes):
        return data
    if isinstance(data, str) or data is None:
        raise TypeError(f"data must be bytes-like, not {type(data).__name__}")
    try:
        return memoryview(data).tobytes()
    except TypeError:
        raise TypeError(f"data must be bytes-like, not {type(data).__name__}") from None


def version() -> str:
    """The loaded library's version, "MAJOR.MINOR.PATCH"."""
    return _native.lib().selfservice_version().decode("ascii")


def abi_version() -> int:
    """The version of the loaded library's C ABI; it changes only on an incompatible change."""
    return int(_native.lib().selfservice_abi_version())


def methods() -> List[Dict[str, str]]:
    """The methods a portal answers: dicts of name, http_method, route, least_role, feature and
    rate_class, in the order of the library's dispatch table (libselfservice 0.4.0 or later), and
    from libselfservice 0.6.0 binary: "download" for the methods Portal.open_download() serves,
    "upload" for the one Portal.upload_chunk() feeds, "" for the rest."""
    table = _native.take_json(_native.need("selfservice_methods", "0.4.0").selfservice_methods())
    return list(table)


class Portal:
    """An open portal: close it with close(), or use it as a context manager.

    Every method may be called from many threads at once (ctypes releases the GIL during each
    call into the library). close() waits for the calls running on other threads and then closes;
    a call begun after it raises PortalClosedError."""

    def __init__(self, options: Json = None) -> None:
        """Opens a portal; `options` as for selfservice_portal_open (docs/API.md; None: a private
        in-memory database). Raises ValidationError (10001) for bad options, DatabaseError
        (20004) when the storage cannot be opened."""
        encoded = _native.json_arg(options, "options")
        error = ctypes.c_void_p()
        handle = _native.lib().selfservice_portal_open(encoded, ctypes.byref(error))
        if not handle:
            raise Error.from_envelope(_native.take_json(error.value))
        self._handle: Optional[int] = handle
        # Guards _handle and _callers; notified when the last running call returns.
        self._state = threading.Condition()
        # The threads running a call on this portal, with how many calls each (a progress
        # callback may call the portal again).
        self._callers: Dict[int, int] = {}

    @property
    def closed(self) -> bool:
        return self._handle is None

    def close(self) -> None:
        """Closes the portal once the calls running on other threads have returned, ending its
        subscriptions; closing again is a no-op. Raises RuntimeError when called from inside a
        call on this portal (a progress callback) or from one of its subscription callbacks,
        which the close would wait for forever."""
        with self._state:
            handle = self._handle
            if handle is None:
                return
            if threading.get_ident() in self._callers:
                raise RuntimeError("Portal.close() called from inside a call on the same portal")
            if getattr(_delivering, "portal", None) == handle:
                raise RuntimeError("Portal.close() called from a subscription callback of the same portal")
            self._handle = None
            self._state.wait_for(lambda: not self._callers)
        _native.lib().selfservice_portal_close(handle)

    def __enter__(self) -> "Portal":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<selfservice.Portal {'closed' if self._handle is None else 'open'}>"

    @contextlib.contextmanager
    def _call(self, what: str) -> Iterator[int]:
        """Holds the portal open for one call into the library and yields its handle."""
        me = threading.get_ident()
        with self._state:
            if self._handle is None:
                raise PortalClosedError(f"{what} on a closed Portal")
            handle = self._handle
            self._callers[me] = self._callers.get(me, 0) + 1
        try:
            yield handle
        finally:
            with self._state:
                if self._callers[me] == 1:
                    del self._callers[me]
                    if not self._callers:
                        self._state.notify_all()
                else:
                    self._callers[me] -= 1

    def invoke(self, method: Optional[str], context: Json, request: Json,
               progress: Optional[Progress] = None) -> Envelope:
        """Calls one method (docs/API.md): `context` says who calls, `request` is the method's
        request. Returns the success envelope ({"code": 200, "data", "trace_id",
        "pagination"?, ...}); raises the Error subclass of any other code (None, malformed
        JSON or an unknown method are answered so too), PortalClosedError after close().

        `progress`, for a long method (knowledge.import), is called on this thread with
        (done, total) as the work goes on; returning False stops it after the current
        transaction (the answer then says "cancelled": true). An exception raised by it stops
        the work too, and is raised again once the call returns."""
        name = _native.text(method, "method")
        context_json = _native.json_arg(context, "context")
        request_json = _native.json_arg(request, "request")
        if progress is None:
            with self._call("invoke") as handle:
                return _answer(_native.lib().selfservice_invoke(handle, name, context_json, request_json))
        if not callable(progress):
            raise TypeError("progress must be callable or None")
        lib = _native.need("selfservice_invoke_with_progress", "0.2.0")
        raised: List[BaseException] = []

        def report(_user_data: Optional[int], done: int, total: int) -> int:
            if raised:
                return 1
            try:
                return 1 if progress(done, total) is False else 0
            except BaseException as error:  # a ctypes callback must not raise: stop, re-raise below
                raised.append(error)
                return 1

        callback = _native.ProgressFn(report)  # referenced until the call returns
        with self._call("invoke") as handle:
            pointer = lib.selfservice_invoke_with_progress(handle, name, context_json, request_json, callback, None)
            if raised:
                _native.take(pointer)
                raise raised[0]
            return _answer(pointer)

    def health(self) -> Dict[str, Any]:
        """The state of the portal's parts for a health check (selfservice_health,
        libselfservice 0.5.0): {"status": "up" | "degraded" | "down", "components": {"database",
        "breakers", "outbox", "subscriptions"}}. Counts only; never blocks on a remote system."""
        lib = _native.need("selfservice_health", "0.5.0")
        with self._call("health") as handle:
            answer = _native.take_json(lib.selfservice_health(handle))
        return dict(answer)

    def upload_chunk(self, context: Json, upload_id: Optional[str], offset: int, data: Chunk,
                     sha256: Optional[str] = None) -> Envelope:
        """Appends one chunk of a resumable upload begun with tickets.attachments.begin, as
        tickets.attachments.append does but with raw bytes (selfservice_upload_chunk). `offset`
        must be the upload's committed offset (else ConflictError, 10006, naming it); `sha256`,
        64 hex digits, is the chunk's digest: a chunk that does not match raises UploadError
        (20003 CHECKSUM_MISMATCH) and is discarded. Returns the envelope whose data is the
        upload's status ({"upload_id", "offset", "size", "status", ...})."""
        context_json = _native.json_arg(context, "context")
        upload = _native.text(upload_id, "upload_id")
        start = _native.int64(offset, "offset")
        chunk = _chunk(data)
        digest = _native.text(sha256, "sha256")
        if digest is None:
            lib = _native.need("selfservice_upload_chunk", "0.3.0")
            with self._call("upload_chunk") as handle:
                return _answer(lib.selfservice_upload_chunk(handle, context_json, upload, start, chunk, len(chunk)))
        lib = _native.need("selfservice_upload_chunk_checked", "0.3.0")
        with self._call("upload_chunk") as handle:
            return _answer(lib.selfservice_upload_chunk_checked(handle, context_json, upload, start, chunk,
                                                                len(chunk), digest))

    def open_download(self, method: Optional[str], context: Json, request: Json) -> Download:
        """Opens the file of a download method ("tickets.attachments.get" or
        "documents.download", libselfservice 0.6.0) to read its bytes as a stream, never the
        whole file in memory. `request` is the method's ({"id": 42}) with an optional range:
        "offset" (a byte of the file, default 0) and "length" (>= 1, cut at the file's end).
        The checks are those of invoke(); a document counts as downloaded only when the range
        starts at 0.

        Returns the open Download (close it, or use it in a `with` block); its `info` is the
        envelope's data. Raises the Error subclass of a failure envelope as invoke() does:
        ValidationError for another method (field "method"), an offset past the file's end
        (OUT_OF_RANGE) or a bad offset or length, NotFoundError for an unknown method or a file
        the caller does not see; PortalClosedError after close()."""
        name = _native.text(method, "method")
        context_json = _native.json_arg(context, "context")
        request_json = _native.json_arg(request, "request")
        lib = _native.need("selfservice_download_open", "0.6.0")
        opened = ctypes.c_void_p()
        with self._call("open_download") as handle:
            pointer = lib.selfservice_download_open(handle, name, context_json, request_json, ctypes.byref(opened))
        try:
            return Download(opened.value, _answer(pointer)["data"])
        except BaseException:
            lib.selfservice_download_close(opened)  # NULL after a failure envelope: a no-op
            raise

    @overload
    def download(self, method: Optional[str], context: Json, request: Json, file: None = None,
                 chunk_size: int = ...) -> Tuple[Dict[str, Any], bytes]: ...

    @overload
    def download(self, method: Optional[str], context: Json, request: Json, file: BinaryIO,
                 chunk_size: int = ...) -> Dict[str, Any]: ...

    def download(self, method: Optional[str], context: Json, request: Json, file: Optional[BinaryIO] = None,
                 chunk_size: int = 1 << 20) -> Union[Dict[str, Any], Tuple[Dict[str, Any], bytes]]:
        """Downloads a file (or the range the request asks for) as open_download() opens it.

        With `file`, a binary file object whose write() takes every byte it is given (as
        open(path, "wb") and io.BytesIO do), the bytes are written there `chunk_size` at a time
        and the download's info (the envelope's data) is returned; without, returns (info,
        bytes). Raises as open_download() does, and the Error of a failed read; bytes written
        to `file` before a failure stay there, so a caller may ask again from the request's
        offset plus the bytes it got."""
        if isinstance(chunk_size, bool) or not isinstance(chunk_size, int):
            raise TypeError(f"chunk_size must be an int, not {type(chunk_size).__name__}")
        if chunk_size < 1:
            raise ValueError(f"chunk_size must be at least 1, not {chunk_size}")
        with self.open_download(method, context, request) as download:
            if file is None:
                return download.info, download.readall()
            buffer = bytearray(max(1, min(chunk_size, download.length)))
            with memoryview(buffer) as view:
                while True:
                    got = download.readinto(view)
                    if not got:
                        return download.info
                    file.write(view[:got])

    def subscribe(self, topic: Json, callback: EventCallback) -> int:
        """Subscribes to live ticket status; returns the subscription's id (> 0).

        `topic` is {"type": "ticket.status", "tenant_id", "customer_id"?, "user_id"?,
        "ticket_id"?} (tenant_id required; a bad one raises ValidationError naming the field).
        `callback(event)` gets each matching ticket creation and status change as a dict
        ({"type", "tenant_id", "customer_id", "user_id", "ticket_id", "external_id", "title",
        "from", "to", "comment", "actor_id", "at"}) on a library thread, one event at a time; an
        exception raised by it is printed and ignored. It may call subscribe, unsubscribe and
        invoke, never close() of this portal (RuntimeError)."""
        if not callable(callback):
            raise TypeError("callback must be callable")
        topic_json = _native.json_arg(topic, "topic")
        lib = _native.need("selfservice_subscribe", "0.3.0")
        with self._call("subscribe") as handle:
            with _subscribers_lock:
                token = next(_tokens)
                _subscribers[token] = _Subscriber(callback, handle)
            error = ctypes.c_void_p()
            subscription = lib.selfservice_subscribe(handle, topic_json, _deliver_fn, token, _release_fn,
                                                     ctypes.byref(error))
            if subscription <= 0:
                _release(token)  # the library never calls destroy for a failed subscription
                raise Error.from_envelope(_native.take_json(error.value))
            return int(subscription)

    def unsubscribe(self, subscription: int) -> bool:
        """Ends a subscription: once this returns its callback is not called again (a call
        running on the library thread has returned, unless this is called from that callback).
        Returns False when `subscription` is not a live subscription of this portal."""
        subscription_id = _native.int64(subscription, "subscription")
        lib = _native.need("selfservice_unsubscribe", "0.3.0")
        with self._call("unsubscribe") as handle:
            return bool(lib.selfservice_unsubscribe(handle, subscription_id) == 0)
