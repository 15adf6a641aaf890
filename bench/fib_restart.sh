#!/bin/bash
# bench/fib_restart.sh [N]: the receiver of N prefixes killed with SIGKILL and
# restarted, ternd against BIRD 2 in the same run (SPEC 8: "ternd killed with
# SIGKILL and restarted" must not lose or flap a route; here at scale).
#
# The set-up is bench/fib_bulk.sh's (sourced for its helpers): h2 runs BIRD 2 with
# Calico's configuration and N static /32s, h1 is the receiver. For each receiver
# (ternd, then BIRD 2 configured and started as calico/node does it: kernel
# protocol with `persist` and graceful restart, `bird -R`):
#   1. start it, wait until h1's FIB holds exactly the N routes;
#   2. start `ip monitor route nexthop` in h1, SIGKILL the receiver, start it again
#      at once with the same configuration;
#   3. measure: restart -> h2's session Established again; restart -> settled
#      (all N routes back in its RIB, and its last route or nexthop event in h1
#      if one came later; confirmed by 2 s without events and a dump of exactly
#      N routes); its CPU time until 5 s after that; the peak RSS of the
#      restarted process; every route or nexthop event in h1 for the bulk range
#      during all of it (a delete, or any rewrite, of a wanted route is a flap);
#      h1's FIB must still hold exactly N routes at the end.
# Prints the figures side by side and the ratios tern/BIRD; exits 0 unless
# something broke (the receiver died, the FIB was wrong).
#
# Needs root, ip netns, bird2 and cc (as fib_bulk.sh); exits 77 without them.
# Environment: TERND, BENCH_KEEP=1 (keep the work directory), BENCH_SETTLE_MAX
# (seconds to wait for "settled", default 300), BENCH_BIRD_ARGS (the receiver
# BIRD's extra options, default -R; empty: a plain start).
# shellcheck source-path=SCRIPTDIR
set -uo pipefail

# shellcheck source=fib_bulk.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/fib_bulk.sh"
SETTLE_MAX=${BENCH_SETTLE_MAX:-300}
# the receiver BIRD's options: -R (graceful restart recovery), as calico/node runs it
BIRD_ARGS=${BENCH_BIRD_ARGS--R}
read -ra BIRD_ARGV <<<"$BIRD_ARGS"

# wait_full NAME PID: h1's FIB holds exactly N routes of the range (a dump a
# second; bounded by IDLE seconds without progress).
wait_full() {
	local name=$1 pid=$2 got last=-1 since
	since=$(now_us)
	while :; do
		got=$(fib_count "$(host_ns h1)")
		((got == N)) && return 0
		kill -0 "$pid" 2>/dev/null || { broke "$name (pid $pid) exited with $got routes in"; return 1; }
		if ((got != last)); then
			last=$got
			since=$(now_us)
		elif (($(now_us) - since > IDLE * 1000000)); then
			broke "$name: h1's FIB stuck at $got routes of the range, want $N"
			return 1
		fi
		sleep 1
	done
}

# rib_count NAME: the routes in h1's receiver's RIB (`show route count`, which
# ternd answers like BIRD: "N of M routes for K networks").
rib_count() {
	local sock=$W/h1.ctl
	[[ $1 == ternd ]] || sock=$W/h1.bird.ctl
	timeout 10 birdc -s "$sock" show route count 2>/dev/null |
		awk '/ of [0-9]+ routes for / { print $1; exit }' |
		grep . || echo 0
}

h2_established() { birdc_q h2 show protocols "$(mesh_name h1)" | grep -qw Established; }

# restart NAME: kill -9 the receiver, start it again, measure (see the header).
restart() {
	local name=$1 pid t0 t1="" t_full="" t_idle now mon monpid size msize quiet_since
	pid=$([[ $name == ternd ]] && echo "${_TT_TERND[h1]}" || echo "${_TT_BIRD[h1]}")
	mon="$W/h1.$name.monitor"
	ip netns exec "$(host_ns h1)" ip monitor route nexthop >"$mon" 2>&1 &
	monpid=$!
	_tt_record_pid "$monpid"
	sleep 0.5
	if [[ $name == ternd ]]; then
		unset "_TT_WATCH[$pid]"
		kill -KILL "$pid"
		wait "$pid" 2>/dev/null
		unset "_TT_TERND[h1]"
		t0=$(now_us)
		start_ternd_info
		pid=${_TT_TERND[h1]}
	else
		bird_stop h1 KILL
		t0=$(now_us)
		start_bird h1 "$BIRD_CONF" "${BIRD_ARGV[@]}"
		pid=${_TT_BIRD[h1]}
	fi
	PEAK_KB=0
	msize=-1
	while :; do
		now=$(now_us)
		kill -0 "$pid" 2>/dev/null || { broke "$name exited after the restart"; break; }
		peak_poll "$pid"
		[[ -z $t1 ]] && h2_established && t1=$now
		# settled: Established, all N routes back in its RIB (t_full), and
		# the last FIB event before 2 s without any (h1's FIB then holds N)
		[[ -n $t1 && -z $t_full ]] && (($(rib_count "$name") >= N)) && t_full=$now
		size=$(stat -c %s "$mon")
		if [[ $size != "$msize" ]]; then
			msize=$size
			quiet_since=$now
		elif [[ -n $t_full ]] && ((now - quiet_since >= 2000000)) &&
			(($(fib_count "$(host_ns h1)") == N)); then
			t_idle=$((quiet_since > t_full ? quiet_since : t_full))
			break
		fi
		if ((now - t0 > SETTLE_MAX * 1000000)); then
			broke "$name: not settled $SETTLE_MAX s after the restart"
			break
		fi
		sleep 0.25
	done
	# the CPU it spent from the restart to 5 s after settling
	sleep 5
	peak_poll "$pid"
	kill "$monpid" 2>/dev/null
	wait "$monpid" 2>/dev/null
	put "$name.est_ms" "$([[ -n $t1 ]] && ms "$t0" "$t1" || echo -)"
	put "$name.settle_ms" "$(ms "$t0" "${t_idle:-$(now_us)}")"
	put "$name.hwm_kb" "$PEAK_KB"
	put "$name.cpu" "$(proc_cpu "$pid")"
	# events for the bulk range (10.0-127.x.x/32), not the nodes' blocks
	put "$name.deleted" "$(grep -cE '^Deleted (nhid [0-9]+ )?10\.([0-9]|[1-9][0-9]|1[01][0-9]|12[0-7])\.[0-9]+\.[0-9]+ ' "$mon")"
	put "$name.rewritten" "$(grep -cE '^(nhid [0-9]+ )?10\.([0-9]|[1-9][0-9]|1[01][0-9]|12[0-7])\.[0-9]+\.[0-9]+ ' "$mon")"
	put "$name.nh_events" "$(grep -cE '^(Deleted )?id [0-9]+ ' "$mon")"
	put "$name.count" "$(fib_count "$(host_ns h1)")"
	note "$name: restart -> Established $(echo "${R[$name.est_ms]}" | awk '{print $NF}') ms," \
		"settled $(echo "${R[$name.settle_ms]}" | awk '{print $NF}') ms," \
		"peak RSS $((PEAK_KB / 1024)) MiB; monitor: $mon"
	return 0
}

round() {
	local name=$1 pid
	note "=== receiver $name"
	if [[ $name == ternd ]]; then
		start_ternd_info
		pid=${_TT_TERND[h1]}
	else
		BIRD_CONF=$(bird_conf h1 h2)
		start_bird h1 "$BIRD_CONF" "${BIRD_ARGV[@]}"
		pid=${_TT_BIRD[h1]}
	fi
	birdc_q h2 enable "$(mesh_name h1)" >/dev/null || fail "birdc enable on h2 failed"
	wait_full "$name" "$pid" || return 1
	note "$name: h1's FIB holds the $N routes; SIGKILL and restart"
	restart "$name"
	if [[ $name == ternd ]]; then
		stop_ternd h1 || broke "ternd did not exit 0 on SIGTERM"
	else
		bird_stop h1
	fi
	clean_h1
}

# quot A B: A / B to three places, or - without data.
quot() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a == "" || b == "" || a == "-" || b == "-" || b + 0 <= 0) print "-"
		else printf "%.3f\n", a / b }'
}

restart_report() {
	local k
	echo
	echo "FIB restart: N=$N routes in h1's FIB from one BIRD 2 peer; the receiver" \
		"SIGKILLed and restarted; kernel $(uname -r), $(nproc) CPUs; tern $VERSION;" \
		"receiver BIRD started with '${BIRD_ARGS}'"
	printf '%-44s %14s %14s\n' "" ternd "BIRD 2"
	for k in est_ms:"restart -> session Established (ms)" \
		settle_ms:"restart -> settled (ms)" \
		hwm_kb:"peak RSS of the restarted process (KiB)" \
		cpu:"CPU s, restart -> settled + 5 s" \
		deleted:"route deletes in the range (flaps)" \
		rewritten:"route adds/replaces in the range" \
		nh_events:"nexthop object events" \
		count:"routes in h1's FIB at the end"; do
		printf '%-44s %14s %14s\n' "${k#*:}" "${R[ternd.${k%%:*}]:--}" "${R[bird.${k%%:*}]:--}"
	done
	echo
	printf '%-36s %s\n' "tern/BIRD settled time" "$(quot "${R[ternd.settle_ms]:-}" "${R[bird.settle_ms]:-}")"
	printf '%-36s %s\n' "tern/BIRD peak RSS" "$(quot "${R[ternd.hwm_kb]:-}" "${R[bird.hwm_kb]:-}")"
	((${#BROKEN[@]} == 0)) || printf 'BROKEN: %s\n' "${BROKEN[@]}"
}

restart_main() {
	bench_check
	bench_start "tr$$" restart
	note "N=$N, prefix $P, work dir $W"
	RUN=1
	setup
	round ternd
	round bird
	restart_report
	((${#BROKEN[@]} == 0))
}

restart_main "$@"
