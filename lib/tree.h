/*
 * tree.h: libbsd's intrusive RB trees. RB_GENERATE_STATIC expands to
 * "__unused static", and libbsd leaves __unused undefined on Linux (it
 * clashes with a struct member in the kernel headers), so define it here
 * and include this instead of <bsd/sys/tree.h>.
 */
#ifndef TERN_TREE_H
#define TERN_TREE_H

#ifndef __unused
#define __unused __attribute__((__unused__))
#endif
#include <bsd/sys/tree.h>

#endif
