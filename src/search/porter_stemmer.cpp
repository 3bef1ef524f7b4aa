#include "search/porter_stemmer.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>

namespace selfservice::search {
namespace {

// One rule "(condition) S1 -> S2" of steps 2 to 4.
struct Rule {
  std::string_view suffix;
  std::string_view replacement;
};

// The paper obeys, of the rules of one step, only the one with the longest matching suffix, even
// when its condition then fails; tables sorted longest first make the first match that rule.
template <std::size_t N>
constexpr bool LongestFirst(const std::array<Rule, N>& rules) {
  return std::is_sorted(rules.begin(), rules.end(),
                        [](const Rule& a, const Rule& b) { return a.suffix.size() > b.suffix.size(); });
}

// Step 2, condition m > 0.
constexpr std::array<Rule, 20> kStep2 = {{
    {"ational", "ate"}, {"iveness", "ive"}, {"fulness", "ful"}, {"ousness", "ous"}, {"ization", "ize"},
    {"tional", "tion"}, {"biliti", "ble"},  {"ation", "ate"},   {"alism", "al"},    {"aliti", "al"},
    {"iviti", "ive"},   {"entli", "ent"},   {"ousli", "ous"},   {"enci", "ence"},   {"anci", "ance"},
    {"izer", "ize"},    {"abli", "able"},   {"alli", "al"},     {"ator", "ate"},    {"eli", "e"},
}};

// Step 3, condition m > 0.
constexpr std::array<Rule, 7> kStep3 = {{
    {"icate", "ic"},
    {"ative", ""},
    {"alize", "al"},
    {"iciti", "ic"},
    {"ical", "ic"},
    {"ness", ""},
    {"ful", ""},
}};

// Step 4, condition m > 1 (and, for "ion", a stem ending in s or t).
constexpr std::array<Rule, 19> kStep4 = {{
    {"ement", ""}, {"ance", ""}, {"ence", ""}, {"able", ""}, {"ible", ""}, {"ment", ""}, {"ant", ""},
    {"ent", ""},   {"ion", ""},  {"ism", ""},  {"ate", ""},  {"iti", ""},  {"ous", ""},  {"ive", ""},
    {"ize", ""},   {"al", ""},   {"er", ""},   {"ic", ""},   {"ou", ""},
}};

static_assert(LongestFirst(kStep2) && LongestFirst(kStep3) && LongestFirst(kStep4));

// A word being stemmed: the letters b_[0, k_) and the paper's predicates on its prefixes.
class Word {
 public:
  Word(char* letters, std::size_t length) : b_(letters), k_(length) {}

  std::size_t size() const { return k_; }

  // The paper's step order.
  void Stem() {
    Step1a();
    Step1b();
    Step1c();
    ApplyLongestRule(kStep2, 0);
    ApplyLongestRule(kStep3, 0);
    Step4();
    Step5a();
    Step5b();
  }

 private:
  // A consonant is a letter other than a, e, i, o, u, and other than y preceded by a consonant.
  bool IsConsonant(std::size_t i) const {
    switch (b_[i]) {
      case 'a':
      case 'e':
      case 'i':
      case 'o':
      case 'u': return false;
      case 'y': return i == 0 || !IsConsonant(i - 1);
      default: return true;
    }
  }

  // m in [C](VC){m}[V] for the prefix of `length` letters.
  int Measure(std::size_t length) const {
    std::size_t i = 0;
    while (i < length && IsConsonant(i)) ++i;
    int m = 0;
    while (i < length) {
      while (i < length && !IsConsonant(i)) ++i;
      if (i == length) break;
      while (i < length && IsConsonant(i)) ++i;
      ++m;
    }
    return m;
  }

  // *v*: the prefix contains a vowel.
  bool HasVowel(std::size_t length) const {
    for (std::size_t i = 0; i < length; ++i) {
      if (!IsConsonant(i)) return true;
    }
    return false;
  }

  // *d: the prefix ends with a double consonant.
  bool EndsWithDoubleConsonant(std::size_t length) const {
    return length >= 2 && b_[length - 1] == b_[length - 2] && IsConsonant(length - 1);
  }

  // *o: the prefix ends consonant-vowel-consonant, the last consonant not w, x or y.
  bool EndsWithCvc(std::size_t length) const {
    if (length < 3) return false;
    const char last = b_[length - 1];
    return IsConsonant(length - 3) && !IsConsonant(length - 2) && IsConsonant(length - 1) && last != 'w' &&
           last != 'x' && last != 'y';
  }

  // Compares from the last letter on, which rejects most suffixes at once (and spares a memcmp
  // call, the stemmer's main cost otherwise).
  bool EndsWith(std::string_view suffix) const {
    if (k_ < suffix.size()) return false;
    const char* end = b_ + k_;
    for (std::size_t i = 1; i <= suffix.size(); ++i) {
      if (end[-static_cast<std::ptrdiff_t>(i)] != suffix[suffix.size() - i]) return false;
    }
    return true;
  }

  // Replaces the last `suffix_size` letters with `replacement`, never longer than what it replaces
  // except in step 1b, which adds one letter after removing at least two.
  void Replace(std::size_t suffix_size, std::string_view replacement) {
    k_ -= suffix_size;
    std::memcpy(b_ + k_, replacement.data(), replacement.size());
    k_ += replacement.size();
  }

  template <std::size_t N>
  void ApplyLongestRule(const std::array<Rule, N>& rules, int measure_above) {
    for (const Rule& rule : rules) {
      if (!EndsWith(rule.suffix)) continue;
      if (Measure(k_ - rule.suffix.size()) > measure_above) Replace(rule.suffix.size(), rule.replacement);
      return;
    }
  }

  void Step1a() {
    if (EndsWith("sses") || EndsWith("ies")) {
      k_ -= 2;
    } else if (EndsWith("ss")) {
      return;
    } else if (EndsWith("s")) {
      k_ -= 1;
    }
  }

  void Step1b() {
    if (EndsWith("eed")) {
      if (Measure(k_ - 3) > 0) k_ -= 1;
      return;
    }
    if (EndsWith("ed") && HasVowel(k_ - 2)) {
      k_ -= 2;
    } else if (EndsWith("ing") && HasVowel(k_ - 3)) {
      k_ -= 3;
    } else {
      return;
    }
    // The removal may leave a stem that needs tidying (conflat -> conflate, hopp -> hop, fil -> file).
    if (EndsWith("at") || EndsWith("bl") || EndsWith("iz")) {
      Replace(0, "e");
    } else if (EndsWithDoubleConsonant(k_)) {
      const char last = b_[k_ - 1];
      if (last != 'l' && last != 's' && last != 'z') k_ -= 1;
    } else if (Measure(k_) == 1 && EndsWithCvc(k_)) {
      Replace(0, "e");
    }
  }

  void Step1c() {
    if (EndsWith("y") && HasVowel(k_ - 1)) b_[k_ - 1] = 'i';
  }

  void Step4() {
    for (const Rule& rule : kStep4) {
      if (!EndsWith(rule.suffix)) continue;
      const std::size_t stem = k_ - rule.suffix.size();
      if (Measure(stem) <= 1) return;
      if (rule.suffix == "ion" && (stem == 0 || (b_[stem - 1] != 's' && b_[stem - 1] != 't'))) return;
      k_ = stem;
      return;
    }
  }

  void Step5a() {
    if (!EndsWith("e")) return;
    const int m = Measure(k_ - 1);
    if (m > 1 || (m == 1 && !EndsWithCvc(k_ - 1))) k_ -= 1;
  }

  void Step5b() {
    if (EndsWith("l") && EndsWithDoubleConsonant(k_) && Measure(k_) > 1) k_ -= 1;
  }

  char* b_;
  std::size_t k_;
};

bool AllLowercaseLetters(const char* word, std::size_t length) {
  return std::all_of(word, word + length, [](char c) { return c >= 'a' && c <= 'z'; });
}

}  // namespace

std::size_t PorterStemInPlace(char* word, std::size_t length) {
  if (length <= 2 || !AllLowercaseLetters(word, length)) return length;
  Word w(word, length);
  w.Stem();
  return w.size();
}

std::string PorterStem(std::string_view lowercase_word) {
  std::string stem(lowercase_word);
  stem.resize(PorterStemInPlace(stem.data(), stem.size()));
  return stem;
}

}  // namespace selfservice::search
