#include "ai/answer_passage.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <iterator>
#include <optional>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "search/tokenizer.hpp"

namespace selfservice::ai {
namespace {

// Sentences a prose answer shows at most, and how well the second and third must match compared
// with the best one (a weaker sentence adds words, not an answer).
constexpr std::size_t kMaxSentences = 3;
constexpr double kMinSentenceShare = 0.5;
// A title's own terms say what the article is about, which helps pick the passage when the
// question's words are not in the body ("time zone" asked, "timezone" written); they weigh this
// much against a question term's 1.
constexpr double kTitleTermWeight = 0.3;
// Prose units allowed between two commands of one run (a connecting "and remove the hold with").
constexpr std::size_t kMaxStepGap = 2;
// Longer lines are never taken for commands or steps.
constexpr std::size_t kMaxCommandBytes = 300;
// A prose answer stops growing at this many characters (the answerer cuts the whole anyway).
constexpr std::size_t kMaxPassageChars = 600;

enum class Kind { kSentence, kCommand, kStep };

struct Unit {
  Kind kind = Kind::kSentence;
  std::string_view text;
  std::string_view command;  // kCommand only
  bool as_root = false;
  std::vector<std::size_t> terms;  // indices into Vocabulary::weights, distinct
  double score = 0;                // weight of `terms`
  double question_score = 0;       // weight of the question's terms among them
};

// The terms worth matching: the question's (weight 1), then the title's others.
struct Vocabulary {
  std::unordered_map<std::string, std::size_t> index;
  std::vector<double> weights;
  std::size_t question_terms = 0;  // the first ones are the question's

  void Add(std::string_view text, double weight) {
    search::Tokenize(text, [&](std::string_view token, int, int) {
      if (index.emplace(std::string(token), weights.size()).second) weights.push_back(weight);
    });
  }
};

constexpr std::array<std::string_view, 4> kChineseStops = {"。", "！", "？", "；"};
constexpr std::array<std::string_view, 9> kClosers = {"”", "’", "\"", "'", ")", "）", "」", "』", "】"};

// Commands a body may give without a prompt.
// clang-format off
constexpr std::string_view kKnownCommands[] = {
    "adduser", "apt", "apt-cache", "apt-file", "apt-get", "apt-mark", "aptitude", "blkid", "cat", "chmod",
    "chown", "cp", "crontab", "curl", "debconf", "df", "dpkg", "dpkg-query", "dpkg-reconfigure", "du",
    "echo", "fdisk", "find", "fsck", "git", "grep", "grub-install", "hostnamectl", "ifdown", "ifup", "ip",
    "journalctl", "kill", "ln", "locale-gen", "lsblk", "lsmod", "make", "mkdir", "mkfs", "modprobe",
    "mount", "mv", "passwd", "ping", "reboot", "rm", "rsync", "scp", "service", "shutdown", "ssh",
    "ssh-keygen", "su", "sudo", "systemctl", "tar", "timedatectl", "umount", "update-alternatives",
    "update-grub", "useradd", "usermod"};

// Words that, second on a line, make it prose ("apt is the tool ...") rather than a command.
constexpr std::string_view kProseWords[] = {
    "a", "an", "and", "are", "can", "does", "has", "in", "is", "of", "or", "that", "the", "to", "uses", "was",
    "which", "will"};
// clang-format on

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
  return text;
}

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}
bool IsLower(char c) {
  return c >= 'a' && c <= 'z';
}

std::pair<std::string_view, std::string_view> FirstWord(std::string_view text) {
  const std::size_t space = text.find(' ');
  if (space == std::string_view::npos) return {text, {}};
  return {text.substr(0, space), Trim(text.substr(space + 1))};
}

// Whether `text` reads as a shell command: ASCII, a first word of the characters command names
// and paths are made of, and no prose word after it.
bool LooksLikeCommand(std::string_view text) {
  if (text.empty() || text.size() > kMaxCommandBytes) return false;
  if (std::any_of(text.begin(), text.end(),
                  [](char c) { return (static_cast<unsigned char>(c) & 0x80) != 0; })) {
    return false;
  }
  const auto [first, rest] = FirstWord(text);
  if (!(IsLower(first.front()) || first.front() == '/' || first.front() == '.' || first.front() == '~'))
    return false;
  const bool name_like = std::all_of(first.begin(), first.end(), [](char c) {
    return IsLower(c) || IsDigit(c) || c == '.' || c == '_' || c == '/' || c == '~' || c == '+' || c == '-';
  });
  if (!name_like) return false;
  std::string_view second = FirstWord(rest).first;
  while (!second.empty() && (second.back() == ',' || second.back() == ';' || second.back() == ':')) {
    second.remove_suffix(1);
  }
  return std::find(std::begin(kProseWords), std::end(kProseWords), second) == std::end(kProseWords);
}

// The command a line gives, and whether as root; nullopt for any other line.
std::optional<std::pair<std::string_view, bool>> CommandOf(std::string_view line) {
  if (line.size() > kMaxCommandBytes) return std::nullopt;
  if (StartsWith(line, "$ ")) {
    const std::string_view rest = Trim(line.substr(2));
    if (!rest.empty()) return std::pair{rest, false};
    return std::nullopt;
  }
  if (StartsWith(line, "# ")) {
    const std::string_view rest = Trim(line.substr(2));
    if (LooksLikeCommand(rest)) return std::pair{rest, true};
    return std::nullopt;
  }
  // Without a prompt, a line that ends as a sentence does is prose ("apt-cache policy can also
  // show ... package.").
  const char last = line.back();
  if (last == '.' || last == ':' || last == ',' || last == ';') return std::nullopt;
  const std::string_view first = FirstWord(line).first;
  if (std::find(std::begin(kKnownCommands), std::end(kKnownCommands), first) != std::end(kKnownCommands) &&
      LooksLikeCommand(line)) {
    return std::pair{line, false};
  }
  return std::nullopt;
}

// "1. ", "2) ", "3、", "第一步", "Step 4", "步骤5".
bool IsNumberedStep(std::string_view line) {
  std::size_t digits = 0;
  while (digits < line.size() && digits < 3 && IsDigit(line[digits])) ++digits;
  if (digits > 0 && digits <= 2) {
    const std::string_view rest = line.substr(digits);
    if ((StartsWith(rest, ".") || StartsWith(rest, ")")) && rest.size() > 2 && rest[1] == ' ' &&
        !IsDigit(rest[2])) {
      return true;
    }
    if (StartsWith(rest, "、") || StartsWith(rest, "．")) return true;
  }
  if (StartsWith(line, "Step ") && line.size() > 5 && IsDigit(line[5])) return true;
  if (StartsWith(line, "步骤")) return true;
  if (StartsWith(line, "第")) {
    const std::size_t step = line.find("步");
    return step != std::string_view::npos && step <= 3 + 3 * 3;  // 第 and up to three numerals
  }
  return false;
}

// Cuts a prose line after 。！？；, and after . ! ? before a space and no lowercase letter (so
// "e.g. the" stays whole), a closing quote or bracket staying with its sentence.
void SplitSentences(std::string_view line, std::vector<std::string_view>& out) {
  std::size_t start = 0, i = 0;
  while (i < line.size()) {
    std::size_t end = 0;
    for (const std::string_view stop : kChineseStops) {
      if (StartsWith(line.substr(i), stop)) end = i + stop.size();
    }
    const char c = line[i];
    if (end == 0 && (c == '.' || c == '!' || c == '?') && i + 1 < line.size() && line[i + 1] == ' ') {
      const std::string_view after = Trim(line.substr(i + 1));
      if (!after.empty() && !IsLower(after.front())) end = i + 1;
    }
    if (end == 0) {
      ++i;
      continue;
    }
    for (bool closed = true; closed;) {
      closed = false;
      for (const std::string_view closer : kClosers) {
        if (StartsWith(line.substr(end), closer)) {
          end += closer.size();
          closed = true;
        }
      }
    }
    if (const std::string_view sentence = Trim(line.substr(start, end - start)); !sentence.empty()) {
      out.push_back(sentence);
    }
    start = i = end;
  }
  if (const std::string_view rest = Trim(line.substr(start)); !rest.empty()) out.push_back(rest);
}

std::vector<Unit> Segment(std::string_view body) {
  std::vector<Unit> units;
  std::vector<std::string_view> sentences;
  while (!body.empty()) {
    const std::size_t newline = body.find('\n');
    const std::string_view line = Trim(body.substr(0, newline));
    body.remove_prefix(newline == std::string_view::npos ? body.size() : newline + 1);
    if (line.empty()) continue;
    if (const auto command = CommandOf(line)) {
      units.push_back(Unit{Kind::kCommand, line, command->first, command->second, {}, 0, 0});
    } else if (line.size() <= kMaxCommandBytes && IsNumberedStep(line)) {
      units.push_back(Unit{Kind::kStep, line, {}, false, {}, 0, 0});
    } else {
      sentences.clear();
      SplitSentences(line, sentences);
      for (const std::string_view sentence : sentences)
        units.push_back(Unit{Kind::kSentence, sentence, {}, false, {}, 0, 0});
    }
  }
  return units;
}

void Score(Unit& unit, const Vocabulary& vocabulary) {
  search::Tokenize(unit.text, [&](std::string_view token, int, int) {
    const auto found = vocabulary.index.find(std::string(token));
    if (found == vocabulary.index.end()) return;
    if (std::find(unit.terms.begin(), unit.terms.end(), found->second) != unit.terms.end()) return;
    unit.terms.push_back(found->second);
    unit.score += vocabulary.weights[found->second];
    if (found->second < vocabulary.question_terms) unit.question_score += 1;
  });
}

// The weight of the distinct terms the units [first, last] hold, and of the question's among them.
std::pair<double, double> Weigh(const std::vector<Unit>& units, std::size_t first, std::size_t last,
                                const Vocabulary& vocabulary) {
  std::vector<char> seen(vocabulary.weights.size(), 0);
  double all = 0, question = 0;
  for (std::size_t i = first; i <= last; ++i) {
    for (const std::size_t term : units[i].terms) {
      if (seen[term]++ != 0) continue;
      all += vocabulary.weights[term];
      if (term < vocabulary.question_terms) question += 1;
    }
  }
  return {all, question};
}

bool IsStep(const Unit& unit) {
  return unit.kind != Kind::kSentence;
}

// The best block of steps: up to kMaxAnswerSteps commands or steps standing together (at most
// kMaxStepGap prose units between two), with the sentence that introduces them.
struct Block {
  std::size_t first = 0, last = 0;  // units, inclusive
  double score = 0, question_score = 0;
};

std::optional<Block> BestBlock(const std::vector<Unit>& units, const Vocabulary& vocabulary) {
  std::optional<Block> best;
  std::vector<std::size_t> run;  // the step units of one run
  const auto consider = [&] {
    const std::size_t windows = run.size() > kMaxAnswerSteps ? run.size() - kMaxAnswerSteps + 1 : 1;
    for (std::size_t w = 0; w < windows && !run.empty(); ++w) {
      Block block;
      block.first = run[w];
      block.last = run[std::min(run.size(), w + kMaxAnswerSteps) - 1];
      if (block.first > 0 && !IsStep(units[block.first - 1])) --block.first;
      std::tie(block.score, block.question_score) = Weigh(units, block.first, block.last, vocabulary);
      if (block.question_score > 0 && (!best || block.score > best->score)) best = block;
    }
    run.clear();
  };
  for (std::size_t i = 0; i < units.size(); ++i) {
    if (!IsStep(units[i])) continue;
    if (!run.empty() && i - run.back() > kMaxStepGap + 1) consider();
    run.push_back(i);
  }
  consider();
  return best;
}

void AddAction(const Unit& unit, std::vector<AnswerStep>& actions) {
  if (actions.size() >= kMaxAnswerSteps) return;
  const bool known = std::any_of(actions.begin(), actions.end(),
                                 [&](const AnswerStep& step) { return step.text == unit.text; });
  if (!known) actions.push_back(AnswerStep{std::string(unit.text), std::string(unit.command), unit.as_root});
}

std::size_t CountChars(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(
      text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

}  // namespace

AnswerPassage SelectPassage(std::string_view question, std::string_view title, std::string_view body) {
  Vocabulary vocabulary;
  vocabulary.Add(question, 1.0);
  vocabulary.question_terms = vocabulary.weights.size();
  vocabulary.Add(title, kTitleTermWeight);

  std::vector<Unit> units = Segment(body);
  for (Unit& unit : units) Score(unit, vocabulary);

  // The best sentence, first in the body among equals.
  std::optional<std::size_t> best_sentence;
  for (std::size_t i = 0; i < units.size(); ++i) {
    if (units[i].kind == Kind::kSentence && units[i].score > 0 &&
        (!best_sentence || units[i].score > units[*best_sentence].score)) {
      best_sentence = i;
    }
  }
  const std::optional<Block> block = BestBlock(units, vocabulary);

  AnswerPassage passage;
  std::vector<std::size_t> shown;
  if (block && (!best_sentence || block->score >= units[*best_sentence].score)) {
    passage.steps = true;
    passage.introduced = !IsStep(units[block->first]);
    for (std::size_t i = block->first; i <= block->last; ++i) {
      shown.push_back(i);
      if (IsStep(units[i])) AddAction(units[i], passage.actions);
    }
  } else if (best_sentence) {
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < units.size(); ++i) {
      if (units[i].kind == Kind::kSentence &&
          units[i].score >= kMinSentenceShare * units[*best_sentence].score) {
        order.push_back(i);
      }
    }
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return units[a].score > units[b].score; });
    std::size_t chars = 0;
    for (const std::size_t i : order) {
      if (shown.size() >= kMaxSentences ||
          (!shown.empty() && chars + CountChars(units[i].text) > kMaxPassageChars)) {
        break;
      }
      shown.push_back(i);
      chars += CountChars(units[i].text);
    }
    std::sort(shown.begin(), shown.end());
  } else {
    // Nothing of the question in the body: the article was found for its headings; its opening
    // says what it is about.
    for (std::size_t i = 0; i < units.size() && shown.size() < 2; ++i) shown.push_back(i);
  }
  for (const std::size_t i : shown) passage.lines.emplace_back(units[i].text);

  // The body's other commands and steps that match the question, best first.
  std::vector<std::size_t> others;
  for (std::size_t i = 0; i < units.size(); ++i) {
    if (IsStep(units[i]) && units[i].question_score > 0) others.push_back(i);
  }
  std::stable_sort(others.begin(), others.end(),
                   [&](std::size_t a, std::size_t b) { return units[a].score > units[b].score; });
  for (const std::size_t i : others) AddAction(units[i], passage.actions);

  // Coverage: the question's terms in the passage or the title, among those the article holds.
  std::vector<char> in_article(vocabulary.question_terms, 0), in_passage(vocabulary.question_terms, 0);
  search::Tokenize(title, [&](std::string_view token, int, int) {
    const auto found = vocabulary.index.find(std::string(token));
    if (found != vocabulary.index.end() && found->second < vocabulary.question_terms) {
      in_article[found->second] = in_passage[found->second] = 1;
    }
  });
  for (std::size_t i = 0; i < units.size(); ++i) {
    const bool chosen = std::binary_search(shown.begin(), shown.end(), i);  // shown is in body order
    for (const std::size_t term : units[i].terms) {
      if (term >= vocabulary.question_terms) continue;
      in_article[term] = 1;
      if (chosen) in_passage[term] = 1;
    }
  }
  const auto held = static_cast<double>(std::count(in_article.begin(), in_article.end(), 1));
  if (held > 0)
    passage.coverage = static_cast<double>(std::count(in_passage.begin(), in_passage.end(), 1)) / held;
  return passage;
}

std::string CutUtf8(std::string_view text, std::size_t max_chars) {
  constexpr std::string_view kEllipsis = "…";
  std::size_t chars = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;  // inside a character
    if (chars == max_chars) {
      if (max_chars == 0) return std::string();
      // Room for the ellipsis: drop the last character kept.
      std::size_t cut = i;
      do {
        --cut;
      } while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80);
      return std::string(Trim(text.substr(0, cut))) + std::string(kEllipsis);
    }
    ++chars;
  }
  return std::string(text);
}

}  // namespace selfservice::ai
