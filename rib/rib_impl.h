/*
 * rib_impl.h: the rib's private structures, shared by rib.c, table.c,
 * attrs.c and decide.c. Never included from outside rib/ (STYLE 5.2).
 *
 * Memory layout (the 1,000,000-route benchmark measures peak RSS):
 * - an entry holds its best path inline (head) and only the significant
 *   bytes of its prefix, so a prefix with one path costs one slab object
 *   of 40 bytes (IPv4) or 56 (IPv6) and no other allocation; further
 *   paths (add-path, several peers) are 32-byte slab objects chained from
 *   head; one table per address family, as the entry sizes differ;
 * - the prefix table is open addressing over 32-bit slots (entry index
 *   and hash tag), 4 bytes a slot, 5 to 11 per prefix at our loads;
 * - an entry's slab index is its id (rib.h): clients keep per-prefix
 *   state in arrays indexed by it instead of tables keyed by prefix;
 * - attribute sets are interned in their own small table.
 */
#ifndef TERN_RIB_IMPL_H
#define TERN_RIB_IMPL_H

#include <bsd/sys/queue.h>
#include <string.h>

#include "rib.h"

/*
 * Slab of fixed-size objects addressed by a 32-bit index, allocated in
 * chunks of RIB_SLAB_CHUNK objects and recycled through a free list (no
 * per-object malloc header). Memory goes back to libc only when the slab
 * is empty again (rib_slab_trim, after a full flush) or freed.
 */
#define RIB_SLAB_SHIFT	12
#define RIB_SLAB_CHUNK	(1u << RIB_SLAB_SHIFT)

struct rib_slab {
	size_t		  size;		/* object size */
	uint8_t		**chunks;
	uint32_t	  nchunks;
	uint32_t	  chunkcap;
	uint32_t	  fresh;	/* next never-used index */
	void		 *free;		/* free list (struct slab_free) */
	size_t		  live;
};

void	 rib_slab_init(struct rib_slab *, size_t);
void	 rib_slab_fini(struct rib_slab *);
void	*rib_slab_get(struct rib_slab *, uint32_t *);
void	 rib_slab_put(struct rib_slab *, void *, uint32_t);
void	 rib_slab_trim(struct rib_slab *);

static inline void *
rib_slab_at(const struct rib_slab *s, uint32_t idx)
{
	return s->chunks[idx >> RIB_SLAB_SHIFT] +
	    (size_t)(idx & (RIB_SLAB_CHUNK - 1)) * s->size;
}

/*
 * One prefix. head is the best path (decide.c keeps it first); head.src
 * NULL means the entry is dead: no path left, to be freed by the end of
 * the current operation. A free slab slot has af 0, which lets walks and
 * rebuilds scan the slab in memory order. b holds af_bytes(af) bytes.
 */
struct rib_entry {
	struct rib_path	 head;
	uint8_t		 af;		/* 0: a free slab slot */
	uint8_t		 len;
	uint8_t		 spare;
	uint8_t		 b[];		/* 4 (IPv4) or 16 (IPv6) bytes */
};

static inline void
rib_entry_pfx(const struct rib_entry *e, struct prefix *p)
{
	memset(p, 0, sizeof(*p));
	p->af = e->af;
	p->len = e->len;
	memcpy(p->b, e->b, af_bytes(e->af));
}

/* Same family assumed (one table per family). */
static inline bool
rib_entry_is(const struct rib_entry *e, const struct prefix *p)
{
	return e->len == p->len && memcmp(e->b, p->b, af_bytes(p->af)) == 0;
}

/*
 * Prefix -> entry, linear probing with backward-shift deletion over 32-bit
 * slots: 0 (empty), or a 6-bit hash tag and the entry's slab index + 1.
 * Hence at most about 67 million prefixes (and, as the limit is per
 * slab, paths).
 */
#define RIB_TAB_MAXIDX	((1u << 26) - 1)

struct rib_tab {
	uint8_t		 af;
	uint32_t	*slots;
	uint32_t	 cap;		/* power of two */
	unsigned	 shift;		/* 32 - log2(cap) */
	size_t		 count;		/* entries, dead ones included */
	struct rib_slab	 entries;
};

void		 rib_tab_init(struct rib_tab *, uint8_t af);
void		 rib_tab_fini(struct rib_tab *);
struct rib_entry *rib_tab_find(const struct rib_tab *, const struct prefix *,
		    uint32_t *);
struct rib_entry *rib_tab_get(struct rib_tab *, const struct prefix *, bool *,
		    uint32_t *);
/* The same with the prefix's prefix_hash known (one hash per update). */
struct rib_entry *rib_tab_find_h(const struct rib_tab *, const struct prefix *,
		    uint32_t, uint32_t *);
struct rib_entry *rib_tab_get_h(struct rib_tab *, const struct prefix *,
		    uint32_t, bool *, uint32_t *);
/* The slab index of the entry in slot (from rib_tab_find). */
uint32_t	 rib_tab_slot_idx(const struct rib_tab *, uint32_t);
struct rib_entry *rib_tab_entry(const struct rib_tab *, uint32_t);
void		 rib_tab_del(struct rib_tab *, uint32_t);
void		 rib_tab_settle(struct rib_tab *, size_t);

/* Interned attribute sets: open addressing over pointers, by ->hash. */
struct rib_attrtab {
	struct rib_attrs **slots;
	size_t		   cap;		/* power of two, or 0 */
	size_t		   count;
};

void		 rib_attrtab_fini(struct rib_attrtab *);

/* index.c: see there. Records are 32 bytes; a NULL a is a free slot. */
enum {
	RIB_IDX_PATH = 1,	/* (entry, src, path id) -> path */
	RIB_IDX_COUNT,		/* (entry, src) -> paths of src there */
	RIB_IDX_ATTR,		/* (attrs, src) -> paths of src using it */
};

struct rib_idx_slot {
	const void		*a;
	const void		*src;
	uint32_t		 pid;
	uint32_t		 kind;
	union {
		struct rib_path	*path;
		size_t		 n;
	} v;
};

struct rib_idx {
	struct rib_idx_slot	*slots;
	size_t			 cap;	/* power of two, or 0 */
	size_t			 count;
};

struct rib_idx_slot *rib_idx_find(const struct rib_idx *, uint32_t kind,
		    const void *a, const void *src, uint32_t pid);
/* Pointers into the index are valid until the next get or del. */
struct rib_idx_slot *rib_idx_get(struct rib_idx *, uint32_t kind,
		    const void *a, const void *src, uint32_t pid, bool *created);
void		 rib_idx_del(struct rib_idx *, struct rib_idx_slot *);
void		 rib_idx_fini(struct rib_idx *);

/* Entry ids: the slab index, with RIB_ID_V6 set for the IPv6 table. */
#define RIB_ID_V6	(1u << 31)

struct rib {
	struct rib_tab		 tab[2];	/* [0] IPv4, [1] IPv6 */
	struct rib_slab		 paths;		/* paths beyond each head */
	struct rib_attrtab	 attrs;
	struct rib_idx		 idx;
	TAILQ_HEAD(, rib_client) clients;
	size_t			 npaths;
	uint32_t		 src_ids;	/* the last rib_src.id given */
	bool			 busy;		/* inside a client hook */
};

/* decide.c: the best of e's paths (a scan from the head), and why the
 * head beats the others (a scan: for show commands only). */
struct rib_path	*rib_decide_best(struct rib_entry *);
enum rib_reason	 rib_decide_reason(const struct rib_entry *);


#endif
