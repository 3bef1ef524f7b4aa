/* selfservice_upload_chunk() and selfservice_upload_chunk_checked() from C: a resumable upload
 * sent as raw bytes, answering the envelopes tickets.attachments.append answers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "selfservice.h"

#include "envelope_text.h"

static const char kUser[] =
    "{\"tenant_id\":1,\"customer_id\":10,\"user_id\":100,\"roles\":[\"customer_user\"],\"locale\":\"en-US\"}";
static const char kOtherTenant[] =
    "{\"tenant_id\":2,\"customer_id\":20,\"user_id\":200,\"roles\":[\"customer_user\"],\"locale\":\"en-US\"}";

/* "%PDF-1.7\n" and "hello from C\n", and the SHA-256 of each and of both. */
static const char kHead[] = "%PDF-1.7\n";
static const char kTail[] = "hello from C\n";
static const char kHeadSha[] = "0716f9264c9fe19f5d7455276107f3ddcc1d3497f63d60689a73558ae8a1bf5e";
static const char kTailSha[] = "4e4150d532d0d9c64c48d93f4e3192392402cdd1c9c4c9184231276f4ca45d4c";
static const char kFileSha[] = "484441d1995f4674f792109d38512d1c119f5172ad2553efff8d23813a409062";

static int failures = 0;

/* Checks the envelope's code and frees it; returns 1 when it matched. */
static int ExpectAt(int line, char* envelope, long expected, const char* contains) {
  int ok = envelope != NULL && Code(envelope) == expected && (contains == NULL || strstr(envelope, contains));
  if (!ok) {
    fprintf(stderr, "%s:%d: expected %ld%s%s, got %s\n", __FILE__, line, expected, contains ? " with " : "",
            contains ? contains : "", envelope ? envelope : "(null)");
    ++failures;
  }
  selfservice_free(envelope);
  return ok;
}
#define Expect(envelope, code, contains) ExpectAt(__LINE__, envelope, code, contains)

int main(void) {
  char* error = NULL;
  char request[512];
  char upload_id[64];
  char* answer;
  long ticket;
  const size_t head = strlen(kHead);
  const size_t tail = strlen(kTail);
  selfservice_portal* portal = selfservice_portal_open("{\"storage\":\"sqlite::memory:\"}", &error);
  if (portal == NULL) {
    fprintf(stderr, "open failed: %s\n", error ? error : "(null)");
    return 1;
  }
  answer = selfservice_invoke(portal, "tickets.create", kUser,
                              "{\"title\":\"Printer\",\"description\":\"see log\",\"category\":\"hw\",\"priority\":2}");
  ticket = answer && strstr(answer, "\"id\":") ? strtol(strstr(answer, "\"id\":") + 5, NULL, 10) : 0;
  selfservice_free(answer);
  sprintf(request,
          "{\"ticket_id\":%ld,\"filename\":\"log.txt\",\"size\":%lu,\"content_type\":\"text/plain\",\"sha256\":\"%s\"}",
          ticket, (unsigned long)(head + tail), kFileSha);
  answer = selfservice_invoke(portal, "tickets.attachments.begin", kUser, request);
  if (Code(answer) != 200 || !StringAfter(answer, "upload_id", upload_id, sizeof upload_id)) {
    fprintf(stderr, "begin failed: %s\n", answer ? answer : "(null)");
    return 1;
  }
  selfservice_free(answer);

  /* upload_chunk_appends_at_the_committed_offset */
  Expect(selfservice_upload_chunk(portal, kUser, upload_id, 0, kHead, head), 200, "\"offset\":9");
  /* upload_chunk_at_another_offset_answers_10006 */
  Expect(selfservice_upload_chunk(portal, kUser, upload_id, 0, kHead, head), 10006, "OFFSET_MISMATCH");
  /* upload_chunk_checked_refuses_a_corrupt_chunk_with_20003 */
  Expect(selfservice_upload_chunk_checked(portal, kUser, upload_id, (int64_t)head, kTail, tail, kHeadSha), 20003,
         "CHECKSUM_MISMATCH");
  /* upload_chunk_of_another_tenant_answers_10004 */
  Expect(selfservice_upload_chunk(portal, kOtherTenant, upload_id, (int64_t)head, kTail, tail), 10004, NULL);
  /* upload_chunk_bad_arguments_answer_envelopes */
  Expect(selfservice_upload_chunk(NULL, kUser, upload_id, 0, kHead, head), 10001, NULL);
  Expect(selfservice_upload_chunk(portal, NULL, upload_id, 0, kHead, head), 10002, NULL);
  Expect(selfservice_upload_chunk(portal, kUser, NULL, 0, kHead, head), 10001, NULL);
  Expect(selfservice_upload_chunk(portal, kUser, upload_id, 0, NULL, 5), 10001, NULL);
  Expect(selfservice_upload_chunk(portal, kUser, upload_id, -1, kHead, head), 10001, NULL);
  /* upload_chunk_checked_with_the_right_digest_completes_the_file */
  Expect(selfservice_upload_chunk_checked(portal, kUser, upload_id, (int64_t)head, kTail, tail, kTailSha), 200,
         "\"offset\":22");
  sprintf(request, "{\"upload_id\":\"%s\"}", upload_id);
  Expect(selfservice_invoke(portal, "tickets.attachments.complete", kUser, request), 200, kFileSha);

  selfservice_portal_close(portal);
  if (failures == 0) printf("upload_chunk_test: all passed\n");
  return failures == 0 ? 0 : 1;
}
