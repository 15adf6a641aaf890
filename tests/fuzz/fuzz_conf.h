/*
 * fuzz_conf.h: the ternd configuration file (conf/conf.c on lib/ytree.c
 * and libyaml, and conf/printconf.c), for tests/fuzz/fuzz_conf.c and
 * tests/unit/test_crashers.c.
 *
 * Input: the whole file, read from a memfd by conf_load() as ternd reads
 * /etc/calico/ternd.yaml. Properties: an error is one printable line that
 * names the file; a configuration that loads prints (conf_print, ternd
 * -p) as a file that loads again and prints the same: printconf and the
 * parser agree on every value.
 */
#ifndef TERN_FUZZ_CONF_H
#define TERN_FUZZ_CONF_H

#include "fuzz_util.h"

#include "conf.h"

/* conf_print into a malloc'ed string. */
static char *
fuzz_conf_print(const struct conf *c, size_t *len)
{
	char *out = NULL;
	FILE *f;

	FUZZ_CHECK((f = open_memstream(&out, len)) != NULL);
	conf_print(c, f);
	FUZZ_CHECK(fclose(f) == 0);
	return out;
}

static int
fuzz_conf(const uint8_t *data, size_t size)
{
	struct conf *c, *c2;
	const char *path, *path2;
	char err[512], *text, *text2;
	size_t len, len2;

	path = fuzz_file_set(0, data, size);
	memset(err, 'x', sizeof(err));
	c = conf_load(path, err, sizeof(err));
	FUZZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL);
	FUZZ_CHECK(fuzz_printable(err));
	if (c == NULL) {
		FUZZ_CHECK(strncmp(err, path, strlen(path)) == 0);
		return 0;
	}
	FUZZ_CHECK(err[0] == '\0');
	text = fuzz_conf_print(c, &len);
	path2 = fuzz_file_set(1, text, len);
	if ((c2 = conf_load(path2, err, sizeof(err))) == NULL)
		fprintf(stderr, "printconf output refused: %s\n%s", err, text);
	FUZZ_CHECK(c2 != NULL);
	text2 = fuzz_conf_print(c2, &len2);
	if (len != len2 || memcmp(text, text2, len) != 0)
		fprintf(stderr, "printconf differs:\n%s---\n%s", text, text2);
	FUZZ_CHECK(len == len2 && memcmp(text, text2, len) == 0);
	free(text);
	free(text2);
	conf_free(c2);
	conf_free(c);
	return 0;
}

#endif
