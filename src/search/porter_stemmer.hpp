// The Porter stemmer for English, as published in M. F. Porter, "An algorithm for suffix
// stripping", Program 14(3), 130-137, 1980: the original five steps, not the later "Porter2" or
// the revised rules of Porter's reference code (BLI -> BLE, LOGI -> LOG).
//
// Like Porter's own implementation, words of one or two letters are left alone; the paper does not
// say so, but without it "is" and "as" would lose their "s".
//
// Thread safety: pure functions, no state.

#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace selfservice::search {

// The stem of `lowercase_word`, which should consist of the letters a-z only; a word holding any
// other byte is returned unchanged.
std::string PorterStem(std::string_view lowercase_word);

// Stems the `length` letters a-z at `word` in place and returns the stem's length, never more than
// `length`. The allocation-free form the tokenizer uses; same contract as PorterStem.
std::size_t PorterStemInPlace(char* word, std::size_t length);

}  // namespace selfservice::search
