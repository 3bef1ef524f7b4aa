// The headers of portal_server's raw downloads: which Accept asks for the bytes, which Range the
// server honours (the rest is ignored: the whole file), and Content-Disposition for any file name.

#include "download_headers.hpp"

#include <limits>
#include <string>

#include <gtest/gtest.h>

namespace selfservice::server {
namespace {

TEST(AcceptsOctetStreamTest, NamedAloneOrInAListIsAccepted) {
  EXPECT_TRUE(AcceptsOctetStream("application/octet-stream"));
  EXPECT_TRUE(AcceptsOctetStream("application/json, application/octet-stream"));
  EXPECT_TRUE(AcceptsOctetStream("  Application/Octet-Stream ; q=0.5 "));
}

TEST(AcceptsOctetStreamTest, QualityZeroRefuses) {
  EXPECT_FALSE(AcceptsOctetStream("application/octet-stream;q=0"));
  EXPECT_FALSE(AcceptsOctetStream("application/octet-stream; q=0.000, application/json"));
  EXPECT_TRUE(AcceptsOctetStream("application/octet-stream;q=0.001"));
}

TEST(AcceptsOctetStreamTest, WildcardsAndOtherTypesDoNotAsk) {
  EXPECT_FALSE(AcceptsOctetStream(""));
  EXPECT_FALSE(AcceptsOctetStream("*/*"));
  EXPECT_FALSE(AcceptsOctetStream("application/*"));
  EXPECT_FALSE(AcceptsOctetStream("application/json"));
  EXPECT_FALSE(AcceptsOctetStream("application/octet-streamx"));
}

TEST(AcceptsOctetStreamTest, ACommaInsideAQuotedParameterDoesNotSplit) {
  EXPECT_FALSE(AcceptsOctetStream("text/plain; x=\"a, application/octet-stream\""));
}

TEST(ParseByteRangeTest, ClosedAndOpenRanges) {
  const auto closed = ParseByteRange("bytes=100-199");
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->first, 100);
  EXPECT_EQ(closed->last, 199);
  const auto open = ParseByteRange(" Bytes = 100 - ");
  ASSERT_TRUE(open);
  EXPECT_EQ(open->first, 100);
  EXPECT_FALSE(open->last);
  const auto one = ParseByteRange("bytes=0-0");
  ASSERT_TRUE(one);
  EXPECT_EQ(one->last, 0);
}

TEST(ParseByteRangeTest, SeveralRangesAreIgnored) {
  EXPECT_FALSE(ParseByteRange("bytes=0-1,5-9"));
  EXPECT_FALSE(ParseByteRange("bytes=0-1, 5-"));
}

TEST(ParseByteRangeTest, SuffixRangesAreIgnored) {
  EXPECT_FALSE(ParseByteRange("bytes=-500"));
}

TEST(ParseByteRangeTest, OtherUnitsAndMalformedRangesAreIgnored) {
  for (const char* header :
       {"", "bytes", "bytes=", "bytes=-", "items=0-5", "bytes=a-5", "bytes=+5-9", "bytes=5-a", "bytes=9-5",
        "bytes=5", "bytes 0-5", "bytes=99999999999999999999-"}) {
    EXPECT_FALSE(ParseByteRange(header)) << header;
  }
}

TEST(ParseByteRangeTest, TheLargestPositionsParse) {
  const std::string largest = std::to_string(std::numeric_limits<std::int64_t>::max());
  const auto range = ParseByteRange("bytes=0-" + largest);
  ASSERT_TRUE(range);
  EXPECT_EQ(range->last, std::numeric_limits<std::int64_t>::max());
}

TEST(ContentDispositionTest, AsciiNameIsQuotedAndEncoded) {
  EXPECT_EQ(ContentDisposition("report-1.pdf"),
            "attachment; filename=\"report-1.pdf\"; filename*=UTF-8''report-1.pdf");
}

TEST(ContentDispositionTest, ChineseNameGetsAnAsciiFallbackAndAPercentEncodedName) {
  EXPECT_EQ(ContentDisposition("报告 v2.pdf"),
            "attachment; filename=\"__ v2.pdf\"; filename*=UTF-8''%E6%8A%A5%E5%91%8A%20v2.pdf");
}

TEST(ContentDispositionTest, QuotesBackslashesAndControlsCannotBreakTheHeader) {
  EXPECT_EQ(ContentDisposition("a\"b\\c\r\nd"),
            "attachment; filename=\"a_b_c__d\"; filename*=UTF-8''a%22b%5Cc%0D%0Ad");
}

TEST(ContentDispositionTest, EmptyNameFallsBackToDownload) {
  EXPECT_EQ(ContentDisposition(""), "attachment; filename=\"download\"");
}

}  // namespace
}  // namespace selfservice::server
