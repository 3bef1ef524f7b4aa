"""Live ticket status through the Python binding: Portal.subscribe / unsubscribe.

Run by ctest with SELFSERVICE_LIBRARY and PYTHONPATH set (tests/python/CMakeLists.txt).
"""

import gc
import threading
import unittest

import selfservice

USER = {"tenant_id": 1, "customer_id": 10, "user_id": 100, "roles": ["customer_user"], "locale": "en-US"}
OTHER_CUSTOMER = dict(USER, customer_id=11, user_id=110)
PLATFORM_ADMIN = dict(USER, customer_id=1, user_id=900, roles=["platform_admin"])
NEW_TICKET = {"title": "VPN down", "description": "since 9:00", "category": "network", "priority": 2,
              "contact": {"email": "alice@example.com"}}
QUIET = {"log_level": "off"}


class Inbox:
    """Collects events and the threads they arrived on."""

    def __init__(self):
        self.events = []
        self.threads = []
        self.changed = threading.Condition()

    def __call__(self, event):
        with self.changed:
            self.events.append(event)
            self.threads.append(threading.get_ident())
            self.changed.notify_all()

    def wait_for(self, count, timeout=5.0):
        with self.changed:
            return self.changed.wait_for(lambda: len(self.events) >= count, timeout)


class SubscriptionTest(unittest.TestCase):
    def setUp(self):
        self.portal = selfservice.Portal(QUIET)

    def tearDown(self):
        self.portal.close()

    def create_ticket(self, who):
        return self.portal.invoke("tickets.create", who, NEW_TICKET)["data"]["id"]

    def move(self, ticket, to):
        self.portal.invoke("tickets.transition", PLATFORM_ADMIN, {"id": ticket, "to": to})

    def test_events_of_the_topic_arrive_on_a_library_thread(self):
        inbox = Inbox()
        subscription = self.portal.subscribe({"type": "ticket.status", "tenant_id": 1, "customer_id": 10}, inbox)
        self.assertGreater(subscription, 0)
        self.create_ticket(OTHER_CUSTOMER)
        ticket = self.create_ticket(USER)
        self.move(ticket, "open")
        self.assertTrue(inbox.wait_for(2))
        created, opened = inbox.events[:2]
        self.assertEqual(created["ticket_id"], ticket)
        self.assertIsNone(created["from"])
        self.assertEqual(created["to"], "new")
        self.assertEqual((opened["from"], opened["to"], opened["actor_id"]), ("new", "open", 900))
        self.assertTrue(opened["at"].endswith("Z"))
        self.assertNotIn(threading.get_ident(), inbox.threads)
        self.assertTrue(self.portal.unsubscribe(subscription))

    def test_no_event_after_unsubscribe(self):
        inbox = Inbox()
        subscription = self.portal.subscribe({"tenant_id": 1}, inbox)
        ticket = self.create_ticket(USER)
        self.assertTrue(inbox.wait_for(1))
        self.assertTrue(self.portal.unsubscribe(subscription))
        self.assertFalse(self.portal.unsubscribe(subscription))
        self.move(ticket, "open")
        barrier = Inbox()
        self.portal.subscribe({"tenant_id": 1}, barrier)
        self.move(ticket, "in_progress")
        self.assertTrue(barrier.wait_for(1))
        self.assertEqual(len(inbox.events), 1)

    def test_a_bad_topic_raises_10001_naming_the_field(self):
        with self.assertRaises(selfservice.Error) as raised:
            self.portal.subscribe({"customer_id": 10}, Inbox())
        self.assertEqual(raised.exception.code, 10001)
        self.assertEqual(raised.exception.errors[0]["field"], "tenant_id")
        self.assertEqual(selfservice.portal._subscribers, {})

    def test_a_callback_may_unsubscribe_itself_and_raise(self):
        inbox = Inbox()
        ids = []

        def once(event):
            inbox(event)
            self.portal.unsubscribe(ids[0])
            raise RuntimeError("printed, not propagated")

        ids.append(self.portal.subscribe({"tenant_id": 1}, once))
        ticket = self.create_ticket(USER)
        self.move(ticket, "open")
        self.assertTrue(inbox.wait_for(1))
        barrier = Inbox()
        self.portal.subscribe({"tenant_id": 1}, barrier)
        self.move(ticket, "in_progress")
        self.assertTrue(barrier.wait_for(1))
        self.assertEqual(len(inbox.events), 1)

    def test_callbacks_are_released_when_the_portal_closes(self):
        self.portal.subscribe({"tenant_id": 1}, Inbox())
        self.portal.subscribe({"tenant_id": 2}, Inbox())
        self.assertEqual(len(selfservice.portal._subscribers), 2)
        self.portal.close()
        gc.collect()
        self.assertEqual(selfservice.portal._subscribers, {})
        with self.assertRaises(ValueError):
            self.portal.subscribe({"tenant_id": 1}, Inbox())


if __name__ == "__main__":
    unittest.main()
