package dev.selfservice;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The tests' tiny harness: each test is a named body run by {@link #test}; the first failure
 * prints its stack trace and ends the JVM with exit code 1, which fails the ctest. The tests live
 * in the binding's package to see its package-private parts (Subscriptions.size()).
 */
final class Check {
  /** A test body; it may throw anything. */
  interface Body {
    void run() throws Exception;
  }

  /** Who calls in most tests: a customer user of tenant 1, with a trace id to find in answers. */
  static final Map<String, Object> USER = Map.of("tenant_id", 1, "customer_id", 10, "user_id", 100,
                                                 "roles", List.of("customer_user"), "locale", "en-US",
                                                 "trace_id", "java-test");
  static final Map<String, Object> CUSTOMER_ADMIN = with(USER, "user_id", 101, "roles", List.of("customer_admin"));
  static final Map<String, Object> PLATFORM_ADMIN =
      with(USER, "customer_id", 1, "user_id", 900, "roles", List.of("platform_admin"));
  /** Options of a quiet private in-memory portal. */
  static final Map<String, Object> QUIET = Map.of("storage", "sqlite::memory:", "log_level", "off");
  static final Map<String, Object> NEW_TICKET = Map.of("title", "VPN down", "description", "since 9:00",
                                                       "category", "network", "priority", 2);

  private Check() {}

  /** `base` with some keys replaced or added: with(map, "k1", v1, "k2", v2...). */
  static Map<String, Object> with(Map<String, Object> base, Object... pairs) {
    Map<String, Object> copy = new HashMap<>(base);
    for (int i = 0; i + 1 < pairs.length; i += 2) {
      copy.put((String) pairs[i], pairs[i + 1]);
    }
    return copy;
  }

  static void test(String name, Body body) {
    try {
      body.run();
      System.out.println("ok   " + name);
    } catch (Throwable failure) {
      System.out.println("FAIL " + name);
      failure.printStackTrace(System.out);
      System.out.flush();
      Runtime.getRuntime().halt(1);
    }
  }

  static void equal(Object expected, Object actual, String what) {
    if (!Objects.equals(expected, actual)) {
      throw new AssertionError(what + ": expected <" + expected + "> but was <" + actual + ">");
    }
  }

  static void isTrue(boolean condition, String what) {
    if (!condition) {
      throw new AssertionError(what);
    }
  }

  /** Runs `body`, which must throw a `type`; returns what it threw. */
  static <T extends Throwable> T raises(Class<T> type, Body body) throws Exception {
    try {
      body.run();
    } catch (Throwable thrown) {
      if (type.isInstance(thrown)) {
        return type.cast(thrown);
      }
      throw new AssertionError("expected " + type.getSimpleName() + " but got " + thrown, thrown);
    }
    throw new AssertionError("expected " + type.getSimpleName() + " but nothing was thrown");
  }

  /** The code of the PortalException that `body` throws. */
  static int codeOf(Body body) throws Exception {
    return raises(PortalException.class, body).code();
  }
}
