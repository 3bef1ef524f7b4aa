"""The Python binding used from many threads at once: one Portal shared by 8 threads, events
delivered while calls run, portals opened and closed concurrently, and close() racing calls.

Run by ctest with SELFSERVICE_LIBRARY and PYTHONPATH set (tests/python/CMakeLists.txt). Every
worker records what went wrong instead of asserting, since an assertion on a worker thread would
not fail the test; the main thread asserts that nothing did.
"""

import hashlib
import threading
import unittest

import selfservice

THREADS = 8
CALLS = 25
USER = {"tenant_id": 1, "customer_id": 10, "user_id": 100, "roles": ["customer_user"], "locale": "en-US"}
CUSTOMER_ADMIN = dict(USER, user_id=101, roles=["customer_admin"])
NEW_TICKET = {"title": "VPN down", "description": "since 9:00", "category": "network", "priority": 2,
              "contact": {"email": "alice@example.com"}}
QUIET = {"log_level": "off"}


def run_workers(work, count=THREADS):
    """Runs work(worker) on `count` threads started together; returns what they raised."""
    failures = []
    start = threading.Barrier(count)

    def body(worker):
        start.wait()
        try:
            work(worker)
        except BaseException as error:  # reported to the main thread, which fails the test
            failures.append((worker, repr(error)))

    threads = [threading.Thread(target=body, args=(worker,)) for worker in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures


class SharedPortalTest(unittest.TestCase):
    def setUp(self):
        self.portal = selfservice.Portal(QUIET)

    def tearDown(self):
        self.portal.close()

    def test_every_answer_belongs_to_its_own_call(self):
        # Each call carries its own trace id and question; an answer handed to the wrong caller,
        # or a string freed twice, would show here.
        def work(worker):
            who = dict(USER, user_id=1000 + worker)
            for n in range(CALLS):
                trace = f"thread-{worker}-{n}"
                answer = self.portal.invoke("sessions.start", dict(who, trace_id=trace),
                                            {"session_type": "search", "initial_question": trace})
                if (answer["trace_id"], answer["data"]["initial_question"], answer["data"]["user_id"]) != (
                        trace, trace, 1000 + worker):
                    raise AssertionError(f"answer of another call: {answer}")

        self.assertEqual(run_workers(work), [])
        total = self.portal.invoke("sessions.list", CUSTOMER_ADMIN, {"size": 1})["pagination"]["total"]
        self.assertEqual(total, THREADS * CALLS)

    def test_failures_raise_their_own_envelope_under_contention(self):
        def work(worker):
            for n in range(CALLS):
                trace = f"bad-{worker}-{n}"
                try:
                    self.portal.invoke("sessions.start", dict(USER, trace_id=trace), {"session_type": f"x{n}"})
                except selfservice.ValidationError as error:
                    if error.trace_id != trace or error.fields != ["session_type"]:
                        raise AssertionError(f"envelope of another call: {error.envelope}") from None
                else:
                    raise AssertionError("a bad session_type was accepted")

        self.assertEqual(run_workers(work), [])

    def test_uploads_of_many_threads_complete(self):
        def work(worker):
            body = f"worker {worker}\n".encode() * 100
            ticket = self.portal.invoke("tickets.create", USER, NEW_TICKET)["data"]["id"]
            upload = self.portal.invoke("tickets.attachments.begin", USER, {
                "ticket_id": ticket, "filename": f"w{worker}.txt", "size": len(body),
                "content_type": "text/plain", "sha256": hashlib.sha256(body).hexdigest()})["data"]["upload_id"]
            for offset in range(0, len(body), 128):
                chunk = body[offset:offset + 128]
                self.portal.upload_chunk(USER, upload, offset, chunk, hashlib.sha256(chunk).hexdigest())
            attachment = self.portal.invoke("tickets.attachments.complete", USER,
                                            {"upload_id": upload})["data"]["attachment"]
            if (attachment["ticket_id"], attachment["size_bytes"]) != (ticket, len(body)):
                raise AssertionError(f"attachment of another upload: {attachment}")

        self.assertEqual(run_workers(work), [])


class Inbox:
    def __init__(self):
        self.tickets = []
        self.changed = threading.Condition()

    def __call__(self, event):
        with self.changed:
            self.tickets.append(event["ticket_id"])
            self.changed.notify_all()

    def wait_for(self, count, timeout=30.0):
        with self.changed:
            return self.changed.wait_for(lambda: len(self.tickets) >= count, timeout)


class SubscriptionsUnderLoadTest(unittest.TestCase):
    def setUp(self):
        self.portal = selfservice.Portal(QUIET)

    def tearDown(self):
        self.portal.close()

    def test_events_arrive_once_each_while_invokes_run(self):
        inbox = Inbox()
        self.portal.subscribe({"tenant_id": 1}, inbox)
        created = []
        lock = threading.Lock()

        def work(worker):
            for _ in range(CALLS // 5):
                ticket = self.portal.invoke("tickets.create", dict(USER, user_id=1000 + worker), NEW_TICKET)
                with lock:
                    created.append(ticket["data"]["id"])
                self.portal.invoke("sessions.list", USER, {})

        self.assertEqual(run_workers(work), [])
        self.assertTrue(inbox.wait_for(len(created)))
        self.assertEqual(sorted(inbox.tickets), sorted(created))

    def test_subscribing_and_unsubscribing_while_events_fire(self):
        def work(worker):
            for _ in range(CALLS // 5):
                if worker % 2:
                    self.portal.invoke("tickets.create", USER, NEW_TICKET)
                else:
                    subscription = self.portal.subscribe({"tenant_id": 1}, Inbox())
                    if not self.portal.unsubscribe(subscription):
                        raise AssertionError(f"subscription {subscription} was not live")

        self.assertEqual(run_workers(work), [])
        self.assertEqual(selfservice.portal._subscribers, {})


class ManyPortalsTest(unittest.TestCase):
    def test_portals_open_and_close_concurrently(self):
        def work(worker):
            for n in range(5):
                with selfservice.Portal(QUIET) as portal:
                    portal.subscribe({"tenant_id": 1}, Inbox())
                    answer = portal.invoke("sessions.start", dict(USER, trace_id=f"p{worker}-{n}"),
                                           {"session_type": "search", "initial_question": "q"})
                    if answer["trace_id"] != f"p{worker}-{n}":
                        raise AssertionError(f"answer of another portal: {answer}")
                    listed = portal.invoke("sessions.list", USER, {})["pagination"]["total"]
                    if listed != 1:
                        raise AssertionError(f"a portal sees {listed} sessions, not its own one")

        self.assertEqual(run_workers(work), [])
        self.assertEqual(selfservice.portal._subscribers, {})

    def test_close_waits_for_running_calls_and_later_calls_raise(self):
        portal = selfservice.Portal(QUIET)
        closing = threading.Event()
        outcomes = []
        lock = threading.Lock()

        def work(worker):
            if worker == 0:
                closing.wait()
                portal.close()
                return
            for n in range(CALLS):
                if n == 2:
                    closing.set()
                try:
                    portal.invoke("sessions.start", USER, {"session_type": "search", "initial_question": "q"})
                    outcome = "answered"
                except selfservice.PortalClosedError:
                    outcome = "closed"
                with lock:
                    outcomes.append((worker, outcome))

        self.assertEqual(run_workers(work), [])
        self.assertTrue(portal.closed)
        # Once a worker saw the portal closed it never saw it answer again.
        for worker in range(1, THREADS):
            seen = [outcome for who, outcome in outcomes if who == worker]
            self.assertEqual(seen, sorted(seen), seen)  # "answered" < "closed"
        self.assertIn("answered", [outcome for _, outcome in outcomes])


if __name__ == "__main__":
    unittest.main()
