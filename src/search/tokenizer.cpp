#include "search/tokenizer.hpp"

#include <algorithm>
#include <array>
#include <climits>
#include <cstddef>
#include <string_view>

#include "search/porter_stemmer.hpp"

namespace selfservice::search {
namespace {

using Emit = std::function<void(std::string_view token, int start, int end)>;

// Words longer than this are cut into pieces; no English word comes near it, and the fixed buffer
// keeps tokenizing free of allocations.
constexpr std::size_t kMaxWordBytes = 255;

// Function words of questions and instructions ("how do I change the network interface",
// "wifi keeps dropping": "keeps" marks a recurring symptom, not a topic), compared before stemming.
// Deliberately short: on the dev queries a longer list of 53 English function words scored lower
// (nDCG@10 0.60 against 0.62 in English), as removing words from articles also shifts bm25's
// length normalisation. Negations ("not") stay: "does not boot" is a symptom.
constexpr std::array<std::string_view, 26> kEnglishStopWords = {
    "a",     "an", "and", "are", "can", "do", "does", "for", "how",  "i",  "in",   "is",  "it",
    "keeps", "me", "my",  "of",  "on",  "or", "that", "the", "this", "to", "what", "why", "with",
};
static_assert(std::is_sorted(kEnglishStopWords.begin(), kEnglishStopWords.end()));
constexpr std::size_t kLongestStopWord =
    std::max_element(kEnglishStopWords.begin(), kEnglishStopWords.end(),
                     [](std::string_view a, std::string_view b) { return a.size() < b.size(); })
        ->size();

// Chinese question words and fillers of colloquial queries ("服务器连不上怎么办", "如何配置网络");
// a bigram inside one of them is dropped, while the bigrams overlapping its edges stay, so that
// "我的话费" keeps 话费. On the Chinese dev queries this raised nDCG@10 from 0.48 to 0.52 (terms
// OR-ed, bm25). At most three characters each (see DecideBigram).
constexpr std::array<std::u32string_view, 7> kChineseStopWords = {
    U"怎么", U"如何", U"什么", U"为什么", U"一下", U"可以", U"的话",
};
static_assert(std::all_of(kChineseStopWords.begin(), kChineseStopWords.end(),
                          [](std::u32string_view w) { return w.size() == 2 || w.size() == 3; }));

// ASCII letters and digits to their lowercase form; 0 for every other byte, which separates words.
constexpr std::array<char, 128> kWordChar = [] {
  std::array<char, 128> table{};
  for (char c = '0'; c <= '9'; ++c) table[static_cast<unsigned char>(c)] = c;
  for (char c = 'a'; c <= 'z'; ++c) table[static_cast<unsigned char>(c)] = c;
  for (char c = 'A'; c <= 'Z'; ++c) table[static_cast<unsigned char>(c)] = static_cast<char>(c - 'A' + 'a');
  return table;
}();

// The full-width forms U+FF01..U+FF5E are U+0021..U+007E shifted by this much.
constexpr char32_t kFullWidthShift = 0xFEE0;

bool IsContinuation(unsigned char c) {
  return (c & 0xC0) == 0x80;
}

// Decodes the character at `p` (with `available` > 0 bytes readable) into `cp` and returns its
// length, or 0 when the bytes are not well-formed UTF-8: a stray continuation byte, an overlong
// form, a surrogate, a value above U+10FFFF or a truncated sequence.
std::size_t DecodeUtf8(const unsigned char* p, std::size_t available, char32_t& cp) {
  const unsigned char lead = p[0];
  if (lead < 0xC2) return 0;
  if (lead < 0xE0) {
    if (available < 2 || !IsContinuation(p[1])) return 0;
    cp = static_cast<char32_t>(lead & 0x1F) << 6 | (p[1] & 0x3F);
    return 2;
  }
  if (lead < 0xF0) {
    if (available < 3 || !IsContinuation(p[1]) || !IsContinuation(p[2])) return 0;
    if ((lead == 0xE0 && p[1] < 0xA0) || (lead == 0xED && p[1] > 0x9F)) return 0;
    cp = static_cast<char32_t>(lead & 0x0F) << 12 | static_cast<char32_t>(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
    return 3;
  }
  if (lead < 0xF5) {
    if (available < 4 || !IsContinuation(p[1]) || !IsContinuation(p[2]) || !IsContinuation(p[3])) return 0;
    if ((lead == 0xF0 && p[1] < 0x90) || (lead == 0xF4 && p[1] > 0x8F)) return 0;
    cp = static_cast<char32_t>(lead & 0x07) << 18 | static_cast<char32_t>(p[1] & 0x3F) << 12 |
         static_cast<char32_t>(p[2] & 0x3F) << 6 | (p[3] & 0x3F);
    return 4;
  }
  return 0;
}

// Characters written without spaces between words, indexed as bigrams. The katakana middle dot
// U+30FB and double hyphen U+30A0 are punctuation inside the Katakana block.
bool IsCjk(char32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) ||                  // CJK Unified Ideographs
         (cp >= 0x3400 && cp <= 0x4DBF) ||                  // Extension A
         (cp >= 0xF900 && cp <= 0xFAFF) ||                  // Compatibility Ideographs
         (cp >= 0x3041 && cp <= 0x309F) ||                  // Hiragana
         (cp >= 0x30A1 && cp <= 0x30FF && cp != 0x30FB) ||  // Katakana
         (cp >= 0xAC00 && cp <= 0xD7A3) ||                  // Hangul syllables
         (cp >= 0x20000 && cp <= 0x3FFFF);                  // Extensions B and later (planes 2, 3)
}

// Turns the characters of one text into terms. The caller feeds it characters in order and tells
// it where runs end; it holds at most one open run, an ASCII word or a CJK run, at a time.
class TermBuilder {
 public:
  TermBuilder(std::string_view text, const Emit& emit) : text_(text), emit_(emit) {}

  // `c` is a lowercase letter or a digit made from the bytes [start, end) of the text.
  void AddWordChar(char c, int start, int end) {
    EndCjkRun();
    if (word_size_ == kMaxWordBytes) EndWord();
    if (word_size_ == 0) word_start_ = start;
    word_[word_size_++] = c;
    word_end_ = end;
    if (c <= '9') word_has_digit_ = true;
  }

  void AddCjkChar(char32_t cp, int start, int end) {
    EndWord();
    run_[run_size_ % kWindow] = {cp, start, end};
    ++run_size_;
    if (run_size_ >= 3) DecideBigram(run_size_ - 3);
  }

  void EndRun() {
    EndWord();
    EndCjkRun();
  }

 private:
  struct CjkChar {
    char32_t cp;
    int start;
    int end;
  };
  // A bigram's fate depends on the character before it and the one after it.
  static constexpr std::size_t kWindow = 4;

  void EndWord() {
    if (word_size_ == 0) return;
    std::size_t size = word_size_;
    if (!word_has_digit_) {
      const bool stop =
          size <= kLongestStopWord && std::binary_search(kEnglishStopWords.begin(), kEnglishStopWords.end(),
                                                         std::string_view(word_, size));
      size = stop ? 0 : PorterStemInPlace(word_, size);
    }
    if (size > 0) emit_(std::string_view(word_, size), word_start_, word_end_);
    word_size_ = 0;
    word_has_digit_ = false;
  }

  void EndCjkRun() {
    if (run_size_ == 1) {
      const CjkChar& only = run_[0];
      emit_(text_.substr(only.start, only.end - only.start), only.start, only.end);
    } else if (run_size_ >= 2) {
      DecideBigram(run_size_ - 2);
    }
    run_size_ = 0;
  }

  // Emits the bigram of characters i and i + 1 of the run unless it lies inside a stop word;
  // characters i - 1 and i + 2 are in the window when the run has them.
  void DecideBigram(std::size_t i) {
    const auto cp_at = [this](std::size_t index) { return run_[index % kWindow].cp; };
    const char32_t before = i > 0 ? cp_at(i - 1) : 0;
    const char32_t first = cp_at(i);
    const char32_t second = cp_at(i + 1);
    const char32_t after = i + 2 < run_size_ ? cp_at(i + 2) : 0;
    for (std::u32string_view stop : kChineseStopWords) {
      const bool covered = stop.size() == 2
                               ? stop[0] == first && stop[1] == second
                               : (stop[0] == first && stop[1] == second && stop[2] == after) ||
                                     (stop[0] == before && stop[1] == first && stop[2] == second);
      if (covered) return;
    }
    const int start = run_[i % kWindow].start;
    const int end = run_[(i + 1) % kWindow].end;
    emit_(text_.substr(start, end - start), start, end);
  }

  std::string_view text_;
  const Emit& emit_;

  char word_[kMaxWordBytes];
  std::size_t word_size_ = 0;
  int word_start_ = 0;
  int word_end_ = 0;
  bool word_has_digit_ = false;

  CjkChar run_[kWindow] = {};
  std::size_t run_size_ = 0;
};

}  // namespace

void Tokenize(std::string_view utf8, const Emit& emit) {
  const std::string_view text = utf8.substr(0, std::min<std::size_t>(utf8.size(), INT_MAX));
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t size = text.size();
  TermBuilder terms(text, emit);
  std::size_t i = 0;
  while (i < size) {
    const int start = static_cast<int>(i);
    if (bytes[i] < 0x80) {
      const char c = kWordChar[bytes[i]];
      ++i;
      if (c != 0) {
        terms.AddWordChar(c, start, static_cast<int>(i));
      } else {
        terms.EndRun();
      }
      continue;
    }
    char32_t cp = 0;
    const std::size_t length = DecodeUtf8(bytes + i, size - i, cp);
    if (length == 0) {
      terms.EndRun();
      ++i;
      continue;
    }
    i += length;
    const int end = static_cast<int>(i);
    if (cp >= 0xFF01 && cp <= 0xFF5E) {
      const char c = kWordChar[cp - kFullWidthShift];
      if (c != 0) {
        terms.AddWordChar(c, start, end);
      } else {
        terms.EndRun();
      }
    } else if (IsCjk(cp)) {
      terms.AddCjkChar(cp, start, end);
    } else {
      terms.EndRun();  // U+3000 and every other space, punctuation or symbol
    }
  }
  terms.EndRun();
}

}  // namespace selfservice::search
