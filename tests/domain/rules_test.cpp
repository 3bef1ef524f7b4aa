// The field rules every Validate() is built from: character counting, the format predicates and
// the FieldChecker's error shapes.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include <boost/json.hpp>

#include "domain/rules.hpp"

namespace selfservice {
namespace {

using Args = std::vector<std::pair<std::string, std::string>>;

std::string Repeat(std::string_view unit, std::size_t times) {
  std::string out;
  out.reserve(unit.size() * times);
  for (std::size_t i = 0; i < times; ++i) out += unit;
  return out;
}

// --- Utf8Length ---------------------------------------------------------------------------------

TEST(IsAsciiToken, TakesLettersDigitsDashesAndUnderscoresOnly) {
  for (const char* good : {"k2026", "nightly", "before-upgrade_2", "A", "-_"}) EXPECT_TRUE(IsAsciiToken(good)) << good;
  for (const char* bad : {"", "a b", "../x", "a/b", "x.db", "密钥", "tab\t"}) EXPECT_FALSE(IsAsciiToken(bad)) << bad;
}

TEST(Utf8Length, CountsAsciiBytesAsCharacters) {
  EXPECT_EQ(Utf8Length("portal"), 6u);
}

TEST(Utf8Length, CountsEachChineseCharacterOnce) {
  EXPECT_EQ(Utf8Length("客户服务门户"), 6u);
  EXPECT_EQ(std::string_view("客户服务门户").size(), 18u);
}

TEST(Utf8Length, CountsTwoAndFourByteSequencesOnce) {
  EXPECT_EQ(Utf8Length("é"), 1u);
  EXPECT_EQ(Utf8Length("\xF0\x9F\x98\x80"), 1u);  // U+1F600
}

TEST(Utf8Length, CountsEmptyTextAsZero) {
  EXPECT_EQ(Utf8Length(""), 0u);
}

TEST(Utf8Length, CountsStrayContinuationBytesAsCharacters) {
  // Malformed input must not look shorter than it is to the VARCHAR limits.
  EXPECT_EQ(Utf8Length(std::string(10, '\x80')), 10u);
}

TEST(Utf8Length, CountsTruncatedSequenceBytesSeparately) {
  EXPECT_EQ(Utf8Length("\xE4\xB8"), 2u);  // the first two bytes of 中
  EXPECT_EQ(Utf8Length("\xE4\xB8"
                       "a"),
            3u);
}

// --- IsEmail ------------------------------------------------------------------------------------

TEST(IsEmail, AcceptsOrdinaryAddresses) {
  EXPECT_TRUE(IsEmail("support@acme.example"));
  EXPECT_TRUE(IsEmail("first.last+tag@mail.acme.example"));
  EXPECT_TRUE(IsEmail("A_B-c@Example.COM"));
}

TEST(IsEmail, RejectsAddressWithoutAt) {
  EXPECT_FALSE(IsEmail("support.acme.example"));
}

TEST(IsEmail, RejectsEmptyLocalPart) {
  EXPECT_FALSE(IsEmail("@acme.example"));
}

TEST(IsEmail, RejectsDomainWithoutDot) {
  EXPECT_FALSE(IsEmail("support@localhost"));
}

TEST(IsEmail, RejectsDotsAtTheEdgesOrDoubledInTheLocalPart) {
  EXPECT_FALSE(IsEmail(".support@acme.example"));
  EXPECT_FALSE(IsEmail("support.@acme.example"));
  EXPECT_FALSE(IsEmail("sup..port@acme.example"));
}

TEST(IsEmail, RejectsSpacesAndSecondAt) {
  EXPECT_FALSE(IsEmail("sup port@acme.example"));
  EXPECT_FALSE(IsEmail("a@b@acme.example"));
}

TEST(IsEmail, RejectsLocalPartLongerThan64) {
  EXPECT_TRUE(IsEmail(std::string(64, 'a') + "@acme.example"));
  EXPECT_FALSE(IsEmail(std::string(65, 'a') + "@acme.example"));
}

// --- IsPhone ------------------------------------------------------------------------------------

TEST(IsPhone, AcceptsE164AndCommonPunctuation) {
  EXPECT_TRUE(IsPhone("+8613800138000"));
  EXPECT_TRUE(IsPhone("+86 10 8888 6666"));
  EXPECT_TRUE(IsPhone("(010) 8888-6666"));
}

TEST(IsPhone, RejectsLetters) {
  EXPECT_FALSE(IsPhone("+86 10 CALL NOW"));
}

TEST(IsPhone, RejectsPlusAfterTheStart) {
  EXPECT_FALSE(IsPhone("86+1380013800"));
}

TEST(IsPhone, NeedsFiveToFifteenDigits) {
  EXPECT_FALSE(IsPhone("1234"));
  EXPECT_TRUE(IsPhone("12345"));
  EXPECT_TRUE(IsPhone("+123456789012345"));
  EXPECT_FALSE(IsPhone("+1234567890123456"));
}

TEST(IsPhone, RejectsEmptyText) {
  EXPECT_FALSE(IsPhone(""));
}

// --- IsHttpUrl ----------------------------------------------------------------------------------

TEST(IsHttpUrl, AcceptsHttpAndHttps) {
  EXPECT_TRUE(IsHttpUrl("http://acme.example"));
  EXPECT_TRUE(IsHttpUrl("https://cdn.acme.example/logo.png?v=2#top"));
  EXPECT_TRUE(IsHttpUrl("HTTPS://ACME.EXAMPLE/"));
}

TEST(IsHttpUrl, AcceptsPortsLocalhostAndIpHosts) {
  EXPECT_TRUE(IsHttpUrl("http://localhost:8080/health"));
  EXPECT_TRUE(IsHttpUrl("http://192.168.1.10/logo.png"));
  EXPECT_TRUE(IsHttpUrl("http://[2001:db8::1]/logo.png"));
  EXPECT_TRUE(IsHttpUrl("http://[2001:db8::1]:8443/logo.png"));
}

TEST(IsHttpUrl, RejectsOtherSchemes) {
  EXPECT_FALSE(IsHttpUrl("javascript:alert(1)"));
  EXPECT_FALSE(IsHttpUrl("ftp://acme.example/file"));
  EXPECT_FALSE(IsHttpUrl("//acme.example/logo.png"));
  EXPECT_FALSE(IsHttpUrl("acme.example"));
}

TEST(IsHttpUrl, RejectsMissingHost) {
  EXPECT_FALSE(IsHttpUrl("https://"));
  EXPECT_FALSE(IsHttpUrl("https:///path"));
}

TEST(IsHttpUrl, RejectsCredentials) {
  EXPECT_FALSE(IsHttpUrl("https://user:pw@acme.example/"));
}

TEST(IsHttpUrl, RejectsWhitespaceQuotesAndAngleBrackets) {
  EXPECT_FALSE(IsHttpUrl("https://acme.example/a b"));
  EXPECT_FALSE(IsHttpUrl("https://acme.example/\"onload"));
  EXPECT_FALSE(IsHttpUrl("https://acme.example/<script>"));
}

TEST(IsHttpUrl, RejectsMalformedPorts) {
  EXPECT_FALSE(IsHttpUrl("http://acme.example:/"));
  EXPECT_FALSE(IsHttpUrl("http://acme.example:80a/"));
  EXPECT_FALSE(IsHttpUrl("http://acme.example:123456/"));
  EXPECT_FALSE(IsHttpUrl("http://acme.example:65536/"));
  EXPECT_TRUE(IsHttpUrl("http://acme.example:65535/"));
}

TEST(IsHttpUrl, RejectsMalformedPortsAfterIpv6Literal) {
  EXPECT_FALSE(IsHttpUrl("http://[::1]:abc/"));
  EXPECT_FALSE(IsHttpUrl("http://[::1]:/"));
  EXPECT_FALSE(IsHttpUrl("http://[::1]x/"));
  EXPECT_FALSE(IsHttpUrl("http://[::1/"));
  EXPECT_FALSE(IsHttpUrl("http://[not-an-ip]/"));
}

// --- IsHexColor ---------------------------------------------------------------------------------

TEST(IsHexColor, AcceptsShortAndLongForms) {
  EXPECT_TRUE(IsHexColor("#409EFF"));
  EXPECT_TRUE(IsHexColor("#409eff"));
  EXPECT_TRUE(IsHexColor("#fff"));
}

TEST(IsHexColor, RejectsOtherLengths) {
  EXPECT_FALSE(IsHexColor("#"));
  EXPECT_FALSE(IsHexColor("#ff"));
  EXPECT_FALSE(IsHexColor("#ffff"));
  EXPECT_FALSE(IsHexColor("#fffff"));
  EXPECT_FALSE(IsHexColor("#409EFF80"));  // #RRGGBBAA is not one of the two forms
}

TEST(IsHexColor, RejectsMissingHashAndNonHexDigits) {
  EXPECT_FALSE(IsHexColor("409EFF"));
  EXPECT_FALSE(IsHexColor("#409EFG"));
  EXPECT_FALSE(IsHexColor("red"));
}

// --- IsDomainName -------------------------------------------------------------------------------

TEST(IsDomainName, AcceptsMultiLabelNames) {
  EXPECT_TRUE(IsDomainName("support.acme.example"));
  EXPECT_TRUE(IsDomainName("a-b.c1.example"));
}

TEST(IsDomainName, RequiresADot) {
  EXPECT_FALSE(IsDomainName("localhost"));
}

TEST(IsDomainName, RejectsEmptyLabels) {
  EXPECT_FALSE(IsDomainName(".acme.example"));
  EXPECT_FALSE(IsDomainName("acme..example"));
  EXPECT_FALSE(IsDomainName("acme.example."));
}

TEST(IsDomainName, RejectsHyphensAtLabelEdges) {
  EXPECT_FALSE(IsDomainName("-acme.example"));
  EXPECT_FALSE(IsDomainName("acme-.example"));
}

TEST(IsDomainName, RejectsLabelsLongerThan63) {
  EXPECT_TRUE(IsDomainName(std::string(63, 'a') + ".example"));
  EXPECT_FALSE(IsDomainName(std::string(64, 'a') + ".example"));
}

TEST(IsDomainName, RejectsPortsPathsAndNonAsciiLetters) {
  EXPECT_FALSE(IsDomainName("acme.example:8080"));
  EXPECT_FALSE(IsDomainName("acme.example/path"));
  EXPECT_FALSE(IsDomainName("客户.example"));
  EXPECT_FALSE(IsDomainName("acme_1.example"));
}

// --- IsIpAddress --------------------------------------------------------------------------------

TEST(IsIpAddress, AcceptsIpv4) {
  EXPECT_TRUE(IsIpAddress("192.168.1.10"));
  EXPECT_TRUE(IsIpAddress("0.0.0.0"));
}

TEST(IsIpAddress, AcceptsIpv6IncludingMappedIpv4) {
  EXPECT_TRUE(IsIpAddress("2001:db8::1"));
  EXPECT_TRUE(IsIpAddress("::1"));
  EXPECT_TRUE(IsIpAddress("::ffff:192.168.1.10"));
}

TEST(IsIpAddress, RejectsOutOfRangeOctetsAndShortForms) {
  EXPECT_FALSE(IsIpAddress("256.1.1.1"));
  EXPECT_FALSE(IsIpAddress("1.2.3"));
  EXPECT_FALSE(IsIpAddress("1.2.3.4.5"));
}

TEST(IsIpAddress, RejectsNamesAndMalformedIpv6) {
  EXPECT_FALSE(IsIpAddress("acme.example"));
  EXPECT_FALSE(IsIpAddress("2001:db8:::1"));
  EXPECT_FALSE(IsIpAddress(""));
}

TEST(IsIpAddress, RejectsTextLongerThan45) {
  EXPECT_FALSE(IsIpAddress(std::string(46, '1')));
}

TEST(IsIpAddress, RejectsEmbeddedNul) {
  EXPECT_FALSE(IsIpAddress(std::string("1.2.3.4\0junk", 12)));
}

// --- IsSafeCss ----------------------------------------------------------------------------------

TEST(IsSafeCss, AcceptsOrdinaryStyles) {
  EXPECT_TRUE(IsSafeCss(".header { color: #409EFF; background: url(https://cdn.acme.example/bg.png); }"));
  EXPECT_TRUE(IsSafeCss("ul > li + li { margin: 0 } /* child and sibling combinators */"));
  EXPECT_TRUE(IsSafeCss(""));
}

TEST(IsSafeCss, RejectsMarkup) {
  EXPECT_FALSE(IsSafeCss("</style><script>alert(1)</script>"));
  EXPECT_FALSE(IsSafeCss("a { color: red } <"));
}

TEST(IsSafeCss, RejectsMarkupHiddenInAComment) {
  EXPECT_FALSE(IsSafeCss("/* </style><script>alert(1)</script> */"));
  EXPECT_FALSE(IsSafeCss("a{} /* unterminated </style>"));
}

TEST(IsSafeCss, RejectsJavascriptUrlsInAnyCase) {
  EXPECT_FALSE(IsSafeCss("a { background: url(javascript:alert(1)) }"));
  EXPECT_FALSE(IsSafeCss("a { background: url(JavaScript:alert(1)) }"));
}

TEST(IsSafeCss, RejectsJavascriptUrlsSplitByWhitespace) {
  EXPECT_FALSE(IsSafeCss("a { background: url(java\tscript:alert(1)) }"));
  EXPECT_FALSE(IsSafeCss("a { background: url(javascript :alert(1)) }"));
}

TEST(IsSafeCss, RejectsExpression) {
  EXPECT_FALSE(IsSafeCss("a { width: expression(alert(1)) }"));
  EXPECT_FALSE(IsSafeCss("a { width: EXPRESSION(alert(1)) }"));
}

TEST(IsSafeCss, RejectsExpressionObfuscatedWithSpacesOrComments) {
  EXPECT_FALSE(IsSafeCss("a { width: expression (alert(1)) }"));
  EXPECT_FALSE(IsSafeCss("a { width: expr/**/ession(alert(1)) }"));
}

TEST(IsSafeCss, RejectsImport) {
  EXPECT_FALSE(IsSafeCss("@import url(https://evil.example/x.css);"));
  EXPECT_FALSE(IsSafeCss("@IMPORT 'x.css';"));
}

TEST(IsSafeCss, RejectsOtherScriptHooks) {
  EXPECT_FALSE(IsSafeCss("a { behavior: url(x.htc) }"));
  EXPECT_FALSE(IsSafeCss("a { -moz-binding: url(x.xml#xss) }"));
  EXPECT_FALSE(IsSafeCss("a { background: url(vbscript:msgbox(1)) }"));
}

TEST(IsSafeCss, RejectsBackslashEscapes) {
  // \6a is "j": escapes could spell any of the words above.
  EXPECT_FALSE(IsSafeCss("a { background: url(\\6a avascript:alert(1)) }"));
}

// --- FieldChecker -------------------------------------------------------------------------------

TEST(FieldChecker, StartsWithoutErrors) {
  FieldChecker check;
  EXPECT_TRUE(check.Take().empty());
}

TEST(FieldChecker, RequiredReportsEmptyAndBlankText) {
  FieldChecker check;
  check.Required("a", "", 10);
  check.Required("b", " \t\n", 10);
  const auto errors = check.Take();
  EXPECT_EQ(errors,
            (std::vector<FieldError>{{"a", field_code::kRequired, {}}, {"b", field_code::kRequired, {}}}));
}

TEST(FieldChecker, RequiredReportsTooLongWithTheMaximum) {
  FieldChecker check;
  check.Required("title", std::string(11, 'x'), 10);
  EXPECT_EQ(check.Take(), (std::vector<FieldError>{{"title", field_code::kTooLong, {{"max", "10"}}}}));
}

TEST(FieldChecker, MaxCharsCountsCharactersNotBytes) {
  FieldChecker check;
  check.MaxChars("title", Repeat("中", 10), 10);
  EXPECT_TRUE(check.Take().empty());
  check.MaxChars("title", Repeat("中", 11), 10);
  EXPECT_EQ(check.Take(), (std::vector<FieldError>{{"title", field_code::kTooLong, {{"max", "10"}}}}));
}

TEST(FieldChecker, MaxCharsIgnoresAbsentOptional) {
  FieldChecker check;
  check.MaxChars("title", std::optional<std::string>(), 0);
  EXPECT_TRUE(check.Take().empty());
}

TEST(FieldChecker, MaxBytesCountsBytes) {
  FieldChecker check;
  check.MaxBytes("body", Repeat("中", 3), 9);
  EXPECT_TRUE(check.Take().empty());
  check.MaxBytes("body", Repeat("中", 4), 9);
  EXPECT_EQ(check.Take(), (std::vector<FieldError>{{"body", field_code::kTooLong, {{"max", "9"}}}}));
}

TEST(FieldChecker, RequiredTextReportsBlankTextOnce) {
  FieldChecker check;
  check.RequiredText("description", "   ", kTextBytes);
  EXPECT_EQ(check.Take(), (std::vector<FieldError>{{"description", field_code::kRequired, {}}}));
}

TEST(FieldChecker, RequiredTextReportsTooManyBytesOnce) {
  FieldChecker check;
  check.RequiredText("description", std::string(kTextBytes + 1, 'x'), kTextBytes);
  EXPECT_EQ(check.Take(),
            (std::vector<FieldError>{{"description", field_code::kTooLong, {{"max", "65535"}}}}));
}

TEST(FieldChecker, RangeAcceptsBoundsAndReportsMinAndMax) {
  FieldChecker check;
  check.Range("rating", 1, 1, 5);
  check.Range("rating", 5, 1, 5);
  EXPECT_TRUE(check.Take().empty());
  check.Range("rating", 6, 1, 5);
  EXPECT_EQ(check.Take(),
            (std::vector<FieldError>{{"rating", field_code::kOutOfRange, {{"min", "1"}, {"max", "5"}}}}));
}

TEST(FieldChecker, RangeIgnoresAbsentOptionals) {
  FieldChecker check;
  check.Range("a", std::optional<int>(), 1, 5);
  check.Range("b", std::optional<std::int64_t>(), 1, 5);
  check.Range("c", std::optional<double>(), 0.0, 1.0);
  EXPECT_TRUE(check.Take().empty());
}

TEST(FieldChecker, RangeOfDoublesWritesBoundsWithoutTrailingZeros) {
  FieldChecker check;
  check.Range("sentiment_score", std::optional<double>(1.5), -1.0, 1.0);
  check.Range("ai_confidence", std::optional<double>(0.5), 0.25, 0.75);
  check.Range("ai_confidence", std::optional<double>(0.8), 0.25, 0.75);
  EXPECT_EQ(check.Take(),
            (std::vector<FieldError>{
                {"sentiment_score", field_code::kOutOfRange, {{"min", "-1"}, {"max", "1"}}},
                {"ai_confidence", field_code::kOutOfRange, {{"min", "0.25"}, {"max", "0.75"}}}}));
}

TEST(FieldChecker, RangeOfDoublesRejectsNan) {
  FieldChecker check;
  check.Range("ai_confidence", std::optional<double>(std::nan("")), 0.0, 1.0);
  const auto errors = check.Take();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code, field_code::kOutOfRange);
}

TEST(FieldChecker, RangeOfDoublesRejectsInfinity) {
  FieldChecker check;
  check.Range("sentiment_score", std::optional<double>(std::numeric_limits<double>::infinity()), -1.0, 1.0);
  EXPECT_EQ(check.Take().size(), 1u);
}

TEST(FieldChecker, FormatSkipsFieldThatAlreadyHasAnError) {
  FieldChecker check;
  check.MaxChars("theme_color", std::optional<std::string>("#1234567890"), 4);
  check.Format("theme_color", std::optional<std::string>("#1234567890"), IsHexColor);
  EXPECT_EQ(check.Take(), (std::vector<FieldError>{{"theme_color", field_code::kTooLong, {{"max", "4"}}}}));
}

TEST(FieldChecker, FormatReportsInvalid) {
  FieldChecker check;
  check.Format("email", std::optional<std::string>("nope"), IsEmail);
  EXPECT_EQ(check.Take(), (std::vector<FieldError>{{"email", field_code::kInvalid, {}}}));
}

TEST(FieldChecker, JsonObjectAcceptsObjectsAndNull) {
  FieldChecker check;
  check.JsonObject("sso_config", boost::json::value(boost::json::object{{"provider", "oidc"}}));
  check.JsonObject("sso_config", boost::json::value(nullptr));
  check.JsonObject("sso_config", std::nullopt);
  EXPECT_TRUE(check.Take().empty());
}

TEST(FieldChecker, JsonObjectRejectsOtherJsonTypes) {
  FieldChecker check;
  check.JsonObject("sso_config", boost::json::value(boost::json::array{1, 2}));
  EXPECT_EQ(check.Take(), (std::vector<FieldError>{{"sso_config", field_code::kInvalid, {}}}));
}

TEST(FieldChecker, JsonObjectRejectsMoreThanATextOfJson) {
  FieldChecker check;
  check.JsonObject("sso_config",
                   boost::json::value(boost::json::object{{"k", std::string(kTextBytes, 'x')}}));
  EXPECT_EQ(check.Take(),
            (std::vector<FieldError>{{"sso_config", field_code::kTooLong, {{"max", "65535"}}}}));
}

TEST(FieldChecker, HasErrorForMatchesTheExactField) {
  FieldChecker check;
  check.Add("contact_info.email", field_code::kInvalid);
  EXPECT_TRUE(check.HasErrorFor("contact_info.email"));
  EXPECT_FALSE(check.HasErrorFor("contact_info"));
}

TEST(FieldChecker, TakeEmptiesTheChecker) {
  FieldChecker check;
  check.Add("a", field_code::kInvalid);
  EXPECT_EQ(check.Take().size(), 1u);
  EXPECT_TRUE(check.Take().empty());
}

}  // namespace
}  // namespace selfservice
