package dev.selfservice;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;

/**
 * A failure envelope of the library (docs/API.md): {"code", "message", "errors": [{"field",
 * "message", "code"}], "trace_id", "help_url", "retry_after"?}. Thrown by every call that does
 * not answer code 200; its fields are the envelope's, and {@link #envelope()} is the whole of it.
 */
public class PortalException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient JsonObject envelope;
  private final int code;
  private final String message;
  private final List<FieldError> errors;
  private final String traceId;
  private final String helpUrl;
  private final OptionalLong retryAfter;

  /** The exception of a failure envelope, as the library answered it. */
  public PortalException(JsonObject envelope) {
    super(summary(envelope));
    this.envelope = envelope.deepCopy();
    this.code = envelope.has("code") ? envelope.get("code").getAsInt() : 0;
    this.message = string(envelope, "message");
    this.errors = fieldErrors(envelope);
    this.traceId = string(envelope, "trace_id");
    this.helpUrl = string(envelope, "help_url");
    JsonElement retry = envelope.get("retry_after");
    this.retryAfter = retry == null || retry.isJsonNull() ? OptionalLong.empty() : OptionalLong.of(retry.getAsLong());
  }

  /** The envelope's code: 10001 bad request, 10002 authentication, 10003 permission, 10004 not found... */
  public int code() {
    return code;
  }

  /** The envelope's message, in the caller's locale ("" when absent). */
  public String message() {
    return message == null ? "" : message;
  }

  /** The field errors, possibly empty; never null. */
  public List<FieldError> errors() {
    return errors;
  }

  /** The call's trace id (the context's "trace_id", or one the library made), or null. */
  public String traceId() {
    return traceId;
  }

  /** A page documenting the code, or null. */
  public String helpUrl() {
    return helpUrl;
  }

  /** Seconds to wait before retrying, when the library said so (rate limits, open breakers). */
  public OptionalLong retryAfter() {
    return retryAfter;
  }

  /** A copy of the whole envelope. */
  public JsonObject envelope() {
    return envelope.deepCopy();
  }

  private static String string(JsonObject object, String key) {
    JsonElement value = object.get(key);
    return value == null || value.isJsonNull() ? null : value.getAsString();
  }

  private static List<FieldError> fieldErrors(JsonObject envelope) {
    JsonElement errors = envelope.get("errors");
    if (errors == null || !errors.isJsonArray()) {
      return List.of();
    }
    List<FieldError> list = new ArrayList<>();
    for (JsonElement entry : errors.getAsJsonArray()) {
      if (entry.isJsonObject()) {
        JsonObject error = entry.getAsJsonObject();
        list.add(new FieldError(string(error, "field"), string(error, "message"), string(error, "code")));
      }
    }
    return Collections.unmodifiableList(list);
  }

  private static String summary(JsonObject envelope) {
    StringBuilder text = new StringBuilder();
    text.append(envelope.has("code") ? envelope.get("code").getAsString() : "?");
    String message = string(envelope, "message");
    if (message != null) {
      text.append(' ').append(message);
    }
    JsonElement errors = envelope.get("errors");
    if (errors != null && errors.isJsonArray() && errors.getAsJsonArray().size() > 0) {
      text.append(' ').append(errors);
    }
    return text.toString();
  }
}
