/*
 * curl_dl.h: libcurl, loaded when the first etcd backend starts.
 *
 * ternd links libcurl only for the etcd datastores, and libcurl maps about
 * thirty libraries (TLS, Kerberos, LDAP, IDN...): ~4.6 MiB of resident,
 * file-backed pages in every process that links it, ternd at rest being
 * 8.4 MiB. A node reading a cluster file never needs them, so the etcd code
 * calls libcurl through this table, which curl_dl_load() fills with
 * dlopen()/dlsym() once (the library stays loaded). The compile-time types
 * and constants are libcurl's own (<curl/curl.h>); the run-time library is
 * libcurl's ABI 4 (libcurl4, or libcurl3-gnutls's libcurl-gnutls.so.4).
 */
#ifndef TERN_CURL_DL_H
#define TERN_CURL_DL_H

#include <stddef.h>
#include <curl/curl.h>

struct curl_fns {
	CURLcode	 (*global_init)(long);
	void		 (*global_cleanup)(void);
	CURL		*(*easy_init)(void);
	CURLcode	 (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode	 (*easy_getinfo)(CURL *, CURLINFO, ...);
	void		 (*easy_cleanup)(CURL *);
	const char	*(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void		 (*slist_free_all)(struct curl_slist *);
	CURLM		*(*multi_init)(void);
	CURLMcode	 (*multi_setopt)(CURLM *, CURLMoption, ...);
	CURLMcode	 (*multi_add_handle)(CURLM *, CURL *);
	CURLMcode	 (*multi_remove_handle)(CURLM *, CURL *);
	CURLMcode	 (*multi_socket_action)(CURLM *, curl_socket_t, int, int *);
	CURLMcode	 (*multi_assign)(CURLM *, curl_socket_t, void *);
	CURLMsg		*(*multi_info_read)(CURLM *, int *);
	CURLMcode	 (*multi_cleanup)(CURLM *);
};

/* Valid after curl_dl_load() returned 0. */
extern struct curl_fns cu;

/* Loads libcurl (once; later calls return 0 at once). -1: err says why. */
int	curl_dl_load(char *err, size_t errlen);

#endif
