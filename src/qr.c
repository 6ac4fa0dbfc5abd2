/*
 * qr.c - QR symbols for label URLs (libqrencode).
 */
#include <errno.h>
#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

#include "qr.h"

void
qr_symbol_init(struct qr_symbol *q)
{
	memset(q, 0, sizeof(*q));
}

void
qr_symbol_release(struct qr_symbol *q)
{
	free(q->dark);
	memset(q, 0, sizeof(*q));
}

int
qr_encode(const char *text, struct qr_symbol *q, struct ocop_error *err)
{
	QRcode *code;
	size_t n;

	/* version 0: the smallest that fits; QR_MODE_8 with case
	 * sensitivity lets libqrencode split the text into numeric,
	 * alphanumeric and byte segments as it sees fit */
	code = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!code) {
		if (errno == ERANGE || errno == EINVAL)
			return ocop_error_set(err, OCOP_EINVAL,
					      "cannot encode '%.60s' as a QR "
					      "code: too long",
					      text);
		return ocop_error_set(err, OCOP_EINTERNAL,
				      "cannot encode '%.60s' as a QR code: %s",
				      text, strerror(errno));
	}
	n = (size_t)code->width * (size_t)code->width;
	if (n > q->cap) {
		q->dark = ocop_xrealloc(q->dark, n);
		q->cap = n;
	}
	q->width = code->width;
	q->version = code->version;
	/* bit 0 of each libqrencode byte is the module's colour */
	for (size_t i = 0; i < n; i++)
		q->dark[i] = code->data[i] & 1;
	QRcode_free(code);
	return 0;
}
