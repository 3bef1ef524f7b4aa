/*
 * libselfservice C ABI.
 *
 * The stable binary interface of the customer self-service portal library, for C hosts and for
 * bindings (Python ctypes, Java JNA) that load libselfservice.so. Every call that does work goes
 * through selfservice_invoke(): a method name, a context (who is calling) and a request, all JSON,
 * and an answer that is always a JSON envelope (REQ-019 4.2/4.3):
 *
 *   success {"code": 200, "message", "data", "timestamp", "trace_id"[, "pagination"]}
 *   failure {"code", "message", "errors": [{"field", "message", "code"}], "timestamp",
 *            "trace_id", "help_url"}
 *
 * Conventions:
 *   - Every string passed in is UTF-8 and NUL-terminated; the library never keeps a pointer to it.
 *   - Every string the library returns is owned by the caller and freed with selfservice_free(),
 *     never with free() or another allocator.
 *   - No function throws, aborts or crashes on bad input; errors are envelopes.
 *   - Functions are only ever added; a signature never changes. selfservice_abi_version() changes
 *     only on an incompatible change.
 *
 * Thread safety: selfservice_invoke(), selfservice_invoke_with_progress(), selfservice_subscribe(),
 * selfservice_unsubscribe(), selfservice_upload_chunk() and selfservice_download_open() may be
 * called from many threads at once on one portal.
 * selfservice_portal_close() must not race with calls on the same portal. Subscription callbacks
 * run on a library thread (see selfservice_subscribe()).
 */
#ifndef SELFSERVICE_H
#define SELFSERVICE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define SELFSERVICE_API __declspec(dllexport)
#else
#define SELFSERVICE_API __attribute__((visibility("default")))
#endif

/** An open portal: a storage backend and the engines that serve method calls. Opaque. */
typedef struct selfservice_portal selfservice_portal;

/**
 * The library's version as "MAJOR.MINOR.PATCH".
 * @return a static string; do not free it.
 * @since 0.1.0
 */
SELFSERVICE_API const char *selfservice_version(void);

/**
 * The version of this binary interface; it changes only on an incompatible change.
 * @since 0.1.0
 */
SELFSERVICE_API int selfservice_abi_version(void);

/**
 * The methods selfservice_invoke() answers, for hosts and bindings that discover them (an HTTP
 * server routing by them, a binding generating one function per method): a JSON array of
 * {"name", "http_method", "route", "least_role", "feature", "rate_class", "binary"}, in the order
 * of the dispatch table. "route" is the REST path under /api/v1/customer-portal with {placeholders};
 * "least_role" is "anyone" (the sign-in methods), "customer_user", "customer_admin" or
 * "platform_admin"; "feature" is the enabled_features entry that gates the method ("" for none);
 * "binary" (since 0.6.0) is "download" for the methods selfservice_download_open() serves,
 * "upload" for the one selfservice_upload_chunk() feeds, and "" for the rest.
 * @return a string to free with selfservice_free(); NULL only when memory is exhausted.
 * @since 0.4.0
 */
SELFSERVICE_API char *selfservice_methods(void);

/**
 * The state of the portal's parts, for a host's health checks: {"status": "up" | "degraded" |
 * "down", "components": {"database": {"status", "error"?}, "breakers": {name: "closed" | "open" |
 * "half_open"}, "outbox": {"pending", "oldest_pending_age_seconds"?}, "subscriptions"}}
 * ("degraded": a breaker is not closed; "down": the database does not answer). Counts only:
 * nothing in it belongs to a tenant. Never blocks on a remote system.
 * @param portal an open portal; NULL answers the error envelope 10001.
 * @return a string to free with selfservice_free(); NULL only when memory is exhausted.
 * @since 0.5.0
 */
SELFSERVICE_API char *selfservice_health(selfservice_portal *portal);

/**
 * Opens a portal.
 *
 * @param options_json a JSON object, for example {"storage": "sqlite::memory:"} or
 *        {"storage": "sqlite:/var/lib/portal.db", "pool_size": 4,
 *         "session_idle_timeout_seconds": 1800, "log_level": "warn"}. NULL means all defaults
 *        (a private in-memory database). Unknown keys are ignored with a warning in the log.
 *        The optional "search" (an Elasticsearch backend) and "knowledge_source" (the platform's
 *        knowledge base) objects are described in docs/API.md; opening sends nothing to them.
 * @param error_json when not NULL, receives NULL on success, or on failure an error envelope
 *        (code 10001 for bad options, 20004 when the storage cannot be opened) that the caller
 *        frees with selfservice_free().
 * @return the portal, to be closed with selfservice_portal_close(); NULL on failure.
 * @since 0.1.0
 */
SELFSERVICE_API selfservice_portal *selfservice_portal_open(const char *options_json,
                                                            char **error_json);

/**
 * Closes a portal and releases everything it holds. NULL is a no-op.
 * @since 0.1.0
 */
SELFSERVICE_API void selfservice_portal_close(selfservice_portal *portal);

/**
 * Calls one method of the portal.
 *
 * @param portal an open portal; NULL answers 10001.
 * @param method a method name such as "sessions.start" (docs/API.md); NULL answers 10001 and an
 *        unknown name 10004.
 * @param context_json who is calling: {"tenant_id", "customer_id", "user_id" (integers),
 *        "roles": ["customer_user" | "customer_admin" | "platform_admin"],
 *        "locale": "zh-CN" | "en-US", "trace_id"}. NULL, malformed or incomplete answers 10002.
 * @param request_json the method's request, a JSON object; NULL or malformed answers 10001.
 * @return the envelope as JSON, never NULL unless memory is exhausted; free it with
 *         selfservice_free().
 * @since 0.1.0
 */
SELFSERVICE_API char *selfservice_invoke(selfservice_portal *portal, const char *method,
                                         const char *context_json, const char *request_json);

/**
 * Hears the progress of a long-running call of selfservice_invoke_with_progress().
 *
 * @param user_data the pointer given to selfservice_invoke_with_progress(), passed through as is.
 * @param done the work done so far, out of `total`, in the method's own units (knowledge.import:
 *        bytes of its file, or records of its array). It never goes back, and a call that runs to
 *        its end makes one last call with done == total.
 * @param total the whole work, fixed when the call starts.
 * @return 0 to go on; any other value stops the call at its next safe point (as in libcurl's
 *         and libgit2's progress callbacks). knowledge.import then stops after the transaction it
 *         has just committed, never half-way through one, and answers code 200 with what it
 *         stored so far and "cancelled": true. The value returned by the last call
 *         (done == total) has no effect.
 *
 * It is called on the thread that called selfservice_invoke_with_progress(), before that call
 * returns, and never afterwards; no lock of the portal is held while it runs, so it may call the
 * portal itself. It must not unwind (longjmp, or a C++ exception) through the library.
 * @since 0.2.0
 */
typedef int (*selfservice_progress_fn)(void *user_data, int64_t done, int64_t total);

/**
 * Calls one method of the portal, as selfservice_invoke() does, and reports the progress of a
 * long-running method to `progress`. Today only knowledge.import reports (after each transaction
 * of 500 articles, and at the end); every other method answers as through selfservice_invoke()
 * and never calls `progress`, nor does a call refused before its work starts (10001-10004).
 *
 * @param portal as for selfservice_invoke(); NULL answers 10001.
 * @param method as for selfservice_invoke(); NULL answers 10001 and an unknown name 10004.
 * @param context_json as for selfservice_invoke(); NULL, malformed or incomplete answers 10002.
 * @param request_json as for selfservice_invoke(); NULL or malformed answers 10001.
 * @param progress the callback, or NULL for none: then the call is exactly selfservice_invoke().
 * @param user_data passed to every call of `progress`; the library never reads it nor keeps it
 *        after returning, so it needs no destructor. May be NULL.
 * @return the envelope as JSON, never NULL unless memory is exhausted; free it with
 *         selfservice_free().
 * @since 0.2.0
 */
SELFSERVICE_API char *selfservice_invoke_with_progress(selfservice_portal *portal, const char *method,
                                                       const char *context_json,
                                                       const char *request_json,
                                                       selfservice_progress_fn progress,
                                                       void *user_data);

/**
 * Hears one live ticket status event of a subscription (selfservice_subscribe()).
 *
 * @param user_data the pointer given to selfservice_subscribe(), passed through as is.
 * @param event_json the event, UTF-8 JSON: {"type": "ticket.status", "tenant_id", "customer_id",
 *        "user_id", "ticket_id", "external_id", "title", "from", "to", "comment", "actor_id",
 *        "at"} ("from" is null for a ticket just created; "at" is ISO-8601 UTC). It is the
 *        library's and valid only during the call: copy it to keep it; never free it.
 *
 * It runs on a library thread (never the thread that subscribed), one call at a time for all the
 * portal's subscriptions, in the order of the changes, and never while a lock of the portal is
 * held: it may call selfservice_subscribe(), selfservice_unsubscribe() (even for its own
 * subscription) and selfservice_invoke(), but never selfservice_portal_close(). A slow callback
 * delays every subscription of the portal: hand the event to the host's own queue (a WebSocket
 * writer, say) and return. It must not unwind (longjmp, or a C++ exception) through the library.
 * @since 0.3.0
 */
typedef void (*selfservice_event_fn)(void *user_data, const char *event_json);

/**
 * Releases the user_data of a subscription; see selfservice_subscribe().
 * @since 0.3.0
 */
typedef void (*selfservice_destroy_fn)(void *user_data);

/**
 * Subscribes to live ticket status: `callback` hears every ticket creation and status change that
 * is committed after this call returns and matches `topic_json`.
 *
 * @param portal an open portal; NULL fails (10001).
 * @param topic_json {"type": "ticket.status", "tenant_id": 1, "customer_id": 10, "user_id": 100,
 *        "ticket_id": 5}: "tenant_id" is required (a subscription never sees another tenant's
 *        tickets), the other ids narrow it, "type" may be left out. Ids are positive integers;
 *        an unknown key, a bad value or NULL fails (10001 naming the field).
 * @param callback called with each matching event (selfservice_event_fn); NULL fails (10001).
 * @param user_data passed to every call of `callback` and to `destroy`. May be NULL.
 * @param destroy when not NULL, called exactly once with `user_data` once the subscription has
 *        made its last call: inside selfservice_unsubscribe() before it returns, or (when the
 *        subscription ends itself from its callback) on the library thread right after that
 *        callback returns, or inside selfservice_portal_close(). Never called when
 *        selfservice_subscribe() fails: `user_data` then stays the caller's.
 * @param error_json when not NULL, receives NULL on success, or on failure an error envelope
 *        that the caller frees with selfservice_free().
 * @return the subscription's id (> 0); 0 on failure.
 * @since 0.3.0
 */
SELFSERVICE_API int64_t selfservice_subscribe(selfservice_portal *portal, const char *topic_json,
                                              selfservice_event_fn callback, void *user_data,
                                              selfservice_destroy_fn destroy, char **error_json);

/**
 * Ends a subscription. When it returns, no call of the subscription's callback will start, and a
 * call running on another thread has returned (this function waits for it); when called from
 * the subscription's own callback it does not wait for itself, and no further call follows.
 * Its `destroy` has run before this returns, except in that last case (see
 * selfservice_subscribe()).
 *
 * @return 0 on success; -1 when `portal` is NULL or `subscription_id` is not a live subscription
 *         of it (never was, or already ended).
 * @since 0.3.0
 */
SELFSERVICE_API int selfservice_unsubscribe(selfservice_portal *portal, int64_t subscription_id);

/**
 * Appends one chunk of a resumable upload, as the method tickets.attachments.append does but with
 * the bytes as they are (no base64): the upload must be the caller's and still uploading, and
 * `offset` its committed offset (anything else answers 10006 with the offset to resume from, and
 * changes nothing). The answer is the envelope the method gives, its data the upload's status
 * ({"upload_id", "offset", "size", "status", ...}); the bytes are durable before it is given.
 *
 * @param portal an open portal; NULL answers 10001.
 * @param context_json who is calling, as for selfservice_invoke(); NULL or bad answers 10002.
 * @param upload_id the id tickets.attachments.begin answered; NULL or empty answers 10001.
 * @param offset where the chunk goes: the upload's committed offset.
 * @param data the chunk's bytes; read during the call only, never kept. May be NULL when `len` is 0.
 * @param len the number of bytes at `data` (at most 64 MiB per call).
 * @return the envelope as JSON, never NULL unless memory is exhausted; free it with
 *         selfservice_free().
 * @since 0.3.0
 */
SELFSERVICE_API char *selfservice_upload_chunk(selfservice_portal *portal, const char *context_json,
                                               const char *upload_id, int64_t offset, const void *data,
                                               size_t len);

/**
 * selfservice_upload_chunk() with the chunk's SHA-256: a chunk whose digest is not `chunk_sha256`
 * (64 hex digits) answers 20003 CHECKSUM_MISMATCH and is discarded (tus 460). NULL checks nothing,
 * as selfservice_upload_chunk() does.
 * @since 0.3.0
 */
SELFSERVICE_API char *selfservice_upload_chunk_checked(selfservice_portal *portal, const char *context_json,
                                                       const char *upload_id, int64_t offset,
                                                       const void *data, size_t len,
                                                       const char *chunk_sha256);

/** A file being read (selfservice_download_open()). Opaque. */
typedef struct selfservice_download selfservice_download;

/**
 * Opens the file of a download method (those with "binary": "download" in selfservice_methods():
 * tickets.attachments.get and documents.download) to read its bytes as they are: no base64, and
 * never the whole file in memory, so it suits files of any size (selfservice_invoke() answers
 * "data_base64" only for small ones). The call makes the checks selfservice_invoke() makes
 * (caller, role, feature, rate limit, and the file must be the caller's to see) and answers the
 * method's envelope: its data describes the file as the method does, without "data_base64", and
 * adds, whatever the method, "file": {"name", "content_type", "size", "sha256"} and "range":
 * {"offset", "length", "size"} (bytes); on success `*download` is set to read them.
 *
 * The request may ask for a range, to resume an interrupted download or to read a part:
 * "offset" (a byte of the file, default 0; past the last byte answers 10001 OUT_OF_RANGE) and
 * "length" (>= 1, cut at the file's end; default: to the end). A document counts as downloaded
 * (download_count, analytics) only when its range starts at 0.
 *
 * @param portal an open portal; NULL answers 10001.
 * @param method "tickets.attachments.get" or "documents.download"; NULL or another method
 *        answers 10001 on "method" (an unknown name 10004).
 * @param context_json as for selfservice_invoke(); NULL, malformed or incomplete answers 10002.
 * @param request_json the method's request ({"id": 42}), with the range; NULL or malformed answers 10001.
 * @param download receives the download to read with selfservice_download_read() and close with
 *        selfservice_download_close() when the answer is code 200, and NULL otherwise; a NULL
 *        `download` answers 10001 and opens nothing.
 * @return the envelope as JSON, never NULL unless memory is exhausted (then `*download` is NULL);
 *         free it with selfservice_free().
 * @since 0.6.0
 */
SELFSERVICE_API char *selfservice_download_open(selfservice_portal *portal, const char *method,
                                                const char *context_json, const char *request_json,
                                                selfservice_download **download);

/**
 * Reads the next bytes of a download's range, in order.
 *
 * @param download an open download; NULL fails (10001).
 * @param buf where the bytes go: at least `len` bytes. May be NULL only when `len` is 0.
 * @param len the most bytes to read; reads of 64 KiB to 1 MiB suit most hosts.
 * @param error_json when not NULL, receives NULL, or on failure the error envelope (10004 when the
 *        file was deleted while being read; 20003 READ_FAILED, retryable from the offset its
 *        message names, or FILE_CORRUPT when the bytes of a whole-file read do not match the
 *        SHA-256 recorded at upload: the read that would deliver the last byte fails instead)
 *        that the caller frees with selfservice_free().
 * @return the number of bytes read (> 0), 0 at the end of the range (or when `len` is 0), -1 on
 *         failure; after a failure every read fails the same way.
 * @since 0.6.0
 */
SELFSERVICE_API int64_t selfservice_download_read(selfservice_download *download, void *buf, size_t len,
                                                  char **error_json);

/**
 * Closes a download, read to its end or not. NULL is a no-op. A download does not need its
 * portal: it may be read and closed after selfservice_portal_close(). One download must not be
 * used from two threads at once; different downloads are independent.
 * @since 0.6.0
 */
SELFSERVICE_API void selfservice_download_close(selfservice_download *download);

/**
 * Frees a string returned by the library. NULL is a no-op.
 * @since 0.1.0
 */
SELFSERVICE_API void selfservice_free(void *p);

#ifdef __cplusplus
}
#endif

#endif /* SELFSERVICE_H */
