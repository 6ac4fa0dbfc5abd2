/*
 * qr.h - QR symbols for label URLs (libqrencode): error correction level
 * M, the smallest version that holds the text. Label URLs are upper case,
 * so libqrencode's mode splitting uses alphanumeric mode and the symbol
 * stays small (SPEC 3).
 */
#ifndef OCOP_QR_H
#define OCOP_QR_H

#include <stddef.h>

#include "ocop.h"

#define QR_QUIET 4 /* quiet zone, modules on each side */

/* A symbol without its quiet zone: dark[y * width + x] is 1 for a dark
 * module. Caller-owned; the buffer is reused across qr_encode calls. */
struct qr_symbol {
	int width;
	int version;
	unsigned char *dark;
	size_t cap;
};

void qr_symbol_init(struct qr_symbol *q);
void qr_symbol_release(struct qr_symbol *q);

/* Encode text into q. OCOP_EINVAL when the text does not fit a QR code,
 * OCOP_EINTERNAL when libqrencode fails otherwise. Thread-safe. */
int qr_encode(const char *text, struct qr_symbol *q, struct ocop_error *err);

#endif
