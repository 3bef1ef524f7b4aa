package dev.selfservice;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.sun.jna.Pointer;

/** JSON in and out of the C ABI: encoding arguments, and taking ownership of returned strings. */
final class Strings {
  /** Nulls in a Map stay JSON nulls; "<" and friends are left as they are (JSON, not HTML). */
  static final Gson GSON = new GsonBuilder().serializeNulls().disableHtmlEscaping().create();

  private Strings() {}

  /**
   * A context, request, topic or options argument as the C ABI takes it: null stays a C NULL (the
   * library answers it with its envelope), a String is JSON text passed as it is, a Gson
   * JsonElement is written out, and anything else (a Map, a List, a plain object) is serialised by
   * Gson.
   */
  static String encode(Object value) {
    if (value == null || value instanceof String) {
      return (String) value;
    }
    if (value instanceof JsonElement) {
      return value.toString();
    }
    return GSON.toJson(value);
  }

  /** Copies a string returned by the library as UTF-8 and frees it, whatever happens. */
  static String take(Pointer pointer) {
    if (pointer == null) {
      throw new OutOfMemoryError("libselfservice returned no string (memory exhausted)");
    }
    try {
      return pointer.getString(0, "UTF-8");
    } finally {
      CApi.LIB.selfservice_free(pointer);
    }
  }

  /** A returned envelope, decoded and freed. */
  static JsonObject takeEnvelope(Pointer pointer) {
    return parseObject(take(pointer));
  }

  /** A success envelope as it is; any other code is thrown as a PortalException. */
  static JsonObject takeSuccess(Pointer pointer) {
    JsonObject envelope = takeEnvelope(pointer);
    if (!envelope.has("code") || envelope.get("code").getAsInt() != 200) {
      throw new PortalException(envelope);
    }
    return envelope;
  }

  static JsonObject parseObject(String json) {
    try {
      return JsonParser.parseString(json).getAsJsonObject();
    } catch (JsonParseException | IllegalStateException e) {
      throw new IllegalStateException("libselfservice answered something that is not a JSON object", e);
    }
  }
}
