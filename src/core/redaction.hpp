// Redact: masks secrets and personal data in a log line, so neither reaches a log file even when
// a message quotes a request, a URL or an error from a remote system. The library's logger runs
// every line it writes through it (core/logging.cpp).
//
// What is masked, and with what:
//   - Values of secret keys, in JSON ("password": "x"), key=value and "key: value" forms, quoted
//     or not: password, passwd, pwd, passphrase, secret, token, api_key, apikey, authorization,
//     otp, totp, mfa_code, otp_code, key_base64, private_key, cookie, and any key ending in
//     _<one of these> (access_token, refresh_token, client_secret, smtp_password; '-' and '.'
//     count as '_'): the value becomes ***. An authorization value keeps its scheme ("Basic ***").
//   - "Bearer <token>" anywhere: Bearer ***.
//   - JWT-looking strings (eyJ... with two or more dots between base64url segments): ***.
//   - The password of URL user info (smtp://user:***@host).
//   - E-mail addresses: the local part only (***@example.com). The domain stays: it names the
//     organisation or mail provider, which is what an operator tracing a delivery needs.
//   - Phone numbers: "+" and 8 to 15 digits with spaces, dashes, dots or parentheses between
//     them (E.164), and Chinese mobile numbers 1[3-9]xxxxxxxxx (also 3-4-4 with spaces or
//     dashes) standing alone: <phone>.
//   - IPv4 (four dotted decimals 0-255 standing alone) and IPv6 addresses: <ip>.
// Left alone: other numbers (ticket ids, epoch timestamps of 10 or 13 digits, durations such as
// 150ms, dates and times such as 2026-11-26 01:54:07), three-part versions such as 1.2.3 and
// words. A four-part dotted version ("1.2.3.4") reads exactly like an IPv4 address and is masked:
// a version number lost from a log costs less than an address kept in it ("v1.2.3.4" stays).
// An 11-digit number starting 13 to 19 is taken for a mobile number.
//
// Thread safety: a pure function. Cost: one pass over the line with a few look-aheads per word.

#pragma once

#include <string>
#include <string_view>

namespace selfservice {

// `line` with the values above masked; byte-identical when there is nothing to mask.
std::string Redact(std::string_view line);

}  // namespace selfservice
