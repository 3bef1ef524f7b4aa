package dev.selfservice;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** What the loaded library says about itself; see {@link Portal} for the calls that do work. */
public final class SelfService {
  private SelfService() {}

  /** The library's version, "MAJOR.MINOR.PATCH". */
  public static String version() {
    return CApi.LIB.selfservice_version().getString(0, "UTF-8");
  }

  /** The version of the C ABI; it changes only on an incompatible change. */
  public static int abiVersion() {
    return CApi.LIB.selfservice_abi_version();
  }

  /** The methods a portal answers, in the order of the library's dispatch table. */
  public static List<MethodInfo> methods() {
    JsonArray table = JsonParser.parseString(Strings.take(CApi.LIB.selfservice_methods())).getAsJsonArray();
    List<MethodInfo> methods = new ArrayList<>(table.size());
    for (JsonElement element : table) {
      JsonObject method = element.getAsJsonObject();
      methods.add(new MethodInfo(method.get("name").getAsString(), method.get("http_method").getAsString(),
                                 method.get("route").getAsString(), method.get("least_role").getAsString(),
                                 method.get("feature").getAsString(), method.get("rate_class").getAsString(),
                                 method.has("binary") ? method.get("binary").getAsString() : ""));
    }
    return Collections.unmodifiableList(methods);
  }
}
