# shellcheck shell=bash
# tests/netns/t_export.sh: what ternd announces beyond its blocks (issue 15):
# BGPConfiguration communities / prefixAdvertisements (standard and large
# communities on the routes inside a prefix) and the service ranges
# (serviceClusterIPs ...: announced from every node, never in a node's kernel).
#
# Topology: ternd on h1 and h2 (the mesh), BIRD 2 (export_communities,
# export_services) or FRR 8.4 (export_frr) on h3 as a top-of-rack router
# in AS 65001 (FRR: 65002), peering with both nodes over eBGP (a global BGPPeer in the
# cluster file). The ToR announces 10.96.5.0/24 (inside the service range, as a
# route learned from outside) and 192.0.2.0/24 (outside it: the control, which
# the nodes must install). Every wait is bounded; a failure dumps every log.

TOR_AS=65001
SVC=10.96.0.0/16

# tor_config: BIRD 2 as a plain eBGP router (no kernel protocol: its table is
# what we read, with birdc).
tor_config() {
	cat <<EOF
log stderr all;
router id $(host_ip h3);
protocol device { scan time 2; }
protocol static {
  ipv4;
  route 10.96.5.0/24 blackhole;
  route 192.0.2.0/24 blackhole;
}
template bgp node {
  local as $TOR_AS;
  ipv4 {
    import all;
    export filter {
      if net = 10.96.5.0/24 then {
        bgp_community.add((65001, 5));
        bgp_large_community.add((65001, 5, 5));
      }
      accept;
    };
  };
  connect retry time 2;
  error wait time 1,5;
}
protocol bgp node1 from node { neighbor $(host_ip h1) as $TT_AS; }
protocol bgp node2 from node { neighbor $(host_ip h2) as $TT_AS; }
EOF
}

# export_cluster FILE EXTRA [H2]: the two nodes, the ToR as a global peer, then
# EXTRA (BGPConfiguration keys) at the top level, H2 (keys of node h2, e.g. its
# labels) in h2's entry; written atomically.
export_cluster() {
	local f=$1
	{
		echo "as: $TT_AS"
		echo "node_mesh: true"
		echo "pools:"
		echo "  - cidr: $TT_POOL"
		echo "    ipip: never"
		echo "nodes:"
		for h in h1 h2; do
			echo "  - name: $h"
			echo "    ipv4: $(host_ip "$h")"
			echo "    blocks: [$(host_block "$h")]"
			[[ $h == h2 && -n ${3:-} ]] && printf '%s\n' "$3"
		done
		echo "peers:"
		echo "  - ip: $(host_ip h3)"
		echo "    as: $TOR_AS"
		[[ -n ${PEER_EXTRA:-} ]] && printf '%s\n' "$PEER_EXTRA"
		printf '%s\n' "$2"
	} >"$f.tmp.$$" || fail "cannot write $f.tmp.$$"
	mv -f "$f.tmp.$$" "$f" || fail "cannot rename $f.tmp.$$ to $f"
}

# tor_route PFX: `show route PFX all` at the ToR (h3)
tor_route() { birdc_q h3 show route "$1" all; }

# tor_path PFX PROTO: the ToR's path to PFX from PROTO (node1, node2): its
# first line ("unicast [node1 ...") and its attribute lines (after a tab)
tor_path() {
	tor_route "$1" | awk -v p="[$2 " '
		!/^\t/ { on = index($0, p) > 0 }
		on { print }'
}

# tor_route_has PFX STRING: the ToR's view of PFX contains STRING
tor_route_has() { tor_route "$1" | grep -F -- "$2" >/dev/null; }
tor_route_lacks() { tor_route "$1" | grep -F -- "$2" >/dev/null && return 1 || return 0; }
# tor_lc_has PFX VALUE: the ToR's BGP.large_community line of PFX has VALUE
tor_lc_has() { tor_route "$1" | grep -F 'BGP.large_community:' | grep -F -- "$2" >/dev/null; }
tor_no_route() { ! tor_route "$1" | grep -E "^${1//./\\.} " >/dev/null; }

# ternd_route HOST PFX: ternd's own `show route PFX all` (its BIRD-style socket)
ternd_route() { timeout 10 birdc -s "$W/$1.ctl" show route "$2" all; }

# ternd_path HOST PFX PROTO: the lines of ternd's path to PFX from PROTO in
# its `show route PFX all` (BIRD 1.6's layout: a path's first line names its
# protocol, "via 198.18.0.1 on eth0 [Mesh_198_18_0_1 ...", its attributes
# follow, each after a tab)
ternd_path() {
	ternd_route "$1" "$2" | awk -v p="[$3 " '
		!/^\t/ { on = index($0, p) > 0 }
		on { print }'
}

# kernel_has HOST PFX: HOST's main table has a route for exactly PFX
kernel_has() { hexec "$1" ip -4 route show exact "$2" | grep -q .; }

assert_not_in_kernels() {
	local pfx=$1 h
	for h in h1 h2; do
		kernel_has "$h" "$pfx" && fail "$h's kernel has $pfx: $(hexec "$h" ip -4 route show exact "$pfx")"
	done
	note "ok: $pfx in neither node's kernel"
}

# (a) communities and large communities on the nodes' blocks at the ToR,
# changed live (no session reset), gone when removed.
export_communities() {
	require_ternd
	require_cmd bird birdc
	netns_hosts 3
	export_cluster "$W/cluster.yaml" "communities:
  - {name: tor, value: \"65000:100\"}
prefix_advertisements:
  - {cidr: $TT_POOL, communities: [tor, \"65000:1:2\"]}
  - {cidr: $(host_block h1), communities: [\"65000:111\"]}"
	tor_config >"$W/h3.bird.conf"
	start_bird h3 "$W/h3.bird.conf"
	start_ternd h1 "$(ternd_conf h1 "$W/cluster.yaml")"
	start_ternd h2 "$(ternd_conf h2 "$W/cluster.yaml")"
	wait_bird_established 30 h3 node1
	wait_bird_established 30 h3 node2
	wait_log 30 h1 "$(ternd_est_line h2)"
	local b1 b2
	b1=$(host_block h1)
	b2=$(host_block h2)
	expect 30 "ToR: $b1 carries (65000,100)" tor_route_has "$b1" "BGP.community: (65000,100) (65000,111)"
	expect 30 "ToR: $b1 carries the large community" tor_route_has "$b1" "BGP.large_community: (65000, 1, 2)"
	expect 30 "ToR: $b2 carries (65000,100) only" tor_route_has "$b2" "BGP.community: (65000,100)"
	tor_route_lacks "$b2" "65000,111" || fail "ToR: $b2 carries h1's block's community: $(tor_route "$b2")"
	expect 30 "ToR: $b2 carries the large community" tor_route_has "$b2" "BGP.large_community: (65000, 1, 2)"
	# a mesh peer gets them too (calico_export_to_bgp_peers applies to every peer)
	expect 30 "h2 got h1's block with the communities over the mesh" \
		eval "ternd_route h2 $b1 | grep -F 'BGP.community: (65000,100) (65000,111)'"
	# the ToR's own routes reflected nowhere, but re-announced over the mesh:
	# inside no prefixAdvertisement, so without communities
	expect 30 "h2 has the ToR's 192.0.2.0/24" eval "ternd_route h2 192.0.2.0/24 | grep -F 'BGP.as_path: $TOR_AS'"
	local est1
	est1=$(log_count h1 'Established')

	# a BGPFilter accepting h1's block towards the ToR: Calico's filter ends
	# at that accept, before apply_communities: the block goes out without
	# them from h1 (h2 passes on what h1 sent it over the mesh), h2's block
	# (no rule matches it) keeps them
	# (the filter first matches nothing we send, then h1's block: a change
	# of the filter's rules re-exports; a session gaining a filter list is
	# not re-exported by filter.c yet)
	local comms loads
	comms="communities:
  - {name: tor, value: \"65000:100\"}
prefix_advertisements:
  - {cidr: $TT_POOL, communities: [tor, \"65000:1:2\"]}
  - {cidr: $(host_block h1), communities: [\"65000:111\"]}"
	loads=$(log_count h1 'datastore: loaded')
	PEER_EXTRA="    filters: [tor-out]" export_cluster "$W/cluster.yaml" "$comms
filters:
  - name: tor-out
    export_v4:
      - {cidr: 192.0.2.0/24, match_operator: Equal, action: Accept}"
	wait_log_count 30 h1 'datastore: loaded' $((loads + 1))
	PEER_EXTRA="    filters: [tor-out]" export_cluster "$W/cluster.yaml" "$comms
filters:
  - name: tor-out
    export_v4:
      - {cidr: $b1, match_operator: Equal, action: Accept}"
	wait_log 30 h1 "Global_198_18_0_3: BGPFilter export rules changed"
	expect 30 "ToR: $b1 from h1 without communities (accepted by the filter)" \
		eval "tor_path $b1 node1 | grep -F '[node1 ' && ! tor_path $b1 node1 | grep -F community"
	tor_path "$b1" node2 | grep -F "BGP.community: (65000,100) (65000,111)" >/dev/null ||
		fail "ToR: $b1 from h2 lost what h1 sent over the mesh: $(tor_path "$b1" node2)"
	tor_path "$b2" node2 | grep -F "BGP.large_community: (65000, 1, 2)" >/dev/null ||
		fail "ToR: $b2 from h2 without the large community: $(tor_path "$b2" node2)"

	# live: new values; the old ones go, without a session reset
	export_cluster "$W/cluster.yaml" "communities:
  - {name: tor, value: \"65000:200\"}
prefix_advertisements:
  - {cidr: $TT_POOL, communities: [tor, \"65000:3:4\", \"4200000000:0:1\"]}"
	expect 30 "ToR: $b1 carries the new community only" tor_route_has "$b1" "BGP.community: (65000,200)"
	expect 30 "ToR: $b1 carries (65000, 3, 4)" tor_lc_has "$b1" "(65000, 3, 4)"
	expect 30 "ToR: $b1 carries (4200000000, 0, 1)" tor_lc_has "$b1" "(4200000000, 0, 1)"
	tor_route_lacks "$b1" "(65000,111)" || fail "ToR: $b1 still has (65000,111)"
	tor_route_lacks "$b1" "(65000, 1, 2)" || fail "ToR: $b1 still has (65000, 1, 2)"
	expect 30 "ToR: $b2 carries the new community" tor_route_has "$b2" "BGP.community: (65000,200)"
	(($(log_count h1 'Established') == est1)) || fail "h1: a session was reset by the change"
	bird_show_has h3 Established show protocols node1 || fail "ToR: node1 not Established"

	# removed: no communities at all
	export_cluster "$W/cluster.yaml" ""
	expect 30 "ToR: $b1 without communities" tor_route_lacks "$b1" "BGP.community"
	expect 30 "ToR: $b1 without large communities" tor_route_lacks "$b1" "BGP.large_community"
	tor_route_has "$b1" "$b1" || fail "ToR: $b1 gone"
	(($(log_count h1 'Established') == est1)) || fail "h1: a session was reset by the change"
	assert_running h1 h2
}
scenario export_communities

# (b) serviceClusterIPs: announced by both nodes to the ToR, in no node's
# kernel, a route the ToR announces inside it kept out of every kernel (h2 also
# learns it from h1 over the mesh), withdrawn when the range goes; then the
# ToR's route inside it is an ordinary route again and is installed.
export_services() {
	require_ternd
	require_cmd bird birdc
	netns_hosts 3
	export_cluster "$W/cluster.yaml" "service_cluster_ips: [$SVC]
service_external_ips: [198.51.100.0/24, 198.51.100.7/32]
communities:
  - {name: svc, value: \"65000:96\"}
prefix_advertisements:
  - {cidr: 10.96.0.0/12, communities: [svc, \"65000:9:6\"]}"
	tor_config >"$W/h3.bird.conf"
	start_bird h3 "$W/h3.bird.conf"
	start_ternd h1 "$(ternd_conf h1 "$W/cluster.yaml")"
	start_ternd h2 "$(ternd_conf h2 "$W/cluster.yaml")"
	wait_bird_established 30 h3 node1
	wait_bird_established 30 h3 node2
	wait_log 30 h1 "$(ternd_est_line h2)"
	wait_log 30 h1 "service ranges announced, never in the kernel: $SVC 198.51.100.0/24"
	# at the ToR: from both nodes, with the prefixAdvertisement's communities
	expect 30 "ToR: $SVC from h1" tor_route_has "$SVC" "via $(host_ip h1)"
	expect 30 "ToR: $SVC from h2" tor_route_has "$SVC" "via $(host_ip h2)"
	expect 30 "ToR: $SVC with its communities" tor_route_has "$SVC" "BGP.community: (65000,96)"
	expect 30 "ToR: $SVC with its large community" tor_route_has "$SVC" "BGP.large_community: (65000, 9, 6)"
	expect 30 "ToR: the external range" tor_route_has 198.51.100.0/24 "via $(host_ip h1)"
	# a single address is a per-service route (Kubernetes API): not announced
	tor_no_route 198.51.100.7/32 || fail "ToR: 198.51.100.7/32 announced: $(tor_route 198.51.100.7/32)"
	# the control: a ToR route outside the ranges is installed on both nodes
	expect 30 "h1 installs the ToR's 192.0.2.0/24" kernel_has h1 192.0.2.0/24
	expect 30 "h2 installs the ToR's 192.0.2.0/24" kernel_has h2 192.0.2.0/24
	# h2 has h1's range from the mesh and the ToR's 10.96.5.0/24 from both
	expect 30 "h2 learned $SVC from h1 over the mesh" \
		eval "ternd_route h2 $SVC | grep -F 'Mesh_198_18_0_1'"
	expect 30 "h2 learned 10.96.5.0/24 from h1 over the mesh" \
		eval "ternd_route h2 10.96.5.0/24 | grep -F 'Mesh_198_18_0_1'"
	expect 30 "h1 learned 10.96.5.0/24 from the ToR" \
		eval "ternd_route h1 10.96.5.0/24 | grep -F 'Global_198_18_0_3'"
	# the ToR's communities are kept and passed on over the mesh, the
	# prefixAdvertisement's added after them
	expect 30 "h2's path from h1 to 10.96.5.0/24 keeps the ToR's large community" \
		eval "ternd_path h2 10.96.5.0/24 Mesh_198_18_0_1 | grep -Fx \$'\\tBGP.large_community: (65001, 5, 5) (65000, 9, 6)'"
	ternd_path h2 10.96.5.0/24 Mesh_198_18_0_1 | grep -Fx $'\tBGP.community: (65001,5) (65000,96)' >/dev/null ||
		fail "h2's path from h1 to 10.96.5.0/24: $(ternd_path h2 10.96.5.0/24 Mesh_198_18_0_1)"
	ternd_path h2 10.96.5.0/24 Global_198_18_0_3 | grep -Fx $'\tBGP.large_community: (65001, 5, 5)' >/dev/null ||
		fail "h2's path from the ToR to 10.96.5.0/24: $(ternd_path h2 10.96.5.0/24 Global_198_18_0_3)"
	# and in ternctl's JSON
	local js
	js=$(timeout 10 "$(dirname "$TERND")/ternctl" -s "$W/h2.ctl" -o json show route 10.96.5.0/24 all)
	python3 -c '
import json, sys
paths = json.loads(sys.argv[1])["routes"][0]["paths"]
p = [x for x in paths if x["proto"] == "Mesh_198_18_0_1"][0]
assert p["large_communities"] == [[65001, 5, 5], [65000, 9, 6]], p
assert p["communities"] == [[65001, 5], [65000, 96]], p
' "$js" || fail "ternctl -o json: h2's path from h1 to 10.96.5.0/24: $js"
	note "ok: ternctl's JSON has both community lists"
	assert_not_in_kernels "$SVC"
	assert_not_in_kernels 10.96.5.0/24
	assert_not_in_kernels 198.51.100.0/24

	# h2 excluded from service advertisement (confd's label): it stops
	# announcing the ranges, keeps h1's over the mesh, out of its kernel
	local svc_conf="service_cluster_ips: [$SVC]
service_external_ips: [198.51.100.0/24, 198.51.100.7/32]
communities:
  - {name: svc, value: \"65000:96\"}
prefix_advertisements:
  - {cidr: 10.96.0.0/12, communities: [svc, \"65000:9:6\"]}"
	export_cluster "$W/cluster.yaml" "$svc_conf" "    labels:
      node.kubernetes.io/exclude-from-external-load-balancers: \"true\""
	wait_log 30 h2 "node.kubernetes.io/exclude-from-external-load-balancers is true"
	expect 30 "ToR: $SVC no longer from h2" tor_route_lacks "$SVC" "[node2 "
	tor_route_has "$SVC" "[node1 " || fail "ToR: $SVC not from h1: $(tor_route "$SVC")"
	expect 30 "h2's own $SVC gone" eval "! ternd_route h2 $SVC | grep -F static1"
	expect 30 "h2 has $SVC from h1 only" eval "ternd_route h2 $SVC | grep -F Mesh_198_18_0_1"
	assert_not_in_kernels "$SVC"
	export_cluster "$W/cluster.yaml" "$svc_conf"
	wait_log 30 h2 "node.kubernetes.io/exclude-from-external-load-balancers no longer true"
	expect 30 "ToR: $SVC from h2 again" tor_route_has "$SVC" "[node2 "
	assert_not_in_kernels "$SVC"

	# the cluster range goes: withdrawn at the ToR, the ToR's route inside it
	# is an ordinary route now
	export_cluster "$W/cluster.yaml" "service_external_ips: [198.51.100.0/24]"
	expect 30 "ToR: $SVC withdrawn" tor_no_route "$SVC"
	expect 30 "h1 installs 10.96.5.0/24 now" kernel_has h1 10.96.5.0/24
	expect 30 "h2 installs 10.96.5.0/24 now" kernel_has h2 10.96.5.0/24
	tor_route_has 198.51.100.0/24 "via" || fail "ToR: the external range went too"
	assert_not_in_kernels 198.51.100.0/24
	tor_route_lacks 198.51.100.0/24 "BGP.community" || fail "ToR: communities left on 198.51.100.0/24"

	# and everything goes
	export_cluster "$W/cluster.yaml" ""
	expect 30 "ToR: 198.51.100.0/24 withdrawn" tor_no_route 198.51.100.0/24
	wait_log 30 h1 "service ranges announced, never in the kernel: none"
	assert_running h1 h2
}
scenario export_services

# frr_paths HOST PFX: FRR's paths to PFX, one line each:
# "PEER|COMMUNITIES|LARGE COMMUNITIES" (each list sorted, space-separated),
# from `show bgp ipv4 unicast PFX json`.
frr_paths() {
	frr_vtysh "$1" "show bgp ipv4 unicast $2 json" | python3 -c '
import json, sys
d = json.load(sys.stdin)
for p in d.get("paths", []):
    c = sorted(p.get("community", {}).get("string", "").split())
    lc = sorted(p.get("largeCommunity", {}).get("string", "").split())
    print("%s|%s|%s" % (p.get("peer", {}).get("peerId", ""), " ".join(c),
        " ".join(lc)))
'
}

# frr_path_is HOST PFX LINE: one of FRR's paths to PFX is exactly LINE
frr_path_is() { frr_paths "$1" "$2" | grep -Fx -- "$3" >/dev/null; }

# (c) the same against FRR 8.4 as the ToR (AS 65002): the communities on the
# blocks, changed live and removed; the service range announced by both
# nodes, FRR's route inside it kept out of the kernels, then withdrawn.
export_frr() {
	local tor_as=65002 b1 b2 n1 n2 est1
	require_ternd
	netns_hosts 3
	b1=$(host_block h1)
	b2=$(host_block h2)
	n1=$(host_ip h1)
	n2=$(host_ip h2)
	TOR_AS=$tor_as export_cluster "$W/cluster.yaml" "service_cluster_ips: [$SVC]
communities:
  - {name: tor, value: \"65000:100\"}
prefix_advertisements:
  - {cidr: $TT_POOL, communities: [tor, \"65000:1:2\"]}"
	{
		frr_config "$(host_ip h3)" "$tor_as" "$n1:$TT_AS" "$n2:$TT_AS"
		echo " address-family ipv4 unicast"
		echo "  network 10.96.5.0/24"
		echo "  network 192.0.2.0/24"
		echo " exit-address-family"
	} >"$W/h3.frr.conf"
	start_frr h3 "$W/h3.frr.conf"
	start_ternd h1 "$(ternd_conf h1 "$W/cluster.yaml")"
	start_ternd h2 "$(ternd_conf h2 "$W/cluster.yaml")"
	wait_frr_established 30 h3 "$n1"
	wait_frr_established 30 h3 "$n2"
	wait_log 30 h1 "$(ternd_est_line h2)"
	expect 30 "FRR: $b1 from h1 with 65000:100 and 65000:1:2" \
		frr_path_is h3 "$b1" "$n1|65000:100|65000:1:2"
	expect 30 "FRR: $b2 from h2 with 65000:100 and 65000:1:2" \
		frr_path_is h3 "$b2" "$n2|65000:100|65000:1:2"
	expect 30 "FRR: $SVC from h1 (no communities: outside the pool)" frr_path_is h3 "$SVC" "$n1||"
	expect 30 "FRR: $SVC from h2" frr_path_is h3 "$SVC" "$n2||"
	expect 30 "h1 installs FRR's 192.0.2.0/24" kernel_has h1 192.0.2.0/24
	expect 30 "h2 learned 10.96.5.0/24 from h1 over the mesh" \
		eval "ternd_route h2 10.96.5.0/24 | grep -F 'Mesh_198_18_0_1'"
	assert_not_in_kernels "$SVC"
	assert_not_in_kernels 10.96.5.0/24
	est1=$(log_count h1 'Established')

	TOR_AS=$tor_as export_cluster "$W/cluster.yaml" "service_cluster_ips: [$SVC]
prefix_advertisements:
  - {cidr: $b1, communities: [\"65000:200\", \"65000:7:7\"]}"
	expect 30 "FRR: $b1 with the new values only" frr_path_is h3 "$b1" "$n1|65000:200|65000:7:7"
	expect 30 "FRR: $b2 without communities" frr_path_is h3 "$b2" "$n2||"

	TOR_AS=$tor_as export_cluster "$W/cluster.yaml" ""
	expect 30 "FRR: $b1 without communities" frr_path_is h3 "$b1" "$n1||"
	wait_frr_no_route 30 h3 "$SVC"
	expect 30 "h1 installs 10.96.5.0/24 now" kernel_has h1 10.96.5.0/24
	expect 30 "h2 installs 10.96.5.0/24 now" kernel_has h2 10.96.5.0/24
	(($(log_count h1 'Established') == est1)) || fail "h1: a session was reset by the changes"
	assert_running h1 h2
}
scenario export_frr
