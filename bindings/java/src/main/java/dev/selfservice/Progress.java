package dev.selfservice;

/**
 * Hears the progress of a long method (knowledge.import) called through
 * {@link Portal#invoke(String, Object, Object, Progress)}.
 *
 * <p>It runs on the thread that called invoke, before invoke returns. {@code done} never goes
 * back and a call that runs to its end reports {@code done == total} last. Returning false stops
 * the work at its next safe point (knowledge.import: after the transaction it has just committed,
 * answering "cancelled": true). An exception thrown here stops the work too, and invoke throws it
 * once the library has returned.
 */
@FunctionalInterface
public interface Progress {
  /** Returns true to go on, false to stop. */
  boolean report(long done, long total);
}
