/*
 * test_sessopts.c: issue 15's session options into bgpd's conf, the
 * secrets: mapping of ternd.yaml and the key files (agent/sessopts.c).
 *
 * The pure parts alone: what each BGPPeer option becomes in struct
 * bgpd_peer_conf, where a secret's key is read from, and what a key file
 * may hold (hostile: missing, empty, too long, a NUL, a directory). The
 * watcher and the sessions it restarts are tests/netns/t_fabric.sh's.
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "options.h"
#include "sessopts.h"
#include "xmalloc.h"

static char tmpdir[] = "/tmp/test_sessopts.XXXXXX";

static void
write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	fclose(f);
}

/* A conf with secrets.dir and one secrets.files entry. */
static struct conf *
conf_with_secrets(const char *dir)
{
	struct conf *c = conf_new_defaults();

	free(c->secrets.dir);
	c->secrets.dir = xstrdup(dir);
	c->secrets.files = xcalloc(1, sizeof(*c->secrets.files));
	c->secrets.files[0].name = xstrdup("bgp-secrets");
	c->secrets.files[0].key = xstrdup("tor");
	c->secrets.files[0].path = xstrdup("/run/tor-key");
	c->secrets.nfiles = 1;
	return c;
}

START_TEST(t_translate)
{
	struct ds_peer_opts o = *ds_peer_opts_default();
	struct bgpd_peer_conf c;

	memset(&c, 0, sizeof(c));
	sessopts_translate(&o, &c);
	/* the defaults: bgpd's own settings */
	ck_assert_uint_eq(c.local_as, 0);
	ck_assert_uint_eq(c.allow_local_as, 0);
	ck_assert_uint_eq(c.keepalive_time, 0);
	ck_assert_uint_eq(c.ttl_security, 0);
	ck_assert(!c.src_any);
	o.local_as = 4200000001u;
	o.num_allow_local_as = 2147483647u;
	o.keepalive_time = 65535;
	o.ttl_security = 255;
	o.source_addr = DS_SRC_NONE;
	sessopts_translate(&o, &c);
	ck_assert_uint_eq(c.local_as, 4200000001u);
	ck_assert_uint_eq(c.allow_local_as, 2147483647u);
	ck_assert_uint_eq(c.keepalive_time, 65535);
	ck_assert_uint_eq(c.ttl_security, 255);
	ck_assert(c.src_any);
	/* a value the datastore should not give: bgpd's own */
	o.keepalive_time = 65536;
	sessopts_translate(&o, &c);
	ck_assert_uint_eq(c.keepalive_time, 0);
	o.keepalive_time = DS_TIME_UNSET;
	sessopts_translate(&o, &c);
	ck_assert_uint_eq(c.keepalive_time, 0);
}
END_TEST

START_TEST(t_path)
{
	struct conf *c = conf_with_secrets("/etc/tern/secrets");
	char buf[256], why[128];
	const char *p;

	/* files[] first */
	p = secrets_path(c, "bgp-secrets", "tor", buf, sizeof(buf), why,
	    sizeof(why));
	ck_assert_str_eq(p, "/run/tor-key");
	/* else dir/name/key, as a secret volume is mounted */
	p = secrets_path(c, "bgp-secrets", "mesh", buf, sizeof(buf), why,
	    sizeof(why));
	ck_assert_str_eq(p, "/etc/tern/secrets/bgp-secrets/mesh");
	/* nothing that leaves the directory */
	ck_assert_ptr_null(secrets_path(c, "..", "x", buf, sizeof(buf), why,
	    sizeof(why)));
	ck_assert_ptr_nonnull(strstr(why, "no file for it in ternd.yaml"));
	ck_assert_ptr_null(secrets_path(c, "a", "..", buf, sizeof(buf), why,
	    sizeof(why)));
	ck_assert_ptr_null(secrets_path(c, "a/b", "c", buf, sizeof(buf), why,
	    sizeof(why)));
	ck_assert_ptr_null(secrets_path(c, "a", "", buf, sizeof(buf), why,
	    sizeof(why)));
	/* a path that does not fit */
	ck_assert_ptr_null(secrets_path(c, "bgp-secrets", "mesh", buf, 20, why,
	    sizeof(why)));
	ck_assert_str_eq(why, "its path is too long");
	/* no dir: only files[] */
	free(c->secrets.dir);
	c->secrets.dir = xstrdup("");
	ck_assert_ptr_null(secrets_path(c, "bgp-secrets", "mesh", buf,
	    sizeof(buf), why, sizeof(why)));
	ck_assert_ptr_nonnull(secrets_path(c, "bgp-secrets", "tor", buf,
	    sizeof(buf), why, sizeof(why)));
	conf_free(c);
}
END_TEST

START_TEST(t_read)
{
	char path[256], key[BGPD_PASSWORD_MAX + 1], why[512], big[200];

	snprintf(path, sizeof(path), "%s/k", tmpdir);
	write_file(path, "s3cret\n", 7);
	ck_assert_int_eq(secrets_read(path, key, why, sizeof(why)), 0);
	ck_assert_str_eq(key, "s3cret");
	/* kubectl's secret: no newline; CRLF from an editor: cut */
	write_file(path, "a b\r\n\n", 6);
	ck_assert_int_eq(secrets_read(path, key, why, sizeof(why)), 0);
	ck_assert_str_eq(key, "a b");
	/* 80 bytes and a newline is the most */
	memset(big, 'x', sizeof(big));
	big[80] = '\n';
	write_file(path, big, 81);
	ck_assert_int_eq(secrets_read(path, key, why, sizeof(why)), 0);
	ck_assert_uint_eq(strlen(key), 80);
	write_file(path, big, 81 + 1);		/* 81 bytes of key */
	ck_assert_int_eq(secrets_read(path, key, why, sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, "longer than 80 bytes"));
	ck_assert_str_eq(key, "");
	write_file(path, big, sizeof(big));
	ck_assert_int_eq(secrets_read(path, key, why, sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, "longer than 80 bytes"));
	write_file(path, "\n", 1);
	ck_assert_int_eq(secrets_read(path, key, why, sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, ": empty"));
	write_file(path, "a\0b", 3);
	ck_assert_int_eq(secrets_read(path, key, why, sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, "NUL byte"));
	ck_assert_int_eq(secrets_read(tmpdir, key, why, sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, "Is a directory"));
	snprintf(path, sizeof(path), "%s/missing", tmpdir);
	ck_assert_int_eq(secrets_read(path, key, why, sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, "No such file or directory"));
	ck_assert_ptr_nonnull(strstr(why, path));	/* names the file */
}
END_TEST

/* The three sources of a key into bgpd's conf (no watcher). */
START_TEST(t_password)
{
	struct conf *c;
	struct ds_password pw;
	struct bgpd_peer_conf bc;
	char dir[256], path[300];

	snprintf(dir, sizeof(dir), "%s/bgp-secrets", tmpdir);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	snprintf(path, sizeof(path), "%s/mesh", dir);
	write_file(path, "meshkey", 7);
	c = conf_with_secrets(tmpdir);
	memset(&bc, 0, sizeof(bc));
	memset(&pw, 0, sizeof(pw));
	/* none: ternd.yaml's bgp.password */
	sessopts_password(NULL, c, "Node_x", &pw, &bc);
	ck_assert(!bc.pw_set);
	ck_assert_str_eq(bc.pw_error, "");
	pw.kind = DS_PW_SECRET;
	pw.ref = (char *)"bgp-secrets";
	pw.key = (char *)"mesh";
	sessopts_password(NULL, c, "Node_x", &pw, &bc);
	ck_assert(bc.pw_set);
	ck_assert_str_eq(bc.password, "meshkey");
	ck_assert_str_eq(bc.pw_error, "");
	/* a key not there: no session, the reason names the secret */
	pw.key = (char *)"other";
	sessopts_password(NULL, c, "Node_x", &pw, &bc);
	ck_assert(bc.pw_set);
	ck_assert_str_eq(bc.password, "");
	ck_assert_msg(strncmp(bc.pw_error, "TCP MD5 key: secret bgp-secrets "
	    "key other: /tmp/test_sessopts.", 48) == 0, "%s", bc.pw_error);
	/* password_file: a path */
	pw.kind = DS_PW_FILE;
	pw.ref = path;
	pw.key = NULL;
	sessopts_password(NULL, c, "Node_x", &pw, &bc);
	ck_assert_str_eq(bc.password, "meshkey");
	/* the v1 JSON's literal */
	pw.kind = DS_PW_LITERAL;
	pw.ref = (char *)"lit";
	sessopts_password(NULL, c, "Node_x", &pw, &bc);
	ck_assert(bc.pw_set);
	ck_assert_str_eq(bc.password, "lit");
	pw.ref = (char *)"0123456789012345678901234567890123456789"
	    "01234567890123456789012345678901234567890";	/* 81 */
	sessopts_password(NULL, c, "Node_x", &pw, &bc);
	ck_assert_str_eq(bc.password, "");
	ck_assert_str_eq(bc.pw_error, "TCP MD5 key: the peer's password: "
	    "longer than 80 bytes");
	unlink(path);
	rmdir(dir);
	conf_free(c);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("sessopts");
	TCase *tc = tcase_create("core");
	char path[300];
	int nf;

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	tcase_add_test(tc, t_translate);
	tcase_add_test(tc, t_path);
	tcase_add_test(tc, t_read);
	tcase_add_test(tc, t_password);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	snprintf(path, sizeof(path), "%s/k", tmpdir);
	unlink(path);
	rmdir(tmpdir);
	return nf == 0 ? 0 : 1;
}
