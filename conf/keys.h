/*
 * keys.h (internal to conf/): the schema of SPEC section 2 as one table.
 *
 * conf.c parses with it and printconf.c prints with it, so a key added here
 * is both accepted and printed, and the round trip cannot forget it. Each
 * entry names its section, its key, how the value is typed and checked and
 * where it lives in struct conf. Nothing here allocates or parses.
 */
#ifndef TERN_CONF_KEYS_H
#define TERN_CONF_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"

enum conf_ktype {
	CONF_K_STR,		/* char *, never NULL, min..max bytes */
	CONF_K_NAME,		/* char *, a node name; NULL when empty */
	CONF_K_BOOL,		/* bool: true/false, yes/no */
	CONF_K_UINT,		/* uint8/16/32 (width), min..max */
	CONF_K_HOLD,		/* uint16: 0 or 3..65535 (RFC 4271 4.2) */
	CONF_K_AS,		/* uint32: 1..4294967295; 0 = unset */
	CONF_K_ADDR4,		/* struct addr, IPv4 or unset */
	CONF_K_ADDR6,		/* struct addr, IPv6 or unset */
	CONF_K_DSTYPE,		/* enum conf_ds_type */
	CONF_K_ENDPOINTS,	/* datastore.endpoints[] */
	CONF_K_LOGLEVEL,	/* enum log_level */
	CONF_K_SECRETS,		/* secrets.files[] */
};

/* CONF_K_STR flags */
#define CONF_F_SLASH	0x01	/* must start with '/' */

struct conf_key {
	const char	*section;
	const char	*name;
	enum conf_ktype	 type;
	size_t		 off;		/* offsetof(struct conf, ...) */
	size_t		 width;		/* sizeof the field */
	uint32_t	 min;		/* UINT: value; STR: length */
	uint32_t	 max;
	unsigned	 flags;
};

#define CONF_NAME_MAX		63	/* fits DS_NAME_MAX with its NUL */
#define CONF_URL_MAX		1024
#define CONF_SOCKET_MAX		107	/* sizeof(sun_path) - 1 */

extern const struct conf_key	 conf_keys[];
extern const size_t		 conf_nkeys;
extern const char *const	 conf_sections[];
extern const size_t		 conf_nsections;

#endif
