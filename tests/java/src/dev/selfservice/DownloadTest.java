package dev.selfservice;

import static dev.selfservice.Check.CUSTOMER_ADMIN;
import static dev.selfservice.Check.NEW_TICKET;
import static dev.selfservice.Check.QUIET;
import static dev.selfservice.Check.USER;
import static dev.selfservice.Check.codeOf;
import static dev.selfservice.Check.equal;
import static dev.selfservice.Check.isTrue;
import static dev.selfservice.Check.raises;
import static dev.selfservice.Check.test;
import static dev.selfservice.Check.with;

import com.google.gson.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Portal.openDownload and Portal.downloadTo: files read as raw bytes (java.download). */
final class DownloadTest {
  private DownloadTest() {}

  private static final String ATTACHMENT = "tickets.attachments.get";
  private static final String DOCUMENT = "documents.download";
  private static final Map<String, Object> OTHER_CUSTOMER = with(USER, "customer_id", 11, "user_id", 110);
  /** About 150 KB of text, no two lines alike: more than one native read, and a misplaced byte shows. */
  private static final byte[] BODY = body();

  private static byte[] body() {
    StringBuilder text = new StringBuilder();
    for (int n = 0; n < 3000; ++n) {
      text.append(String.format("line %05d: ping 10.0.%d.%d timed out after 3000 ms%n", n, n % 256, n / 256));
    }
    return text.toString().getBytes(StandardCharsets.US_ASCII);
  }

  private static String sha256(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }

  /** A new ticket of USER with BODY attached through a resumable upload; the attachment's id. */
  private static long attach(Portal portal) throws Exception {
    long ticket = portal.invoke("tickets.create", USER, NEW_TICKET).getAsJsonObject("data").get("id").getAsLong();
    String upload = portal.invoke("tickets.attachments.begin", USER,
        Map.of("ticket_id", ticket, "filename", "ping.txt", "size", BODY.length, "content_type", "text/plain",
               "sha256", sha256(BODY))).getAsJsonObject("data").get("upload_id").getAsString();
    portal.uploadChunk(USER, upload, 0, BODY);
    return portal.invoke("tickets.attachments.complete", USER, Map.of("upload_id", upload))
        .getAsJsonObject("data").getAsJsonObject("attachment").get("id").getAsLong();
  }

  /** A document of customer 10 with BODY as its file; its id. */
  private static long publish(Portal portal) {
    return portal.invoke("documents.publish", CUSTOMER_ADMIN,
        Map.of("title", "VPN guide", "filename", "vpn-guide.txt", "content_type", "text/plain",
               "data_base64", Base64.getEncoder().encodeToString(BODY))).getAsJsonObject("data").get("id").getAsLong();
  }

  private static Map<String, Object> range(long id, Object... pairs) {
    return with(Map.<String, Object>of("id", id), pairs);
  }

  private static long downloadCount(Portal portal, long document) {
    return portal.invoke("documents.get", USER, Map.of("id", document)).getAsJsonObject("data")
        .get("download_count").getAsLong();
  }

  /** The field and code of the first field error of the 10001 that `body` throws. */
  private static String invalid(Check.Body body) throws Exception {
    PortalException error = raises(PortalException.class, body);
    equal(10001, error.code(), "code");
    return error.errors().get(0).field() + " " + error.errors().get(0).code();
  }

  public static void main(String[] args) {
    test("the_whole_attachment_reads_back_as_the_uploaded_bytes", () -> {
      try (Portal portal = new Portal(QUIET); Download download = portal.openDownload(ATTACHMENT, USER,
                                                                                      Map.of("id", attach(portal)))) {
        isTrue(Arrays.equals(BODY, download.readAllBytes()), "bytes");
        equal(-1, download.read(), "end of the range");
      }
    });

    test("the_download_describes_the_file_and_its_range", () -> {
      try (Portal portal = new Portal(QUIET)) {
        long id = attach(portal);
        try (Download download = portal.openDownload(ATTACHMENT, USER, Map.of("id", id))) {
          equal(List.of((long) BODY.length, 0L, (long) BODY.length),
                List.of(download.size(), download.offset(), download.length()), "size, offset, length");
          JsonObject file = download.info().getAsJsonObject("file");
          equal("ping.txt", file.get("name").getAsString(), "name");
          equal("text/plain", file.get("content_type").getAsString(), "content type");
          equal(sha256(BODY), file.get("sha256").getAsString(), "sha256");
          equal(id, download.info().get("id").getAsLong(), "the attachment's own description");
          isTrue(!download.info().has("data_base64"), "no base64");
        }
      }
    });

    test("offset_and_length_read_only_that_range", () -> {
      try (Portal portal = new Portal(QUIET);
           Download download = portal.openDownload(ATTACHMENT, USER, range(attach(portal), "offset", 1000, "length", 5000))) {
        equal(List.of(1000L, 5000L), List.of(download.offset(), download.length()), "offset, length");
        isTrue(Arrays.equals(Arrays.copyOfRange(BODY, 1000, 6000), download.readAllBytes()), "bytes of the range");
      }
    });

    test("a_partial_read_resumes_from_offset_plus_position", () -> {
      try (Portal portal = new Portal(QUIET)) {
        long id = attach(portal);
        byte[] head;
        long resume;
        try (Download first = portal.openDownload(ATTACHMENT, USER, Map.of("id", id))) {
          head = first.readNBytes(777);
          resume = first.offset() + first.position();
        }
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        whole.write(head);
        try (Download rest = portal.openDownload(ATTACHMENT, USER, range(id, "offset", resume))) {
          rest.transferTo(whole);
        }
        isTrue(Arrays.equals(BODY, whole.toByteArray()), "head + rest");
      }
    });

    test("read_of_one_byte_returns_each_byte_then_minus_one", () -> {
      try (Portal portal = new Portal(QUIET);
           Download download = portal.openDownload(ATTACHMENT, USER, range(attach(portal), "offset", 5, "length", 2))) {
        equal(List.of(BODY[5] & 0xff, BODY[6] & 0xff, -1), List.of(download.read(), download.read(), download.read()),
              "bytes then the end");
      }
    });

    test("read_with_bad_bounds_throws_IndexOutOfBoundsException", () -> {
      try (Portal portal = new Portal(QUIET);
           Download download = portal.openDownload(ATTACHMENT, USER, Map.of("id", attach(portal)))) {
        raises(IndexOutOfBoundsException.class, () -> download.read(new byte[4], 2, 3));
        raises(IndexOutOfBoundsException.class, () -> download.read(new byte[4], -1, 1));
        equal(0L, download.position(), "nothing read");
      }
    });

    test("transferTo_copies_the_bytes_to_an_OutputStream", () -> {
      try (Portal portal = new Portal(QUIET);
           Download download = portal.openDownload(ATTACHMENT, USER, Map.of("id", attach(portal)))) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        equal((long) BODY.length, download.transferTo(out), "bytes copied");
        isTrue(Arrays.equals(BODY, out.toByteArray()), "bytes");
      }
    });

    test("downloadTo_writes_the_bytes_and_returns_the_info", () -> {
      try (Portal portal = new Portal(QUIET)) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JsonObject info = portal.downloadTo(ATTACHMENT, USER, Map.of("id", attach(portal)), out);
        isTrue(Arrays.equals(BODY, out.toByteArray()), "bytes");
        equal((long) BODY.length, info.getAsJsonObject("range").get("length").getAsLong(), "range length");
        raises(NullPointerException.class, () -> portal.downloadTo(ATTACHMENT, USER, Map.of("id", 1), null));
      }
    });

    test("a_download_stays_readable_after_its_portal_is_closed", () -> {
      Download download;
      try (Portal portal = new Portal(QUIET)) {
        download = portal.openDownload(ATTACHMENT, USER, Map.of("id", attach(portal)));
      }
      try (download) {
        isTrue(Arrays.equals(BODY, download.readAllBytes()), "bytes after close");
      }
    });

    test("reads_after_close_throw_IOException_and_closing_twice_is_a_no_op", () -> {
      try (Portal portal = new Portal(QUIET)) {
        Download download = portal.openDownload(ATTACHMENT, USER, Map.of("id", attach(portal)));
        download.read();
        download.close();
        download.close();
        raises(IOException.class, download::read);
        raises(IOException.class, () -> download.read(new byte[8], 0, 8));
        raises(IOException.class, () -> download.transferTo(new ByteArrayOutputStream()));
      }
    });

    test("a_file_cut_short_while_read_throws_20003_on_every_read", () -> {
      Path directory = Files.createTempDirectory("selfservice-download");
      try (Portal portal = new Portal(Map.of("storage", "sqlite:" + directory.resolve("portal.db"), "log_level", "off"));
           Download download = portal.openDownload(ATTACHMENT, USER, Map.of("id", attach(portal)))) {
        try (Stream<Path> files = Files.walk(directory)) {
          for (Path file : files.filter(Files::isRegularFile).collect(Collectors.toList())) {
            if (Arrays.equals(BODY, Files.readAllBytes(file))) {
              try (RandomAccessFile blob = new RandomAccessFile(file.toFile(), "rw")) {
                blob.setLength(100);
              }
            }
          }
        }
        equal(20003, codeOf(download::readAllBytes), "first read");
        equal(20003, codeOf(download::read), "the next read fails the same way");
      } finally {
        try (Stream<Path> files = Files.walk(directory)) {
          files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
      }
    });

    test("a_method_that_is_not_a_download_throws_10001_on_method", () -> {
      try (Portal portal = new Portal(QUIET)) {
        equal("method VALUE_NOT_ALLOWED", invalid(() -> portal.openDownload("tickets.attachments.list", USER, Map.of())),
              "field error");
        equal("method FIELD_REQUIRED", invalid(() -> portal.openDownload(null, USER, Map.of("id", 1))), "null method");
      }
    });

    test("an_unknown_method_throws_10004", () -> {
      try (Portal portal = new Portal(QUIET)) {
        equal(10004, codeOf(() -> portal.openDownload("tickets.attachments.fetch", USER, Map.of("id", 1))), "code");
      }
    });

    test("a_bad_offset_or_length_throws_10001_naming_it", () -> {
      try (Portal portal = new Portal(QUIET)) {
        long id = attach(portal);
        equal("offset OUT_OF_RANGE", invalid(() -> portal.openDownload(ATTACHMENT, USER, range(id, "offset", BODY.length))),
              "offset past the end");
        equal("offset OUT_OF_RANGE", invalid(() -> portal.openDownload(ATTACHMENT, USER, range(id, "offset", -1))),
              "negative offset");
        equal("length OUT_OF_RANGE", invalid(() -> portal.openDownload(ATTACHMENT, USER, range(id, "length", 0))),
              "zero length");
        equal("offset FIELD_INVALID", invalid(() -> portal.openDownload(ATTACHMENT, USER, range(id, "offset", "10"))),
              "offset as a string");
        equal("length FIELD_INVALID", invalid(() -> portal.openDownload(ATTACHMENT, USER, range(id, "length", 1.5))),
              "fractional length");
      }
    });

    test("another_customers_attachment_or_an_unknown_one_throws_10004", () -> {
      try (Portal portal = new Portal(QUIET)) {
        long id = attach(portal);
        equal(10004, codeOf(() -> portal.openDownload(ATTACHMENT, OTHER_CUSTOMER, Map.of("id", id))), "other customer");
        equal(10004, codeOf(() -> portal.openDownload(ATTACHMENT, USER, Map.of("id", id + 1000))), "unknown id");
      }
    });

    test("a_null_context_throws_10002", () -> {
      try (Portal portal = new Portal(QUIET)) {
        equal(10002, codeOf(() -> portal.openDownload(ATTACHMENT, null, Map.of("id", 1))), "code");
      }
    });

    test("a_closed_portal_throws_IllegalStateException", () -> {
      Portal portal = new Portal(QUIET);
      long id = attach(portal);
      portal.close();
      raises(IllegalStateException.class, () -> portal.openDownload(ATTACHMENT, USER, Map.of("id", id)));
      raises(IllegalStateException.class,
             () -> portal.downloadTo(ATTACHMENT, USER, Map.of("id", id), new ByteArrayOutputStream()));
    });

    test("a_document_counts_once_from_offset_0_and_not_for_a_resumed_range", () -> {
      try (Portal portal = new Portal(QUIET)) {
        long document = publish(portal);
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        portal.downloadTo(DOCUMENT, USER, Map.of("id", document), whole);
        isTrue(Arrays.equals(BODY, whole.toByteArray()), "bytes");
        equal(1L, downloadCount(portal, document), "counted from offset 0");
        portal.downloadTo(DOCUMENT, USER, range(document, "offset", 10), new ByteArrayOutputStream());
        equal(1L, downloadCount(portal, document), "not counted for a range");
      }
    });

    test("methods_mark_the_download_methods_binary_download", () -> {
      Set<String> downloads = SelfService.methods().stream().filter(method -> method.binary().equals("download"))
                                  .map(MethodInfo::name).collect(Collectors.toSet());
      equal(Set.of(ATTACHMENT, DOCUMENT), downloads, "download methods");
    });

    test("two_threads_download_at_once_from_one_portal", () -> {
      try (Portal portal = new Portal(QUIET)) {
        long attachment = attach(portal);
        long document = publish(portal);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
          List<Future<Integer>> futures = new ArrayList<>();
          for (int worker = 0; worker < 2; ++worker) {
            String method = worker == 0 ? ATTACHMENT : DOCUMENT;
            long id = worker == 0 ? attachment : document;
            futures.add(pool.submit(() -> {
              for (int n = 0; n < 20; ++n) {
                int offset = n * 1009;
                try (Download download = portal.openDownload(method, USER, range(id, "offset", offset))) {
                  isTrue(Arrays.equals(Arrays.copyOfRange(BODY, offset, BODY.length), download.readAllBytes()),
                         method + " from " + offset);
                }
              }
              return 20;
            }));
          }
          for (Future<Integer> future : futures) {
            equal(20, future.get(), "downloads of a thread");
          }
        } finally {
          pool.shutdown();
        }
      }
    });
  }
}
