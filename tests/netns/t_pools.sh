# shellcheck shell=bash
# tests/netns/t_pools.sh: pools as Calico defines them, and unsafe blocks (SPEC 3).
#
# Three ternd hosts share one cluster file (file datastore). What is checked:
#   (a) pools_vxlan: a VXLAN pool's blocks are announced (h1's rib has h2's block,
#       `ternctl show route`) but nothing of it is in the kernel (Felix programs
#       VXLAN routes: calico_kernel_programming rejects them); the pool rewritten
#       to vxlan never puts the route in h1's kernel without a restart;
#   (b) pools_no_export: a pool with disable_bgp_export: h2's block in it is not
#       announced (h1 has it neither in its rib nor in its kernel), while h2's block
#       of a normal pool is;
#   (c) pools_bad_block: a block outside every pool is logged with its name and
#       skipped (no blackhole, no announcement); everything else works.
# ternctl is $TERNCTL (default: ternctl next to $TERND). Every wait is bounded.

TERNCTL=${TERNCTL:-$(dirname "$TERND")/ternctl}

# pools_cluster FILE POOLS HOST:BLOCKS...: write the cluster file atomically. POOLS is
# the YAML of the pools: list (already indented); BLOCKS is a comma-separated list.
pools_cluster() {
	local f=$1 pools=$2 hb
	shift 2
	{
		echo "as: $TT_AS"
		echo "node_mesh: true"
		echo "pools:"
		printf '%s\n' "$pools"
		echo "nodes:"
		for hb in "$@"; do
			echo "  - name: ${hb%%:*}"
			echo "    ipv4: $(host_ip "${hb%%:*}")"
			echo "    blocks: [${hb#*:}]"
		done
		echo "peers: []"
	} >"$f.tmp.$$" || fail "cannot write $f.tmp.$$"
	mv -f "$f.tmp.$$" "$f" || fail "cannot rename $f.tmp.$$ to $f"
}

# pools_start CLUSTERFILE HOST...: ternd on each HOST, and the mesh up on h1.
pools_start() {
	local cl=$1 h
	shift
	[[ -x $TERNCTL ]] || fail "ternctl not built: $TERNCTL"
	for h in "$@"; do
		start_ternd "$h" "$(ternd_conf "$h" "$cl")"
	done
	wait_log 30 h1 "$(ternd_est_line h2)"
	wait_log 30 h1 "$(ternd_est_line h3)"
}

# rib_has HOST ERE: a line of HOST's `ternctl show route` matches ERE.
rib_has() {
	timeout 10 "$TERNCTL" -s "$W/$1.ctl" show route 2>/dev/null | grep -E -- "$2" >/dev/null
}
route_gone() { ! route_has "$1" "$2"; }
wait_rib() { expect "$1" "$2's rib has /$3/" rib_has "$2" "$3"; }
assert_no_rib() {
	rib_has "$1" "$2" && fail "$1's rib has /$2/: $(timeout 10 "$TERNCTL" -s "$W/$1.ctl" show route)"
	note "ok: $1's rib has no /$2/"
}

# (a)
pools_vxlan() {
	local normal='  - {cidr: 10.244.0.0/16, ipip: never, vxlan: never}'
	require_ternd
	netns_hosts 3
	pools_cluster "$W/cluster.yaml" '  - {cidr: 10.244.0.0/16, ipip: never, vxlan: always}' \
		h1:10.244.1.0/26 h2:10.244.2.0/26 h3:10.244.3.0/26
	pools_start "$W/cluster.yaml" h1 h2 h3
	wait_rib 30 h1 '^10\.244\.2\.0/26 +via 198\.18\.0\.2 '
	wait_rib 30 h1 '^10\.244\.3\.0/26 +via 198\.18\.0\.3 '
	sleep 1   # krt applies from a zero-timeout event: give it time to act
	assert_no_route h1 '10\.244\.2\.0/26'
	assert_no_route h1 '10\.244\.3\.0/26'
	assert_no_route h1 '^blackhole 10\.244\.1\.0/26'
	wait_rib 10 h1 '^10\.244\.2\.0/26 +via 198\.18\.0\.2 .*!kernel: VXLAN pool, Felix programs it'
	note "ok: the VXLAN pool's blocks are announced, none is in the kernel"
	pools_cluster "$W/cluster.yaml" "$normal" \
		h1:10.244.1.0/26 h2:10.244.2.0/26 h3:10.244.3.0/26
	wait_route 30 h1 '^10\.244\.2\.0/26 (nhid [0-9]+ )?via 198\.18\.0\.2 dev eth0 proto bird'
	wait_route 30 h1 '^10\.244\.3\.0/26 (nhid [0-9]+ )?via 198\.18\.0\.3 dev eth0 proto bird'
	wait_route 30 h1 '^blackhole 10\.244\.1\.0/26 proto bird'
	note "ok: vxlan never: the routes are in h1's kernel, no restart"
	pools_cluster "$W/cluster.yaml" '  - {cidr: 10.244.0.0/16, vxlan: cross-subnet}' \
		h1:10.244.1.0/26 h2:10.244.2.0/26 h3:10.244.3.0/26
	expect 30 "h1's kernel loses 10.244.2.0/26 (vxlan cross-subnet)" \
		route_gone h1 '10\.244\.2\.0/26'
	rib_has h1 '^10\.244\.2\.0/26 +via 198\.18\.0\.2 ' || fail "h1's rib lost 10.244.2.0/26"
	note "ok: VXLAN again: the installed route is removed, still in the rib"
	assert_running h1 h2 h3
}
scenario pools_vxlan

# (b)
pools_no_export() {
	require_ternd
	netns_hosts 3
	pools_cluster "$W/cluster.yaml" "$(printf '%s\n%s' \
		'  - {cidr: 10.244.0.0/16}' \
		'  - {cidr: 10.245.0.0/16, disable_bgp_export: true}')" \
		h1:10.244.1.0/26 h2:"10.244.2.0/26, 10.245.2.0/26" h3:10.244.3.0/26
	pools_start "$W/cluster.yaml" h1 h2 h3
	wait_route 30 h1 '^10\.244\.2\.0/26 (nhid [0-9]+ )?via 198\.18\.0\.2 dev eth0 proto bird'
	wait_route 30 h3 '^10\.244\.2\.0/26 (nhid [0-9]+ )?via 198\.18\.0\.2 dev eth0 proto bird'
	wait_route 30 h2 '^blackhole 10\.245\.2\.0/26 proto bird'
	wait_rib 30 h1 '^10\.244\.2\.0/26 +via 198\.18\.0\.2 '   # ternctl answers
	sleep 1   # h2's update for 10.244.2.0/26 went out: 10.245.2.0/26 would have too
	assert_no_rib h1 '^10\.245\.2\.0/26'
	assert_no_route h1 '10\.245\.2\.0/26'
	assert_no_rib h3 '^10\.245\.2\.0/26'
	assert_no_route h3 '10\.245\.2\.0/26'
	note "ok: the no-export pool's block stays on h2 (blackhole), not announced"
	assert_running h1 h2 h3
}
scenario pools_no_export

# (c)
pools_bad_block() {
	require_ternd
	netns_hosts 3
	pools_cluster "$W/cluster.yaml" '  - {cidr: 10.244.0.0/16}' \
		h1:10.244.1.0/26 h2:"10.244.2.0/26, 10.9.2.0/26" h3:10.244.3.0/26
	pools_start "$W/cluster.yaml" h1 h2 h3
	wait_log 30 h2 "datastore: block affinity 10.9.2.0/26 of node h2 refused: outside every pool; skipped"
	wait_route 30 h1 '^10\.244\.2\.0/26 (nhid [0-9]+ )?via 198\.18\.0\.2 dev eth0 proto bird'
	wait_route 30 h3 '^10\.244\.2\.0/26 (nhid [0-9]+ )?via 198\.18\.0\.2 dev eth0 proto bird'
	wait_route 30 h2 '^10\.244\.1\.0/26 (nhid [0-9]+ )?via 198\.18\.0\.1 dev eth0 proto bird'
	wait_route 30 h2 '^blackhole 10\.244\.2\.0/26 proto bird'
	wait_rib 30 h1 '^10\.244\.2\.0/26 +via 198\.18\.0\.2 '   # ternctl answers
	sleep 1
	assert_no_route h2 '10\.9\.2\.0/26'
	assert_no_rib h2 '^10\.9\.2\.0/26'
	assert_no_rib h1 '^10\.9\.2\.0/26'
	[[ $(log_count h2 "10.9.2.0/26 of node h2 refused") == 1 ]] ||
		fail "h2 logged the refused block $(log_count h2 "10.9.2.0/26 of node h2 refused") times"
	note "ok: the block outside every pool is refused once, the rest works"
	assert_running h1 h2 h3
}
scenario pools_bad_block
