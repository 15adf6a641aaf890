/*
 * printconf.c: struct conf -> YAML (ternd -p, and the conf round trip).
 *
 * Owns only the output format. It walks the same key table as the parser
 * (keys.h), so every key is printed in schema order, with strings always
 * double-quoted and escaped; conf_load() reads the output back to an equal
 * struct conf. Unset values are printed the way the parser reads them as
 * unset ("" for a name or address; a comment for an unset AS). It must not
 * check or change the configuration.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "keys.h"

static const void *
cfield(const struct conf *c, const struct conf_key *k)
{
	return (const char *)c + k->off;
}

static void
print_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s != NULL && *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			fprintf(f, "\\x%02x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static uint32_t
load_uint(const void *p, size_t width)
{
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;

	switch (width) {
	case 1:
		memcpy(&u8, p, 1);
		return u8;
	case 2:
		memcpy(&u16, p, 2);
		return u16;
	default:
		memcpy(&u32, p, 4);
		return u32;
	}
}

static void
print_endpoints(FILE *f, const struct conf *c)
{
	if (c->datastore.nendpoints == 0) {
		fprintf(f, "  endpoints: []\n");
		return;
	}
	fprintf(f, "  endpoints:\n");
	for (size_t i = 0; i < c->datastore.nendpoints; i++) {
		fprintf(f, "    - ");
		print_quoted(f, c->datastore.endpoints[i]);
		fputc('\n', f);
	}
}

static void
print_secrets(FILE *f, const struct conf *c)
{
	if (c->secrets.nfiles == 0) {
		fprintf(f, "  files: []\n");
		return;
	}
	fprintf(f, "  files:\n");
	for (size_t i = 0; i < c->secrets.nfiles; i++) {
		fprintf(f, "    - name: ");
		print_quoted(f, c->secrets.files[i].name);
		fprintf(f, "\n      key: ");
		print_quoted(f, c->secrets.files[i].key);
		fprintf(f, "\n      path: ");
		print_quoted(f, c->secrets.files[i].path);
		fputc('\n', f);
	}
}

static void
print_value(FILE *f, const struct conf *c, const struct conf_key *k)
{
	const void *p = cfield(c, k);
	char buf[ADDR_STRLEN];

	switch (k->type) {
	case CONF_K_STR:
	case CONF_K_NAME:
		print_quoted(f, *(char *const *)p);
		break;
	case CONF_K_BOOL:
		fprintf(f, "%s", *(const bool *)p ? "true" : "false");
		break;
	case CONF_K_UINT:
	case CONF_K_HOLD:
	case CONF_K_AS:
		fprintf(f, "%" PRIu32, load_uint(p, k->width));
		break;
	case CONF_K_ADDR4:
	case CONF_K_ADDR6:
		if (addr_is_set(p))
			print_quoted(f, addr_fmt(p, buf, sizeof(buf)));
		else
			print_quoted(f, "");
		break;
	case CONF_K_DSTYPE:
		fprintf(f, "%s", conf_ds_type_name(c->datastore.type));
		break;
	case CONF_K_LOGLEVEL:
		fprintf(f, "%s", log_level_name(c->log.level));
		break;
	case CONF_K_ENDPOINTS:
	case CONF_K_SECRETS:
		break;
	}
}

static void
print_key(FILE *f, const struct conf *c, const struct conf_key *k)
{
	if (k->type == CONF_K_ENDPOINTS) {
		print_endpoints(f, c);
		return;
	}
	if (k->type == CONF_K_SECRETS) {
		print_secrets(f, c);
		return;
	}
	if (k->type == CONF_K_AS && load_uint(cfield(c, k), k->width) == 0) {
		fprintf(f, "  # %s: unset (the datastore's, else the global "
		    "AS, else 64512)\n", k->name);
		return;
	}
	fprintf(f, "  %s: ", k->name);
	print_value(f, c, k);
	fputc('\n', f);
}

void
conf_print(const struct conf *c, FILE *f)
{
	const char *section = NULL;

	fprintf(f, "# ternd configuration (printconf)\n");
	for (size_t i = 0; i < conf_nkeys; i++) {
		const struct conf_key *k = &conf_keys[i];

		if (section == NULL || strcmp(section, k->section) != 0) {
			section = k->section;
			fprintf(f, "%s:\n", section);
		}
		print_key(f, c, k);
	}
}
