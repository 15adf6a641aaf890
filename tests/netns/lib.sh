# shellcheck shell=bash
# tests/netns/lib.sh: helpers for the netns integration tests (SPEC 7, STYLE 5.10).
#
# Sourced by run.sh. A scenario is a bash function registered with `scenario NAME`;
# run.sh runs each one in its own bash process (a subshell with its own hosts, work
# directory and cleanup trap) and counts it as passed (exit 0), skipped (exit 77) or
# failed (anything else).
#
# Topology (SPEC 7): hosts are network namespaces ${P}h1..${P}hN; a bridge br0 lives in
# its own namespace ${P}sw; host i has eth0 = 198.18.0.i/24, whose veth peer pI is a
# port of br0. Nothing here touches the root namespace's links, addresses or routes:
# every `ip` command runs with -n NS or under `ip netns exec NS`, and veths are created
# inside ${P}sw with their other end moved straight into the host namespace.
#
# Helpers for scenarios:
#   netns_hosts N                  create ${P}sw and hosts h1..hN
#   host_ip h2 / host_block h2     198.18.0.2 / 10.244.2.0/26
#   mesh_name h2                   Mesh_198_18_0_2 (the Calico session name for h2)
#   hexec h1 CMD...                run CMD in h1's namespace
#   cluster_file FILE HOST...      write (atomically) a file-datastore cluster with HOSTs
#   ternd_conf h1 CLUSTERFILE      write $W/h1.yaml for ternd, print its path
#   start_ternd h1 CONF            start ternd in h1 (stderr -> $W/h1.ternd.log)
#   stop_ternd h1 [SIGNAL]         signal it (TERM) and wait for it to exit
#   bird_conf h1 PEERHOST...       (bird.sh) write $W/h1.bird.conf, print its path
#   start_bird h1 CONF / birdc_q h1 ARGS...
#   wait_for TIMEOUT CMD...        poll CMD every 0.1 s; 0 ok, 1 timeout, 2 a daemon died
#   expect TIMEOUT DESC CMD...     wait_for, or fail with DESC and the logs
#   wait_log / wait_log_re / wait_log_count / assert_no_log_re / log_count
#   wait_route / assert_no_route / wait_bird_established / bird_show_has / tcp_bgp
#   assert_running HOST... / unwatch HOST (its daemon may exit from now on)
#   note MSG / fail MSG / skip MSG / require_cmd CMD... / require_ternd
#   (with TT_STRICT=1, as tests/run sets it, skip and require_cmd fail instead)

export LC_ALL=C   # byte-wise string comparison (Calico's passive rule) and plain grep

TT_NETNS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TT_TOPDIR=$(cd "$TT_NETNS_DIR/../.." && pwd)
TERND=${TERND:-$TT_TOPDIR/build/ternd}
TT_AS=${TT_AS:-64512}
TT_POOL=${TT_POOL:-10.244.0.0/16}
TT_SCENARIOS=()                  # registered scenario names, in order
declare -A TT_SCENARIO_FILE=()   # name -> t_*.sh stem that registered it

# Per-scenario state (set in the scenario's own process by _tt_run_one).
P=""                             # namespace prefix, unique per run and scenario
W=""                             # work directory: configs, logs, sockets
_TT_NS=()                        # namespaces created, in order
_TT_PIDS=()                      # every process started
declare -A _TT_WATCH=()          # pid -> "ternd h1": must stay alive while watched
declare -A _TT_TERND=()          # host -> ternd pid
declare -A _TT_BIRD=()           # host -> bird pid
_TT_CLEANED=0

# --- messages ---------------------------------------------------------------------

note() { printf '  [%s] %s\n' "$(date +%H:%M:%S.%N | cut -c1-12)" "$*"; }

# fail MSG: print MSG with the logs and state of every host, then end the scenario.
fail() {
	printf '  FAIL: %s\n' "$*"
	_tt_dump
	exit 1
}

# TT_STRICT (tests/run exports TT_STRICT=1, having installed every tool): a
# scenario that would skip fails instead, so the suite cannot go green by not
# running. Unset or 0 (a scenario run by hand), a skip stays a skip.
_tt_strict() {
	[[ -n ${TT_STRICT:-} && $TT_STRICT != 0 ]]
}

# skip MSG: end the scenario as skipped (failed under TT_STRICT).
skip() {
	if _tt_strict; then
		printf '  FAIL: %s (TT_STRICT: a skip is a failure)\n' "$*"
		exit 1
	fi
	printf '  SKIP: %s\n' "$*"
	exit 77
}

die() {
	printf 'netns: %s\n' "$*" >&2
	exit 1
}

# require_root: exit 77 unless we are root and can create a network namespace
# (exit 1 under TT_STRICT).
require_root() {
	local probe="ttprobe$$"
	if [[ $(id -u) != 0 ]] || ! command -v ip >/dev/null 2>&1 ||
		! ip netns add "$probe" 2>/dev/null; then
		if _tt_strict; then
			echo "FAIL: needs root and ip netns (TT_STRICT: a skip is a failure)"
			exit 1
		fi
		echo "SKIP: needs root and ip netns"
		exit 77
	fi
	ip netns del "$probe"
}

# require_cmd CMD...: skip the scenario when a command is missing (fail under
# TT_STRICT: tests/run installed it, so its absence is a broken setup).
require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "$c not installed"
	done
}

# require_ternd: a missing binary is a failure, not a skip: CI must not go green
# without the daemon.
require_ternd() {
	if [[ ! -x $TERND ]]; then
		printf '  FAIL: ternd not built: %s (meson compile -C build)\n' "$TERND"
		exit 1
	fi
}

# --- scenario registry ------------------------------------------------------------

# scenario NAME: register the function NAME (called at the top level of t_*.sh).
scenario() {
	local name=$1 file
	declare -F "$name" >/dev/null || die "scenario $name: no such function"
	[[ -z ${TT_SCENARIO_FILE[$name]:-} ]] || die "scenario $name registered twice"
	file=$(basename "${BASH_SOURCE[1]}" .sh)
	TT_SCENARIOS+=("$name")
	TT_SCENARIO_FILE[$name]=$file
}

# --- hosts ------------------------------------------------------------------------

host_num() {
	local h=$1
	[[ $h =~ ^h([0-9]+)$ ]] || die "bad host name '$h' (want h1, h2, ...)"
	echo "${BASH_REMATCH[1]}"
}
host_ip() { echo "198.18.0.$(host_num "$1")"; }
host_block() { echo "10.244.$(host_num "$1").0/26"; }
host_ns() { echo "${P}$1"; }
# mesh_name HOST|IP: the Calico protocol name for a mesh session to that node.
mesh_name() {
	local ip=$1
	[[ $ip == h* ]] && ip=$(host_ip "$ip")
	echo "Mesh_${ip//[.:]/_}"
}

_tt_record_ns() {
	_TT_NS+=("$1")
	[[ -n ${TT_RUNDIR:-} ]] && echo "$1" >>"$TT_RUNDIR/$TT_NAME.ns"
	return 0
}

# proc_start PID: the process's start time (clock ticks since boot), which stays the
# same across exec and tells a reused pid apart.
proc_start() {
	local st fld
	st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	read -r -a fld <<<"${st##*) }" # fld[0] is field 3 (state); starttime is field 22
	echo "${fld[19]}"
}

_tt_record_pid() {
	local pid=$1 start
	_TT_PIDS+=("$pid")
	start=$(proc_start "$pid") || start=gone
	[[ -n ${TT_RUNDIR:-} ]] && echo "$pid $start" >>"$TT_RUNDIR/$TT_NAME.pids"
	return 0
}

_tt_switch() {
	local sw="${P}sw"
	[[ " ${_TT_NS[*]} " == *" $sw "* ]] && return 0
	ip netns add "$sw" || die "ip netns add $sw failed"
	_tt_record_ns "$sw"
	if ! { ip -n "$sw" link set lo up &&
		ip -n "$sw" link add br0 type bridge &&
		ip -n "$sw" link set br0 up; }; then
		die "cannot set up the bridge in $sw"
	fi
}

# netns_add_host hI: create host namespace hI with eth0 = 198.18.0.I/24 on the bridge.
netns_add_host() {
	local h=$1 i ns sw="${P}sw"
	i=$(host_num "$h")
	ns=$(host_ns "$h")
	_tt_switch
	ip netns add "$ns" || die "ip netns add $ns failed"
	_tt_record_ns "$ns"
	if ! { ip -n "$sw" link add "p$i" type veth peer name eth0 netns "$ns" &&
		ip -n "$sw" link set "p$i" master br0 &&
		ip -n "$sw" link set "p$i" up &&
		ip -n "$ns" link set lo up &&
		ip -n "$ns" addr add "198.18.0.$i/24" dev eth0 &&
		ip -n "$ns" link set eth0 up; }; then
		die "cannot wire host $h ($ns)"
	fi
}

# netns_hosts N: the switch and hosts h1..hN.
netns_hosts() {
	local i
	for ((i = 1; i <= $1; i++)); do
		netns_add_host "h$i"
	done
}

# hexec HOST CMD...: run CMD inside HOST's namespace.
hexec() {
	local h=$1
	shift
	ip netns exec "$(host_ns "$h")" "$@"
}

# --- processes --------------------------------------------------------------------

# _tt_dead: when a watched process is gone, set TT_DEAD to "what (pid N) exited with
# status S" and return 0; return 1 while all of them run.
_tt_dead() {
	local pid st
	for pid in "${!_TT_WATCH[@]}"; do
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid" 2>/dev/null
			st=$?
			TT_DEAD="${_TT_WATCH[$pid]} (pid $pid) exited unexpectedly with status $st"
			unset "_TT_WATCH[$pid]"
			return 0
		fi
	done
	return 1
}

# unwatch HOST: HOST's daemons may exit from now on without failing the wait helpers.
unwatch() {
	local pid
	for pid in "${_TT_TERND[$1]:-}" "${_TT_BIRD[$1]:-}"; do
		[[ -n $pid ]] && unset "_TT_WATCH[$pid]"
	done
	return 0
}

# start_ternd HOST CONF [ARGS...]: run ternd -c CONF -d in HOST's namespace in the
# background, stderr and stdout appended to $W/HOST.ternd.log.
start_ternd() {
	local h=$1 conf=$2 pid
	shift 2
	require_ternd
	[[ -z ${_TT_TERND[$h]:-} ]] || fail "ternd already running on $h"
	echo "=== $(date +%T.%N) start: $TERND -c $conf -d $*" >>"$W/$h.ternd.log"
	ip netns exec "$(host_ns "$h")" "$TERND" -c "$conf" -d "$@" \
		</dev/null >>"$W/$h.ternd.log" 2>&1 &
	pid=$!
	_tt_record_pid "$pid"
	_TT_TERND[$h]=$pid
	_TT_WATCH[$pid]="ternd on $h"
	note "ternd on $h: pid $pid, log $W/$h.ternd.log"
}

ternd_pid() { echo "${_TT_TERND[$1]:-}"; }

# stop_ternd HOST [SIGNAL]: send SIGNAL (TERM) and wait up to 10 s for ternd to exit.
# Prints nothing; returns ternd's exit status.
stop_ternd() {
	local h=$1 sig=${2:-TERM} pid i
	pid=${_TT_TERND[$h]:-}
	[[ -n $pid ]] || fail "stop_ternd: no ternd on $h"
	unset "_TT_WATCH[$pid]"
	kill -s "$sig" "$pid" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && fail "ternd on $h (pid $pid) still running 10 s after SIG$sig"
	unset "_TT_TERND[$h]"
	wait "$pid" 2>/dev/null
}

# start_bird HOST CONF [ARGS...]: check CONF with `bird -p`, then run bird 2 in the
# foreground in HOST's namespace (socket $W/HOST.bird.ctl, log $W/HOST.bird.log),
# with ARGS added (-R: graceful restart recovery, as calico/node starts it).
start_bird() {
	local h=$1 conf=$2 pid out
	shift 2
	require_cmd bird birdc
	[[ -z ${_TT_BIRD[$h]:-} ]] || fail "bird already running on $h"
	out=$(bird -p -c "$conf" 2>&1) || fail "bird -p rejects $conf: $out"
	ip netns exec "$(host_ns "$h")" bird -f -c "$conf" -s "$W/$h.bird.ctl" \
		-P "$W/$h.bird.pid" "$@" </dev/null >>"$W/$h.bird.log" 2>&1 &
	pid=$!
	_tt_record_pid "$pid"
	_TT_BIRD[$h]=$pid
	_TT_WATCH[$pid]="bird on $h"
	note "bird on $h: pid $pid, log $W/$h.bird.log"
	expect 10 "bird control socket on $h" test -S "$W/$h.bird.ctl"
}

# birdc_q HOST ARGS...: birdc against HOST's bird (bounded: 10 s).
birdc_q() {
	local h=$1
	shift
	timeout 10 birdc -s "$W/$h.bird.ctl" "$@"
}

# --- waiting and asserting --------------------------------------------------------

_tt_now_us() { echo "${EPOCHREALTIME/./}"; }

# wait_for TIMEOUT CMD...: run CMD every 0.1 s until it succeeds (0), TIMEOUT seconds
# pass (1), or a watched daemon dies (2; the reason is in $TT_DEAD).
wait_for() {
	local t=$1 deadline
	shift
	((t > 0 && t <= 120)) || die "wait_for: timeout $t out of range"
	deadline=$(($(_tt_now_us) + t * 1000000))
	TT_DEAD=""
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		if _tt_dead; then
			"$@" >/dev/null 2>&1 && return 0   # it may have done it, then died
			return 2
		fi
		(($(_tt_now_us) >= deadline)) && return 1
		sleep 0.1
	done
}

# expect TIMEOUT DESC CMD...: wait_for CMD, or fail saying what was awaited.
expect() {
	local t=$1 desc=$2 rc start ms
	shift 2
	start=$(_tt_now_us)
	wait_for "$t" "$@"
	rc=$?
	ms=$((($(_tt_now_us) - start) / 1000))
	case $rc in
	0) note "ok: $desc (${ms} ms)" ;;
	2) fail "$TT_DEAD, while waiting for: $desc" ;;
	*) fail "timed out after $t s waiting for: $desc" ;;
	esac
}

ternd_log() { echo "$W/$1.ternd.log"; }
bird_log() { echo "$W/$1.bird.log"; }

log_has() { grep -qF -- "$2" "$(ternd_log "$1")" 2>/dev/null; }
log_has_re() { grep -qE -- "$2" "$(ternd_log "$1")" 2>/dev/null; }
# log_count HOST ERE: number of lines of HOST's ternd log matching ERE.
log_count() {
	local n
	n=$(grep -cE -- "$2" "$(ternd_log "$1")" 2>/dev/null) || true
	echo "${n:-0}"
}
_tt_log_count_ge() { (($(log_count "$1" "$2") >= $3)); }

# wait_log TIMEOUT HOST STRING: HOST's ternd log gets a line containing STRING.
wait_log() { expect "$1" "$2 logs '$3'" log_has "$2" "$3"; }
# wait_log_re TIMEOUT HOST ERE: the same with an extended regular expression.
wait_log_re() { expect "$1" "$2 logs /$3/" log_has_re "$2" "$3"; }
# wait_log_count TIMEOUT HOST ERE N: at least N lines match.
wait_log_count() { expect "$1" "$2 logs /$3/ at least $4 times" _tt_log_count_ge "$2" "$3" "$4"; }

assert_no_log_re() {
	local line
	if line=$(grep -m1 -E -- "$2" "$(ternd_log "$1")" 2>/dev/null); then
		fail "$1 logged /$2/: $line"
	fi
	note "ok: $1 did not log /$2/"
}

# route_has HOST ERE: a line of `ip route` (main table) in HOST matches ERE.
route_has() { hexec "$1" ip -4 route show | grep -E -- "$2" >/dev/null; }
wait_route() { expect "$1" "$2's table has /$3/" route_has "$2" "$3"; }
assert_no_route() {
	route_has "$1" "$2" && fail "$1's table has /$2/: $(hexec "$1" ip -4 route show | grep -E -- "$2")"
	note "ok: $1's table has no /$2/"
}

# bird_established HOST PROTO: `birdc show protocols PROTO` says Established.
bird_established() { birdc_q "$1" show protocols "$2" | grep -w Established >/dev/null; }
wait_bird_established() {
	expect "$1" "bird on $2: $3 Established" bird_established "$2" "$3"
}
# bird_show_has HOST STRING ARGS...: `birdc ARGS` output contains STRING.
bird_show_has() {
	local h=$1 s=$2
	shift 2
	birdc_q "$h" "$@" | grep -F -- "$s" >/dev/null
}

# tcp_bgp HOST: HOST's established TCP connections to or from port 179, one
# "LOCAL PEER" line each (e.g. "198.18.0.1:179 198.18.0.2:42489").
tcp_bgp() {
	hexec "$1" ss -Htn state established '( sport = :179 or dport = :179 )' |
		awk '{ print $(NF-1), $NF }'
}

# assert_running HOST...: ternd on each HOST is still the process we started.
assert_running() {
	local h pid
	for h in "$@"; do
		pid=${_TT_TERND[$h]:-}
		[[ -n $pid ]] || fail "no ternd was started on $h"
		kill -0 "$pid" 2>/dev/null || fail "ternd on $h (pid $pid) is not running"
	done
	note "ok: ternd running on $*"
}

# assert_idle SECS HOST...: with nothing happening, each ternd used less than
# 100 ms of CPU over SECS seconds (schedstat; every thread). Not a timing check: a
# quiet daemon uses ~0 here, a loop through its event loop (a write event armed
# with nothing to write) uses all of SECS.
assert_idle() {
	local secs=$1 h pid a b used
	shift
	declare -A _t0=()
	for h in "$@"; do
		pid=$(ternd_pid "$h")
		[[ -n $pid ]] || fail "no ternd was started on $h"
		_t0[$h]=$(_tt_cpu_ns "$pid")
	done
	sleep "$secs"
	for h in "$@"; do
		pid=$(ternd_pid "$h")
		a=${_t0[$h]}
		b=$(_tt_cpu_ns "$pid")
		used=$(((b - a) / 1000000))
		((used < 100)) || fail "ternd on $h used $used ms of CPU in $secs s with nothing to do"
		note "ok: ternd on $h idle: $used ms of CPU in $secs s"
	done
}

# _tt_cpu_ns PID: the CPU time of every thread of PID, in ns.
_tt_cpu_ns() {
	local f t n=0
	for f in /proc/"$1"/task/*/schedstat; do
		read -r t _ <"$f" 2>/dev/null || continue
		n=$((n + t))
	done
	echo "$n"
}

# --- file datastore and ternd config ----------------------------------------------

# cluster_file FILE HOST...: write the cluster (SPEC 2, file datastore) with one node
# per HOST (block 10.244.I.0/26), via a temporary file and rename, so a watcher never
# reads half a file.
cluster_file() {
	local f=$1 h
	shift
	{
		echo "as: $TT_AS"
		echo "node_mesh: true"
		echo "pools:"
		echo "  - cidr: $TT_POOL"
		echo "    ipip: never"
		if (($# == 0)); then
			echo "nodes: []"
		else
			echo "nodes:"
			for h in "$@"; do
				echo "  - name: $h"
				echo "    ipv4: $(host_ip "$h")"
				echo "    blocks: [$(host_block "$h")]"
			done
		fi
		echo "peers: []"
	} >"$f.tmp.$$" || fail "cannot write $f.tmp.$$"
	mv -f "$f.tmp.$$" "$f" || fail "cannot rename $f.tmp.$$ to $f"
}

# ternd_conf HOST CLUSTERFILE: write $W/HOST.yaml and print its path.
ternd_conf() {
	local h=$1 f="$W/$1.yaml"
	cat >"$f" <<EOF
node:
  name: $h
datastore:
  type: file
  path: $2
bgp:
  connect_retry_time: 1
  hold_time: 9
  keepalive_time: 3
control:
  socket: $W/$h.ctl
log:
  level: debug
EOF
	echo "$f"
}

# ternd_est_line PEERHOST: the line ternd logs when the session to PEERHOST is up.
ternd_est_line() {
	local ip
	ip=$(host_ip "$1")
	echo "neighbor $ip AS$TT_AS ($(mesh_name "$ip")): state OpenConfirm -> Established"
}

# ternd_route_add_line PEERHOST: the debug line for PEERHOST's block being learned.
ternd_route_add_line() {
	local ip
	ip=$(host_ip "$1")
	echo "route add $(host_block "$1") via $ip ($(mesh_name "$ip"))"
}

# str_gt A B: A > B compared byte-wise as strings (Calico's passive rule).
str_gt() { [[ $1 > $2 ]]; }

# --- dump and cleanup -------------------------------------------------------------

_tt_dump() {
	local h ns
	[[ -n $W && -d $W ]] || return 0
	echo "  ----- state and logs ($W) -----"
	for ns in "${_TT_NS[@]}"; do
		[[ $ns == "${P}sw" ]] && continue
		h=${ns#"$P"}
		echo "  --- $h: ip route; ss"
		ip -n "$ns" -4 route show 2>&1 | sed 's/^/    /'
		ip netns exec "$ns" ss -tan 2>&1 | sed 's/^/    /'
		if [[ -S $W/$h.bird.ctl ]]; then
			echo "  --- $h: birdc show protocols all"
			timeout 5 birdc -s "$W/$h.bird.ctl" show protocols all 2>&1 | sed 's/^/    /'
		fi
		if [[ -S $W/$h.frr/bgpd.vty ]]; then
			echo "  --- $h: vtysh show bgp summary; show bgp ipv4 unicast"
			timeout 5 vtysh --vty_socket "$W/$h.frr" -c "show bgp summary" \
				-c "show bgp ipv4 unicast" 2>&1 | sed 's/^/    /'
		fi
	done
	tail_files 150 "$W"/*.log
	echo "  ----- end of logs -----"
}

# tail_files N FILE...: the last N lines of each FILE that exists, indented, under a
# "--- NAME (last N lines)" header (the failure dumps).
tail_files() {
	local n=$1 f
	shift
	for f in "$@"; do
		[[ -f $f ]] || continue
		echo "  --- $(basename "$f") (last $n lines)"
		tail -n "$n" "$f" | sed 's/^/    /'
	done
}

# _tt_cleanup: stop every process we started, anything else left in our namespaces,
# and delete the namespaces. Runs once, on any exit of the scenario process.
# term_wait TENTHS PID...: SIGTERM the PIDs, wait up to TENTHS x 0.1 s for all of
# them to exit, then SIGKILL whatever is left (the caller reaps them).
term_wait() {
	local tenths=$1 pid i alive
	shift
	for pid in "$@"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for ((i = 0; i < tenths; i++)); do
		alive=0
		for pid in "$@"; do
			kill -0 "$pid" 2>/dev/null && alive=1
		done
		((alive)) || break
		sleep 0.1
	done
	for pid in "$@"; do
		kill -KILL "$pid" 2>/dev/null
	done
	return 0
}

# _tt_stop_procs: TERM (then KILL) every process the scenario started, and wait.
_tt_stop_procs() {
	local pid ns pids
	_TT_WATCH=()
	term_wait 30 "${_TT_PIDS[@]}"
	for ns in "${_TT_NS[@]}"; do
		pids=$(ip netns pids "$ns" 2>/dev/null)
		# shellcheck disable=SC2086 # a list of pids
		[[ -n $pids ]] && kill -KILL $pids 2>/dev/null
	done
	for pid in "${_TT_PIDS[@]}"; do
		wait "$pid" 2>/dev/null
	done
	return 0
}

# _tt_sanitizer_reports: true (and prints them) when a ternd built with ASan or
# UBSan reported an error or a leak; ternd reports leaks when it exits, so call
# this after _tt_stop_procs.
_tt_sanitizer_reports() {
	local f found=1
	[[ -n $W && -d $W ]] || return 1
	for f in "$W"/*.ternd.log; do
		[[ -f $f ]] || continue
		if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$f"; then
			echo "  FAIL: sanitizer report in $f:"
			grep -E -A25 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$f" |
				head -60 | sed 's/^/    /'
			found=0
		fi
	done
	return $found
}

_tt_cleanup() {
	local i
	((_TT_CLEANED)) && return 0
	_TT_CLEANED=1
	_tt_stop_procs
	for ((i = ${#_TT_NS[@]} - 1; i >= 0; i--)); do
		ip netns del "${_TT_NS[i]}" 2>/dev/null ||
			echo "  cleanup: ip netns del ${_TT_NS[i]} failed" >&2
	done
	if [[ -n $W && -d $W ]]; then
		if [[ -n ${TT_KEEP_LOGS:-} ]]; then
			rm -rf "${TT_KEEP_LOGS:?}" && mkdir -p "$(dirname "$TT_KEEP_LOGS")" &&
				cp -r "$W" "$TT_KEEP_LOGS" 2>/dev/null
		fi
		rm -rf "$W"
	fi
	return 0
}

# _tt_on_exit: the EXIT trap of a scenario process: keep the logs of a failed
# scenario in tests/netns/out/NAME, then clean up.
_tt_on_exit() {
	local rc=$?
	_tt_stop_procs
	if ((rc == 0)) && _tt_sanitizer_reports; then
		rc=1
	fi
	if ((rc != 0 && rc != 77)) && [[ -n $W && -d $W ]]; then
		TT_KEEP_LOGS="$TT_NETNS_DIR/out/$TT_NAME"
		echo "  logs kept in $TT_KEEP_LOGS"
	fi
	_tt_cleanup
	exit "$rc"
}

# _tt_run_one NAME: run scenario NAME in this process (run.sh --scenario NAME). The
# scenario ends by returning (pass), fail (exit 1) or skip (exit 77).
_tt_run_one() {
	TT_NAME=$1
	P="tt${TT_RUN:-$$}s${TT_IDX:-0}"
	W=$(mktemp -d "${TMPDIR:-/tmp}/tern-netns.XXXXXX") || die "mktemp failed"
	TT_KEEP_LOGS=""
	trap '_tt_on_exit' EXIT
	trap 'echo "  interrupted"; exit 130' INT
	trap 'echo "  terminated (scenario timeout or interrupt)"; _tt_dump; exit 143' TERM
	note "prefix $P, work dir $W"
	"$TT_NAME"
	exit 0
}
