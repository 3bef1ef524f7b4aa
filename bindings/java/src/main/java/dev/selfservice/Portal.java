package dev.selfservice;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.ref.Reference;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * An open portal of libselfservice, over its C ABI (capi/selfservice.h) through JNA.
 *
 * <pre>{@code
 * try (Portal portal = new Portal(Map.of("storage", "sqlite:/var/lib/portal.db"))) {
 *   Map<String, Object> who = Map.of("tenant_id", 1, "customer_id", 10, "user_id", 100,
 *                                    "roles", List.of("customer_user"), "locale", "en-US");
 *   JsonObject answer = portal.invoke("sessions.start", who,
 *       Map.of("session_type", "ai_chat", "initial_question", "VPN keeps dropping"));
 *   String sessionId = answer.getAsJsonObject("data").get("session_id").getAsString();
 * }
 * }</pre>
 *
 * <p>Arguments that are JSON (options, contexts, requests, topics) are given as a Map or any
 * object Gson serialises, a Gson JsonElement, a String of JSON text, or null (which the library
 * answers with its own envelope, as it does malformed JSON). A call that does not answer code 200
 * throws {@link PortalException}; a call on a closed portal throws IllegalStateException.
 *
 * <p>Thread safety: every method may be called from many threads at once. {@link #close()}
 * waits for the calls running on other threads to return, and later calls throw
 * IllegalStateException. A portal must be closed: nothing closes it for you.
 */
public final class Portal implements AutoCloseable {
  /**
   * Calls hold the read side for their whole native call, close() the write side: the C ABI
   * forbids selfservice_portal_close() to race with a call on the same portal.
   */
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

  /** The native handle; null once closed. Written under the write lock. */
  private volatile Pointer handle;

  /** Opens a portal with all defaults: a private in-memory database. */
  public Portal() {
    this(null);
  }

  /**
   * Opens a portal; options as selfservice_portal_open() takes them, for example
   * {"storage": "sqlite:/var/lib/portal.db", "log_level": "warn"} (null: all defaults).
   *
   * @throws PortalException 10001 for bad options, 20004 when the storage cannot be opened
   */
  public Portal(Object options) {
    PointerByReference error = new PointerByReference();
    Pointer opened = CApi.LIB.selfservice_portal_open(Strings.encode(options), error);
    if (opened == null) {
      throw new PortalException(Strings.takeEnvelope(error.getValue()));
    }
    handle = opened;
  }

  /**
   * Calls one method (docs/API.md), for example "sessions.start".
   *
   * @param context who is calling: {"tenant_id", "customer_id", "user_id", "roles", "locale",
   *     "trace_id"?} or {"access_token", ...}
   * @return the success envelope: {"code": 200, "message", "data", "timestamp", "trace_id",
   *     "pagination"?}
   * @throws PortalException for any other code (10004 for an unknown method, 10001 for a
   *     malformed request, 10002 for a missing or malformed context...)
   * @throws IllegalStateException when the portal is closed
   */
  public JsonObject invoke(String method, Object context, Object request) {
    String contextJson = Strings.encode(context);
    String requestJson = Strings.encode(request);
    return Strings.takeSuccess(
        call("invoke", portal -> CApi.LIB.selfservice_invoke(portal, method, contextJson, requestJson)));
  }

  /**
   * Calls one method and reports the progress of a long one (knowledge.import) to `progress` on
   * this thread; see {@link Progress}. A null progress is {@link #invoke(String, Object, Object)}.
   * When `progress` throws, the work stops and this throws the same exception once the library
   * has answered (its answer is freed, not returned).
   */
  public JsonObject invoke(String method, Object context, Object request, Progress progress) {
    if (progress == null) {
      return invoke(method, context, request);
    }
    String contextJson = Strings.encode(context);
    String requestJson = Strings.encode(request);
    Throwable[] thrown = new Throwable[1];  // what `progress` threw: nothing may unwind into C
    CApi.ProgressFn report = (userData, done, total) -> {
      if (thrown[0] != null) {
        return 1;
      }
      try {
        return progress.report(done, total) ? 0 : 1;
      } catch (RuntimeException | Error failure) {
        thrown[0] = failure;
        return 1;
      }
    };
    Pointer answer;
    try {
      answer = call("invoke", portal -> CApi.LIB.selfservice_invoke_with_progress(
                                  portal, method, contextJson, requestJson, report, null));
    } finally {
      Reference.reachabilityFence(report);
    }
    if (thrown[0] != null) {
      Strings.take(answer);
      if (thrown[0] instanceof Error error) {
        throw error;
      }
      throw (RuntimeException) thrown[0];
    }
    return Strings.takeSuccess(answer);
  }

  /**
   * Subscribes to live ticket status: `listener` hears each ticket creation and status change
   * committed after this returns that matches `topic` ({"type": "ticket.status", "tenant_id",
   * "customer_id"?, "user_id"?, "ticket_id"?}; tenant_id is required). Events are decoded JSON
   * objects ({"type", "tenant_id", "customer_id", "user_id", "ticket_id", "external_id", "title",
   * "from", "to", "comment", "actor_id", "at"}).
   *
   * <p>The listener runs on a library thread, one event at a time for all the portal's
   * subscriptions, so it should hand the event over and return. It may call invoke, subscribe
   * and unsubscribe on this portal (even for its own subscription), never close(). An exception
   * it throws goes to the thread's uncaught exception handler and the next event still comes.
   * The portal holds the listener until the subscription ends (unsubscribe or close).
   *
   * @return the subscription's id (> 0)
   * @throws PortalException 10001 naming the field for a bad topic
   */
  public long subscribe(Object topic, Consumer<JsonObject> listener) {
    Objects.requireNonNull(listener, "listener");
    String topicJson = Strings.encode(topic);
    Pointer token = Subscriptions.register(this, listener);
    PointerByReference error = new PointerByReference();
    long id = 0;
    try {
      id = call("subscribe", portal -> CApi.LIB.selfservice_subscribe(
                                 portal, topicJson, Subscriptions.DELIVER, token, Subscriptions.RELEASE, error));
    } finally {
      if (id <= 0) {
        Subscriptions.forget(token);  // the library never calls destroy for a failed subscription
      }
    }
    if (id <= 0) {
      throw new PortalException(Strings.takeEnvelope(error.getValue()));
    }
    return id;
  }

  /**
   * Ends a subscription: once this returns its listener is not called again, and a call running
   * on the library thread has returned (unless this is called from that listener).
   *
   * @return false when `subscriptionId` is not a live subscription of this portal
   */
  public boolean unsubscribe(long subscriptionId) {
    return call("unsubscribe", portal -> CApi.LIB.selfservice_unsubscribe(portal, subscriptionId)) == 0;
  }

  /**
   * Appends one chunk of a resumable upload, as tickets.attachments.append does but with the bytes
   * as they are: `offset` must be the upload's committed offset (else 10006 OFFSET_MISMATCH with
   * the offset to resume from). The bytes are durable when this returns.
   *
   * @return the success envelope; its data is the upload ({"upload_id", "offset", "size", ...})
   */
  public JsonObject uploadChunk(Object context, String uploadId, long offset, byte[] data) {
    return uploadChunk(context, uploadId, offset, data, null);
  }

  /**
   * {@link #uploadChunk(Object, String, long, byte[])} checking the chunk's SHA-256 (64 hex
   * digits; null checks nothing): a chunk with another digest is discarded and answers 20003
   * CHECKSUM_MISMATCH.
   */
  public JsonObject uploadChunk(Object context, String uploadId, long offset, byte[] data, String chunkSha256) {
    Objects.requireNonNull(data, "data");
    String contextJson = Strings.encode(context);
    CApi.SizeT length = new CApi.SizeT(data.length);
    return Strings.takeSuccess(call("uploadChunk", portal -> chunkSha256 == null
        ? CApi.LIB.selfservice_upload_chunk(portal, contextJson, uploadId, offset, data, length)
        : CApi.LIB.selfservice_upload_chunk_checked(portal, contextJson, uploadId, offset, data, length,
                                                    chunkSha256)));
  }

  /**
   * Opens the file of a download method, "tickets.attachments.get" or "documents.download"
   * (libselfservice 0.6.0), to read its bytes as a stream, never the whole file in memory.
   * `request` is the method's ({"id": 42}) with an optional range: "offset" (a byte of the file,
   * default 0) and "length" (>= 1, cut at the file's end). The checks are those of invoke(); a
   * document counts as downloaded only when the range starts at 0.
   *
   * @return the open download, to close; its info() is the envelope's data
   * @throws PortalException 10001 on "method" for a method that is not a download, 10001
   *     OUT_OF_RANGE on "offset" past the file's end, 10001 for a bad offset or length, 10004 for
   *     an unknown method or a file the caller does not see
   * @throws IllegalStateException when the portal is closed
   */
  public Download openDownload(String method, Object context, Object request) {
    String contextJson = Strings.encode(context);
    String requestJson = Strings.encode(request);
    PointerByReference opened = new PointerByReference();
    Pointer answer = call("openDownload", portal -> CApi.LIB.selfservice_download_open(
                                              portal, method, contextJson, requestJson, opened));
    try {
      return new Download(opened.getValue(), Strings.takeSuccess(answer).getAsJsonObject("data"));
    } catch (RuntimeException | Error failure) {
      CApi.LIB.selfservice_download_close(opened.getValue());  // null after a failure envelope: a no-op
      throw failure;
    }
  }

  /**
   * Downloads a file, or the range the request asks for, as {@link #openDownload} opens it, to
   * `out` (not closed here). Bytes written before a failure stay written, so a caller may ask
   * again from the request's offset plus the bytes it got.
   *
   * @return the envelope's data, as {@link Download#info()}
   * @throws IOException when `out` fails
   */
  public JsonObject downloadTo(String method, Object context, Object request, OutputStream out) throws IOException {
    Objects.requireNonNull(out, "out");
    try (Download download = openDownload(method, context, request)) {
      download.transferTo(out);
      return download.info();
    }
  }

  /**
   * The state of the portal's parts for a health check (libselfservice 0.5.0): {"status": "up" |
   * "degraded" | "down", "components": {"database", "breakers", "outbox", "subscriptions"}}.
   * Counts only; never blocks on a remote system.
   */
  public JsonObject health() {
    return JsonParser.parseString(Strings.take(call("health", CApi.LIB::selfservice_health))).getAsJsonObject();
  }

  /** True once {@link #close()} has been called. */
  public boolean isClosed() {
    return handle == null;
  }

  /**
   * Closes the portal and releases everything it holds, the listeners of its subscriptions
   * included; closing twice is a no-op. Waits for calls running on other threads to return.
   *
   * @throws IllegalStateException when called from inside a call of this portal (a Progress or a
   *     subscription listener), where waiting for that call would never end
   */
  @Override
  public void close() {
    if (lock.getReadHoldCount() > 0 || Subscriptions.delivering(this)) {
      throw new IllegalStateException("close() from inside a call or a listener of the same Portal");
    }
    ReentrantReadWriteLock.WriteLock write = lock.writeLock();
    write.lock();
    try {
      Pointer closing = handle;
      handle = null;
      if (closing != null) {
        CApi.LIB.selfservice_portal_close(closing);
      }
    } finally {
      write.unlock();
    }
  }

  /**
   * Runs one native call on the open handle. A listener running on this portal's library thread
   * does not take the lock: close() waits for that listener inside selfservice_portal_close()
   * while holding the write side, so taking the read side there would deadlock, and the C ABI
   * lets a listener call the portal up to the moment its own call returns.
   */
  private <T> T call(String what, Function<Pointer, T> nativeCall) {
    if (Subscriptions.delivering(this)) {
      return nativeCall.apply(open(what));
    }
    ReentrantReadWriteLock.ReadLock read = lock.readLock();
    read.lock();
    try {
      return nativeCall.apply(open(what));
    } finally {
      read.unlock();
    }
  }

  private Pointer open(String what) {
    Pointer current = handle;
    if (current == null) {
      throw new IllegalStateException(what + " on a closed Portal");
    }
    return current;
  }
}
