"""The exceptions of the Python binding: one class per code family under selfservice.Error, each
carrying the whole envelope.

Run by ctest with SELFSERVICE_LIBRARY and PYTHONPATH set (tests/python/CMakeLists.txt).
"""

import os
import tempfile
import unittest

import selfservice

USER = {"tenant_id": 1, "customer_id": 10, "user_id": 100, "roles": ["customer_user"], "locale": "en-US",
        "trace_id": "python-errors"}
QUIET = {"log_level": "off"}
CLASSES = {
    10001: selfservice.ValidationError, 10002: selfservice.AuthenticationError,
    10003: selfservice.PermissionDeniedError, 10004: selfservice.NotFoundError,
    10005: selfservice.RateLimitedError, 10006: selfservice.ConflictError, 20001: selfservice.AIServiceError,
    20002: selfservice.SearchServiceError, 20003: selfservice.UploadError, 20004: selfservice.DatabaseError,
}


class FromEnvelopeTest(unittest.TestCase):
    def test_each_code_has_its_class_and_every_class_is_an_error(self):
        for code, cls in CLASSES.items():
            with self.subTest(code=code):
                error = selfservice.Error.from_envelope({"code": code, "message": "m", "errors": []})
                self.assertIs(type(error), cls)
                self.assertIsInstance(error, selfservice.Error)
                self.assertEqual(cls.CODE, code)

    def test_the_2xxxx_codes_are_service_errors(self):
        for code in (20001, 20002, 20003, 20004):
            self.assertIsInstance(selfservice.Error.from_envelope({"code": code}), selfservice.ServiceError)
        self.assertNotIsInstance(selfservice.Error.from_envelope({"code": 10001}), selfservice.ServiceError)

    def test_an_unknown_code_is_a_plain_error(self):
        error = selfservice.Error.from_envelope({"code": 30001, "message": "new"})
        self.assertIs(type(error), selfservice.Error)
        self.assertEqual((error.code, error.message), (30001, "new"))

    def test_a_malformed_envelope_still_makes_an_error(self):
        for envelope in ({}, {"code": "10001", "errors": None}, {"code": None, "message": 5}):
            with self.subTest(envelope=envelope):
                error = selfservice.Error.from_envelope(envelope)
                self.assertIs(type(error), selfservice.Error)
                self.assertEqual((error.code, error.errors), (0, []))

    def test_the_text_names_code_message_and_field_errors(self):
        error = selfservice.Error.from_envelope({"code": 10001, "message": "Invalid request parameters",
                                                 "errors": [{"field": "rating", "code": "OUT_OF_RANGE"}]})
        self.assertIn("10001 Invalid request parameters", str(error))
        self.assertIn("rating", str(error))
        self.assertEqual(error.fields, ["rating"])

    def test_the_envelope_is_a_copy(self):
        envelope = {"code": 10004, "message": "m"}
        error = selfservice.Error.from_envelope(envelope)
        envelope["code"] = 1
        self.assertEqual(error.envelope["code"], 10004)

    def test_retry_after_is_none_when_the_envelope_lacks_it(self):
        self.assertIsNone(selfservice.Error.from_envelope({"code": 10005}).retry_after)


class RaisedByTheLibraryTest(unittest.TestCase):
    def setUp(self):
        self.portal = selfservice.Portal(QUIET)

    def tearDown(self):
        self.portal.close()

    def raised(self, method, context, request):
        with self.assertRaises(selfservice.Error) as raised:
            self.portal.invoke(method, context, request)
        return raised.exception

    def test_validation_error_carries_code_message_field_errors_and_trace_id(self):
        error = self.raised("sessions.start", USER, {"session_type": "bogus"})
        self.assertIsInstance(error, selfservice.ValidationError)
        self.assertEqual((error.code, error.message, error.trace_id), (10001, "Invalid request parameters",
                                                                       "python-errors"))
        self.assertEqual(error.errors[0]["code"], "VALUE_NOT_ALLOWED")
        self.assertTrue(error.envelope["help_url"].endswith("/10001"))

    def test_authentication_error(self):
        self.assertIsInstance(self.raised("sessions.list", {"user_id": 1}, {}), selfservice.AuthenticationError)

    def test_permission_denied_error(self):
        self.assertIsInstance(self.raised("portal.theme.update", USER, {"theme_color": "#000000"}),
                              selfservice.PermissionDeniedError)

    def test_not_found_error(self):
        self.assertIsInstance(self.raised("sessions.get", USER, {"session_id": "sess_missing"}),
                              selfservice.NotFoundError)

    def test_conflict_error(self):
        sid = self.portal.invoke("sessions.start", USER, {"session_type": "search",
                                                          "initial_question": "q"})["data"]["session_id"]
        error = self.raised("sessions.transition", USER, {"session_id": sid, "to": "rated"})
        self.assertIsInstance(error, selfservice.ConflictError)
        self.assertEqual(error.errors[0]["code"], "TRANSITION_NOT_ALLOWED")

    def test_rate_limited_error_carries_retry_after(self):
        limits = {"default": {"rate_per_second": 0.001, "burst": 1}}
        with selfservice.Portal(dict(QUIET, rate_limits=limits)) as limited:
            limited.invoke("sessions.list", USER, {})
            with self.assertRaises(selfservice.RateLimitedError) as raised:
                limited.invoke("sessions.list", USER, {})
        self.assertEqual(raised.exception.code, 10005)
        self.assertIsInstance(raised.exception.retry_after, int)
        self.assertGreater(raised.exception.retry_after, 0)

    def test_database_error_when_the_storage_cannot_be_opened(self):
        with tempfile.TemporaryDirectory() as directory:
            with self.assertRaises(selfservice.DatabaseError) as raised:
                selfservice.Portal(dict(QUIET, storage="sqlite:" + os.path.join(directory, "no", "portal.db")))
        self.assertEqual(raised.exception.code, 20004)


if __name__ == "__main__":
    unittest.main()
