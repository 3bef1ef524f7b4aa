"""Python binding of libselfservice, the customer self-service portal SDK, over its C ABI.

Only ctypes, nothing to compile. The library is loaded on first use from the path in the
environment variable SELFSERVICE_LIBRARY, or else by name (libselfservice.so on the loader's
search path).

    import selfservice

    who = {"tenant_id": 1, "customer_id": 10, "user_id": 100,
           "roles": ["customer_user"], "locale": "en-US"}
    with selfservice.Portal({"storage": "sqlite:/var/lib/portal.db"}) as portal:
        answer = portal.invoke("sessions.start", who, {"session_type": "ai_chat",
                                                       "initial_question": "VPN keeps dropping"})
        session_id = answer["data"]["session_id"]

A call that does not answer code 200 raises selfservice.Error, as the subclass for its code
(ValidationError, NotFoundError, ...). A Portal may be used from many threads at once.

Live ticket status (libselfservice 0.3.0): portal.subscribe({"tenant_id": 1, "customer_id": 10},
callback) calls callback(event: dict) on a library thread for each matching ticket creation and
status change, until portal.unsubscribe(id) or close(). Attachments are uploaded in chunks of raw
bytes with portal.upload_chunk().

Downloads (libselfservice 0.6.0): portal.open_download("tickets.attachments.get", who, {"id": 7})
answers a Download, a raw binary stream (io.RawIOBase) of the file's bytes, or of the range
"offset"/"length" asks for; portal.download(method, who, request, file) copies them to a file.
"""

from ._native import Json
from ._version import __version__
from .download import Download
from .errors import (AIServiceError, AuthenticationError, ConflictError, DatabaseError, Error, NotFoundError,
                     PermissionDeniedError, PortalClosedError, RateLimitedError, SearchServiceError, ServiceError,
                     UploadError, ValidationError)
from .portal import Chunk, Envelope, EventCallback, Portal, Progress, abi_version, methods, version

__all__ = [
    "AIServiceError", "AuthenticationError", "Chunk", "ConflictError", "DatabaseError", "Download", "Envelope",
    "Error", "EventCallback", "Json", "NotFoundError", "PermissionDeniedError", "Portal", "PortalClosedError",
    "Progress", "RateLimitedError", "SearchServiceError", "ServiceError", "UploadError", "ValidationError",
    "__version__", "abi_version", "methods", "version",
]
