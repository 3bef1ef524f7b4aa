"""The Python binding (bindings/python/selfservice) against this build's libselfservice.so.

Run by ctest with SELFSERVICE_LIBRARY and PYTHONPATH set (tests/python/CMakeLists.txt).
"""

import os
import tempfile
import threading
import unittest

import selfservice

USER = {"tenant_id": 1, "customer_id": 10, "user_id": 100, "roles": ["customer_user"],
        "locale": "en-US", "trace_id": "python-smoke"}
CUSTOMER_ADMIN = dict(USER, user_id=101, roles=["customer_admin"])
PLATFORM_ADMIN = dict(USER, customer_id=1, user_id=900, roles=["platform_admin"])
OTHER_TENANT = {"tenant_id": 2, "customer_id": 20, "user_id": 200, "roles": ["customer_user"], "locale": "en-US"}
QUIET = {"log_level": "off"}


class LibraryTest(unittest.TestCase):
    def test_version_is_major_minor_patch(self):
        parts = selfservice.version().split(".")
        self.assertEqual(len(parts), 3)
        self.assertTrue(all(part.isdigit() for part in parts))

    def test_abi_version_is_positive(self):
        self.assertGreaterEqual(selfservice.abi_version(), 1)


class HealthTest(unittest.TestCase):
    def test_a_new_portal_is_up_with_its_ai_breaker_closed(self):
        with selfservice.Portal(QUIET) as portal:
            health = portal.health()
        self.assertEqual(health["status"], "up")
        self.assertEqual(health["components"]["database"], {"status": "up"})
        self.assertEqual(health["components"]["breakers"], {"ai.local": "closed"})
        self.assertEqual(health["components"]["outbox"], {"pending": 0})
        self.assertEqual(health["components"]["subscriptions"], 0)

    def test_a_closed_portal_raises_portal_closed_error(self):
        portal = selfservice.Portal(QUIET)
        portal.close()
        with self.assertRaises(selfservice.PortalClosedError):
            portal.health()


class MethodsTest(unittest.TestCase):
    def test_every_method_has_its_route_role_and_feature(self):
        table = {method["name"]: method for method in selfservice.methods()}
        self.assertEqual(table["auth.login"]["least_role"], "anyone")
        self.assertEqual(table["tickets.create"]["route"], "/api/v1/customer-portal/tickets")
        self.assertEqual(table["tickets.create"]["feature"], "tickets")
        self.assertEqual(table["users.list"]["least_role"], "customer_admin")
        for method in table.values():
            self.assertEqual(set(method), {"name", "http_method", "route", "least_role", "feature", "rate_class",
                                           "binary"})


class OpenTest(unittest.TestCase):
    def test_default_options_open_a_memory_portal(self):
        with selfservice.Portal() as portal:
            self.assertEqual(portal.invoke("sessions.list", USER, {})["pagination"]["total"], 0)
        self.assertTrue(portal.closed)

    def test_malformed_options_raise_10001(self):
        with self.assertRaises(selfservice.Error) as raised:
            selfservice.Portal("{not json")
        self.assertEqual(raised.exception.code, 10001)
        self.assertEqual(raised.exception.errors[0]["field"], "options_json")
        self.assertTrue(raised.exception.trace_id)

    def test_bad_option_value_raises_10001_naming_the_field(self):
        with self.assertRaises(selfservice.Error) as raised:
            selfservice.Portal({"pool_size": 0})
        self.assertEqual(raised.exception.code, 10001)
        self.assertEqual(raised.exception.errors[0]["field"], "pool_size")

    def test_unreachable_storage_raises_20004(self):
        with tempfile.TemporaryDirectory() as directory:
            with self.assertRaises(selfservice.Error) as raised:
                selfservice.Portal({"storage": f"sqlite:{directory}/missing/portal.db", "log_level": "off"})
        self.assertEqual(raised.exception.code, 20004)

    def test_close_twice_is_a_no_op_and_invoke_after_close_raises(self):
        portal = selfservice.Portal(QUIET)
        portal.close()
        portal.close()
        with self.assertRaises(ValueError):
            portal.invoke("sessions.list", USER, {})


class SessionFlowTest(unittest.TestCase):
    """A customer's whole self-service session on a file database."""

    def setUp(self):
        self.directory = tempfile.TemporaryDirectory()
        self.options = {"storage": "sqlite:" + os.path.join(self.directory.name, "portal.db"), "log_level": "off"}
        self.portal = selfservice.Portal(self.options)

    def tearDown(self):
        self.portal.close()
        self.directory.cleanup()

    def call(self, method, context, request):
        return self.portal.invoke(method, context, request)["data"]

    def transition(self, session_id, to, **fields):
        return self.call("sessions.transition", USER, dict(fields, session_id=session_id, to=to))

    def test_session_from_question_to_rating(self):
        theme = self.call("portal.theme.update", CUSTOMER_ADMIN, {"portal_title": "自助服务中心", "theme_color": "#1677FF"})
        self.assertEqual(theme["theme_color"], "#1677FF")
        self.assertEqual(self.call("portal.config.get", USER, {})["portal_title"], "自助服务中心")

        answer = self.portal.invoke("sessions.start", USER,
                                    {"session_type": "ai_chat", "initial_question": "服务器连接不上怎么办？"})
        self.assertEqual(answer["trace_id"], "python-smoke")
        session = answer["data"]
        sid = session["session_id"]
        self.assertEqual(session["state"], "in_progress")
        self.assertEqual(session["initial_question"], "服务器连接不上怎么办？")

        self.call("sessions.interactions.add", USER,
                  {"session_id": sid, "interaction_type": "question", "user_input": "ping 超时"})
        added = self.call("sessions.interactions.add", USER,
                          {"session_id": sid, "interaction_type": "answer", "system_response": "请检查防火墙",
                           "ai_confidence": 0.86, "response_time": 850})
        self.assertEqual(added["session"]["interaction_count"], 2)
        self.assertAlmostEqual(added["interaction"]["ai_confidence"], 0.86)

        self.assertEqual(self.transition(sid, "paused")["state"], "paused")
        self.assertEqual(self.transition(sid, "in_progress")["state"], "in_progress")
        resolved = self.transition(sid, "resolved", resolution_status="resolved")
        self.assertEqual(resolved["state"], "resolved")
        self.assertIsNotNone(resolved["ended_at"])
        rated = self.call("satisfaction.submit", USER, {"session_id": sid, "score": 5, "comment": "很快"})
        self.assertEqual((rated["state"], rated["satisfaction_score"]), ("rated", 5))

        interactions = self.portal.invoke("sessions.interactions.list", USER, {"session_id": sid, "page": 1, "size": 10})
        self.assertEqual([i["interaction_type"] for i in interactions["data"]], ["question", "answer"])
        self.assertEqual(interactions["pagination"]["total"], 2)

        self.portal.close()
        with selfservice.Portal(self.options) as reopened:
            self.assertEqual(reopened.invoke("sessions.get", USER, {"session_id": sid})["data"]["state"], "rated")
        self.portal = selfservice.Portal(self.options)

    def test_feedback_from_submission_to_closed(self):
        sid = self.call("sessions.start", USER, {"session_type": "search", "initial_question": "VPN"})["session_id"]
        feedback = self.call("feedback.submit", USER,
                             {"feedback_type": "service", "related_type": "session", "related_id": sid,
                              "rating": 5, "feedback_content": "回答准确"})
        fid = feedback["id"]
        self.assertEqual((feedback["state"], feedback["status"]), ("pending", 1))

        with self.assertRaises(selfservice.Error) as raised:
            self.call("feedback.transition", USER, {"id": fid, "to": "processing"})
        self.assertEqual(raised.exception.code, 10003)
        self.call("feedback.transition", PLATFORM_ADMIN, {"id": fid, "to": "processing"})
        processed = self.call("feedback.transition", PLATFORM_ADMIN,
                              {"id": fid, "to": "processed", "response_content": "已处理"})
        self.assertEqual(processed["processed_by"], 900)
        self.call("feedback.transition", USER, {"id": fid, "to": "closed"})

        got = self.call("feedback.get", USER, {"id": fid})
        self.assertEqual((got["state"], got["status"], got["response_content"]), ("closed", 4, "已处理"))
        listed = self.portal.invoke("feedback.list", USER, {"page": 1, "size": 20})
        self.assertEqual([f["id"] for f in listed["data"]], [fid])
        self.assertEqual(listed["pagination"]["total"], 1)

    def test_analytics_batch_is_accepted(self):
        events = [{"page_path": "/faq", "action_type": "search", "search_keywords": "vpn", "device_type": "desktop"},
                  {"page_path": "/faq/42", "action_type": "click", "device_type": "mobile"}]
        self.assertEqual(self.call("analytics.track", USER, {"events": events})["accepted"], 2)

    def test_sessions_list_pages(self):
        for question in ("a", "b", "c"):
            self.call("sessions.start", USER, {"session_type": "search", "initial_question": question})
        page = self.portal.invoke("sessions.list", USER, {"page": 2, "size": 2})
        self.assertEqual(len(page["data"]), 1)
        self.assertEqual(page["pagination"]["total"], 3)
        self.assertEqual(page["pagination"]["pages"], 2)

    def test_concurrent_invokes_on_one_portal(self):
        failures = []

        def start(worker):
            for n in range(25):
                try:
                    self.call("sessions.start", dict(USER, user_id=1000 + worker),
                              {"session_type": "search", "initial_question": f"q{worker}-{n}"})
                except selfservice.Error as error:
                    failures.append(error)

        threads = [threading.Thread(target=start, args=(worker,)) for worker in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(failures, [])
        total = self.portal.invoke("sessions.list", CUSTOMER_ADMIN, {"page": 1, "size": 1})["pagination"]["total"]
        self.assertEqual(total, 100)


class BadInputTest(unittest.TestCase):
    def setUp(self):
        self.portal = selfservice.Portal(QUIET)
        self.sid = self.portal.invoke("sessions.start", USER, {"session_type": "ai_chat",
                                                               "initial_question": "x"})["data"]["session_id"]

    def tearDown(self):
        self.portal.close()

    def code_of(self, method, context, request):
        with self.assertRaises(selfservice.Error) as raised:
            self.portal.invoke(method, context, request)
        return raised.exception

    def test_rating_6_is_refused_with_field_errors_in_english(self):
        error = self.code_of("feedback.submit", USER, {"feedback_type": "service", "related_type": "session",
                                                       "related_id": self.sid, "rating": 6})
        self.assertEqual(error.code, 10001)
        self.assertEqual(error.message, "Invalid request parameters")
        self.assertEqual(error.errors[0]["field"], "rating")
        self.assertEqual(error.trace_id, "python-smoke")
        self.assertTrue(error.envelope["help_url"].endswith("10001"))

    def test_messages_follow_the_locale(self):
        error = self.code_of("sessions.start", dict(USER, locale="zh-CN"), {"session_type": "bogus"})
        self.assertEqual(error.code, 10001)
        self.assertTrue(any("\u4e00" <= ch <= "\u9fff" for ch in error.message), error.message)

    def test_another_tenant_cannot_read_the_session(self):
        self.assertEqual(self.code_of("sessions.get", OTHER_TENANT, {"session_id": self.sid}).code, 10004)

    def test_refused_transition_is_10006(self):
        self.assertEqual(self.code_of("sessions.transition", USER, {"session_id": self.sid, "to": "rated"}).code, 10006)

    def test_unknown_method_is_10004(self):
        self.assertEqual(self.code_of("no.such.method", USER, {}).code, 10004)

    def test_missing_or_malformed_context_is_10002(self):
        self.assertEqual(self.code_of("sessions.list", None, {}).code, 10002)
        self.assertEqual(self.code_of("sessions.list", "{oops", {}).code, 10002)
        self.assertEqual(self.code_of("sessions.list", {"user_id": 1}, {}).code, 10002)

    def test_missing_or_malformed_request_is_10001(self):
        self.assertEqual(self.code_of("sessions.list", USER, None).code, 10001)
        self.assertEqual(self.code_of("sessions.list", USER, "{oops").code, 10001)

    def test_missing_method_is_10001(self):
        self.assertEqual(self.code_of(None, USER, {}).code, 10001)

    def test_role_is_checked(self):
        self.assertEqual(self.code_of("portal.theme.update", USER, {"theme_color": "#000000"}).code, 10003)



class ImportProgressTest(unittest.TestCase):
    """knowledge.import with a progress callable (selfservice_invoke_with_progress)."""

    ARTICLES = [{"external_id": f"kb-{i}", "title": f"Article {i}", "body": "body", "lang": "en"}
                for i in range(1001)]

    def setUp(self):
        self.portal = selfservice.Portal(QUIET)

    def tearDown(self):
        self.portal.close()

    def test_progress_goes_up_to_the_total(self):
        seen = []
        data = self.portal.invoke("knowledge.import", CUSTOMER_ADMIN, {"articles": self.ARTICLES},
                                  progress=lambda done, total: seen.append((done, total)))["data"]
        self.assertEqual(data["imported"], 1001)
        self.assertFalse(data["cancelled"])
        self.assertEqual(seen[-1], (1001, 1001))
        self.assertEqual([done for done, _ in seen], sorted(done for done, _ in seen))

    def test_returning_false_stops_after_a_transaction(self):
        data = self.portal.invoke("knowledge.import", CUSTOMER_ADMIN, {"articles": self.ARTICLES},
                                  progress=lambda done, total: False)["data"]
        self.assertTrue(data["cancelled"])
        self.assertEqual(data["imported"], 500)

    def test_an_exception_of_the_callable_stops_the_import_and_is_raised(self):
        def fail(done, total):
            raise KeyError("stop here")

        with self.assertRaises(KeyError):
            self.portal.invoke("knowledge.import", CUSTOMER_ADMIN, {"articles": self.ARTICLES}, progress=fail)
        listed = self.portal.invoke("knowledge.list", CUSTOMER_ADMIN, {"size": 1})
        self.assertEqual(listed["pagination"]["total"], 500)

    def test_bad_input_still_raises_the_envelope(self):
        with self.assertRaises(selfservice.Error) as raised:
            self.portal.invoke("knowledge.import", CUSTOMER_ADMIN, {}, progress=lambda done, total: None)
        self.assertEqual(raised.exception.code, 10001)

if __name__ == "__main__":
    unittest.main()
