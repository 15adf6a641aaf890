/*
 * session.h: bgpd's private types (never included outside bgpd/).
 *
 * Ownership: struct bgpd owns its peers (TAILQ) and listeners. A
 * struct bgp_peer owns its connections, timers, Adj-RIB-Out and rib
 * client; bgp_peer_free() is the single place they die. A struct bgp_conn
 * owns its fd, events and buffers; bgp_conn_free() closes and frees them.
 * Nothing is freed from inside its own callback: a peer to be deleted is
 * marked dead and reaped from a zero-timeout event.
 *
 * Connections: a peer has a main connection (conn) and, during a
 * connection collision (RFC 4271 6.8), a second incoming one (conn2) that
 * runs only until its OPEN arrives and the collision is resolved.
 */
#ifndef TERN_BGP_SESSION_H
#define TERN_BGP_SESSION_H

#include <bsd/sys/queue.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "bgpd.h"
#include "log.h"
#include "msg.h"

struct event;
struct event_base;
struct evbuffer;
struct adjout;
struct bgp_upgroup;

enum bgp_event {
	BGP_EV_START,
	BGP_EV_STOP,
	BGP_EV_CONNECT_RETRY,	/* ConnectRetryTimer_Expires */
	BGP_EV_HOLD_EXPIRED,	/* HoldTimer_Expires */
	BGP_EV_KEEPALIVE_TIMER,	/* KeepaliveTimer_Expires */
	BGP_EV_TCP_OK,		/* Tcp_CR_Acked / TcpConnectionConfirmed */
	BGP_EV_TCP_FAIL,	/* TcpConnectionFails */
	BGP_EV_OPEN,		/* BGPOpen */
	BGP_EV_KEEPALIVE,	/* KeepAliveMsg */
	BGP_EV_UPDATE,		/* UpdateMsg */
	BGP_EV_NOTIFICATION,	/* NotifMsg */
	BGP_EV_RREFRESH,
	BGP_EV_MSG_ERROR,	/* BGPHeaderErr / BGPOpenMsgErr / UpdateMsgErr */
	BGP_EV_BFD_DOWN,	/* bgpd_peer_down: BFD says the path is down */
};
const char *bgp_event_name(enum bgp_event);

enum bgp_timer {
	BGP_TIMER_CONNECT_RETRY,
	BGP_TIMER_HOLD,
	BGP_TIMER_KEEPALIVE,
	BGP_TIMER_MAX,
};

#define BGP_OPEN_HOLD_TIME	240	/* RFC 4271 8: large value before OPEN */
#define BGP_MSG_PROCESS_LIMIT	64	/* messages per read wakeup */
#define BGP_OUT_HIGH_WATER	(256 * 1024)	/* stop building UPDATEs */
#define BGP_ADDPATH_TX_MAX	64	/* paths sent per prefix (RFC 7911) */
#define BGP_ADDPATH_TX_SCAN	256	/* paths looked at for them */

struct bgp_conn {
	struct bgp_peer	*peer;
	int		 fd;
	bool		 outgoing;
	enum bgp_state	 state;
	struct event	*ev_read;
	struct event	*ev_write;
	struct event	*ev_flush;	/* write what was queued, this loop turn */
	struct event	*ev_more;	/* go on processing (fairness) */
	struct event	*timers[BGP_TIMER_MAX];
	struct evbuffer	*in;
	struct evbuffer	*out;
	struct bgp_open	 remote_open;	/* valid from OpenConfirm */
	struct addr	 local;		/* our end, once connected */
	bool		 open_received;
	struct bgp_conn	*next_zombie;
};

/* One message handed to the FSM with its event. */
struct bgp_fsm_msg {
	uint8_t			 type;
	struct rbuf		 body;
	struct bgp_err		 err;		/* BGP_EV_MSG_ERROR */
};

struct bgp_peer {
	TAILQ_ENTRY(bgp_peer)	 entry;
	struct bgpd		*bgpd;
	struct bgpd_peer_conf	 conf;
	struct bgp_conn		*conn;		/* main connection, or NULL */
	struct bgp_conn		*conn2;		/* collision candidate */
	enum bgp_state		 state;		/* shown state */
	time_t			 since;
	char			 last_error[128];
	struct event		*ev_retry;	/* connect-retry (peer level) */
	struct event		*ev_restart;	/* RFC 4724 restart timer */
	struct event		*ev_reap;	/* deferred free */
	struct event		*ev_tx;		/* build UPDATEs (also paced) */
	uint64_t		 tx_last;	/* ms (monotonic): UPDATEs built */
	struct event		*ev_refresh;	/* a deferred route refresh */
	struct bgp_conn		*zombies;	/* closed, freed by ev_reap */
	const struct rib_attrs	*exp_cache_in;	/* last export translation */
	const struct rib_attrs	*exp_cache_out;
	uint64_t		 exp_cache_key;	/* reflected: 1<<32 | source id */
	uint64_t		 exp_cache_comms;	/* excomm rules matched */
	unsigned		 refused;	/* connects refused in a row */
	bool			 dead;
	bool			 ebgp;
	/* negotiated on Established */
	uint16_t		 hold_time;
	uint16_t		 keepalive_time;
	uint32_t		 remote_id;
	struct bgp_caps		 remote_caps;
	struct bgp_codec_ctx	 ctx;
	bool			 gr_stale;	/* routes kept as stale */
	bool			 llgr_stale;	/* RFC 9494: long-lived phase */
	bool			 eor_rx[BGP_AF_MAX];
	/* rib side */
	struct rib_src		 src;
	struct rib_client	*client;
	struct adjout		*adjout;	/* alone; NULL in a group */
	struct bgp_upgroup	*upg;		/* its update group, or NULL */
	TAILQ_ENTRY(bgp_peer)	 upg_entry;
	uint64_t		 upg_ban_until;	/* ms (monotonic): no joining */
	unsigned		 upg_bans;	/* times it had to leave */
	uint64_t		 upg_lagged;	/* times it left for lagging */
	size_t			 routes_exported;
	uint64_t		 msgs_in;
	uint64_t		 msgs_out;
	uint64_t		 updates_in;
	uint64_t		 updates_out;
	uint64_t		 drops;		/* Established sessions ended */
	uint64_t		 in_full;	/* reads paused: buffer full */
	/* route refresh (RFC 2918, 7313) */
	uint64_t		 refresh_last;	/* ms (monotonic): last served */
	bool			 erefresh;	/* peer's BoRR seen */
	uint64_t		 refresh_rx;
	uint64_t		 refresh_served;
	/* import: routes refused (filter, AS loop, rib), loops seen */
	uint64_t		 rx_refused;
	uint64_t		 rx_loops;
	uint64_t		 rx_rr_loops;	/* RFC 4456 8 */
	bool			 loop_logged;	/* this session */
	bool			 rr_loop_logged;
	bool			 addpath_cap_logged;
};

TAILQ_HEAD(bgp_peer_head, bgp_peer);
LIST_HEAD(bgp_upgroup_head, bgp_upgroup);

struct bgpd {
	struct event_base	*base;
	struct rib		*rib;
	struct bgpd_params	 params;
	char			 password[81];
	struct bgpd_ops		 ops;
	void			*ops_arg;
	struct bgp_peer_head	 peers;
	struct bgp_upgroup_head	 upgroups;	/* upgroup.c */
	int			 listen_fd[2];
	bool			 started;	/* bgpd_start: listening */
	struct event		*ev_listen[2];
	uint8_t			*scratch;	/* bgp_update_attrs scratch */
	size_t			 scratchlen;
	struct bgp_excomm	*excomm;	/* excomm.c: export communities */
	size_t			 nexcomm;
	bool			 export_as_is;	/* bgpd_export_as_is, this route */
};

/* excomm.c: export communities (bgpd_set_export_comms) */
struct bgp_excomm_buf {
	uint32_t	*std, *large;
};
/* the rules whose cidr contains pfx, a bit each */
uint64_t bgp_excomm_match(const struct bgpd *, const struct prefix *);
/* t's communities with those of the rules in m; b holds the arrays until
 * t is interned (bgp_excomm_buf_free, also after -1: too many values) */
int	bgp_excomm_apply(const struct bgpd *, uint64_t m, struct rib_attrs *t,
	    struct bgp_excomm_buf *b);
void	bgp_excomm_buf_free(struct bgp_excomm_buf *);
void	bgp_excomm_fini(struct bgpd *);
/* The session's own AS (localASNumber, else ours), TCP MD5 key ("" =
 * none) and allowed count of our AS in a path (issue 15). */
static inline uint32_t
bgp_peer_local_as(const struct bgp_peer *peer)
{
	return peer->conf.local_as != 0 ? peer->conf.local_as :
	    peer->bgpd->params.local_as;
}

static inline const char *
bgp_peer_password(const struct bgp_peer *peer)
{
	return peer->conf.pw_set ? peer->conf.password : peer->bgpd->password;
}

static inline uint32_t
bgp_peer_allow_local_as(const struct bgp_peer *peer)
{
	return peer->conf.allow_local_as != 0 ? peer->conf.allow_local_as :
	    peer->bgpd->params.allow_local_as;
}

/* fsm.c: the RFC 4271 8 state machine, one step per event */
void	bgp_fsm(struct bgp_conn *, enum bgp_event, struct bgp_fsm_msg *);
/* The ConnectRetryTimer after `refused` connects refused in a row (0: any
 * other failure), connect_retry_time max_ms; ms, before jitter. */
#define BGP_REFUSED_RETRY_MS	250u
#define BGP_REFUSED_FIRST_MS	50u	/* the first retry, doubling to 250:
					 * a daemon that is starting listens
					 * within a few ms */
#define BGP_REFUSED_FLAT	42	/* 10 s of flat retries */
#define BGP_REFUSED_MAX		(BGP_REFUSED_FLAT + 20)
unsigned bgp_fsm_retry_ms(unsigned refused, unsigned max_ms);
void	bgp_fsm_change_state(struct bgp_conn *, enum bgp_state,
	    enum bgp_event);
void	bgp_fsm_send_notification(struct bgp_conn *, uint8_t code,
	    uint8_t subcode, const void *data, size_t len);
bool	bgp_fsm_gr_notification(const struct bgp_conn *);
bool	bgp_fsm_send_cease(struct bgp_conn *, uint8_t subcode);
int	bgp_fsm_check_open(struct bgp_conn *, const struct bgp_open *,
	    struct bgp_err *);
void	bgp_fsm_build_open(const struct bgp_peer *, struct bgp_open *);

/* peer.c: transport and timers (the FSM's only way out) */
void	bgp_conn_send(struct bgp_conn *, const uint8_t *, size_t);
/* nmsgs messages (nupdates UPDATEs) were put in c->out directly (an
 * update group's shared block): count them and write them this turn */
void	bgp_conn_queued(struct bgp_conn *c, uint32_t nmsgs, uint32_t nupdates);
void	bgp_conn_close(struct bgp_conn *);
void	bgp_conn_timer_start(struct bgp_conn *, enum bgp_timer, unsigned);
void	bgp_conn_timer_stop(struct bgp_conn *, enum bgp_timer);
void	bgp_peer_connect(struct bgp_peer *);
void	bgp_peer_retry_start(struct bgp_peer *);
void	bgp_peer_established(struct bgp_peer *, struct bgp_conn *);
void	bgp_peer_session_down(struct bgp_peer *, bool graceful);
/* -1: the UPDATE demands a session reset; m->err says why */
int	bgp_peer_rx_update(struct bgp_peer *, struct bgp_fsm_msg *);
int	bgp_peer_rx_rrefresh(struct bgp_peer *, struct bgp_fsm_msg *);
/* Serve a route refresh now (from the deferral timer). */
void	bgp_peer_refresh(struct bgp_peer *);
/* Send a ROUTE-REFRESH of subtype BGP_RR_* for the session's AF. */
void	bgp_peer_send_rrefresh(struct bgp_peer *, uint8_t subtype);
bool	bgp_peer_collision(struct bgp_peer *, struct bgp_conn *);
void	bgp_peer_set_error(struct bgp_peer *, const char *, ...)
	    PRINTF_LIKE(2, 3);
void	log_peer(const struct bgp_peer *, enum log_level, const char *, ...)
	    PRINTF_LIKE(3, 4);

struct bgp_peer *bgp_peer_new(struct bgpd *, const struct bgpd_peer_conf *);
void	bgp_peer_start(struct bgp_peer *);
void	bgp_peer_stop(struct bgp_peer *, uint8_t cease_subcode);
void	bgp_peer_free(struct bgp_peer *);
void	bgp_peer_accept(struct bgp_peer *, int fd);
void	bgp_peer_tx_schedule(struct bgp_peer *);
void	bgp_peer_tx_change(struct bgp_peer *);
bool	bgp_tx_paced(const struct bgpd *, uint64_t, unsigned *);
struct sockaddr_storage;
int	bgp_md5_set(int fd, const struct addr *, const char *password);
/* GTSM (RFC 5082) on fd for peer: TTL 255 out and the minimum TTL in
 * with ttl_security, else the system's TTL and no minimum. */
int	bgp_peer_ttl_set(const struct bgp_peer *, int fd);
socklen_t bgp_sockaddr(const struct addr *, uint16_t port,
	    struct sockaddr_storage *);

/* import.c: what peers announce into the rib, and the export policy */
void	bgp_peer_gr_expired(struct bgp_peer *);
void	bgp_peer_get_info(const struct bgp_peer *, struct bgpd_peer_info *);
/* drop everything the session put in the rib and its Adj-RIB-Out */
void	bgp_peer_flush(struct bgp_peer *);
/* Export to this peer no more: out of the rib's clients, its Adj-RIB-Out
 * freed (session down, flush, and every peer first at shutdown). */
void	bgp_peer_export_stop(struct bgp_peer *);
void	bgp_peer_export_cache_drop(struct bgp_peer *);
/* Export to this peer alone again, from ao (a copy of its group's). */
void	bgp_peer_export_resume(struct bgp_peer *, struct adjout *ao);
/* The peer is exporting: alone (adjout) or in an update group. */
bool	bgp_peer_exporting(const struct bgp_peer *);
/* Its Adj-RIB-Out (its own or its group's) has UPDATEs left to build. */
bool	bgp_peer_tx_pending(const struct bgp_peer *);
/* pfx (id) changed: mark it in ao, built with peer's policy; true when
 * newly marked (schedule a build). */
bool	bgp_export_mark(struct bgp_peer *peer, struct adjout *ao,
	    const struct prefix *pfx, uint32_t id, const struct rib_path *best);

/* upgroup.c: update groups (sessions alike share one Adj-RIB-Out) */
void	bgp_upg_try_join(struct bgp_peer *);
void	bgp_upg_leave(struct bgp_peer *, bool keep);
void	bgp_upg_tx(struct bgp_upgroup *);
void	bgp_upg_refresh_exports(struct bgpd *);
const struct adjout *bgp_upg_adjout(const struct bgp_upgroup *);
unsigned bgp_upg_id(const struct bgp_upgroup *, size_t *members);

/* listen.c */
/* send Cease/subcode on a fresh socket and close it */
void	bgp_refuse(int fd, uint8_t subcode);
int	bgp_listen_start(struct bgpd *);
void	bgp_listen_stop(struct bgpd *);
/* The listener's TCP MD5 key for peer's address: its key (clear: none) */
void	bgp_listen_md5(struct bgpd *, const struct bgp_peer *, bool clear);
/* The listeners' GTSM filter again, from the peers with ttl_security */
void	bgp_listen_gtsm(struct bgpd *);

/* adjout.c: Adj-RIB-Out with mark-then-build TX */
/*
 * What the export policy says a peer should have now for one prefix: the
 * paths (ids[i], attrs[i]), i < n (path id 0 without add-path), each
 * attrs a reference that the Adj-RIB-Out takes over.
 */
struct adjout_want {
	struct prefix		 pfx;
	size_t			 n;
	uint32_t		 ids[BGP_ADDPATH_TX_MAX];
	const struct rib_attrs	*attrs[BGP_ADDPATH_TX_MAX];
};
/*
 * want (import.c) is asked by adjout_build, outside any rib hook, for each
 * marked prefix id (rib.h): it fills w for the prefix the id holds now and
 * returns true, or returns false (w->n 0) when the id holds none.
 */
struct adjout *adjout_new(struct bgp_peer *, bool (*want)(struct bgp_peer *,
	    uint32_t pfx_id, struct adjout_want *w));
void	adjout_free(struct adjout *);
/*
 * What this peer should have for the prefix of rib prefix id pfx_id may
 * have changed (what best_changed with a new best, or paths_changed,
 * gives): a bit until adjout_build asks want. True when newly marked
 * (schedule the build). Pending: a bit a prefix; sent: a word.
 */
bool	adjout_mark(struct adjout *, uint32_t pfx_id);
/*
 * The rib ends pfx (best_changed with new NULL; pfx_id may go to another
 * prefix after): its paths sent are queued as withdrawals that hold the
 * prefix. True when something was queued.
 */
bool	adjout_end(struct adjout *, const struct prefix *, uint32_t pfx_id);
/* Something is sent, or being sent, for pfx_id: a change of a prefix the
 * peer may not get needs no mark otherwise. */
bool	adjout_holds(const struct adjout *, uint32_t pfx_id);
/* build UPDATEs into the connection until high water; true if more */
bool	adjout_build(struct adjout *, struct bgp_conn *);
/* Where adjout_build_to puts the messages it builds (an update group's
 * shared blocks, upgroup.c); room false: stop for now. */
struct adjout_sink {
	void	(*emit)(void *arg, const uint8_t *msg, size_t len);
	bool	(*room)(void *arg);
	void	*arg;
};
/* adjout_build into k; true while more is pending */
bool	adjout_build_to(struct adjout *, const struct adjout_sink *k);
/* Nothing pending: no withdrawal queued, nothing staged or marked, no
 * refresh cursor, no End-of-RIB or End-of-RR to send. The sent table is
 * then what the export policy wants for every prefix. */
bool	adjout_idle(const struct adjout *);
/* The peer whose codec context and export policy builds use (an update
 * group's representative member). */
void	adjout_set_peer(struct adjout *, struct bgp_peer *);
/* A full copy of the Adj-RIB-Out for peer, which goes on alone from it. */
struct adjout *adjout_clone(const struct adjout *, struct bgp_peer *);
void	adjout_queue_eor(struct adjout *);
/* Route refresh: queue everything announced again (RFC 7313: then EoRR). */
void	adjout_refresh(struct adjout *, bool eorr);
size_t	adjout_count(const struct adjout *);

#endif
