#!/bin/bash
# bench/bfd.sh [N]: BFD (issue 15), ternd against BIRD 2 in the same run.
#
#   sudo bench/bfd.sh            N = 100 BFD sessions for the CPU part (about 4 min)
#   sudo bench/bfd.sh 10         a quick run
#
# Part A, link cut -> routes gone at the far side. h1 (the subject) and h2 (the peer,
# BIRD 2 with Calico's configuration, `bfd on` and Calico's protocol bfd: 500 ms,
# idle 2000 ms, multiplier 16; `direct`, so that BIRD runs single-hop BFD) share the
# bridge of tests/netns. BGP hold time BENCH_HOLD (30) s on both sides. For each
# subject in turn:
#   1. ternd, the peer a BGPPeer with failureDetectionMode: BFDIfDirectlyConnected;
#   2. BIRD 2 (Calico's configuration, bfd on, the same protocol bfd);
#   3. ternd without failureDetectionMode: the hold time only (then, RFC 4724, the
#      routes stay stale for the graceful restart time, 120 s, as BIRD keeps them);
# once h2's block is in h1's kernel and (1, 2) h1's BFD session is Up, h2's eth0
# goes down (h1's link stays up), and the time until h2's block leaves h1's kernel
# is measured (a poll of `ip route` every 10 ms). Then the link comes back up and
# the subject is stopped.
#
# Part B, CPU of N BFD sessions at Calico's timers over BENCH_CPU_S (30) s. Hosts
# h2..h(N+1) each run BIRD 2 with one eBGP session to h1 (direct, bfd on) and
# Calico's protocol bfd (BFD implementations, BIRD's and FRR's, key a single-hop
# session by the remote address: N sessions to h1 need N peer hosts). The subject on
# h1 has N BGP sessions, each with BFD:
#   1. ternd (N BGPPeers with failureDetectionMode, log level info);
#   2. BIRD 2 (N protocols with direct, bfd on and Calico's protocol bfd).
# Once N BFD sessions are Up on h1 and BENCH_SETTLE_S (5) s passed, the subject's CPU
# time (/proc/PID/task/*/schedstat) over the window.
#
# Needs root, ip netns, BIRD 2; exits 77 without them. The
# ratios are informational; exit 1 when something broke (work directory kept).
# Environment: TERND, BENCH_HOLD (30), BENCH_CPU_S (30), BENCH_SETTLE_S (5),
# BENCH_SKIP (any of "cut cpu"), BENCH_KEEP=1.
# shellcheck source-path=SCRIPTDIR
set -uo pipefail

BFD_ARGS=("$@")
# fib_bulk.sh: the harness (lib.sh, bird.sh) and its helpers; sourced, it does not run.
# shellcheck source=fib_bulk.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/fib_bulk.sh" 1
set -- "${BFD_ARGS[@]}"

N=${1:-100}
if ! [[ $N =~ ^[1-9][0-9]{0,2}$ ]] || ((N > 150)); then
	echo "usage: $0 [N] (1..150 sessions, default 100)" >&2
	exit 2
fi
TT_POOL=10.244.0.0/16
HOLD=${BENCH_HOLD:-30}
CPU_S=${BENCH_CPU_S:-30}
SETTLE_S=${BENCH_SETTLE_S:-5}
SKIP=" ${BENCH_SKIP:-} "
TOR_AS=65002

cpu_ns() {
	local f a rest
	CPU_NS=0
	for f in /proc/"$1"/task/*/schedstat; do
		read -r a rest 2>/dev/null <"$f" && ((CPU_NS += a))
	done
}

# ternd without -d (debug logs cost CPU), log level info.
start_ternd_quiet() {
	local h=$1 conf=$2 pid
	sed -i 's/^  level: debug$/  level: info/' "$conf"
	ip netns exec "$(host_ns "$h")" "$TERND" -c "$conf" </dev/null >>"$W/$h.ternd.log" 2>&1 &
	pid=$!
	_tt_record_pid "$pid"
	_TT_TERND[$h]=$pid
	_TT_WATCH[$pid]="ternd on $h"
}

# bfd_ratio A B: A / B, three decimals ("-" without B).
bfd_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 <= 0) print "-"; else printf "%.3f", a / b }'; }

stop_subject() {
	[[ -n ${_TT_TERND[h1]:-} ]] && stop_ternd h1
	bird_stop h1
	ip -n "$(host_ns h1)" route flush proto bird 2>/dev/null
	ip -n "$(host_ns h1)" nexthop flush 2>/dev/null
	return 0
}

ternd_yaml() {
	local f
	f=$(ternd_conf h1 "$W/cluster.yaml")
	sed -i "s/^  hold_time: 9$/  hold_time: $HOLD/; s/^  keepalive_time: 3$/  keepalive_time: $((HOLD / 3))/" "$f"
	echo "$f"
}

# bfd_protocol: Calico's protocol bfd for BIRD 2.
bfd_protocol() {
	cat <<'EOT'

protocol bfd {
  interface -"cali*", -"kube-ipvs*", "*" {
    min rx interval 500 ms;
    min tx interval 500 ms;
    idle tx interval 2000 ms;
    multiplier 16;
  };
}
EOT
}

# bird_bfd_conf HOST PEERHOST [nobfd]: Calico's mesh config with direct, hold time
# and (unless nobfd) bfd on and protocol bfd.
bird_bfd_conf() {
	local f bfd="\\n  bfd on;"
	f=$(bird_conf "$1" "$2")
	[[ ${3:-} == nobfd ]] && bfd=""
	sed -i "s/^  neighbor \\(.*\\)\$/  neighbor \\1\\n  direct;$bfd\\n  hold time $HOLD;/" "$f"
	[[ ${3:-} == nobfd ]] || bfd_protocol >>"$f"
	echo "$f"
}

route_gone() { ! route_has h1 "^$(host_block h2) "; }

# link_cut KIND: h2's link down once h2's block is in h1's kernel; R[cut.KIND] = ms.
link_cut() {
	local kind=$1 t0 t1 blk
	blk=$(host_block h2)
	expect 60 "h1 has $blk" route_has h1 "^$blk .*via $(host_ip h2)"
	t0=$(now_us)
	hexec h2 ip link set eth0 down || fail "cannot cut h2's link"
	while ! route_gone; do
		(($(now_us) - t0 > (HOLD + 150) * 1000000)) &&
			fail "$kind: $blk still in h1 after $((HOLD + 150)) s"
		sleep 0.01
	done
	t1=$(now_us)
	R[cut.$kind]=$(ms "$t0" "$t1")
	note "$kind: link cut -> $blk gone from h1: ${R[cut.$kind]} ms"
	hexec h2 ip link set eth0 up || fail "cannot bring h2's link up"
}

part_cut() {
	local pfx=failureDetectionMode
	cluster_file "$W/cluster.yaml" h1
	sed -i '/^peers: \[\]$/d' "$W/cluster.yaml"
	printf 'peers:\n  - ip: %s\n    as: %s\n    node: h1\n    failure_detection_mode: BFDIfDirectlyConnected\n' \
		"$(host_ip h2)" "$TT_AS" >>"$W/cluster.yaml"
	start_bird h2 "$(bird_bfd_conf h2 h1)"
	note "=== A1: ternd with BFD"
	start_ternd_quiet h1 "$(ternd_yaml)"
	wait_log_re 60 h1 "BFD session $(host_ip h2): (Init|Down) -> Up"
	link_cut ternd_bfd
	stop_subject
	note "=== A2: BIRD 2 with BFD"
	start_bird h1 "$(bird_bfd_conf h1 h2)"
	expect 60 "BIRD's BFD on h1 Up" eval "birdc_q h1 show bfd sessions | grep -q ' Up '"
	link_cut bird_bfd
	stop_subject
	note "=== A3: ternd without $pfx: hold time $HOLD s"
	sed -i '/failure_detection_mode/d' "$W/cluster.yaml"
	start_ternd_quiet h1 "$(ternd_yaml)"
	link_cut ternd_hold
	stop_subject
	bird_stop h2
}

# part B's peers: hosts h2..h(N+1), each BIRD 2 with one eBGP session to h1
# (direct, bfd on) and Calico's protocol bfd: BFD implementations key a single-hop
# session by the remote address, so N sessions to h1 need N peer hosts.
cpu_peers() {
	local i f
	for ((i = 2; i <= N + 1; i++)); do
		f="$W/h$i.bird.conf"
		{
			echo "log stderr all;"
			echo "router id $(host_ip "h$i");"
			echo "protocol device { scan time 2; }"
			echo "protocol bgp tor { local $(host_ip "h$i") as $TOR_AS;" \
				"neighbor $(host_ip h1) as $TT_AS; direct; bfd on; hold time $HOLD;" \
				"ipv4 { import none; export none; }; }"
			bfd_protocol
		} >"$f"
		start_bird "h$i" "$f"
	done
}

ternd_up_n() { (($(grep -cE "BFD session [0-9.]+: (Init|Down) -> Up" "$W/h1.ternd.log") >= N)); }
bird_up_n() { (($(birdc_q h1 show bfd sessions | grep -c ' Up ') >= N)); }

# window KIND PID: CPU of PID over CPU_S s, after SETTLE_S: R[cpu.KIND] in ms.
window() {
	local kind=$1 pid=$2 a0 a1
	sleep "$SETTLE_S"
	cpu_ns "$pid"; a0=$CPU_NS
	sleep "$CPU_S"
	cpu_ns "$pid"; a1=$CPU_NS
	R[cpu.$kind]=$(((a1 - a0) / 1000000))
	note "$kind: ${R[cpu.$kind]} ms of CPU in $CPU_S s with $N BFD sessions"
}

part_cpu() {
	local i f
	cpu_peers
	cluster_file "$W/cluster.yaml" h1
	sed -i '/^peers: \[\]$/d' "$W/cluster.yaml"
	echo "peers:" >>"$W/cluster.yaml"
	for ((i = 2; i <= N + 1; i++)); do
		printf '  - ip: %s\n    as: %s\n    failure_detection_mode: BFDIfDirectlyConnected\n' \
			"$(host_ip "h$i")" "$TOR_AS" >>"$W/cluster.yaml"
	done
	note "=== B1: ternd, $N BFD sessions"
	[[ -f $W/h1.ternd.log ]] && mv "$W/h1.ternd.log" "$W/h1.ternd.cut.log"
	start_ternd_quiet h1 "$(ternd_yaml)"
	expect 120 "$N BFD sessions Up on h1 (ternd)" ternd_up_n
	window ternd "${_TT_TERND[h1]}"
	stop_subject
	note "=== B2: BIRD 2, $N BFD sessions"
	f=$W/h1.many.bird.conf
	{
		echo "log stderr all;"
		echo "router id $(host_ip h1);"
		echo "protocol device { scan time 2; }"
		for ((i = 2; i <= N + 1; i++)); do
			echo "protocol bgp p$i { local $(host_ip h1) as $TT_AS;" \
				"neighbor $(host_ip "h$i") as $TOR_AS; direct; bfd on; hold time $HOLD;" \
				"ipv4 { import all; export none; }; }"
		done
		bfd_protocol
	} >"$f"
	start_bird h1 "$f"
	expect 120 "$N BFD sessions Up on h1 (BIRD)" bird_up_n
	window bird "${_TT_BIRD[h1]}"
	stop_subject
}

report() {
	echo
	echo "bench/bfd.sh, ternd $VERSION, N=$N, hold time $HOLD s, load before: $LOAD0"
	if [[ $SKIP != *" cut "* ]]; then
		printf '%-44s %10s\n' "link cut -> routes gone (ms)" ""
		printf '  %-42s %10s\n' "ternd, BFD" "${R[cut.ternd_bfd]}" \
			"BIRD 2, BFD" "${R[cut.bird_bfd]}" "ternd, hold time only" "${R[cut.ternd_hold]}"
		printf '  %-42s %10s\n' "ratio ternd BFD / BIRD BFD" \
			"$(bfd_ratio "${R[cut.ternd_bfd]}" "${R[cut.bird_bfd]}")" \
			"ratio ternd BFD / hold time only" \
			"$(bfd_ratio "${R[cut.ternd_bfd]}" "${R[cut.ternd_hold]}")"
	fi
	if [[ $SKIP != *" cpu "* ]]; then
		printf '%-44s %10s\n' "CPU of $N BFD sessions over $CPU_S s (ms)" ""
		printf '  %-42s %10s\n' "ternd" "${R[cpu.ternd]}" "BIRD 2" "${R[cpu.bird]}" \
			"ratio ternd / BIRD" "$(bfd_ratio "${R[cpu.ternd]}" "${R[cpu.bird]}")"
	fi
}

main() {
	bench_check
	bench_start "tbf$$" bfd
	if [[ $SKIP == *" cpu "* ]]; then netns_hosts 2; else netns_hosts $((N + 1)); fi
	[[ $SKIP == *" cut "* ]] || part_cut
	[[ $SKIP == *" cpu "* ]] || part_cpu
	report
}

[[ ${BASH_SOURCE[0]} != "$0" ]] || main "$@"
