/*
 * ctl.h: the control socket (SPEC 5), speaking BIRD's CLI protocol so that
 * birdc, birdcl, calicoctl and calico-node's health checks work unchanged.
 *
 * ctl/ owns the UNIX socket server on the event loop, the framing of
 * requests (one command per line, BIRD's 4096-byte receive limit) and of
 * replies (reply codes, "DDDD-" first lines, " " continuations, one final
 * "DDDD " line), the command parser (BIRD's words, quoted patterns with
 * * and ? wildcards), the restricted mode and the BIRD 1.6 layouts that
 * Calico parses. It knows nothing of BGP, the rib or the datastore: what a
 * command shows comes from the agent through struct ctl_ops. ctl/ depends
 * on lib/ only.
 *
 * A client's life (one per connection):
 *
 *   accept --> greeting "0001 BIRD <version> ready."
 *     |
 *     v
 *   IDLE --line--> parse --ctl/restrict/down/error--> reply, IDLE
 *     ^              |
 *     |              +--agent request--> ops->run --CTL_DONE--> IDLE
 *     |                                     |  ^
 *     |                          CTL_MORE   v  | output drained
 *     +--CTL_DONE------------------------ BUSY / WAIT (ctl_wakeup)
 *
 * A client is served one command at a time, in order (BIRD cli_event):
 * the next line is taken only when the previous reply has (mostly) been
 * written. Long replies are produced in pieces as the socket drains (BIRD's
 * continuation hook), so a client that never reads costs a bounded buffer,
 * never the daemon's time; one whose output makes no progress for
 * CTL_STALL_SECS, or grows past CTL_OUT_MAX, is dropped.
 *
 * Clients are bounded (struct ctl_params; our implementation, BIRD has no
 * such bounds): one that completes no command for idle_secs while nothing
 * is owed to it is closed (calicoctl, birdc and the health checks send a
 * command right after the greeting). A new client always gets in: when
 * its uid already holds max_per_uid clients, that uid's least recently
 * active client is closed (an idle one first), and at max_clients the
 * least recently active of all (idle first). With max_per_uid at most half
 * of max_clients (the default), a uid that connects over and over only
 * ever closes its own clients, as long as the other uids together hold no
 * more than max_clients - max_per_uid. Each close is counted (struct
 * ctl_stats) and logged at a bounded rate.
 *
 * The process must ignore SIGPIPE (ternd's main does): a client may close
 * its end while a reply is being written.
 *
 * Ownership: struct ctl owns the listening socket, every client, their
 * buffers and events; ctl_free() releases all of them (calling ops->cancel
 * for a reply still in progress) and unlinks the socket file.
 */
#ifndef TERN_CTL_H
#define TERN_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "addr.h"
#include "defs.h"

struct event_base;
struct ctl;
struct ctl_client;

/* BIRD nest/cli.h: CLI_RX_BUF_SIZE; a command has at most 4093 bytes */
#define CTL_RX_BUF	4096
#define CTL_CMD_MAX	(CTL_RX_BUF - 3)
/* BIRD CLI_LINE_SIZE: one reply line, prefix and newline included */
#define CTL_LINE_SIZE	512
#define CTL_NAME_MAX	64
#define CTL_IN_MAX	(16 * 1024)	/* unread pipelined input */
#define CTL_OUT_LOW	(16 * 1024)	/* take the next command below this */
#define CTL_OUT_HIGH	(64 * 1024)	/* a producer yields above this */
#define CTL_OUT_MAX	(4 * 1024 * 1024) /* dropped above this */
#define CTL_STALL_SECS	60
/* the defaults of struct ctl_params */
#define CTL_IDLE_SECS	30
#define CTL_MAX_CLIENTS	512
#define CTL_MAX_PER_UID	(CTL_MAX_CLIENTS / 2)

/* Bounds on clients; ctl_new sets the defaults above. */
struct ctl_params {
	unsigned	 idle_secs;	/* no command this long; 0: never */
	unsigned	 max_clients;	/* at least 1 */
	unsigned	 max_per_uid;	/* SO_PEERCRED uid; 0: no cap */
};

/* What the bounds did since ctl_new (ctl_stats). */
struct ctl_stats {
	size_t		 clients;	/* connected now */
	uint64_t	 accepted;	/* clients served, in all */
	uint64_t	 idle_closed;	/* idle for idle_secs */
	uint64_t	 evicted_full;	/* made room: max_clients */
	uint64_t	 evicted_uid;	/* made room: max_per_uid */
	uint64_t	 dropped;	/* reply unread: stalled or too big */
};

/* What the agent is asked to produce. */
enum ctl_verb {
	CTL_SHOW_STATUS,
	CTL_SHOW_PROTOCOLS,
	CTL_SHOW_ROUTE,
	CTL_CONFIGURE,
	CTL_SHOW_BFD,		/* show bfd sessions (issue 15) */
};

#define CTL_F_ALL	0x01u	/* show protocols all / show route all */
#define CTL_F_COUNT	0x02u	/* show route count */
#define CTL_F_PRIMARY	0x04u	/* show route primary */
/*
 * "json <show command>" (tern's own, what ternctl -o json sends): the reply
 * is one JSON document in CTL_JSON_CODE lines, concatenated without their
 * newlines, then "0000 "; an error is the usual 8xxx/9xxx line instead.
 */
#define CTL_F_JSON	0x08u
#define CTL_JSON_CODE	1100

/*
 * debug: BIRD's "debug <protocol>|\"pattern\"|all all|off|{ states,
 * routes, filters, interfaces, events, packets }" sets the mask (BIRD sets
 * it per protocol; tern's categories are global, so any protocol's mask is
 * everyone's); tern's "debug <category>[,...] on|off" sets or clears those
 * categories and keeps the others.
 */
enum ctl_debug_op {
	CTL_DBG_SET,		/* mask = debug_mask */
	CTL_DBG_ON,		/* mask |= debug_mask */
	CTL_DBG_OFF,		/* mask &= ~debug_mask */
};

enum ctl_target {
	CTL_T_NONE,
	CTL_T_FOR,		/* show route for ADDR|PREFIX: longest match */
	CTL_T_NET,		/* show route PREFIX: exactly this prefix */
};

struct ctl_req {
	enum ctl_verb	 verb;
	unsigned	 flags;
	/* show protocols: a name, or a pattern (quoted); "" = every one */
	char		 name[CTL_NAME_MAX];
	bool		 pattern;
	/* show route */
	enum ctl_target	 target;
	struct prefix	 net;		/* an address is its /32 or /128 */
	uint8_t		 af;		/* table master4/6; 0: both */
	char		 proto[CTL_NAME_MAX];	/* protocol P; "" = any */
	/* debug: name/pattern above ("" with pattern: all), then this */
	enum ctl_debug_op debug_op;
	unsigned	 debug_mask;	/* LOG_D_ categories */
	/* CLOCK_MONOTONIC ns: the last read that brought bytes of its line
	 * (at or after the line arrived; coalescing reloads relies on it) */
	uint64_t	 rx_ns;
	/* owned by the ops between calls (zero at the first call) */
	size_t		 pos;
	char		 cursor[CTL_NAME_MAX];
	void		*cont;
};

/* What ops->run did. */
enum ctl_result {
	CTL_DONE,		/* the final line was written */
	CTL_MORE,		/* call again when the output has drained */
	CTL_WAIT,		/* nothing written; again after ctl_wakeup */
};

struct ctl_ops {
	/* Write (the next part of) the reply to req; CTL_DONE/_MORE/_WAIT. */
	enum ctl_result (*run)(void *arg, struct ctl_client *,
		    struct ctl_req *);
	/* The client went away in the middle of req: free req->cont. */
	void	(*cancel)(void *arg, struct ctl_req *);
	/* "down": stop the daemon (the reply is already on its way). */
	void	(*down)(void *arg);
	/* Is name a protocol? (BIRD: a known symbol, else a syntax error) */
	bool	(*known)(void *arg, const char *name);
};

/*
 * "debug ..." (req: name/pattern, debug_op, debug_mask): apply it and
 * write the whole reply; called with the ops' arg. Until one is set,
 * debug is answered 9001.
 */
typedef void	(*ctl_debug_fn)(void *arg, struct ctl_client *,
		    const struct ctl_req *);

/* ctl.c: the server */
struct ctl	*ctl_new(struct event_base *, const char *path,
		    const char *version, const struct ctl_ops *, void *arg);
void		 ctl_set_debug(struct ctl *, ctl_debug_fn);
/* Applies to clients from now on (evictions: at the next new client). */
void		 ctl_set_params(struct ctl *, const struct ctl_params *);
/*
 * Unlink a stale socket, bind it with mode 0660 from the start (never more
 * open, whatever the umask), listen. -1 (logged) if not.
 */
int		 ctl_start(struct ctl *);
/* Close every client and the socket (unlinked); ctl_free does it too. */
void		 ctl_stop(struct ctl *);
void		 ctl_free(struct ctl *);
/*
 * Serve an already connected stream socket (accept, tests); another client
 * may be closed to make room. -1: refused (stopping, or a bad fd).
 */
int		 ctl_attach(struct ctl *, int fd);
/* Re-run the clients that answered CTL_WAIT. */
void		 ctl_wakeup(struct ctl *);
size_t		 ctl_nclients(const struct ctl *);
void		 ctl_stats(const struct ctl *, struct ctl_stats *);

/* Reply lines, for ops->run. */
void		 ctl_printf(struct ctl_client *, int code, const char *, ...)
		    PRINTF_LIKE(3, 4);
void		 ctl_final(struct ctl_client *, int code, const char *, ...)
		    PRINTF_LIKE(3, 4);
/* Room left before a producer should return CTL_MORE. */
bool		 ctl_room(const struct ctl_client *);

/* parse.c: one command line -> what to do */
enum ctl_action {
	CTL_A_REQ,		/* an agent request (req is filled) */
	CTL_A_RESTRICT,
	CTL_A_DOWN,
	CTL_A_DEBUG,		/* ops->debug (req is filled) */
	CTL_A_IGNORE,		/* exit, quit, help: BIRD sends nothing */
	CTL_A_ERROR,		/* 9001 with err */
};
enum ctl_action	 ctl_parse(const char *line, struct ctl_req *,
		    bool (*known)(void *, const char *), void *arg,
		    char *err, size_t errlen);
/* BIRD's patmatch: * any string, ? any one character. */
bool		 ctl_patmatch(const char *pattern, const char *s);
/*
 * The IPv6 socket beside path (conf control.socket6 ""): ".../bird.ctl" ->
 * ".../bird6.ctl", "NAME.ctl" -> "NAME6.ctl", otherwise "NAME6". -1: too
 * long for buf.
 */
int		 ctl_socket6_path(const char *path, char *buf, size_t len);

/* fmt.c: BIRD 1.6 layouts */
#define CTL_PROTO_HEADER "name     proto    table    state  since       info"
/* "HH:MM:SS" when t is less than 20 hours before now, else "YYYY-MM-DD" */
const char	*ctl_fmt_since(char *, size_t, time_t t, time_t now);
/* "YYYY-MM-DD HH:MM:SS" (show status) */
const char	*ctl_fmt_datetime(char *, size_t, time_t);
/* A show protocols row: "%-8s %-8s %-8s %-5s  %-10s  %s" */
const char	*ctl_fmt_proto_row(char *, size_t, const char *name,
		    const char *proto, const char *table, const char *state,
		    const char *since, const char *info);
/* The BGP info column: "%-14s" state word, then the error ("" = none). */
const char	*ctl_fmt_bgp_info(char *, size_t, const char *word,
		    const char *error);
/* RFC 3339 in UTC: "2026-12-04T07:26:16Z" */
const char	*ctl_fmt_rfc3339(char *, size_t, time_t);

/*
 * json.c: a JSON reply (CTL_F_JSON) written as it is built, in
 * CTL_JSON_CODE lines of at most CTL_JSON_CHUNK bytes. Every string is
 * escaped (quotes, backslashes, control characters; bytes that are not
 * UTF-8 become U+FFFD), so any peer name, error text or interface name
 * gives valid JSON. key is NULL inside an array. Nesting is bounded
 * (CTL_JSON_DEPTH); deeper opens are a bug and are dropped.
 */
#define CTL_JSON_CHUNK	400
#define CTL_JSON_DEPTH	8
struct ctl_json {
	struct ctl_client	*c;
	char			 buf[CTL_JSON_CHUNK + 1];
	size_t			 len;
	unsigned		 depth;
	bool			 more[CTL_JSON_DEPTH];	/* a comma first */
};
void	ctl_json_init(struct ctl_json *, struct ctl_client *);
void	ctl_json_open(struct ctl_json *, const char *key);	/* { */
void	ctl_json_close(struct ctl_json *);			/* } */
void	ctl_json_array(struct ctl_json *, const char *key);	/* [ */
void	ctl_json_end(struct ctl_json *);			/* ] */
void	ctl_json_str(struct ctl_json *, const char *key, const char *);
void	ctl_json_strn(struct ctl_json *, const char *key, const char *,
	    size_t);
void	ctl_json_uint(struct ctl_json *, const char *key, uint64_t);
void	ctl_json_int(struct ctl_json *, const char *key, int64_t);
void	ctl_json_bool(struct ctl_json *, const char *key, bool);
void	ctl_json_null(struct ctl_json *, const char *key);
/* an RFC 3339 string; t == 0: null */
void	ctl_json_time(struct ctl_json *, const char *key, time_t);
/* Write out what is buffered (the document may go on later). */
void	ctl_json_flush(struct ctl_json *);
/* Escape s into out (NUL-terminated, truncated at len); for tests. */
size_t	ctl_json_escape(char *out, size_t len, const char *s, size_t n);

#endif
