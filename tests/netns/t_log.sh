# shellcheck shell=bash
# tests/netns/t_log.sh: where ternd's lines go and at which level (issue 13).
#
#   log_journal: ternd whose stderr is the journal's stream (JOURNAL_STREAM names
#       the file its stderr is, as systemd sets it) writes "<N>level: message",
#       N the syslog priority, without a time stamp; the cluster file's
#       log_severity for the node (debug, then warning) sets the level live: debug
#       lines appear, then even info lines (a SIGUSR1 dump) are gone; without
#       it, ternd.yaml's info again.
#   log_calico_v3: Calico's BGPConfiguration logSeverityScreen in etcd (v3): the
#       default's, the node.<name> one winning over it, its deletion falling back,
#       a bad value logged once and ignored (the session stays up); ternd.yaml's
#       level when the cluster sets none. Both run ternd without -d (-d would win).
# Log lines used:
#   datastore: the cluster sets log level LEVEL for this node
#   datastore: the cluster sets no log level for this node: ternd.yaml's applies
#   state: 1 peers; end of dump                 (SIGUSR1, info)
# shellcheck source-path=SCRIPTDIR source=etcd.sh
. "$(dirname "${BASH_SOURCE[0]}")/etcd.sh"

# log_start_ternd HOST CONF [VAR=VALUE...]: as start_ternd, but without -d (the
# level is the cluster's or ternd.yaml's) and with the environment given.
log_start_ternd() {
	local h=$1 conf=$2 pid
	shift 2
	require_ternd
	[[ -z ${_TT_TERND[$h]:-} ]] || fail "ternd already running on $h"
	echo "=== $(date +%T.%N) start: $* $TERND -c $conf" >>"$W/$h.ternd.log"
	ip netns exec "$(host_ns "$h")" env "$@" "$TERND" -c "$conf" \
		</dev/null >>"$W/$h.ternd.log" 2>&1 &
	pid=$!
	_tt_record_pid "$pid"
	# shellcheck disable=SC2004 # associative arrays (lib.sh declares them)
	_TT_TERND[$h]=$pid
	# shellcheck disable=SC2004
	_TT_WATCH[$pid]="ternd on $h"
	note "ternd on $h: pid $pid, log $W/$h.ternd.log ($*)"
}

# log_info_conf FILE: ternd.yaml at log level info.
log_info_conf() {
	sed -i 's/^  level: debug$/  level: info/' "$1" || fail "cannot edit $1"
	grep -q '^  level: info$' "$1" || fail "$1 has no log level"
	echo "$1"
}

# log_usr1 HOST: ask HOST's ternd for a SIGUSR1 dump (info lines).
log_usr1() {
	kill -USR1 "$(ternd_pid "$1")" || fail "cannot signal ternd on $1"
}

# log_cluster FILE SEVERITY H2BLOCKS: the cluster h1, h2 (via a rename), h1 with
# log_severity SEVERITY ("": none), h2 with the blocks H2BLOCKS ("a, b") and
# log_severity error (h2's, not h1's; h2 runs with -d, which wins).
log_cluster() {
	{
		echo "as: $TT_AS"
		echo "pools: [{cidr: $TT_POOL}]"
		echo "nodes:"
		echo "  - {name: h1, ipv4: $(host_ip h1), blocks: [$(host_block h1)]${2:+, log_severity: $2}}"
		echo "  - {name: h2, ipv4: $(host_ip h2), blocks: [$3], log_severity: error}"
	} >"$1.tmp" || fail "cannot write $1.tmp"
	mv -f "$1.tmp" "$1" || fail "cannot rename $1.tmp"
}

log_journal() {
	local c n b2 b3=10.244.32.0/26
	require_ternd
	netns_hosts 2
	c=$W/cluster.yaml
	b2=$(host_block h2)
	log_cluster "$c" "" "$b2"
	: >>"$W/h1.ternd.log"
	log_start_ternd h1 "$(log_info_conf "$(ternd_conf h1 "$c")")" \
		"JOURNAL_STREAM=$(stat -c %d:%i "$W/h1.ternd.log")"
	start_ternd h2 "$(ternd_conf h2 "$c")"
	wait_log 30 h1 "<6>info: $(ternd_est_line h2)"
	wait_route 30 h1 "^$b2 .*proto bird"
	log_has_re h1 '^<6>info: ternd .* running as node h1$' || fail "no <6> start line"
	assert_no_log_re h1 '^[0-9]{4}-[0-9]{2}-[0-9]{2} '
	assert_no_log_re h1 '^<7>'
	# the cluster file says debug for h1 (another node's setting is not h1's),
	# and h2 gets a second block: h1 learns it, at debug
	# (in two steps: h2 reads the same file, its announcement could reach
	# h1 before h1 took the level)
	log_cluster "$c" debug "$b2"
	wait_log 10 h1 "<6>info: datastore: the cluster sets log level debug for this node"
	log_cluster "$c" debug "$b2, $b3"
	wait_log 30 h1 "<7>debug: route add $b3 via $(host_ip h2)"
	# warning: said, then no info line (a dump) any more; the block goes
	# only after h1 took the level (h2 reads the same file: at once, its
	# withdrawal could reach h1 first)
	log_cluster "$c" warning "$b2, $b3"
	wait_log 10 h1 "<6>info: datastore: the cluster sets log level warning for this node"
	log_cluster "$c" warning "$b2"
	wait_no_route 30 h1 "$b3"
	log_usr1 h1
	sleep 1
	assert_no_log_re h1 'state: .*end of dump'
	assert_no_log_re h1 "route del $b3"
	# none: ternd.yaml's info again, the dump is said
	log_cluster "$c" "" "$b2"
	wait_log 10 h1 "<6>info: datastore: the cluster sets no log level for this node: ternd.yaml's applies"
	log_usr1 h1
	wait_log 10 h1 "<6>info: state: 1 peers; end of dump"
	assert_no_log_re h1 '^[0-9]{4}-[0-9]{2}-[0-9]{2} '
	n=$(log_count h1 '^<[0-9]>')
	note "ok: h1 wrote $n lines in the journal's format"
	assert_running h1 h2
}
scenario log_journal

# log_bgpconf WRITER NAME SPEC: the BGPConfiguration NAME with spec SPEC (JSON).
log_bgpconf() {
	etcd_put "$1" "$TT_RES/bgpconfigurations/$2" "{\"kind\":\"BGPConfiguration\",\
\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{\"name\":\"$2\"},\"spec\":$3}"
}

log_calico_v3() {
	local blk=10.244.22.0/26 blk2=10.244.23.0/26 n
	require_ternd
	require_cmd etcd etcdctl
	netns_hosts 2
	etcd_cluster h1
	v3_cluster h1 h1 h2		# default: logSeverityScreen Info
	log_start_ternd h1 "$(log_info_conf "$(ternd_etcd_conf h1 etcdv3 h1)")"
	ternd_etcd h2 etcdv3 h1
	wait_log 30 h1 "$(ternd_est_line h2)"
	wait_log 10 h1 "datastore: the cluster sets log level info for this node"
	assert_no_log_re h1 ' debug: '
	# node.h1 says Debug: it wins over default's Info
	log_bgpconf h1 node.h1 '{"logSeverityScreen":"Debug"}'
	log_bgpconf h1 node.h2 '{"logSeverityScreen":"Error"}'
	wait_log 10 h1 "datastore: the cluster sets log level debug for this node"
	v3_block h1 h2 "$blk"
	wait_log 30 h1 "route add $blk via $(host_ip h2)"
	# default says Warning: node.h1 still wins; deleted, default's applies
	log_bgpconf h1 default "{\"logSeverityScreen\":\"Warning\",\"asNumber\":$TT_AS}"
	etcd_del h1 "$TT_RES/bgpconfigurations/node.h1"
	wait_log 10 h1 "datastore: the cluster sets log level warning for this node"
	v3_block h1 h2 "$blk2"
	wait_route 30 h1 "^$blk2 .*proto bird"
	log_usr1 h1
	sleep 1
	assert_no_log_re h1 "route add $blk2"
	assert_no_log_re h1 'state: .*end of dump'
	# a bad severity: logged once, ignored (ternd.yaml's info), the AS and
	# the session untouched
	log_bgpconf h1 default "{\"logSeverityScreen\":\"Loud\",\"asNumber\":$TT_AS}"
	wait_log 10 h1 "datastore: the cluster sets no log level for this node: ternd.yaml's applies"
	log_has h1 "bgpconfigurations/default: unknown spec.logSeverityScreen (Debug, Info, Warning, Error, Fatal, Panic); ignored" ||
		fail "the bad severity was not logged"
	log_usr1 h1
	wait_log 10 h1 "state: 1 peers; end of dump"
	log_has_re h1 "state: peer Mesh_198_18_0_2 .* Established since " ||
		fail "the session is not Established"
	n=$(grep -cF -- "$(ternd_est_line h2)" "$(ternd_log h1)")
	((n == 1)) || fail "the session was established $n times, want 1"
	assert_running h1 h2
}
scenario log_calico_v3
