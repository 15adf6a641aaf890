#!/bin/bash
# bench/mesh.sh [N]: the mesh benchmark of SPEC 6 ("100 hosts in network namespaces,
# start to every FIB complete: tern <= 0.5 x BIRD 2; idle CPU and RSS per daemon <=
# BIRD 2's"), ternd against BIRD 2 in the same run.
#
#   sudo bench/mesh.sh              N = 100 hosts (about 2 minutes)
#   sudo bench/mesh.sh 20           a quick run
#
# N hosts h1..hN (namespaces on one bridge, 198.18.0.I, block 10.244.I.0/26; the
# harness of tests/netns) are created once. Then, for each daemon in turn, in a full
# iBGP mesh (every host peers with every other, N(N-1)/2 sessions):
#   1. ternd (build/ternd, log level info, default timers: connect_retry_time 5 as
#      Calico's BIRD, a refused connect retried after 50 and 100 ms, then every 250 ms
#      for 10 s, then doubling,
#      file datastore: one cluster file listing the N nodes);
#   2. BIRD 2 with Calico's configuration (tests/netns/bird.sh: every other host as
#      a peer, Calico's timers unchanged) started with -R, as calico/node starts it;
# the daemon is started on all N hosts at once (background starts, t0 before the
# first), and a watcher (bench/meshwatch.c, compiled into the work directory: one
# rtnetlink socket per namespace, notifications, no polling) timestamps when each
# host's FIB holds its complete set: its own blackhole 10.244.I.0/26 plus the N-1
# routes 10.244.J.0/26 via 198.18.0.J, all proto bird. Measured:
#   - t0 -> every FIB complete (the last host), also the first host and the median;
#     then a dump of every host's table must show exactly that set (nothing else
#     proto bird); the CPU time each daemon used until then;
#   - idle, after BENCH_SETTLE_S (5) s: the CPU time of each daemon over a window of
#     BENCH_IDLE_S (30) s (/proc/PID/task/*/schedstat, ns; utime+stime ticks when
#     the kernel has no schedstat), its RSS (VmRSS) at the end and its peak (VmHWM):
#     per-daemon median and max, and the CPU of all daemons together;
#   - the sessions Established per host (`birdc show protocols`, which ternd answers
#     like BIRD), after the window: N-1 each;
# then every daemon gets SIGTERM (ternd must exit 0), and every host's proto bird
# routes and nexthop objects are flushed before the next daemon.
# A table with both columns and the SPEC 6 ratios, each PASS/MISS (informational),
# and, from the daemons' logs, what their convergence waited for.
#
# Needs root, ip netns, BIRD 2 (bird, birdc) and cc; exits 77 without them.
# Environment: TERND (default build/ternd; copied at the start), BENCH_VERSION (the
# ternd's label), BENCH_SKIP (any of "ternd bird"), BENCH_IDLE_S (30),
# BENCH_SETTLE_S (5), BENCH_MAX_S (300: the longest wait for every FIB complete,
# else BROKEN), BENCH_TERND_RETRY (ternd's bgp.connect_retry_time, 5),
# BENCH_BIRD_ARGS (BIRD's extra options, default -R; empty: a plain start),
# BENCH_KEEP=1 (keep the work directory: configs, logs, *.watch).
#
# Exit status: 0 when both daemons converged and every count was right (the targets
# are informational), 1 when something broke (evidence printed, work directory kept),
# 77 when not root / no netns / no bird2 / no cc.
#
# SPEC 7: everything happens in namespaces created here (prefix tm<pid>); nothing
# touches the root namespace; every process and namespace goes at exit, also on
# failure or interrupt (bench_exit, the EXIT trap of fib_bulk.sh). Limits: N is
# 2..254 (198.18.0.N/24); a daemon needs about N file descriptors (ulimit -n is
# checked). The kernel's ARP table is shared by all namespaces and holds at most
# gc_thresh3 (1024) dynamic entries in all, fewer than the N(N-1) a mesh needs: every
# host gets permanent neighbour entries for the others instead (static_neighbours).
# shellcheck source-path=SCRIPTDIR
set -uo pipefail

MESH_ARGS=("$@")
# fib_bulk.sh: the harness (lib.sh, bird.sh) and its helpers (now_us, ms, put,
# broke, ratio, bench_exit ...); sourced, it does not run. Its N (prefixes) is not ours.
# shellcheck source=fib_bulk.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/fib_bulk.sh" 1
set -- "${MESH_ARGS[@]}"

N=${1:-100}
if ! [[ $N =~ ^[1-9][0-9]{0,2}$ ]] || ((N < 2 || N > 254)); then
	echo "usage: $0 [N] (2..254 hosts, default 100)" >&2
	exit 2
fi
# Calico's default-like pool holding the blocks (fib_bulk.sh set 10.0.0.0/8 for its
# bulk range; the tests' 10.244.0.0/16 here)
TT_POOL=10.244.0.0/16
IDLE_S=${BENCH_IDLE_S:-30}
SETTLE_S=${BENCH_SETTLE_S:-5}
MAX_S=${BENCH_MAX_S:-300}
TERND_RETRY=${BENCH_TERND_RETRY:-5}
BIRD_ARGS=${BENCH_BIRD_ARGS--R}
read -ra BIRD_ARGV <<<"$BIRD_ARGS"
RUN=1
DPID=()            # DPID[I]: the daemon on hI in the current phase
LAUNCH_PID=""      # nslaunch, the parent of the daemons start_all started
EXITS=""           # its file of "PID STATUS" lines
declare -A EXIT_ST=()  # launch_reap: PID -> exit status
WATCH_PID=""
WATCH_FILE=""

# --- harness override: a compact dump for N hosts ---------------------------------

# _tt_dump: per host one line (routes, nexthop objects, BGP TCP sessions), then the
# log tails of h1 and of the hosts in DUMP_HOSTS (the first incomplete ones).
_tt_dump() {
	local i ns h
	[[ -n $W && -d $W ]] || return 0
	echo "  ----- state ($W) -----"
	for ((i = 1; i <= N; i++)); do
		ns=${P}h$i
		[[ " ${_TT_NS[*]} " == *" $ns "* ]] || continue
		echo "  h$i: $(ip -n "$ns" -4 route show proto bird 2>/dev/null | wc -l) proto bird" \
			"routes, $(ip -n "$ns" nexthop show 2>/dev/null | wc -l) nexthop objects," \
			"$(ip netns exec "$ns" ss -Htn state established '( sport = :179 or dport = :179 )' \
				2>/dev/null | wc -l) BGP TCP sessions"
	done
	for h in h1 ${DUMP_HOSTS:-}; do
		tail_files 30 "$W/$h.ternd.log" "$W/$h.bird.log"
	done
	tail_files 10 "$W"/*.watch
	echo "  ----- end -----"
}

# --- meshwatch (bench/meshwatch.c): every host's FIB, from one process -----------

# watch_begin NAME: start meshwatch (root namespace; it enters each host's to open
# its socket), output in $W/NAME.watch; wait for its initial dump.
watch_begin() {
	local i
	WATCH_FILE="$W/$1.watch"
	"$W/meshwatch" "$P" "$N" >"$WATCH_FILE" 2>&1 &
	WATCH_PID=$!
	_tt_record_pid "$WATCH_PID"
	for ((i = 0; i < 100; i++)); do
		grep -q '^ready ' "$WATCH_FILE" && return 0
		kill -0 "$WATCH_PID" 2>/dev/null || break
		sleep 0.1
	done
	fail "meshwatch not ready: $(cat "$WATCH_FILE")"
}
watch_end() {
	kill -TERM "$WATCH_PID" 2>/dev/null
	wait "$WATCH_PID" 2>/dev/null
	WATCH_PID=""
}
# watch_first WORD: the timestamp of the first WORD line.
watch_first() { awk -v w="$1" '$1 == w { print $2; exit }' "$WATCH_FILE"; }

# --- set-up -------------------------------------------------------------------------

# mesh_setup: the hosts, the cluster file, every host's configs (checked).
mesh_setup() {
	local i j hosts=() peers out
	note "creating $N hosts"
	netns_hosts "$N"
	static_neighbours
	note "$N hosts up, each with permanent neighbour entries for the others"
	for ((i = 1; i <= N; i++)); do
		hosts+=("h$i")
	done
	# in a directory of its own: ternd watches its cluster file's directory
	# (inotify, for atomic renames), and every daemon's control socket created
	# in $W would wake every ternd watching $W (N x N wakeups at the start)
	mkdir -p "$W/ds" || fail "cannot make $W/ds"
	cluster_file "$W/ds/cluster.yaml" "${hosts[@]}"
	for ((i = 1; i <= N; i++)); do
		mesh_ternd_conf "h$i"
		# bird_conf's body (the same bird_config call) without its two forks per
		# peer: 20 s for 100 hosts; h1's config is compared with bird_conf's below
		peers=()
		for ((j = 1; j <= N; j++)); do
			((j == i)) || peers+=("198.18.0.$j")
		done
		bird_config "198.18.0.$i" "$TT_AS" "10.244.$i.0/26" "$TT_POOL" "${peers[@]}" \
			>"$W/h$i.bird.conf.mesh" || fail "cannot write h$i's BIRD config"
	done
	out=$(bird_conf h1 "${hosts[@]:1}") || fail "bird_conf h1 failed"
	cmp -s "$out" "$W/h1.bird.conf.mesh" || fail "h1's BIRD config differs from bird_conf's"
	for ((i = 1; i <= N; i++)); do
		mv -f "$W/h$i.bird.conf.mesh" "$W/h$i.bird.conf"
		out=$(bird -p -c "$W/h$i.bird.conf" 2>&1) || fail "bird -p rejects h$i's config: $out"
		out=$("$TERND" -p -c "$W/h$i.yaml" 2>&1 >/dev/null) ||
			fail "ternd -p rejects $W/h$i.yaml: $out"
	done
	note "configs written and checked: $W/hI.yaml, $W/hI.bird.conf, $W/ds/cluster.yaml"
}

# static_neighbours: in every host, a permanent neighbour entry for every other one.
# The kernel's ARP table is one for all namespaces: gc_thresh3 (1024 by default, a
# sysctl of the root namespace only) caps the dynamic entries of all hosts together,
# and a mesh of N hosts needs N(N-1) (9900 for 100: "arp_cache: neighbor table
# overflow!", connects failing for minutes). Permanent entries are exempt from that
# limit; separate machines would each have their own table. No ARP traffic then.
static_neighbours() {
	local i j mac=()
	for ((i = 1; i <= N; i++)); do
		mac[i]=$(ip -n "${P}h$i" -o link show dev eth0 |
			awk '{ for (k = 1; k < NF; k++) if ($k == "link/ether") print $(k + 1) }')
		[[ -n ${mac[i]} ]] || fail "no MAC address on h$i's eth0"
	done
	for ((i = 1; i <= N; i++)); do
		for ((j = 1; j <= N; j++)); do
			((j == i)) || echo "neigh replace 198.18.0.$j lladdr ${mac[j]} dev eth0 nud permanent"
		done | ip -n "${P}h$i" -batch - || fail "cannot add h$i's neighbour entries"
	done
}

# mesh_ternd_conf HOST: HOST's ternd configuration (info; default timers, the
# connect retry time BENCH_TERND_RETRY, 5 = the default; the control socket answers
# birdc).
mesh_ternd_conf() {
	cat >"$W/$1.yaml" <<EOF
node:
  name: $1
datastore:
  type: file
  path: $W/ds/cluster.yaml
bgp:
  connect_retry_time: $TERND_RETRY
control:
  socket: $W/$1.ctl
log:
  level: info
EOF
}

# --- one daemon on every host -------------------------------------------------------

# start_all KIND: start KIND (ternd|bird) on every host at once; T0 just before the
# first start, T_STARTED after the last fork. The starts go through nslaunch
# (bench/nslaunch.c: one small process forks them all, each child enters its
# namespace with setns and execs the daemon; the daemons' exits go to
# $W/KIND.exits), not a loop of `ip netns exec ... &` (a fork of this large bash
# and a mount namespace per daemon: 25-40 ms a start on this VM, 2.5-5 s for 100,
# the same for both daemons, which mostly measured the launch). The command lines
# are written before T0.
start_all() {
	local kind=$1 i lfd line
	DPID=()
	for ((i = 1; i <= N; i++)); do
		if [[ $kind == ternd ]]; then
			printf '%s\t%s\t%s\t-c\t%s\n' "${P}h$i" "$W/h$i.ternd.log" "$TERND" "$W/h$i.yaml"
		else
			printf '%s\t%s\tbird\t-f\t-c\t%s\t-s\t%s\t-P\t%s' "${P}h$i" "$W/h$i.bird.log" \
				"$W/h$i.bird.conf" "$W/h$i.bird.ctl" "$W/h$i.bird.pid"
			printf '\t%s' "${BIRD_ARGV[@]}"
			printf '\n'
		fi
	done >"$W/$kind.launch"
	EXITS=$W/$kind.exits
	: >"$EXITS"
	T0=$(now_us)
	exec {lfd}< <(exec "$W/nslaunch" "$EXITS" <"$W/$kind.launch")
	LAUNCH_PID=$!
	for ((i = 1; i <= N; i++)); do
		read -r -u "$lfd" line && [[ $line =~ ^[0-9]+$ ]] ||
			fail "nslaunch: no pid for h$i (${line:-EOF})"
		DPID[i]=$line
		_TT_PIDS+=("$line")
	done
	read -r -u "$lfd" line
	T_STARTED=$(now_us)
	exec {lfd}<&-
	[[ $line == started ]] || fail "nslaunch: '$line' instead of 'started'"
}

# launch_reap: wait (10 s at most) until nslaunch has reaped every daemon it started
# (they were all signalled), then their exit statuses in EXIT_ST[PID]. A daemon this
# shell started itself (rr.sh's start_kind) is not there: wait for it.
launch_reap() {
	local k p st
	EXIT_ST=()
	[[ -n ${LAUNCH_PID:-} ]] || return 0
	for ((k = 0; k < 100; k++)); do
		kill -0 "$LAUNCH_PID" 2>/dev/null || break
		sleep 0.1
	done
	wait "$LAUNCH_PID" 2>/dev/null
	while read -r p st; do
		EXIT_ST[$p]=$st
	done <"$EXITS"
	LAUNCH_PID=""
}

# exit_of PID (after launch_reap): PID's exit status in XST, from nslaunch's
# record, or from wait for a daemon this shell started itself. (A variable, not
# output: wait must run in this shell, not in a $(...) subshell.)
exit_of() {
	if [[ -n ${EXIT_ST[$1]:-} ]]; then
		XST=${EXIT_ST[$1]}
	else
		wait "$1" 2>/dev/null
		XST=$?
	fi
}

# wait_all KIND: until meshwatch says every FIB is complete (checked every 0.2 s, with
# the daemons alive), at most MAX_S seconds.
wait_all() {
	local kind=$1 i now
	while ! grep -q '^all ' "$WATCH_FILE"; do
		for ((i = 1; i <= N; i++)); do
			if ! kill -0 "${DPID[i]}" 2>/dev/null; then
				DUMP_HOSTS="h$i" broke "$kind on h$i (pid ${DPID[i]}) exited" \
					"before every FIB was complete"
				return 1
			fi
		done
		now=$(now_us)
		if ((now - T0 > MAX_S * 1000000)); then
			DUMP_HOSTS=$(incomplete_hosts | head -3 | tr '\n' ' ') \
				broke "$kind: not every FIB complete $MAX_S s after the start;" \
				"hosts complete: $(awk '$1 == "progress" { c = $3 } END { print c + 0 }' \
					"$WATCH_FILE") of $N; incomplete:" \
				"$(incomplete_hosts | head -20 | tr '\n' ' ')"
			return 1
		fi
		sleep 0.2
	done
}

# incomplete_hosts: the hosts meshwatch does not have complete now.
incomplete_hosts() {
	awk -v n="$N" '$1 == "host" { c[$3] = 1 } $1 == "lost" { c[$3] = 0 }
		END { for (i = 1; i <= n; i++) if (!c[i]) print "h" i }' "$WATCH_FILE"
}

# verify_fib I KIND: hI's proto bird routes are exactly its set (a dump); prints what
# is wrong, nothing when right. (`ip route show proto bird` leaves "proto bird" out of
# each line.) BIRD also exports the subnet 198.18.0.0/24 that its `protocol direct`
# learns from eth0 (kernel protocol `export all`, as Calico's template): allowed.
verify_fib() {
	ip -n "${P}h$1" -4 route show proto bird 2>&1 | awk -v me="$1" -v n="$N" -v kind="$2" '
		{
			if (kind == "bird" && $1 == "198.18.0.0/24" && $2 == "dev" && $3 == "eth0")
				next
			if ($1 == "blackhole" && $2 == "10.244." me ".0/26" && seen[me]++ == 0)
				next
			if (split($1, d, /[.\/]/) == 5 && d[1] == 10 && d[2] == 244 &&
			    d[4] == 0 && d[5] == 26 && d[3] != me && d[3] >= 1 && d[3] <= n &&
			    $0 ~ ("^" $1 " (nhid [0-9]+ )?via 198\\.18\\.0\\." d[3] " dev eth0( |$)") &&
			    seen[d[3]]++ == 0)
				next
			bad = bad " [" $0 "]"
		}
		END {
			for (i = 1; i <= n; i++) if (!seen[i]) miss = miss " " i
			if (miss != "") printf "missing the blocks of hosts%s;", miss
			if (bad != "") printf " unexpected:%s", bad
		}'
}

# verify_all KIND: every host's table, as verify_fib.
verify_all() {
	local kind=$1 i out bad=0
	for ((i = 1; i <= N; i++)); do
		out=$(verify_fib "$i" "$kind")
		if [[ -n $out ]]; then
			echo "  h$i: $out"
			((bad++))
		fi
	done
	if ((bad > 0)); then
		DUMP_HOSTS="" broke "$kind: $bad of $N hosts' tables are not exactly their set"
		return 1
	fi
	note "$kind: every host's table holds exactly its blackhole and the $((N - 1))" \
		"other blocks via their hosts, nothing else proto bird$([[ $kind == bird ]] &&
			echo " but the subnet 198.18.0.0/24 (protocol direct)") (dumps)"
}

# cpu_ns PID: set CPU_NS to PID's CPU time in ns (all its threads; builtins only).
cpu_ns() {
	local f a rest line fld
	CPU_NS=0
	if [[ -r /proc/$1/schedstat ]]; then
		for f in /proc/"$1"/task/*/schedstat; do
			read -r a rest 2>/dev/null <"$f" && ((CPU_NS += a))
		done
	else
		read -r line <"/proc/$1/stat" || return 1
		read -r -a fld <<<"${line##*) }"
		CPU_NS=$(((fld[11] + fld[12]) * 1000000000 / CLK_TCK))
	fi
}

# mem_kb PID: set RSS_KB and HWM_KB from /proc/PID/status.
mem_kb() {
	local k v rest
	RSS_KB=0
	HWM_KB=0
	while read -r k v rest; do
		case $k in
		VmRSS:) RSS_KB=$v ;;
		VmHWM:) HWM_KB=$v ;;
		esac
	done 2>/dev/null <"/proc/$1/status"
}

# stats: "median max sum" of the numbers on stdin, one a line.
stats() {
	sort -n | awk '{ v[NR] = $1; s += $1 }
		END {
			if (NR == 0) { print "- - -"; exit }
			m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%.1f %.1f %.1f\n", m, v[NR], s
		}'
}

# scale DIV FORMAT: stats' "median max sum" (stdin) divided by DIV, printed with
# FORMAT (which may leave the sum out).
scale() {
	awk -v d="$1" -v f="$2" '{ printf f, $1 / d, $2 / d, $3 / d }'
}

# conv_cpu KIND: the CPU time each daemon used so far (from its start to every FIB
# complete): R[KIND.conv] = "median max all" in ms.
conv_cpu() {
	local i list=""
	for ((i = 1; i <= N; i++)); do
		cpu_ns "${DPID[i]}"
		list+="$((CPU_NS / 1000))"$'\n'    # µs
	done
	R[$1.conv]=$(grep . <<<"$list" | stats | scale 1000 "%.1f %.1f %.0f")
}

# idle KIND: CPU over the window, RSS at its end, VmHWM: per daemon into R[KIND.*].
idle() {
	local kind=$1 i c0=() cpu rss hwm
	note "$kind: settling $SETTLE_S s, then the idle window of $IDLE_S s"
	sleep "$SETTLE_S"
	for ((i = 1; i <= N; i++)); do
		cpu_ns "${DPID[i]}"
		c0[i]=$CPU_NS
	done
	sleep "$IDLE_S"
	cpu="" rss="" hwm=""
	for ((i = 1; i <= N; i++)); do
		cpu_ns "${DPID[i]}"
		cpu+="$(((CPU_NS - c0[i]) / 1000)) "     # µs
		mem_kb "${DPID[i]}"
		rss+="$RSS_KB "
		hwm+="$HWM_KB "
	done
	# µs -> ms, KiB -> MiB
	R[$kind.cpu]=$(tr ' ' '\n' <<<"$cpu" | grep . | stats | scale 1000 "%.2f %.2f %.1f")
	R[$kind.rss]=$(tr ' ' '\n' <<<"$rss" | grep . | stats | scale 1024 "%.2f %.2f")
	R[$kind.hwm]=$(tr ' ' '\n' <<<"$hwm" | grep . | stats | scale 1024 "%.2f %.2f")
	note "$kind idle: CPU ms per daemon (median max all) ${R[$kind.cpu]};" \
		"RSS MiB (median max) ${R[$kind.rss]}; VmHWM MiB ${R[$kind.hwm]}"
}

# sessions KIND: the mesh sessions Established per host (`show protocols`).
sessions() {
	local kind=$1 i sock c list=""
	for ((i = 1; i <= N; i++)); do
		sock=$W/h$i.ctl
		[[ $kind == ternd ]] || sock=$W/h$i.bird.ctl
		c=$(timeout 10 birdc -s "$sock" show protocols 2>/dev/null | grep -c Established)
		list+="$c"$'\n'
	done
	R[$kind.sess]=$(grep . <<<"$list" | sort -n | awk '
		NR == 1 { lo = $1 } { hi = $1; s += $1 } END { printf "%d/%d/%d", lo, hi, s }')
	note "$kind: sessions Established per host, min/max/sum: ${R[$kind.sess]}" \
		"(want $((N - 1)) per host, $((N * (N - 1))) in all)"
	[[ ${R[$kind.sess]} == "$((N - 1))/$((N - 1))/"* ]] ||
		broke "$kind: not every host has its $((N - 1)) sessions Established: ${R[$kind.sess]}"
}

# stop_all KIND: SIGTERM every daemon, wait (10 s, then SIGKILL), reap; ternd must
# exit 0. Then every host's proto bird routes and nexthop objects are flushed.
stop_all() {
	local kind=$1 i pid st bad="" left
	for ((i = 1; i <= N; i++)); do
		kill -TERM "${DPID[i]}" 2>/dev/null
	done
	for ((st = 0; st < 100; st++)); do
		left=0
		for ((i = 1; i <= N; i++)); do
			kill -0 "${DPID[i]}" 2>/dev/null && ((left++))
		done
		((left == 0)) && break
		sleep 0.1
	done
	((left > 0)) && note "$kind: $left daemons still running 10 s after SIGTERM: SIGKILL"
	for ((i = 1; i <= N; i++)); do
		kill -KILL "${DPID[i]}" 2>/dev/null
	done
	launch_reap
	for ((i = 1; i <= N; i++)); do
		pid=${DPID[i]}
		exit_of "$pid"
		st=$XST
		((st != 0)) && bad+=" h$i:$st"
		# reaped: out of the cleanup's list (its pid may be reused)
		for st in "${!_TT_PIDS[@]}"; do
			[[ ${_TT_PIDS[st]} == "$pid" ]] && unset "_TT_PIDS[st]"
		done
		rm -f "$W/h$i.bird.ctl" "$W/h$i.bird.pid"
	done
	_TT_PIDS=("${_TT_PIDS[@]}")
	DPID=()
	if [[ -n $bad ]]; then
		if [[ $kind == ternd ]]; then
			broke "ternd did not exit 0 on SIGTERM (host:status):$bad"
		else
			note "bird exit statuses (host:status):$bad"
		fi
	fi
	clean_all
}

# clean_all: remove every proto bird route and nexthop object from every host (the
# objects first: deleting one takes its routes along).
clean_all() {
	local i k ns
	for ((i = 1; i <= N; i++)); do
		ns=${P}h$i
		for ((k = 0; k < 5; k++)); do
			ip -n "$ns" nexthop flush >/dev/null 2>&1
			ip -n "$ns" -4 route flush proto bird >/dev/null 2>&1
			(($(ip -n "$ns" -4 route show proto bird | wc -l) == 0)) && continue 2
		done
		fail "cannot clean h$i's table"
	done
}

# tod_ms US: the local time of day of US (epoch µs) in ms, as the logs stamp it.
tod_ms() {
	local hms h m s
	printf -v hms '%(%H:%M:%S)T' "$(($1 / 1000000))"
	IFS=: read -r h m s <<<"$hms"
	echo $(((10#$h * 3600 + 10#$m * 60 + 10#$s) * 1000 + $1 % 1000000 / 1000))
}

# log_summary KIND: what the daemons' logs (this phase's only) say about the way to
# convergence, times relative to T0 (the logs' ms stamps): sessions up (first, last),
# connection failures; BIRD: "Graceful restart done" (with -R its kernel protocol
# syncs then), errors. Taken when every FIB is complete.
log_summary() {
	local kind=$1 f
	f=("$W"/h*."$kind".log)
	R[$kind.log]=$(cat "${f[@]}" | awk -v kind="$kind" -v t0="$(tod_ms "$T0")" '
		function rel(ts, a) {   # "HH:MM:SS.mmm" -> ms after T0
			split(ts, a, /[:.]/)
			return ((a[1] * 60 + a[2]) * 60 + a[3]) * 1000 + a[4] - t0
		}
		function span(what, n, lo, hi) {
			return n + 0 " " what (n ? sprintf(" (first +%d ms, last +%d ms)", lo, hi) : "")
		}
		kind == "ternd" && / -> Established / {
			t = rel($2); if (!up++ || t < up_lo) up_lo = t; if (t > up_hi) up_hi = t }
		kind == "ternd" && /\(connection failed\)/ {
			t = rel($2); if (!fl++ || t < fl_lo) fl_lo = t; if (t > fl_hi) fl_hi = t }
		kind == "bird" && /Mesh_.*: State changed to up/ {
			t = rel($2); if (!up++ || t < up_lo) up_lo = t; if (t > up_hi) up_hi = t }
		kind == "bird" && /Graceful restart done/ {
			t = rel($2); if (!gr++ || t < gr_lo) gr_lo = t; if (t > gr_hi) gr_hi = t }
		kind == "bird" && /<ERR>|[Ee]rror|refused/ { err++ }
		END {
			s = span("sessions up", up, up_lo, up_hi)
			if (kind == "ternd")
				s = s ", " span("connects failed", fl, fl_lo, fl_hi)
			else
				s = s ", " span("\"Graceful restart done\" (kernel sync)", gr, gr_lo, gr_hi) \
					", " err + 0 " errors"
			print s
		}')
	note "$kind logs: ${R[$kind.log]}"
}

# phase KIND: one daemon on every host, measured (see the header).
phase() {
	local kind=$1 t
	note "=== $kind on $N hosts"
	watch_begin "$kind"
	start_all "$kind"
	R[$kind.started]=$(ms "$T0" "$T_STARTED")
	echo "t0 $T0 started $T_STARTED" >"$W/$kind.t0"     # for a look at *.watch later
	note "$kind: $N started in ${R[$kind.started]} ms; waiting for every FIB"
	if wait_all "$kind"; then
		t=$(watch_first all)
		R[$kind.all]=$(ms "$T0" "$t")
		# each host's first completion, relative to T0: the first and the median
		R[$kind.first]=$(awk -v t0="$T0" '$1 == "host" { printf "%.1f", ($2 - t0) / 1000; exit }' \
			"$WATCH_FILE")
		R[$kind.hosts]=$(awk -v t0="$T0" '$1 == "host" && !s[$3]++ { print ($2 - t0) / 1000 }' \
			"$WATCH_FILE" | stats | awk '{ print $1 }')
		note "$kind: start -> every FIB complete: ${R[$kind.all]} ms (first host" \
			"${R[$kind.first]} ms, median ${R[$kind.hosts]} ms)"
		conv_cpu "$kind"
		log_summary "$kind"
		if verify_all "$kind"; then
			idle "$kind"
			sessions "$kind"
			R[$kind.flaps]=$(grep -c '^lost ' "$WATCH_FILE")
		fi
	else
		log_summary "$kind"
	fi
	stop_all "$kind"
	watch_end
}

# --- the table ----------------------------------------------------------------------

# field KEY I: the I-th word of R[KEY], "-" without data.
field() {
	local v
	read -r -a v <<<"${R[$1]:-}"
	echo "${v[$2 - 1]:--}"
}

mrow() { printf '%-48s %14s %14s\n' "$@"; }

mesh_report() {
	echo
	echo "mesh: N=$N hosts, full iBGP mesh ($((N * (N - 1) / 2)) sessions); kernel" \
		"$(uname -r), $(nproc) CPUs; tern $VERSION; idle window $IDLE_S s after $SETTLE_S s;" \
		"load average before: $LOAD0, after: $(cut -d' ' -f1-3 /proc/loadavg)"
	mrow "" ternd "BIRD 2"
	mrow "all N daemons started (ms)" "${R[ternd.started]:--}" "${R[bird.started]:--}"
	mrow "start -> first host's FIB complete (ms)" "${R[ternd.first]:--}" "${R[bird.first]:--}"
	mrow "start -> median host's FIB complete (ms)" "${R[ternd.hosts]:--}" "${R[bird.hosts]:--}"
	mrow "start -> every FIB complete (ms)" "${R[ternd.all]:--}" "${R[bird.all]:--}"
	mrow "CPU per daemon, start -> complete, median (ms)" "$(field ternd.conv 1)" "$(field bird.conv 1)"
	mrow "CPU, all daemons, start -> complete (ms)" "$(field ternd.conv 3)" "$(field bird.conv 3)"
	mrow "idle CPU per daemon, median (ms in ${IDLE_S} s)" "$(field ternd.cpu 1)" "$(field bird.cpu 1)"
	mrow "idle CPU per daemon, max (ms in ${IDLE_S} s)" "$(field ternd.cpu 2)" "$(field bird.cpu 2)"
	mrow "idle CPU, all daemons (ms in ${IDLE_S} s)" "$(field ternd.cpu 3)" "$(field bird.cpu 3)"
	mrow "RSS per daemon, median (MiB)" "$(field ternd.rss 1)" "$(field bird.rss 1)"
	mrow "RSS per daemon, max (MiB)" "$(field ternd.rss 2)" "$(field bird.rss 2)"
	mrow "peak RSS (VmHWM) per daemon, max (MiB)" "$(field ternd.hwm 2)" "$(field bird.hwm 2)"
	mrow "sessions Established per host min/max/sum" "${R[ternd.sess]:--}" "${R[bird.sess]:--}"
	mrow "FIB flaps after complete (lost lines)" "${R[ternd.flaps]:--}" "${R[bird.flaps]:--}"
	echo "  want $((N - 1)) sessions per host, $((N * (N - 1))) in all. CPU: schedstat (ns) of" \
		"every thread over the window; RSS: VmRSS at its end."
	echo "  ternd: bgp.connect_retry_time $TERND_RETRY s (connects at once on start; a refused" \
		"connect is retried after 50 and 100 ms, then every 250 ms for 10 s, then doubling up to that)." \
		"BIRD 2: Calico's timers (connect delay time 2, connect retry time 5, error wait" \
		"time 5,30), started with '$BIRD_ARGS'$([[ $BIRD_ARGS == *-R* ]] &&
			echo ": its kernel protocol syncs only when every graceful-restart peer has sent" \
				"End-of-RIB (or graceful restart wait, 240 s)")."
	echo "  ternd's logs: ${R[ternd.log]:--}"
	echo "  BIRD's logs: ${R[bird.log]:--}"
	echo
	printf '%-48s %8s   %-7s  %s\n' "ratio (SPEC 6)" value target result
	printf '%-48s %s\n' "tern/BIRD start -> every FIB complete" \
		"$(ratio "${R[ternd.all]:--}" "${R[bird.all]:--}" 0.5)"
	printf '%-48s %s\n' "tern/BIRD idle CPU per daemon (median)" \
		"$(ratio "$(field ternd.cpu 1)" "$(field bird.cpu 1)" 1.0)"
	printf '%-48s %s\n' "tern/BIRD idle CPU per daemon (max)" \
		"$(ratio "$(field ternd.cpu 2)" "$(field bird.cpu 2)" 1.0)"
	printf '%-48s %s\n' "tern/BIRD RSS per daemon (median)" \
		"$(ratio "$(field ternd.rss 1)" "$(field bird.rss 1)" 1.0)"
	printf '%-48s %s\n' "tern/BIRD RSS per daemon (max)" \
		"$(ratio "$(field ternd.rss 2)" "$(field bird.rss 2)" 1.0)"
	if ((${#BROKEN[@]} > 0)); then
		echo "BROKEN:"
		printf '  %s\n' "${BROKEN[@]}"
	fi
}

# --- main ---------------------------------------------------------------------------

mesh_main() {
	local need
	bench_check meshwatch
	for need in IDLE_S SETTLE_S MAX_S TERND_RETRY; do
		[[ ${!need} =~ ^[0-9]+$ ]] || { echo "BENCH_${need}: a number of seconds" >&2; exit 2; }
	done
	# a daemon holds a socket per peer, plus a few
	need=$((N + 64))
	if (($(ulimit -n) < need)); then
		ulimit -n "$need" 2>/dev/null ||
			{ echo "ulimit -n $(ulimit -n) < $need and cannot be raised" >&2; exit 1; }
	fi
	CLK_TCK=$(getconf CLK_TCK)
	bench_start "tm$$" mesh
	note "N=$N hosts, prefix $P, work dir $W"
	cc -O2 -Wall -o "$W/meshwatch" "$BENCH_DIR/meshwatch.c" || fail "cannot build meshwatch"
	cc -O2 -Wall -o "$W/nslaunch" "$BENCH_DIR/nslaunch.c" || fail "cannot build nslaunch"
	mesh_setup
	[[ $SKIP == *" ternd "* ]] || phase ternd
	[[ $SKIP == *" bird "* ]] || phase bird
	mesh_report
	((${#BROKEN[@]} == 0))
}

# sourced (bench/rr.sh uses the helpers), or run
[[ ${BASH_SOURCE[0]} != "$0" ]] || mesh_main "$@"
