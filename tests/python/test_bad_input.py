"""Bad input to every public function of the Python binding: each raises a clear exception (an
envelope's Error, or TypeError/ValueError for what cannot cross the C ABI), never crashes.

Run by ctest with SELFSERVICE_LIBRARY and PYTHONPATH set (tests/python/CMakeLists.txt).
"""

import os
import subprocess
import sys
import threading
import unittest

import selfservice

USER = {"tenant_id": 1, "customer_id": 10, "user_id": 100, "roles": ["customer_user"], "locale": "en-US"}
CUSTOMER_ADMIN = dict(USER, user_id=101, roles=["customer_admin"])
NEW_TICKET = {"title": "VPN down", "description": "since 9:00", "category": "network", "priority": 2,
              "contact": {"email": "alice@example.com"}}
QUIET = {"log_level": "off"}
ARTICLES = [{"external_id": f"kb-{i}", "title": f"Article {i}", "body": "body", "lang": "en"} for i in range(600)]


class LoaderTest(unittest.TestCase):
    def test_a_library_that_cannot_be_loaded_raises_os_error_naming_the_path(self):
        # A fresh interpreter: this one has already loaded the library.
        script = ("import selfservice\n"
                  "try:\n    selfservice.version()\n"
                  "except OSError as error:\n    print(error)\n")
        env = dict(os.environ, SELFSERVICE_LIBRARY="/nonexistent/libselfservice.so")
        shown = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
        self.assertIn("/nonexistent/libselfservice.so", shown.stdout)
        self.assertIn("SELFSERVICE_LIBRARY", shown.stdout)

    def test_library_functions_take_no_arguments(self):
        for function in (selfservice.version, selfservice.abi_version, selfservice.methods):
            with self.subTest(function=function.__name__):
                with self.assertRaises(TypeError):
                    function(1)


class OpenTest(unittest.TestCase):
    def test_non_json_text_raises_validation_error_on_options_json(self):
        for options in ("{not json", b"\xff\xfe", "[1, 2]", [1, 2], ""):
            with self.subTest(options=options):
                with self.assertRaises(selfservice.ValidationError) as raised:
                    selfservice.Portal(options)
                self.assertEqual(raised.exception.fields, ["options_json"])

    def test_options_of_a_type_that_is_not_json_raise_type_error(self):
        for options in (5, 1.5, object(), {"storage": {1, 2}}):
            with self.subTest(options=options):
                with self.assertRaises(TypeError):
                    selfservice.Portal(options)

    def test_nan_and_nul_raise_value_error(self):
        for options in ({"pool_size": float("nan")}, '{"log_level": "off"}\0garbage'):
            with self.subTest(options=options):
                with self.assertRaises(ValueError):
                    selfservice.Portal(options)


class InvokeTest(unittest.TestCase):
    def setUp(self):
        self.portal = selfservice.Portal(QUIET)

    def tearDown(self):
        self.portal.close()

    def test_unknown_method_raises_not_found(self):
        with self.assertRaises(selfservice.NotFoundError):
            self.portal.invoke("sessions.explode", USER, {})

    def test_missing_method_raises_validation_error(self):
        with self.assertRaises(selfservice.ValidationError):
            self.portal.invoke(None, USER, {})

    def test_a_method_name_that_is_not_a_str_raises_type_error(self):
        for method in (b"sessions.list", 5, ["sessions.list"]):
            with self.subTest(method=method):
                with self.assertRaises(TypeError):
                    self.portal.invoke(method, USER, {})

    def test_non_json_request_raises_validation_error_on_request_json(self):
        for request in (None, "{oops", b"\xff\xfe", "[]", [], "", "null"):
            with self.subTest(request=request):
                with self.assertRaises(selfservice.ValidationError) as raised:
                    self.portal.invoke("sessions.list", USER, request)
                self.assertEqual(raised.exception.fields, ["request_json"])

    def test_non_json_context_raises_authentication_error(self):
        for context in (None, "{oops", b"\xff", "[]", {}):
            with self.subTest(context=context):
                with self.assertRaises(selfservice.AuthenticationError):
                    self.portal.invoke("sessions.list", context, {})

    def test_what_cannot_be_encoded_raises_before_the_call(self):
        for request, expected in (({"q": "\ud800"}, UnicodeEncodeError), ({"q": float("inf")}, ValueError),
                                  ({"q": b"bytes"}, TypeError), ("{}\0", ValueError), (42, TypeError)):
            with self.subTest(request=request):
                with self.assertRaises(expected):
                    self.portal.invoke("sessions.list", USER, request)

    def test_a_progress_that_is_not_callable_raises_type_error(self):
        with self.assertRaises(TypeError):
            self.portal.invoke("sessions.list", USER, {}, progress=5)

    def test_a_closed_portal_raises_portal_closed_error_which_is_a_value_error(self):
        self.portal.close()
        with self.assertRaises(selfservice.PortalClosedError) as raised:
            self.portal.invoke("sessions.list", USER, {})
        self.assertIsInstance(raised.exception, ValueError)
        self.assertIn("closed", str(raised.exception))
        with self.assertRaises(selfservice.PortalClosedError):
            self.portal.invoke("knowledge.import", USER, {}, progress=lambda done, total: None)

    def test_close_from_a_progress_callback_raises_runtime_error_and_stops_the_call(self):
        def close(done, total):
            self.portal.close()

        with self.assertRaises(RuntimeError):
            self.portal.invoke("knowledge.import", CUSTOMER_ADMIN, {"articles": ARTICLES}, progress=close)
        self.assertFalse(self.portal.closed)
        self.assertEqual(self.portal.invoke("knowledge.list", CUSTOMER_ADMIN, {"size": 1})["pagination"]["total"],
                         500)


class SubscribeTest(unittest.TestCase):
    def setUp(self):
        self.portal = selfservice.Portal(QUIET)

    def tearDown(self):
        self.portal.close()

    def test_missing_or_non_json_topic_raises_validation_error_on_topic_json(self):
        for topic in (None, "{bad", "[]", b"\xff"):
            with self.subTest(topic=topic):
                with self.assertRaises(selfservice.ValidationError) as raised:
                    self.portal.subscribe(topic, print)
                self.assertEqual(raised.exception.fields, ["topic_json"])
        self.assertEqual(selfservice.portal._subscribers, {})

    def test_a_callback_that_is_not_callable_raises_type_error(self):
        with self.assertRaises(TypeError):
            self.portal.subscribe({"tenant_id": 1}, None)
        self.assertEqual(selfservice.portal._subscribers, {})

    def test_unsubscribe_of_ids_that_are_not_live_answers_false(self):
        for subscription in (0, -1, 12345, 2 ** 63 - 1):
            with self.subTest(subscription=subscription):
                self.assertFalse(self.portal.unsubscribe(subscription))

    def test_unsubscribe_of_what_is_not_an_int64_raises(self):
        for subscription, expected in (("1", TypeError), (None, TypeError), (1.0, TypeError), (True, TypeError),
                                       (2 ** 63, ValueError)):
            with self.subTest(subscription=subscription):
                with self.assertRaises(expected):
                    self.portal.unsubscribe(subscription)

    def test_a_closed_portal_raises_portal_closed_error(self):
        subscription = self.portal.subscribe({"tenant_id": 1}, print)
        self.portal.close()
        with self.assertRaises(selfservice.PortalClosedError):
            self.portal.subscribe({"tenant_id": 1}, print)
        with self.assertRaises(selfservice.PortalClosedError):
            self.portal.unsubscribe(subscription)

    def test_close_from_a_subscription_callback_raises_runtime_error(self):
        seen = []
        heard = threading.Event()

        def close(event):
            try:
                self.portal.close()
            except RuntimeError as error:
                seen.append(error)
            heard.set()

        self.portal.subscribe({"tenant_id": 1}, close)
        self.portal.invoke("tickets.create", USER, NEW_TICKET)
        self.assertTrue(heard.wait(30))
        self.assertEqual(len(seen), 1)
        self.assertFalse(self.portal.closed)

    def test_a_callback_may_close_another_portal(self):
        other = selfservice.Portal(QUIET)
        heard = threading.Event()

        def close_other(event):
            other.close()
            heard.set()

        self.portal.subscribe({"tenant_id": 1}, close_other)
        self.portal.invoke("tickets.create", USER, NEW_TICKET)
        self.assertTrue(heard.wait(30))
        self.assertTrue(other.closed)


class CloseTest(unittest.TestCase):
    def test_close_twice_and_closed_report_the_state(self):
        portal = selfservice.Portal(QUIET)
        self.assertFalse(portal.closed)
        self.assertIn("open", repr(portal))
        portal.close()
        portal.close()
        self.assertTrue(portal.closed)
        self.assertIn("closed", repr(portal))

    def test_a_with_block_closes_even_when_it_raises(self):
        with self.assertRaises(selfservice.NotFoundError):
            with selfservice.Portal(QUIET) as portal:
                portal.invoke("no.such.method", USER, {})
        self.assertTrue(portal.closed)


if __name__ == "__main__":
    unittest.main()
