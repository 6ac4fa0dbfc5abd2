/*
 * names.c - matching the registry's words as written (see names.h).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "assets.h"
#include "names.h"
#include "ocop.h"

char *
names_fold(const char *s)
{
	utf8proc_uint8_t *mapped = NULL;
	utf8proc_ssize_t n, i = 0, k;
	utf8proc_int32_t cp;
	char *out, *o;
	int space = 0;

	n = utf8proc_map((const utf8proc_uint8_t *)s, 0, &mapped,
			 UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPAT |
			     UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK |
			     UTF8PROC_CASEFOLD);
	if (n < 0)
		return NULL;
	/* folding only shortens what is left of mapped */
	out = o = ocop_xmalloc((size_t)n + 1);
	while (i < n) {
		k = utf8proc_iterate(mapped + i, n - i, &cp);
		if (k <= 0)
			break;
		if (cp == 0x111 || cp == 0xf0) {
			/* đ is a letter of its own, not d with a mark */
			cp = 'd';
		}
		switch (utf8proc_category(cp)) {
		case UTF8PROC_CATEGORY_LU:
		case UTF8PROC_CATEGORY_LL:
		case UTF8PROC_CATEGORY_LT:
		case UTF8PROC_CATEGORY_LM:
		case UTF8PROC_CATEGORY_LO:
		case UTF8PROC_CATEGORY_ND:
		case UTF8PROC_CATEGORY_NL:
		case UTF8PROC_CATEGORY_NO:
			if (space && o > out)
				*o++ = ' ';
			space = 0;
			o += utf8proc_encode_char(cp, (utf8proc_uint8_t *)o);
			break;
		default:
			space = 1;
		}
		i += k;
	}
	*o = '\0';
	free(mapped);
	return out;
}

enum rule { RULE_NAME, RULE_PREFIX, RULE_STRIP };

struct entry {
	const char *canon; /* one of the list's canonical values */
	enum rule rule;
	char *text; /* folded */
	size_t len;
};

struct list {
	const char *asset;
	const char *const *canon; /* NULL-terminated */
	struct entry *e;
	size_t n;
};

static const char *const group_canon[] = {"I", "II", "III", "IV",
					  "V", "VI", NULL};
static const char *const kind_canon[] = {"HTX",		  "THT",   "DN",
					 "h\xe1\xbb\x99", "other", NULL};

static struct list groups = {"registry/groups.tsv", group_canon, NULL, 0};
static struct list kinds = {"registry/producer_kinds.tsv", kind_canon, NULL, 0};
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* Read one list; lines that are not "canonical TAB rule TAB text" with a
 * known canonical value and rule are left out (tests/unit/test_names.c
 * checks that each file's names all match). */
static void
load(struct list *l)
{
	const struct ocop_asset *a = assets_find(l->asset);
	const char *p, *end, *nl;
	size_t cap = 0;

	if (!a)
		return;
	for (p = a->data, end = a->data + a->len; p < end; p = nl + 1) {
		char line[512], *f[3], *save = NULL;
		struct entry e;
		size_t len;
		int nf = 0;

		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		len = (size_t)(nl - p);
		if (len == 0 || p[0] == '#' || len >= sizeof(line))
			continue;
		memcpy(line, p, len);
		line[len] = '\0';
		for (char *t = strtok_r(line, "\t", &save); t && nf < 3;
		     t = strtok_r(NULL, "\t", &save))
			f[nf++] = t;
		if (nf < 3)
			continue;
		memset(&e, 0, sizeof(e));
		if (strcmp(f[1], "name") == 0)
			e.rule = RULE_NAME;
		else if (strcmp(f[1], "prefix") == 0)
			e.rule = RULE_PREFIX;
		else if (strcmp(f[1], "strip") == 0)
			e.rule = RULE_STRIP;
		else
			continue;
		for (size_t i = 0; l->canon[i]; i++)
			if (strcmp(f[0], l->canon[i]) == 0)
				e.canon = l->canon[i];
		if (!e.canon && e.rule != RULE_STRIP)
			continue;
		if (!(e.text = names_fold(f[2])) || !e.text[0]) {
			free(e.text);
			continue;
		}
		e.len = strlen(e.text);
		if (l->n == cap) {
			cap = cap ? cap * 2 : 64;
			l->e = ocop_xrealloc(l->e, cap * sizeof(*l->e));
		}
		l->e[l->n++] = e;
	}
}

static void
load_all(void)
{
	load(&groups);
	load(&kinds);
}

/* 1 when f begins with the words of text (len bytes). */
static int
starts_with_words(const char *f, const char *text, size_t len)
{
	return strncmp(f, text, len) == 0 && (f[len] == ' ' || !f[len]);
}

static const char *
best(const struct list *l, const char *f)
{
	const struct entry *b = NULL;

	for (size_t i = 0; i < l->n; i++) {
		const struct entry *e = &l->e[i];
		int hit = e->rule == RULE_NAME ? strcmp(f, e->text) == 0
			  : e->rule == RULE_PREFIX
			      ? starts_with_words(f, e->text, e->len)
			      : 0;

		if (hit && (!b || e->len > b->len))
			b = e;
	}
	return b ? b->canon : NULL;
}

static const char *
match(const struct list *l, const char *s)
{
	const char *canon;
	char *f;

	pthread_once(&once, load_all);
	if (!s || !(f = names_fold(s)))
		return NULL;
	canon = best(l, f);
	for (size_t i = 0; !canon && i < l->n; i++) {
		const struct entry *e = &l->e[i];

		/* starts_with_words first: f may be shorter than text */
		if (e->rule == RULE_STRIP &&
		    starts_with_words(f, e->text, e->len) && f[e->len] == ' ')
			canon = best(l, f + e->len + 1);
	}
	free(f);
	return canon;
}

const char *
names_group(const char *s)
{
	return match(&groups, s);
}

const char *
names_producer_kind(const char *s)
{
	return match(&kinds, s);
}
