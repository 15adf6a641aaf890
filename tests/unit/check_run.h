/*
 * check_run.h: the one way a unit test binary runs its suite and turns the
 * result into an exit status (included by every tests/unit/test_*.c).
 */
#ifndef TERN_CHECK_RUN_H
#define TERN_CHECK_RUN_H

#include <check.h>
#include <stdlib.h>

static inline int
check_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
