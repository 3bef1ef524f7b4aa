// FieldCipher: AES-256-GCM values bound to their place, key rings and rotation.

#include "security/field_cipher.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <boost/json.hpp>

#include "core/base64.hpp"

namespace selfservice::security {

// The seam FieldCipher befriends: encryption with a fixed nonce, for the published vectors only.
struct FieldCipherTestPeer {
  static std::string EncryptWithNonce(const FieldCipher& cipher, std::string_view nonce,
                                      std::string_view plaintext, std::string_view associated_data) {
    return cipher.EncryptWithNonce(nonce, plaintext, associated_data);
  }
};

namespace {

std::string Unhex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  return out;
}

std::string Key(char fill) {
  return std::string(32, fill);
}

FieldCipher MakeCipher(std::vector<FieldKey> keys) {
  auto cipher = FieldCipher::Create(keys);
  EXPECT_TRUE(cipher.ok()) << cipher.status().detail();
  return std::move(cipher).value();
}

FieldCipher OneKeyCipher() {
  return MakeCipher({{"k1", Key('a')}});
}

const std::string kPlace = "tenant-7|users|phone|42";

// The base64 payload of a stored value, decoded (nonce || ciphertext || tag).
std::string Payload(const std::string& stored) {
  return *Base64Decode(stored.substr(stored.rfind(':') + 1));
}

std::string WithPayload(const std::string& stored, const std::string& payload) {
  return stored.substr(0, stored.rfind(':') + 1) + Base64Encode(payload);
}

std::string FlipBit(std::string bytes, std::size_t index) {
  bytes[index] = static_cast<char>(bytes[index] ^ 0x01);
  return bytes;
}

void ExpectError(const Result<std::string>& result, const char* reason) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kDatabaseUnavailable);
  EXPECT_EQ(result.status().detail(), reason);
  EXPECT_FALSE(result.status().retryable());
}

// McGrew and Viega, "The Galois/Counter Mode of Operation (GCM)" (revised 2005), appendix B,
// test cases 13 to 16: the AES-256 vectors (also in NIST's GCM validation suite).
struct GcmVector {
  const char* name;
  const char* key;
  const char* iv;
  const char* plaintext;
  const char* aad;
  const char* ciphertext;
  const char* tag;
};

const GcmVector kVectors[] = {
    {"case 13", "0000000000000000000000000000000000000000000000000000000000000000",
     "000000000000000000000000", "", "", "", "530f8afbc74536b9a963b4f1c4cb738b"},
    {"case 14", "0000000000000000000000000000000000000000000000000000000000000000",
     "000000000000000000000000", "00000000000000000000000000000000", "", "cea7403d4d606b6e074ec5d3baf39d18",
     "d0d1c8a799996bf0265b98b5d48ab919"},
    {"case 15", "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
     "cafebabefacedbaddecaf888",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf"
     "5aa0de657"
     "ba637b391aafd255",
     "",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6"
     "393ba7a0a"
     "bcc9f662898015ad",
     "b094dac5d93471bdec1a502270e3cc6c"},
    {"case 16", "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
     "cafebabefacedbaddecaf888",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf"
     "5aa0de657"
     "ba637b39",
     "feedfacedeadbeeffeedfacedeadbeefabaddad2",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6"
     "393ba7a0a"
     "bcc9f662",
     "76fc6ece0f4e1768cddf8853bb2d551b"},
};

TEST(FieldCipherVectors, EncryptMatchesTheGcmSpecification) {
  for (const auto& v : kVectors) {
    const FieldCipher cipher = MakeCipher({{"nist", Unhex(v.key)}});
    const std::string stored =
        FieldCipherTestPeer::EncryptWithNonce(cipher, Unhex(v.iv), Unhex(v.plaintext), Unhex(v.aad));
    EXPECT_EQ(stored, "enc:v1:nist:" + Base64Encode(Unhex(v.iv) + Unhex(v.ciphertext) + Unhex(v.tag)))
        << v.name;
  }
}

TEST(FieldCipherVectors, DecryptOpensTheGcmSpecificationsCiphertexts) {
  for (const auto& v : kVectors) {
    const FieldCipher cipher = MakeCipher({{"nist", Unhex(v.key)}});
    const std::string stored =
        "enc:v1:nist:" + Base64Encode(Unhex(v.iv) + Unhex(v.ciphertext) + Unhex(v.tag));
    const auto plaintext = cipher.Decrypt(stored, Unhex(v.aad));
    ASSERT_TRUE(plaintext.ok()) << v.name;
    EXPECT_EQ(*plaintext, Unhex(v.plaintext)) << v.name;
  }
}

TEST(FieldCipher, RoundTripsAnEmptyValue) {
  const FieldCipher cipher = OneKeyCipher();
  const auto plaintext = cipher.Decrypt(cipher.Encrypt("", kPlace), kPlace);
  ASSERT_TRUE(plaintext.ok());
  EXPECT_EQ(*plaintext, "");
}

TEST(FieldCipher, RoundTripsAsciiAndUtf8) {
  const FieldCipher cipher = OneKeyCipher();
  for (const std::string& value :
       {std::string("+86 138 0013 8000"), std::string("张伟，北京市海淀区 \xF0\x9F\x94\x92"),
        std::string("nul\0byte", 8)}) {
    const auto plaintext = cipher.Decrypt(cipher.Encrypt(value, kPlace), kPlace);
    ASSERT_TRUE(plaintext.ok());
    EXPECT_EQ(*plaintext, value);
  }
}

TEST(FieldCipher, RoundTripsOneMebibyte) {
  const FieldCipher cipher = OneKeyCipher();
  std::string value(1 << 20, '\0');
  for (std::size_t i = 0; i < value.size(); ++i) value[i] = static_cast<char>(i * 31 + 7);
  const auto plaintext = cipher.Decrypt(cipher.Encrypt(value, kPlace), kPlace);
  ASSERT_TRUE(plaintext.ok());
  EXPECT_EQ(*plaintext, value);
}

TEST(FieldCipher, StoresTextNamingTheKeyWithNonceAndTag) {
  const FieldCipher cipher = OneKeyCipher();
  const std::string stored = cipher.Encrypt("secret value", kPlace);
  EXPECT_EQ(stored.rfind("enc:v1:k1:", 0), 0u) << stored;
  EXPECT_EQ(Payload(stored).size(), 12 + std::string("secret value").size() + 16);
  EXPECT_EQ(stored.find("secret value"), std::string::npos);
}

TEST(FieldCipher, UsesAFreshNonceEveryTime) {
  const FieldCipher cipher = OneKeyCipher();
  const std::string first = cipher.Encrypt("same", kPlace);
  const std::string second = cipher.Encrypt("same", kPlace);
  EXPECT_NE(first, second);
  EXPECT_NE(Payload(first).substr(0, 12), Payload(second).substr(0, 12));
}

TEST(FieldCipherTamper, AFlippedNonceBitIsDetected) {
  const FieldCipher cipher = OneKeyCipher();
  const std::string stored = cipher.Encrypt("value", kPlace);
  ExpectError(cipher.Decrypt(WithPayload(stored, FlipBit(Payload(stored), 0)), kPlace),
              field_cipher_error::kTampered);
}

TEST(FieldCipherTamper, AFlippedCiphertextBitIsDetected) {
  const FieldCipher cipher = OneKeyCipher();
  const std::string stored = cipher.Encrypt("value", kPlace);
  ExpectError(cipher.Decrypt(WithPayload(stored, FlipBit(Payload(stored), 12)), kPlace),
              field_cipher_error::kTampered);
}

TEST(FieldCipherTamper, AFlippedTagBitIsDetected) {
  const FieldCipher cipher = OneKeyCipher();
  const std::string stored = cipher.Encrypt("value", kPlace);
  const std::string payload = Payload(stored);
  ExpectError(cipher.Decrypt(WithPayload(stored, FlipBit(payload, payload.size() - 1)), kPlace),
              field_cipher_error::kTampered);
}

TEST(FieldCipherTamper, AValueMovedToAnotherRowOrTenantIsRefused) {
  const FieldCipher cipher = OneKeyCipher();
  const std::string stored = cipher.Encrypt("value", "tenant-7|users|phone|42");
  ExpectError(cipher.Decrypt(stored, "tenant-7|users|phone|43"), field_cipher_error::kTampered);
  ExpectError(cipher.Decrypt(stored, "tenant-8|users|phone|42"), field_cipher_error::kTampered);
  ExpectError(cipher.Decrypt(stored, ""), field_cipher_error::kTampered);
}

TEST(FieldCipherTamper, AnotherKnownKeyIdIsDetected) {
  const FieldCipher cipher = MakeCipher({{"k1", Key('a')}, {"k2", Key('b')}});
  std::string stored = cipher.Encrypt("value", kPlace);
  stored.replace(stored.find("k1"), 2, "k2");
  ExpectError(cipher.Decrypt(stored, kPlace), field_cipher_error::kTampered);
}

TEST(FieldCipherTamper, AnUnknownKeyIdIsReportedAsSuch) {
  const FieldCipher cipher = OneKeyCipher();
  std::string stored = cipher.Encrypt("value", kPlace);
  stored.replace(stored.find("k1"), 2, "k9");
  ExpectError(cipher.Decrypt(stored, kPlace), field_cipher_error::kUnknownKey);
}

TEST(FieldCipherTamper, TruncationIsDetected) {
  const FieldCipher cipher = OneKeyCipher();
  const std::string stored = cipher.Encrypt("value", kPlace);
  const std::string payload = Payload(stored);
  // One byte short: still long enough to parse, so authentication catches it.
  ExpectError(cipher.Decrypt(WithPayload(stored, payload.substr(0, payload.size() - 1)), kPlace),
              field_cipher_error::kTampered);
  // Shorter than a nonce and a tag, or cut inside the base64 text.
  ExpectError(cipher.Decrypt(WithPayload(stored, payload.substr(0, 27)), kPlace),
              field_cipher_error::kMalformed);
  ExpectError(cipher.Decrypt(stored.substr(0, stored.size() - 1), kPlace), field_cipher_error::kMalformed);
  ExpectError(cipher.Decrypt("enc:v1:k1:", kPlace), field_cipher_error::kMalformed);
}

TEST(FieldCipherTamper, JunkIsMalformed) {
  const FieldCipher cipher = OneKeyCipher();
  for (const char* junk : {"", "plain text", "enc:v1:", "enc:v1:k1", "enc:v2:k1:AAAA", "enc:v1:k 1:AAAA",
                           "enc:v1:k1:not base64!", "ENC:V1:k1:AAAA"}) {
    ExpectError(cipher.Decrypt(junk, kPlace), field_cipher_error::kMalformed);
  }
}

TEST(FieldCipherRotation, OldKeysStillDecrypt) {
  const FieldCipher old_ring = MakeCipher({{"k2025", Key('a')}});
  const std::string stored = old_ring.Encrypt("value", kPlace);
  const FieldCipher new_ring = MakeCipher({{"k2026", Key('b')}, {"k2025", Key('a')}});
  const auto plaintext = new_ring.Decrypt(stored, kPlace);
  ASSERT_TRUE(plaintext.ok());
  EXPECT_EQ(*plaintext, "value");
  EXPECT_EQ(new_ring.current_key_id(), "k2026");
  EXPECT_EQ(new_ring.Encrypt("value", kPlace).rfind("enc:v1:k2026:", 0), 0u);
}

TEST(FieldCipherRotation, NeedsReencryptionOnlyForOtherKeys) {
  const FieldCipher old_ring = MakeCipher({{"k2025", Key('a')}});
  const FieldCipher new_ring = MakeCipher({{"k2026", Key('b')}, {"k2025", Key('a')}});
  EXPECT_TRUE(new_ring.NeedsReencryption(old_ring.Encrypt("value", kPlace)));
  EXPECT_FALSE(new_ring.NeedsReencryption(new_ring.Encrypt("value", kPlace)));
  EXPECT_FALSE(new_ring.NeedsReencryption("plain text"));
  EXPECT_FALSE(new_ring.NeedsReencryption("enc:v1:"));
}

TEST(FieldCipherRotation, ReencryptMovesAValueToTheCurrentKey) {
  const FieldCipher old_ring = MakeCipher({{"k2025", Key('a')}});
  const FieldCipher new_ring = MakeCipher({{"k2026", Key('b')}, {"k2025", Key('a')}});
  const auto moved = new_ring.Reencrypt(old_ring.Encrypt("value", kPlace), kPlace);
  ASSERT_TRUE(moved.ok());
  EXPECT_FALSE(new_ring.NeedsReencryption(*moved));
  const FieldCipher only_new = MakeCipher({{"k2026", Key('b')}});
  const auto plaintext = only_new.Decrypt(*moved, kPlace);
  ASSERT_TRUE(plaintext.ok());
  EXPECT_EQ(*plaintext, "value");
}

TEST(FieldCipherRotation, ReencryptRefusesWhatDoesNotDecrypt) {
  const FieldCipher cipher = OneKeyCipher();
  ExpectError(cipher.Reencrypt(cipher.Encrypt("value", kPlace), "elsewhere"), field_cipher_error::kTampered);
  ExpectError(cipher.Reencrypt("junk", kPlace), field_cipher_error::kMalformed);
}

TEST(FieldCipher, IsEncryptedLooksAtThePrefix) {
  const FieldCipher cipher = OneKeyCipher();
  EXPECT_TRUE(FieldCipher::IsEncrypted(cipher.Encrypt("value", kPlace)));
  EXPECT_FALSE(FieldCipher::IsEncrypted("13800138000"));
  EXPECT_FALSE(FieldCipher::IsEncrypted(""));
  EXPECT_FALSE(FieldCipher::IsEncrypted("enc:v2:k1:AAAA"));
}

TEST(FieldCipherKeys, RefusesAnEmptyRing) {
  const auto cipher = FieldCipher::Create({});
  ASSERT_FALSE(cipher.ok());
  EXPECT_EQ(cipher.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(cipher.status().field_errors(), (std::vector<FieldError>{{"keys", field_code::kRequired, {}}}));
}

TEST(FieldCipherKeys, RefusesKeysThatAreNot32Bytes) {
  const auto cipher = FieldCipher::Create({{"short", std::string(16, 'a')}, {"long", std::string(33, 'a')}});
  ASSERT_FALSE(cipher.ok());
  EXPECT_EQ(cipher.status().field_errors(),
            (std::vector<FieldError>{{"keys[0].key", field_code::kInvalid, {}},
                                     {"keys[1].key", field_code::kInvalid, {}}}));
}

TEST(FieldCipherKeys, RefusesDuplicateAndMalformedIds) {
  const auto cipher = FieldCipher::Create({{"k1", Key('a')},
                                           {"k1", Key('b')},
                                           {"", Key('c')},
                                           {"has:colon", Key('d')},
                                           {std::string(33, 'x'), Key('e')}});
  ASSERT_FALSE(cipher.ok());
  EXPECT_EQ(cipher.status().field_errors(),
            (std::vector<FieldError>{{"keys[1].id", field_code::kInvalid, {}},
                                     {"keys[2].id", field_code::kInvalid, {}},
                                     {"keys[3].id", field_code::kInvalid, {}},
                                     {"keys[4].id", field_code::kInvalid, {}}}));
}

TEST(FieldCipherKeys, ErrorsNeverQuoteKeyBytes) {
  const auto cipher = FieldCipher::Create({{"k1", "0123456789abcdef-not-32"}});
  ASSERT_FALSE(cipher.ok());
  EXPECT_EQ(cipher.status().detail().find("0123456789abcdef"), std::string::npos);
  for (const auto& error : cipher.status().field_errors()) {
    for (const auto& [name, value] : error.args) EXPECT_EQ(value.find("0123456789abcdef"), std::string::npos);
  }
}

TEST(FieldCipherKeys, ReadsARingFromJson) {
  const auto old_ring = FieldCipher::FromJson(
      boost::json::parse(R"([{"id": "k2025", "key_base64": ")" + Base64Encode(Key('a')) + R"("}])"));
  ASSERT_TRUE(old_ring.ok());
  const auto ring = FieldCipher::FromJson(
      boost::json::parse(R"([{"id": "k2026", "key_base64": ")" + Base64Encode(Key('b')) +
                         R"("}, {"id": "k2025", "key_base64": ")" + Base64Encode(Key('a')) + R"("}])"));
  ASSERT_TRUE(ring.ok());
  EXPECT_EQ(ring->current_key_id(), "k2026");
  const auto plaintext = ring->Decrypt(old_ring->Encrypt("value", kPlace), kPlace);
  ASSERT_TRUE(plaintext.ok());
  EXPECT_EQ(*plaintext, "value");
}

TEST(FieldCipherKeys, RefusesBadJsonRings) {
  EXPECT_EQ(FieldCipher::FromJson(boost::json::parse(R"({"id": "k1"})")).status().field_errors(),
            (std::vector<FieldError>{{"keys", field_code::kInvalid, {}}}));
  EXPECT_EQ(FieldCipher::FromJson(boost::json::parse("[]")).status().field_errors(),
            (std::vector<FieldError>{{"keys", field_code::kRequired, {}}}));
  EXPECT_EQ(FieldCipher::FromJson(boost::json::parse(R"([1, {"id": "k2"}])")).status().field_errors(),
            (std::vector<FieldError>{{"keys[0]", field_code::kInvalid, {}},
                                     {"keys[1].key_base64", field_code::kRequired, {}}}));
  const std::string sixteen = Base64Encode(std::string(16, 'a'));
  EXPECT_EQ(FieldCipher::FromJson(boost::json::parse(R"([{"id": "k1", "key_base64": "not base64"},
                                                          {"id": 7, "key_base64": ")" +
                                                     sixteen + R"("}])"))
                .status()
                .field_errors(),
            (std::vector<FieldError>{{"keys[0].key_base64", field_code::kInvalid, {}},
                                     {"keys[1].id", field_code::kInvalid, {}},
                                     {"keys[1].key_base64", field_code::kInvalid, {}}}));
}

}  // namespace
}  // namespace selfservice::security
