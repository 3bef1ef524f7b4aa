// What search_eval and ai_eval share: reading the knowledge-base data folder (../shared/data/kb,
// its README.md describes the files) and reading the portal's envelopes. Header-only, for the two
// evaluation programs of this folder; nothing here is part of the library.

#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json.hpp>

#include "selfservice/portal.hpp"

namespace kb_eval {

// Any failure of an evaluation: the program reports it and exits 1.
class EvalError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One judged query of queries-dev.jsonl: {qid, lang, query, relevant: {article id: grade}}, and
// "relevant": {} (with "expect_no_answer": true) for the out-of-scope ones.
struct Query {
  std::string qid;
  std::string lang;  // "zh" or "en"; judged against the articles of that language only
  std::string text;
  std::map<std::string, std::int64_t> relevant;  // article id -> grade 1 or 2; empty: no answer expected

  bool answerable() const { return !relevant.empty(); }

  // The judged grade of an article for this query; 0 when unjudged or absent.
  std::int64_t Grade(const std::string* article_id) const {
    if (article_id == nullptr) return 0;
    const auto found = relevant.find(*article_id);
    return found == relevant.end() ? 0 : found->second;
  }
};

inline std::vector<boost::json::object> ReadJsonLines(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw EvalError("cannot read " + path.string());
  std::vector<boost::json::object> lines;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    boost::system::error_code ec;
    boost::json::value value = boost::json::parse(line, ec);
    if (ec || !value.is_object()) {
      throw EvalError(path.string() + ":" + std::to_string(number) + ": not a JSON object");
    }
    lines.push_back(std::move(value.get_object()));
  }
  return lines;
}

inline std::string StringField(const boost::json::object& object, std::string_view key) {
  const boost::json::value* value = object.if_contains(key);
  if (value == nullptr || !value->is_string())
    throw EvalError("missing string field '" + std::string(key) + "'");
  return std::string(value->get_string());
}

inline std::vector<Query> LoadQueries(const std::filesystem::path& path) {
  std::vector<Query> queries;
  for (const auto& line : ReadJsonLines(path)) {
    Query query{StringField(line, "qid"), StringField(line, "lang"), StringField(line, "query"), {}};
    if (const boost::json::value* relevant = line.if_contains("relevant");
        relevant != nullptr && relevant->is_object()) {
      for (const auto& [id, grade] : relevant->get_object())
        query.relevant.emplace(id, grade.to_number<std::int64_t>());
    }
    queries.push_back(std::move(query));
  }
  return queries;
}

// The data of a successful envelope; anything else is an EvalError naming `what`.
inline const boost::json::object& SuccessData(const boost::json::object& envelope, std::string_view what) {
  const boost::json::value* data = envelope.if_contains("data");
  if (envelope.at("code") != 200 || data == nullptr || !data->is_object()) {
    throw EvalError(std::string(what) + " failed: " + boost::json::serialize(envelope));
  }
  return data->get_object();
}

// A portal on an in-memory SQLite database with default options, quiet logs.
inline std::unique_ptr<selfservice::Portal> OpenMemoryPortal() {
  selfservice::PortalOptions options;
  options.storage = "sqlite::memory:";
  options.log_level = "error";
  auto portal = selfservice::Portal::Open(options);
  if (!portal.ok()) throw EvalError("cannot open the portal: " + selfservice::ErrorEnvelope(portal.status()));
  return std::move(portal).value();
}

// The platform administrator of tenant 1, who may import a file of the host (knowledge.import path).
inline selfservice::RequestContext PlatformAdmin(std::string trace_id) {
  selfservice::RequestContext context;
  context.tenant_id = 1;
  context.customer_id = 1;
  context.user_id = 1;
  context.roles = static_cast<unsigned>(selfservice::Role::kPlatformAdmin);
  context.locale = selfservice::Locale::kEnUS;
  context.trace_id = std::move(trace_id);
  return context;
}

// A customer's end user asking in the query's language: what searching and asking are.
inline selfservice::RequestContext CustomerUser(const Query& query, std::string trace_id) {
  selfservice::RequestContext context;
  context.tenant_id = 1;
  context.customer_id = 10;
  context.user_id = 100;
  context.roles = static_cast<unsigned>(selfservice::Role::kCustomerUser);
  context.locale = query.lang == "zh" ? selfservice::Locale::kZhCN : selfservice::Locale::kEnUS;
  context.trace_id = std::move(trace_id);
  return context;
}

// knowledge.import of a JSON Lines file of articles; returns the import's report.
inline boost::json::object ImportCorpus(selfservice::Portal& portal, const std::filesystem::path& corpus,
                                        std::string trace_id) {
  return SuccessData(portal.Invoke("knowledge.import", PlatformAdmin(std::move(trace_id)),
                                   boost::json::object{{"path", std::filesystem::absolute(corpus).string()}}),
                     "knowledge.import");
}

}  // namespace kb_eval
