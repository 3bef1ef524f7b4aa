package dev.selfservice;

import static dev.selfservice.Check.NEW_TICKET;
import static dev.selfservice.Check.QUIET;
import static dev.selfservice.Check.USER;
import static dev.selfservice.Check.equal;
import static dev.selfservice.Check.isTrue;
import static dev.selfservice.Check.raises;
import static dev.selfservice.Check.test;

import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;

/** Portal.uploadChunk: a resumable upload sent as raw bytes (java.upload). */
final class UploadTest {
  private UploadTest() {}

  private static final byte[] HEAD = "%PDF-1.7\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TAIL = "hello from Java\n".getBytes(StandardCharsets.US_ASCII);

  private static String sha256(byte[]... parts) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    for (byte[] part : parts) {
      digest.update(part);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** A ticket and an upload of HEAD + TAIL begun on it; returns the upload id. */
  private static String begin(Portal portal) throws Exception {
    long ticket = portal.invoke("tickets.create", USER, NEW_TICKET).getAsJsonObject("data").get("id").getAsLong();
    JsonObject upload = portal.invoke("tickets.attachments.begin", USER,
        Map.of("ticket_id", ticket, "filename", "log.pdf", "size", HEAD.length + TAIL.length,
               "content_type", "application/pdf", "sha256", sha256(HEAD, TAIL))).getAsJsonObject("data");
    return upload.get("upload_id").getAsString();
  }

  public static void main(String[] args) {
    test("chunks_append_at_the_committed_offset_and_complete", () -> {
      try (Portal portal = new Portal(QUIET)) {
        String upload = begin(portal);
        JsonObject first = portal.uploadChunk(USER, upload, 0, HEAD).getAsJsonObject("data");
        equal((long) HEAD.length, first.get("offset").getAsLong(), "offset after the first chunk");
        JsonObject second = portal.uploadChunk(USER, upload, HEAD.length, TAIL, sha256(TAIL)).getAsJsonObject("data");
        equal((long) (HEAD.length + TAIL.length), second.get("offset").getAsLong(), "offset after the second chunk");
        JsonObject done = portal.invoke("tickets.attachments.complete", USER, Map.of("upload_id", upload))
                              .getAsJsonObject("data");
        isTrue(done.get("attachment").isJsonObject(), "attachment stored");
      }
    });

    test("a_chunk_at_another_offset_throws_10006_offset_mismatch", () -> {
      try (Portal portal = new Portal(QUIET)) {
        String upload = begin(portal);
        portal.uploadChunk(USER, upload, 0, HEAD);
        PortalException error = raises(PortalException.class, () -> portal.uploadChunk(USER, upload, 0, HEAD));
        equal(10006, error.code(), "code");
        equal("OFFSET_MISMATCH", error.errors().get(0).code(), "field error code");
      }
    });

    test("a_chunk_with_another_sha256_throws_20003_and_is_discarded", () -> {
      try (Portal portal = new Portal(QUIET)) {
        String upload = begin(portal);
        PortalException error = raises(PortalException.class,
                                       () -> portal.uploadChunk(USER, upload, 0, HEAD, sha256(TAIL)));
        equal(20003, error.code(), "code");
        equal("CHECKSUM_MISMATCH", error.errors().get(0).code(), "field error code");
        equal((long) HEAD.length, portal.uploadChunk(USER, upload, 0, HEAD).getAsJsonObject("data")
                                      .get("offset").getAsLong(), "the same offset accepts the right chunk");
      }
    });

    test("an_unknown_or_null_upload_id_is_refused", () -> {
      try (Portal portal = new Portal(QUIET)) {
        equal(10004, raises(PortalException.class, () -> portal.uploadChunk(USER, "no-such-upload", 0, HEAD)).code(),
              "unknown id");
        equal(10001, raises(PortalException.class, () -> portal.uploadChunk(USER, null, 0, HEAD)).code(), "null id");
      }
    });

    test("a_null_context_throws_10002_and_null_data_NullPointerException", () -> {
      try (Portal portal = new Portal(QUIET)) {
        String upload = begin(portal);
        equal(10002, raises(PortalException.class, () -> portal.uploadChunk(null, upload, 0, HEAD)).code(), "code");
        raises(NullPointerException.class, () -> portal.uploadChunk(USER, upload, 0, null));
      }
    });
  }
}
