#include "ai/openai_prompt.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <utility>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "ai/ai_json.hpp"

namespace selfservice::ai::openai {
namespace json = boost::json;
namespace {

constexpr int kMaxRelated = 20;
constexpr std::size_t kMaxIdDigits = 18;  // fits in int64

// The instructions; the no-answer marker is put where "%" stands.
constexpr std::string_view kSystemZh =
    "你是客户自助服务门户的技术支持助手。只根据用户消息中给出的知识库文章回答客户的问题。\n"
    "规则：\n"
    "1. 只使用这些文章中的内容，不要编造步骤、命令、配置或联系方式。\n"
    "2. 在用到某篇文章内容的句子后面用它的标签注明出处，例如 [#123]。\n"
    "3. 如果这些文章不能回答这个问题，只回复 %，不要写别的内容。\n"
    "4. 用简体中文简洁地回答；文章中有操作步骤时，用编号列表列出。";
constexpr std::string_view kSystemEn =
    "You are the support assistant of a customer self-service portal. Answer the customer's question "
    "using only the knowledge base articles given in the user's message.\n"
    "Rules:\n"
    "1. Use only what these articles say; never invent steps, commands, settings or contacts.\n"
    "2. After each sentence that uses an article, cite it by its label, for example [#123].\n"
    "3. If the articles do not answer the question, reply with exactly % and nothing else.\n"
    "4. Answer in English, briefly; give steps as a numbered list when the article has steps.";

constexpr std::string_view kNotFoundZh = "抱歉，知识库中没有找到这个问题的答案。";
constexpr std::string_view kNotFoundEn = "Sorry, the knowledge base does not answer this question.";

std::string WithMarker(std::string_view instructions) {
  std::string text(instructions);
  text.replace(text.find('%'), 1, kNoAnswerMarker);
  return text;
}

// Line breaks in a title or question would let it pose as a part of the prompt.
std::string OneLine(std::string_view text) {
  std::string line(Trim(text));
  std::replace_if(
      line.begin(), line.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
  return line;
}

std::string WithoutMarks(std::string text) {
  for (const std::string_view tag : {"<mark>", "</mark>"}) {
    for (std::size_t at = text.find(tag); at != std::string::npos; at = text.find(tag, at))
      text.erase(at, tag.size());
  }
  return text;
}

bool Consume(std::string_view text, std::size_t& at, std::initializer_list<std::string_view> tokens) {
  for (const std::string_view token : tokens) {
    if (text.substr(at).starts_with(token)) {
      at += token.size();
      return true;
    }
  }
  return false;
}

// The ids of a citation marker starting at `at` ("[#12]", "[#12, #13]", "【#12】"), and where it
// ends; 0 when no marker starts there.
std::size_t ParseCitation(std::string_view text, std::size_t at, std::vector<std::int64_t>& ids) {
  std::size_t i = at;
  if (!Consume(text, i, {"[", "【"})) return 0;
  std::vector<std::int64_t> found;
  for (;;) {
    while (i < text.size() && text[i] == ' ') ++i;
    if (!Consume(text, i, {"#", "＃"})) return 0;
    const std::size_t digits = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) != 0) ++i;
    if (i == digits || i - digits > kMaxIdDigits) return 0;
    std::int64_t id = 0;
    std::from_chars(text.data() + digits, text.data() + i, id);
    found.push_back(id);
    while (i < text.size() && text[i] == ' ') ++i;
    if (Consume(text, i, {"]", "】"})) break;
    if (!Consume(text, i, {",", ";", "，", "、", "；"})) return 0;
  }
  ids.insert(ids.end(), found.begin(), found.end());
  return i;
}

// Whether text at `at` closes a clause, so the space before a removed citation goes with it.
bool EndsAClause(std::string_view text, std::size_t at) {
  if (at == text.size() || std::string_view(" \t\r\n.,;:!?)").find(text[at]) != std::string_view::npos)
    return true;
  constexpr std::string_view kFullWidth[] = {"，", "。", "、", "；", "：", "！", "？", "）"};
  return std::any_of(std::begin(kFullWidth), std::end(kFullWidth),
                     [&](std::string_view mark) { return text.substr(at).starts_with(mark); });
}

// How relevant each retrieved article is, 0 … 1: its coverage of the question when the engine
// computes coverage, else its score relative to the best one.
std::vector<double> BaseRelevance(const std::vector<RetrievedArticle>& retrieved) {
  const bool coverage = std::any_of(retrieved.begin(), retrieved.end(),
                                    [](const RetrievedArticle& article) { return article.hit.coverage > 0; });
  double top = 0;
  for (const RetrievedArticle& article : retrieved) top = std::max(top, article.hit.score);
  std::vector<double> relevance;
  relevance.reserve(retrieved.size());
  for (const RetrievedArticle& article : retrieved) {
    const double value = coverage ? article.hit.coverage : (top > 0 ? article.hit.score / top : 0.0);
    relevance.push_back(std::clamp(value, 0.0, 1.0));
  }
  return relevance;
}

AiRelatedArticle Related(const SearchHit& hit, double relevance) {
  AiRelatedArticle article;
  article.id = hit.id;
  article.external_id = hit.external_id;
  article.title = hit.title;
  article.url = hit.url;
  article.category = hit.category;
  article.relevance = std::clamp(relevance, 0.0, 1.0);
  return article;
}

Status Bad(std::string_view reason) {
  return Unavailable("openai chat: " + std::string(reason), true);
}

std::string Lowered(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// The prompt did not fit in the model's context: OpenAI's code, llama.cpp's type, vLLM's message.
bool ContextTooLong(std::string_view code, std::string_view type, std::string_view message) {
  if (code == "context_length_exceeded" || Lowered(type).find("context") != std::string::npos) return true;
  const std::string lowered = Lowered(message);
  constexpr std::string_view kPhrases[] = {"context length", "context size", "context window",
                                           "maximum context"};
  return std::any_of(std::begin(kPhrases), std::end(kPhrases),
                     [&](std::string_view phrase) { return lowered.find(phrase) != std::string::npos; });
}

}  // namespace

Prompt BuildPrompt(const AiQuestion& question, int context_articles) {
  const bool zh = question.lang == ArticleLang::zh;
  Prompt prompt;
  prompt.system = WithMarker(zh ? kSystemZh : kSystemEn);
  std::string& user = prompt.user;
  user += zh ? "知识库文章：\n" : "Knowledge base articles:\n";
  const std::size_t count =
      std::min(question.retrieved.size(), static_cast<std::size_t>(std::max(context_articles, 0)));
  for (std::size_t i = 0; i < count; ++i) {
    const RetrievedArticle& article = question.retrieved[i];
    const SearchHit& hit = article.hit;
    user += "\n[#" + std::to_string(hit.id) + "] " + OneLine(hit.title) + "\n";
    if (hit.category && !hit.category->empty())
      user += (zh ? "分类：" : "Category: ") + OneLine(*hit.category) + "\n";
    const std::string text = article.body.empty() ? WithoutMarks(hit.snippet) : article.body;
    user += net::ClipForDetail(std::string(Trim(text)), kArticleBytes) + "\n";
    prompt.article_ids.push_back(hit.id);
  }
  const std::vector<std::string>& previous = question.previous_questions;
  if (!previous.empty()) {
    user += zh ? "\n本次会话中之前的问题（从早到晚）：\n"
               : "\nEarlier questions in this conversation (oldest first):\n";
    for (std::size_t i = previous.size() - std::min(previous.size(), kPreviousQuestions); i < previous.size();
         ++i)
      user += "- " + net::ClipForDetail(OneLine(previous[i]), kQuestionBytes) + "\n";
  }
  user += zh ? "\n客户的问题：" : "\nCustomer's question: ";
  user += net::ClipForDetail(OneLine(question.question), kQuestionBytes) + "\n";
  return prompt;
}

Result<Completion> ReadCompletion(std::string_view body) {
  std::string error;
  std::optional<json::value> parsed = ParseJson(body, error);
  if (!parsed) return Bad("the answer is not JSON (" + error + ")");
  const json::object* root = parsed->if_object();
  const json::value* choices = root != nullptr ? root->if_contains("choices") : nullptr;
  if (choices == nullptr || !choices->is_array() || choices->get_array().empty())
    return Bad("the answer has no choices");
  const json::object* choice = choices->get_array().front().if_object();
  const json::value* message = choice != nullptr ? choice->if_contains("message") : nullptr;
  const std::optional<std::string> content = message != nullptr && message->is_object()
                                                 ? ReadText(message->get_object().if_contains("content"))
                                                 : std::nullopt;
  if (!content) return Bad("choices[0].message.content is missing or not a string");

  std::string_view text = Trim(*content);
  if (text.starts_with("<think>")) {
    const std::size_t end = text.find("</think>");
    text = end == std::string_view::npos ? std::string_view() : Trim(text.substr(end + 8));
  }
  if (text.empty()) return Bad("choices[0].message.content is empty");
  Completion completion;
  completion.content = std::string(text);
  completion.cut = ReadText(choice->if_contains("finish_reason")) == "length";
  return completion;
}

Reply ReadReply(std::string_view content, const std::vector<std::int64_t>& known) {
  Reply reply;
  std::string text;
  std::size_t i = 0;
  while (i < content.size()) {
    std::vector<std::int64_t> ids;
    if (const std::size_t end = ParseCitation(content, i, ids); end != 0) {
      for (const std::int64_t id : ids) {
        const bool given = std::find(known.begin(), known.end(), id) != known.end();
        if (given && std::find(reply.cited.begin(), reply.cited.end(), id) == reply.cited.end())
          reply.cited.push_back(id);
      }
      i = end;
      // "restart it [#3]." reads "restart it."
      if (!text.empty() && text.back() == ' ' && EndsAClause(content, i)) text.pop_back();
      continue;
    }
    if (content.substr(i).starts_with(kNoAnswerMarker)) {
      reply.no_answer = true;
      i += kNoAnswerMarker.size();
      continue;
    }
    text += content[i++];
  }
  reply.text = std::string(Trim(text));
  return reply;
}

double Confidence(double retrieval_confidence, const Reply& reply, bool cut, double best_cited_relevance) {
  const double r = std::clamp(retrieval_confidence, 0.0, 1.0);
  double confidence = 0;
  if (reply.no_answer) {
    confidence = 0.1 * r;
  } else if (reply.cited.empty()) {
    confidence = 0.5 * r;
  } else {
    confidence = r + (1 - r) * 0.5 * std::clamp(best_cited_relevance, 0.0, 1.0);
  }
  if (cut) confidence *= 0.8;
  return std::clamp(confidence, 0.0, 1.0);
}

Result<AiAnswer> BuildAnswer(const AiQuestion& question, const Reply& reply, bool cut) {
  if (!reply.no_answer && reply.text.empty()) return Bad("the answer holds nothing but citations");
  const std::vector<RetrievedArticle>& retrieved = question.retrieved;
  const std::vector<double> relevance = BaseRelevance(retrieved);
  const auto position = [&](std::int64_t id) {
    return static_cast<std::size_t>(std::find_if(retrieved.begin(), retrieved.end(),
                                                 [id](const RetrievedArticle& a) { return a.hit.id == id; }) -
                                    retrieved.begin());
  };

  AiAnswer answer = NothingToAnswerFrom(question);
  if (!reply.no_answer) answer.answer = reply.text;
  double best_cited = 0;
  std::vector<bool> listed(retrieved.size(), false);
  for (const std::int64_t id : reply.cited) {
    const std::size_t at = position(id);
    if (at == retrieved.size() || listed[at]) continue;
    listed[at] = true;
    best_cited = std::max(best_cited, relevance[at]);
    answer.related_articles.push_back(Related(retrieved[at].hit, 0.5 + 0.5 * relevance[at]));
  }
  for (std::size_t at = 0; at < retrieved.size(); ++at) {
    if (!listed[at]) answer.related_articles.push_back(Related(retrieved[at].hit, 0.5 * relevance[at]));
  }
  answer.related_articles.resize(
      std::min(answer.related_articles.size(),
               static_cast<std::size_t>(std::clamp(question.max_results, 1, kMaxRelated))));
  if (!reply.no_answer && !reply.cited.empty()) answer.source_article_id = reply.cited.front();
  answer.confidence = Confidence(question.retrieval_confidence, reply, cut, best_cited);
  return answer;
}

AiAnswer NothingToAnswerFrom(const AiQuestion& question) {
  AiAnswer answer;
  answer.answer = std::string(question.lang == ArticleLang::en ? kNotFoundEn : kNotFoundZh);
  answer.confidence = 0;
  return answer;
}

Status ErrorFromResponse(const net::HttpResponse& response) {
  const int status = response.status;
  std::string detail = "openai chat: HTTP " + std::to_string(status);
  if (status == 401 || status == 403) return Unavailable(detail + " (the server refuses our API key)", false);
  std::string message, type, code, ignored;
  if (std::optional<json::value> body = ParseJson(response.body, ignored); body && body->is_object()) {
    const json::value* error = body->get_object().if_contains("error");
    if (error != nullptr && error->is_object()) {
      const json::object& fields = error->get_object();
      message = ReadText(fields.if_contains("message")).value_or("");
      type = ReadText(fields.if_contains("type")).value_or("");
      code = ReadId(fields.if_contains("code")).value_or("");
    } else if (error != nullptr && error->is_string()) {  // Ollama: {"error": "model 'x' not found"}
      message = std::string(error->get_string());
    } else {
      message = ReadText(body->get_object().if_contains("message")).value_or("");
    }
  }
  if ((status == 400 || status == 413) && ContextTooLong(code, type, message))
    detail += " (the prompt is too long for the model)";
  if (!message.empty()) detail += ": " + net::ClipForDetail(std::move(message));
  return Unavailable(std::move(detail), RetryableHttpStatus(status));
}

}  // namespace selfservice::ai::openai
