package dev.selfservice;

import static dev.selfservice.Check.NEW_TICKET;
import static dev.selfservice.Check.PLATFORM_ADMIN;
import static dev.selfservice.Check.QUIET;
import static dev.selfservice.Check.USER;
import static dev.selfservice.Check.equal;
import static dev.selfservice.Check.isTrue;
import static dev.selfservice.Check.raises;
import static dev.selfservice.Check.test;
import static dev.selfservice.Check.with;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Portal.subscribe and unsubscribe: live ticket status on a library thread (java.subscriptions). */
final class SubscriptionsTest {
  private SubscriptionsTest() {}

  private static long createTicket(Portal portal, Map<String, Object> who) {
    return portal.invoke("tickets.create", who, NEW_TICKET).getAsJsonObject("data").get("id").getAsLong();
  }

  private static void move(Portal portal, long ticket, String to) {
    portal.invoke("tickets.transition", PLATFORM_ADMIN, Map.of("id", ticket, "to", to));
  }

  public static void main(String[] args) {
    test("events_of_the_topic_arrive_on_a_library_thread", () -> {
      try (Portal portal = new Portal(QUIET)) {
        Inbox inbox = new Inbox();
        long subscription = portal.subscribe(Map.of("type", "ticket.status", "tenant_id", 1, "customer_id", 10), inbox);
        isTrue(subscription > 0, "subscription id");
        createTicket(portal, with(USER, "customer_id", 11, "user_id", 110));
        long ticket = createTicket(portal, USER);
        move(portal, ticket, "open");
        isTrue(inbox.waitFor(2), "two events");
        JsonObject created = inbox.events().get(0);
        JsonObject opened = inbox.events().get(1);
        equal(ticket, created.get("ticket_id").getAsLong(), "ticket of the first event");
        isTrue(created.get("from").isJsonNull(), "a new ticket comes from null");
        equal("new", created.get("to").getAsString(), "created to");
        equal("open", opened.get("to").getAsString(), "opened to");
        equal(900L, opened.get("actor_id").getAsLong(), "actor");
        isTrue(opened.get("at").getAsString().endsWith("Z"), "UTC time");
        isTrue(!inbox.threads().contains(Thread.currentThread()), "not on the subscribing thread");
        isTrue(portal.unsubscribe(subscription), "unsubscribed");
      }
    });

    test("no_event_after_unsubscribe", () -> {
      try (Portal portal = new Portal(QUIET)) {
        Inbox inbox = new Inbox();
        long subscription = portal.subscribe(Map.of("tenant_id", 1), inbox);
        long ticket = createTicket(portal, USER);
        isTrue(inbox.waitFor(1), "the creation");
        isTrue(portal.unsubscribe(subscription), "first unsubscribe");
        isTrue(!portal.unsubscribe(subscription), "second unsubscribe");
        equal(0, Subscriptions.size(), "listeners held");
        move(portal, ticket, "open");
        Inbox barrier = new Inbox();
        portal.subscribe(Map.of("tenant_id", 1), barrier);
        move(portal, ticket, "in_progress");
        isTrue(barrier.waitFor(1), "the later change reached a later subscription");
        equal(1, inbox.events().size(), "events after unsubscribe");
      }
    });

    test("a_bad_topic_throws_10001_naming_the_field", () -> {
      try (Portal portal = new Portal(QUIET)) {
        PortalException error = raises(PortalException.class,
                                       () -> portal.subscribe(Map.of("customer_id", 10), new Inbox()));
        equal(10001, error.code(), "code");
        equal("tenant_id", error.errors().get(0).field(), "field");
        equal(10001, raises(PortalException.class, () -> portal.subscribe(null, new Inbox())).code(), "null topic");
        equal(10001, raises(PortalException.class, () -> portal.subscribe("{oops", new Inbox())).code(),
              "malformed topic");
        raises(NullPointerException.class, () -> portal.subscribe(Map.of("tenant_id", 1), null));
        equal(0, Subscriptions.size(), "listeners held");
      }
    });

    test("unsubscribing_an_unknown_id_returns_false", () -> {
      try (Portal portal = new Portal(QUIET)) {
        isTrue(!portal.unsubscribe(12345), "unknown id");
        isTrue(!portal.unsubscribe(-1), "negative id");
      }
    });

    test("a_listener_may_unsubscribe_itself_and_throw", () -> {
      try (Portal portal = new Portal(QUIET)) {
        Inbox inbox = new Inbox();
        long[] id = new long[1];
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        List<Throwable> reported = new ArrayList<>();
        Thread.setDefaultUncaughtExceptionHandler((thread, thrown) -> {
          synchronized (reported) {
            reported.add(thrown);
          }
        });
        try {
          id[0] = portal.subscribe(Map.of("tenant_id", 1), event -> {
            inbox.accept(event);
            portal.unsubscribe(id[0]);
            throw new IllegalStateException("reported, not propagated");
          });
          long ticket = createTicket(portal, USER);
          move(portal, ticket, "open");
          isTrue(inbox.waitFor(1), "first event");
          Inbox barrier = new Inbox();
          portal.subscribe(Map.of("tenant_id", 1), barrier);
          move(portal, ticket, "in_progress");
          isTrue(barrier.waitFor(1), "barrier event");
          equal(1, inbox.events().size(), "events of the ended subscription");
          synchronized (reported) {
            equal(1, reported.size(), "exceptions reported");
          }
        } finally {
          Thread.setDefaultUncaughtExceptionHandler(previous);
        }
      }
    });

    test("a_listener_may_call_invoke", () -> {
      try (Portal portal = new Portal(QUIET)) {
        Inbox titles = new Inbox();
        portal.subscribe(Map.of("tenant_id", 1), event -> titles.accept(portal.invoke(
            "tickets.get", USER, Map.of("id", event.get("ticket_id").getAsLong())).getAsJsonObject("data")));
        createTicket(portal, USER);
        isTrue(titles.waitFor(1), "ticket read from the listener");
        equal("VPN down", titles.events().get(0).get("title").getAsString(), "title");
      }
    });

    test("close_from_a_listener_throws_IllegalStateException", () -> {
      Portal portal = new Portal(QUIET);
      try {
        Inbox refused = new Inbox();
        portal.subscribe(Map.of("tenant_id", 1), event -> {
          try {
            portal.close();
          } catch (IllegalStateException expected) {
            refused.accept(event);
          }
        });
        createTicket(portal, USER);
        isTrue(refused.waitFor(1), "close refused");
        isTrue(!portal.isClosed(), "still open");
      } finally {
        portal.close();
      }
    });

    test("listeners_are_released_when_the_portal_closes", () -> {
      Portal portal = new Portal(QUIET);
      portal.subscribe(Map.of("tenant_id", 1), new Inbox());
      portal.subscribe(Map.of("tenant_id", 2), new Inbox());
      equal(2, Subscriptions.size(), "listeners held while open");
      portal.close();
      equal(0, Subscriptions.size(), "listeners held after close");
    });
  }
}
