package dev.selfservice;

/**
 * One method the portal answers, as selfservice_methods() describes it: its REST route under
 * /api/v1/customer-portal (with {placeholders}) and HTTP method, the least role allowed to call it
 * ("anyone", "customer_user", "customer_admin" or "platform_admin"), the enabled_features entry
 * that gates it ("" for none), its rate-limit class, and what it moves as raw bytes: "download" for
 * the methods {@link Portal#openDownload} serves, "upload" for the one {@link Portal#uploadChunk}
 * feeds, "" for the rest (and for every method of a library older than 0.6.0).
 */
public record MethodInfo(String name, String httpMethod, String route, String leastRole, String feature,
                         String rateClass, String binary) {}
