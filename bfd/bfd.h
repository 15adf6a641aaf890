/*
 * bfd.h: Bidirectional Forwarding Detection for BGP sessions (RFC 5880,
 * single hop RFC 5881), the only bfd header other modules include.
 *
 * bfd runs inside ternd on the daemon's event loop. It owns one session
 * per peer address the agent asks for (bfd_session_add/_del), the UDP
 * sockets (port 3784 to receive; one socket per session to send, from a
 * port in 49152-65535, TTL 255) and each session's timers. It knows
 * nothing of BGP: a state change goes to struct bfd_ops, and the agent
 * decides what it means for the BGP sessions to that address.
 *
 * Session states (RFC 5880 6.2), driven by what the peer says:
 *
 *                          +--+
 *                          |  | UP, ADMIN DOWN, TIMER
 *                          |  V
 *                  DOWN  +------+  INIT
 *           +------------|      |------------+
 *           |            | DOWN |            |
 *           |  +-------->|      |<--------+  |
 *           |  |         +------+         |  |
 *           |  |                          |  |
 *           |  |               ADMIN DOWN,|  |
 *           |  |ADMIN DOWN,          DOWN,|  |
 *           |  |TIMER                TIMER|  |
 *           V  |                          |  V
 *         +------+                      +------+
 *    +----|      |                      |      |----+
 * DOWN|   | INIT |--------------------->|  UP  |    |INIT, UP
 *    +--->|      | INIT, UP             |      |<---+
 *         +------+                      +------+
 *
 * We never go AdminDown ourselves; a peer's AdminDown takes the session
 * Down with diagnostic 3 and is reported with remote_state AdminDown, which
 * RFC 5882 3.2 says is no failure of the path.
 */
#ifndef TERN_BFD_H
#define TERN_BFD_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <time.h>

#include "addr.h"

struct event_base;
struct bfd;

#define BFD_PORT		3784	/* RFC 5881 4 */
#define BFD_SRC_PORT_MIN	49152
#define BFD_SRC_PORT_MAX	65535
#define BFD_TTL			255	/* RFC 5881 5 (GTSM) */

/* RFC 5880 4.1 State */
enum bfd_state {
	BFD_STATE_ADMIN_DOWN = 0,
	BFD_STATE_DOWN = 1,
	BFD_STATE_INIT = 2,
	BFD_STATE_UP = 3,
};
const char	*bfd_state_name(enum bfd_state);

/* RFC 5880 4.1 Diagnostic */
enum bfd_diag {
	BFD_DIAG_NONE = 0,
	BFD_DIAG_TIME_EXPIRED = 1,	/* Control Detection Time Expired */
	BFD_DIAG_ECHO_FAILED = 2,
	BFD_DIAG_NEIGHBOR_DOWN = 3,	/* Neighbor Signaled Session Down */
	BFD_DIAG_FWD_RESET = 4,
	BFD_DIAG_PATH_DOWN = 5,
	BFD_DIAG_CONCAT_DOWN = 6,
	BFD_DIAG_ADMIN_DOWN = 7,
	BFD_DIAG_REV_CONCAT_DOWN = 8,
};
const char	*bfd_diag_name(unsigned);

/*
 * Timers in microseconds. Calico's BIRD template: interval 500 ms (min rx
 * and min tx), idle tx 2000 ms, multiplier 16.
 */
struct bfd_params {
	uint32_t	 min_rx_us;	/* RequiredMinRxInterval */
	uint32_t	 min_tx_us;	/* DesiredMinTxInterval while Up */
	uint32_t	 idle_tx_us;	/* ... while not Up, >= 1 s (6.8.3) */
	uint8_t		 multiplier;	/* DetectMult */
	/* bounds on what neighbours can make us spend (SPEC 8) */
	uint32_t	 max_sessions;
	uint32_t	 max_pps;	/* packets handled a second, all told */
	/* tests: NULL: CLOCK_MONOTONIC and the sockets */
	uint64_t	(*clock_us)(void);
	void		(*xmit)(void *arg, const struct addr *to,
			    const uint8_t *, size_t);
};

#define BFD_DEF_INTERVAL_MS	500
#define BFD_DEF_IDLE_TX_MS	2000
#define BFD_DEF_MULTIPLIER	16
#define BFD_DEF_MAX_SESSIONS	256
#define BFD_DEF_MAX_PPS		2000

/* A session as status output and the state callback see it. */
struct bfd_session_info {
	struct addr	 peer;
	struct addr	 local;
	enum bfd_state	 state;
	enum bfd_state	 remote_state;
	unsigned	 diag;		/* our last diagnostic */
	unsigned	 remote_diag;
	uint32_t	 local_discr, remote_discr;
	uint32_t	 tx_us;		/* the interval we send at now */
	uint32_t	 rx_us;		/* the interval the peer sends at */
	uint64_t	 detect_us;	/* detection time, 0: none yet */
	time_t		 since;		/* last state change, wall clock */
	bool		 was_up;	/* has been Up since it was added */
	uint64_t	 rx, tx;
	uint64_t	 rx_limited;	/* over the session's rate */
};

struct bfd_ops {
	/* a session changed state (old -> info->state) */
	void	(*state_changed)(void *arg, const struct bfd_session_info *,
		    enum bfd_state old);
};

/* What every session and the sockets saw (metrics, ternctl). */
struct bfd_counters {
	uint64_t	 rx;		/* packets accepted for a session */
	uint64_t	 rx_invalid;	/* failed RFC 5880 6.8.6 */
	uint64_t	 rx_ttl;	/* TTL/hop limit not 255 (RFC 5881 5) */
	uint64_t	 rx_no_session;	/* no session for them */
	uint64_t	 rx_limited;	/* over max_pps or a session's rate */
	uint64_t	 tx;
	uint64_t	 tx_errors;
	uint64_t	 sessions_refused;	/* over max_sessions */
	uint64_t	 downs;		/* Up -> Down transitions */
	size_t		 sessions;
	size_t		 up;
};

struct bfd	*bfd_new(struct event_base *, const struct bfd_params *,
		    const struct bfd_ops *, void *arg);
void		 bfd_free(struct bfd *);
/*
 * A session to peer, from local (unset: the kernel's choice); -1 when it
 * exists already or max_sessions are there. The receive sockets open with
 * the first session (a node without BFD peers leaves port 3784 alone).
 */
int		 bfd_session_add(struct bfd *, const struct addr *peer,
		    const struct addr *local);
int		 bfd_session_del(struct bfd *, const struct addr *peer);
bool		 bfd_session_get(const struct bfd *, const struct addr *peer,
		    struct bfd_session_info *);
/* Walk the sessions in address order (status output). */
void		 bfd_walk(const struct bfd *,
		    void (*cb)(void *arg, const struct bfd_session_info *),
		    void *arg);
void		 bfd_counters(const struct bfd *, struct bfd_counters *);
const struct bfd_params *bfd_params(const struct bfd *);

/* Shutdown: every session AdminDown (diagnostic 7), one packet each. */
void		 bfd_shutdown(struct bfd *);

/* What the receive path does with one datagram (tests feed it). */
void		 bfd_input(struct bfd *, const struct addr *src, int ttl,
		    const uint8_t *, size_t);
/* Tests without a loop: run what is due at clock_us() now. */
void		 bfd_run_timers(struct bfd *);

#endif
