package dev.selfservice;

import static dev.selfservice.Check.CUSTOMER_ADMIN;
import static dev.selfservice.Check.QUIET;
import static dev.selfservice.Check.codeOf;
import static dev.selfservice.Check.equal;
import static dev.selfservice.Check.isTrue;
import static dev.selfservice.Check.raises;
import static dev.selfservice.Check.test;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Portal.invoke with a Progress: knowledge.import reporting, stopped and failing (java.progress). */
final class ProgressTest {
  private ProgressTest() {}

  /** 1001 articles: two transactions of 500 and one of 1. */
  private static final Map<String, Object> IMPORT = Map.of("articles", articles(1001));

  private static List<Map<String, Object>> articles(int count) {
    List<Map<String, Object>> articles = new ArrayList<>();
    for (int i = 0; i < count; ++i) {
      articles.add(Map.of("external_id", "kb-" + i, "title", "Article " + i, "body", "body", "lang", "en"));
    }
    return articles;
  }

  private static JsonObject data(JsonObject envelope) {
    return envelope.getAsJsonObject("data");
  }

  private static long articlesStored(Portal portal) {
    return portal.invoke("knowledge.list", CUSTOMER_ADMIN, Map.of("size", 1))
        .getAsJsonObject("pagination").get("total").getAsLong();
  }

  public static void main(String[] args) {
    test("progress_goes_up_to_the_total_on_the_calling_thread", () -> {
      try (Portal portal = new Portal(QUIET)) {
        List<long[]> seen = new ArrayList<>();
        Thread caller = Thread.currentThread();
        JsonObject imported = data(portal.invoke("knowledge.import", CUSTOMER_ADMIN, IMPORT, (done, total) -> {
          isTrue(Thread.currentThread() == caller, "progress on the calling thread");
          seen.add(new long[] {done, total});
          return true;
        }));
        equal(1001, imported.get("imported").getAsInt(), "imported");
        equal(false, imported.get("cancelled").getAsBoolean(), "cancelled");
        long[] last = seen.get(seen.size() - 1);
        equal(1001L, last[0], "last done");
        equal(1001L, last[1], "last total");
        for (int i = 1; i < seen.size(); ++i) {
          isTrue(seen.get(i)[0] >= seen.get(i - 1)[0], "done never goes back");
        }
      }
    });

    test("returning_false_stops_after_a_transaction", () -> {
      try (Portal portal = new Portal(QUIET)) {
        JsonObject imported = data(portal.invoke("knowledge.import", CUSTOMER_ADMIN, IMPORT, (done, total) -> false));
        equal(true, imported.get("cancelled").getAsBoolean(), "cancelled");
        equal(500, imported.get("imported").getAsInt(), "imported");
      }
    });

    test("an_exception_of_the_progress_stops_the_import_and_is_rethrown", () -> {
      try (Portal portal = new Portal(QUIET)) {
        IllegalArgumentException thrown = raises(IllegalArgumentException.class, () -> portal.invoke(
            "knowledge.import", CUSTOMER_ADMIN, IMPORT, (done, total) -> {
              throw new IllegalArgumentException("stop here");
            }));
        equal("stop here", thrown.getMessage(), "the progress's own exception");
        equal(500L, articlesStored(portal), "articles stored by the committed transaction");
      }
    });

    test("the_progress_may_call_the_portal", () -> {
      try (Portal portal = new Portal(QUIET)) {
        long[] storedDuringImport = {-1};
        portal.invoke("knowledge.import", CUSTOMER_ADMIN, IMPORT, (done, total) -> {
          if (storedDuringImport[0] < 0) {
            storedDuringImport[0] = articlesStored(portal);
          }
          return true;
        });
        equal(500L, storedDuringImport[0], "articles seen after the first transaction");
      }
    });

    test("close_from_the_progress_throws_IllegalStateException", () -> {
      Portal portal = new Portal(QUIET);
      try {
        Progress closeIt = (done, total) -> {
          portal.close();
          return true;
        };
        raises(IllegalStateException.class, () -> portal.invoke("knowledge.import", CUSTOMER_ADMIN, IMPORT, closeIt));
        isTrue(!portal.isClosed(), "still open");
      } finally {
        portal.close();
      }
    });

    test("a_refused_call_throws_its_envelope_without_progress", () -> {
      try (Portal portal = new Portal(QUIET)) {
        List<Long> seen = new ArrayList<>();
        equal(10001, codeOf(() -> portal.invoke("knowledge.import", CUSTOMER_ADMIN, Map.of(), (done, total) -> {
          seen.add(done);
          return true;
        })), "code");
        equal(List.of(), seen, "progress calls");
      }
    });

    test("null_progress_is_a_plain_invoke", () -> {
      try (Portal portal = new Portal(QUIET)) {
        equal(1001, data(portal.invoke("knowledge.import", CUSTOMER_ADMIN, IMPORT, null)).get("imported").getAsInt(),
              "imported");
      }
    });
  }
}
