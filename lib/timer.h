/*
 * timer.h: the one place libevent timers are armed with RFC 4271 section 10
 * jitter (BIRD bgp_start_timer). Modules never call evtimer_add directly.
 */
#ifndef TERN_TIMER_H
#define TERN_TIMER_H

#include <stdbool.h>
#include <stdint.h>

struct event;

/* Arm ev to fire in secs seconds; with jitter, in [0.75, 1.0] x secs. */
void	timer_arm(struct event *ev, unsigned secs, bool jitter);
void	timer_arm_ms(struct event *ev, unsigned ms);
/* Arm ev to fire in [0.75, 1.0] x ms milliseconds. */
void	timer_arm_ms_jitter(struct event *ev, unsigned ms);
void	timer_stop(struct event *ev);
bool	timer_running(const struct event *ev);
/* The monotonic clock (CLOCK_MONOTONIC), for intervals and rates. */
uint64_t timer_now_ns(void);
uint64_t timer_now_ms(void);
/* RFC 4271 10: random factor 0.75..1.0, exposed for tests. */
unsigned timer_jitter_ms(unsigned secs);

#endif
