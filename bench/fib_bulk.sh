#!/bin/bash
# bench/fib_bulk.sh [N]: the FIB bulk benchmark of SPEC 6, side by side in one run.
#
#   sudo bench/fib_bulk.sh              N = 1,000,000 prefixes (2 to 8 minutes a round:
#                                       BIRD 2 as a receiver takes most of it)
#   sudo bench/fib_bulk.sh 100000       a quick run (about 15 s)
#   sudo BENCH_REPEAT=5 bench/fib_bulk.sh 100000    medians of 5 interleaved rounds
#
# BIRD 2 on host h2 announces N /32 blackhole routes (10.0.0.0 upwards, inside the
# cluster pool 10.0.0.0/8) over one Calico mesh session to h1. The receiver on h1 is
#   1. ternd (build/ternd, log level info, bgp.max_prefixes and
#      max_peer_memory_kib 0: no limit), then
#   2. BIRD 2 configured as Calico configures it (tests/netns/bird.sh),
# and 3. the kernel alone: build/netlink/nltest bench, the batched netlink writer
# inserting the same N routes through one nexthop object in a fresh namespace (and,
# for context, bench/nlbulk.c doing the same in shuffled order).
# For 1 and 2: first -> last route in h1's FIB, the receiver's peak RSS and CPU time,
# and withdraw: `birdc disable` of h2's session (Cease) -> h1's FIB clean.
# Then a table with the figures and the SPEC 6 ratios, each PASS/MISS (informational).
# See bench/README.md for the method.
#
# Environment: TERND, NLTEST (default build/...; copied at the start), BENCH_VERSION
# (the ternd's label in the table; default `git describe` here), BENCH_REPEAT (1;
# R: R rounds of ternd, BIRD, kernel, and the table shows medians), BENCH_SKIP (any
# of "ternd bird kernel"), FIBWATCH_SAMPLE_BITS (8: fibwatch samples 1/256 of the
# prefixes; 0 = every route), BENCH_IDLE (60: seconds without any FIB change before a
# phase counts as stalled), BENCH_KEEP=1 (keep the work directory; with
# BENCH_PROGRESS_MS=50 its *.watch files hold the FIB count every 50 ms).
#
# Exit status: 0 when every phase ran and every count was right (the targets are
# informational), 1 when something broke (its evidence is printed and the work
# directory kept), 77 when not root / no netns / no bird2 / no cc.
#
# SPEC 7: everything happens in namespaces created here (prefix tb<pid>); nothing
# touches the root namespace; every process and namespace goes at exit, also on
# failure or interrupt (EXIT trap). No sysctl is needed: IPv4 has no route limit
# (net.ipv4.route.max_size is unused since the route cache went), two hosts need one
# neighbour entry each.
# shellcheck source-path=SCRIPTDIR
set -uo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$BENCH_DIR/.." && pwd)
N=${1:-1000000}
if ! [[ $N =~ ^[1-9][0-9]{0,6}$ ]] || ((N > 8388608)); then
	echo "usage: $0 [N] (1..8388608 prefixes)" >&2
	exit 2
fi

# The pool must hold the bulk range: ternd accepts from a mesh peer only prefixes
# inside a pool, and Calico's BIRD export filter only `net ~ POOL`.
export TT_POOL=10.0.0.0/8
BULK_RANGE=10.0.0.0/9     # N /32s from 10.0.0.0 up (8M room; the blocks are 10.244.x)
BULK_FIRST=10.0.0.0/32
# shellcheck source=../tests/netns/lib.sh
. "$TOP/tests/netns/lib.sh"
# shellcheck source=../tests/netns/bird.sh
. "$TOP/tests/netns/bird.sh"
NLTEST=${NLTEST:-$TOP/build/netlink/nltest}
SAMPLE_BITS=${FIBWATCH_SAMPLE_BITS:-8}
IDLE=${BENCH_IDLE:-60}
REPEAT=${BENCH_REPEAT:-1}
SKIP=" ${BENCH_SKIP:-} "
BROKEN=()                  # what broke, one line each
declare -A R=()            # results: R[ternd.ins_ms]="run1 run2 ..."
RUN=0                      # the round

# --- harness overrides: never print a million-line route table --------------------

# _tt_dump: the lib's dump prints `ip route show` whole; here: counts and log tails.
_tt_dump() {
	local ns h
	[[ -n $W && -d $W ]] || return 0
	echo "  ----- state and logs ($W) -----"
	for ns in "${_TT_NS[@]}"; do
		[[ $ns == "${P}h"* ]] || continue
		h=${ns#"$P"}
		echo "  --- $h: $(ip -n "$ns" -4 route show proto bird 2>/dev/null | wc -l) proto bird" \
			"routes, $(ip -n "$ns" nexthop show 2>/dev/null | wc -l) nexthop objects; ss:"
		ip netns exec "$ns" ss -tnio 2>&1 | sed 's/^/    /'
		if [[ -S $W/$h.bird.ctl ]]; then
			echo "  --- $h: birdc show protocols all Mesh* (first 40 lines)"
			timeout 5 birdc -s "$W/$h.bird.ctl" show protocols all '"Mesh*"' 2>&1 |
				head -40 | sed 's/^/    /'
		fi
	done
	tail_files 30 "$W"/*.log "$W"/*.watch
	echo "  ----- end -----"
}

# bench_check [CC_FOR]: what a ternd-against-BIRD benchmark needs: root, BIRD 2,
# the ternd under test, and cc when CC_FOR names the helper it compiles. Exits 77
# (skip) or 1 when something is missing.
bench_check() {
	require_root
	if ! command -v bird >/dev/null || ! command -v birdc >/dev/null; then
		echo "SKIP: bird2 (bird, birdc) not installed"
		exit 77
	fi
	if [[ -n ${1:-} ]] && ! command -v cc >/dev/null; then
		echo "SKIP: no C compiler (cc) for $1"
		exit 77
	fi
	[[ -x $TERND ]] || { echo "ternd not built: $TERND (meson compile -C build)" >&2; exit 1; }
}

# bench_start PREFIX NAME: the namespace prefix P, the work directory W
# (tern-NAME.XXXXXX), the exit and interrupt traps (bench_exit cleans up), the load
# average LOAD0, and ternd copied into W (a rebuild during the run changes nothing)
# with its label VERSION.
bench_start() {
	P=$1
	W=$(mktemp -d "${TMPDIR:-/tmp}/tern-$2.XXXXXX") || exit 1
	trap bench_exit EXIT
	trap 'echo "  interrupted"; exit 130' INT
	trap 'echo "  terminated"; exit 143' TERM
	LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
	cp "$TERND" "$W/ternd" || fail "cannot copy ternd"
	VERSION=${BENCH_VERSION:-$(git -C "$TOP" --no-optional-locks describe --always --dirty \
		2>/dev/null || echo ?)}
	TERND=$W/ternd
}

bench_exit() {
	local rc=$?
	trap - EXIT
	_tt_stop_procs
	if ((rc != 0 && rc != 77)) || [[ -n ${BENCH_KEEP:-} ]]; then
		echo "work directory kept: $W"
		W=""      # or _tt_cleanup removes it
	fi
	_tt_cleanup
	exit "$rc"
}

# --- small helpers ------------------------------------------------------------------

now_us() { echo "${EPOCHREALTIME/./}"; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; }

# put KEY VALUE: add this round's VALUE to R[KEY].
put() { R[$1]="${R[$1]:+${R[$1]} }$2"; }

# peak_poll PID: raise PEAK_KB to PID's VmHWM / VmRSS (builtins only: called often).
# VmHWM alone can read low: the kernel updates the high-water mark lazily.
peak_poll() {
	local k v rest
	while read -r k v rest; do
		case $k in
		VmHWM: | VmRSS:) ((v > PEAK_KB)) && PEAK_KB=$v ;;
		esac
	done <"/proc/$1/status"
} 2>/dev/null

# proc_cpu PID: user + system CPU seconds of PID.
proc_cpu() {
	local st fld
	st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	read -r -a fld <<<"${st##*) }"   # fld[11] = utime (field 14), fld[12] = stime
	awk -v u="${fld[11]}" -v s="${fld[12]}" -v hz="$(getconf CLK_TCK)" \
		'BEGIN { printf "%.2f", (u + s) / hz }'
}

# fib_count NS: the proto bird /32s of the bulk range in NS's main table (a dump).
fib_count() { ip -n "$1" -4 route show proto bird root "$BULK_RANGE" | wc -l; }

# watch_start NS NAME: start fibwatch in NS, output in $W/NAME.RUN.watch; WATCH_PID.
watch_start() {
	WATCH_FILE="$W/$2.$RUN.watch"
	ip netns exec "$1" "$W/fibwatch" "$BULK_RANGE" 12 "$N" "$SAMPLE_BITS" \
		"${BENCH_PROGRESS_MS:-1000}" >"$WATCH_FILE" 2>&1 &
	WATCH_PID=$!
	_tt_record_pid "$WATCH_PID"
	expect 10 "fibwatch ready in $1" watch_has ready
}
watch_has() { grep -q "^$1 " "$WATCH_FILE"; }
# watch_get WORD: the timestamp of the first WORD line.
watch_get() { awk -v w="$1" '$1 == w { print $2; exit }' "$WATCH_FILE"; }
# watch_count: the last count fibwatch reported (of the sample).
watch_count() {
	awk '$1 == "progress" || $1 == "ready" || $1 == "full" { c = $3 }
		$1 == "empty" { c = 0 } END { print c + 0 }' "$WATCH_FILE"
}
watch_stop() {
	kill -TERM "$WATCH_PID" 2>/dev/null
	wait "$WATCH_PID" 2>/dev/null
}

# watch_wait WORD DESC PID...: wait for fibwatch's WORD line while every PID lives,
# tracking the first PID's memory in PEAK_KB. Fails (returns 1, reason in WAIT_ERR)
# when a PID exits or fibwatch's output does not change for $IDLE seconds (no FIB
# change at all: a stall).
watch_wait() {
	local word=$1 desc=$2 pid size last=-1 since now
	shift 2
	since=$(now_us)
	WAIT_ERR=""
	while :; do
		peak_poll "$1"
		watch_has "$word" && return 0
		for pid in "$@"; do
			if ! kill -0 "$pid" 2>/dev/null; then
				WAIT_ERR="$desc: pid $pid exited; fibwatch's last count (sampled)"
				WAIT_ERR+=" $(watch_count)"
				return 1
			fi
		done
		now=$(now_us)
		size=$(stat -c %s "$WATCH_FILE")
		if ((size != last)); then
			last=$size
			since=$now
		elif ((now - since > IDLE * 1000000)); then
			WAIT_ERR="$desc: no FIB change for $IDLE s; fibwatch's count (sampled)"
			WAIT_ERR+=" $(watch_count) of $(((N + (1 << SAMPLE_BITS) - 1) >> SAMPLE_BITS))"
			return 1
		fi
		sleep 0.05
	done
}

# broke WHAT...: record a failure of the run with its evidence (the phase then stops).
broke() {
	BROKEN+=("round $RUN: $*")
	printf '  BROKEN: %s\n' "$*"
	_tt_dump
}

# --- setup --------------------------------------------------------------------------

setup() {
	local conf
	netns_hosts 2
	cluster_file "$W/cluster.yaml" h1 h2
	# h2, the sender: Calico's config plus a static protocol with the N routes. Its
	# kernel protocol does not export them (keeps h2's CPU for the BGP export).
	conf=$(bird_conf h2 h1)
	{
		sed -e '/^filter calico_export_to_bgp_peers {/,$d' \
			-e "s|^    export all;|    export filter { if net ~ $BULK_RANGE then reject; accept; };|" \
			"$conf"
		echo "protocol static bulk {"
		echo "  ipv4;"
		awk -v n="$N" 'BEGIN { for (i = 0; i < n; i++)
			printf "  route 10.%d.%d.%d/32 blackhole;\n", int(i / 65536),
				int(i / 256) % 256, i % 256 }'
		echo "}"
		echo
		sed -n '/^filter calico_export_to_bgp_peers {/,$p' "$conf"
	} >"$conf.bulk" || fail "cannot write $conf.bulk"
	mv "$conf.bulk" "$conf"
	grep -q "export filter { if net ~ $BULK_RANGE" "$conf" ||
		fail "could not restrict h2's kernel export (bird.sh changed?)"
	start_bird h2 "$conf"
	expect 120 "BIRD h2 holds the $N static routes" h2_loaded
	note "h2: $(birdc_q h2 show route count | grep -m1 'in table')"
	write_ternd_conf
}

h2_loaded() {
	local n
	n=$(birdc_q h2 show route protocol bulk count | awk '/ routes for / { print $1; exit }')
	[[ -n $n ]] && ((n >= N))
}

# write_ternd_conf: h1's ternd configuration (info, no prefix limit, default timers).
write_ternd_conf() {
	cat >"$W/h1.yaml" <<EOF
node:
  name: h1
datastore:
  type: file
  path: $W/cluster.yaml
bgp:
  connect_retry_time: 1
  max_prefixes: 0
  max_peer_memory_kib: 0
control:
  socket: $W/h1.ctl
log:
  level: info
EOF
	"$TERND" -p -c "$W/h1.yaml" >/dev/null || fail "ternd -p rejects $W/h1.yaml"
}

# start_ternd_info: the lib's start_ternd without -d (which forces debug logging).
start_ternd_info() {
	local pid
	echo "=== $(date +%T.%N) round $RUN start: $TERND -c $W/h1.yaml" >>"$W/h1.ternd.log"
	ip netns exec "$(host_ns h1)" "$TERND" -c "$W/h1.yaml" \
		</dev/null >>"$W/h1.ternd.log" 2>&1 &
	pid=$!
	_tt_record_pid "$pid"
	_TT_TERND[h1]=$pid
	_TT_WATCH[$pid]="ternd on h1"
	note "ternd on h1: pid $pid, log $W/h1.ternd.log"
}

# clean_h1: remove every proto bird route and nexthop object from h1 (between phases).
# (The objects first: deleting one takes its routes along.)
clean_h1() {
	local ns i
	ns=$(host_ns h1)
	for ((i = 0; i < 5; i++)); do
		ip -n "$ns" nexthop flush >/dev/null 2>&1
		ip -n "$ns" -4 route flush proto bird >/dev/null 2>&1
		(($(ip -n "$ns" -4 route show proto bird | wc -l) == 0)) && return 0
	done
	fail "cannot clean h1's table between phases"
}

# --- the receivers ------------------------------------------------------------------

# receive NAME PID: the common part of phases 1 and 2 once the receiver runs and
# h2's session is enabled: time the N routes in, check, withdraw, check.
receive() {
	local name=$1 pid=$2 t0 t1 proto
	proto=$(mesh_name h1)
	PEAK_KB=0
	if ! watch_wait full "$name: all $N routes in h1's FIB" "$pid" "${_TT_BIRD[h2]}"; then
		broke "$WAIT_ERR"
		return 1
	fi
	t0=$(watch_get first)
	t1=$(watch_get full)
	peak_poll "$pid"
	complete "$name" "$N" "routes in" "$pid" || return 1
	t1=${DONE_US:-$t1}
	put "$name.ins_ms" "$(ms "$t0" "$t1")"
	peak_poll "$pid"
	put "$name.rss_full_kb" "$PEAK_KB"
	CPU_FULL=$(proc_cpu "$pid")
	put "$name.limit" "$(sender_limits)"
	note "$name: first -> last route in the FIB: $(ms "$t0" "$t1") ms" \
		"(h1's FIB holds exactly $N routes of $BULK_RANGE: dump)"
	sleep 1   # let the receiver settle (BIRD: kernel scan; ternd: first full sync)
	t0=$(now_us)
	birdc_q h2 disable "$proto" >/dev/null || fail "birdc disable $proto on h2 failed"
	if ! watch_wait empty "$name: h1's FIB clean after h2's Cease" "$pid"; then
		broke "$WAIT_ERR"
		return 1
	fi
	t1=$(watch_get empty)
	complete "$name" 0 "withdraw" "$pid" || return 1
	t1=${DONE_US:-$t1}
	put "$name.wd_ms" "$(ms "$t0" "$t1")"
	note "$name: Cease -> FIB clean: $(ms "$t0" "$t1") ms (none of the range left: dump)"
	peak_poll "$pid"
	put "$name.hwm_kb" "$PEAK_KB"
	put "$name.cpu" "$CPU_FULL/$(proc_cpu "$pid")"
	return 0
}

# complete NAME WANT WHAT PID: after fibwatch's (sampled) event, dumps make sure h1's
# FIB holds exactly WANT routes of the range. When the first dump agrees, DONE_US is
# empty (fibwatch's time stands); else the routes outside the sample were late:
# dumps every 0.2 s until one agrees, and DONE_US is the end of that dump. Fails
# when the count does not change for $IDLE s or PID exits.
complete() {
	local name=$1 want=$2 what=$3 pid=$4 got first last=-1 since now
	DONE_US=""
	got=$(fib_count "$(host_ns h1)")
	first=$got
	since=$(now_us)
	while ((got != want)); do
		now=$(now_us)
		if ((got != last)); then
			last=$got
			since=$now
		elif ((now - since > IDLE * 1000000)); then
			broke "$name, $what: h1's FIB has $got routes of $BULK_RANGE, want $want" \
				"(no change for $IDLE s; $first right after fibwatch's sampled event)"
			return 1
		fi
		if ! kill -0 "$pid" 2>/dev/null; then
			broke "$name, $what: pid $pid exited; h1's FIB has $got routes of the range"
			return 1
		fi
		sleep 0.2
		got=$(fib_count "$(host_ns h1)")
		DONE_US=$(now_us)
	done
	if [[ -n $DONE_US ]]; then
		note "$name, $what: $first routes of the range (want $want) right after" \
			"fibwatch's sampled event; the stragglers were done by a dump" \
			"$(ms "$(watch_get "$([[ $want == 0 ]] && echo empty || echo full)")" "$DONE_US") ms later"
		put "$name.late" "$what"
	fi
	return 0
}

# sender_limits: who set the pace of h2's BGP stream. Of the time h2's TCP had data
# to send ("busy"), the share (%) its peer's receive window was full: the receiver
# did not read fast enough. The rest is mostly BIRD on h2 not writing fast enough
# (app-limited time is not counted by the kernel). "?" when not reported.
sender_limits() {
	hexec h2 ss -Htin state established '( dport = :179 or sport = :179 )' |
		awk '{ for (i = 1; i <= NF; i++) {
			if ($i ~ /^busy:/) { b = $i; sub(/^busy:/, "", b); sub(/ms$/, "", b) }
			if ($i ~ /^rwnd_limited:/) { r = $i; sub(/^rwnd_limited:/, "", r); sub(/ms.*/, "", r) }
		} }
		END { if (b > 0) printf "%d", 100 * r / b; else printf "?" }'
}

phase_ternd() {
	local pid rc lines
	note "=== round $RUN, phase 1: receiver ternd"
	watch_start "$(host_ns h1)" ternd
	lines=0
	[[ -f $W/h1.ternd.log ]] && lines=$(wc -l <"$W/h1.ternd.log")
	start_ternd_info
	pid=${_TT_TERND[h1]}
	birdc_q h2 enable "$(mesh_name h1)" >/dev/null || fail "birdc enable on h2 failed"
	receive ternd "$pid"
	rc=$?
	# this round's log, info level: a few lines (sessions, sync, withdraw)
	tail -n +"$((lines + 1))" "$W/h1.ternd.log" >"$W/h1.ternd.$RUN.log"
	sed 's/^/    | /' "$W/h1.ternd.$RUN.log"
	put ternd.sessions "$(grep -c -- '-> Established' "$W/h1.ternd.$RUN.log")"
	if ((rc == 0)); then
		stop_ternd h1 || broke "ternd did not exit 0 on SIGTERM"
	else
		unset "_TT_WATCH[$pid]"
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		unset "_TT_TERND[h1]"
	fi
	watch_stop
	clean_h1
	return "$rc"
}

# bird_stop HOST [SIGNAL]: stop HOST's bird (TERM by default) and forget it.
bird_stop() {
	local h=$1 pid=${_TT_BIRD[$1]:-}
	[[ -n $pid ]] || return 0
	unset "_TT_WATCH[$pid]"
	kill "-${2:-TERM}" "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	unset "_TT_BIRD[$h]"
	rm -f "$W/$h.bird.ctl" "$W/$h.bird.pid"
}

phase_bird() {
	local pid rc
	note "=== round $RUN, phase 2: receiver BIRD 2 (Calico's configuration)"
	watch_start "$(host_ns h1)" bird
	start_bird h1 "$(bird_conf h1 h2)"
	pid=${_TT_BIRD[h1]}
	birdc_q h2 enable "$(mesh_name h1)" >/dev/null || fail "birdc enable on h2 failed"
	receive bird "$pid"
	rc=$?
	bird_stop h1
	watch_stop
	clean_h1
	return "$rc"
}

# phase_kernel: nltest bench (the batched netlink writer) in a fresh namespace with a
# veth pair, watched the same way.
phase_kernel() {
	local ns="${P}k$RUN" out t0 t1 v
	note "=== round $RUN, phase 3: the kernel's own insert time (nltest bench)"
	ip netns add "$ns" || fail "ip netns add $ns failed"
	_tt_record_ns "$ns"
	{ ip -n "$ns" link set lo up &&
		ip -n "$ns" link add eth0 type veth peer name eth1 &&
		ip -n "$ns" addr add 198.18.0.1/24 dev eth0 &&
		ip -n "$ns" link set eth0 up && ip -n "$ns" link set eth1 up; } ||
		fail "cannot wire $ns"
	watch_start "$ns" kernel
	if ! out=$(ip netns exec "$ns" "$NLTEST" bench "$BULK_FIRST" "$N" 198.18.0.2 eth0 2>&1); then
		printf '%s\n' "$out" | sed 's/^/    /'
		broke "nltest bench failed"
		watch_stop
		return 1
	fi
	printf '%s\n' "$out" | sed 's/^/    /'
	sleep 0.3
	watch_stop
	v=$(awk '/insert via one nexthop object/ { print $(NF-3) }' <<<"$out")
	if [[ -z $v ]]; then
		broke "nltest printed no nexthop-object insert time (no nexthop objects?)"
		return 1
	fi
	put kernel.ins_ms "$v"
	put kernel.del_ms "$(awk '/delete all by deleting the nexthop/ { print $(NF-3) }' <<<"$out")"
	t0=$(watch_get first)
	t1=$(watch_get full)
	[[ -n $t0 && -n $t1 ]] && put kernel.watch_ms "$(ms "$t0" "$t1")"
	note "kernel: nltest $v ms, as fibwatch saw it $(ms "$t0" "$t1") ms"
	# The same routes in shuffled order (as a BGP receiver gets them): context for
	# the withdraw, whose flush is much slower through a trie built that way.
	if ! out=$(ip netns exec "$ns" "$W/nlbulk" "$BULK_FIRST" "$N" 198.18.0.2 eth0 shuffled); then
		broke "nlbulk failed: $out"
		return 1
	fi
	echo "    $out"
	read -r v t0 <<<"$(awk '{ print $6, $10 }' <<<"$out")"
	put shuf.ins_ms "$v"
	put shuf.del_ms "$t0"
	return 0
}

# --- the table ----------------------------------------------------------------------

# med KEY: the median of R[KEY] (of a/b pairs: per part), "-" without data.
med() {
	local vals=${R[$1]:-}
	[[ -n $vals ]] || { echo -; return; }
	tr ' ' '\n' <<<"$vals" | awk -F/ '
		{ for (i = 1; i <= NF; i++) v[i, NR] = $i; nf = NF; n = NR }
		END {
			for (i = 1; i <= nf; i++) {
				m = 0
				for (j = 1; j <= n; j++) a[++m] = v[i, j] + 0
				for (j = 2; j <= m; j++)    # insertion sort: a few values
					for (k = j; k > 1 && a[k - 1] > a[k]; k--) {
						t = a[k]; a[k] = a[k - 1]; a[k - 1] = t
					}
				x = m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
				printf "%s%s", (i > 1 ? "/" : ""), (x == int(x) ? x : sprintf("%.1f", x))
			}
			print ""
		}'
}
mib() {
	local k
	k=$(med "$1")
	[[ $k == - ]] && { echo -; return; }
	awk -v k="$k" 'BEGIN { printf "%.1f", k / 1024 }'
}

# ratio A B TARGET: "ratio <= target PASS|MISS", or n/a without data.
ratio() {
	awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN {
		if (a == "-" || b == "-" || b + 0 <= 0) { printf "%8s   <= %-4s  n/a", "-", t; exit }
		r = a / b; printf "%8.3f   <= %-4s  %s", r, t, (r <= t ? "PASS" : "MISS") }'
}

row() { printf '%-36s %14s %14s %14s\n' "$@"; }

report() {
	local k
	echo
	echo "FIB bulk: N=$N /32 prefixes from one BIRD 2 peer; $REPEAT round(s)$( ((REPEAT > 1)) &&
		echo " (medians)"); kernel $(uname -r), $(nproc) CPUs;" \
		"fibwatch sampling 1/$((1 << SAMPLE_BITS)); tern $VERSION;" \
		"load average before: $LOAD0, after: $(cut -d' ' -f1-3 /proc/loadavg)"
	row "" ternd "BIRD 2" "kernel(nltest)"
	row "first -> last route in FIB (ms)" "$(med ternd.ins_ms)" "$(med bird.ins_ms)" \
		"$(med kernel.ins_ms)"
	row "  (kernel: as fibwatch saw it)" "" "" "$(med kernel.watch_ms)"
	row "peak RSS (MiB)" "$(mib ternd.hwm_kb)" "$(mib bird.hwm_kb)" -
	row "  RSS when all routes were in (MiB)" "$(mib ternd.rss_full_kb)" \
		"$(mib bird.rss_full_kb)" -
	row "withdraw: Cease -> FIB clean (ms)" "$(med ternd.wd_ms)" "$(med bird.wd_ms)" \
		"$(med kernel.del_ms)"
	row "CPU s: at FIB full / at the end" "$(med ternd.cpu)" "$(med bird.cpu)" -
	row "h2's TCP receive-window-limited (%)" "$(med ternd.limit)" "$(med bird.limit)" -
	echo "  kernel column: nltest bench, consecutive order; withdraw = deleting the nexthop object."
	echo "  The same in shuffled order (bench/nlbulk): insert $(med shuf.ins_ms) ms," \
		"nexthop object delete $(med shuf.del_ms) ms."
	echo
	printf '%-36s %8s   %-7s  %s\n' "ratio (SPEC 6)" value target result
	printf '%-36s %s\n' "tern/BIRD time (first -> last)" \
		"$(ratio "$(med ternd.ins_ms)" "$(med bird.ins_ms)" 0.4)"
	printf '%-36s %s\n' "tern/kernel time" \
		"$(ratio "$(med ternd.ins_ms)" "$(med kernel.ins_ms)" 1.2)"
	printf '%-36s %s\n' "tern/BIRD peak RSS" \
		"$(ratio "$(med ternd.hwm_kb)" "$(med bird.hwm_kb)" 0.7)"
	printf '%-36s %s\n' "tern/BIRD withdraw" \
		"$(ratio "$(med ternd.wd_ms)" "$(med bird.wd_ms)" 0.1)"
	if ((REPEAT > 1)); then
		echo
		echo "every round:"
		for k in ternd.ins_ms bird.ins_ms kernel.ins_ms kernel.watch_ms shuf.ins_ms \
			ternd.limit bird.limit ternd.cpu bird.cpu ternd.hwm_kb bird.hwm_kb ternd.wd_ms bird.wd_ms kernel.del_ms shuf.del_ms; do
			printf '  %-16s %s\n' "$k" "${R[$k]:--}"
		done
	fi
	[[ -n ${R[ternd.late]:-}${R[bird.late]:-} ]] &&
		echo "completed by dumps (routes outside fibwatch's sample came late):" \
			"ternd: ${R[ternd.late]:-never}; BIRD: ${R[bird.late]:-never}"
	[[ -n ${R[ternd.sessions]:-} ]] &&
		echo "ternd sessions established per round: ${R[ternd.sessions]} (1 = no flap)"
	if ((${#BROKEN[@]} > 0)); then
		echo "BROKEN:"
		printf '  %s\n' "${BROKEN[@]}"
	fi
}

# --- main ---------------------------------------------------------------------------

main() {
	bench_check fibwatch
	[[ -x $NLTEST ]] || { echo "nltest not built: $NLTEST" >&2; exit 1; }
	[[ $REPEAT =~ ^[1-9][0-9]?$ ]] || { echo "BENCH_REPEAT: 1..99" >&2; exit 2; }
	bench_start "tb$$" bench
	note "N=$N, prefix $P, work dir $W"
	# a snapshot, as ternd's: a rebuild during the run must not change it
	cp "$NLTEST" "$W/nltest" || fail "cannot copy nltest"
	NLTEST=$W/nltest
	cc -O2 -Wall -o "$W/fibwatch" "$BENCH_DIR/fibwatch.c" || fail "cannot build fibwatch"
	cc -O2 -Wall -o "$W/nlbulk" "$BENCH_DIR/nlbulk.c" || fail "cannot build nlbulk"
	setup
	for ((RUN = 1; RUN <= REPEAT; RUN++)); do
		[[ $SKIP == *" ternd "* ]] || phase_ternd
		[[ $SKIP == *" bird "* ]] || phase_bird
		[[ $SKIP == *" kernel "* ]] || phase_kernel
	done
	report
	((${#BROKEN[@]} == 0))
}

# sourced (for experiments: the helpers without the run), or run
[[ ${BASH_SOURCE[0]} != "$0" ]] || main "$@"
