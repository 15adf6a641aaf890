/*
 * pfxset.c: sorted prefix set (see pfxset.h). Members are ordered as
 * prefix_cmp orders them (family, bytes, length), so every member inside
 * p has its start in [p's first address, p's last address] and those
 * members are contiguous: one binary search and a short scan.
 */
#include <stdlib.h>
#include <string.h>

#include "pfxset.h"
#include "xmalloc.h"

void
pfxset_clear(struct pfxset *s)
{
	s->n = 0;
}

void
pfxset_add(struct pfxset *s, const struct prefix *p)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->v = xreallocarray(s->v, s->cap, sizeof(*s->v));
	}
	s->v[s->n++] = *p;
}

void
pfxset_add_addr(struct pfxset *s, const struct addr *a)
{
	struct prefix p;

	if (a->af != AF_INET && a->af != AF_INET6)
		return;
	memset(&p, 0, sizeof(p));
	p.af = a->af;
	p.len = (uint8_t)af_maxlen(a->af);
	memcpy(p.b, a->b, af_bytes(a->af));
	pfxset_add(s, &p);
}

static int
cmp(const void *a, const void *b)
{
	return prefix_cmp(a, b);
}

void
pfxset_sort(struct pfxset *s)
{
	size_t j = 0;

	qsort(s->v, s->n, sizeof(*s->v), cmp);
	for (size_t i = 0; i < s->n; i++)
		if (j == 0 || !prefix_eq(&s->v[j - 1], &s->v[i]))
			s->v[j++] = s->v[i];
	s->n = j;
}

bool
pfxset_covered_by(const struct pfxset *s, const struct prefix *p)
{
	struct prefix lo = *p;
	size_t a = 0, b = s->n, m;

	lo.len = 0;		/* sorts before every member starting at p */
	while (a < b) {
		m = a + (b - a) / 2;
		if (prefix_cmp(&s->v[m], &lo) < 0)
			a = m + 1;
		else
			b = m;
	}
	/* members holding p (same start, shorter) first, then those in p */
	for (; a < s->n && s->v[a].af == p->af; a++) {
		if (prefix_contains(p, &s->v[a]))
			return true;
		if (!prefix_contains(&s->v[a], p))
			break;		/* past p's last address */
	}
	return false;
}

void
pfxset_fini(struct pfxset *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}
