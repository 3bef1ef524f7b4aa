#include "openapi.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include "selfservice/status.hpp"

namespace selfservice::server {
namespace {

namespace json = boost::json;

// The method whose PATCH also takes the raw bytes of a chunk (tus style); the server reads
// Upload-Offset and Upload-Checksum for it.
constexpr std::string_view kChunkUploadMethod = "tickets.attachments.append";
// MethodInfo::binary of the methods whose file the server also streams as raw bytes.
constexpr std::string_view kDownloadBinary = "download";
// The method whose `path` field reads a server-side file: the server refuses it over HTTP.
constexpr std::string_view kImportMethod = "knowledge.import";
constexpr std::string_view kApiPrefix = "/api/v1/customer-portal";
constexpr std::string_view kServerTag = "server";

// Every error code of status.hpp with its en-US meaning (docs/API.md, "Error codes"); their HTTP
// statuses come from HttpStatus, so a code remapped there is documented under its new status.
struct ErrorCodeDoc {
  ErrorCode code;
  std::string_view meaning;
};
constexpr std::array kErrorCodes = {
    ErrorCodeDoc{ErrorCode::kInvalidArgument, "invalid request parameters"},
    ErrorCodeDoc{ErrorCode::kUnauthenticated, "authentication failed"},
    ErrorCodeDoc{ErrorCode::kPermissionDenied, "permission denied"},
    ErrorCodeDoc{ErrorCode::kNotFound, "resource not found"},
    ErrorCodeDoc{ErrorCode::kRateLimited, "too many requests"},
    ErrorCodeDoc{ErrorCode::kTransitionNotAllowed, "state transition not allowed"},
    ErrorCodeDoc{ErrorCode::kAiUnavailable, "AI service unavailable"},
    ErrorCodeDoc{ErrorCode::kSearchUnavailable, "search service error"},
    ErrorCodeDoc{ErrorCode::kUploadFailed, "file upload failed"},
    ErrorCodeDoc{ErrorCode::kDatabaseUnavailable, "database unavailable"},
};

json::object Ref(std::string_view target) { return {{"$ref", target}}; }

json::object FreeFormObject() { return {{"type", "object"}, {"additionalProperties", true}}; }

json::object JsonContent(json::object schema) {
  return {{"application/json", json::object{{"schema", std::move(schema)}}}};
}

// The names of the `{name}` segments of `route`, or why the route cannot be documented.
struct ParsedRoute {
  std::vector<std::string> parameters;
  std::string problem;  // empty when the route is usable
};

bool IsParameterChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

ParsedRoute ParseRoute(std::string_view route) {
  ParsedRoute parsed;
  if (route.empty() || route.front() != '/') {
    parsed.problem = "route does not start with /";
    return parsed;
  }
  std::size_t at = 0;
  while (at < route.size()) {
    if (route[at] == '}') {
      parsed.problem = "unbalanced } in route";
      return parsed;
    }
    if (route[at] != '{') {
      ++at;
      continue;
    }
    const std::size_t close = route.find_first_of("{}", at + 1);
    if (close == std::string_view::npos || route[close] != '}') {
      parsed.problem = "unbalanced { in route";
      return parsed;
    }
    const std::string_view name = route.substr(at + 1, close - at - 1);
    if (name.empty() || !std::all_of(name.begin(), name.end(), IsParameterChar)) {
      parsed.problem = "bad path parameter name in route";
      return parsed;
    }
    if (std::find(parsed.parameters.begin(), parsed.parameters.end(), name) != parsed.parameters.end()) {
      parsed.problem = "path parameter named twice in route";
      return parsed;
    }
    parsed.parameters.emplace_back(name);
    at = close + 1;
  }
  return parsed;
}

// "get" for "GET", nullopt for a verb the document cannot carry.
std::optional<std::string> OperationKey(std::string_view http_method) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kVerbs = {
      {{"GET", "get"}, {"POST", "post"}, {"PUT", "put"}, {"PATCH", "patch"}, {"DELETE", "delete"}}};
  for (const auto& [verb, key] : kVerbs) {
    if (verb == http_method) return std::string(key);
  }
  return std::nullopt;
}

bool TakesQuery(std::string_view key) { return key == "get" || key == "delete"; }

// docs/API.md's anchor of a method's section: the method table links "tickets.attachments.get"
// as #ticketsattachmentsget.
std::string DocsAnchor(std::string_view name) {
  std::string anchor;
  for (char c : name) {
    if (c != '.') anchor.push_back(c);
  }
  return anchor;
}

std::string_view TagOf(std::string_view name) { return name.substr(0, name.find('.')); }

json::object PathParameter(const std::string& name) {
  return {{"name", name},
          {"in", "path"},
          {"required", true},
          {"description",
           "Passed to the method as the request field of the same name; the server converts an "
           "all-digit value to a number (ids are numbers in some methods and strings in others)."},
          {"schema", json::object{{"type", "string"}}}};
}

json::object QueryParameter() {
  return {{"name", "request"},
          {"in", "query"},
          {"required", false},
          {"style", "form"},
          {"explode", true},
          {"description",
           "The method's request fields as query parameters (field=value&...); externalDocs lists "
           "them."},
          {"schema", FreeFormObject()}};
}

json::object HeaderParameter(std::string_view name, json::object schema, std::string_view description) {
  return {{"name", name}, {"in", "header"}, {"required", false}, {"description", description}, {"schema", std::move(schema)}};
}

json::object JsonBody() {
  return {{"required", false},
          {"description", "The method's request fields as a JSON object; externalDocs lists them."},
          {"content", JsonContent(FreeFormObject())}};
}

json::object BinaryContent() {
  return {{"application/octet-stream", json::object{{"schema", json::object{{"type", "string"}, {"format", "binary"}}}}}};
}

json::object ChunkUploadBody() {
  json::object content = JsonContent(FreeFormObject());
  content["application/octet-stream"] = BinaryContent().at("application/octet-stream");
  return {{"required", true},
          {"description",
           "Either the request fields as JSON (offset, data_base64, chunk_sha256), or the raw bytes of "
           "the chunk as application/octet-stream with its offset in Upload-Offset and, optionally, "
           "its checksum in Upload-Checksum."},
          {"content", std::move(content)}};
}

json::object HeaderDoc(std::string_view description) {
  return {{"description", description}, {"schema", json::object{{"type", "string"}}}};
}

// The raw form of a download method (docs/SERVER.md, "Downloads"): with Accept naming
// application/octet-stream, 200 is the file's bytes, 206 a range of them, 416 a range past the end.
// Accept itself is not a parameter: OpenAPI ignores header parameters named Accept; the
// responses' content types say it.
void AddRawDownload(json::array& parameters, json::object& responses) {
  parameters.push_back(HeaderParameter(
      "Range", json::object{{"type", "string"}, {"pattern", "^bytes=[0-9]+-[0-9]*$"}},
      "With the raw form: one range, \"bytes=first-last\" or \"bytes=first-\", answered with 206. Any "
      "other Range (several ranges, a suffix range, another unit) is ignored: 200 with the whole file."));
  parameters.push_back(HeaderParameter(
      "If-Range", json::object{{"type", "string"}},
      "With Range: the ETag the client holds; another ETag (or a date) gets the whole file (200)."));
  json::object headers{
      {"Content-Disposition", HeaderDoc("attachment; filename=\"<ASCII fallback>\"; filename*=UTF-8''<name> (RFC 6266, RFC 8187)")},
      {"ETag", HeaderDoc("\"<SHA-256 of the file, hex>\", when the file has one")},
      {"Accept-Ranges", HeaderDoc("bytes")},
      {"X-Content-Type-Options", HeaderDoc("nosniff")},
  };
  json::object& ok = responses["200"].as_object();
  ok["description"] = "Success: the envelope with the method's data, or, when Accept names "
                      "application/octet-stream (q > 0; wildcards do not), the file's bytes with the file's "
                      "Content-Type.";
  ok["content"].as_object()["application/octet-stream"] = BinaryContent().at("application/octet-stream");
  ok["headers"] = headers;
  json::object partial_headers = headers;
  partial_headers["Content-Range"] = HeaderDoc("bytes first-last/size");
  responses["206"] = json::object{{"description", "Partial Content: the range the Range header asked for."},
                                  {"headers", std::move(partial_headers)},
                                  {"content", BinaryContent()}};
  responses["416"] = json::object{
      {"description", "Range Not Satisfiable: the range starts past the file's last byte (the error envelope of "
                      "10001 OUT_OF_RANGE on offset)."},
      {"content", JsonContent(Ref("#/components/schemas/ErrorEnvelope"))}};
}

// The key of components.responses for an HTTP status an error code maps to.
std::string ErrorResponseName(int status) { return "Error" + std::to_string(status); }

// HTTP status -> the codes that map to it, in the order of kErrorCodes.
std::map<int, std::vector<ErrorCodeDoc>> ErrorStatuses() {
  std::map<int, std::vector<ErrorCodeDoc>> statuses;
  for (const ErrorCodeDoc& doc : kErrorCodes) statuses[HttpStatus(doc.code)].push_back(doc);
  return statuses;
}

json::object MethodResponses(const std::map<int, std::vector<ErrorCodeDoc>>& statuses) {
  json::object responses;
  responses["200"] = json::object{{"description", "Success: the envelope with the method's data."},
                                  {"content", JsonContent(Ref("#/components/schemas/Envelope"))}};
  for (const auto& entry : statuses) {
    responses[std::to_string(entry.first)] = Ref("#/components/responses/" + ErrorResponseName(entry.first));
  }
  responses["default"] = json::object{{"description", "Any other failure: the error envelope."},
                                      {"content", JsonContent(Ref("#/components/schemas/ErrorEnvelope"))}};
  return responses;
}

std::string MethodDescription(const MethodInfo& method) {
  std::string text = "Calls `" + std::string(method.name) + "` (docs/API.md). Least role: " +
                     std::string(method.least_role) + ".";
  if (method.least_role == "anyone") text += " Needs no access token.";
  if (!method.feature.empty()) {
    text += " Gated by the enabled_features entry `" + std::string(method.feature) + "` (10003 when absent).";
  }
  if (method.name == kImportMethod) {
    text += " Over HTTP only `articles` is accepted: the server refuses `path`, which would read a "
            "file of the server.";
  }
  return text;
}

json::object MethodOperation(const MethodInfo& method, const std::string& key, const ParsedRoute& route,
                             const json::object& responses) {
  json::object operation;
  operation["operationId"] = method.name;
  operation["summary"] = method.name;
  operation["description"] = MethodDescription(method);
  operation["tags"] = json::array{json::value(TagOf(method.name))};
  operation["externalDocs"] = json::object{{"description", "docs/API.md: " + std::string(method.name)},
                                           {"url", "docs/API.md#" + DocsAnchor(method.name)}};
  json::array parameters;
  for (const std::string& name : route.parameters) parameters.push_back(PathParameter(name));
  const bool chunk_upload = method.name == kChunkUploadMethod && key == "patch";
  if (chunk_upload) {
    parameters.push_back(HeaderParameter(
        "Upload-Offset", json::object{{"type", "integer"}, {"format", "int64"}, {"minimum", 0}},
        "Required with application/octet-stream: the byte offset of the chunk, which must equal the "
        "upload's committed offset."));
    parameters.push_back(HeaderParameter(
        "Upload-Checksum", json::object{{"type", "string"}, {"pattern", "^sha256[ =][0-9A-Fa-f]{64}$"}},
        "With application/octet-stream, optional: \"sha256 <64 hex digits>\" (or \"sha256=<hex>\"), "
        "the SHA-256 of the chunk; a mismatch discards the chunk (20003 CHECKSUM_MISMATCH)."));
  }
  json::object method_responses = responses;
  if (method.binary == kDownloadBinary && key == "get") AddRawDownload(parameters, method_responses);
  if (TakesQuery(key)) parameters.push_back(QueryParameter());
  if (!parameters.empty()) operation["parameters"] = std::move(parameters);
  if (!TakesQuery(key)) operation["requestBody"] = chunk_upload ? ChunkUploadBody() : JsonBody();
  operation["responses"] = std::move(method_responses);
  operation["security"] = method.least_role == "anyone"
                              ? json::array{}
                              : json::array{json::object{{"bearerAuth", json::array{}}}};
  operation["x-method"] = method.name;
  operation["x-least-role"] = method.least_role;
  operation["x-feature"] = method.feature;
  operation["x-rate-class"] = method.rate_class;
  return operation;
}

json::object EnvelopeSchema() {
  json::object properties{
      {"code", json::object{{"type", "integer"}, {"enum", json::array{200}}}},
      {"message", json::object{{"type", "string"}, {"description", "\"success\" in the caller's locale"}}},
      {"data", json::object{{"description", "The method's result: an object or an array."}}},
      {"timestamp", json::object{{"type", "string"}, {"format", "date-time"}}},
      {"trace_id", json::object{{"type", "string"}}},
      {"pagination", Ref("#/components/schemas/Pagination")},
  };
  return {{"type", "object"},
          {"required", json::array{"code", "message", "data", "timestamp", "trace_id"}},
          {"properties", std::move(properties)}};
}

json::object PaginationSchema() {
  json::object properties{
      {"page", json::object{{"type", "integer"}, {"minimum", 1}}},
      {"size", json::object{{"type", "integer"}, {"minimum", 1}}},
      {"total", json::object{{"type", "integer"}, {"minimum", 0}}},
      {"pages", json::object{{"type", "integer"}, {"minimum", 0}}},
  };
  return {{"type", "object"},
          {"description", "List methods only; pages = ceil(total / size)."},
          {"required", json::array{"page", "size", "total", "pages"}},
          {"properties", std::move(properties)}};
}

json::object FieldErrorSchema() {
  json::object properties{
      {"field", json::object{{"type", "string"}}},
      {"message", json::object{{"type", "string"}}},
      {"code", json::object{{"type", "string"}, {"description", "FIELD_REQUIRED, FIELD_INVALID, ... (docs/API.md)"}}},
  };
  return {{"type", "object"}, {"required", json::array{"field", "message", "code"}}, {"properties", std::move(properties)}};
}

json::object ErrorEnvelopeSchema() {
  json::array codes;
  for (const ErrorCodeDoc& doc : kErrorCodes) codes.push_back(static_cast<int>(doc.code));
  json::object properties{
      {"code", json::object{{"type", "integer"}, {"enum", std::move(codes)}}},
      {"message", json::object{{"type", "string"}, {"description", "The code's text in the caller's locale."}}},
      {"errors", json::object{{"type", "array"}, {"items", Ref("#/components/schemas/FieldError")}}},
      {"timestamp", json::object{{"type", "string"}, {"format", "date-time"}}},
      {"trace_id", json::object{{"type", "string"}}},
      {"help_url", json::object{{"type", "string"}}},
      {"retry_after",
       json::object{{"type", "integer"}, {"minimum", 1}, {"description", "10005 only: seconds before a retry may succeed."}}},
  };
  return {{"type", "object"},
          {"required", json::array{"code", "message", "errors", "timestamp", "trace_id", "help_url"}},
          {"properties", std::move(properties)}};
}

json::object ErrorResponses(const std::map<int, std::vector<ErrorCodeDoc>>& statuses) {
  json::object responses;
  for (const auto& [status, codes] : statuses) {
    std::string description = "The error envelope of ";
    for (std::size_t i = 0; i < codes.size(); ++i) {
      if (i > 0) description += ", ";
      description += std::to_string(static_cast<int>(codes[i].code)) + " (" + std::string(codes[i].meaning) + ")";
    }
    description += ".";
    json::object response{{"description", std::move(description)},
                          {"content", JsonContent(Ref("#/components/schemas/ErrorEnvelope"))}};
    if (std::any_of(codes.begin(), codes.end(), [](const ErrorCodeDoc& doc) { return doc.code == ErrorCode::kRateLimited; })) {
      response["headers"] = json::object{
          {"Retry-After", json::object{{"description", "Whole seconds, as retry_after in the envelope."},
                                       {"schema", json::object{{"type", "integer"}, {"minimum", 1}}}}}};
    }
    responses[ErrorResponseName(status)] = std::move(response);
  }
  return responses;
}

json::object Components(const std::map<int, std::vector<ErrorCodeDoc>>& statuses) {
  json::object schemes{
      {"bearerAuth",
       json::object{{"type", "http"},
                    {"scheme", "bearer"},
                    {"bearerFormat", "JWT"},
                    {"description", "The access_token of auth.login (or auth.refresh)."}}},
      {"accessTokenQuery",
       json::object{{"type", "apiKey"},
                    {"in", "query"},
                    {"name", "access_token"},
                    {"description", "The access token as a query parameter: the WebSocket only, for "
                                    "clients that cannot set headers on the upgrade request."}}},
  };
  json::object schemas{{"Envelope", EnvelopeSchema()},
                       {"Pagination", PaginationSchema()},
                       {"ErrorEnvelope", ErrorEnvelopeSchema()},
                       {"FieldError", FieldErrorSchema()}};
  return {{"securitySchemes", std::move(schemes)}, {"schemas", std::move(schemas)}, {"responses", ErrorResponses(statuses)}};
}

json::object ServerOperation(std::string_view id, std::string_view summary, std::string_view description,
                             json::object responses) {
  return {{"operationId", id},           {"summary", summary},
          {"description", description},  {"tags", json::array{json::value(kServerTag)}},
          {"security", json::array{}},   {"responses", std::move(responses)}};
}

// The routes portal_server serves besides the methods: health, metrics, this document, the
// WebSocket of ticket status events. Keyed by path; each is a GET.
std::vector<std::pair<std::string, json::object>> ServerRoutes() {
  std::vector<std::pair<std::string, json::object>> routes;
  routes.emplace_back(
      "/healthz",
      ServerOperation("server.healthz", "Health of the portal's components",
                      "The database probe, the circuit breakers and the outbox backlog (Portal::Health). "
                      "Needs no token and names no tenant.",
                      json::object{{"200", json::object{{"description", "The components are usable."},
                                                        {"content", JsonContent(FreeFormObject())}}},
                                   {"503", json::object{{"description", "A component the portal needs is down."},
                                                        {"content", JsonContent(FreeFormObject())}}}}));
  routes.emplace_back(
      "/metrics",
      ServerOperation("server.metrics", "Prometheus metrics",
                      "Request counts and latency histograms per method, open connections and WebSockets, "
                      "breaker states, outbox backlog, in the Prometheus text format 0.0.4.",
                      json::object{{"200", json::object{{"description", "The exposition text."},
                                                        {"content", json::object{{"text/plain", json::object{{"schema", json::object{{"type", "string"}}}}}}}}}}));
  routes.emplace_back(
      std::string(kApiPrefix) + "/openapi.json",
      ServerOperation("server.openapi", "This document", "The OpenAPI 3.0.3 document of the API.",
                      json::object{{"200", json::object{{"description", "The document."},
                                                        {"content", JsonContent(FreeFormObject())}}}}));
  json::object websocket = ServerOperation(
      "server.websocket", "Live ticket status (WebSocket)",
      "Upgrades to a WebSocket. The access token comes in `Authorization: Bearer <token>` or, for "
      "clients that cannot set headers, the `access_token` query parameter. The server then pushes "
      "the ticket.status events (creations and status changes) of the caller's own tickets as JSON "
      "text frames, in the event JSON of docs/API.md (\"Subscriptions\").",
      json::object{
          {"101", json::object{{"description", "Switching Protocols: the WebSocket is open."}}},
          {"400", Ref("#/components/responses/" + ErrorResponseName(HttpStatus(ErrorCode::kInvalidArgument)))},
          {"401", Ref("#/components/responses/" + ErrorResponseName(HttpStatus(ErrorCode::kUnauthenticated)))}});
  websocket["parameters"] = json::array{
      json::object{{"name", "access_token"},
                   {"in", "query"},
                   {"required", false},
                   {"description", "The access token, when not sent as a Bearer header."},
                   {"schema", json::object{{"type", "string"}}}},
      json::object{{"name", "ticket_id"},
                   {"in", "query"},
                   {"required", false},
                   {"description", "Only the events of this ticket (one of the caller's own)."},
                   {"schema", json::object{{"type", "integer"}, {"format", "int64"}, {"minimum", 1}}}}};
  websocket["security"] = json::array{json::object{{"bearerAuth", json::array{}}},
                                      json::object{{"accessTokenQuery", json::array{}}}};
  routes.emplace_back(std::string(kApiPrefix) + "/ws", std::move(websocket));
  return routes;
}

// Puts `operation` at paths[path][key] unless that slot is taken; true when it did.
bool AddOperation(json::object& paths, const std::string& path, const std::string& key, json::object operation) {
  json::value& item = paths[path];
  if (!item.is_object()) item = json::object{};
  json::object& operations = item.as_object();
  if (operations.contains(key)) return false;
  operations[key] = std::move(operation);
  return true;
}

}  // namespace

json::object OpenApiDocument(const std::vector<MethodInfo>& methods, std::string_view library_version) {
  const auto statuses = ErrorStatuses();
  const json::object responses = MethodResponses(statuses);
  json::object paths;
  json::array skipped;
  std::set<std::string, std::less<>> names;
  std::set<std::string, std::less<>> tags;
  auto skip = [&skipped](std::string_view name, std::string_view reason) {
    skipped.push_back(json::object{{"method", name}, {"reason", reason}});
  };
  for (const MethodInfo& method : methods) {
    const std::optional<std::string> key = OperationKey(method.http_method);
    if (!key) {
      skip(method.name, "unsupported HTTP method");
      continue;
    }
    const ParsedRoute route = ParseRoute(method.route);
    if (!route.problem.empty()) {
      skip(method.name, route.problem);
      continue;
    }
    if (names.count(method.name) > 0) {
      skip(method.name, "method name already documented");
      continue;
    }
    if (!AddOperation(paths, std::string(method.route), *key, MethodOperation(method, *key, route, responses))) {
      skip(method.name, "route and HTTP method already taken");
      continue;
    }
    names.emplace(method.name);
    tags.emplace(TagOf(method.name));
  }
  for (auto& [path, operation] : ServerRoutes()) AddOperation(paths, path, "get", std::move(operation));

  json::array tag_list;
  for (const std::string& tag : tags) tag_list.push_back(json::object{{"name", tag}});
  tag_list.push_back(json::object{{"name", kServerTag}, {"description", "Routes of portal_server itself."}});

  json::object info{
      {"title", "libselfservice customer portal API"},
      {"version", library_version},
      {"description",
       "The REST API of libselfservice as portal_server serves it: one operation per method of the "
       "dispatch table, answered with the unified envelope; docs/API.md documents each method's "
       "fields. The HTTP status of an error envelope is the one its code maps to."},
  };
  if (!skipped.empty()) info["x-skipped-methods"] = std::move(skipped);

  json::object document;
  document["openapi"] = "3.0.3";
  document["info"] = std::move(info);
  document["servers"] = json::array{json::object{{"url", "/"}}};
  document["tags"] = std::move(tag_list);
  document["paths"] = std::move(paths);
  document["components"] = Components(statuses);
  return document;
}

}  // namespace selfservice::server
