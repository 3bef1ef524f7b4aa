package dev.selfservice;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** A subscription listener collecting events and the threads they arrived on. */
final class Inbox implements Consumer<JsonObject> {
  /** Only bounds a wait that should end at once, so that a lost event fails instead of hanging. */
  private static final long PATIENCE_SECONDS = 120;

  private final List<JsonObject> events = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();

  @Override
  public synchronized void accept(JsonObject event) {
    events.add(event);
    threads.add(Thread.currentThread());
    notifyAll();
  }

  /** Waits until `count` events have arrived; false if they never did. */
  synchronized boolean waitFor(int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PATIENCE_SECONDS);
    while (events.size() < count) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }

  synchronized List<JsonObject> events() {
    return new ArrayList<>(events);
  }

  synchronized List<Thread> threads() {
    return new ArrayList<>(threads);
  }
}
