/*
 * ctlglue.h: the control socket's side of the agent (SPEC 5). ctlglue.c
 * starts the ctl/ server on conf->control.socket (and on control.socket6,
 * the IPv6 sessions' socket) and answers its requests from bgpd (peers), the rib (routes), the datastore (configure) and krt
 * (graceful restart recovery), in the layouts ctl/ provides.
 */
#ifndef TERN_CTLGLUE_H
#define TERN_CTLGLUE_H

struct agent;

/* Bind the control socket and serve it. -1 (logged): start-up must fail. */
int	agent_ctl_start(struct agent *);
/* Close every client and remove the socket; harmless when not started. */
void	agent_ctl_stop(struct agent *);

#endif
