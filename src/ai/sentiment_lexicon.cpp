#include "ai/sentiment_lexicon.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

namespace selfservice::ai {
namespace {

enum class Kind { kWord, kNegation, kIntensifier, kContrast };

struct Entry {
  Kind kind = Kind::kWord;
  double value = 0;  // a word's polarity and strength, or an intensifier's factor
};

using Table = std::unordered_map<std::string_view, Entry>;

// Words written for customer feedback on IT service: what was fixed, how fast, how people behaved.
// Strong words weigh 2 (or 1.5), plain ones 1; intensifiers multiply, below 1 they soften.
const Table& Chinese() {
  static const Table kTable = [] {
    Table table;
    auto words = [&](double value, std::initializer_list<std::string_view> list) {
      for (auto word : list) table[word] = {Kind::kWord, value};
    };
    words(1.0, {"好", "满意", "不错", "快", "及时", "专业", "耐心", "热情", "感谢", "谢谢", "解决了", "已解决",
                "方便", "清楚", "顺利", "喜欢", "高效", "给力", "靠谱", "赞", "没问题", "有帮助", "周到",
                "友好", "细心", "好用", "稳定", "准确", "迅速", "简单", "贴心", "认真", "负责", "感激", "点赞",
                "推荐", "流畅", "满足"});
    words(1.5, {"帮助很大", "很有帮助"});
    words(2.0, {"完美", "太棒", "棒", "优秀", "出色", "满分", "超赞", "惊喜", "一流"});
    words(-1.0, {"差", "慢", "麻烦", "难用", "复杂", "繁琐", "卡", "卡顿", "延迟", "超时", "报错", "错误", "故障",
                 "失败", "不满", "投诉", "无法", "连不上", "打不开", "用不了", "登不上", "坏了", "丢失", "混乱",
                 "拖延", "无语", "着急", "退款", "没帮助", "没有帮助", "贵", "难"});
    words(-1.5, {"失望", "崩溃", "敷衍", "没人管", "生气", "好慢", "好差", "不耐烦"});
    words(-2.0, {"垃圾", "糟糕", "烂", "差劲", "恶劣", "愤怒", "最差", "坑", "骗"});
    for (auto word : {"不", "没", "没有", "别", "未", "并不", "毫不", "从不", "从未", "不是"}) {
      table[word] = {Kind::kNegation, 0};
    }
    auto intensifiers = [&](double factor, std::initializer_list<std::string_view> list) {
      for (auto word : list) table[word] = {Kind::kIntensifier, factor};
    };
    intensifiers(1.3, {"真", "真的", "一直", "总是", "挺", "老是"});
    intensifiers(1.5, {"很", "太", "超", "特别", "十分", "相当"});
    intensifiers(1.8, {"非常", "超级", "最", "极其", "极"});
    intensifiers(0.7, {"有点", "有些", "稍微", "略"});
    for (auto word : {"但是", "但", "可是", "不过", "然而"}) table[word] = {Kind::kContrast, 0};
    return table;
  }();
  return kTable;
}

const Table& English() {
  static const Table kTable = [] {
    Table table;
    auto words = [&](double value, std::initializer_list<std::string_view> list) {
      for (auto word : list) table[word] = {Kind::kWord, value};
    };
    words(1.0, {"good", "helpful", "fast", "quick", "quickly", "friendly", "satisfied", "happy", "thanks", "thank",
                "resolved", "solved", "fixed", "easy", "clear", "professional", "efficient", "patient", "polite",
                "recommend", "nice", "smooth", "reliable", "responsive", "kind", "appreciate", "pleased", "glad",
                "work", "works", "useful", "stable", "accurate", "great"});
    words(2.0, {"excellent", "perfect", "awesome", "amazing", "love", "wonderful", "fantastic", "outstanding", "best"});
    words(-1.0, {"bad", "poor", "slow", "unhelpful", "broken", "crash", "crashes", "crashed", "error", "errors", "fail",
                 "failed", "fails", "failure", "bug", "buggy", "annoying", "confusing", "complicated", "difficult",
                 "unresolved", "waste", "delay", "delayed", "outage", "unstable", "lost", "laggy", "wrong",
                 "complaint", "refund", "stuck", "expensive", "late", "ignored"});
    words(-1.5, {"rude", "angry", "frustrated", "frustrating", "disappointed", "disappointing", "unusable"});
    words(-2.0, {"terrible", "awful", "horrible", "worst", "hate", "useless", "pathetic", "unacceptable", "garbage"});
    for (auto word : {"not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "without", "cannot",
                      "hardly", "dont", "doesnt", "didnt", "isnt", "wasnt", "cant", "wont", "couldnt", "shouldnt",
                      "wouldnt", "arent", "werent", "havent", "hasnt"}) {
      table[word] = {Kind::kNegation, 0};
    }
    auto intensifiers = [&](double factor, std::initializer_list<std::string_view> list) {
      for (auto word : list) table[word] = {Kind::kIntensifier, factor};
    };
    intensifiers(1.2, {"quite", "pretty"});
    intensifiers(1.3, {"so", "too", "especially"});
    intensifiers(1.5, {"very", "really", "super", "totally", "completely", "highly"});
    intensifiers(1.8, {"extremely", "absolutely", "incredibly"});
    intensifiers(0.7, {"slightly", "somewhat", "kinda"});
    for (auto word : {"but", "however"}) table[word] = {Kind::kContrast, 0};
    return table;
  }();
  return kTable;
}

constexpr std::size_t kMaxChineseChars = 4;
constexpr int kNegationReach = 3;  // tokens after a negation that it still reaches
constexpr double kNegated = -0.8;  // "不好" is less negative than "差" is
constexpr double kBefore = 0.5;    // what came before a contrast
constexpr double kAfter = 1.5;     // the clause after it
constexpr double kScale = 4.0;     // x / sqrt(x^2 + 4): one plain word 0.45, one strong word 0.71

std::size_t Utf8Width(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xF0) return 4;
  if (lead >= 0xE0) return 3;
  if (lead >= 0xC0) return 2;
  return 1;
}

bool IsBreak(std::string_view text, std::size_t pos, std::size_t& width) {
  const auto c = static_cast<unsigned char>(text[pos]);
  if (c < 0x80) {
    width = 1;
    return c == '.' || c == ',' || c == ';' || c == '!' || c == '?' || c == ':' || c == '\n';
  }
  for (std::string_view mark : {"，", "。", "；", "！", "？", "、", "：", "…"}) {
    if (text.substr(pos, mark.size()) == mark) {
      width = mark.size();
      return true;
    }
  }
  return false;
}

// Scores tokens as they come: negation and intensity wait for the next word of their clause.
class Scorer {
 public:
  void Token(const Entry& entry) {
    switch (entry.kind) {
      case Kind::kNegation:
        // Set, not toggled: in feedback a second negation ("doesn't work and isn't good") is far
        // more often another complaint than a double negative.
        negated_ = true;
        reach_ = kNegationReach;
        return;
      case Kind::kIntensifier:
        intensity_ *= entry.value;
        return;
      case Kind::kContrast:
        total_ *= kBefore;
        weight_ = kAfter;
        Clause();
        return;
      case Kind::kWord:
        total_ += entry.value * intensity_ * (negated_ ? kNegated : 1.0) * weight_;
        Clause();
        return;
    }
  }
  // A word or character the lexicon does not know: a negation reaches only so far.
  void Unknown() {
    if (negated_ && --reach_ <= 0) negated_ = false;
  }
  void Clause() {
    negated_ = false;
    intensity_ = 1.0;
  }
  double Score() const {
    const double score = total_ / std::sqrt(total_ * total_ + kScale);
    return std::round(std::clamp(score, -1.0, 1.0) * 100.0) / 100.0;
  }

 private:
  double total_ = 0;
  double weight_ = 1.0;
  double intensity_ = 1.0;
  bool negated_ = false;
  int reach_ = 0;
};

}  // namespace

double LexiconSentiment(std::string_view text) {
  const Table& chinese = Chinese();
  const Table& english = English();
  Scorer scorer;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto c = static_cast<unsigned char>(text[pos]);
    std::size_t width = 1;
    if (IsBreak(text, pos, width)) {
      scorer.Clause();
      pos += width;
      continue;
    }
    if (std::isalpha(c) != 0) {
      // An English word; apostrophes (' and ’) are dropped, so "don't" reads "dont".
      std::string word;
      while (pos < text.size()) {
        const auto d = static_cast<unsigned char>(text[pos]);
        if (std::isalpha(d) != 0) {
          word.push_back(static_cast<char>(std::tolower(d)));
          ++pos;
        } else if (d == '\'') {
          ++pos;
        } else if (text.substr(pos, 3) == "\xE2\x80\x99") {
          pos += 3;
        } else {
          break;
        }
      }
      auto found = english.find(word);
      if (found != english.end()) {
        scorer.Token(found->second);
      } else {
        scorer.Unknown();
      }
      continue;
    }
    if (c < 0x80) {
      ++pos;  // digits, spaces, other symbols: neither words nor breaks
      continue;
    }
    // Chinese: the longest entry that starts here, else one character.
    std::vector<std::size_t> ends;
    for (std::size_t end = pos; ends.size() < kMaxChineseChars && end < text.size();) {
      end += Utf8Width(static_cast<unsigned char>(text[end]));
      ends.push_back(std::min(end, text.size()));
    }
    bool matched = false;
    for (auto end = ends.rbegin(); end != ends.rend(); ++end) {
      auto found = chinese.find(text.substr(pos, *end - pos));
      if (found != chinese.end()) {
        scorer.Token(found->second);
        pos = *end;
        matched = true;
        break;
      }
    }
    if (!matched) {
      scorer.Unknown();
      pos = ends.front();
    }
  }
  return scorer.Score();
}

}  // namespace selfservice::ai
