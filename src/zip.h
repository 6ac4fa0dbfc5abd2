/*
 * zip.h - a ZIP archive written in one pass (PKWARE APPNOTE 6.3), for
 * the console's downloads of a batch's files: entries stored as they are
 * (PNG is compressed already, and a print shop's tools open stored
 * entries fastest), CRC-32 by zlib, the ZIP64 end records when there are
 * 65,535 entries or more, entries and archive under 4 GiB.
 */
#ifndef OCOP_ZIP_H
#define OCOP_ZIP_H

#include <stdio.h>

#include "ocop.h"

struct zip;

/* A writer to f (the caller's, left open). */
struct zip *zip_new(FILE *f);
/* Add one entry named name (relative, '/'-separated) with its bytes.
 * OCOP_EOUTPUT when f fails, OCOP_ETOOBIG past 4 GiB. */
int zip_add(struct zip *z, const char *name, const void *data, size_t len,
	    struct ocop_error *err);
/* The central directory and end records; then f holds a whole archive. */
int zip_finish(struct zip *z, struct ocop_error *err);
/* zip_free(NULL) is a no-op. */
void zip_free(struct zip *z);

#endif
