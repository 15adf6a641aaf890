# shellcheck shell=bash
# tests/netns/t_bfd.sh: BFD (RFC 5880/5881) for a BGPPeer with
# failureDetectionMode: BFDIfDirectlyConnected (issue 15), against BIRD 2's and
# FRR's BFD. ternd on h1, the peer on h2, both on 198.18.0.0/24 (directly
# connected). BGP hold time 90 s on both sides, so that only BFD can take the
# peer's routes out within seconds when h2's link is cut.

# bfd_ternd_conf HOST CLUSTER: ternd_conf with hold time 90 s (keepalive 30)
# and the metrics endpoint on 127.0.0.1:9324 in HOST.
bfd_ternd_conf() {
	local f
	f=$(ternd_conf "$1" "$2")
	sed -i 's/^  hold_time: 9$/  hold_time: 90/; s/^  keepalive_time: 3$/  keepalive_time: 30/' "$f"
	printf 'metrics:\n  listen: "127.0.0.1:9324"\n' >>"$f"
	echo "$f"
}

# bfd_metric HOST SERIES: one series of HOST's ternd ("" when absent).
bfd_metric() {
	hexec "$1" curl -sS --max-time 5 http://127.0.0.1:9324/metrics |
		awk -v s="$2" '$1 == s { print $2 }'
}
bfd_metric_is() { [[ $(bfd_metric "$1" "$2") == "$3" ]]; }

# bfd_cluster FILE AS [OPT]: the cluster with h1 only and one BGPPeer to h2 of
# AS, with OPT (a `key: value` line) when given; node: h1 makes it Node_<ip>,
# without it Global_<ip>.
bfd_cluster() {
	local f=$1 as=$2 opt=${3:-} node=${4:-}
	cluster_file "$f" h1
	sed -i '/^peers: \[\]$/d' "$f"
	{
		echo "peers:"
		echo "  - ip: $(host_ip h2)"
		echo "    as: $as"
		[[ -n $node ]] && echo "    node: $node"
		[[ -n $opt ]] && echo "    $opt"
	} >>"$f"
}

# bfd_cut HOST: h2's link goes down (its veth end in HOST's namespace); h1's
# link stays up, so h1's kernel and BGP see nothing but silence.
bfd_cut() { hexec "$1" ip link set eth0 down || fail "cannot set eth0 down on $1"; }

# bfd_gone_within HOST ERE SECS: the route leaves HOST's table within SECS
# seconds; prints how long it took (ms).
bfd_gone_within() {
	expect "$3" "$1's table loses /$2/" eval "! route_has $1 '$2'"
}

# bfd_bird_conf: h2's BIRD, Calico's template with `bfd on` on the session to
# h1, hold time 90 s, and Calico's protocol bfd (500 ms, idle 2000 ms,
# multiplier 16). `direct;`: Calico's template makes every session multihop,
# and BIRD then runs multihop BFD (RFC 5883, port 4784); ternd does single hop
# (RFC 5881), what a directly connected top-of-rack router runs.
bfd_bird_conf() {
	local f
	f=$(bird_conf h2 h1)
	sed -i 's/^  neighbor \(.*\)$/  neighbor \1\n  direct;\n  bfd on;\n  hold time 90;/' "$f"
	cat >>"$f" <<'EOT'

protocol bfd {
  debug { states };
  interface -"cali*", -"kube-ipvs*", "*" {
    min rx interval 500 ms;
    min tx interval 500 ms;
    idle tx interval 2000 ms;
    multiplier 16;
  };
}
EOT
	echo "$f"
}

# ternd_bfd_show HOST: ternd's `show bfd sessions` through birdc (BIRD 2's layout).
ternd_bfd_show() { timeout 5 birdc -s "$W/$1.ctl" show bfd sessions; }
ternd_bfd_row() { ternd_bfd_show "$1" | grep -qE "^$2 +--- +$3 "; }

bird_bfd_up() { birdc_q h2 show bfd sessions | grep -E "^$(host_ip h1) .* Up " >/dev/null; }

# (a) BIRD 2: the BFD session comes Up on both sides; h2's link is cut; h2's
# block leaves h1's kernel within BIRD's detection time (16 x 500 ms = 8 s),
# far under the hold time, with "BFD session down" in ternd's log; the link
# back, BFD and BGP come back and so does the route.
bfd_bird() {
	require_ternd
	require_cmd bird birdc
	local blk
	netns_hosts 2
	blk=$(host_block h2)
	bfd_cluster "$W/cluster.yaml" "$TT_AS" \
		"failure_detection_mode: BFDIfDirectlyConnected" h1
	start_bird h2 "$(bfd_bird_conf)"
	start_ternd h1 "$(bfd_ternd_conf h1 "$W/cluster.yaml")"
	wait_log 30 h1 "Node_198_18_0_2: BFD session to $(host_ip h2)"
	wait_log_re 30 h1 "BFD session $(host_ip h2): (Init|Down) -> Up"
	expect 30 "BIRD's BFD session to h1 Up" bird_bfd_up
	expect 10 "ternd's show bfd sessions: $(host_ip h2) Up" ternd_bfd_row h1 "$(host_ip h2)" Up
	ternd_bfd_show h1 | grep -qE "^IP address +Interface +State +Since +Interval +Timeout" ||
		fail "show bfd sessions has no BIRD header: $(ternd_bfd_show h1)"
	wait_route 30 h1 "^$blk .*via $(host_ip h2) dev eth0 proto bird"
	bfd_cut h2
	wait_log_re 15 h1 "BFD session $(host_ip h2): Up -> Down \(Control Detection Time Expired\)"
	wait_log 5 h1 "(Node_198_18_0_2): BFD session down: closing the session"
	bfd_gone_within h1 "^$blk " 5
	ternd_bfd_row h1 "$(host_ip h2)" Down || fail "show bfd sessions: not Down: $(ternd_bfd_show h1)"
	hexec h2 ip link set eth0 up || fail "cannot set eth0 up on h2"
	wait_log_count 30 h1 "BFD session $(host_ip h2): (Init|Down) -> Up" 2
	wait_route 60 h1 "^$blk .*via $(host_ip h2) dev eth0 proto bird"
	assert_running h1
}
scenario bfd_bird

# frr_bfd_conf TOR_AS [BFD]: FRR on h2 peering with h1 (hold 90 s), announcing
# 192.0.2.0/24; BFD: `neighbor bfd` (bfdd's defaults: 300 ms, multiplier 3).
bfd_frr_conf() {
	local as=$1 bfd=${2:-}
	{
		frr_config "$(host_ip h2)" "$as" "$(host_ip h1):$TT_AS"
		echo " neighbor $(host_ip h1) timers 30 90"
		[[ -n $bfd ]] && echo " neighbor $(host_ip h1) bfd"
		echo " address-family ipv4 unicast"
		echo "  network 192.0.2.0/24"
		echo " exit-address-family"
	} >"$W/h2.frr.conf"
	echo "$W/h2.frr.conf"
}

frr_bfd_status() {
	frr_json h2 "show bfd peer $(host_ip h1) json" | grep -q "\"status\":\"$1\""
}

# frr_bfd_counter NAME: one of bfdd's per-peer packet counters.
frr_bfd_counter() {
	frr_json h2 "show bfd peer $(host_ip h1) counters json" |
		grep -oE "\"$1\":[0-9]+" | cut -d: -f2
}

frr_bfd_recv_ge() { local n; n=$(frr_bfd_counter control-packet-input); ((${n:-0} >= $1)); }
frr_bfd_sent_ge() { local n; n=$(frr_bfd_counter control-packet-output); ((${n:-0} >= $1)); }

# (b) FRR's bfdd + bgpd (eBGP, a Global_ peer): the session comes Up on both
# sides; the link cut takes 192.0.2.0/24 out of h1's kernel within FRR's
# detection time (3 x 500 ms: our min rx is the larger), logged.
bfd_frr() {
	require_ternd
	local as=65002 ext=192.0.2.0/24 downs
	netns_hosts 2
	bfd_cluster "$W/cluster.yaml" "$as" \
		"failure_detection_mode: BFDIfDirectlyConnected"
	start_frr h2 "$(bfd_frr_conf "$as" bfd)" bfdd
	start_ternd h1 "$(bfd_ternd_conf h1 "$W/cluster.yaml")"
	wait_log_re 30 h1 "BFD session $(host_ip h2): (Init|Down) -> Up"
	expect 30 "FRR's BFD peer h1 up" frr_bfd_status up
	wait_frr_established 30 h2 "$(host_ip h1)"
	wait_route 30 h1 "^$ext .*via $(host_ip h2) dev eth0 proto bird"
	expect 10 "h1's metrics: one BFD session up" bfd_metric_is h1 tern_bfd_sessions_up 1
	# FRR's bgpd may re-register its BFD peer once BGP is up (a Down, then
	# Up again): count from here
	downs=$(bfd_metric h1 tern_bfd_session_downs_total)
	wait_route 30 h1 "^$ext .*via $(host_ip h2) dev eth0 proto bird"
	bfd_cut h2
	wait_log 10 h1 "(Global_198_18_0_2): BFD session down: closing the session"
	bfd_gone_within h1 "^$ext " 5
	expect 10 "h1's metrics: one more BFD session went down" \
		bfd_metric_is h1 tern_bfd_session_downs_total $((downs + 1))
	assert_running h1
}
scenario bfd_frr

# (c) The peer takes BFD AdminDown (FRR `shutdown` on the BFD peer): ternd's
# session goes Down but the BGP session and its routes stay (RFC 5882 3.2).
bfd_frr_admin_down() {
	require_ternd
	local as=65002 ext=192.0.2.0/24 n
	netns_hosts 2
	bfd_cluster "$W/cluster.yaml" "$as" \
		"failure_detection_mode: BFDIfDirectlyConnected"
	start_frr h2 "$(bfd_frr_conf "$as" bfd)" bfdd
	start_ternd h1 "$(bfd_ternd_conf h1 "$W/cluster.yaml")"
	wait_log_re 30 h1 "BFD session $(host_ip h2): (Init|Down) -> Up"
	wait_frr_established 30 h2 "$(host_ip h1)"
	wait_route 30 h1 "^$ext .*via $(host_ip h2) dev eth0 proto bird"
	frr_vtysh h2 "configure terminal" "bfd" "peer $(host_ip h1)" "shutdown" >/dev/null ||
		fail "vtysh: cannot shut the BFD peer down"
	wait_log 10 h1 "BFD session $(host_ip h2): the peer took it AdminDown: BGP sessions kept"
	# a while longer: three more of our packets (2 s apart while Down)
	n=$(frr_bfd_counter control-packet-input)
	expect 20 "FRR receives 3 more BFD packets" frr_bfd_recv_ge $((n + 3))
	assert_no_log_re h1 "BFD session down: closing"
	frr_established h2 "$(host_ip h1)" || fail "FRR's BGP session dropped on BFD AdminDown"
	route_has h1 "^$ext .*via $(host_ip h2)" || fail "h1 lost $ext on BFD AdminDown"
	assert_running h1
}
scenario bfd_frr_admin_down

# (d) Without failureDetectionMode no BFD packet leaves ternd: FRR asks for BFD,
# sends its packets, receives none, and its BFD peer stays down while BGP is
# Established.
bfd_off() {
	require_ternd
	local as=65002 n
	netns_hosts 2
	bfd_cluster "$W/cluster.yaml" "$as"
	start_frr h2 "$(bfd_frr_conf "$as" bfd)" bfdd
	start_ternd h1 "$(bfd_ternd_conf h1 "$W/cluster.yaml")"
	wait_frr_established 30 h2 "$(host_ip h1)"
	expect 30 "FRR has sent 5 BFD packets to h1" frr_bfd_sent_ge 5
	n=$(frr_bfd_counter control-packet-input)
	[[ $n == 0 ]] || fail "FRR received $n BFD packets from ternd without failureDetectionMode"
	frr_bfd_status up && fail "FRR's BFD peer is up without BFD in ternd"
	assert_no_log_re h1 "BFD session"
	[[ -z $(bfd_metric h1 tern_bfd_packets_sent_total) ]] ||
		fail "h1's metrics show BFD packets sent without failureDetectionMode"
	assert_running h1
}
scenario bfd_off

# (e) BFDIfDirectlyConnected with a peer on no connected subnet of h1: no BFD
# session, said in the log; once h1 gets an address on the peer's subnet, the
# next check (every 10 s) makes the session.
bfd_not_connected() {
	require_ternd
	local far=192.0.2.9
	netns_hosts 1
	cluster_file "$W/cluster.yaml" h1
	sed -i '/^peers: \[\]$/d' "$W/cluster.yaml"
	printf 'peers:\n  - ip: %s\n    as: 65002\n    failure_detection_mode: BFDIfDirectlyConnected\n' \
		"$far" >>"$W/cluster.yaml"
	start_ternd h1 "$(bfd_ternd_conf h1 "$W/cluster.yaml")"
	wait_log 30 h1 "Global_192_0_2_9: failureDetectionMode BFDIfDirectlyConnected: $far is on no connected subnet: no BFD"
	assert_no_log_re h1 "BFD session to"
	[[ -z $(bfd_metric h1 tern_bfd_sessions) ]] || fail "h1 shows BFD sessions"
	hexec h1 ip addr add 192.0.2.1/24 dev eth0 || fail "cannot add 192.0.2.1 on h1"
	wait_log 30 h1 "Global_192_0_2_9: BFD session to $far"
	# said once (the change), not again at each 10 s re-check
	(($(log_count h1 "is on no connected subnet") == 1)) ||
		fail "the no-BFD line was said $(log_count h1 "is on no connected subnet") times"
	expect 10 "h1's metrics: one BFD session" bfd_metric_is h1 tern_bfd_sessions 1
	assert_running h1
}
scenario bfd_not_connected

# (f) BGPConfiguration ignoredInterfaces (cluster file ignored_interfaces): the
# peer is on eth0's subnet, but eth0 is ignored, as Calico's template leaves it
# out of `protocol direct`: no BFD session; the list emptied, live, the session
# is made.
bfd_ignored_interface() {
	require_ternd
	local far=192.0.2.9
	netns_hosts 1
	hexec h1 ip addr add 192.0.2.1/24 dev eth0 || fail "cannot add 192.0.2.1 on h1"
	cluster_file "$W/cluster.yaml" h1
	sed -i '/^peers: \[\]$/d' "$W/cluster.yaml"
	printf 'ignored_interfaces: [eth0]\npeers:\n  - ip: %s\n    as: 65002\n    failure_detection_mode: BFDIfDirectlyConnected\n' \
		"$far" >>"$W/cluster.yaml"
	start_ternd h1 "$(bfd_ternd_conf h1 "$W/cluster.yaml")"
	wait_log 30 h1 "Global_192_0_2_9: failureDetectionMode BFDIfDirectlyConnected: $far is on no connected subnet: no BFD"
	assert_no_log_re h1 "BFD session to"
	sed -i 's/^ignored_interfaces: \[eth0\]$/ignored_interfaces: [docker*]/' "$W/cluster.yaml"
	wait_log 30 h1 "Global_192_0_2_9: BFD session to $far"
	expect 10 "h1's metrics: one BFD session" bfd_metric_is h1 tern_bfd_sessions 1
	assert_running h1
}
scenario bfd_ignored_interface
