"""The Python binding frees every string the library returns, exactly once, with
selfservice_free: the functions of the loaded library are wrapped to record each pointer they
hand out and each pointer handed back.

Run by ctest with SELFSERVICE_LIBRARY and PYTHONPATH set (tests/python/CMakeLists.txt). Under
ASan the same calls also show any double free or use after free.
"""

import collections
import hashlib
import unittest

import selfservice
from selfservice import _native

USER = {"tenant_id": 1, "customer_id": 10, "user_id": 100, "roles": ["customer_user"], "locale": "en-US"}
CUSTOMER_ADMIN = dict(USER, user_id=101, roles=["customer_admin"])
NEW_TICKET = {"title": "VPN down", "description": "since 9:00", "category": "network", "priority": 2,
              "contact": {"email": "alice@example.com"}}
QUIET = {"log_level": "off"}
# The functions returning a string, with the position of their char ** out-argument (None: the
# string is the result).
RETURNING = {"selfservice_invoke": None, "selfservice_invoke_with_progress": None, "selfservice_methods": None,
             "selfservice_upload_chunk": None, "selfservice_upload_chunk_checked": None,
             "selfservice_portal_open": 1, "selfservice_subscribe": 5}


class Ledger:
    """Wraps the library's functions on the loaded CDLL object and records pointers."""

    def __init__(self):
        self.lib = _native.lib()
        self.returned = []
        self.freed = []
        self.originals = {}
        for name, out in RETURNING.items():
            self.wrap(name, out)
        free = self.lib.selfservice_free
        self.originals["selfservice_free"] = free

        def free_and_record(pointer):
            self.freed.append(pointer)
            free(pointer)

        setattr(self.lib, "selfservice_free", free_and_record)

    def wrap(self, name, out):
        function = getattr(self.lib, name)
        self.originals[name] = function

        def call(*arguments):
            result = function(*arguments)
            pointer = result if out is None else arguments[out]._obj.value
            if pointer:
                self.returned.append(pointer)
            return result

        setattr(self.lib, name, call)

    def restore(self):
        for name, function in self.originals.items():
            setattr(self.lib, name, function)


class OwnershipTest(unittest.TestCase):
    def setUp(self):
        self.ledger = Ledger()
        self.addCleanup(self.ledger.restore)

    def assert_all_freed_once(self, minimum):
        self.assertGreaterEqual(len(self.ledger.returned), minimum)
        self.assertEqual(collections.Counter(self.ledger.freed), collections.Counter(self.ledger.returned))

    def test_answers_and_error_envelopes_are_freed(self):
        with selfservice.Portal(QUIET) as portal:
            portal.invoke("sessions.list", USER, {})
            with self.assertRaises(selfservice.ValidationError):
                portal.invoke("sessions.start", USER, {"session_type": "bogus"})
            with self.assertRaises(selfservice.NotFoundError):
                portal.invoke("no.such.method", USER, {})
        selfservice.methods()
        self.assert_all_freed_once(4)

    def test_the_error_of_a_failed_open_is_freed(self):
        with self.assertRaises(selfservice.ValidationError):
            selfservice.Portal("{not json")
        self.assert_all_freed_once(1)

    def test_the_error_of_a_failed_subscription_is_freed(self):
        with selfservice.Portal(QUIET) as portal:
            with self.assertRaises(selfservice.ValidationError):
                portal.subscribe({"customer_id": 1}, print)
        self.assert_all_freed_once(1)

    def test_answers_of_progress_calls_are_freed_even_when_the_callable_raises(self):
        articles = [{"external_id": f"kb-{i}", "title": f"Article {i}", "body": "body", "lang": "en"}
                    for i in range(600)]

        def fail(done, total):
            raise KeyError("stop")

        with selfservice.Portal(QUIET) as portal:
            portal.invoke("knowledge.import", CUSTOMER_ADMIN, {"articles": articles[:10]},
                          progress=lambda done, total: None)
            with self.assertRaises(KeyError):
                portal.invoke("knowledge.import", CUSTOMER_ADMIN, {"articles": articles}, progress=fail)
        self.assert_all_freed_once(2)

    def test_answers_of_upload_chunks_are_freed(self):
        body = b"hello, attachment\n" * 8
        with selfservice.Portal(QUIET) as portal:
            ticket = portal.invoke("tickets.create", USER, NEW_TICKET)["data"]["id"]
            upload = portal.invoke("tickets.attachments.begin", USER, {
                "ticket_id": ticket, "filename": "a.txt", "size": len(body), "content_type": "text/plain",
                "sha256": hashlib.sha256(body).hexdigest()})["data"]["upload_id"]
            portal.upload_chunk(USER, upload, 0, body[:10])
            with self.assertRaises(selfservice.UploadError):
                portal.upload_chunk(USER, upload, 10, body[10:], "0" * 64)
            portal.upload_chunk(USER, upload, 10, body[10:], hashlib.sha256(body[10:]).hexdigest())
        self.assert_all_freed_once(5)


if __name__ == "__main__":
    unittest.main()
