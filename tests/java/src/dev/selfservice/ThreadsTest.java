package dev.selfservice;

import static dev.selfservice.Check.CUSTOMER_ADMIN;
import static dev.selfservice.Check.NEW_TICKET;
import static dev.selfservice.Check.QUIET;
import static dev.selfservice.Check.USER;
import static dev.selfservice.Check.equal;
import static dev.selfservice.Check.isTrue;
import static dev.selfservice.Check.test;
import static dev.selfservice.Check.with;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/** One Portal shared by several threads (java.threads). */
final class ThreadsTest {
  private ThreadsTest() {}

  private static final int THREADS = 8;
  private static final int CALLS = 200;

  /** Runs `work(thread index)` on THREADS threads at once and returns their results. */
  private static <T> List<T> onThreads(int threads, java.util.function.IntFunction<Callable<T>> work) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (int i = 0; i < threads; ++i) {
        futures.add(pool.submit(work.apply(i)));
      }
      List<T> results = new ArrayList<>();
      for (Future<T> future : futures) {
        results.add(future.get());
      }
      return results;
    } finally {
      pool.shutdown();
    }
  }

  public static void main(String[] args) {
    test("eight_threads_share_one_portal_and_each_gets_its_own_answers", () -> {
      try (Portal portal = new Portal(QUIET)) {
        onThreads(THREADS, worker -> () -> {
          Map<String, Object> who = with(USER, "user_id", 1000 + worker, "trace_id", "worker-" + worker);
          for (int n = 0; n < CALLS; ++n) {
            String question = "question " + worker + "-" + n;
            JsonObject answer = portal.invoke("sessions.start", who,
                                              Map.of("session_type", "search", "initial_question", question));
            JsonObject session = answer.getAsJsonObject("data");
            equal("worker-" + worker, answer.get("trace_id").getAsString(), "trace id");
            equal(question, session.get("initial_question").getAsString(), "question");
            equal(1000L + worker, session.get("user_id").getAsLong(), "user");
          }
          return null;
        });
        long total = portal.invoke("sessions.list", CUSTOMER_ADMIN, Map.of("page", 1, "size", 1))
                         .getAsJsonObject("pagination").get("total").getAsLong();
        equal((long) THREADS * CALLS, total, "sessions stored");
      }
    });

    test("events_arrive_from_the_library_thread_while_threads_invoke", () -> {
      try (Portal portal = new Portal(QUIET)) {
        Inbox inbox = new Inbox();
        portal.subscribe(Map.of("tenant_id", 1), inbox);
        List<List<Long>> created = onThreads(4, worker -> () -> {
          List<Long> tickets = new ArrayList<>();
          for (int n = 0; n < 25; ++n) {
            tickets.add(portal.invoke("tickets.create", USER, NEW_TICKET).getAsJsonObject("data").get("id").getAsLong());
          }
          return tickets;
        });
        Set<Long> expected = new HashSet<>();
        created.forEach(expected::addAll);
        isTrue(inbox.waitFor(expected.size()), "an event per ticket");
        Set<Long> seen = new HashSet<>();
        for (JsonObject event : inbox.events()) {
          seen.add(event.get("ticket_id").getAsLong());
        }
        equal(expected, seen, "tickets of the events");
      }
    });

    test("close_while_threads_invoke_answers_or_throws_IllegalStateException", () -> {
      Portal portal = new Portal(QUIET);
      AtomicBoolean closing = new AtomicBoolean();
      List<Future<Integer>> futures = new ArrayList<>();
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        for (int i = 0; i < 4; ++i) {
          futures.add(pool.submit(() -> {
            int refused = 0;
            while (refused == 0) {
              try {
                portal.invoke("sessions.list", USER, Map.of());
              } catch (IllegalStateException closed) {
                isTrue(closing.get(), "refused only once closing");
                ++refused;
              }
            }
            return refused;
          }));
        }
        portal.invoke("sessions.list", USER, Map.of());
        closing.set(true);
        portal.close();
        for (Future<Integer> future : futures) {
          equal(1, future.get(), "each thread ends on IllegalStateException");
        }
      } finally {
        pool.shutdown();
      }
    });
  }
}
