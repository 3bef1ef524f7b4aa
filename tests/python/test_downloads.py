"""Downloads through the Python binding: Portal.open_download (selfservice_download_open, _read and
_close) and Portal.download, for ticket attachments and documents.

Run by ctest with SELFSERVICE_LIBRARY and PYTHONPATH set (tests/python/CMakeLists.txt).
"""

import base64
import hashlib
import io
import os
import shutil
import tempfile
import threading
import unittest

import selfservice

USER = {"tenant_id": 1, "customer_id": 10, "user_id": 100, "roles": ["customer_user"], "locale": "en-US"}
CUSTOMER_ADMIN = dict(USER, user_id=101, roles=["customer_admin"])
OTHER_CUSTOMER = dict(USER, customer_id=11, user_id=110)
NEW_TICKET = {"title": "VPN down", "description": "since 9:00", "category": "network", "priority": 2,
              "contact": {"email": "alice@example.com"}}
QUIET = {"log_level": "off"}
# About 150 KB of text: more than one read of 64 KiB, and no two lines alike, so that a byte out of
# place shows.
BODY = "".join(f"line {n:05}: ping 10.0.{n % 256}.{n // 256} timed out after 3000 ms\n"
               for n in range(3000)).encode("utf-8")
ATTACHMENT = "tickets.attachments.get"
DOCUMENT = "documents.download"


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def attach(portal, body=BODY, who=USER):
    """A new ticket of `who` with `body` attached through a resumable upload; the attachment's id."""
    ticket = portal.invoke("tickets.create", who, NEW_TICKET)["data"]["id"]
    upload = portal.invoke("tickets.attachments.begin", who, {
        "ticket_id": ticket, "filename": "ping.txt", "size": len(body), "content_type": "text/plain",
        "sha256": sha256(body)})["data"]["upload_id"]
    portal.upload_chunk(who, upload, 0, body)
    return portal.invoke("tickets.attachments.complete", who, {"upload_id": upload})["data"]["attachment"]["id"]


def publish(portal, body=BODY):
    """A document of customer 10 with `body` as its file, published inline; its id."""
    return portal.invoke("documents.publish", CUSTOMER_ADMIN, {
        "title": "VPN guide", "filename": "vpn-guide.txt", "content_type": "text/plain",
        "data_base64": base64.b64encode(body).decode("ascii")})["data"]["id"]


class AttachmentTest(unittest.TestCase):
    def setUp(self):
        self.portal = selfservice.Portal(QUIET)
        self.attachment = attach(self.portal)

    def tearDown(self):
        self.portal.close()

    def open(self, **range_):
        return self.portal.open_download(ATTACHMENT, USER, dict({"id": self.attachment}, **range_))

    def test_the_whole_attachment_reads_back_as_the_uploaded_bytes(self):
        with self.open() as download:
            self.assertEqual(download.read(), BODY)
            self.assertEqual(download.read(), b"")

    def test_an_empty_attachment_reads_as_no_bytes(self):
        empty = attach(self.portal, b"")
        info, body = self.portal.download(ATTACHMENT, USER, {"id": empty})
        self.assertEqual((info["range"], body), ({"offset": 0, "length": 0, "size": 0}, b""))

    def test_the_download_describes_the_file_and_its_range(self):
        with self.open() as download:
            self.assertEqual((download.file_name, download.content_type, download.sha256),
                             ("ping.txt", "text/plain", sha256(BODY)))
            self.assertEqual((download.size, download.offset, download.length), (len(BODY), 0, len(BODY)))
            self.assertEqual(download.info["id"], self.attachment)
            self.assertEqual(download.info["range"], {"offset": 0, "length": len(BODY), "size": len(BODY)})
            self.assertNotIn("data_base64", download.info)

    def test_offset_and_length_read_only_that_range(self):
        with self.open(offset=1000, length=5000) as download:
            self.assertEqual((download.offset, download.length, download.size), (1000, 5000, len(BODY)))
            self.assertEqual(download.read(), BODY[1000:6000])

    def test_a_length_past_the_end_is_cut_at_the_end(self):
        with self.open(offset=len(BODY) - 10, length=1000) as download:
            self.assertEqual(download.length, 10)
            self.assertEqual(download.read(), BODY[-10:])

    def test_a_partial_read_resumes_from_offset_plus_position(self):
        with self.open() as first:
            head = first.read(777)
            self.assertEqual(first.position, len(head))
        with self.open(offset=first.offset + first.position) as rest:
            self.assertEqual(head + rest.read(), BODY)

    def test_read_with_a_size_returns_at_most_that_many_bytes_in_order(self):
        got = []
        with self.open() as download:
            while True:
                chunk = download.read(4096)
                if not chunk:
                    break
                self.assertLessEqual(len(chunk), 4096)
                got.append(chunk)
        self.assertEqual(b"".join(got), BODY)

    def test_shutil_copyfileobj_copies_the_bytes(self):
        target = io.BytesIO()
        with self.open() as download:
            shutil.copyfileobj(download, target)
        self.assertEqual(target.getvalue(), BODY)

    def test_readinto_a_memoryview_slice_fills_only_that_slice(self):
        buffer = bytearray(b"\xff" * 300)
        with self.open() as download, memoryview(buffer) as view:
            got = download.readinto(view[100:200])
        self.assertEqual(got, 100)
        self.assertEqual(bytes(buffer), b"\xff" * 100 + BODY[:100] + b"\xff" * 100)

    def test_readinto_an_empty_buffer_reads_nothing(self):
        with self.open() as download:
            self.assertEqual(download.readinto(bytearray()), 0)
            self.assertEqual(download.position, 0)

    def test_readinto_a_read_only_buffer_raises_type_error(self):
        with self.open() as download:
            with self.assertRaises(TypeError):
                download.readinto(b"read only")

    def test_the_download_is_a_readable_raw_stream(self):
        with self.open() as download:
            self.assertIsInstance(download, io.RawIOBase)
            self.assertTrue(download.readable())
            self.assertFalse(download.seekable())
            self.assertFalse(download.writable())

    def test_download_into_a_file_writes_the_bytes_and_returns_the_info(self):
        target = io.BytesIO()
        info = self.portal.download(ATTACHMENT, USER, {"id": self.attachment}, target, chunk_size=10000)
        self.assertEqual(target.getvalue(), BODY)
        self.assertEqual(info["file"]["sha256"], sha256(BODY))

    def test_download_into_a_file_on_disk_writes_the_bytes(self):
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "ping.txt")
            with open(path, "wb") as target:
                self.portal.download(ATTACHMENT, USER, {"id": self.attachment, "offset": 5}, target)
            with open(path, "rb") as written:
                self.assertEqual(written.read(), BODY[5:])

    def test_download_without_a_file_returns_the_info_and_the_bytes(self):
        info, body = self.portal.download(ATTACHMENT, USER, {"id": self.attachment, "length": 64})
        self.assertEqual((info["range"]["length"], body), (64, BODY[:64]))

    def test_download_with_a_bad_chunk_size_raises_before_opening(self):
        for chunk_size, error in ((0, ValueError), (-1, ValueError), (1.5, TypeError), (True, TypeError)):
            with self.subTest(chunk_size=chunk_size):
                with self.assertRaises(error):
                    self.portal.download(ATTACHMENT, USER, {"id": self.attachment}, io.BytesIO(), chunk_size)

    def test_a_download_stays_readable_after_its_portal_is_closed(self):
        download = self.open()
        self.portal.close()
        with download:
            self.assertEqual(download.read(), BODY)

    def test_a_read_after_close_raises_value_error(self):
        download = self.open()
        download.close()
        for read in (download.read, download.readall, lambda: download.readinto(bytearray(8)), download.readable):
            with self.assertRaises(ValueError):
                read()

    def test_closing_twice_is_a_no_op(self):
        download = self.open()
        download.close()
        download.close()
        self.assertTrue(download.closed)

    def test_leaving_a_with_block_closes_the_download(self):
        with self.open() as download:
            download.read(10)
        self.assertTrue(download.closed)

    def test_a_method_that_is_not_a_download_raises_validation_error_on_method(self):
        with self.assertRaises(selfservice.ValidationError) as raised:
            self.portal.open_download("tickets.attachments.list", USER, {})
        self.assertEqual(raised.exception.fields, ["method"])
        self.assertEqual(raised.exception.errors[0]["code"], "VALUE_NOT_ALLOWED")

    def test_a_missing_method_raises_validation_error_on_method(self):
        with self.assertRaises(selfservice.ValidationError) as raised:
            self.portal.open_download(None, USER, {"id": self.attachment})
        self.assertEqual(raised.exception.fields, ["method"])

    def test_an_unknown_method_raises_not_found(self):
        with self.assertRaises(selfservice.NotFoundError):
            self.portal.open_download("tickets.attachments.fetch", USER, {"id": self.attachment})

    def test_an_offset_past_the_end_raises_out_of_range(self):
        for offset in (len(BODY), len(BODY) + 1, 2 ** 62):
            with self.subTest(offset=offset):
                with self.assertRaises(selfservice.ValidationError) as raised:
                    self.open(offset=offset)
                self.assertEqual(raised.exception.fields, ["offset"])
                self.assertEqual(raised.exception.errors[0]["code"], "OUT_OF_RANGE")

    def test_a_negative_offset_or_a_length_below_one_raises_out_of_range(self):
        for range_, field in (({"offset": -1}, "offset"), ({"length": 0}, "length"), ({"length": -5}, "length")):
            with self.subTest(range_=range_):
                with self.assertRaises(selfservice.ValidationError) as raised:
                    self.open(**range_)
                self.assertEqual(raised.exception.fields, [field])
                self.assertEqual(raised.exception.errors[0]["code"], "OUT_OF_RANGE")

    def test_an_offset_or_length_that_is_not_an_integer_raises_field_invalid(self):
        for range_, field in (({"offset": "10"}, "offset"), ({"offset": 1.5}, "offset"), ({"length": True}, "length"),
                              ({"length": [1]}, "length")):
            with self.subTest(range_=range_):
                with self.assertRaises(selfservice.ValidationError) as raised:
                    self.open(**range_)
                self.assertEqual(raised.exception.fields, [field])
                self.assertEqual(raised.exception.errors[0]["code"], "FIELD_INVALID")

    def test_another_customers_attachment_raises_not_found(self):
        with self.assertRaises(selfservice.NotFoundError):
            self.portal.open_download(ATTACHMENT, OTHER_CUSTOMER, {"id": self.attachment})

    def test_an_unknown_attachment_raises_not_found(self):
        with self.assertRaises(selfservice.NotFoundError):
            self.portal.open_download(ATTACHMENT, USER, {"id": self.attachment + 1000})

    def test_a_missing_context_raises_authentication_error(self):
        with self.assertRaises(selfservice.AuthenticationError):
            self.portal.open_download(ATTACHMENT, None, {"id": self.attachment})

    def test_arguments_of_the_wrong_type_raise_type_error(self):
        for arguments in ((7, USER, {"id": self.attachment}), (ATTACHMENT, 7, {"id": self.attachment}),
                          (ATTACHMENT, USER, 7)):
            with self.subTest(arguments=arguments):
                with self.assertRaises(TypeError):
                    self.portal.open_download(*arguments)

    def test_a_closed_portal_raises_portal_closed_error(self):
        self.portal.close()
        with self.assertRaises(selfservice.PortalClosedError):
            self.open()
        with self.assertRaises(selfservice.PortalClosedError):
            self.portal.download(ATTACHMENT, USER, {"id": self.attachment})


class ReadFailureTest(unittest.TestCase):
    def test_a_file_cut_short_while_read_raises_upload_error_on_every_read(self):
        with tempfile.TemporaryDirectory() as directory:
            with selfservice.Portal(dict(QUIET, storage="sqlite:" + os.path.join(directory, "portal.db"))) as portal:
                attachment = attach(portal)
                with portal.open_download(ATTACHMENT, USER, {"id": attachment}) as download:
                    for root, _, files in os.walk(directory):
                        for name in files:
                            path = os.path.join(root, name)
                            with open(path, "rb") as blob:
                                if blob.read() == BODY:
                                    os.truncate(path, 100)
                    for _ in range(2):
                        with self.assertRaises(selfservice.UploadError) as raised:
                            download.read()
                        self.assertEqual(raised.exception.code, 20003)


class DocumentTest(unittest.TestCase):
    def setUp(self):
        self.portal = selfservice.Portal(QUIET)
        self.document = publish(self.portal)

    def tearDown(self):
        self.portal.close()

    def download_count(self):
        return self.portal.invoke("documents.get", USER, {"id": self.document})["data"]["download_count"]

    def test_a_document_reads_back_as_the_published_bytes(self):
        with self.portal.open_download(DOCUMENT, USER, {"id": self.document}) as download:
            self.assertEqual(download.read(), BODY)
            self.assertEqual((download.file_name, download.sha256), ("vpn-guide.txt", sha256(BODY)))
            self.assertEqual(download.info["document"]["id"], self.document)

    def test_a_download_from_offset_0_counts_once(self):
        self.portal.download(DOCUMENT, USER, {"id": self.document}, io.BytesIO())
        self.assertEqual(self.download_count(), 1)

    def test_a_resumed_range_does_not_count(self):
        _, tail = self.portal.download(DOCUMENT, USER, {"id": self.document, "offset": 1000})
        self.assertEqual(tail, BODY[1000:])
        self.assertEqual(self.download_count(), 0)


class MethodsTest(unittest.TestCase):
    def test_the_download_methods_are_marked_binary_download(self):
        downloads = {method["name"] for method in selfservice.methods() if method["binary"] == "download"}
        self.assertEqual(downloads, {ATTACHMENT, DOCUMENT})


class ThreadsTest(unittest.TestCase):
    def test_several_threads_download_at_once_from_one_portal(self):
        with selfservice.Portal(QUIET) as portal:
            attachment = attach(portal)
            document = publish(portal)
            failures = []
            start = threading.Barrier(6)

            def work(worker):
                start.wait()
                try:
                    for n in range(10):
                        offset = (worker * 1009 + n * 97) % len(BODY)
                        method, target = (ATTACHMENT, attachment) if (worker + n) % 2 else (DOCUMENT, document)
                        with portal.open_download(method, USER, {"id": target, "offset": offset}) as download:
                            if download.read() != BODY[offset:]:
                                failures.append((worker, n, "bytes differ"))
                except BaseException as error:  # reported to the main thread, which fails the test
                    failures.append((worker, repr(error)))

            threads = [threading.Thread(target=work, args=(worker,)) for worker in range(6)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            self.assertEqual(failures, [])


if __name__ == "__main__":
    unittest.main()
