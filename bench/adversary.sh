#!/bin/bash
# bench/adversary.sh [SECS]: one misbehaving neighbour against ternd, and against
# BIRD 2 in the same run (SPEC 6 "adversary", issue 11).
#
# Hosts (the netns harness of the tests): h1 is the target (ternd, then BIRD 2
# configured as Calico configures it), h2 and h3 are healthy BIRD 2 peers, h4 an
# observer (tests/adv/bgpadv doing nothing but keepalives: it measures the gaps
# between the target's keepalives), h5 the adversary (bgpadv). Hold time 9 s,
# keepalive 3 s everywhere, as in the tests. Each attack runs SECS seconds (30)
# against a freshly started target:
#   keepalive-flood   KEEPALIVEs as fast as TCP takes them
#   update-flood      empty UPDATEs likewise
#   addpath-100k      one prefix with path ids 1..100,000
#   attr-churn        up to 1,000,000 prefixes, each with its own attribute set
#   refresh-storm     500,000 ROUTE-REFRESH messages
#   zero-window       the adversary never reads (its receive window shut)
# and for each the script prints, target by target: the healthy sessions still
# Established (of 2) and without an error in their BIRD's log; the worst delay of
# a keepalive to the observer (gap - 3 s; target < 1 s); the target's RSS growth
# (peak during the attack - before; target < 32 MiB); the control socket's
# `birdc show protocols` latency, p99 over polls every 200 ms (target < 100 ms);
# and the adversary's fate (how its session ended).
#
# Needs root, ip netns, bird2 and a build with tests/adv/bgpadv; exits 77 without.
# Environment: TERND, BGPADV, BENCH_SKIP (targets or attacks to leave out),
# BENCH_KEEP=1. Exits 0 unless something broke.
# shellcheck source-path=SCRIPTDIR
set -uo pipefail

# shellcheck source=fib_bulk.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/fib_bulk.sh" 1
SECS=${1:-30}
[[ $SECS =~ ^[1-9][0-9]{0,3}$ ]] || { echo "usage: $0 [SECS]" >&2; exit 2; }
BGPADV=${BGPADV:-$(dirname "$TERND")/tests/adv/bgpadv}
ATTACKS=(keepalive-flood update-flood addpath-100k attr-churn refresh-storm zero-window)
KA=3                       # keepalive (s) the target sends the observer

# attack_args NAME: the adversary's options and actions for attack NAME.
attack_args() {
	local base=(--connect 198.18.0.1 --as "$TT_AS" --id 198.18.0.5 --hold 9
		--timeout $((SECS + 30)))
	case $1 in
	keepalive-flood) echo "${base[*]} flood-keepalive:$SECS" ;;
	update-flood) echo "${base[*]} flood-update:$SECS" ;;
	addpath-100k) echo "${base[*]} --addpath addpath:10.244.5.0/26:198.18.0.5:100000 sleep:$SECS" ;;
	attr-churn) echo "${base[*]} unique-attrs:1000000:10.1.0.0:198.18.0.5 sleep:$SECS" ;;
	refresh-storm) echo "${base[*]} --rr refresh-storm:500000 sleep:$SECS" ;;
	zero-window) echo "${base[*]} --rcvbuf 4096 --no-hold-check zero-window:$SECS" ;;
	esac
}

# target_start TARGET: ternd or BIRD 2 on h1, and the healthy BIRDs on h2 and h3.
target_start() {
	local f
	if [[ $1 == ternd ]]; then
		f=$(ternd_conf h1 "$W/cluster.yaml")
		sed -i 's/^  level: debug/  level: info/' "$f"
		# as start_ternd, without -d: no line per route
		ip netns exec "$(host_ns h1)" "$TERND" -c "$f" </dev/null \
			>>"$W/h1.ternd.log" 2>&1 &
		TPID=$!
		_tt_record_pid "$TPID"
		_TT_TERND[h1]=$TPID
		TSOCK=$W/h1.ctl
	else
		f=$(bird_conf h1 h2 h3 h4 h5)
		sed -i 's/^  local as \(.*\);$/  local as \1;\n  hold time 9;\n  keepalive time 3;/' "$f"
		start_bird h1 "$f"
		TPID=${_TT_BIRD[h1]}
		TSOCK=$W/h1.bird.ctl
	fi
	for h in h2 h3; do
		if [[ -z ${_TT_BIRD[$h]:-} ]]; then
			f=$(bird_conf "$h" h1)
			sed -i 's/^  local as \(.*\);$/  local as \1;\n  hold time 9;\n  keepalive time 3;/' "$f"
			start_bird "$h" "$f"
		fi
	done
	for h in h2 h3; do
		wait_bird_established 60 "$h" "$(mesh_name h1)"
	done
}

target_stop() {
	if [[ $1 == ternd ]]; then
		stop_ternd h1 KILL 2>/dev/null
	else
		unset "_TT_WATCH[${_TT_BIRD[h1]}]"
		kill -9 "${_TT_BIRD[h1]}" 2>/dev/null
		wait "${_TT_BIRD[h1]}" 2>/dev/null
		unset "_TT_BIRD[h1]"
		rm -f "$W/h1.bird.ctl"
		ip -n "$(host_ns h1)" route flush proto bird 2>/dev/null
	fi
	ip -n "$(host_ns h1)" route flush proto 12 2>/dev/null
	sleep 1
}

# bgpadv HOST OUT ARGS...
bgpadv() {
	local h=$1 out=$2
	shift 2
	ip netns exec "$(host_ns "$h")" timeout $((SECS + 60)) "$BGPADV" "$@" \
		>"$out" 2>"$out.err" </dev/null &
	echo $!
}

# p99 FILE: the 99th percentile of the numbers in FILE.
p99() { sort -n "$1" | awk '{ v[NR] = $1 } END { i = int(NR * 0.99); if (i < 1) i = 1; print v[i] }'; }

# healthy_count SINCE: healthy BIRDs Established, with no error logged since line SINCE.
healthy_count() {
	local n=0 h
	for h in h2 h3; do
		birdc_q "$h" show protocols "$(mesh_name h1)" | grep -qw Established || continue
		tail -n +"${SINCE[$h]}" "$W/$h.bird.log" | grep -qE 'Error|Hold timer|Connection (lost|closed)' && continue
		n=$((n + 1))
	done
	echo "$n"
}

declare -A SINCE=()

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# run_attack TARGET ATTACK: one row.
run_attack() {
	local t=$1 a=$2 obs apid rss0 rss peak=0 t0 t1 end lat="$W/$t.$a.lat" gap delay
	local h fate
	target_start "$t"
	for h in h2 h3; do SINCE[$h]=$(($(wc -l <"$W/$h.bird.log") + 1)); done
	obs=$(bgpadv h4 "$W/$t.$a.obs" --connect 198.18.0.1 --as "$TT_AS" --id 198.18.0.4 \
		--hold 9 "keepalives:$SECS")
	expect 30 "the observer is established" grep -q '^established' "$W/$t.$a.obs"
	rss0=$(rss_kib "$TPID")
	# shellcheck disable=SC2046 # the words of attack_args
	apid=$(bgpadv h5 "$W/$t.$a.adv" $(attack_args "$a"))
	: >"$lat"
	end=$((SECONDS + SECS))
	while ((SECONDS < end)); do
		t0=${EPOCHREALTIME/./}
		timeout 5 birdc -s "$TSOCK" show protocols >/dev/null 2>&1
		t1=${EPOCHREALTIME/./}
		echo $(((t1 - t0) / 1000)) >>"$lat"
		rss=$(rss_kib "$TPID" 2>/dev/null || echo 0)
		((rss > peak)) && peak=$rss
		sleep 0.2
	done
	wait_for 20 grep -q 'max-keepalive-gap-ms' "$W/$t.$a.obs"
	kill "$obs" 2>/dev/null
	gap=$(grep -o 'max-keepalive-gap-ms=[0-9]*' "$W/$t.$a.obs" | tail -1 | cut -d= -f2)
	if [[ -n $gap ]]; then
		delay=$((gap - KA * 1000))
		((delay < 0)) && delay=0
	else
		delay="?"
	fi
	kill "$apid" 2>/dev/null
	wait "$apid" 2>/dev/null
	fate=$(grep -m1 -E '^(notification|closed by peer|timeout|hold-timer)' "$W/$t.$a.adv" || echo "kept")
	printf '%-16s %-6s %8s %12s %12s %12s   %s\n' "$a" "$t" "$(healthy_count)/2" \
		"$delay" "$(((peak - rss0) / 1024))" "$(p99 "$lat")" "$fate"
	target_stop "$t"
}

main() {
	bench_check
	[[ -x $BGPADV ]] || { echo "SKIP: no $BGPADV (meson compile -C build)"; exit 77; }
	bench_start "adv$$" adversary
	cp "$BGPADV" "$W/bgpadv" && BGPADV=$W/bgpadv
	netns_hosts 5
	cluster_file "$W/cluster.yaml" h1 h2 h3 h4 h5
	echo "bench/adversary.sh: $SECS s per attack, ternd $VERSION vs BIRD $(bird --version 2>&1 | awk '{ print $NF }'); load $LOAD0"
	printf '%-16s %-6s %8s %12s %12s %12s   %s\n' attack target healthy "ka-delay-ms" \
		"rss-MiB" "ctl-p99-ms" "adversary"
	for a in "${ATTACKS[@]}"; do
		[[ " ${BENCH_SKIP:-} " == *" $a "* ]] && continue
		for t in ternd bird; do
			[[ " ${BENCH_SKIP:-} " == *" $t "* ]] && continue
			run_attack "$t" "$a"
		done
	done
	echo "targets: healthy 2/2, ka-delay < 1000 ms, rss < 32 MiB, ctl p99 < 100 ms"
}

[[ ${BASH_SOURCE[0]} != "$0" ]] || main "$@"
