package dev.selfservice;

/**
 * One entry of an error envelope's "errors": the request field at fault, a message in the
 * caller's locale, and a machine-readable code such as FIELD_REQUIRED or OFFSET_MISMATCH.
 */
public record FieldError(String field, String message, String code) {}
