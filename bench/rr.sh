#!/bin/bash
# bench/rr.sh [N]: the route reflection benchmarks of SPEC 6 (issue 14), ternd against
# BIRD 2 in the same run.
#
#   sudo bench/rr.sh                 scenario A, N = 500 hosts (about 15 minutes)
#   sudo bench/rr.sh 50              a quick run
#   sudo BENCH_RR_MODE=throughput bench/rr.sh       scenario B only
#   sudo BENCH_RR_MODE=both bench/rr.sh             A, then B
#
# Scenario A ("reflect"): N hosts h1..hN (namespaces on one bridge, 198.18.0.0/22: host
# I is 198.18.0.0 + I; block I is 10.244.0.0 + 64 I /26, so h1 owns 10.244.0.64/26 and
# h500 10.244.125.0/26), the node-to-node mesh off, h1 and h2 route reflectors of one
# cluster (224.0.0.1, as Calico recommends for a pair: not each other's clients, they
# peer as non-clients), every other host a client of both. For each daemon in turn,
# started on every host at once:
#   1. ternd (TERND, log level info, default timers; the file datastore: the cluster
#      file (a copy per host), node_mesh: false, h1/h2 with rr_cluster_id 224.0.0.1 and the label
#      route-reflector: "true", and one peer entry {node_selector: all(),
#      peer_selector: route-reflector == 'true'} as Calico's BGPPeer);
#   2. BIRD 2 with Calico's configuration for a reflector and a client
#      (tests/netns/bird.sh bird_rr_config: Global_<ip> peers, `rr client; rr cluster
#      id 224.0.0.1` on a reflector's client peers, add paths, graceful restart,
#      Calico's timers; plus the kernel protocol's `merge paths on` of Calico's
#      current template), started with -R as calico/node starts it;
# measured by bench/rrwatch.c (one rtnetlink socket per namespace, notifications):
#   1. start -> every host's FIB complete: its blackhole and the N-1 other blocks,
#      each via its owner's address (a route via a reflector does not count);
#      first/median/last host; then dumps of every table must show exactly that;
#   2. one block (10.244.255.192/26) added on client hN (ternd: the cluster file
#      copy of the cluster file rewritten (each ternd reads its own copy) and SIGHUP
#      (most ternds cannot watch their file: fs.inotify.max_user_instances, 128);
#      BIRD: hN's config rewritten and `birdc configure`, as confd does) -> every
#      host's FIB has it: p50 and max;
#   3. reflector h1 killed (SIGKILL): until every other host's daemon holds no path
#      from h1 any more (its session's imported count is 0: after graceful restart's
#      stale timer, 120 s for both), rrwatch counts per host the deletions
#      (RTM_DELROUTE, or routes gone with their nexthop object), replacements and
#      routes set to a wrong next hop, for the tracked prefixes; every client must keep
#      every route (dumps again) with ZERO deletions;
#   4. CPU (schedstat) of the reflectors until every FIB was complete, their RSS and
#      peak RSS (VmHWM) before the kill, the clients' RSS (median, max).
#
# Scenario B ("throughput"): h1 the reflector (ternd, then BIRD 2), h2 a feeder
# (build/tests/adv/bgpadv, neither daemon: announces BENCH_RR_PREFIXES (1,000,000) /32s
# from 10.0.0.0 with add-path, packed), h3.. BENCH_RR_CLIENTS (50) clients of the
# reflector (BENCH_RR_CLIENT_KIND, bird or ternd, the same in both runs). The range
# 10.0.0.0/9 is a VXLAN pool, so no node programs it into its kernel (ternd: routes in
# a VXLAN pool stay out of the FIB; BIRD: Calico's calico_kernel_programming rejects
# them), the reflector included: the figure is reflection alone. Measured: first route
# in at the reflector -> last client holding all of them (the imported count of each
# session, polled every 100 ms by `rrwatch ctl` on the control sockets, no fork per
# query), and the reflector's peak RSS (VmHWM) and CPU.
#
# Needs root, ip netns, BIRD 2 (bird, birdc), cc, and for B bgpadv; exits 77 without
# them. Environment: TERND (default build/ternd; copied at the start), BGPADV (default
# build/tests/adv/bgpadv), BENCH_VERSION, BENCH_SKIP (any of "ternd bird"), BENCH_RR_MODE
# (reflect | throughput | both), BENCH_MAX_S (300: the longest wait for every FIB
# complete), BENCH_RR_KILL_MAX (300: the longest wait after the kill),
# BENCH_RR_CLIENTS (50), BENCH_RR_PREFIXES (1000000), BENCH_RR_CLIENT_KIND (bird),
# BENCH_RR_TP_MAX (900: the longest wait in B), BENCH_BIRD_ARGS (-R), BENCH_KEEP=1,
# BENCH_PERF_START=FILE and BENCH_PERF_BLOCK=FILE (perf record -a -g of A's start,
# of its step 2, into FILE.KIND; BENCH_PERF_ARGS replaces "-a -g", for example
# "-a -e raw_syscalls:sys_enter" to count every process's system calls).
#
# Exit status: 0 when both daemons converged and every count was right (the targets
# are informational), 1 when something broke (evidence printed, work directory kept),
# 77 when not root / no netns / no bird2 / no cc.
#
# SPEC 7: everything happens in namespaces created here (prefix tr<pid>); nothing
# touches the root namespace; every process and namespace goes at exit, also on
# failure or interrupt (bench_exit, the EXIT trap of fib_bulk.sh). The kernel's ARP
# table is shared by all namespaces (gc_thresh3 1024 dynamic entries): every host gets
# permanent neighbour entries for the reflectors, and each reflector for every host
# (deterministic MAC addresses, no ARP); the blocks' next hops need no neighbour entry
# to be installed. N is 4..1000.
# shellcheck source-path=SCRIPTDIR
set -uo pipefail

RR_ARGS=("$@")
# mesh.sh (and through it fib_bulk.sh): the harness and the helpers start_all, wait_all,
# incomplete_hosts, cpu_ns, mem_kb, stats, scale, field, clean_all, _tt_dump; sourced,
# it does not run. Its N is not ours.
# shellcheck source=mesh.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/mesh.sh" 2
set -- "${RR_ARGS[@]}"

MODE=${BENCH_RR_MODE:-reflect}
NA=${1:-500}
case $MODE in reflect | throughput | both) ;; *)
	echo "BENCH_RR_MODE: reflect, throughput or both" >&2
	exit 2
	;;
esac
if ! [[ $NA =~ ^[1-9][0-9]{0,3}$ ]] || ((NA < 4 || NA > 1000)); then
	echo "usage: $0 [N] (4..1000 hosts, default 500)" >&2
	exit 2
fi
TP_CLIENTS=${BENCH_RR_CLIENTS:-50}
TP_PREFIXES=${BENCH_RR_PREFIXES:-1000000}
TP_CLIENT_KIND=${BENCH_RR_CLIENT_KIND:-bird}
TP_MAX=${BENCH_RR_TP_MAX:-900}
KILL_MAX=${BENCH_RR_KILL_MAX:-300}
BGPADV=${BGPADV:-$TOP/build/tests/adv/bgpadv}
CLUSTER_ID=224.0.0.1
XBLOCK=10.244.255.192/26
TP_RANGE=10.0.0.0/9
TT_POOL=10.244.0.0/16
RRS=(1 2)            # the reflectors of the current set-up (host numbers)
XOWNER=0             # the host that gets block X in step 2
KILLED=()            # DPID indices killed on purpose (not stopped again)
SCEN=""              # A or B: the R[] keys' prefix

# --- addresses ------------------------------------------------------------------------

rr_ip() { echo "198.18.$(($1 >> 8)).$(($1 & 255))"; }
rr_block() { local b=$(($1 * 64)); echo "10.244.$((b >> 8)).$((b & 255))/26"; }
rr_mac() { printf '02:00:c6:12:%02x:%02x' $(($1 >> 8)) $(($1 & 255)); }
rr_proto() { local ip; ip=$(rr_ip "$1"); echo "Global_${ip//./_}"; }
# peer_proto KIND I J: the name of hI's session to hJ (`show protocols`: the name
# that ends in hJ's address; Calico's Global_<ip>), rr_proto's when none is found.
peer_proto() {
	local ip p
	ip=$(rr_ip "$3")
	p=$(timeout 10 birdc -s "$(sockpath "$1" "$2")" show protocols 2>/dev/null |
		awk -v s="_${ip//./_}" '{ n = $1; sub(/^[0-9][0-9][0-9][0-9][- ]/, "", n); b = n
			sub(/_port_[0-9]+$/, "", b)
			if (length(b) > length(s) && substr(b, length(b) - length(s) + 1) == s) {
				print n; exit } }')
	echo "${p:-$(rr_proto "$3")}"
}
is_rr() { [[ " ${RRS[*]} " == *" $1 "* ]]; }

# --- hosts --------------------------------------------------------------------------------

# rr_hosts N: the switch and hosts h1..hN on 198.18.0.0/22 (the lib's netns_add_host
# is /24-bound), in batches: one `ip` per host plus two.
rr_hosts() {
	local i n=$1
	_tt_switch
	for ((i = 1; i <= n; i++)); do
		ip netns add "${P}h$i" || fail "ip netns add ${P}h$i failed"
		_tt_record_ns "${P}h$i"
	done
	for ((i = 1; i <= n; i++)); do
		echo "link add p$i type veth peer name eth0 address $(rr_mac "$i") netns ${P}h$i"
		echo "link set p$i master br0"
		echo "link set p$i up"
	done | ip -n "${P}sw" -batch - || fail "cannot create the veths"
	for ((i = 1; i <= n; i++)); do
		printf 'link set lo up\naddr add %s/22 dev eth0\nlink set eth0 up\n' "$(rr_ip "$i")" |
			ip -n "${P}h$i" -batch - || fail "cannot wire h$i"
	done
}

# rr_neighbours N: permanent neighbour entries, every host for every reflector and
# every reflector for every host (the BGP sessions; nothing else needs one).
rr_neighbours() {
	local i j n=$1
	for ((i = 1; i <= n; i++)); do
		for ((j = 1; j <= n; j++)); do
			if ((j != i)) && { is_rr "$i" || is_rr "$j"; }; then
				echo "neigh replace $(rr_ip "$j") lladdr $(rr_mac "$j") dev eth0 nud permanent"
			fi
		done | ip -n "${P}h$i" -batch - || fail "cannot add h$i's neighbour entries"
	done
}

# --- configurations -------------------------------------------------------------------

# rr_cluster FILE N [XBLOCK_OWNER]: the cluster file (written atomically: every ternd
# watches it; RR_T0 is set just before the rename).
rr_cluster() {
	local f=$1 n=$2 x=${3:-0} i
	{
		echo "as: $TT_AS"
		echo "node_mesh: false"
		echo "pools:"
		echo "  - cidr: $TT_POOL"
		echo "    ipip: never"
		if [[ $SCEN == B ]]; then
			echo "  - cidr: $TP_RANGE"
			echo "    vxlan: always"
		fi
		echo "nodes:"
		for ((i = 1; i <= n; i++)); do
			echo "  - name: h$i"
			echo "    ipv4: $(rr_ip "$i")"
			if ((i == x)); then
				echo "    blocks: [$(rr_block "$i"), $XBLOCK]"
			else
				echo "    blocks: [$(rr_block "$i")]"
			fi
			if is_rr "$i"; then
				echo "    rr_cluster_id: $CLUSTER_ID"
				echo '    labels: {route-reflector: "true"}'
			fi
		done
		echo "peers:"
		echo "  - {node_selector: \"all()\", peer_selector: \"route-reflector == 'true'\"}"
	} >"$f.tmp" || fail "cannot write $f.tmp"
	RR_T0=$(now_us)
	mv -f "$f.tmp" "$f" || fail "cannot rename $f.tmp"
}

# rr_cluster_all N: the cluster file, one copy per host ($W/ds/hI/cluster.yaml): a
# change on one node (step 2) touches that node's copy only, as BIRD's step changes one
# node's config. (With one shared file, every ternd that watches it re-reads 500 nodes
# at each change: 128 of them here, fs.inotify.max_user_instances, on two CPUs; in a
# real cluster each node reads its own datastore on its own CPU.)
rr_cluster_all() {
	local i content
	rr_cluster "$W/cluster.yaml" "$1"
	content=$(<"$W/cluster.yaml")
	for ((i = 1; i <= $1; i++)); do
		echo "$W/ds/h$i"
	done | xargs mkdir -p || fail "cannot create $W/ds/hI"
	for ((i = 1; i <= $1; i++)); do
		printf '%s\n' "$content" >"$W/ds/h$i/cluster.yaml" || fail "cannot write h$i's cluster file"
	done
}

# rr_ternd_conf HOST: HOST's ternd.yaml (info, default timers; in B no prefix limits).
rr_ternd_conf() {
	{
		cat <<EOF
node:
  name: $1
datastore:
  type: file
  path: $W/ds/$1/cluster.yaml
control:
  socket: $W/$1.ctl
log:
  level: info
EOF
		[[ $SCEN == B ]] && printf 'bgp:\n  max_prefixes: 0\n  max_peer_memory_kib: 0\n'
	} >"$W/$1.yaml"
}

# rr_bird_conf I N [BLOCKS]: hI's BIRD config, Calico's for a reflector (peers: the
# other reflectors as non-clients, every other host as `rr client`) or a client (the
# reflectors), with the kernel protocol's `merge paths on` (Calico's current
# template); in B the kernel export rejects the VXLAN range as calico_kernel_programming
# does. Written to $W/hI.bird.conf.
rr_bird_conf() {
	local i=$1 n=$2 blocks=${3:-$(rr_block "$1")} j peers=() cluster="" pools=$TT_POOL
	if is_rr "$i"; then
		cluster=$CLUSTER_ID
		for ((j = 1; j <= n; j++)); do
			((j == i)) && continue
			if is_rr "$j"; then
				peers+=("$(rr_ip "$j"):rr")
			else
				peers+=("$(rr_ip "$j")")
			fi
		done
	else
		for j in "${RRS[@]}"; do
			peers+=("$(rr_ip "$j")")
		done
	fi
	[[ $SCEN == B ]] && pools+=" $TP_RANGE"
	bird_rr_config "$(rr_ip "$i")" "$TT_AS" "$blocks" "$pools" "$cluster" "${peers[@]}" |
		awk -v b="$([[ $SCEN == B ]] && echo "$TP_RANGE")" '
			/^protocol kernel \{/ { k = 1 }
			k && /^    export all;/ && b != "" {
				print "    export filter { if net ~ " b " then reject; accept; };"; next }
			k && /^  graceful restart;/ { print; print "  merge paths on;"; k = 0; next }
			{ print }' >"$W/h$i.bird.conf" || fail "cannot write h$i's BIRD config"
}

# rr_configs N: every host's configs, checked (bird -p, ternd -p).
rr_configs() {
	local i n=$1 out
	rr_cluster_all "$n"
	for ((i = 1; i <= n; i++)); do
		rr_ternd_conf "h$i"
		rr_bird_conf "$i" "$n"
	done
	grep -q 'merge paths on' "$W/h1.bird.conf" || fail "merge paths not added (bird.sh changed?)"
	for ((i = 1; i <= n; i++)); do
		# every client's config is the same but for its addresses: check three
		((i > 3 && i < n)) && continue
		out=$(bird -p -c "$W/h$i.bird.conf" 2>&1) || fail "bird -p rejects h$i's config: $out"
		if [[ $SKIP != *" ternd "* ]]; then
			out=$("$TERND" -p -c "$W/h$i.yaml" 2>&1 >/dev/null) ||
				fail "ternd -p rejects $W/h$i.yaml (or the cluster file): $out"
		fi
	done
	note "configs written and checked: $W/hI.yaml, $W/hI.bird.conf, $W/ds/hI/cluster.yaml"
}

# --- watching -------------------------------------------------------------------------

# rrwatch_fib N: start `rrwatch fib` (every host's FIB, block X owned by XOWNER).
rrwatch_fib() {
	local i
	WATCH_FILE="$W/$1.watch"
	"$W/rrwatch" fib "$P" "$N" "$XOWNER" 1 >"$WATCH_FILE" 2>&1 &
	WATCH_PID=$!
	_tt_record_pid "$WATCH_PID"
	for ((i = 0; i < 300; i++)); do
		grep -q '^ready ' "$WATCH_FILE" && return 0
		kill -0 "$WATCH_PID" 2>/dev/null || break
		sleep 0.1
	done
	fail "rrwatch not ready: $(cat "$WATCH_FILE")"
}

# watch_counts: SIGUSR1 to rrwatch, wait for its "total" line; COUNTS_AT is the line
# number after which this interval's counts are.
watch_counts() {
	local before i
	before=$(grep -c '^total ' "$WATCH_FILE")
	COUNTS_AT=$(wc -l <"$WATCH_FILE")
	kill -USR1 "$WATCH_PID"
	for ((i = 0; i < 100; i++)); do
		(($(grep -c '^total ' "$WATCH_FILE") > before)) && return 0
		sleep 0.1
	done
	fail "rrwatch did not print its counts"
}

# sockpath KIND I: hI's control socket.
sockpath() { if [[ $1 == ternd ]]; then echo "$W/h$2.ctl"; else echo "$W/h$2.bird.ctl"; fi; }

# ctl_count KIND I PROTO: the imported count of PROTO on hI (birdc).
ctl_count() {
	timeout 10 birdc -s "$(sockpath "$1" "$2")" show protocols all "$3" 2>/dev/null |
		awk '/Routes:/ { print $2 + 0; found = 1; exit } END { if (!found) print -1 }'
}

# --- scenario A -----------------------------------------------------------------------

# verify_rr I KIND X [DEAD]: hI's proto bird routes are exactly its set (a dump): its
# blackhole, every other block via its owner, block X too when X is 1; BIRD's direct
# subnet allowed; host DEAD's block (killed) may be missing.
verify_rr() {
	ip -n "${P}h$1" -4 route show proto bird 2>&1 | awk -v me="$1" -v n="$N" -v kind="$2" \
		-v x="$3" -v xo="$XOWNER" -v dead="${4:-0}" '
		{
			if (kind == "bird" && $1 == "198.18.0.0/22" && $2 == "dev" && $3 == "eth0")
				next
			if ($1 == "blackhole") { dst = $2; bh = 1 } else { dst = $1; bh = 0 }
			if (split(dst, d, /[.\/]/) != 5 || d[1] != 10 || d[2] != 244 || d[5] != 26 ||
			    d[4] % 64 != 0) { bad = bad " [" $0 "]"; next }
			o = (d[3] * 256 + d[4]) / 64
			if (x && o == 1023) o = xo
			else if (o < 1 || o > n) { bad = bad " [" $0 "]"; next }
			if (bh ? o == me : (o != me && $0 ~ ("^" dst " (nhid [0-9]+ )?via 198\\.18\\." \
			    int(o / 256) "\\." (o % 256) " dev eth0( |$)"))) {
				if (seen[(d[3] == 255 && x) ? "x" : o]++ == 0) next
			}
			bad = bad " [" $0 "]"
		}
		END {
			for (i = 1; i <= n; i++) if (!seen[i] && i != dead) miss = miss " " i
			if (x && !seen["x"]) miss = miss " X"
			if (miss != "") printf "missing the blocks of hosts%s;", miss
			if (bad != "") printf " unexpected:%s", bad
		}'
}

# verify_all_rr KIND X [SKIP_HOST]: every host's table, as verify_rr.
verify_all_rr() {
	local kind=$1 x=$2 skip=${3:-0} i out bad=0
	for ((i = 1; i <= N; i++)); do
		((i == skip)) && continue
		out=$(verify_rr "$i" "$kind" "$x" "$skip")
		if [[ -n $out ]]; then
			((bad < 10)) && echo "  h$i: $out" | cut -c1-600
			((bad++))
		fi
	done
	if ((bad > 0)); then
		DUMP_HOSTS="" broke "$kind: $bad hosts' tables are not exactly their set"
		return 1
	fi
	note "$kind: every host's table$( ((skip)) && echo " but h$skip's") holds exactly its" \
		"blackhole and the other blocks via their owners$( ((x)) && echo ", block X too")$( ((skip)) &&
			echo " (h$skip's own block allowed missing)"), nothing" \
		"else proto bird (dumps)"
}

# sessions_rr KIND [SKIP]: Established per host: a reflector N-1, a client one per
# reflector alive. R[SCEN.KIND.sess] = "rr_min/rr_max cl_min/cl_max".
sessions_rr() {
	local kind=$1 skip=${2:-0} i c rr="" cl="" want_cl=${#RRS[@]} out
	((skip)) && want_cl=$((want_cl - 1))
	for ((i = 1; i <= N; i++)); do
		((i == skip)) && continue
		c=$(timeout 10 birdc -s "$(sockpath "$kind" "$i")" show protocols 2>/dev/null |
			grep -c Established)
		if is_rr "$i"; then rr+="$c"$'\n'; else cl+="$c"$'\n'; fi
	done
	rr=$(grep . <<<"$rr" | sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo "/" hi }')
	cl=$(grep . <<<"$cl" | sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo "/" hi }')
	out="$rr $cl"
	note "$kind: sessions Established: reflectors min/max $rr (want $((N - 1 - (skip > 0))))," \
		"clients min/max $cl (want $want_cl)"
	[[ $rr == "$((N - 1 - (skip > 0)))/$((N - 1 - (skip > 0)))" && $cl == "$want_cl/$want_cl" ]] ||
		{ broke "$kind: sessions Established: reflectors $rr, clients $cl"; return 1; }
	[[ $skip == 0 ]] && R[$SCEN.$kind.sess]=$out
	return 0
}

# cpu_all: CPUS[I] = hI's daemon's CPU time so far (us).
cpu_all() {
	local i
	CPUS=()
	for ((i = 1; i <= N; i++)); do
		cpu_ns "${DPID[i]}"
		CPUS[i]=$((CPU_NS / 1000))
	done
}

# add_block KIND: step 2, block X on client hN; R[A.KIND.x50], R[A.KIND.xmax], and the
# CPU the step cost: R[A.KIND.xcpu] (reflectors, owner, clients' median and sum, ms).
add_block() {
	local kind=$1 t0 i perf="" cpu0 list="" rr=""
	if [[ -n ${BENCH_PERF_BLOCK:-} ]]; then
		# a profile of the whole machine around step 2 (perf report -i FILE.KIND)
		# shellcheck disable=SC2086 # BENCH_PERF_ARGS: words
		perf record ${BENCH_PERF_ARGS:--a -g} -q -o "$BENCH_PERF_BLOCK.$kind" -- sleep 30 >/dev/null 2>&1 &
		perf=$!
		sleep 1
	fi
	cpu_all
	cpu0=()
	for ((i = 1; i <= N; i++)); do cpu0[i]=${CPUS[i]}; done
	if [[ $kind == ternd ]]; then
		# hN's copy only (as BIRD's step changes hN's config only)
		rr_cluster "$W/ds/h$XOWNER/cluster.yaml" "$N" "$XOWNER"
		t0=$RR_T0
		# fs.inotify.max_user_instances (128 by default, one limit for every ternd of
		# the machine, all root) leaves most ternds without a watch on their file
		# ("not watched; reload with SIGHUP"): the owner is told as confd would
		kill -HUP "${DPID[XOWNER]}"
	else
		cp "$W/h$XOWNER.bird.conf" "$W/h$XOWNER.bird.conf.orig"
		rr_bird_conf "$XOWNER" "$N" "$(rr_block "$XOWNER") $XBLOCK"
		t0=$(now_us)
		timeout 10 birdc -s "$W/h$XOWNER.bird.ctl" configure >/dev/null ||
			{ broke "bird: birdc configure on h$XOWNER failed"; return 1; }
	fi
	for ((i = 0; i < 600; i++)); do
		grep -q '^xall ' "$WATCH_FILE" && break
		sleep 0.1
	done
	if [[ -n $perf ]]; then
		kill -INT "$perf" 2>/dev/null
		wait "$perf" 2>/dev/null
	fi
	if ! grep -q '^xall ' "$WATCH_FILE"; then
		broke "$kind: block X (added on h$XOWNER) not in every FIB 60 s later:" \
			"$(grep -c '^xhost ' "$WATCH_FILE") hosts have it"
		return 1
	fi
	read -r "R[A.$kind.x50]" "R[A.$kind.xmax]" < <(awk -v t0="$t0" '$1 == "xhost" && !s[$3]++ {
			print ($2 - t0) / 1000 }' "$WATCH_FILE" | stats | awk '{ print $1, $2 }')
	note "$kind: block X on h$XOWNER -> every FIB: p50 ${R[A.$kind.x50]} ms," \
		"max ${R[A.$kind.xmax]} ms"
	# the step's CPU (the daemons' whole CPU since before the change: every host has
	# it, and each may have done a keepalive or a kernel scan meanwhile)
	cpu_all
	for ((i = 1; i <= N; i++)); do
		if is_rr "$i"; then
			rr+="$(((CPUS[i] - cpu0[i]) / 1000)).$((((CPUS[i] - cpu0[i]) % 1000) / 100)) "
		elif ((i != XOWNER)); then
			list+="$((CPUS[i] - cpu0[i]))"$'\n'
		fi
	done
	R[A.$kind.xcpu]="$rr$(((CPUS[XOWNER] - cpu0[XOWNER]) / 1000)) $(grep . <<<"$list" |
		stats | scale 1000 "%.2f %.2f %.0f" | awk '{ print $1, $3 }')"
	note "$kind: the step's CPU (ms): reflectors, owner h$XOWNER, clients median and sum:" \
		"${R[A.$kind.xcpu]}"
}

# memory_rr KIND: reflectors' RSS and VmHWM (max of the two), clients' RSS.
memory_rr() {
	local kind=$1 i rss="" hwm="" cl=""
	for ((i = 1; i <= N; i++)); do
		mem_kb "${DPID[i]}"
		if is_rr "$i"; then
			rss+="$RSS_KB"$'\n'
			hwm+="$HWM_KB"$'\n'
		else
			cl+="$RSS_KB"$'\n'
		fi
	done
	R[A.$kind.rrrss]=$(grep . <<<"$rss" | stats | scale 1024 "%.2f %.2f")
	R[A.$kind.rrhwm]=$(grep . <<<"$hwm" | stats | scale 1024 "%.2f %.2f")
	R[A.$kind.clrss]=$(grep . <<<"$cl" | stats | scale 1024 "%.2f %.2f")
	note "$kind: reflectors RSS MiB (median max) ${R[A.$kind.rrrss]}, VmHWM" \
		"${R[A.$kind.rrhwm]}; clients RSS ${R[A.$kind.clrss]}"
}

# kill_rr KIND: step 3. SIGKILL h1's daemon; wait until every other host holds no
# path from h1 (imported count 0 on its session to h1), then rrwatch's counts.
kill_rr() {
	local kind=$1 pid=${DPID[1]} i c ents=() cf t_kill t_end tot pc p2
	pc=$(peer_proto "$kind" 3 1)
	p2=$(peer_proto "$kind" 2 1)
	c=$(ctl_count "$kind" 3 "$pc")
	if ! ((c > 0)); then
		broke "$kind: h3's session $pc shows no imported route ($c) before the kill"
		return 1
	fi
	ents=("h2=$(sockpath "$kind" 2)=$p2")
	for ((i = 3; i <= N; i++)); do
		ents+=("h$i=$(sockpath "$kind" "$i")=$pc")
	done
	watch_counts     # the interval starts here
	t_kill=$(now_us)
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	KILLED+=(1)
	note "$kind: h1 (reflector, pid $pid) killed; waiting until every host dropped its paths"
	cf=$W/$kind.kill.ctl
	"$W/rrwatch" ctl 1000 0 "${ents[@]}" >"$cf" 2>&1 &
	local cpid=$!
	_tt_record_pid "$cpid"
	while kill -0 "$cpid" 2>/dev/null; do
		if (($(now_us) - t_kill > KILL_MAX * 1000000)); then
			kill "$cpid"
			break
		fi
		sleep 0.5
	done
	wait "$cpid"
	if ! grep -q '^all ' "$cf"; then
		broke "$kind: not every host dropped h1's paths $KILL_MAX s after the kill" \
			"(or a control socket closed): $(tail -3 "$cf" | tr '\n' ' ')"
		return 1
	fi
	t_end=$(awk '$1 == "all" { print $2 }' "$cf")
	R[A.$kind.drop]=$(ms "$t_kill" "$t_end")
	# late kernel writes after the last flush (a margin, not the event)
	sleep 3
	watch_counts
	tot=$(tail -n +"$((COUNTS_AT + 1))" "$WATCH_FILE" | awk '$1 == "total" { t = $0 } END { print t }')
	# del repl add bad nh over the clients and h2 (h1 is the dead one)
	R[A.$kind.killev]=$(tail -n +"$((COUNTS_AT + 1))" "$WATCH_FILE" | awk '
		$1 == "count" && $2 != 1 { d += $3; r += $4; a += $5; b += $6; x += $7; if ($3) hd++
			if ($8) dd++ }
		END { printf "%d %d %d %d %d %d %d", d, r, a, b, x, hd, dd }')
	note "$kind: every host dropped h1's paths $(ms "$t_kill" "$t_end") ms after the kill;" \
		"clients and h2: deletions, replacements, adds, bad, nexthop events, hosts with" \
		"deletions, hosts that deleted h1's own block: ${R[A.$kind.killev]} (rrwatch: $tot)"
	grep -E '^(del|repl|bad) ' "$WATCH_FILE" | awk '!($1 == "del" && $4 == 1)' | head -20 |
		sed 's/^/    /'
	verify_all_rr "$kind" 1 1
}

# stop_rr KIND: SIGTERM every daemon still running (mesh.sh's stop_all without the
# killed ones), ternd must exit 0; then every table cleaned.
stop_rr() {
	local kind=$1 i pid st bad="" left
	for i in "${KILLED[@]}"; do
		DPID[i]=""
	done
	KILLED=()
	for ((i = 1; i <= N; i++)); do
		[[ -n ${DPID[i]:-} ]] && kill -TERM "${DPID[i]}" 2>/dev/null
	done
	for ((st = 0; st < 100; st++)); do
		left=0
		for ((i = 1; i <= N; i++)); do
			[[ -n ${DPID[i]:-} ]] && kill -0 "${DPID[i]}" 2>/dev/null && ((left++))
		done
		((left == 0)) && break
		sleep 0.1
	done
	((left > 0)) && note "$kind: $left daemons still running 10 s after SIGTERM: SIGKILL"
	for ((i = 1; i <= N; i++)); do
		[[ -n ${DPID[i]:-} ]] && kill -KILL "${DPID[i]}" 2>/dev/null
	done
	launch_reap
	for ((i = 1; i <= N; i++)); do
		pid=${DPID[i]:-}
		[[ -n $pid ]] || continue
		exit_of "$pid"
		st=$XST
		((st != 0)) && bad+=" h$i:$st"
		rm -f "$W/h$i.bird.ctl" "$W/h$i.bird.pid"
	done
	# reaped (and the killed one): out of the cleanup's list
	_TT_PIDS=("${WATCH_PID:-}")
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

# phase_a KIND: scenario A for one daemon.
phase_a() {
	local kind=$1 t i c list="" perf=""
	note "=== A: $kind on $N hosts (reflectors h1, h2)"
	rrwatch_fib "A.$kind"
	if [[ -n ${BENCH_PERF_START:-} ]]; then
		# a profile of the whole machine from the start to every FIB complete
		# shellcheck disable=SC2086 # BENCH_PERF_ARGS: words
		perf record ${BENCH_PERF_ARGS:--a -g -F 499} -q -o "$BENCH_PERF_START.$kind" -- sleep 300 \
			>/dev/null 2>&1 &
		perf=$!
		sleep 1
	fi
	start_all "$kind"
	R[A.$kind.started]=$(ms "$T0" "$T_STARTED")
	note "$kind: $N started in ${R[A.$kind.started]} ms; waiting for every FIB"
	wait_all "$kind"
	c=$?
	if [[ -n $perf ]]; then
		kill -INT "$perf" 2>/dev/null
		wait "$perf" 2>/dev/null
	fi
	if ((c == 0)); then
		t=$(watch_first all)
		R[A.$kind.all]=$(ms "$T0" "$t")
		R[A.$kind.first]=$(awk -v t0="$T0" '$1 == "host" { printf "%.1f", ($2 - t0) / 1000; exit }' \
			"$WATCH_FILE")
		R[A.$kind.hosts]=$(awk -v t0="$T0" '$1 == "host" && !s[$3]++ { print ($2 - t0) / 1000 }' \
			"$WATCH_FILE" | stats | awk '{ print $1 }')
		note "$kind: start -> every FIB complete: ${R[A.$kind.all]} ms (first host" \
			"${R[A.$kind.first]} ms, median ${R[A.$kind.hosts]} ms)"
		for i in "${RRS[@]}"; do
			cpu_ns "${DPID[i]}"
			list+="$((CPU_NS / 1000000)) "
		done
		R[A.$kind.rrcpu]=$list
		list=""
		for ((i = 1; i <= N; i++)); do
			is_rr "$i" && continue
			cpu_ns "${DPID[i]}"
			list+="$((CPU_NS / 1000))"$'\n'
		done
		R[A.$kind.clcpu]=$(grep . <<<"$list" | stats | scale 1000 "%.1f %.1f %.0f")
		note "$kind: CPU until complete: reflectors ${R[A.$kind.rrcpu]}ms; clients (median" \
			"max all) ${R[A.$kind.clcpu]} ms"
		if verify_all_rr "$kind" 0 && sessions_rr "$kind" && add_block "$kind"; then
			memory_rr "$kind"
			kill_rr "$kind" && sessions_rr "$kind" 1
		fi
	fi
	stop_rr "$kind"
	watch_end
	_TT_PIDS=()
	# back to the start state for the next daemon
	if [[ $kind == ternd ]]; then
		rr_cluster "$W/ds/h$XOWNER/cluster.yaml" "$N"
	elif [[ -f $W/h$XOWNER.bird.conf.orig ]]; then
		mv -f "$W/h$XOWNER.bird.conf.orig" "$W/h$XOWNER.bird.conf"
	fi
	c=$(grep -c '^overflow ' "$WATCH_FILE")
	((c > 0)) && note "$kind: rrwatch's sockets overflowed $c times (state rebuilt by dumps)"
	return 0
}

# --- scenario B -----------------------------------------------------------------------

# start_kind I KIND: start KIND on hI in the background, DPID[I].
start_kind() {
	local i=$1 kind=$2
	if [[ $kind == ternd ]]; then
		ip netns exec "${P}h$i" "$TERND" -c "$W/h$i.yaml" </dev/null >>"$W/h$i.ternd.log" 2>&1 &
	else
		ip netns exec "${P}h$i" bird -f -c "$W/h$i.bird.conf" -s "$W/h$i.bird.ctl" \
			-P "$W/h$i.bird.pid" "${BIRD_ARGV[@]}" </dev/null >>"$W/h$i.bird.log" 2>&1 &
	fi
	DPID[i]=$!
	_TT_PIDS+=("$!")
}

# phase_b KIND: scenario B with KIND as the reflector.
phase_b() {
	local kind=$1 ck=$TP_CLIENT_KIND i c ents=() cf fpid rpid t_first t_last now peak=0
	note "=== B: reflector $kind, $TP_CLIENTS $ck clients, feeder bgpadv ($TP_PREFIXES prefixes)"
	DPID=()
	for ((i = 3; i <= N; i++)); do
		start_kind "$i" "$ck"
	done
	start_kind 1 "$kind"
	DPID[2]=""
	rpid=${DPID[1]}
	# every client's session to the reflector up (and the reflector's)
	for ((c = 0; c < 1200; c++)); do
		(($(timeout 10 birdc -s "$(sockpath "$kind" 1)" show protocols 2>/dev/null |
			grep -c Established) >= TP_CLIENTS)) && break
		kill -0 "$rpid" 2>/dev/null || break
		sleep 0.1
	done
	if ((c == 1200)) || ! kill -0 "$rpid" 2>/dev/null; then
		broke "B $kind: the reflector's $TP_CLIENTS client sessions not Established in 120 s"
		stop_rr "$kind"
		return 1
	fi
	note "B $kind: $TP_CLIENTS client sessions Established"
	sleep 2   # the clients' initial exchange (their blocks, End-of-RIB) done
	# the reflector only until its first route: ternd's `show protocols all` walks and
	# sorts its whole rib for the "preferred" count (a second of CPU at 1M routes), so
	# polling it every 100 ms would measure the poller
	ents=("rr=$(sockpath "$kind" 1)=$(peer_proto "$kind" 1 2)=1")
	c=$(peer_proto "$ck" 3 1)
	for ((i = 3; i <= N; i++)); do
		ents+=("h$i=$(sockpath "$ck" "$i")=$c")
	done
	cf=$W/B.$kind.ctl
	# a client imports the prefixes and the blocks of h1 and of the 49 other clients
	"$W/rrwatch" ctl 100 "$((TP_PREFIXES + TP_CLIENTS))" "${ents[@]}" >"$cf" 2>&1 &
	WATCH_PID=$!
	_tt_record_pid "$WATCH_PID"
	for ((c = 0; c < 100; c++)); do
		grep -q '^ready ' "$cf" && break
		sleep 0.1
	done
	ip netns exec "${P}h2" "$BGPADV" --connect "$(rr_ip 1)" --bind "$(rr_ip 2)" --as "$TT_AS" \
		--id "$(rr_ip 2)" --addpath --timeout "$TP_MAX" \
		"announce:10.0.0.0/32:$(rr_ip 2):$TP_PREFIXES" eor "keepalives:$((TP_MAX + 60))" \
		</dev/null >"$W/h2.feeder.log" 2>&1 &
	fpid=$!
	_TT_PIDS+=("$fpid")
	T0=$(now_us)
	while ! grep -q '^all ' "$cf"; do
		now=$(now_us)
		mem_kb "$rpid"
		((HWM_KB > peak)) && peak=$HWM_KB
		((RSS_KB > peak)) && peak=$RSS_KB
		if ! kill -0 "$rpid" 2>/dev/null || ! kill -0 "$fpid" 2>/dev/null ||
			! kill -0 "$WATCH_PID" 2>/dev/null || ((now - T0 > TP_MAX * 1000000)); then
			broke "B $kind: not every client complete (reflector alive: $(kill -0 "$rpid" \
				2>/dev/null && echo yes || echo no), feeder: $(kill -0 "$fpid" 2>/dev/null &&
				echo yes || echo no), $(((now - T0) / 1000000)) s): $(grep '^progress' "$cf" |
				tail -1) ($(grep -c '^done' "$cf") done); feeder: $(tail -2 "$W/h2.feeder.log" |
				tr '\n' ' ')"
			break
		fi
		sleep 0.2
	done
	if grep -q '^all ' "$cf"; then
		mem_kb "$rpid"
		((HWM_KB > peak)) && peak=$HWM_KB
		t_first=$(awk '$1 == "first" && $3 == "rr" { print $2; exit }' "$cf")
		t_last=$(awk '$1 == "done" && $3 != "rr" { t = $2 } END { print t }' "$cf")
		R[B.$kind.time]=$(ms "$t_first" "$t_last")
		R[B.$kind.cl50]=$(awk -v t0="$t_first" '$1 == "done" && $3 != "rr" { print ($2 - t0) / 1000 }' \
			"$cf" | stats | awk '{ print $1 }')
		R[B.$kind.hwm]=$(awk -v k="$peak" 'BEGIN { printf "%.1f", k / 1024 }')
		cpu_ns "$rpid"
		R[B.$kind.cpu]=$(awk -v c="$CPU_NS" 'BEGIN { printf "%.2f", c / 1e9 }')
		c=""
		for ((i = 3; i <= N; i++)); do
			mem_kb "${DPID[i]}"
			c+="$RSS_KB"$'\n'
		done
		R[B.$kind.clrss]=$(grep . <<<"$c" | stats | scale 1024 "%.1f %.1f")
		R[B.$kind.start]=$(ms "$T0" "$t_first")
		R[B.$kind.total]=$(ms "$T0" "$t_last")
		c=$(ip -n "${P}h3" -4 route show proto bird root "$TP_RANGE" | wc -l)
		i=$(ip -n "${P}h1" -4 route show proto bird root "$TP_RANGE" | wc -l)
		note "B $kind: first route in at the reflector -> last client complete:" \
			"${R[B.$kind.time]} ms (median client ${R[B.$kind.cl50]} ms); reflector peak RSS ${R[B.$kind.hwm]} MiB," \
			"CPU ${R[B.$kind.cpu]} s; clients' RSS MiB (median max) ${R[B.$kind.clrss]};" \
			"routes of $TP_RANGE in the kernel of h3: $c, of h1: $i"
		((c == 0 && i == 0)) || broke "B $kind: routes of the VXLAN range in a kernel (h3 $c, h1 $i)"
	fi
	kill -TERM "$fpid" 2>/dev/null
	wait "$fpid" 2>/dev/null
	watch_end
	stop_rr "$kind"
	_TT_PIDS=()
}

# --- the table ------------------------------------------------------------------------

rrow() { printf '%-52s %14s %14s\n' "$@"; }

report_a() {
	local k
	echo
	echo "route reflection (A): N=$N hosts, mesh off, reflectors h1 h2 (cluster $CLUSTER_ID)," \
		"$((2 * (N - 2) + 1)) sessions; kernel $(uname -r), $(nproc) CPUs; tern $VERSION;" \
		"load average before: $LOAD0, now: $(cut -d' ' -f1-3 /proc/loadavg)"
	rrow "" ternd "BIRD 2"
	rrow "all N daemons started (ms)" "${R[A.ternd.started]:--}" "${R[A.bird.started]:--}"
	rrow "start -> first host's FIB complete (ms)" "${R[A.ternd.first]:--}" "${R[A.bird.first]:--}"
	rrow "start -> median host's FIB complete (ms)" "${R[A.ternd.hosts]:--}" "${R[A.bird.hosts]:--}"
	rrow "start -> every FIB complete (ms)" "${R[A.ternd.all]:--}" "${R[A.bird.all]:--}"
	rrow "block added on h$N -> in every FIB, p50 (ms)" "${R[A.ternd.x50]:--}" "${R[A.bird.x50]:--}"
	rrow "block added on h$N -> in every FIB, max (ms)" "${R[A.ternd.xmax]:--}" "${R[A.bird.xmax]:--}"
	rrow "block added: CPU of the step, reflectors h1 h2 (ms)" "$(field A.ternd.xcpu 1) $(field A.ternd.xcpu 2)" \
		"$(field A.bird.xcpu 1) $(field A.bird.xcpu 2)"
	rrow "block added: CPU of the step, owner h$N (ms)" "$(field A.ternd.xcpu 3)" "$(field A.bird.xcpu 3)"
	rrow "block added: CPU of the step, clients median, all (ms)" \
		"$(field A.ternd.xcpu 4) $(field A.ternd.xcpu 5)" "$(field A.bird.xcpu 4) $(field A.bird.xcpu 5)"
	rrow "h1 killed -> every host dropped its paths (ms)" "${R[A.ternd.drop]:--}" "${R[A.bird.drop]:--}"
	for k in "route deletions on h2..h$N after the kill:1" "  hosts with a deletion:6" \
		"route replacements:2" "routes set to a wrong next hop:4" "nexthop object events:5"; do
		rrow "${k%:*}" "$(field "A.ternd.killev" "${k##*:}")" "$(field "A.bird.killev" "${k##*:}")"
	done
	rrow "hosts that deleted h1's own block (expected)" "$(field A.ternd.killev 7)" "$(field A.bird.killev 7)"
	rrow "reflector CPU until every FIB complete (ms) h1 h2" "${R[A.ternd.rrcpu]:--}" "${R[A.bird.rrcpu]:--}"
	rrow "client CPU until complete, median (ms)" "$(field A.ternd.clcpu 1)" "$(field A.bird.clcpu 1)"
	rrow "reflector RSS, max of 2 (MiB)" "$(field A.ternd.rrrss 2)" "$(field A.bird.rrrss 2)"
	rrow "reflector peak RSS (VmHWM), max of 2 (MiB)" "$(field A.ternd.rrhwm 2)" "$(field A.bird.rrhwm 2)"
	rrow "client RSS, median (MiB)" "$(field A.ternd.clrss 1)" "$(field A.bird.clrss 1)"
	rrow "client RSS, max (MiB)" "$(field A.ternd.clrss 2)" "$(field A.bird.clrss 2)"
	rrow "sessions Established: reflectors, clients (min/max)" "${R[A.ternd.sess]:--}" "${R[A.bird.sess]:--}"
	echo "  BIRD 2: Calico's timers (connect delay 2, connect retry 5, error wait 5,30), started" \
		"with '$BIRD_ARGS'. ternd: default timers. Both: graceful restart, restart time 120 s."
	echo
	printf '%-52s %8s   %-7s  %s\n' "ratio (SPEC 6)" value target result
	printf '%-52s %s\n' "tern/BIRD start -> every FIB complete" \
		"$(ratio "${R[A.ternd.all]:--}" "${R[A.bird.all]:--}" 0.5)"
	printf '%-52s %s\n' "tern/BIRD reflector peak RSS" \
		"$(ratio "$(field A.ternd.rrhwm 2)" "$(field A.bird.rrhwm 2)" 0.5)"
	printf '%-52s %s\n' "tern/BIRD block added -> every FIB (max)" \
		"$(ratio "${R[A.ternd.xmax]:--}" "${R[A.bird.xmax]:--}" 0.5)"
	for k in ternd bird; do
		printf '%-52s %8s   %-7s  %s\n' "$k: route deletions on clients after the kill" \
			"$(field "A.$k.killev" 1)" "0" "$(case $(field "A.$k.killev" 1) in
				0) echo PASS ;; -) echo n/a ;; *) echo MISS ;; esac)"
	done
}

report_b() {
	echo
	echo "reflector throughput (B): $TP_PREFIXES /32s from a feeder (bgpadv, add-path) on h2," \
		"reflected by h1 to $TP_CLIENTS clients ($TP_CLIENT_KIND, nothing in the kernel: a" \
		"VXLAN pool); tern $VERSION; load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
	rrow "reflector:" ternd "BIRD 2"
	rrow "feeder started -> first route in at the reflector (ms)" "${R[B.ternd.start]:--}" "${R[B.bird.start]:--}"
	rrow "first route in -> median client complete (ms)" "${R[B.ternd.cl50]:--}" "${R[B.bird.cl50]:--}"
	rrow "first route in -> last client complete (ms)" "${R[B.ternd.time]:--}" "${R[B.bird.time]:--}"
	rrow "feeder started -> last client complete (ms)" "${R[B.ternd.total]:--}" "${R[B.bird.total]:--}"
	rrow "reflector peak RSS (MiB)" "${R[B.ternd.hwm]:--}" "${R[B.bird.hwm]:--}"
	rrow "reflector CPU (s)" "${R[B.ternd.cpu]:--}" "${R[B.bird.cpu]:--}"
	rrow "client RSS median / max (MiB)" "$(field B.ternd.clrss 1)/$(field B.ternd.clrss 2)" \
		"$(field B.bird.clrss 1)/$(field B.bird.clrss 2)"
	echo "  counts: each client session's imported routes (show protocols all), polled every" \
		"100 ms; the reflector's only until its first route (so \"first route in\" is" \
		"known to 100 ms: with few prefixes read the feeder-started row)."
	echo
	printf '%-52s %8s   %-7s  %s\n' "ratio (SPEC 6)" value target result
	printf '%-52s %s\n' "tern/BIRD first route in -> last client complete" \
		"$(ratio "${R[B.ternd.time]:--}" "${R[B.bird.time]:--}" 0.5)"
	printf '%-52s %s\n' "tern/BIRD reflector peak RSS" \
		"$(ratio "${R[B.ternd.hwm]:--}" "${R[B.bird.hwm]:--}" 0.5)"
}

# --- main -----------------------------------------------------------------------------

rr_main() {
	local need k
	bench_check rrwatch
	if [[ $MODE != reflect && ! -x $BGPADV ]]; then
		echo "bgpadv not built: $BGPADV (meson compile -C build)" >&2
		exit 1
	fi
	for k in MAX_S KILL_MAX TP_MAX TP_CLIENTS TP_PREFIXES; do
		[[ ${!k} =~ ^[0-9]+$ ]] || { echo "$k: a number" >&2; exit 2; }
	done
	[[ $TP_CLIENT_KIND == ternd || $TP_CLIENT_KIND == bird ]] ||
		{ echo "BENCH_RR_CLIENT_KIND: ternd or bird" >&2; exit 2; }
	need=$((NA + 64))
	if (($(ulimit -n) < need)); then
		ulimit -n "$need" 2>/dev/null ||
			{ echo "ulimit -n $(ulimit -n) < $need and cannot be raised" >&2; exit 1; }
	fi
	CLK_TCK=$(getconf CLK_TCK)
	bench_start "tr$$" rr
	note "mode $MODE, prefix $P, work dir $W"
	cc -O2 -Wall -o "$W/rrwatch" "$BENCH_DIR/rrwatch.c" || fail "cannot build rrwatch"
	cc -O2 -Wall -o "$W/nslaunch" "$BENCH_DIR/nslaunch.c" || fail "cannot build nslaunch"
	if [[ $MODE != throughput ]]; then
		SCEN=A
		N=$NA
		RRS=(1 2)
		XOWNER=$NA
		note "A: creating $N hosts"
		rr_hosts "$N"
		rr_neighbours "$N"
		rr_configs "$N"
		[[ $SKIP == *" ternd "* ]] || phase_a ternd
		[[ $SKIP == *" bird "* ]] || phase_a bird
		report_a
	fi
	if [[ $MODE != reflect ]]; then
		if [[ $MODE == both ]]; then      # B on its own hosts
			_tt_stop_procs
			for ((k = ${#_TT_NS[@]} - 1; k >= 0; k--)); do
				ip netns del "${_TT_NS[k]}" 2>/dev/null
			done
			_TT_NS=() _TT_PIDS=()
		fi
		cp "$BGPADV" "$W/bgpadv" || fail "cannot copy bgpadv"
		BGPADV=$W/bgpadv
		SCEN=B
		N=$((TP_CLIENTS + 2))
		RRS=(1)
		XOWNER=0
		note "B: creating $N hosts"
		rr_hosts "$N"
		rr_neighbours "$N"
		rr_configs "$N"
		[[ $SKIP == *" ternd "* ]] || phase_b ternd
		[[ $SKIP == *" bird "* ]] || phase_b bird
		[[ $MODE == both ]] && report_a
		report_b
	fi
	if ((${#BROKEN[@]} > 0)); then
		echo "BROKEN:"
		printf '  %s\n' "${BROKEN[@]}"
	fi
	((${#BROKEN[@]} == 0))
}

# one line: bash has read it whole before it runs (an edit of this file during a run
# cannot make it read on at a shifted offset)
rr_main "$@"; exit
