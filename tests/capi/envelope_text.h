/*
 * Reading envelopes as text, for the C tests of the C ABI (C99, no JSON library): the code, an
 * integer or a string member. Each test program includes it once.
 */
#ifndef SELFSERVICE_TESTS_CAPI_ENVELOPE_TEXT_H
#define SELFSERVICE_TESTS_CAPI_ENVELOPE_TEXT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The integer after the first "key": whose value is a number; -1 when there is none. String
 * values are skipped, so IntegerAfter(envelope, "code") finds the envelope's code and never the
 * "code" of a field error. */
static inline long IntegerAfter(const char* json, const char* key) {
  char pattern[64];
  const char* at = json;
  snprintf(pattern, sizeof pattern, "\"%s\":", key);
  while (json != NULL && (at = strstr(at, pattern)) != NULL) {
    const char* value = at + strlen(pattern);
    while (*value == ' ') ++value;
    if ((*value >= '0' && *value <= '9') || *value == '-') return strtol(value, NULL, 10);
    at = value;
  }
  return -1;
}

static inline long Code(const char* envelope) {
  return IntegerAfter(envelope, "code");
}

/* Copies the string value of the first "key": into out (no escapes expected); 0 when absent. */
static inline int StringAfter(const char* json, const char* key, char* out, size_t size) {
  char pattern[64];
  const char* value;
  const char* end;
  snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
  value = json ? strstr(json, pattern) : NULL;
  if (value == NULL) return 0;
  value += strlen(pattern);
  end = strchr(value, '"');
  if (end == NULL || (size_t)(end - value) >= size) return 0;
  memcpy(out, value, (size_t)(end - value));
  out[end - value] = '\0';
  return 1;
}

#endif /* SELFSERVICE_TESTS_CAPI_ENVELOPE_TEXT_H */
