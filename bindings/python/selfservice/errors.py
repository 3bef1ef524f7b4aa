"""The exceptions raised for failure envelopes of libselfservice.

Every failure answer of the library is an envelope {"code", "message", "errors": [{"field",
"message", "code"}], "timestamp", "trace_id", "help_url", "retry_after"?} (docs/API.md, "Error
codes"). It is raised as an instance of Error, or of the subclass for its code, so a caller can
catch a family (`except selfservice.NotFoundError`) or everything (`except selfservice.Error`)
and still read every field of the envelope.
"""

from __future__ import annotations

from typing import Any, ClassVar, Dict, List, Mapping, Optional, Type

__all__ = [
    "AIServiceError", "AuthenticationError", "ConflictError", "DatabaseError", "Error", "NotFoundError",
    "PermissionDeniedError", "PortalClosedError", "RateLimitedError", "SearchServiceError", "ServiceError",
    "UploadError", "ValidationError",
]

# One entry of an envelope's "errors": {"field", "message", "code"}.
FieldError = Dict[str, Any]


class Error(Exception):
    """A failure envelope of the library.

    Attributes: `code` (int, a code of the error table), `message` (str, in the caller's locale),
    `errors` (the field errors, possibly empty), `trace_id` (str or None) and `envelope` (the
    whole decoded envelope, for fields such as help_url)."""

    # The envelope code this class stands for; 0 for classes that stand for a family or for none.
    CODE: ClassVar[int] = 0

    def __init__(self, envelope: Mapping[str, Any]) -> None:
        self.envelope: Dict[str, Any] = dict(envelope)
        code = envelope.get("code", 0)
        self.code: int = code if isinstance(code, int) else 0
        self.message: str = str(envelope.get("message", ""))
        self.errors: List[FieldError] = list(envelope.get("errors") or [])
        self.trace_id: Optional[str] = envelope.get("trace_id")
        super().__init__(f"{self.code} {self.message}" + (f" {self.errors}" if self.errors else ""))

    @property
    def fields(self) -> List[str]:
        """The names of the fields the errors are about, in their order."""
        return [str(error.get("field", "")) for error in self.errors]

    @staticmethod
    def from_envelope(envelope: Mapping[str, Any]) -> "Error":
        """The exception for a failure envelope: an instance of the subclass for its code, or of
        Error itself for a code this binding does not know (a newer library may add codes)."""
        code = envelope.get("code")
        return _by_code.get(code if isinstance(code, int) else 0, Error)(envelope)


class ValidationError(Error):
    """10001: a request field is missing, of the wrong type, out of range or malformed; `errors`
    names every field."""

    CODE = 10001


class AuthenticationError(Error):
    """10002: the context is missing or invalid (or, with trust_host_context false, its access
    token is)."""

    CODE = 10002


class PermissionDeniedError(Error):
    """10003: the caller's roles do not allow the method (named so as not to shadow the builtin
    PermissionError, which is about the file system)."""

    CODE = 10003


class NotFoundError(Error):
    """10004: an unknown method, an object that does not exist or lies outside the caller's scope,
    or a method whose remote system the options do not configure (field error NOT_CONFIGURED)."""

    CODE = 10004


class RateLimitedError(Error):
    """10005: the caller's rate limit is spent; `retry_after` is the whole seconds after which
    the call may succeed (None if the envelope lacks it)."""

    CODE = 10005

    def __init__(self, envelope: Mapping[str, Any]) -> None:
        super().__init__(envelope)
        retry_after = envelope.get("retry_after")
        self.retry_after: Optional[int] = retry_after if isinstance(retry_after, int) else None


class ConflictError(Error):
    """10006: the state machine refuses the move, or (uploads) the offset is not the committed
    one; `errors` says which (TRANSITION_NOT_ALLOWED, OFFSET_MISMATCH)."""

    CODE = 10006


class ServiceError(Error):
    """The 2xxxx family: a service the call needs failed; retrying later may succeed."""


class AIServiceError(ServiceError):
    """20001: the AI provider failed and no keyword search could answer instead."""

    CODE = 20001


class SearchServiceError(ServiceError):
    """20002: a remote knowledge system failed where no fallback exists."""

    CODE = 20002


class UploadError(ServiceError):
    """20003: an attachment or document was refused or could not be stored (too large, a type
    its bytes do not match, CHECKSUM_MISMATCH, UPLOAD_EXPIRED, STORAGE_FAILED); `errors` says
    why and how to retry."""

    CODE = 20003


class DatabaseError(ServiceError):
    """20004: the storage failed or could not be opened."""

    CODE = 20004


class PortalClosedError(ValueError):
    """A call on a Portal after close(). Not an Error: the library never saw the call, so there
    is no envelope. A ValueError, as a call on a closed file is."""


_by_code: Dict[int, Type[Error]] = {
    cls.CODE: cls
    for cls in (ValidationError, AuthenticationError, PermissionDeniedError, NotFoundError, RateLimitedError,
                ConflictError, AIServiceError, SearchServiceError, UploadError, DatabaseError)
}
