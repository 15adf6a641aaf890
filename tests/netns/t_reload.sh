# shellcheck shell=bash
# tests/netns/t_reload.sh: the signals an operator sends (issue 13; ternd(8)).
#
#   reload_conf: SIGHUP re-reads ternd.yaml and applies the difference. An
#       unchanged file changes nothing; a bound (bgp.max_prefixes) applies without
#       touching the session; a setting that needs a restart (kernel.table) is
#       named in the log and keeps its running value (routes stay in the main
#       table); an invalid file is logged and the running configuration stays (the
#       session stays, the control socket answers); a session setting (hold time)
#       restarts the session with Cease/Other Configuration Change, and it comes
#       back. Every step waits for the log line that proves ternd acted, and counts
#       the sessions established (one per start of the session).
#   dump_usr1: SIGUSR1 writes the state to the log (the peer, the kernel counts)
#       and never stops ternd.

RELOAD_EST_RE='state OpenConfirm -> Established'

# reload_yaml HOST CLUSTER MAX_PREFIXES TABLE HOLD [EXTRA]: write $W/HOST.yaml
# (as ternd_conf, with these settings and EXTRA appended) via a rename; ternd -p
# must accept it unless EXTRA is there.
reload_yaml() {
	local f=$W/$1.yaml out
	cat >"$f.tmp" <<EOF
node:
  name: $1
datastore:
  type: file
  path: $2
bgp:
  connect_retry_time: 1
  hold_time: $5
  keepalive_time: 3
  max_prefixes: $3
kernel:
  table: $4
control:
  socket: $W/$1.ctl
log:
  level: debug
${6:-}
EOF
	if [[ -z ${6:-} ]]; then
		out=$("$TERND" -p -c "$f.tmp" 2>&1) || fail "ternd -p rejects $f: $out"
	fi
	mv -f "$f.tmp" "$f" || fail "cannot rename $f.tmp"
}

# reload_hup HOST: SIGHUP to HOST's ternd; waits for the reload's N-th start line.
reload_hup() {
	local h=$1 n
	n=$(($(log_count "$h" 'SIGHUP: reloading') + 1))
	kill -HUP "$(ternd_pid "$h")" || fail "cannot signal ternd on $h"
	wait_log_count 10 "$h" 'SIGHUP: reloading' "$n"
}

reload_conf() {
	local c b2 blk n
	require_ternd
	require_cmd birdc
	netns_hosts 2
	c=$W/cluster.yaml
	b2=$(host_block h2)
	blk=${b2//./\\.}
	cluster_file "$c" h1 h2
	reload_yaml h1 "$c" 100000 254 9
	start_ternd h1 "$W/h1.yaml"
	start_ternd h2 "$(ternd_conf h2 "$c")"
	wait_log 30 h1 "$(ternd_est_line h2)"
	wait_route 30 h1 "^$blk .*proto bird"

	# The same file: nothing changes.
	reload_hup h1
	wait_log 10 h1 "reload: $W/h1.yaml unchanged"

	# A bound: applied, no session touched.
	reload_yaml h1 "$c" 5000 254 9
	reload_hup h1
	wait_log 10 h1 "reload: bgp.max_prefixes changed"
	wait_log 10 h1 "reload: 1 settings applied, 0 need a restart"
	n=$(log_count h1 "$RELOAD_EST_RE")
	((n == 1)) || fail "h1's session was established $n times, want 1"
	assert_no_log_re h1 'sessions restart with the new settings'

	# A setting that needs a restart: named, the running value stays.
	reload_yaml h1 "$c" 5000 100 9
	reload_hup h1
	wait_log 10 h1 "reload: kernel.table changed: it takes a restart of ternd, the running value stays"
	wait_log 10 h1 "reload: 0 settings applied, 1 need a restart"
	route_has h1 "^$blk .*proto bird" || fail "h2's block left h1's main table"

	# An invalid file: logged, the running configuration stays.
	reload_yaml h1 "$c" 5000 100 9 $'metrics:\n  listen: nowhere\n'
	reload_hup h1
	wait_log 10 h1 "metrics.listen: \"nowhere\" is not ADDRESS:PORT"
	wait_log 10 h1 "the running configuration stays"
	expect 10 "h1's control socket answers" \
		bash -c "timeout 5 birdc -s '$W/h1.ctl' show protocols | grep -q Established"

	# A session setting: the session restarts with Cease/Config Change, once.
	reload_yaml h1 "$c" 5000 100 12
	reload_hup h1
	wait_log 10 h1 "reload: bgp.hold_time changed"
	wait_log 10 h1 "reload: 1 sessions restart with the new settings"
	wait_log_count 30 h1 "$RELOAD_EST_RE" 2
	expect 10 "h2 saw Cease/Other Configuration Change" \
		log_has h2 "received notification Cease/Other Configuration Change"
	wait_route 30 h1 "^$blk .*proto bird"
	# the same file again: nothing more is applied (kernel.table still
	# differs from the running value, and is said again)
	reload_hup h1
	wait_log_count 10 h1 "reload: 0 settings applied, 1 need a restart" 2
	n=$(log_count h1 "$RELOAD_EST_RE")
	((n == 2)) || fail "h1's session was established $n times, want 2"
	assert_running h1 h2
}
scenario reload_conf

dump_usr1() {
	local c
	require_ternd
	netns_hosts 2
	c=$W/cluster.yaml
	cluster_file "$c" h1 h2
	start_ternd h1 "$(ternd_conf h1 "$c")"
	start_ternd h2 "$(ternd_conf h2 "$c")"
	wait_log 30 h1 "$(ternd_est_line h2)"
	wait_route 30 h1 "^${TT_POOL%%.*}\..* proto bird"
	kill -USR1 "$(ternd_pid h1)" || fail "cannot signal ternd on h1"
	wait_log 10 h1 "state: 1 peers; end of dump"
	log_has_re h1 "state: peer Mesh_198_18_0_2 198\.18\.0\.2 AS$TT_AS Established since " ||
		fail "the dump has no line for the session"
	log_has_re h1 "state: kernel 2 routes wanted, 2 installed, 0 pending, 0 conflicts" ||
		fail "the dump has no kernel counts"
	log_has h1 "state: datastore synced" || fail "the dump has no datastore line"
	# twice: still running
	kill -USR1 "$(ternd_pid h1)" || fail "cannot signal ternd on h1"
	wait_log_count 10 h1 "state: 1 peers; end of dump" 2
	assert_running h1 h2
}
scenario dump_usr1
