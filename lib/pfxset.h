/*
 * pfxset.h: a small sorted set of prefixes (addresses are host prefixes)
 * answering "does p equal or cover a member?" in O(log n): the import
 * guard's question for every prefix a peer announces (SPEC 4: never a
 * route equal to or covering a node's underlay address or an own block).
 * Rebuilt whole when its members change (rare: datastore events).
 * Ownership: the set owns its array; pfxset_fini frees it.
 */
#ifndef TERN_PFXSET_H
#define TERN_PFXSET_H

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"

struct pfxset {
	struct prefix	*v;
	size_t		 n, cap;
};

void	pfxset_clear(struct pfxset *);
void	pfxset_add(struct pfxset *, const struct prefix *);
void	pfxset_add_addr(struct pfxset *, const struct addr *);
/* Sort (and drop duplicates) after adds, before lookups. */
void	pfxset_sort(struct pfxset *);
/* Some member m with p->len <= m->len lies inside p (p equals or covers m). */
bool	pfxset_covered_by(const struct pfxset *, const struct prefix *p);
void	pfxset_fini(struct pfxset *);

#endif
