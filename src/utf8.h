/*
 * utf8.h - strict UTF-8 validation and display width, for checking outside
 * text and for aligning columns of Vietnamese text in terminal tables.
 */
#ifndef OCOP_UTF8_H
#define OCOP_UTF8_H

#include <stddef.h>

/*
 * 1 when s[0..n) is well-formed UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF), else 0. When bad is not NULL it
 * receives the offset of the first bad byte.
 */
int utf8_valid(const char *s, size_t n, size_t *bad);

/* 1 when the NUL-terminated s is well-formed UTF-8 without control
 * characters (C0, DEL, C1), as text from outside that is shown or stored
 * must be; else 0. */
int utf8_printable(const char *s);

/*
 * Columns that the NUL-terminated s takes in a terminal: one per code
 * point, none for combining marks (decomposed Vietnamese tone marks) and
 * control characters, two for East Asian wide characters. Bytes that are
 * not valid UTF-8 count one column each.
 */
size_t utf8_width(const char *s);

#endif
