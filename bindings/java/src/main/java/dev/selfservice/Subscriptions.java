package dev.selfservice;

import com.google.gson.JsonObject;
import com.sun.jna.Pointer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The listeners of live subscriptions, by token. The token, not a Java reference, is the user_data
 * the library keeps and passes back; the two C callbacks below are static, so no JNA callback
 * object can be collected while the library may still call it. An entry goes when the library
 * calls destroy for its token: after the subscription's last event (unsubscribe, or close).
 */
final class Subscriptions {
  /** A listener and the portal it listens to. */
  private record Subscriber(Portal portal, Consumer<JsonObject> listener) {}

  private static final Map<Long, Subscriber> SUBSCRIBERS = new ConcurrentHashMap<>();
  private static final AtomicLong TOKENS = new AtomicLong();

  /** The portal whose event this thread is delivering, if any (see Portal#close). */
  private static final ThreadLocal<Portal> DELIVERING = new ThreadLocal<>();

  static final CApi.EventFn DELIVER = Subscriptions::deliver;
  static final CApi.DestroyFn RELEASE = userData -> SUBSCRIBERS.remove(Pointer.nativeValue(userData));

  private Subscriptions() {}

  /** Registers a listener; the returned token is the subscription's user_data. */
  static Pointer register(Portal portal, Consumer<JsonObject> listener) {
    long token = TOKENS.incrementAndGet();
    SUBSCRIBERS.put(token, new Subscriber(portal, listener));
    return new Pointer(token);
  }

  /** Forgets a token the library refused: it never calls destroy for a failed subscription. */
  static void forget(Pointer token) {
    SUBSCRIBERS.remove(Pointer.nativeValue(token));
  }

  /** True on the library thread of `portal` while it runs one of its listeners. */
  static boolean delivering(Portal portal) {
    return DELIVERING.get() == portal;
  }

  /** The listeners held, for tests that check they are released. */
  static int size() {
    return SUBSCRIBERS.size();
  }

  /**
   * Runs on the library thread. Nothing may unwind into the library, so a listener's exception is
   * printed and the next event still comes.
   */
  private static void deliver(Pointer userData, Pointer eventJson) {
    Subscriber subscriber = SUBSCRIBERS.get(Pointer.nativeValue(userData));
    if (subscriber == null || eventJson == null) {
      return;
    }
    DELIVERING.set(subscriber.portal());
    try {
      subscriber.listener().accept(Strings.parseObject(eventJson.getString(0, "UTF-8")));
    } catch (Throwable thrown) {
      Thread current = Thread.currentThread();
      current.getUncaughtExceptionHandler().uncaughtException(current, thrown);
    } finally {
      DELIVERING.remove();
    }
  }
}
