/*
 * names.h - the registry's words as the provinces write them: product
 * groups and producer kinds matched in any case, with or without
 * diacritics, in either Unicode normal form (SPEC 6).
 *
 * The accepted names are data, in assets/registry/groups.tsv and
 * assets/registry/producer_kinds.tsv (compiled into the binary). Each
 * line is "canonical<TAB>rule<TAB>text":
 *   name    the whole value is text
 *   prefix  the value begins with the words of text
 *   strip   text (canonical "-") is a leading word that may be dropped,
 *           as in "Nhóm Thực phẩm"
 * Both sides are folded (names_fold) before they are compared; the
 * longest text that matches wins. Thread-safe; nothing to free.
 */
#ifndef OCOP_NAMES_H
#define OCOP_NAMES_H

#include <stddef.h>

/*
 * s folded for matching: compatibility decomposition, combining marks
 * removed and case folded by utf8proc, then "đ" (U+0111, and U+00F0, the
 * look-alike some fonts put in its place) made "d", and every run of
 * characters that are neither letters nor digits made one space, with
 * none at either end. Caller frees. NULL when s is not valid UTF-8.
 */
char *names_fold(const char *s);

/* The canonical group ("I".."VI") of a value as written, or NULL. */
const char *names_group(const char *s);

/* The canonical producer kind ("HTX", "THT", "DN", "hộ", "other") that a
 * kind or a producer's name as written names, or NULL when none of the
 * accepted names matches. */
const char *names_producer_kind(const char *s);

#endif
