import com.google.gson.JsonObject;
import dev.selfservice.Portal;
import dev.selfservice.PortalException;
import dev.selfservice.SelfService;
import java.util.List;
import java.util.Map;

/**
 * A Java host of libselfservice through the JNA binding (bindings/java): a customer asks a
 * question, then escalates it to a ticket; a bad request shows the error envelope as an exception.
 *
 * Run with the library and the jars reachable, for example from a build tree:
 *   SELFSERVICE_LIBRARY=build/release/capi/libselfservice.so java \
 *     -cp build/release/examples/java/java_host.jar:build/release/bindings/java/selfservice.jar:\
 *   /usr/share/java/jna.jar:/usr/share/java/gson.jar JavaHost
 */
public final class JavaHost {
  private JavaHost() {}

  public static void main(String[] args) {
    System.out.println("libselfservice " + SelfService.version());
    // Who is calling, as a host that has already authenticated its user names them.
    Map<String, Object> customer = Map.of("tenant_id", 1, "customer_id", 10, "user_id", 100,
                                          "roles", List.of("customer_user"), "locale", "en-US");
    try (Portal portal = new Portal(Map.of("storage", "sqlite::memory:", "log_level", "warn"))) {
      JsonObject session = portal.invoke("sessions.start", customer,
          Map.of("session_type", "ai_chat", "initial_question", "VPN keeps dropping")).getAsJsonObject("data");
      String sessionId = session.get("session_id").getAsString();
      System.out.println("session " + sessionId + " is " + session.get("state").getAsString());

      // Escalating: the ticket is linked to the session, which becomes "escalated".
      JsonObject ticket = portal.invoke("tickets.create", customer,
          Map.of("title", "VPN keeps dropping", "description", "Every 10 minutes since Monday",
                 "category", "network", "priority", 2, "session_id", sessionId)).getAsJsonObject("data");
      System.out.println("ticket " + ticket.get("id").getAsLong() + " is " + ticket.get("status").getAsString());

      try {
        portal.invoke("tickets.create", customer, Map.of("title", ""));
      } catch (PortalException error) {
        System.out.println("refused: " + error.code() + " " + error.message() + " (trace " + error.traceId() + ")");
        error.errors().forEach(field -> System.out.println("  " + field.field() + ": " + field.message()));
      }
    }
  }
}
