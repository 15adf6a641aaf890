# shellcheck shell=bash
# tests/netns/t_bgp.sh: ternd's BGP mesh against itself and against BIRD 2.
#
# ternd contract used here: `ternd -c FILE -d`, log on stderr; the file datastore
# (SPEC 2) re-read when the file changes; log lines:
#   neighbor 198.18.0.2 AS64512 (Mesh_198_18_0_2): state OpenConfirm -> Established
#   route add 10.244.2.0/26 via 198.18.0.2 (Mesh_198_18_0_2)     (debug)
#   route del 10.244.2.0/26 ...                                     (debug)
#   neighbor ... : sent notification Cease/Peer De-configured
#   neighbor ... : received notification Cease/...
#   connection from 198.18.0.9 refused: not a configured peer
# Every wait is bounded (30 s at most); a failure dumps every host's logs and state.

# ternd_hosts CLUSTERFILE HOST...: start ternd on each HOST with CLUSTERFILE.
ternd_hosts() {
	local cl=$1 h
	shift
	for h in "$@"; do
		start_ternd "$h" "$(ternd_conf "$h" "$cl")"
	done
}

# (a) two ternd hosts: Established on both sides, each learns the other's block.
bgp_pair() {
	require_ternd
	netns_hosts 2
	cluster_file "$W/cluster.yaml" h1 h2
	ternd_hosts "$W/cluster.yaml" h1 h2
	wait_log 30 h1 "$(ternd_est_line h2)"
	wait_log 30 h2 "$(ternd_est_line h1)"
	wait_log 30 h1 "$(ternd_route_add_line h2)"
	wait_log 30 h2 "$(ternd_route_add_line h1)"
	# converged: the daemons wait for something to happen
	assert_idle 2 h1 h2
	assert_running h1 h2
}
scenario bgp_pair

# (b) ternd on h1, BIRD on h2. "198.18.0.2" > "198.18.0.1": ternd h1 stays passive
# and BIRD (not passive toward 198.18.0.1) connects.
bgp_bird_passive() {
	require_ternd
	require_cmd bird birdc
	netns_hosts 2
	cluster_file "$W/cluster.yaml" h1 h2
	start_bird h2 "$(bird_conf h2 h1)"
	ternd_hosts "$W/cluster.yaml" h1
	wait_log 30 h1 "$(ternd_est_line h2)"
	wait_bird_established 30 h2 "$(mesh_name h1)"
	wait_route 30 h2 '^10\.244\.1\.0/26 via 198\.18\.0\.1 dev eth0 proto bird'
	wait_log 30 h1 "$(ternd_route_add_line h2)"
	# The session is BIRD's connection: h1's end is port 179.
	tcp_bgp h1 | grep -E '^198\.18\.0\.1:179 198\.18\.0\.2:[0-9]+$' >/dev/null ||
		fail "the session is not h2 -> h1:179 (ternd not passive?): $(tcp_bgp h1)"
	note "ok: BIRD h2 connected to ternd h1:179"
	assert_running h1
}
scenario bgp_bird_passive

# (c) BIRD on h1 (passive toward 198.18.0.2), ternd on h2 connects.
bgp_bird_active() {
	require_ternd
	require_cmd bird birdc
	netns_hosts 2
	cluster_file "$W/cluster.yaml" h1 h2
	start_bird h1 "$(bird_conf h1 h2)"
	ternd_hosts "$W/cluster.yaml" h2
	wait_log 30 h2 "$(ternd_est_line h1)"
	wait_bird_established 30 h1 "$(mesh_name h2)"
	wait_route 30 h1 '^10\.244\.2\.0/26 via 198\.18\.0\.2 dev eth0 proto bird'
	wait_log 30 h2 "$(ternd_route_add_line h1)"
	tcp_bgp h2 | grep -E '^198\.18\.0\.2:[0-9]+ 198\.18\.0\.1:179$' >/dev/null ||
		fail "the session is not h2 -> h1:179 (ternd not active?): $(tcp_bgp h2)"
	note "ok: ternd h2 connected to BIRD h1:179"
	assert_running h2
}
scenario bgp_bird_active

# (d) three ternd hosts sharing one cluster file: full mesh. Then h3 is removed from
# the file: h1 and h2 close its session with Cease/Peer De-configured and withdraw
# its block, h3 receives the Cease, and h1/h2 keep running (no restart) with their
# own session untouched.
bgp_mesh3() {
	require_ternd
	local cl="$W/cluster.yaml" h p n pid1 pid2 ip3
	netns_hosts 3
	cluster_file "$cl" h1 h2 h3
	# h3 keeps its own copy, so that it is h1 and h2 that close the
	# sessions when the shared file drops h3 (not h3 reacting first)
	cluster_file "$W/cluster-h3.yaml" h1 h2 h3
	ternd_hosts "$cl" h1 h2
	ternd_hosts "$W/cluster-h3.yaml" h3
	for h in h1 h2 h3; do
		for p in h1 h2 h3; do
			[[ $h == "$p" ]] && continue
			wait_log 30 "$h" "$(ternd_est_line "$p")"
		done
	done
	for h in h1 h2 h3; do
		for p in h1 h2 h3; do
			[[ $h == "$p" ]] && continue
			wait_log 30 "$h" "$(ternd_route_add_line "$p")"
		done
	done
	for h in h1 h2 h3; do
		n=$(log_count "$h" 'state OpenConfirm -> Established')
		((n == 2)) || fail "$h logged $n Established lines, want 2"
	done
	pid1=$(ternd_pid h1)
	pid2=$(ternd_pid h2)
	# h3 is no longer in the cluster: whether its ternd keeps running is its business.
	unwatch h3
	cluster_file "$cl" h1 h2
	note "rewrote $cl without h3"
	ip3='198\.18\.0\.3'
	for h in h1 h2; do
		wait_log_re 30 "$h" "neighbor $ip3 .*sent notification Cease/Peer De-configured"
		wait_log 30 "$h" "route del $(host_block h3)"
	done
	wait_log_re 30 h3 'neighbor 198\.18\.0\.1 .*received notification Cease/'
	wait_log_re 30 h3 'neighbor 198\.18\.0\.2 .*received notification Cease/'
	assert_running h1 h2
	[[ $(ternd_pid h1) == "$pid1" && $(ternd_pid h2) == "$pid2" ]] ||
		fail "ternd pids changed on h1/h2"
	assert_no_log_re h1 'neighbor 198\.18\.0\.2 .*state Established -> '
	assert_no_log_re h2 'neighbor 198\.18\.0\.1 .*state Established -> '
}
scenario bgp_mesh3

# (e) BIRD on h3 peers with ternd h1, but h3 is not in h1's cluster: ternd refuses
# the connection (Cease/Connection Rejected), BIRD never gets Established, and ternd
# keeps running and keeps refusing.
bgp_refuse() {
	require_ternd
	require_cmd bird birdc
	local proto
	netns_hosts 3
	cluster_file "$W/cluster.yaml" h1 h2
	ternd_hosts "$W/cluster.yaml" h1
	start_bird h3 "$(bird_conf h3 h1)"
	proto=$(mesh_name h1)
	wait_log 30 h1 "connection from $(host_ip h3) refused"
	expect 30 "bird on h3 shows the received Cease (Connection rejected)" \
		bird_show_has h3 "Connection rejected" show protocols all "$proto"
	# BIRD retries (connect delay 2 s); ternd refuses again and survives.
	wait_log_count 30 h1 'connection from 198\.18\.0\.3 refused' 2
	bird_established h3 "$proto" && fail "bird on h3: $proto is Established"
	grep -E "$proto: State changed to up" "$(bird_log h3)" >/dev/null &&
		fail "bird on h3: $proto went up at some point"
	note "ok: bird on h3 never reached Established"
	assert_running h1
}
scenario bgp_refuse

# (e2) A refused connect is retried soon (50, 100, then 250 ms), not after the whole
# connect_retry_time: ternd h2 (the active side toward h1) starts alone with
# connect_retry_time 120; its connects to h1:179 are refused (nothing listens) and
# retried several times within the wait; once ternd h1 starts, the session comes up
# long before 120 s would have passed. A connection that comes up resets the count.
bgp_refused_retry() {
	require_ternd
	local conf
	netns_hosts 2
	cluster_file "$W/cluster.yaml" h1 h2
	conf=$(ternd_conf h2 "$W/cluster.yaml")
	sed -i 's/^  connect_retry_time: 1$/  connect_retry_time: 120/' "$conf"
	grep -q '^  connect_retry_time: 120$' "$conf" || fail "cannot set connect_retry_time in $conf"
	start_ternd h2 "$conf"
	wait_log_count 20 h2 'Mesh_198_18_0_1\): connect: Connection refused' 3
	ternd_hosts "$W/cluster.yaml" h1
	wait_log 20 h2 "$(ternd_est_line h1)"
	wait_log 20 h1 "$(ternd_route_add_line h2)"
	assert_running h1 h2
}
scenario bgp_refused_retry

# (f) RFC 4724 receiving speaker: BIRD on h2 is killed (no NOTIFICATION);
# ternd keeps h2's block as stale instead of withdrawing it, and the session
# comes back when BIRD does.
bgp_gr_peer_killed() {
	require_ternd
	require_cmd bird birdc
	local proto i
	netns_hosts 2
	cluster_file "$W/cluster.yaml" h1 h2
	ternd_hosts "$W/cluster.yaml" h1
	start_bird h2 "$(bird_conf h2 h1)"
	proto=$(mesh_name h1)
	wait_log 30 h1 "$(ternd_est_line h2)"
	wait_log 30 h1 "$(ternd_route_add_line h2)"
	unwatch h2
	kill -KILL "${_TT_BIRD[h2]}" || fail "cannot kill bird on h2"
	wait "${_TT_BIRD[h2]}" 2>/dev/null
	unset "_TT_BIRD[h2]"
	wait_log_re 30 h1 'neighbor 198\.18\.0\.2 .*graceful restart: keeping 1 routes for 120s'
	for ((i = 0; i < 20; i++)); do
		log_has h1 "route del $(host_block h2)" &&
			fail "ternd withdrew h2's block while h2 restarts"
		sleep 0.1
	done
	note "ok: h2's block kept for 2 s after bird died"
	start_bird h2 "$(bird_conf h2 h1)"
	wait_bird_established 30 h2 "$proto"
	wait_log_count 30 h1 'neighbor 198\.18\.0\.2 .*state OpenConfirm -> Established' 2
	assert_running h1
}
scenario bgp_gr_peer_killed

# (g) link cut: h2's interface goes down; h1's hold timer (9 s) expires, it
# sends Hold Timer Expired and keeps h2's routes stale (graceful restart);
# the session comes back when the link does.
bgp_hold_timer() {
	require_ternd
	netns_hosts 2
	cluster_file "$W/cluster.yaml" h1 h2
	ternd_hosts "$W/cluster.yaml" h1 h2
	wait_log 30 h1 "$(ternd_est_line h2)"
	wait_log 30 h1 "$(ternd_route_add_line h2)"
	hexec h2 ip link set eth0 down
	note "h2's eth0 is down"
	wait_log_re 30 h1 'neighbor 198\.18\.0\.2 .*sent notification Hold Timer Expired'
	wait_log_re 5 h1 'neighbor 198\.18\.0\.2 .*graceful restart: keeping 1 routes'
	log_has h1 "route del $(host_block h2)" &&
		fail "h1 withdrew h2's block on hold timer expiry despite GR"
	hexec h2 ip link set eth0 up
	wait_log_count 40 h1 'neighbor 198\.18\.0\.2 .*state OpenConfirm -> Established' 2
	assert_running h1 h2
}
scenario bgp_hold_timer
