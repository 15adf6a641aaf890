/*
 * pkt.h (internal to bfd/): the BFD Control packet (RFC 5880 4.1) as a
 * plain struct, and its codec. Nothing here touches a session, a socket
 * or the clock: bfd.c and test_bfd.c are the only users.
 */
#ifndef TERN_BFD_PKT_H
#define TERN_BFD_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BFD_VERSION		1
#define BFD_PKT_LEN		24	/* without authentication */
#define BFD_PKT_LEN_AUTH_MIN	26	/* RFC 5880 6.8.6: with the A bit */

/* RFC 5880 4.1 flag bits, as the low six bits of the second byte */
#define BFD_F_POLL		0x20
#define BFD_F_FINAL		0x10
#define BFD_F_CPI		0x08	/* control plane independent */
#define BFD_F_AUTH		0x04
#define BFD_F_DEMAND		0x02
#define BFD_F_MULTIPOINT	0x01

struct bfd_pkt {
	uint8_t		 version;
	uint8_t		 diag;		/* enum bfd_diag */
	uint8_t		 state;		/* enum bfd_state */
	uint8_t		 flags;		/* BFD_F_* */
	uint8_t		 detect_mult;
	uint8_t		 length;
	uint32_t	 my_discr;
	uint32_t	 your_discr;
	uint32_t	 desired_min_tx;	/* microseconds */
	uint32_t	 required_min_rx;
	uint32_t	 required_min_echo_rx;
};

/* Why a received packet was discarded (RFC 5880 6.8.6, in its order). */
enum bfd_pkt_err {
	BFD_PKT_OK,
	BFD_PKT_SHORT,		/* fewer bytes than a Control packet */
	BFD_PKT_VERSION,	/* not version 1 */
	BFD_PKT_LENGTH,		/* Length under 24 (26 with A) */
	BFD_PKT_TRUNCATED,	/* Length past the datagram */
	BFD_PKT_DETECT_MULT,	/* Detect Mult zero */
	BFD_PKT_MULTIPOINT,	/* M bit set */
	BFD_PKT_MY_DISCR,	/* My Discriminator zero */
	BFD_PKT_POLL_FINAL,	/* P and F together (RFC 5880 6.5) */
	BFD_PKT_AUTH,		/* A bit: we run no authentication */
	BFD_PKT_ERR_MAX,
};
const char	*bfd_pkt_err_name(enum bfd_pkt_err);

/*
 * Decode and check a received datagram of len bytes: the checks of RFC
 * 5880 6.8.6 that need no session. Returns BFD_PKT_OK with *pkt filled.
 */
enum bfd_pkt_err bfd_pkt_decode(const uint8_t *, size_t len,
		    struct bfd_pkt *);
/* Encode pkt into buf (at least BFD_PKT_LEN bytes); returns the length. */
size_t		 bfd_pkt_encode(const struct bfd_pkt *, uint8_t *,
		    size_t buflen);

#endif
