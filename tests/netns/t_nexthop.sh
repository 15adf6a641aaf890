# shellcheck shell=bash
# tests/netns/t_nexthop.sh: BGPPeer nextHopMode / keepOriginalNextHop (issue 15),
# checked on the far side: what NEXT_HOP BIRD 2 receives from ternd.
#
# Three hosts: h1 runs ternd (a Calico node, AS 64512); h2 runs BIRD as another
# Calico node (mesh, iBGP) with its block 10.244.2.0/26; h3 runs BIRD as a
# top-of-rack router (AS 65003, eBGP), a BGPPeer of h1 (Node_198_18_0_3), that
# announces 10.244.100.0/24 (inside the pool, so ternd passes it on to the mesh).
# Calico's confd renders the modes to BIRD's `next hop self` / `next hop keep`;
# Auto is BIRD's default: our address towards eBGP, the path's own towards iBGP.

# nh_tor_conf: BIRD on h3, the ToR: one eBGP session to h1, a static route out.
nh_tor_conf() {
	local f="$W/h3.bird.conf"
	cat >"$f" <<EOF
log stderr all;
router id $(host_ip h3);
protocol device { scan time 2; }
protocol direct { ipv4; interface "*"; }
protocol static { ipv4; route 10.244.100.0/24 blackhole; }
protocol bgp Tor_h1 {
  debug { states };
  local as 65003;
  neighbor $(host_ip h1) as $TT_AS;
  source address $(host_ip h3);
  ipv4 { import all; export where proto = "static1"; };
  connect retry time 1;
  error wait time 1,5;
}
EOF
	echo "$f"
}

# nh_cluster MODE_LINES: the cluster file of h1 and h2 with h3 as h1's BGPPeer,
# the peer's extra YAML lines (e.g. "    next_hop_mode: Keep") appended.
nh_cluster() {
	cluster_file "$W/cluster.tmp" h1 h2
	sed -i '/^peers: \[\]$/d' "$W/cluster.tmp"
	{
		cat <<EOF
peers:
  - ip: $(host_ip h3)
    as: 65003
    node: h1
EOF
		[[ -n $1 ]] && printf '%s\n' "$1"
	} >>"$W/cluster.tmp"
	mv -f "$W/cluster.tmp" "$W/cluster.yaml"
}

# nh_at HOST PROTO PREFIX NH: BIRD on HOST has PREFIX from PROTO with BGP.next_hop NH.
nh_at() {
	local out
	out=$(birdc_q "$1" show route all "$3" protocol "$2") || return 1
	grep -F "BGP.next_hop: $4" <<<"$out" >/dev/null
}
nh_expect() {
	expect 30 "bird on $1 has $3 from $2 with BGP.next_hop $4" nh_at "$@"
}

nexthop_modes() {
	require_ternd
	require_cmd bird birdc
	local tor=Node_198_18_0_3 h2blk
	h2blk=$(host_block h2)
	netns_hosts 3
	nh_cluster ""
	start_bird h2 "$(bird_conf h2 h1)"
	start_bird h3 "$(nh_tor_conf)"
	start_ternd h1 "$(ternd_conf h1 "$W/cluster.yaml")"
	wait_log 30 h1 "$(ternd_est_line h2)"
	wait_bird_established 30 h3 Tor_h1
	# Auto towards eBGP: ours (BIRD's default, RFC 4271 5.1.3)
	nh_expect h3 Tor_h1 "$h2blk" "$(host_ip h1)"
	# Auto towards iBGP: the ToR's route goes to the mesh with the ToR's next
	# hop, as BIRD does (ternd used to put its own there)
	nh_expect h2 "$(mesh_name h1)" 10.244.100.0/24 "$(host_ip h3)"
	note "ok: Auto: ours towards eBGP, the path's own towards iBGP"

	nh_cluster "    next_hop_mode: Keep"
	wait_log_re 30 h1 "$tor.*sent notification Cease/Other Configuration Change"
	nh_expect h3 Tor_h1 "$h2blk" "$(host_ip h2)"
	note "ok: Keep: the ToR sees h2's own address for h2's block"

	nh_cluster "    next_hop_mode: Self"
	nh_expect h3 Tor_h1 "$h2blk" "$(host_ip h1)"
	note "ok: Self: the ToR sees ours"

	# keepOriginalNextHop (the v1 keep_next_hop): next hop keep on eBGP
	nh_cluster "    keep_original_next_hop: true"
	nh_expect h3 Tor_h1 "$h2blk" "$(host_ip h2)"
	note "ok: keepOriginalNextHop on an eBGP peer: kept"
	assert_no_log_re h1 "$tor: not applied.*(nextHopMode|keepOriginalNextHop)"
	assert_running h1
}
scenario nexthop_modes

# frr_nh_is HOST PREFIX NH: FRR on HOST has PREFIX with next hop NH.
frr_nh_is() {
	frr_route_json "$1" "$2" | grep -q "\"nexthops\":\[{\"ip\":\"$3\""
}

# The same against FRR 8.4 as the ToR (h3, AS 65003): h2's block forwarded by
# ternd with Auto (ours, eBGP), Keep (h2's) and Self (ours again).
nexthop_frr() {
	require_ternd
	require_cmd bird birdc
	local tor=Node_198_18_0_3 h2blk f
	h2blk=$(host_block h2)
	netns_hosts 3
	nh_cluster ""
	f="$W/h3.frr.conf"
	frr_config "$(host_ip h3)" 65003 "$(host_ip h1):$TT_AS" >"$f"
	start_bird h2 "$(bird_conf h2 h1)"
	start_frr h3 "$f"
	start_ternd h1 "$(ternd_conf h1 "$W/cluster.yaml")"
	wait_log 30 h1 "$(ternd_est_line h2)"
	wait_frr_established 30 h3 "$(host_ip h1)"
	expect 30 "frr on h3 has $h2blk via $(host_ip h1) (Auto, eBGP)" frr_nh_is h3 "$h2blk" "$(host_ip h1)"
	nh_cluster "    next_hop_mode: Keep"
	wait_log_re 30 h1 "$tor.*sent notification Cease/Other Configuration Change"
	expect 30 "frr on h3 has $h2blk via $(host_ip h2) (Keep)" frr_nh_is h3 "$h2blk" "$(host_ip h2)"
	nh_cluster "    next_hop_mode: Self"
	expect 30 "frr on h3 has $h2blk via $(host_ip h1) (Self)" frr_nh_is h3 "$h2blk" "$(host_ip h1)"
	note "ok: FRR sees Auto/Keep/Self as BIRD does"
	assert_running h1
}
scenario nexthop_frr
