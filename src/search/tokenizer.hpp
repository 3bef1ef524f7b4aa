// The search tokenizer: one function that turns Chinese, Japanese, Korean and English text into the
// terms of the knowledge index, used alike for articles and for queries so that both meet on the
// same terms.
//
//  - Full-width forms U+FF01..U+FF5E count as their ASCII counterparts ("ｎｇｉｎｘ" is nginx) and
//    U+3000 as a space, before anything else.
//  - Runs of CJK characters (CJK Unified Ideographs with every extension, compatibility
//    ideographs, Hiragana, Katakana, Hangul syllables) give overlapping bigrams, "服务器" -> 服务,
//    务器; a run of one character gives that character. A bigram lying inside one of a few Chinese
//    question words (怎么, 如何, 什么, 为什么, 一下, 可以, 的话) is dropped.
//  - Runs of ASCII letters and digits give lowercase words; English stop words are dropped and the
//    other words of letters only are Porter-stemmed ("connecting" -> connect). Words of letters and
//    digits ("ipv6", "x86") stay whole. Everything else separates words, as does any byte that is
//    not valid UTF-8. A word longer than 255 bytes is cut into pieces of at most that size.
//
// Every term comes with the byte span [start, end) of the text it was made from, as FTS5 needs
// for highlight() and snippet(). Only the first INT_MAX bytes of the text are read.
//
// Thread safety: no shared state; call from any thread. Never throws unless `emit` does.

#pragma once

#include <functional>
#include <string_view>

namespace selfservice::search {

// Calls `emit` with each term of `utf8` in text order. The term's bytes are valid only during the
// call.
void Tokenize(std::string_view utf8,
              const std::function<void(std::string_view token, int start, int end)>& emit);

}  // namespace selfservice::search
