// The OpenAPI document of portal_server: generated from the dispatch table, one operation per
// method, every path parameter declared, bearer security except for the sign-in methods, and a
// table it cannot document (bad routes, verbs, duplicates) reported instead of crashing.

#include "openapi.hpp"

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace selfservice::server {
namespace {

namespace json = boost::json;

const std::vector<std::string> kServerPaths = {"/healthz", "/metrics", "/api/v1/customer-portal/openapi.json",
                                               "/api/v1/customer-portal/ws"};

std::string Lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

// The `{name}` segments of a well-formed route.
std::vector<std::string> RouteParameters(std::string_view route) {
  std::vector<std::string> names;
  for (std::size_t open = route.find('{'); open != std::string_view::npos; open = route.find('{', open + 1)) {
    names.emplace_back(route.substr(open + 1, route.find('}', open) - open - 1));
  }
  return names;
}

const json::object& Operation(const json::object& document, std::string_view route, std::string_view http_method) {
  return document.at("paths").at(route).at(Lower(http_method)).as_object();
}

// Every operation of the document, methods and server routes alike.
std::vector<const json::object*> Operations(const json::object& document) {
  std::vector<const json::object*> operations;
  for (const auto& path : document.at("paths").as_object()) {
    for (const auto& operation : path.value().as_object()) operations.push_back(&operation.value().as_object());
  }
  return operations;
}

std::size_t MethodOperationCount(const json::object& document) {
  std::size_t count = 0;
  for (const json::object* operation : Operations(document)) count += operation->contains("x-method") ? 1 : 0;
  return count;
}

std::vector<std::string> SkippedMethods(const json::object& document) {
  std::vector<std::string> names;
  const json::value* skipped = document.at("info").as_object().if_contains("x-skipped-methods");
  if (skipped == nullptr) return names;
  for (const json::value& entry : skipped->as_array()) names.emplace_back(entry.at("method").as_string());
  return names;
}

MethodInfo Method(std::string_view name, std::string_view http_method, std::string_view route,
                  std::string_view least_role = "customer_user") {
  return MethodInfo{name, http_method, route, "", "read", least_role, ""};
}

class OpenApiOfPortalTest : public ::testing::Test {
 protected:
  json::object document_ = OpenApiDocument(Portal::Methods(), Version());
};

TEST_F(OpenApiOfPortalTest, IsOpenApi303WithTitleVersionAndRootServer) {
  EXPECT_EQ(document_.at("openapi"), "3.0.3");
  EXPECT_EQ(document_.at("info").at("title"), "libselfservice customer portal API");
  EXPECT_EQ(document_.at("info").at("version").as_string(), Version());
  EXPECT_EQ(document_.at("servers"), (json::array{json::object{{"url", "/"}}}));
}

TEST_F(OpenApiOfPortalTest, HasOneOperationPerMethod) {
  EXPECT_EQ(MethodOperationCount(document_), Portal::Methods().size());
  EXPECT_TRUE(SkippedMethods(document_).empty());
  for (const MethodInfo& method : Portal::Methods()) {
    const json::object& operation = Operation(document_, method.route, method.http_method);
    EXPECT_EQ(operation.at("operationId").as_string(), method.name);
    EXPECT_EQ(operation.at("x-method").as_string(), method.name);
  }
}

TEST_F(OpenApiOfPortalTest, DeclaresEveryPathParameterOfEachRoute) {
  for (const MethodInfo& method : Portal::Methods()) {
    std::set<std::string> declared;
    const json::object& operation = Operation(document_, method.route, method.http_method);
    if (const json::value* parameters = operation.if_contains("parameters")) {
      for (const json::value& parameter : parameters->as_array()) {
        if (parameter.at("in") != "path") continue;
        EXPECT_EQ(parameter.at("required"), true) << method.name;
        declared.emplace(parameter.at("name").as_string());
      }
    }
    const std::vector<std::string> expected = RouteParameters(method.route);
    EXPECT_EQ(declared, std::set<std::string>(expected.begin(), expected.end())) << method.name;
  }
}

TEST_F(OpenApiOfPortalTest, OperationIdsAreUnique) {
  std::set<std::string> ids;
  for (const json::object* operation : Operations(document_)) {
    const std::string id(operation->at("operationId").as_string());
    EXPECT_TRUE(ids.insert(id).second) << id;
  }
}

TEST_F(OpenApiOfPortalTest, SecurityIsEmptyExactlyForLeastRoleAnyone) {
  const json::array bearer{json::object{{"bearerAuth", json::array{}}}};
  for (const MethodInfo& method : Portal::Methods()) {
    const json::value& security = Operation(document_, method.route, method.http_method).at("security");
    if (method.least_role == "anyone") {
      EXPECT_TRUE(security.as_array().empty()) << method.name;
    } else {
      EXPECT_EQ(security, bearer) << method.name;
    }
  }
  EXPECT_EQ(document_.at("components").at("securitySchemes").at("bearerAuth"),
            (json::object{{"type", "http"},
                          {"scheme", "bearer"},
                          {"bearerFormat", "JWT"},
                          {"description", "The access_token of auth.login (or auth.refresh)."}}));
}

TEST_F(OpenApiOfPortalTest, SerializesAndParsesBackUnchanged) {
  const std::string text = json::serialize(document_);
  json::error_code error;
  const json::value parsed = json::parse(text, error);
  ASSERT_FALSE(error) << error.message();
  EXPECT_EQ(parsed, json::value(document_));
}

TEST_F(OpenApiOfPortalTest, CarriesTheMethodsExtensionFields) {
  for (const MethodInfo& method : Portal::Methods()) {
    const json::object& operation = Operation(document_, method.route, method.http_method);
    EXPECT_EQ(operation.at("x-least-role").as_string(), method.least_role) << method.name;
    EXPECT_EQ(operation.at("x-feature").as_string(), method.feature) << method.name;
    EXPECT_EQ(operation.at("x-rate-class").as_string(), method.rate_class) << method.name;
  }
}

TEST_F(OpenApiOfPortalTest, TagsOperationsByTheNamesFirstSegment) {
  const json::object& operation = Operation(document_, "/api/v1/customer-portal/tickets/{id}/status", "GET");
  EXPECT_EQ(operation.at("tags"), (json::array{"tickets"}));
  std::set<std::string> tags;
  for (const json::value& tag : document_.at("tags").as_array()) tags.emplace(tag.at("name").as_string());
  for (const MethodInfo& method : Portal::Methods()) {
    EXPECT_EQ(tags.count(std::string(method.name.substr(0, method.name.find('.')))), 1U) << method.name;
  }
}

TEST_F(OpenApiOfPortalTest, GetAndDeleteTakeAFreeFormQueryAndNoBody) {
  for (const MethodInfo& method : Portal::Methods()) {
    if (method.http_method != "GET" && method.http_method != "DELETE") continue;
    const json::object& operation = Operation(document_, method.route, method.http_method);
    EXPECT_FALSE(operation.contains("requestBody")) << method.name;
    const json::array& parameters = operation.at("parameters").as_array();
    const json::value& query = parameters.back();
    EXPECT_EQ(query.at("in"), "query") << method.name;
    EXPECT_EQ(query.at("style"), "form") << method.name;
    EXPECT_EQ(query.at("explode"), true) << method.name;
    EXPECT_EQ(query.at("schema").at("additionalProperties"), true) << method.name;
  }
}

TEST_F(OpenApiOfPortalTest, WritesTakeAJsonObjectBody) {
  const json::object& operation = Operation(document_, "/api/v1/customer-portal/tickets", "POST");
  EXPECT_EQ(operation.at("requestBody").at("content").at("application/json").at("schema").at("type"), "object");
  EXPECT_FALSE(operation.at("requestBody").at("content").as_object().contains("application/octet-stream"));
}

TEST_F(OpenApiOfPortalTest, ChunkUploadAlsoTakesRawBytesWithOffsetAndChecksumHeaders) {
  const json::object& operation =
      Operation(document_, "/api/v1/customer-portal/attachments/uploads/{upload_id}", "PATCH");
  const json::object& content = operation.at("requestBody").at("content").as_object();
  EXPECT_TRUE(content.contains("application/json"));
  EXPECT_EQ(content.at("application/octet-stream").at("schema").at("format"), "binary");
  std::set<std::string> headers;
  for (const json::value& parameter : operation.at("parameters").as_array()) {
    if (parameter.at("in") == "header") headers.emplace(parameter.at("name").as_string());
  }
  EXPECT_EQ(headers, (std::set<std::string>{"Upload-Offset", "Upload-Checksum"}));
}

std::set<std::string> HeaderParameters(const json::object& operation) {
  std::set<std::string> headers;
  const json::value* parameters = operation.if_contains("parameters");
  if (parameters == nullptr) return headers;
  for (const json::value& parameter : parameters->as_array()) {
    if (parameter.at("in") == "header") headers.emplace(parameter.at("name").as_string());
  }
  return headers;
}

TEST_F(OpenApiOfPortalTest, DownloadMethodsAlsoAnswerRawBytesRangesAnd416) {
  for (const char* route : {"/api/v1/customer-portal/attachments/{id}", "/api/v1/customer-portal/documents/{id}/download"}) {
    SCOPED_TRACE(route);
    const json::object& operation = Operation(document_, route, "GET");
    const json::object& responses = operation.at("responses").as_object();
    const json::object& ok = responses.at("200").as_object();
    EXPECT_TRUE(ok.at("content").as_object().contains("application/json"));
    EXPECT_EQ(ok.at("content").at("application/octet-stream").at("schema").at("format"), "binary");
    EXPECT_TRUE(ok.at("headers").as_object().contains("Content-Disposition"));
    EXPECT_TRUE(ok.at("headers").as_object().contains("ETag"));
    EXPECT_TRUE(responses.at("206").at("headers").as_object().contains("Content-Range"));
    EXPECT_EQ(responses.at("206").at("content").at("application/octet-stream").at("schema").at("format"), "binary");
    EXPECT_EQ(responses.at("416").at("content").at("application/json").at("schema").at("$ref"),
              "#/components/schemas/ErrorEnvelope");
    EXPECT_EQ(HeaderParameters(operation), (std::set<std::string>{"Range", "If-Range"}));
  }
}

TEST_F(OpenApiOfPortalTest, OtherMethodsHaveNoRawDownloadForm) {
  for (const auto& [route, verb] : {std::pair{"/api/v1/customer-portal/tickets", "GET"},
                                    std::pair{"/api/v1/customer-portal/documents/{id}", "GET"},
                                    std::pair{"/api/v1/customer-portal/attachments/uploads/{upload_id}", "PATCH"}}) {
    SCOPED_TRACE(route);
    const json::object& operation = Operation(document_, route, verb);
    const json::object& responses = operation.at("responses").as_object();
    EXPECT_FALSE(responses.contains("206"));
    EXPECT_FALSE(responses.contains("416"));
    EXPECT_FALSE(responses.at("200").at("content").as_object().contains("application/octet-stream"));
    EXPECT_EQ(HeaderParameters(operation).count("Range"), 0U);
  }
}

TEST_F(OpenApiOfPortalTest, ExternalDocsPointToTheMethodsSectionOfApiMd) {
  EXPECT_EQ(Operation(document_, "/api/v1/customer-portal/attachments/{id}", "GET").at("externalDocs").at("url"),
            "docs/API.md#ticketsattachmentsget");
  std::ifstream file(std::string(SELFSERVICE_SOURCE_DIR) + "/docs/API.md");
  ASSERT_TRUE(file) << "docs/API.md";
  std::stringstream api_md;
  api_md << file.rdbuf();
  for (const MethodInfo& method : Portal::Methods()) {
    const std::string url(Operation(document_, method.route, method.http_method).at("externalDocs").at("url").as_string());
    const std::string anchor = url.substr(url.find('#'));
    EXPECT_NE(api_md.str().find("(" + anchor + ")"), std::string::npos) << method.name << " links " << url;
  }
}

TEST_F(OpenApiOfPortalTest, ListsEachErrorStatusWithTheCodesMappedToIt) {
  const json::object& responses = Operation(document_, "/api/v1/customer-portal/tickets", "POST").at("responses").as_object();
  EXPECT_EQ(responses.at("200").at("content").at("application/json").at("schema").at("$ref"),
            "#/components/schemas/Envelope");
  EXPECT_EQ(responses.at("default").at("content").at("application/json").at("schema").at("$ref"),
            "#/components/schemas/ErrorEnvelope");
  const json::object& shared = document_.at("components").at("responses").as_object();
  for (const int code : {10001, 10002, 10003, 10004, 10005, 10006, 20001, 20002, 20003, 20004}) {
    const int status = HttpStatus(static_cast<ErrorCode>(code));
    const std::string key = std::to_string(status);
    ASSERT_TRUE(responses.contains(key)) << code;
    const std::string target(responses.at(key).at("$ref").as_string());
    const std::string name = target.substr(target.rfind('/') + 1);
    const std::string description(shared.at(name).at("description").as_string());
    EXPECT_NE(description.find(std::to_string(code)), std::string::npos) << description;
  }
  EXPECT_TRUE(shared.at("Error429").at("headers").as_object().contains("Retry-After"));
}

TEST_F(OpenApiOfPortalTest, EnvelopeSchemasNameTheirFields) {
  const json::object& schemas = document_.at("components").at("schemas").as_object();
  EXPECT_EQ(schemas.at("Envelope").at("required"), (json::array{"code", "message", "data", "timestamp", "trace_id"}));
  EXPECT_TRUE(schemas.at("Envelope").at("properties").as_object().contains("pagination"));
  EXPECT_EQ(schemas.at("ErrorEnvelope").at("required"),
            (json::array{"code", "message", "errors", "timestamp", "trace_id", "help_url"}));
  EXPECT_TRUE(schemas.at("ErrorEnvelope").at("properties").as_object().contains("retry_after"));
  EXPECT_EQ(schemas.at("FieldError").at("required"), (json::array{"field", "message", "code"}));
}

TEST_F(OpenApiOfPortalTest, KnowledgeImportSaysOnlyArticlesAreAcceptedOverHttp) {
  const std::string description(
      Operation(document_, "/api/v1/customer-portal/knowledge/import", "POST").at("description").as_string());
  EXPECT_NE(description.find("only `articles`"), std::string::npos) << description;
  EXPECT_NE(description.find("refuses `path`"), std::string::npos) << description;
}

TEST_F(OpenApiOfPortalTest, DocumentsTheServersOwnRoutes) {
  EXPECT_TRUE(Operation(document_, "/metrics", "GET")
                  .at("responses")
                  .at("200")
                  .at("content")
                  .as_object()
                  .contains("text/plain"));
  EXPECT_TRUE(Operation(document_, "/healthz", "GET").at("security").as_array().empty());
  EXPECT_TRUE(Operation(document_, "/api/v1/customer-portal/openapi.json", "GET").at("responses").as_object().contains("200"));
  const json::object& websocket = Operation(document_, "/api/v1/customer-portal/ws", "GET");
  EXPECT_TRUE(websocket.at("responses").as_object().contains("101"));
  const std::string description(websocket.at("description").as_string());
  EXPECT_NE(description.find("Authorization: Bearer"), std::string::npos);
  EXPECT_NE(description.find("access_token"), std::string::npos);
  EXPECT_NE(description.find("ticket.status"), std::string::npos);
  EXPECT_FALSE(websocket.at("security").as_array().empty());
  std::set<std::string> query;
  for (const json::value& parameter : websocket.at("parameters").as_array()) query.emplace(parameter.at("name").as_string());
  EXPECT_EQ(query, (std::set<std::string>{"access_token", "ticket_id"}));
}

TEST(OpenApiDocumentTest, EmptyMethodListGivesAValidDocumentWithOnlyTheServerRoutes) {
  const json::object document = OpenApiDocument({}, "0.0.0");
  EXPECT_EQ(MethodOperationCount(document), 0U);
  std::vector<std::string> paths;
  for (const auto& path : document.at("paths").as_object()) paths.emplace_back(path.key());
  EXPECT_EQ(paths, kServerPaths);
  EXPECT_TRUE(SkippedMethods(document).empty());
  EXPECT_NO_THROW((void)json::parse(json::serialize(document)));
}

TEST(OpenApiDocumentTest, SkipsAndReportsRoutesWithUnbalancedOrBadBraces) {
  const std::vector<MethodInfo> methods = {
      Method("a.open", "GET", "/api/v1/customer-portal/a/{id"),
      Method("a.close", "GET", "/api/v1/customer-portal/a/id}"),
      Method("a.nested", "GET", "/api/v1/customer-portal/a/{{id}}"),
      Method("a.empty", "GET", "/api/v1/customer-portal/a/{}"),
      Method("a.twice", "GET", "/api/v1/customer-portal/a/{id}/{id}"),
      Method("a.relative", "GET", "api/v1/customer-portal/a"),
      Method("a.good", "GET", "/api/v1/customer-portal/a/{id}"),
  };
  const json::object document = OpenApiDocument(methods, "0.0.0");
  EXPECT_EQ(MethodOperationCount(document), 1U);
  EXPECT_EQ(Operation(document, "/api/v1/customer-portal/a/{id}", "GET").at("operationId"), "a.good");
  EXPECT_EQ(SkippedMethods(document),
            (std::vector<std::string>{"a.open", "a.close", "a.nested", "a.empty", "a.twice", "a.relative"}));
}

TEST(OpenApiDocumentTest, SkipsAndReportsUnsupportedHttpMethods) {
  const json::object document =
      OpenApiDocument({Method("a.trace", "TRACE", "/a"), Method("a.lower", "get", "/a"), Method("a.none", "", "/a")}, "0.0.0");
  EXPECT_EQ(MethodOperationCount(document), 0U);
  EXPECT_EQ(SkippedMethods(document), (std::vector<std::string>{"a.trace", "a.lower", "a.none"}));
}

TEST(OpenApiDocumentTest, KeepsTheFirstOfTwoMethodsOnOneRouteAndVerbOrOneName) {
  const json::object document = OpenApiDocument(
      {Method("a.first", "GET", "/a"), Method("a.second", "GET", "/a"), Method("a.first", "POST", "/a")}, "0.0.0");
  EXPECT_EQ(MethodOperationCount(document), 1U);
  EXPECT_EQ(Operation(document, "/a", "GET").at("operationId"), "a.first");
  EXPECT_EQ(SkippedMethods(document), (std::vector<std::string>{"a.second", "a.first"}));
}

TEST(OpenApiDocumentTest, TheRawDownloadFormFollowsMethodInfoBinary) {
  MethodInfo download = Method("files.get", "GET", "/files/{id}");
  download.binary = "download";
  MethodInfo upload = Method("files.put", "PUT", "/files/{id}");
  upload.binary = "upload";
  const json::object document = OpenApiDocument({download, upload, Method("files.list", "GET", "/files")}, "0.0.0");
  EXPECT_TRUE(Operation(document, "/files/{id}", "GET").at("responses").as_object().contains("206"));
  EXPECT_FALSE(Operation(document, "/files/{id}", "PUT").at("responses").as_object().contains("206"));
  EXPECT_FALSE(Operation(document, "/files", "GET").at("responses").as_object().contains("206"));
}

TEST(OpenApiDocumentTest, AMethodOnAServerRouteKeepsItsSlot) {
  const json::object document = OpenApiDocument({Method("health.check", "GET", "/healthz", "anyone")}, "0.0.0");
  EXPECT_EQ(Operation(document, "/healthz", "GET").at("operationId"), "health.check");
  EXPECT_TRUE(SkippedMethods(document).empty());
}

}  // namespace
}  // namespace selfservice::server
