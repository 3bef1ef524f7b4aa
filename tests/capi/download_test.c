/* selfservice_download_open(), selfservice_download_read() and selfservice_download_close() from C:
 * an attachment read back as raw bytes, whole and by range, and every argument a host can get wrong. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "selfservice.h"

#include "envelope_text.h"

static const char kUser[] =
    "{\"tenant_id\":1,\"customer_id\":10,\"user_id\":100,\"roles\":[\"customer_user\"],\"locale\":\"en-US\"}";
static const char kOtherTenant[] =
    "{\"tenant_id\":2,\"customer_id\":20,\"user_id\":200,\"roles\":[\"customer_user\"],\"locale\":\"en-US\"}";

/* The file: "%PDF-1.7\n" then "hello from C\n", and its SHA-256. */
static const char kFile[] = "%PDF-1.7\nhello from C\n";
static const char kFileSha[] = "484441d1995f4674f792109d38512d1c119f5172ad2553efff8d23813a409062";

static int failures = 0;

static void Check(int line, int ok, const char* what, const char* detail) {
  if (!ok) {
    fprintf(stderr, "%s:%d: %s%s%s\n", __FILE__, line, what, detail ? ": " : "", detail ? detail : "");
    ++failures;
  }
}
#define CHECK(condition, detail) Check(__LINE__, (condition), #condition, (detail))

/* Opens `request` of `method`, expects the envelope code (and text) and frees it; returns the download. */
static selfservice_download* OpenAt(int line, selfservice_portal* portal, const char* method, const char* context,
                                    const char* request, long code, const char* contains) {
  selfservice_download* download = (selfservice_download*)1; /* must be overwritten */
  char* answer = selfservice_download_open(portal, method, context, request, &download);
  int ok = answer != NULL && Code(answer) == code && (contains == NULL || strstr(answer, contains) != NULL) &&
           (code == 200) == (download != NULL);
  Check(line, ok, "download_open answered", answer);
  selfservice_free(answer);
  return download;
}
#define OPEN(portal, method, context, request, code, contains) \
  OpenAt(__LINE__, portal, method, context, request, code, contains)

/* Reads a download to its end in reads of `chunk` bytes, into `out` (NUL-terminated); -1 on a failure. */
static long ReadAll(selfservice_download* download, char* out, size_t size, size_t chunk) {
  long total = 0;
  for (;;) {
    char* error = NULL;
    int64_t read = selfservice_download_read(download, out + total, chunk, &error);
    if (read < 0) {
      fprintf(stderr, "read failed: %s\n", error ? error : "(null)");
      selfservice_free(error);
      return -1;
    }
    if (error != NULL) ++failures; /* no envelope without a failure */
    if (read == 0) break;
    total += (long)read;
    if ((size_t)total + chunk >= size) break;
  }
  out[total] = '\0';
  return total;
}

int main(void) {
  char* error = NULL;
  char request[512];
  char upload_id[64];
  char* answer;
  long ticket;
  long attachment;
  char bytes[256];
  selfservice_download* download;
  selfservice_portal* portal = selfservice_portal_open("{\"storage\":\"sqlite::memory:\",\"log_level\":\"off\"}", &error);
  if (portal == NULL) {
    fprintf(stderr, "open failed: %s\n", error ? error : "(null)");
    return 1;
  }
  answer = selfservice_invoke(portal, "tickets.create", kUser,
                              "{\"title\":\"Printer\",\"description\":\"see log\",\"category\":\"hw\",\"priority\":2}");
  ticket = IntegerAfter(answer, "id");
  selfservice_free(answer);
  sprintf(request,
          "{\"ticket_id\":%ld,\"filename\":\"log.pdf\",\"size\":%lu,\"content_type\":\"application/pdf\",\"sha256\":\"%s\"}",
          ticket, (unsigned long)strlen(kFile), kFileSha);
  answer = selfservice_invoke(portal, "tickets.attachments.begin", kUser, request);
  if (Code(answer) != 200 || !StringAfter(answer, "upload_id", upload_id, sizeof upload_id)) {
    fprintf(stderr, "begin failed: %s\n", answer ? answer : "(null)");
    return 1;
  }
  selfservice_free(answer);
  selfservice_free(selfservice_upload_chunk(portal, kUser, upload_id, 0, kFile, strlen(kFile)));
  sprintf(request, "{\"upload_id\":\"%s\"}", upload_id);
  answer = selfservice_invoke(portal, "tickets.attachments.complete", kUser, request);
  attachment = IntegerAfter(strstr(answer ? answer : "", "\"attachment\""), "id");
  selfservice_free(answer);
  if (attachment <= 0) {
    fprintf(stderr, "complete failed\n");
    return 1;
  }

  /* download_reads_the_whole_file_back */
  sprintf(request, "{\"id\":%ld}", attachment);
  download = OPEN(portal, "tickets.attachments.get", kUser, request, 200, kFileSha);
  if (download != NULL) {
    CHECK(ReadAll(download, bytes, sizeof bytes, 5) == (long)strlen(kFile), NULL);
    CHECK(strcmp(bytes, kFile) == 0, bytes);
    selfservice_download_close(download);
  }

  /* download_of_a_range_reads_just_those_bytes */
  sprintf(request, "{\"id\":%ld,\"offset\":9,\"length\":5}", attachment);
  download = OPEN(portal, "tickets.attachments.get", kUser, request, 200, "\"range\":{\"offset\":9,\"length\":5");
  if (download != NULL) {
    CHECK(ReadAll(download, bytes, sizeof bytes, 64) == 5, NULL);
    CHECK(strcmp(bytes, "hello") == 0, bytes);
    /* download_read_at_the_end_answers_0_and_no_envelope */
    error = (char*)1;
    CHECK(selfservice_download_read(download, bytes, sizeof bytes, &error) == 0 && error == NULL, NULL);
    /* download_read_of_zero_bytes_needs_no_buffer */
    CHECK(selfservice_download_read(download, NULL, 0, NULL) == 0, NULL);
    /* download_read_without_a_buffer_fails_with_10001 */
    CHECK(selfservice_download_read(download, NULL, 16, &error) == -1 && Code(error) == 10001, error);
    selfservice_free(error);
    selfservice_download_close(download);
  }

  /* download_outlives_its_portal */
  sprintf(request, "{\"id\":%ld}", attachment);
  download = OPEN(portal, "tickets.attachments.get", kUser, request, 200, NULL);

  /* download_bad_arguments_answer_envelopes_and_open_nothing */
  OPEN(NULL, "tickets.attachments.get", kUser, request, 10001, "portal");
  OPEN(portal, NULL, kUser, request, 10001, "method");
  OPEN(portal, "tickets.get", kUser, request, 10001, "VALUE_NOT_ALLOWED");
  OPEN(portal, "files.fetch", kUser, request, 10004, NULL);
  OPEN(portal, "tickets.attachments.get", NULL, request, 10002, NULL);
  OPEN(portal, "tickets.attachments.get", "{not json", request, 10002, NULL);
  OPEN(portal, "tickets.attachments.get", kUser, NULL, 10001, "request_json");
  OPEN(portal, "tickets.attachments.get", kUser, "[]", 10001, "request_json");
  OPEN(portal, "tickets.attachments.get", kOtherTenant, request, 10004, NULL);
  sprintf(request, "{\"id\":%ld,\"offset\":22}", attachment);
  OPEN(portal, "tickets.attachments.get", kUser, request, 10001, "OUT_OF_RANGE");
  sprintf(request, "{\"id\":%ld,\"offset\":-1,\"length\":\"all\"}", attachment);
  OPEN(portal, "tickets.attachments.get", kUser, request, 10001, "FIELD_INVALID");
  answer = selfservice_download_open(portal, "tickets.attachments.get", kUser, request, NULL);
  CHECK(Code(answer) == 10001 && strstr(answer, "download") != NULL, answer);
  selfservice_free(answer);
  /* download_read_of_null_fails_with_10001 */
  CHECK(selfservice_download_read(NULL, bytes, sizeof bytes, &error) == -1 && Code(error) == 10001, error);
  selfservice_free(error);
  CHECK(selfservice_download_read(NULL, bytes, sizeof bytes, NULL) == -1, NULL);
  selfservice_download_close(NULL);

  /* methods_name_the_binary_methods */
  answer = selfservice_methods();
  CHECK(answer != NULL && strstr(answer, "\"name\":\"tickets.attachments.get\"") != NULL, NULL);
  CHECK(answer != NULL && strstr(answer, "\"binary\":\"download\"") != NULL, NULL);
  CHECK(answer != NULL && strstr(answer, "\"binary\":\"upload\"") != NULL, NULL);
  selfservice_free(answer);

  selfservice_portal_close(portal);
  if (download != NULL) {
    CHECK(ReadAll(download, bytes, sizeof bytes, 7) == (long)strlen(kFile), NULL);
    CHECK(strcmp(bytes, kFile) == 0, bytes);
    selfservice_download_close(download);
  }
  if (failures == 0) printf("download_test: all passed\n");
  return failures == 0 ? 0 : 1;
}
