# shellcheck shell=bash
# tests/netns/t_filter.sh: BGPFilters (issue 15) on a session to a top-of-rack
# BIRD 2 (eBGP), as Calico's BGPPeer `filters` names them (agent/filter.h).
#
# h1: ternd, node h1 with two blocks (B1, B2) in the cluster file; h2: BIRD 2,
# AS 65001, announcing two prefixes (P1, P2) from a static protocol. The
# BGPPeer (node h1, peer h2) names an export filter (tor-out) and an import
# filter (tor-in); each rejects exactly one of the two with an Equal rule, the
# other falls through to Calico's own policy (export: own blocks; import:
# accept). Then the file changes the filters live: the routes move, and the
# session stays up (route refresh inbound, re-export outbound; one
# Established in ternd's log, no BIRD state change). Without route refresh
# on BIRD's side, an import change restarts the session instead (BIRD's own
# reconfigure does the same when a channel cannot reload). An interface
# rule on learned pod routes; a route a filter accepts carries no
# prefixAdvertisements community; the filters at start and changed live with FRR
# 8.4 as the ToR (its neighbor counters: one connection, a ROUTE-REFRESH
# received).
#
# ternd log lines used:
#   neighbor 198.18.0.2 AS65001 (Node_198_18_0_2): state OpenConfirm -> Established
#   neighbor ... : route refresh requested (import policy changed)
#   Node_198_18_0_2: BGPFilter export rules changed: routes sent re-evaluated

FT_AS=65001
FT_B1=10.244.1.0/26
FT_B2=10.244.1.64/26
FT_P1=192.0.2.0/24
FT_P2=198.51.100.0/24
FT_PEER=Node_198_18_0_2

# ft_cluster FILE OUT IN [NAMES]: the cluster (h1 with B1 and B2, the ToR
# peer naming NAMES, "tor-out, tor-in" by default) with tor-out rejecting OUT
# and tor-in rejecting IN (Equal); written atomically.
ft_cluster() {
	ft_cluster_rules "$1" "{cidr: $2, match_operator: Equal, action: Reject}" \
		"{cidr: $3, match_operator: Equal, action: Reject}" "${4-tor-out, tor-in}"
}

# ft_cluster_rules FILE OUT_RULE IN_RULE NAMES: the same with tor-out's and
# tor-in's one rule given (a YAML flow mapping); $FT_EXTRA: more top-level
# lines.
ft_cluster_rules() {
	local f=$1 out=$2 in=$3 names=$4
	cat >"$f.tmp.$$" <<EOF
as: $TT_AS
node_mesh: true
${FT_EXTRA:-}
pools:
  - cidr: $TT_POOL
    ipip: never
nodes:
  - name: h1
    ipv4: $(host_ip h1)
    blocks: [$FT_B1, $FT_B2]
filters:
  - name: tor-out
    export_v4:
      - $out
  - name: tor-in
    import_v4:
      - $in
peers:
  - ip: $(host_ip h2)
    as: $FT_AS
    node: h1
    filters: [$names]
EOF
	mv -f "$f.tmp.$$" "$f" || fail "cannot write $f"
}

# ft_bird_conf HOST [EXTRA]: the ToR: eBGP to h1, announcing P1 and P2;
# EXTRA goes into the protocol (e.g. "enable route refresh off;").
ft_bird_conf() {
	local h=$1 extra=${2:-} f="$W/$1.bird.conf"
	cat >"$f" <<EOF
log stderr all;
router id $(host_ip "$h");
protocol device { scan time 2; }
protocol static tor_routes {
  ipv4;
  route $FT_P1 blackhole;
  route $FT_P2 blackhole;
}
protocol bgp tern {
  debug { states };
  local $(host_ip "$h") as $FT_AS;
  neighbor $(host_ip h1) as $TT_AS;
  connect retry time 1;
  error wait time 1,5;
  $extra
  ipv4 {
    import all;
    export where proto = "tor_routes";
  };
}
EOF
	echo "$f"
}

# BIRD's routing table has / lacks PFX (from ternd)
ft_bird_has() { birdc_q h2 show route "$1" | grep -F -- "$1" >/dev/null; }
ft_bird_lacks() { ! ft_bird_has "$1"; }
ft_kernel_lacks() { ! route_has h1 "^${1//./\\.} "; }
ft_kernel_has() { route_has h1 "^${1//./\\.} .*via $(host_ip h2) "; }

# the count of times BIRD's session went up / ternd's reached Established
ft_bird_ups() { grep -c "tern: State changed to up" "$(bird_log h2)"; }
ft_ternd_ests() { log_count h1 "\\($FT_PEER\\): state OpenConfirm -> Established"; }

# start h1 and h2 and wait for the session; $1: BIRD's extra protocol line
ft_start() {
	ft_cluster "$W/cluster.yaml" "$FT_B2" "$FT_P2"
	start_bird h2 "$(ft_bird_conf h2 "${1:-}")"
	start_ternd h1 "$(ternd_conf h1 "$W/cluster.yaml")"
	wait_bird_established 30 h2 tern
	wait_log_re 30 h1 "\($FT_PEER\): state OpenConfirm -> Established"
}

# (a) export and import filters at session start, then changed live.
filter_tor_bird() {
	require_ternd
	require_cmd bird birdc
	local since
	netns_hosts 2
	ft_start
	# export: tor-out rejects B2; B1 falls through to Calico's policy
	expect 30 "BIRD has $FT_B1 from ternd" ft_bird_has "$FT_B1"
	ft_bird_lacks "$FT_B2" || fail "BIRD has $FT_B2, which tor-out rejects"
	note "ok: BIRD has $FT_B1 and not $FT_B2"
	# import: tor-in rejects P2; P1 falls through to accept
	expect 30 "h1's kernel has $FT_P1 via h2" ft_kernel_has "$FT_P1"
	wait_log_re 30 h1 "\($FT_PEER\): End-of-RIB received"
	ft_kernel_lacks "$FT_P2" || fail "h1's kernel has $FT_P2, which tor-in rejects"
	note "ok: h1's kernel has $FT_P1 and not $FT_P2"
	assert_no_log_re h1 "not applied.*filters"
	since=$(birdc_q h2 show protocols tern | grep -w tern)
	# live: each filter now names the other prefix
	ft_cluster "$W/cluster.yaml" "$FT_B1" "$FT_P1"
	wait_log_re 30 h1 "\($FT_PEER\): route refresh requested"
	wait_log 30 h1 "$FT_PEER: BGPFilter export rules changed"
	expect 30 "BIRD has $FT_B2 (tor-out changed)" ft_bird_has "$FT_B2"
	expect 30 "BIRD lost $FT_B1 (tor-out changed)" ft_bird_lacks "$FT_B1"
	expect 30 "h1's kernel has $FT_P2 (tor-in changed)" ft_kernel_has "$FT_P2"
	expect 30 "h1's kernel lost $FT_P1 (tor-in changed)" ft_kernel_lacks "$FT_P1"
	# no session reset: one Established each side, the same up-since
	(($(ft_ternd_ests) == 1)) || fail "ternd's session was reset ($(ft_ternd_ests) Established)"
	(($(ft_bird_ups) == 1)) || fail "BIRD's session was reset ($(ft_bird_ups) ups)"
	[[ $(birdc_q h2 show protocols tern | grep -w tern) == "$since" ]] ||
		fail "BIRD's protocol line changed: $since"
	note "ok: routes moved, session not reset ($since)"
	# the peer names no filter any more: Calico's policy alone
	ft_cluster "$W/cluster.yaml" "$FT_B1" "$FT_P1" ""
	expect 30 "BIRD has $FT_B1 again (no filter)" ft_bird_has "$FT_B1"
	expect 30 "h1's kernel has $FT_P1 again (no filter)" ft_kernel_has "$FT_P1"
	ft_bird_has "$FT_B2" || fail "BIRD lost $FT_B2"
	ft_kernel_has "$FT_P2" || fail "h1's kernel lost $FT_P2"
	# the session gains its filters again: filtered again, live
	ft_cluster "$W/cluster.yaml" "$FT_B1" "$FT_P1"
	expect 30 "BIRD lost $FT_B1 (filters named again)" ft_bird_lacks "$FT_B1"
	expect 30 "h1's kernel lost $FT_P1 (filters named again)" ft_kernel_lacks "$FT_P1"
	(($(ft_ternd_ests) == 1)) || fail "ternd's session was reset"
	(($(ft_bird_ups) == 1)) || fail "BIRD's session was reset"
	assert_running h1
}
scenario filter_tor_bird

# (b) BIRD without route refresh: an import change restarts the session (the
# only way to see the routes again), an export change alone does not.
filter_no_route_refresh() {
	require_ternd
	require_cmd bird birdc
	netns_hosts 2
	ft_start "enable route refresh off;"
	expect 30 "h1's kernel has $FT_P1 via h2" ft_kernel_has "$FT_P1"
	expect 30 "BIRD has $FT_B1 from ternd" ft_bird_has "$FT_B1"
	# export only: re-exported in place
	ft_cluster "$W/cluster.yaml" "$FT_B1" "$FT_P2"
	expect 30 "BIRD has $FT_B2 (tor-out changed)" ft_bird_has "$FT_B2"
	expect 30 "BIRD lost $FT_B1 (tor-out changed)" ft_bird_lacks "$FT_B1"
	(($(ft_ternd_ests) == 1)) || fail "an export change reset the session"
	# import: no route refresh: the session restarts
	ft_cluster "$W/cluster.yaml" "$FT_B1" "$FT_P1"
	wait_log_re 30 h1 "\($FT_PEER\): import policy changed and the peer does not do route refresh: restarting"
	wait_log_count 30 h1 "\($FT_PEER\): state OpenConfirm -> Established" 2
	expect 30 "h1's kernel has $FT_P2 (tor-in changed)" ft_kernel_has "$FT_P2"
	expect 30 "h1's kernel lost $FT_P1 (tor-in changed)" ft_kernel_lacks "$FT_P1"
	assert_running h1
}
scenario filter_no_route_refresh

# ft_pod HOST IF ADDR: a pod's route as Felix installs it (ADDR/32 dev IF, a
# veth, proto 80), which ternd learns (kernel.learn_interfaces "cali*").
ft_pod() {
	local hns
	hns=$(host_ns "$1")
	ip -n "$hns" link add "$2" type veth peer name "$2-p" &&
		ip -n "$hns" link set "$2" up && ip -n "$hns" link set "$2-p" up &&
		ip -n "$hns" route add "$3/32" dev "$2" scope link proto 80 ||
		fail "cannot add $3/32 dev $2 on $1"
}

# (c) interface: two borrowed pod addresses (in the pool, beneath no block of
# h1: Calico's policy exports them) learned on two cali devices; a rule with
# an interface rejects the one on the device it names, then (live) a
# pattern names the other. '*' also matches an own block (BIRD's blackhole
# route has the empty interface name), which nothing else does.
filter_interface() {
	require_ternd
	require_cmd bird birdc
	local pod1=10.244.9.5/32 pod2=10.244.9.6/32
	netns_hosts 2
	ft_cluster_rules "$W/cluster.yaml" "{interface: caliaa01, action: Reject}" \
		"{cidr: $FT_P2, match_operator: Equal, action: Reject}" "tor-out, tor-in"
	start_bird h2 "$(ft_bird_conf h2)"
	ft_pod h1 caliaa01 "${pod1%/*}"
	ft_pod h1 calibb02 "${pod2%/*}"
	start_ternd h1 "$(ternd_conf h1 "$W/cluster.yaml")"
	wait_bird_established 30 h2 tern
	expect 30 "BIRD has $pod2 (calibb02)" ft_bird_has "$pod2"
	expect 30 "BIRD has $FT_B1" ft_bird_has "$FT_B1"
	ft_bird_lacks "$pod1" || fail "BIRD has $pod1, learned on caliaa01, which tor-out rejects"
	note "ok: $pod1 (caliaa01) rejected, $pod2 (calibb02) and the blocks exported"
	ft_cluster_rules "$W/cluster.yaml" "{interface: \"cal*b*\", action: Reject}" \
		"{cidr: $FT_P2, match_operator: Equal, action: Reject}" "tor-out, tor-in"
	expect 30 "BIRD has $pod1 (pattern changed)" ft_bird_has "$pod1"
	expect 30 "BIRD lost $pod2 (cal*b* matches calibb02)" ft_bird_lacks "$pod2"
	ft_bird_has "$FT_B1" || fail "BIRD lost $FT_B1: an own block has no interface"
	ft_cluster_rules "$W/cluster.yaml" "{interface: \"*\", action: Reject}" \
		"{cidr: $FT_P2, match_operator: Equal, action: Reject}" "tor-out, tor-in"
	expect 30 "BIRD lost $FT_B1 ('*' matches the empty name)" ft_bird_lacks "$FT_B1"
	expect 30 "BIRD lost $pod1 ('*')" ft_bird_lacks "$pod1"
	(($(ft_ternd_ests) == 1)) || fail "ternd's session was reset"
	assert_running h1
}
scenario filter_interface

# (e) prefixAdvertisements' communities: a route a BGPFilter accepts goes
# without them (Calico's BIRD: the rule's accept ends the export filter
# before calico_export_to_bgp_peers applies the communities); a route no
# rule matches gets them from Calico's policy.
filter_communities() {
	require_ternd
	require_cmd bird birdc
	netns_hosts 2
	FT_EXTRA="prefix_advertisements:
  - {cidr: $TT_POOL, communities: [\"65000:100\"]}"
	ft_cluster_rules "$W/cluster.yaml" \
		"{cidr: $FT_B1, match_operator: Equal, action: Accept}" \
		"{cidr: $FT_P2, match_operator: Equal, action: Reject}" "tor-out, tor-in"
	start_bird h2 "$(ft_bird_conf h2)"
	start_ternd h1 "$(ternd_conf h1 "$W/cluster.yaml")"
	wait_bird_established 30 h2 tern
	expect 30 "BIRD has $FT_B2 with (65000,100)" \
		bird_show_has h2 "BGP.community: (65000,100)" show route all "$FT_B2"
	expect 30 "BIRD has $FT_B1" ft_bird_has "$FT_B1"
	bird_show_has h2 "BGP.community" show route all "$FT_B1" &&
		fail "$FT_B1, accepted by tor-out, carries a community: $(birdc_q h2 show route all "$FT_B1")"
	note "ok: $FT_B1 (accepted by tor-out) plain, $FT_B2 (Calico's policy) with the community"
	assert_running h1
}
scenario filter_communities

# FRR's neighbor counter KEY (e.g. connectionsEstablished) for h1
ft_frr_counter() {
	frr_json h2 "show bgp neighbors $(host_ip h1) json" |
		grep -o "\"$1\":[0-9]*" | head -1 | cut -d: -f2
}
ft_frr_lacks() { ! frr_has_route h2 "$1"; }

# (d) the same with FRR 8.4 as the ToR: the filters at start, then changed
# live: the routes move; FRR counts one connection established and the
# ROUTE-REFRESH it received from ternd.
filter_tor_frr() {
	require_ternd
	netns_hosts 2
	ft_cluster "$W/cluster.yaml" "$FT_B2" "$FT_P2"
	{
		frr_config "$(host_ip h2)" "$FT_AS" "$(host_ip h1):$TT_AS"
		echo " address-family ipv4 unicast"
		echo "  network $FT_P1"
		echo "  network $FT_P2"
		echo " exit-address-family"
	} >"$W/h2.frr.conf"
	start_frr h2 "$W/h2.frr.conf"
	start_ternd h1 "$(ternd_conf h1 "$W/cluster.yaml")"
	wait_frr_established 30 h2 "$(host_ip h1)"
	wait_frr_route 30 h2 "$FT_B1"
	ft_frr_lacks "$FT_B2" || fail "FRR has $FT_B2, which tor-out rejects"
	expect 30 "h1's kernel has $FT_P1 via h2" ft_kernel_has "$FT_P1"
	wait_log_re 30 h1 "\($FT_PEER\): End-of-RIB received"
	ft_kernel_lacks "$FT_P2" || fail "h1's kernel has $FT_P2, which tor-in rejects"
	note "ok: FRR has $FT_B1 only, h1's kernel $FT_P1 only"
	(($(ft_frr_counter connectionsEstablished) == 1)) ||
		fail "FRR: $(ft_frr_counter connectionsEstablished) connections established"
	ft_cluster "$W/cluster.yaml" "$FT_B1" "$FT_P1"
	wait_frr_route 30 h2 "$FT_B2"
	wait_frr_no_route 30 h2 "$FT_B1"
	expect 30 "h1's kernel has $FT_P2 (tor-in changed)" ft_kernel_has "$FT_P2"
	expect 30 "h1's kernel lost $FT_P1 (tor-in changed)" ft_kernel_lacks "$FT_P1"
	(($(ft_frr_counter connectionsEstablished) == 1)) ||
		fail "FRR's session was reset ($(ft_frr_counter connectionsEstablished) connections)"
	(($(ft_frr_counter routeRefreshRecv) >= 1)) ||
		fail "FRR received no ROUTE-REFRESH: $(frr_json h2 "show bgp neighbors $(host_ip h1) json")"
	(($(ft_ternd_ests) == 1)) || fail "ternd's session was reset"
	note "ok: routes moved; FRR: 1 connection, $(ft_frr_counter routeRefreshRecv) route refresh received"
	assert_running h1
}
scenario filter_tor_frr
