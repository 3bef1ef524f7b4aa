// PorterStem: the examples printed in Porter (1980) for each step, taken through the whole
// algorithm, and the words of IT support texts.

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "search/porter_stemmer.hpp"

namespace selfservice::search {
namespace {

using Cases = std::vector<std::pair<std::string, std::string>>;

void ExpectStems(const Cases& cases) {
  for (const auto& [word, stem] : cases) EXPECT_EQ(PorterStem(word), stem) << word;
}

TEST(PorterStem, Step1aRemovesPluralS) {
  ExpectStems(
      {{"caresses", "caress"}, {"ponies", "poni"}, {"ties", "ti"}, {"caress", "caress"}, {"cats", "cat"}});
}

TEST(PorterStem, Step1bRemovesEedEdAndIngOnlyAfterAVowel) {
  ExpectStems({{"feed", "feed"},
               {"agreed", "agre"},
               {"plastered", "plaster"},
               {"bled", "bled"},
               {"motoring", "motor"},
               {"sing", "sing"}});
}

TEST(PorterStem, Step1bTidiesTheStemLeftBehind) {
  ExpectStems({{"conflated", "conflat"},
               {"troubled", "troubl"},
               {"sized", "size"},
               {"hopping", "hop"},
               {"tanned", "tan"},
               {"falling", "fall"},
               {"hissing", "hiss"},
               {"fizzed", "fizz"},
               {"failing", "fail"},
               {"filing", "file"}});
}

TEST(PorterStem, Step1cTurnsYIntoIAfterAVowel) {
  ExpectStems({{"happy", "happi"}, {"sky", "sky"}});
}

TEST(PorterStem, Step2MapsDoubleSuffixesToSingleOnes) {
  ExpectStems({{"relational", "relat"},    {"conditional", "condit"}, {"rational", "ration"},
               {"valenci", "valenc"},      {"hesitanci", "hesit"},    {"digitizer", "digit"},
               {"conformabli", "conform"}, {"radicalli", "radic"},    {"differentli", "differ"},
               {"vileli", "vile"},         {"analogousli", "analog"}, {"vietnamization", "vietnam"},
               {"predication", "predic"},  {"operator", "oper"},      {"feudalism", "feudal"},
               {"decisiveness", "decis"},  {"hopefulness", "hope"},   {"callousness", "callous"},
               {"formaliti", "formal"},    {"sensitiviti", "sensit"}, {"sensibiliti", "sensibl"}});
}

TEST(PorterStem, Step3RemovesIcAteFulNessAndTheLike) {
  ExpectStems({{"triplicate", "triplic"},
               {"formative", "form"},
               {"formalize", "formal"},
               {"electriciti", "electr"},
               {"electrical", "electr"},
               {"hopeful", "hope"},
               {"goodness", "good"}});
}

TEST(PorterStem, Step4RemovesSuffixesFromLongStems) {
  ExpectStems({{"revival", "reviv"},
               {"allowance", "allow"},
               {"inference", "infer"},
               {"airliner", "airlin"},
               {"gyroscopic", "gyroscop"},
               {"adjustable", "adjust"},
               {"defensible", "defens"},
               {"irritant", "irrit"},
               {"replacement", "replac"},
               {"adjustment", "adjust"},
               {"dependent", "depend"},
               {"adoption", "adopt"},
               {"homologou", "homolog"},
               {"communism", "commun"},
               {"activate", "activ"},
               {"angulariti", "angular"},
               {"homologous", "homolog"},
               {"effective", "effect"},
               {"bowdlerize", "bowdler"}});
}

TEST(PorterStem, Step5aRemovesAFinalE) {
  ExpectStems({{"probate", "probat"}, {"rate", "rate"}, {"cease", "ceas"}});
}

TEST(PorterStem, Step5bUndoublesAFinalL) {
  ExpectStems({{"controll", "control"}, {"roll", "roll"}});
}

TEST(PorterStem, RunsTheStepsInSequence) {
  ExpectStems({{"generalizations", "gener"}, {"oscillators", "oscil"}});
}

TEST(PorterStem, AbliIsThePapersRuleNotTheLaterBli) {
  // Porter's later code maps -bli to -ble, which would make this "conformabl".
  EXPECT_EQ(PorterStem("conformabli"), "conform");
}

TEST(PorterStem, ConflatesTheFormsOfConnect) {
  ExpectStems({{"connection", "connect"},
               {"connections", "connect"},
               {"connected", "connect"},
               {"connecting", "connect"},
               {"connect", "connect"}});
}

TEST(PorterStem, ConflatesTheFormsOfInstall) {
  ExpectStems({{"install", "instal"},
               {"installing", "instal"},
               {"installed", "instal"},
               {"installation", "instal"},
               {"installs", "instal"}});
}

TEST(PorterStem, LeavesWordsOfOneOrTwoLettersAlone) {
  ExpectStems({{"is", "is"}, {"as", "as"}, {"s", "s"}, {"", ""}});
}

TEST(PorterStem, TreatsYAfterAConsonantAsAVowel) {
  // The y of "cry" follows a consonant, so the stem has a vowel and -ing goes; a leading y is a
  // consonant, so "yield" has m = 1 and nothing to lose.
  ExpectStems({{"crying", "cry"}, {"yield", "yield"}, {"systems", "system"}});
}

TEST(PorterStem, ReturnsWordsWithOtherBytesUnchanged) {
  ExpectStems({{"ipv6", "ipv6"}, {"Running", "Running"}, {"caf\xC3\xA9s", "caf\xC3\xA9s"}});
}

TEST(PorterStemInPlace, StemsTheBufferAndReturnsTheStemsLength) {
  std::string word = "hopping";
  const std::size_t size = PorterStemInPlace(word.data(), word.size());
  EXPECT_EQ(word.substr(0, size), "hop");
}

}  // namespace
}  // namespace selfservice::search
