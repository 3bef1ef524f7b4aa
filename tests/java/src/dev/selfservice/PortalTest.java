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
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** SelfService and Portal: opening, closing, invoke with good and bad input (java.portal). */
final class PortalTest {
  private PortalTest() {}

  private static JsonObject data(JsonObject envelope) {
    return envelope.getAsJsonObject("data");
  }

  public static void main(String[] args) {
    test("version_is_major_minor_patch", () -> {
      String[] parts = SelfService.version().split("\\.");
      equal(3, parts.length, "parts of " + SelfService.version());
      for (String part : parts) {
        isTrue(part.chars().allMatch(Character::isDigit), "numeric part " + part);
      }
    });

    test("abi_version_is_positive", () -> isTrue(SelfService.abiVersion() >= 1, "abi version"));

    test("methods_describe_their_route_role_and_feature", () -> {
      Map<String, MethodInfo> table =
          SelfService.methods().stream().collect(Collectors.toMap(MethodInfo::name, method -> method));
      equal("anyone", table.get("auth.login").leastRole(), "auth.login role");
      equal("/api/v1/customer-portal/tickets", table.get("tickets.create").route(), "tickets.create route");
      equal("POST", table.get("tickets.create").httpMethod(), "tickets.create http method");
      equal("tickets", table.get("tickets.create").feature(), "tickets.create feature");
      equal("customer_admin", table.get("users.list").leastRole(), "users.list role");
    });

    test("default_options_open_a_memory_portal", () -> {
      try (Portal portal = new Portal()) {
        equal(0, portal.invoke("sessions.list", USER, Map.of()).getAsJsonObject("pagination").get("total").getAsInt(),
              "sessions in a new portal");
      }
    });

    test("health_reports_the_database_up_and_the_ai_breaker_closed", () -> {
      try (Portal portal = new Portal(QUIET)) {
        JsonObject health = portal.health();
        equal("up", health.get("status").getAsString(), "status");
        JsonObject components = health.getAsJsonObject("components");
        equal("up", components.getAsJsonObject("database").get("status").getAsString(), "database");
        equal("closed", components.getAsJsonObject("breakers").get("ai.local").getAsString(), "ai breaker");
        equal(0, components.getAsJsonObject("outbox").get("pending").getAsInt(), "outbox backlog");
      }
    });

    test("try_with_resources_closes_the_portal", () -> {
      Portal kept;
      try (Portal portal = new Portal(QUIET)) {
        kept = portal;
        isTrue(!portal.isClosed(), "open inside the block");
      }
      isTrue(kept.isClosed(), "closed after the block");
    });

    test("malformed_options_throw_10001_naming_options_json", () -> {
      PortalException error = raises(PortalException.class, () -> new Portal("{not json"));
      equal(10001, error.code(), "code");
      equal("options_json", error.errors().get(0).field(), "field");
      isTrue(error.traceId() != null && !error.traceId().isEmpty(), "trace id");
    });

    test("bad_option_value_throws_10001_naming_the_field", () -> {
      PortalException error = raises(PortalException.class, () -> new Portal(Map.of("pool_size", 0)));
      equal(10001, error.code(), "code");
      equal("pool_size", error.errors().get(0).field(), "field");
    });

    test("unreachable_storage_throws_20004", () -> {
      Path directory = Files.createTempDirectory("selfservice-java");
      try {
        String storage = "sqlite:" + directory.resolve("missing/portal.db");
        equal(20004, codeOf(() -> new Portal(Map.of("storage", storage, "log_level", "off"))), "code");
      } finally {
        Files.delete(directory);
      }
    });

    test("session_start_keeps_a_utf8_question_and_the_trace_id", () -> {
      try (Portal portal = new Portal(QUIET)) {
        JsonObject answer = portal.invoke("sessions.start", USER,
                                          Map.of("session_type", "ai_chat", "initial_question", "服务器连接不上怎么办？"));
        equal(200, answer.get("code").getAsInt(), "code");
        equal("java-test", answer.get("trace_id").getAsString(), "trace id");
        equal("服务器连接不上怎么办？", data(answer).get("initial_question").getAsString(), "question");
        equal("in_progress", data(answer).get("state").getAsString(), "state");
      }
    });

    test("ticket_is_created_in_status_new", () -> {
      try (Portal portal = new Portal(QUIET)) {
        JsonObject ticket = data(portal.invoke("tickets.create", USER, NEW_TICKET));
        isTrue(ticket.get("id").getAsLong() > 0, "ticket id");
        equal("new", ticket.get("status").getAsString(), "status");
        equal("VPN down", ticket.get("title").getAsString(), "title");
      }
    });

    test("feedback_is_submitted_pending", () -> {
      try (Portal portal = new Portal(QUIET)) {
        String session = data(portal.invoke("sessions.start", USER,
                                            Map.of("session_type", "search", "initial_question", "VPN")))
                             .get("session_id").getAsString();
        JsonObject feedback = data(portal.invoke("feedback.submit", USER,
            Map.of("feedback_type", "service", "related_type", "session", "related_id", session, "rating", 5,
                   "feedback_content", "回答准确")));
        equal("pending", feedback.get("state").getAsString(), "state");
        equal(1, feedback.get("status").getAsInt(), "status");
      }
    });

    test("json_text_and_gson_elements_are_arguments_too", () -> {
      try (Portal portal = new Portal("{\"log_level\": \"off\"}")) {
        JsonObject context = JsonParser.parseString(Strings.GSON.toJson(USER)).getAsJsonObject();
        JsonObject answer = portal.invoke("sessions.list", context, "{\"page\": 1, \"size\": 5}");
        equal(0, answer.getAsJsonObject("pagination").get("total").getAsInt(), "total");
      }
    });

    test("invalid_rating_throws_10001_with_its_field_errors", () -> {
      try (Portal portal = new Portal(QUIET)) {
        String session = data(portal.invoke("sessions.start", USER,
                                            Map.of("session_type", "ai_chat", "initial_question", "x")))
                             .get("session_id").getAsString();
        PortalException error = raises(PortalException.class, () -> portal.invoke("feedback.submit", USER,
            Map.of("feedback_type", "service", "related_type", "session", "related_id", session, "rating", 6)));
        equal(10001, error.code(), "code");
        equal("Invalid request parameters", error.message(), "message");
        equal("rating", error.errors().get(0).field(), "field");
        isTrue(error.errors().get(0).message() != null, "field message");
        equal("java-test", error.traceId(), "trace id");
        isTrue(error.helpUrl().endsWith("10001"), "help url " + error.helpUrl());
        equal(10001, error.envelope().get("code").getAsInt(), "envelope code");
        isTrue(error.getMessage().startsWith("10001 Invalid request parameters"), "summary " + error.getMessage());
      }
    });

    test("missing_required_fields_list_each_field", () -> {
      try (Portal portal = new Portal(QUIET)) {
        PortalException error = raises(PortalException.class, () -> portal.invoke("tickets.create", USER, Map.of()));
        equal(10001, error.code(), "code");
        List<String> fields = error.errors().stream().map(FieldError::field).collect(Collectors.toList());
        isTrue(fields.contains("title"), "title in " + fields);
      }
    });

    test("unknown_method_throws_10004", () -> {
      try (Portal portal = new Portal(QUIET)) {
        equal(10004, codeOf(() -> portal.invoke("no.such.method", USER, Map.of())), "code");
      }
    });

    test("malformed_request_json_throws_10001", () -> {
      try (Portal portal = new Portal(QUIET)) {
        equal(10001, codeOf(() -> portal.invoke("sessions.list", USER, "{oops")), "code");
      }
    });

    test("missing_or_malformed_context_throws_10002", () -> {
      try (Portal portal = new Portal(QUIET)) {
        equal(10002, codeOf(() -> portal.invoke("sessions.list", "{oops", Map.of())), "malformed");
        equal(10002, codeOf(() -> portal.invoke("sessions.list", Map.of("user_id", 1), Map.of())), "incomplete");
      }
    });

    test("null_arguments_are_answered_by_the_library", () -> {
      try (Portal portal = new Portal(QUIET)) {
        equal(10001, codeOf(() -> portal.invoke(null, USER, Map.of())), "null method");
        equal(10002, codeOf(() -> portal.invoke("sessions.list", null, Map.of())), "null context");
        equal(10001, codeOf(() -> portal.invoke("sessions.list", USER, null)), "null request");
      }
    });

    test("role_is_checked", () -> {
      try (Portal portal = new Portal(QUIET)) {
        equal(10003, codeOf(() -> portal.invoke("portal.theme.update", USER, Map.of("theme_color", "#000000"))),
              "customer user");
        portal.invoke("portal.theme.update", CUSTOMER_ADMIN, Map.of("theme_color", "#000000"));
      }
    });

    test("messages_follow_the_locale", () -> {
      try (Portal portal = new Portal(QUIET)) {
        PortalException error = raises(PortalException.class, () -> portal.invoke(
            "sessions.start", with(USER, "locale", "zh-CN"), Map.of("session_type", "bogus")));
        isTrue(error.message().chars().anyMatch(c -> c >= 0x4e00 && c <= 0x9fff), "Chinese message " + error.message());
      }
    });

    test("close_twice_is_a_no_op", () -> {
      Portal portal = new Portal(QUIET);
      portal.close();
      portal.close();
      isTrue(portal.isClosed(), "closed");
    });

    test("every_call_on_a_closed_portal_throws_IllegalStateException", () -> {
      Portal portal = new Portal(QUIET);
      portal.close();
      raises(IllegalStateException.class, () -> portal.invoke("sessions.list", USER, Map.of()));
      raises(IllegalStateException.class, () -> portal.invoke("sessions.list", USER, Map.of(), (done, total) -> true));
      raises(IllegalStateException.class, () -> portal.subscribe(Map.of("tenant_id", 1), event -> {}));
      raises(IllegalStateException.class, () -> portal.unsubscribe(1));
      raises(IllegalStateException.class, () -> portal.uploadChunk(USER, "upload", 0, new byte[1]));
      raises(IllegalStateException.class, portal::health);
      equal(0, Subscriptions.size(), "listeners held after the refused subscribe");
    });
  }
}
