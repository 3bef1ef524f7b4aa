"""Attachment uploads through the Python binding: Portal.upload_chunk (selfservice_upload_chunk
and selfservice_upload_chunk_checked) between tickets.attachments.begin and .complete.

Run by ctest with SELFSERVICE_LIBRARY and PYTHONPATH set (tests/python/CMakeLists.txt).
"""

import base64
import hashlib
import unittest

import selfservice

USER = {"tenant_id": 1, "customer_id": 10, "user_id": 100, "roles": ["customer_user"], "locale": "en-US"}
OTHER_CUSTOMER = dict(USER, customer_id=11, user_id=110)
NEW_TICKET = {"title": "VPN down", "description": "since 9:00", "category": "network", "priority": 2,
              "contact": {"email": "alice@example.com"}}
QUIET = {"log_level": "off"}
# A text file with a NUL-free body; the second chunk starts mid-line so that nothing about the
# split is special.
BODY = "".join(f"line {n}: ping 10.0.0.{n} timed out\n" for n in range(40)).encode("utf-8")
FIRST, SECOND = BODY[:333], BODY[333:]


def sha256(data):
    return hashlib.sha256(data).hexdigest()


class UploadTest(unittest.TestCase):
    def setUp(self):
        self.portal = selfservice.Portal(QUIET)
        self.ticket = self.portal.invoke("tickets.create", USER, NEW_TICKET)["data"]["id"]
        self.upload = self.portal.invoke("tickets.attachments.begin", USER, {
            "ticket_id": self.ticket, "filename": "ping.txt", "size": len(BODY), "content_type": "text/plain",
            "sha256": sha256(BODY)})["data"]["upload_id"]

    def tearDown(self):
        self.portal.close()

    def offset(self):
        return self.portal.invoke("tickets.attachments.status", USER, {"upload_id": self.upload})["data"]["offset"]

    def test_two_chunks_complete_into_the_attachment_with_the_same_bytes(self):
        first = self.portal.upload_chunk(USER, self.upload, 0, FIRST)
        self.assertEqual(first["code"], 200)
        self.assertEqual((first["data"]["offset"], first["data"]["status"]), (len(FIRST), "uploading"))
        second = self.portal.upload_chunk(USER, self.upload, len(FIRST), SECOND, sha256(SECOND))
        self.assertEqual(second["data"]["offset"], len(BODY))

        done = self.portal.invoke("tickets.attachments.complete", USER, {"upload_id": self.upload})["data"]
        attachment = done["attachment"]
        self.assertEqual((attachment["ticket_id"], attachment["size_bytes"], attachment["sha256"]),
                         (self.ticket, len(BODY), sha256(BODY)))
        got = self.portal.invoke("tickets.attachments.get", USER, {"id": attachment["id"], "include_data": True})
        self.assertEqual(base64.b64decode(got["data"]["data_base64"]), BODY)

    def test_a_chunk_with_a_wrong_sha256_raises_upload_error_and_is_discarded(self):
        self.portal.upload_chunk(USER, self.upload, 0, FIRST)
        with self.assertRaises(selfservice.UploadError) as raised:
            self.portal.upload_chunk(USER, self.upload, len(FIRST), SECOND, sha256(b"something else"))
        self.assertEqual(raised.exception.code, 20003)
        self.assertEqual(raised.exception.errors[0]["code"], "CHECKSUM_MISMATCH")
        self.assertEqual(self.offset(), len(FIRST))
        self.portal.upload_chunk(USER, self.upload, len(FIRST), SECOND, sha256(SECOND))
        self.assertEqual(self.offset(), len(BODY))

    def test_bytearray_and_memoryview_chunks_are_accepted(self):
        self.portal.upload_chunk(USER, self.upload, 0, bytearray(FIRST))
        self.portal.upload_chunk(USER, self.upload, len(FIRST), memoryview(BODY)[len(FIRST):])
        self.assertEqual(self.offset(), len(BODY))

    def test_an_empty_chunk_changes_nothing(self):
        self.assertEqual(self.portal.upload_chunk(USER, self.upload, 0, b"")["data"]["offset"], 0)

    def test_a_sha256_that_is_not_hex_raises_validation_error(self):
        with self.assertRaises(selfservice.ValidationError) as raised:
            self.portal.upload_chunk(USER, self.upload, 0, FIRST, "not a digest")
        self.assertEqual(raised.exception.fields, ["chunk_sha256"])

    def test_a_negative_offset_raises_validation_error(self):
        with self.assertRaises(selfservice.ValidationError) as raised:
            self.portal.upload_chunk(USER, self.upload, -1, FIRST)
        self.assertEqual(raised.exception.fields, ["offset"])

    def test_an_offset_past_64_bits_raises_value_error(self):
        with self.assertRaises(ValueError):
            self.portal.upload_chunk(USER, self.upload, 2 ** 63, FIRST)

    def test_an_offset_other_than_the_committed_one_raises_conflict_naming_it(self):
        self.portal.upload_chunk(USER, self.upload, 0, FIRST)
        with self.assertRaises(selfservice.ConflictError) as raised:
            self.portal.upload_chunk(USER, self.upload, 10, SECOND)
        self.assertEqual(raised.exception.errors[0]["code"], "OFFSET_MISMATCH")
        self.assertIn(str(len(FIRST)), raised.exception.errors[0]["message"])

    def test_more_bytes_than_announced_raise_validation_error(self):
        with self.assertRaises(selfservice.ValidationError) as raised:
            self.portal.upload_chunk(USER, self.upload, 0, BODY + b"more")
        self.assertEqual(raised.exception.fields, ["data"])

    def test_an_unknown_upload_id_raises_not_found(self):
        with self.assertRaises(selfservice.NotFoundError):
            self.portal.upload_chunk(USER, "0123456789abcdef0123456789abcdef", 0, FIRST)

    def test_another_customers_upload_raises_not_found(self):
        with self.assertRaises(selfservice.NotFoundError):
            self.portal.upload_chunk(OTHER_CUSTOMER, self.upload, 0, FIRST)

    def test_an_empty_or_missing_upload_id_raises_validation_error(self):
        for upload_id in ("", None):
            with self.subTest(upload_id=upload_id):
                with self.assertRaises(selfservice.ValidationError) as raised:
                    self.portal.upload_chunk(USER, upload_id, 0, FIRST)
                self.assertEqual(raised.exception.fields, ["upload_id"])

    def test_a_missing_context_raises_authentication_error(self):
        with self.assertRaises(selfservice.AuthenticationError):
            self.portal.upload_chunk(None, self.upload, 0, FIRST)

    def test_arguments_of_the_wrong_type_raise_type_error(self):
        for arguments in ((USER, self.upload, 0, "text, not bytes"), (USER, self.upload, 0, None),
                          (USER, self.upload, 0, 42), (USER, self.upload, "0", FIRST),
                          (USER, self.upload, 0.0, FIRST), (USER, self.upload, True, FIRST),
                          (USER, 7, 0, FIRST), (USER, self.upload, 0, FIRST, b"0" * 64)):
            with self.subTest(arguments=arguments):
                with self.assertRaises(TypeError):
                    self.portal.upload_chunk(*arguments)
        self.assertEqual(self.offset(), 0)

    def test_an_upload_id_with_a_nul_raises_value_error(self):
        with self.assertRaises(ValueError):
            self.portal.upload_chunk(USER, self.upload + "\0", 0, FIRST)

    def test_a_chunk_after_completion_raises_conflict(self):
        self.portal.upload_chunk(USER, self.upload, 0, BODY)
        self.portal.invoke("tickets.attachments.complete", USER, {"upload_id": self.upload})
        with self.assertRaises(selfservice.ConflictError):
            self.portal.upload_chunk(USER, self.upload, len(BODY), b"x")

    def test_a_closed_portal_raises_portal_closed_error(self):
        self.portal.close()
        with self.assertRaises(selfservice.PortalClosedError):
            self.portal.upload_chunk(USER, self.upload, 0, FIRST)
        with self.assertRaises(selfservice.PortalClosedError):
            self.portal.upload_chunk(USER, self.upload, 0, FIRST, sha256(FIRST))


if __name__ == "__main__":
    unittest.main()
