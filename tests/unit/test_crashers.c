/*
 * test_crashers.c: the fuzz corpora in the normal unit suite (STYLE 5.10,
 * SPEC 8). For every fuzz target of tests/fuzz/ it runs the target's own
 * harness (tests/fuzz/fuzz_<target>.h, tests/vectors/fuzz_one.h for the
 * BGP codec) over every file of its seed corpus tests/fuzz/corpus-<target>/
 * and of its crasher corpus tests/vectors/crashers/<target>/, with the
 * harness's properties turned into check assertions. Nothing passes by
 * not running: a seed corpus must hold files, a crasher directory must
 * exist (its README says what it is for), and a corpus or crasher
 * directory that no target here claims, or a stray file beside the
 * crasher directories, fails the test.
 */
#include <check.h>

#include "check_run.h"
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define FUZZ_CHECK(c)	ck_assert_msg((c), "fuzz property: %s", #c)
#include "fuzz_one.h"
#include "fuzz_calico.h"
#include "fuzz_cluster.h"
#include "fuzz_conf.h"
#include "fuzz_ctl.h"
#include "fuzz_etcd.h"
#include "fuzz_nl.h"
#include "fuzz_bfd.h"

#define CORPORA		TEST_TOPDIR "/tests/fuzz"
#define CRASHERS	TEST_TOPDIR "/tests/vectors/crashers"
#define INPUT_MAX	(1 << 20)	/* libFuzzer's -max_len is far below */

static int
fuzz_bgp_msg(const uint8_t *data, size_t size)
{
	fuzz_one(data, size);
	return 0;
}

static const struct target {
	const char	*name;
	int		(*run)(const uint8_t *, size_t);
} targets[] = {
	{ "bgp_msg", fuzz_bgp_msg },
	{ "calico", fuzz_calico },
	{ "etcd_v3", fuzz_etcd_v3 },
	{ "etcd_v2", fuzz_etcd_v2 },
	{ "cluster", fuzz_cluster },
	{ "conf", fuzz_conf },
	{ "ctl", fuzz_ctl },
	{ "nl", fuzz_nl },
	{ "bfd", fuzz_bfd },
};

static const struct target *
target_named(const char *name)
{
	for (size_t i = 0; i < NITEMS(targets); i++)
		if (strcmp(targets[i].name, name) == 0)
			return &targets[i];
	return NULL;
}

static bool
is_input(const char *name)
{
	return name[0] != '.' && strcmp(name, "README") != 0;
}

/* One file through the harness, in a heap buffer of exactly its size. */
static void
replay_file(const struct target *t, const char *path)
{
	struct stat st;
	uint8_t *buf;
	FILE *f;

	ck_assert_msg(stat(path, &st) == 0 && S_ISREG(st.st_mode),
	    "%s: not a regular file", path);
	ck_assert_msg(st.st_size <= INPUT_MAX, "%s: larger than %d bytes",
	    path, INPUT_MAX);
	ck_assert_ptr_nonnull(buf = malloc(st.st_size > 0 ?
	    (size_t)st.st_size : 1));
	ck_assert_msg((f = fopen(path, "rb")) != NULL, "%s", path);
	ck_assert_msg(fread(buf, 1, (size_t)st.st_size, f) ==
	    (size_t)st.st_size, "%s: short read", path);
	fclose(f);
	t->run(buf, (size_t)st.st_size);
	free(buf);
}

/* Every input of dir through t; how many there were. */
static size_t
replay_dir(const struct target *t, const char *dir)
{
	char path[4096];
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	d = opendir(dir);
	ck_assert_msg(d != NULL, "%s: missing", dir);
	while ((de = readdir(d)) != NULL) {
		if (!is_input(de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		replay_file(t, path);
		n++;
	}
	closedir(d);
	return n;
}

START_TEST(t_replay)
{
	const struct target *t = &targets[_i];
	char dir[4096], readme[4096];
	size_t seeds, crashers;
	struct stat st;

	snprintf(dir, sizeof(dir), "%s/corpus-%s", CORPORA, t->name);
	seeds = replay_dir(t, dir);
	ck_assert_msg(seeds > 0, "%s: no seeds", dir);
	snprintf(dir, sizeof(dir), "%s/%s", CRASHERS, t->name);
	snprintf(readme, sizeof(readme), "%s/%s/README", CRASHERS, t->name);
	ck_assert_msg(stat(readme, &st) == 0, "%s: missing", readme);
	crashers = replay_dir(t, dir);
	printf("%s: %zu seeds, %zu crashers replayed\n", t->name, seeds,
	    crashers);
}
END_TEST

/* Every corpus and crasher directory belongs to a target above. */
START_TEST(t_layout)
{
	char path[4096];
	struct dirent *de;
	struct stat st;
	size_t ncorp = 0, ncrash = 0;
	DIR *d;

	ck_assert_ptr_nonnull(d = opendir(CORPORA));
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "corpus", 6) != 0)
			continue;
		ck_assert_msg(strncmp(de->d_name, "corpus-", 7) == 0 &&
		    target_named(de->d_name + 7) != NULL,
		    "tests/fuzz/%s: no fuzz target of that name", de->d_name);
		ncorp++;
	}
	closedir(d);
	ck_assert_ptr_nonnull(d = opendir(CRASHERS));
	while ((de = readdir(d)) != NULL) {
		if (!is_input(de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", CRASHERS, de->d_name);
		ck_assert_msg(stat(path, &st) == 0 && S_ISDIR(st.st_mode),
		    "%s: a crasher outside the target directories", path);
		ck_assert_msg(target_named(de->d_name) != NULL,
		    "%s: no fuzz target of that name", path);
		ncrash++;
	}
	closedir(d);
	ck_assert_uint_eq(ncorp, NITEMS(targets));
	ck_assert_uint_eq(ncrash, NITEMS(targets));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("crashers");
	TCase *tc = tcase_create("replay");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, t_layout);
	tcase_add_loop_test(tc, t_replay, 0, (int)NITEMS(targets));
	suite_add_tcase(s, tc);
	return check_run(s);
}
