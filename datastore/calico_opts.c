/*
 * calico_opts.c: issue 15's BGPPeer options and BGPFilters in etcd values.
 *
 * Owns the schemas of a v3 BGPPeer's session options (localASNumber,
 * sourceAddress, keepOriginalNextHop, nextHopMode, restartMode,
 * maxRestartTime, keepaliveTime, numAllowedLocalASNumbers, ttlSecurity,
 * reachableBy, password.secretKeyRef, failureDetectionMode, filters), of
 * the same in the v1 peer JSON Calico 3.x's confd keeps under /calico/
 * bgp/v1 (confd's backends.BGPPeer), of v3 BGPFilters, and refuses
 * Calico 2.x's custom_filters (BIRD text). calico_conf.c has the
 * BGPConfiguration's fields; both share the field parsers here.
 *
 * What a bad value costs (model.h has the whole list): a BGPPeer or a v1
 * peer with any bad option is malformed (CAL_BAD: no session, as
 * Calico's API would refuse it); a BGPFilter with any bad rule is
 * malformed (absent: a peer naming it skips it, as confd does). A field
 * Calico has but tern does not model is said once as not supported. Like
 * calico_res.c it must not log, commit or keep state outside the key's
 * entry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calico_int.h"
#include "json.h"
#include "num.h"
#include "options.h"

/* --- shared field parsers ------------------------------------------------ */

int
ds_cal_json_enum(const struct json_object *o, const char *path,
    const char *const *names, size_t n, int dflt, int *out)
{
	const char *s;

	*out = dflt;
	if (ds_json_string(o, path, &s) == -1)
		return -1;
	if (s == NULL || *s == '\0')
		return 0;
	return (*out = ds_enum_parse(s, names, n)) == -1 ? -1 : 0;
}

int
ds_cal_json_secs(const struct json_object *o, const char *path, int64_t max,
    int32_t *out)
{
	const char *s;

	*out = DS_TIME_UNSET;
	if (ds_json_string(o, path, &s) == -1)
		return -1;
	if (s == NULL)
		return 0;
	return ds_duration_secs(s, max, out);
}

const char *
ds_cal_json_secret(const struct json_object *o, const char *path,
    struct ds_password *pw)
{
	char p[DS_JSON_PATH_MAX];
	const struct json_object *ref = ds_json_get(o, path);
	const char *name, *key;

	if (ds_json_is_null(ref))
		return NULL;			/* no password */
	if (!ds_json_is_object(ref))
		return "not an object";
	snprintf(p, sizeof(p), "%s.secretKeyRef", path);
	ref = ds_json_get(o, p);
	if (ds_json_is_null(ref))
		return NULL;			/* confd: no password */
	if (!ds_json_is_object(ref))
		return "secretKeyRef is not an object";
	if (ds_json_string(ref, "name", &name) == -1 ||
	    ds_json_string(ref, "key", &key) == -1)
		return "secretKeyRef name or key is not a string";
	if (name == NULL || !ds_k8s_name_ok(name))
		return "secretKeyRef.name is no secret name (a DNS subdomain)";
	if (key == NULL || !ds_secret_key_ok(key))
		return "secretKeyRef.key is no secret key ([-._a-zA-Z0-9], "
		    "1..253)";
	ds_password_set(pw, DS_PW_SECRET, name, key);
	return NULL;
}

/* A list of BGPFilter names (null: none). */
static const char *
json_filters(const struct json_object *o, const char *path,
    struct ds_peer_opts *po)
{
	const struct json_object *a = ds_json_get(o, path), *it;
	const char *s;

	if (ds_json_is_null(a))
		return NULL;
	if (!ds_json_is_array(a))
		return "not a list";
	for (size_t i = 0; i < ds_json_array_len(a); i++) {
		it = ds_json_array_at(a, i);
		if ((s = ds_json_str(it)) == NULL || !ds_k8s_name_ok(s))
			return "an entry is no BGPFilter name";
		if (ds_peer_opts_add_filter(po, s) == -1)
			return "more than 64 filters";
	}
	return NULL;
}

/* An address of the peer's family (""/absent: none). */
static int
json_reachable(const struct json_object *o, const char *path, uint8_t af,
    struct addr *a)
{
	const char *s;

	memset(a, 0, sizeof(*a));
	if (ds_json_string(o, path, &s) == -1)
		return -1;
	if (s == NULL || *s == '\0')
		return 0;
	return addr_parse(s, a) == 0 && a->af == af ? 0 : -1;
}

/* --- v3 BGPPeer ---------------------------------------------------------- */

/* Fields of Calico (and Calico Enterprise) that tern does not model. */
static void
v3_peer_unsupported(struct cal_ctx *x, const struct json_object *o)
{
	static const char *const fields[] = {
		"spec.birdGatewayMode", "spec.extensions",
		"spec.externalNetwork",
	};
	const char *s;

	for (size_t i = 0; i < NITEMS(fields); i++) {
		if (ds_json_is_null(ds_json_get(o, fields[i])))
			continue;
		if (i == 0 && ds_json_string(o, fields[i], &s) == 0 &&
		    (s == NULL || *s == '\0' || strcmp(s, "Recursive") == 0))
			continue;	/* BIRD's default: what tern does */
		ds_cal_warn(x, fields[i], "not supported");
	}
}

static enum cal_res
v3_peer_modes(struct cal_ctx *x, const struct json_object *o,
    struct ds_peer_opts *po)
{
	int v;

	if (ds_cal_json_enum(o, "spec.sourceAddress", ds_source_addr_names,
	    NITEMS(ds_source_addr_names), DS_SRC_USE_NODE_IP, &v) == -1)
		return ds_cal_bad(x, "unknown spec.sourceAddress (UseNodeIP, "
		    "None)");
	po->source_addr = (enum ds_source_addr)v;
	if (ds_json_bool(o, "spec.keepOriginalNextHop", false,
	    &po->keep_next_hop) == -1)
		return ds_cal_bad(x, "spec.keepOriginalNextHop is not a "
		    "boolean");
	if (ds_cal_json_enum(o, "spec.nextHopMode", ds_next_hop_names,
	    NITEMS(ds_next_hop_names), DS_NH_UNSET, &v) == -1)
		return ds_cal_bad(x, "unknown spec.nextHopMode (Auto, Self, "
		    "Keep)");
	po->next_hop = (enum ds_next_hop)v;
	if (po->next_hop != DS_NH_UNSET)
		po->keep_next_hop = false;	/* confd's getNextHopMode */
	if (ds_cal_json_enum(o, "spec.restartMode", ds_restart_mode_names,
	    NITEMS(ds_restart_mode_names), DS_RESTART_GR, &v) == -1)
		return ds_cal_bad(x, "unknown spec.restartMode "
		    "(GracefulRestart, LongLivedGracefulRestart)");
	po->restart_mode = (enum ds_restart_mode)v;
	if (ds_cal_json_enum(o, "spec.failureDetectionMode",
	    ds_failure_detection_names, NITEMS(ds_failure_detection_names),
	    DS_FD_NONE, &v) == -1)
		return ds_cal_bad(x, "unknown spec.failureDetectionMode (None, "
		    "BFDIfDirectlyConnected)");
	po->failure_detection = (enum ds_failure_detection)v;
	return CAL_FACT;
}

static enum cal_res
v3_peer_numbers(struct cal_ctx *x, const struct json_object *o,
    struct ds_peer_opts *po)
{
	int64_t v;

	if (ds_cal_json_as(o, "spec.localASNumber", &po->local_as) == -1)
		return ds_cal_bad(x, "bad spec.localASNumber");
	if (ds_cal_json_secs(o, "spec.maxRestartTime", po->restart_mode ==
	    DS_RESTART_LLGR ? DS_LLGR_TIME_MAX : DS_GR_TIME_MAX,
	    &po->restart_time) == -1)
		return ds_cal_badf(x, "bad spec.maxRestartTime (a duration "
		    "such as \"120s\" of 0..%u s)", po->restart_mode ==
		    DS_RESTART_LLGR ? DS_LLGR_TIME_MAX : DS_GR_TIME_MAX);
	if (ds_cal_json_secs(o, "spec.keepaliveTime", DS_KEEPALIVE_MAX,
	    &po->keepalive_time) == -1 || po->keepalive_time == 0)
		return ds_cal_bad(x, "bad spec.keepaliveTime (a duration such "
		    "as \"30s\" of 1..65535 s)");
	if (ds_json_int_range(o, "spec.numAllowedLocalASNumbers", 0,
	    INT32_MAX, &v) == -1)
		return ds_cal_bad(x, "bad spec.numAllowedLocalASNumbers (an "
		    "integer 0..2147483647)");
	po->num_allow_local_as = ds_json_int_range(o,
	    "spec.numAllowedLocalASNumbers", 0, INT32_MAX, &v) == 1 ?
	    (uint32_t)v : 0;
	if (ds_json_int_range(o, "spec.ttlSecurity", 0, 255, &v) == -1)
		return ds_cal_bad(x, "bad spec.ttlSecurity (an integer "
		    "0..255)");
	po->ttl_security = ds_json_int_range(o, "spec.ttlSecurity", 0, 255,
	    &v) == 1 ? (uint8_t)v : 0;
	return CAL_FACT;
}

/*
 * A BGPPeer's options (bgppeer.go) as confd reads them; p's node, selector
 * and address fields are read already. reachableBy is an address of
 * peerIP's family, and only with a peerIP (Calico's validation).
 */
enum cal_res
ds_cal_v3_peer_opts(struct cal_ctx *x, const struct json_object *o,
    struct ds_model_peer *p)
{
	struct ds_peer_opts *po = ds_peer_opts_new();
	const char *why;
	enum cal_res r;

	p->opts = po;
	if ((r = v3_peer_modes(x, o, po)) != CAL_FACT ||
	    (r = v3_peer_numbers(x, o, po)) != CAL_FACT)
		return r;
	if (json_reachable(o, "spec.reachableBy", p->addr.af,
	    &po->reachable_by) == -1 || (p->peer_sel != NULL &&
	    addr_is_set(&po->reachable_by)))
		return ds_cal_bad(x, "bad spec.reachableBy (an address of "
		    "peerIP's family, only with peerIP)");
	if ((why = ds_cal_json_secret(o, "spec.password", &po->password)) != NULL)
		return ds_cal_badf(x, "bad spec.password: %s", why);
	if ((why = json_filters(o, "spec.filters", po)) != NULL)
		return ds_cal_badf(x, "bad spec.filters: %s", why);
	v3_peer_unsupported(x, o);
	return CAL_FACT;
}

/* --- v1 peer JSON (confd's backends.BGPPeer) ------------------------------ */

/* A decimal string of seconds ("": unset), as confd writes them. */
static int
v1_secs(const struct json_object *o, const char *path, uint64_t lo,
    uint64_t hi, int32_t *out)
{
	const char *s;
	uint64_t v;

	*out = DS_TIME_UNSET;
	if (ds_json_string(o, path, &s) == -1)
		return -1;
	if (s == NULL || *s == '\0')
		return 0;
	if (num_parse_u64(s, &v) == -1 || v < lo || v > hi)
		return -1;
	*out = (int32_t)v;
	return 0;
}

static enum cal_res
v1_peer_strings(struct cal_ctx *x, const struct json_object *o,
    struct ds_peer_opts *po)
{
	const char *s;
	int v;

	/* absent: Calico 2.x's template always set the node's address */
	if (ds_cal_json_enum(o, "source_addr", ds_source_addr_names,
	    NITEMS(ds_source_addr_names), DS_SRC_USE_NODE_IP, &v) == -1)
		return ds_cal_bad(x, "unknown \"source_addr\" (UseNodeIP, "
		    "None)");
	po->source_addr = (enum ds_source_addr)v;
	if (ds_cal_json_enum(o, "next_hop_mode", ds_next_hop_names,
	    NITEMS(ds_next_hop_names), DS_NH_UNSET, &v) == -1)
		return ds_cal_bad(x, "unknown \"next_hop_mode\" (Auto, Self, "
		    "Keep)");
	po->next_hop = (enum ds_next_hop)v;
	if (ds_json_string(o, "password", &s) == -1)
		return ds_cal_bad(x, "\"password\" is not a string");
	if (s != NULL && *s != '\0')
		ds_password_set(&po->password, DS_PW_LITERAL, s, NULL);
	if (v1_secs(o, "restart_time", 0, DS_GR_TIME_MAX,
	    &po->restart_time) == -1)
		return ds_cal_bad(x, "bad \"restart_time\" (seconds, "
		    "0..4095)");
	if (v1_secs(o, "keepalive_time", 1, DS_KEEPALIVE_MAX,
	    &po->keepalive_time) == -1)
		return ds_cal_bad(x, "bad \"keepalive_time\" (seconds, "
		    "1..65535)");
	if (ds_json_string(o, "local_as_num", &s) == 0 && s != NULL &&
	    strcmp(s, "0") == 0)
		po->local_as = 0;		/* Go's ",string" zero */
	else if (ds_cal_json_as(o, "local_as_num", &po->local_as) == -1)
		return ds_cal_bad(x, "bad \"local_as_num\"");
	return CAL_FACT;
}

/*
 * The v1 peer JSON's options (keep_next_hop, next_hop_mode, password,
 * source_addr, restart_time, keepalive_time, local_as_num,
 * num_allow_local_as, ttl_security, reachable_by, filters); p->port may
 * come from "port" when the key gave none.
 */
enum cal_res
ds_cal_v2_peer_opts(struct cal_ctx *x, const struct json_object *o,
    struct ds_model_peer *p)
{
	struct ds_peer_opts *po = ds_peer_opts_new();
	const char *why;
	enum cal_res r;
	int64_t v;

	p->opts = po;
	if ((r = v1_peer_strings(x, o, po)) != CAL_FACT)
		return r;
	if (ds_json_bool(o, "keep_next_hop", false, &po->keep_next_hop) == -1)
		return ds_cal_bad(x, "\"keep_next_hop\" is not a boolean");
	if (po->next_hop != DS_NH_UNSET)
		po->keep_next_hop = false;
	if (ds_json_int_range(o, "num_allow_local_as", 0, INT32_MAX,
	    &v) == -1)
		return ds_cal_bad(x, "bad \"num_allow_local_as\"");
	po->num_allow_local_as = ds_json_int_range(o, "num_allow_local_as",
	    0, INT32_MAX, &v) == 1 ? (uint32_t)v : 0;
	if (ds_json_int_range(o, "ttl_security", 0, 255, &v) == -1)
		return ds_cal_bad(x, "bad \"ttl_security\" (0..255)");
	po->ttl_security = ds_json_int_range(o, "ttl_security", 0, 255,
	    &v) == 1 ? (uint8_t)v : 0;
	v = 0;
	if (ds_json_int_range(o, "port", 0, 65535, &v) == -1 ||
	    (v != 0 && p->port != 0 && v != p->port))
		return ds_cal_bad(x, "bad \"port\" (0..65535, the key's when "
		    "it has one)");
	if (v != 0)
		p->port = (uint16_t)v;
	if (json_reachable(o, "reachable_by", p->addr.af,
	    &po->reachable_by) == -1)
		return ds_cal_bad(x, "bad \"reachable_by\" (an address of the "
		    "peer's family)");
	if ((why = json_filters(o, "filters", po)) != NULL)
		return ds_cal_badf(x, "bad \"filters\": %s", why);
	return CAL_FACT;
}

/* --- v3 BGPFilter -------------------------------------------------------- */

static const char *const dir_names[DS_FILTER_NDIR] = {
	[DS_FILTER_EXPORT_V4] = "spec.exportV4",
	[DS_FILTER_IMPORT_V4] = "spec.importV4",
	[DS_FILTER_EXPORT_V6] = "spec.exportV6",
	[DS_FILTER_IMPORT_V6] = "spec.importV6",
};

/* prefixLength {min, max}: each null or 0..32 (0..128) */
static int
rule_len(const struct json_object *it, uint8_t af, struct ds_filter_rule *r)
{
	const struct json_object *pl = ds_json_get(it, "prefixLength");
	int64_t v;
	int rc;

	r->min_len = r->max_len = -1;
	if (ds_json_is_null(pl))
		return 0;
	if (!ds_json_is_object(pl))
		return -1;
	r->has_len = true;
	if ((rc = ds_json_int_range(pl, "min", 0, af_maxlen(af), &v)) == -1)
		return -1;
	if (rc == 1)
		r->min_len = (int16_t)v;
	if ((rc = ds_json_int_range(pl, "max", 0, af_maxlen(af), &v)) == -1)
		return -1;
	if (rc == 1)
		r->max_len = (int16_t)v;
	return 0;
}

/* The rule's match fields; -1 with *what naming the bad one. */
static int
rule_match(const struct json_object *it, uint8_t af, struct ds_filter_rule *r,
    const char **what)
{
	const char *s;
	int v;

	*what = "cidr (a CIDR of the rule's family)";
	if (ds_json_string(it, "cidr", &s) == -1 || (s != NULL && *s != '\0' &&
	    (ds_net_parse(s, &r->cidr) == -1 || r->cidr.af != af)))
		return -1;
	*what = "prefixLength ({min, max} of the family's lengths)";
	if (rule_len(it, af, r) == -1)
		return -1;
	*what = "matchOperator (Equal, NotEqual, In, NotIn)";
	if (ds_cal_json_enum(it, "matchOperator", ds_filter_op_names,
	    NITEMS(ds_filter_op_names), DS_FOP_NONE, &v) == -1)
		return -1;
	r->op = (enum ds_filter_op)v;
	*what = "source (RemotePeers)";
	if (ds_cal_json_enum(it, "source", ds_filter_source_names,
	    NITEMS(ds_filter_source_names), DS_FSRC_ANY, &v) == -1)
		return -1;
	r->source = (enum ds_filter_source)v;
	*what = "peerType (eBGP, iBGP)";
	if (ds_cal_json_enum(it, "peerType", ds_filter_peer_type_names,
	    NITEMS(ds_filter_peer_type_names), DS_FPEER_ANY, &v) == -1)
		return -1;
	r->peer_type = (enum ds_filter_peer_type)v;
	*what = "interface ([a-zA-Z0-9_.*-], 1..15)";
	if (ds_json_string(it, "interface", &s) == -1 || (s != NULL &&
	    *s != '\0' && !ds_iface_pattern_ok(s, true)))
		return -1;
	snprintf(r->iface, sizeof(r->iface), "%s", s != NULL ? s : "");
	*what = "action (Accept, Reject)";
	if (ds_cal_json_enum(it, "action", ds_filter_action_names,
	    NITEMS(ds_filter_action_names), -1, &v) == -1 || v == -1)
		return -1;
	r->action = (enum ds_filter_action)v;
	return 0;
}

/*
 * A rule's fields tern does not model: a match on them is dropped with
 * the rule (1); operations are ignored, the rule kept (0).
 */
static int
rule_unsupported(struct cal_ctx *x, const struct json_object *it,
    const char *at)
{
	static const char *const match[] = {
		"communities", "asPathPrefix", "priority",
	};
	const struct json_object *v;
	char what[96];

	for (size_t i = 0; i < NITEMS(match); i++) {
		v = ds_json_get(it, match[i]);
		if (ds_json_is_null(v) || (ds_json_is_array(v) &&
		    ds_json_array_len(v) == 0))
			continue;
		snprintf(what, sizeof(what), "%s.%s", at, match[i]);
		ds_cal_warn(x, what, "not supported: the rule is dropped");
		return 1;
	}
	v = ds_json_get(it, "operations");
	if (!ds_json_is_null(v) && !(ds_json_is_array(v) &&
	    ds_json_array_len(v) == 0)) {
		snprintf(what, sizeof(what), "%s.operations", at);
		ds_cal_warn(x, what, "not supported: the rule accepts "
		    "without them");
	}
	return 0;
}

static enum cal_res
filter_dir(struct cal_ctx *x, const struct json_object *o,
    enum ds_filter_dir d, struct ds_filter *f)
{
	uint8_t af = d == DS_FILTER_EXPORT_V4 || d == DS_FILTER_IMPORT_V4 ?
	    AF_INET : AF_INET6;
	const struct json_object *a = ds_json_get(o, dir_names[d]), *it;
	struct ds_filter_rule r;
	const char *what;
	char at[64];

	if (ds_json_is_null(a))
		return CAL_FACT;
	if (!ds_json_is_array(a))
		return ds_cal_badf(x, "%s is not a list", dir_names[d]);
	for (size_t i = 0; i < ds_json_array_len(a); i++) {
		snprintf(at, sizeof(at), "%s[%zu]", dir_names[d], i);
		it = ds_json_array_at(a, i);
		memset(&r, 0, sizeof(r));
		if (!ds_json_is_object(it))
			return ds_cal_badf(x, "%s is not an object", at);
		if (rule_match(it, af, &r, &what) == -1)
			return ds_cal_badf(x, "%s: bad %s", at, what);
		if ((what = ds_filter_rule_check(&r, af)) != NULL)
			return ds_cal_badf(x, "%s: %s", at, what);
		if (rule_unsupported(x, it, at) == 1)
			continue;
		if (ds_filter_add_rule(f, d, &r) == -1)
			return ds_cal_badf(x, "%s: more than %d rules",
			    dir_names[d], DS_FILTER_RULES_MAX);
	}
	return CAL_FACT;
}

/* bgpfilters/<name>: spec.{exportV4,importV4,exportV6,importV6} */
enum cal_res
ds_cal_v3_filter(struct cal_ctx *x, int arg)
{
	struct json_object *o;
	struct ds_filter f;
	enum cal_res r = CAL_FACT;

	(void)arg;
	if (!ds_k8s_name_ok(x->cap[0]))
		return ds_cal_bad(x, "the BGPFilter name is no Calico name");
	if ((o = ds_cal_json(x)) == NULL)
		return CAL_BAD;
	ds_filter_init(&f, x->cap[0]);
	for (int d = 0; d < DS_FILTER_NDIR && r == CAL_FACT; d++)
		r = filter_dir(x, o, (enum ds_filter_dir)d, &f);
	ds_json_free(o);
	if (r == CAL_FACT && ds_model_filter_set(x->m, &f) == -1)
		r = ds_cal_bad(x, "bad BGPFilter");
	ds_filter_fini(&f);
	if (r == CAL_FACT)
		x->e->kind = CK_FILTER;
	return r;
}

/* --- v1 keys ------------------------------------------------------------- */

/* /bgp/v1/global/custom_filters/v4/<name>: Calico 2.x's BIRD filter text */
enum cal_res
ds_cal_v2_custom_filter(struct cal_ctx *x, int af)
{
	(void)af;
	if (x->val[0] == '\0')
		return CAL_NONE;
	return ds_cal_bad(x, "custom_filters hold BIRD filter statements, "
	    "which tern cannot run: use BGPFilter resources (Calico 3.26+)");
}
