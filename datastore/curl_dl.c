/*
 * curl_dl.c: libcurl through dlopen() (see curl_dl.h for why). Built with
 * -Dcurl_link=true (TERN_CURL_LINKED), libcurl is linked instead and the
 * table points at its symbols; the callers are the same.
 */
#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "curl_dl.h"

struct curl_fns cu;

_Static_assert(sizeof(void *) == sizeof(void (*)(void)),
    "dlsym() results must fit a function pointer");

/* dlsym() returns void *; the entries are function pointers of the types
 * curl.h declares, converted through memcpy (ISO C has no direct cast). */
#define SYM(field, name)	{ #name, offsetof(struct curl_fns, field) }
static const struct {
	const char	*name;
	size_t		 off;
} syms[] = {
	SYM(global_init, curl_global_init),
	SYM(global_cleanup, curl_global_cleanup),
	SYM(easy_init, curl_easy_init),
	SYM(easy_setopt, curl_easy_setopt),
	SYM(easy_getinfo, curl_easy_getinfo),
	SYM(easy_cleanup, curl_easy_cleanup),
	SYM(easy_strerror, curl_easy_strerror),
	SYM(slist_append, curl_slist_append),
	SYM(slist_free_all, curl_slist_free_all),
	SYM(multi_init, curl_multi_init),
	SYM(multi_setopt, curl_multi_setopt),
	SYM(multi_add_handle, curl_multi_add_handle),
	SYM(multi_remove_handle, curl_multi_remove_handle),
	SYM(multi_socket_action, curl_multi_socket_action),
	SYM(multi_assign, curl_multi_assign),
	SYM(multi_info_read, curl_multi_info_read),
	SYM(multi_cleanup, curl_multi_cleanup),
};

#ifdef TERN_CURL_LINKED
int
curl_dl_load(char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	(void)syms;
	cu = (struct curl_fns){
		curl_global_init, curl_global_cleanup, curl_easy_init,
		curl_easy_setopt, curl_easy_getinfo, curl_easy_cleanup,
		curl_easy_strerror, curl_slist_append, curl_slist_free_all,
		curl_multi_init, curl_multi_setopt, curl_multi_add_handle,
		curl_multi_remove_handle, curl_multi_socket_action,
		curl_multi_assign, curl_multi_info_read, curl_multi_cleanup,
	};
	return 0;
}
#else
int
curl_dl_load(char *err, size_t errlen)
{
	static const char *const names[] = {
		"libcurl.so.4", "libcurl-gnutls.so.4", "libcurl.so"
	};
	static bool loaded;
	struct curl_fns fns;
	void *h = NULL, *p;
	const char *why = "";
	size_t i;

	if (loaded)
		return 0;
	for (i = 0; h == NULL && i < sizeof(names) / sizeof(names[0]); i++)
		if ((h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL)) == NULL)
			why = dlerror();
	if (h == NULL) {
		snprintf(err, errlen, "cannot load libcurl (install "
		    "libcurl4): %s", why != NULL ? why : "?");
		return -1;
	}
	memset(&fns, 0, sizeof(fns));
	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		if ((p = dlsym(h, syms[i].name)) == NULL) {
			snprintf(err, errlen, "libcurl has no %s",
			    syms[i].name);
			dlclose(h);
			return -1;
		}
		memcpy((char *)&fns + syms[i].off, &p, sizeof(p));
	}
	cu = fns;
	loaded = true;
	return 0;
}
#endif
