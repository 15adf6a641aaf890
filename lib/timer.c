/*
 * timer.c: libevent timer helper with RFC 4271 section 10 jitter.
 */
#include <stdlib.h>
#include <time.h>

#include <event2/event.h>

#include "timer.h"

/*
 * RFC 4271 10: "the suggested default amount of jitter SHALL be determined
 * by multiplying the base value of the appropriate timer by a random factor,
 * which is uniformly distributed in the range from 0.75 to 1.0."
 */
static unsigned
jitter(unsigned long ms)
{
	unsigned long r = (unsigned long)(random() % 251);	/* 0..250 */

	return (unsigned)(ms * (750 + r) / 1000);
}

unsigned
timer_jitter_ms(unsigned secs)
{
	return jitter((unsigned long)secs * 1000);
}

void
timer_arm_ms_jitter(struct event *ev, unsigned ms)
{
	timer_arm_ms(ev, jitter(ms));
}

void
timer_arm_ms(struct event *ev, unsigned ms)
{
	struct timeval tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(ev, &tv);
}

/* Without jitter in whole seconds: an RFC 9494 stale time (24 bits) in
 * ms does not fit 32 bits. */
void
timer_arm(struct event *ev, unsigned secs, bool jitter)
{
	struct timeval tv = { .tv_sec = (time_t)secs, .tv_usec = 0 };

	if (jitter) {
		timer_arm_ms(ev, timer_jitter_ms(secs));
		return;
	}
	evtimer_add(ev, &tv);
}

void
timer_stop(struct event *ev)
{
	if (ev != NULL)
		evtimer_del(ev);
}

bool
timer_running(const struct event *ev)
{
	return ev != NULL && evtimer_pending(ev, NULL);
}

uint64_t
timer_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t
timer_now_ms(void)
{
	return timer_now_ns() / 1000000u;
}
