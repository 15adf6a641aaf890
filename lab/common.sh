# shellcheck shell=bash
# lab/common.sh: settings, names, messages, bounded waiting and the bookkeeping of
# the processes the lab starts. Sourced by lab/lab.
#
# Everything the lab creates is named from two settings, so a second lab (the
# test suite's) can run next to a user's:
#   LAB_PREFIX (default lab-)          namespaces ${LAB_PREFIX}sw, h1..h3, c1..c3
#                                      (h1..h4, c1..c4 with --rr)
#   LAB_DIR (default /run/tern-lab)    state: lab.env, pids, configs, logs, etcd data

LAB_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LAB_PREFIX=${LAB_PREFIX-lab-}
LAB_DIR=${LAB_DIR:-/run/tern-lab}
TERND=${TERND:-$LAB_TOP/build/ternd}
TERNCTL=${TERNCTL:-$LAB_TOP/build/ternctl}
LAB_HOSTS=(h1 h2 h3)
# shellcheck disable=SC2034 # used by calico.sh and lab
LAB_ETCD_HOSTS=(h1 h2 h3)  # one etcd member on each
# --rr (LAB_RR=1): a fourth host, the mesh off, h1 and h2 route reflectors of
# one cluster (set by lab_rr_apply)
LAB_RR=${LAB_RR:-}
LAB_REFLECTORS=()
# shellcheck disable=SC2034 # used by calico.sh and lab
LAB_RR_CLUSTER=224.0.0.1
# shellcheck disable=SC2034 # used by net.sh and calico.sh
LAB_AS=64512
# shellcheck disable=SC2034
LAB_POOL=10.244.0.0/16
# shellcheck disable=SC2034
LAB_GW=198.18.0.254         # the underlay's router (on the bridge, in the switch)
LAB_BLOCK_ORD=1             # the container's address: ordinal 1 of its host's block

# lab_rr_apply: with LAB_RR set, the route reflector lab's hosts and reflectors.
lab_rr_apply() {
	[[ -n $LAB_RR && $LAB_RR != 0 ]] || {
		LAB_RR=""
		return 0
	}
	LAB_RR=1
	LAB_HOSTS=(h1 h2 h3 h4)
	LAB_REFLECTORS=(h1 h2)
}
lab_rr_apply
# is_reflector HOST: HOST is one of the reflectors (--rr).
is_reflector() { [[ " ${LAB_REFLECTORS[*]} " == *" $1 "* ]]; }

# --- messages ---------------------------------------------------------------------

say() { printf '%s\n' "$*"; }
step() { printf '\n=== %s\n' "$*"; }
warn() { printf 'lab: %s\n' "$*" >&2; }
# die MSG: print MSG and exit 1 (lab up's EXIT trap then shows the logs and
# removes what it brought up).
die() {
	printf 'lab: error: %s\n' "$*" >&2
	exit 1
}

# --- names ------------------------------------------------------------------------

host_num() { echo "${1#[hc]}"; }
host_ns() { echo "${LAB_PREFIX}$1"; }
host_ip() { echo "198.18.0.$(host_num "$1")"; }
host_block() { echo "10.244.$(host_num "$1").0/26"; }
# the container of host hN: cN, in namespace ${LAB_PREFIX}cN
ctr_of() { echo "c$(host_num "$1")"; }
ctr_ns() { echo "${LAB_PREFIX}$(ctr_of "$1")"; }
ctr_ip() { echo "10.244.$(host_num "$1").$LAB_BLOCK_ORD"; }
# ctr_veth HOST: the host end of the container's veth. Calico names it "cali" and
# the first 11 hex digits of a SHA-1 of the workload's id; the workload here is
# the container's namespace (so two labs with different prefixes differ).
ctr_veth() {
	local h
	h=$(printf '%s' "$(ctr_ns "$1")" | sha1sum)
	echo "cali${h:0:11}"
}
sw_ns() { echo "${LAB_PREFIX}sw"; }
# every namespace of the lab, containers first (the order of teardown)
lab_namespaces() {
	local h
	for h in "${LAB_HOSTS[@]}"; do ctr_ns "$h"; done
	for h in "${LAB_HOSTS[@]}"; do host_ns "$h"; done
	sw_ns
}

ctl_sock() { echo "$LAB_DIR/$1.ctl"; }
ternd_conf() { echo "$LAB_DIR/$1.yaml"; }
ternd_log() { echo "$LAB_DIR/$1.ternd.log"; }
etcd_log() { echo "$LAB_DIR/etcd-$1.log"; }
# daemon_log NAME: the log of ternd-hN or etcd-hN.
daemon_log() {
	case $1 in
	ternd-*) ternd_log "${1#ternd-}" ;;
	*) echo "$LAB_DIR/$1.log" ;;
	esac
}

# nsexec NAMESPACE CMD... / hexec HOST CMD...: run CMD in a lab namespace.
nsexec() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}
hexec() {
	local h=$1
	shift
	nsexec "$(host_ns "$h")" "$@"
}

# ns_sysctl NAMESPACE KEY VALUE: write /proc/sys/KEY (e.g. net/ipv4/ip_forward)
# inside NAMESPACE (no sysctl(8) needed; /proc/sys/net is per namespace).
ns_sysctl() {
	# shellcheck disable=SC2016 # expanded by sh
	nsexec "$1" sh -c 'echo "$2" >"/proc/sys/$1"' sh "$2" "$3" ||
		die "cannot set $2=$3 in $1"
}

# --- the state directory ----------------------------------------------------------

# check_settings: refuse a prefix or directory that would make teardown dangerous.
check_settings() {
	[[ $LAB_PREFIX =~ ^[A-Za-z0-9_.-]{1,24}$ ]] ||
		die "LAB_PREFIX '$LAB_PREFIX': use 1 to 24 of A-Z a-z 0-9 _ . -"
	[[ $LAB_DIR == /* ]] || die "LAB_DIR '$LAB_DIR' must be an absolute path"
	[[ $LAB_DIR != *[[:space:]]* && /$LAB_DIR/ != */../* && /$LAB_DIR/ != */./* ]] ||
		die "LAB_DIR '$LAB_DIR': no white space, . or .. please"
	while [[ $LAB_DIR == */ ]]; do LAB_DIR=${LAB_DIR%/}; done
	case $LAB_DIR in
	"" | /bin | /boot | /dev | /etc | /home | /lib* | /opt | /proc | /root | /run | /sbin | \
		/srv | /sys | /tmp | /usr | /usr/* | /var | /var/lib | /var/tmp)
		die "LAB_DIR '$LAB_DIR' is a system directory" ;;
	esac
}

# state_load: read lab.env of an existing lab (its prefix and datastore win over
# the environment, so `lab down` removes what `lab up` made). 1: no lab there.
state_load() {
	local k v
	[[ -f $LAB_DIR/lab.env ]] || return 1
	while IFS='=' read -r k v; do
		case $k in
		LAB_PREFIX) LAB_PREFIX=$v ;;
		LAB_DATASTORE) LAB_DATASTORE=$v ;;
		LAB_RR) LAB_RR=$v ;;
		TERNCTL) TERNCTL=$v ;;
		esac
	done <"$LAB_DIR/lab.env"
	lab_rr_apply
	return 0
}

state_save() {
	{
		echo "LAB_PREFIX=$LAB_PREFIX"
		echo "LAB_DATASTORE=$LAB_DATASTORE"
		echo "LAB_RR=$LAB_RR"
		echo "TERND=$TERND"
		echo "TERNCTL=$TERNCTL"
		echo "STARTED=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	} >"$LAB_DIR/lab.env"
}

# --- processes --------------------------------------------------------------------

# lab_spawn NAME NAMESPACE LOG CMD...: run CMD in NAMESPACE as a daemon of its own
# session (so a closed terminal or Ctrl-C after `lab up` does not reach it), output
# appended to LOG; "NAME PID STARTTIME" is recorded in $LAB_DIR/pids. (setsid
# does not fork here, as the background child leads no process group, and
# `ip netns exec` execs: the pid is the daemon's.)
lab_spawn() {
	local name=$1 ns=$2 log=$3 pid start
	shift 3
	echo "=== $(date +%T) $*" >>"$log"
	setsid ip netns exec "$ns" "$@" </dev/null >>"$log" 2>&1 &
	pid=$!
	disown "$pid"   # no job messages; bash still reaps it if it exits early
	start=$(proc_start "$pid") || start=gone
	echo "$name $pid $start" >>"$LAB_DIR/pids"
	say "  $name: pid $pid, log $log"
}

# _proc_stat PID: the fields of /proc/PID/stat after the command name (the first
# is the state), in the array STAT.
_proc_stat() {
	local st
	st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	read -r -a STAT <<<"${st##*) }"
}
# proc_state PID: R, S, Z, ...; proc_ppid PID; proc_start PID: the start time
# (clock ticks since boot), which tells a reused pid apart.
proc_state() { _proc_stat "$1" && echo "${STAT[0]}"; }
proc_ppid() { _proc_stat "$1" && echo "${STAT[1]}"; }
proc_start() { _proc_stat "$1" && echo "${STAT[19]}"; }

# proc_gone PID:START: that process has exited (and was reaped: our own child,
# when `up` fails, is reaped here; another's by init).
proc_gone() {
	local pid=${1%%:*} start=${1#*:}
	[[ $(proc_start "$pid") == "$start" ]] || return 0
	if [[ $(proc_state "$pid") == Z && $(proc_ppid "$pid") == "$$" ]]; then
		wait "$pid" 2>/dev/null || true
		return 0
	fi
	return 1
}

# ours PID START: PID is the recorded daemon (same start time), not a zombie, and
# its command line names the lab directory; only such a process is signalled.
ours() {
	local cmd
	[[ $(proc_start "$1") == "$2" && $(proc_state "$1") != Z ]] || return 1
	cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline") || return 1
	[[ $cmd == *"$LAB_DIR/"* ]]
}

# recorded: "PID:START" of every daemon in $LAB_DIR/pids.
recorded() {
	[[ -f $LAB_DIR/pids ]] || return 0
	awk '{ print $2 ":" $3 }' "$LAB_DIR/pids"
}

# dead_daemon: print the name of a recorded daemon that is no longer running and
# return 0; return 1 while all of them run.
dead_daemon() {
	local name pid start
	[[ -f $LAB_DIR/pids ]] || return 1
	while read -r name pid start; do
		if ! ours "$pid" "$start"; then
			echo "$name"
			return 0
		fi
	done <"$LAB_DIR/pids"
	return 1
}

# --- waiting ----------------------------------------------------------------------

_now_ms() { echo $((${EPOCHREALTIME/./} / 1000)); }

# wait_for SECONDS DESC CMD...: run CMD every 0.1 s until it succeeds. Dies when
# SECONDS pass, or at once when a daemon of the lab exits (with its log).
wait_for() {
	local t=$1 desc=$2 start deadline dead
	shift 2
	start=$(_now_ms)
	deadline=$((start + t * 1000))
	while ! "$@" >/dev/null 2>&1; do
		if dead=$(dead_daemon); then
			"$@" >/dev/null 2>&1 && break
			die "$dead exited while waiting for: $desc"
		fi
		(($(_now_ms) < deadline)) || die "timed out after $t s waiting for: $desc"
		sleep 0.1
	done
	say "  ok: $desc ($(($(_now_ms) - start)) ms)"
}

# show_logs: the tail of every log of the lab, and each host's routes.
show_logs() {
	local f h
	[[ -d $LAB_DIR ]] || return 0
	for f in "$LAB_DIR"/*.log; do
		[[ -f $f ]] || continue
		echo "--- $f (last 30 lines)"
		tail -n 30 "$f" | sed 's/^/    /'
	done
	for h in "${LAB_HOSTS[@]}"; do
		[[ -e /run/netns/$(host_ns "$h") ]] || continue
		echo "--- $h: ip route"
		hexec "$h" ip -4 route show 2>&1 | sed 's/^/    /'
	done
}
