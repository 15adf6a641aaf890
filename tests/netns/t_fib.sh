# shellcheck shell=bash
# tests/netns/t_fib.sh: the routes ternd puts in the kernel (SPEC 4).
#
# Expected shapes (with nexthop objects the kernel adds "nhid N"):
#   10.244.2.0/26 nhid 1 via 198.18.0.2 dev eth0 proto bird
#   blackhole 10.244.1.0/26 proto bird

# fib_route_re PEERHOST: the regex of PEERHOST's block via PEERHOST in a table.
fib_route_re() {
	local ip
	ip=$(host_ip "$1")
	echo "^$(host_block "$1" | sed 's/\./\\./g') (nhid [0-9]+ )?via ${ip//./\\.} dev eth0 proto bird"
}

fib_blackhole_re() {
	echo "^blackhole $(host_block "$1" | sed 's/\./\\./g') proto bird"
}

# (a) two and three ternd hosts: each host's table has the others' blocks via
# their address and its own as a blackhole, all proto bird; nothing else.
fib_mesh3() {
	require_ternd
	local h p n
	netns_hosts 3
	cluster_file "$W/cluster.yaml" h1 h2 h3
	ternd_hosts "$W/cluster.yaml" h1 h2 h3
	for h in h1 h2 h3; do
		wait_route 30 "$h" "$(fib_blackhole_re "$h")"
		for p in h1 h2 h3; do
			[[ $h == "$p" ]] && continue
			wait_route 30 "$h" "$(fib_route_re "$p")"
		done
		n=$(hexec "$h" ip -4 route show proto bird | wc -l)
		((n == 3)) || fail "$h has $n proto bird routes, want 3"
	done
	# h3 leaves the cluster: its block goes from h1 and h2
	cluster_file "$W/cluster.yaml" h1 h2
	for h in h1 h2; do
		expect 30 "$h drops h3's block" assert_no_route_q "$h" "$(host_block h3)"
	done
	assert_running h1 h2
}
scenario fib_mesh3

assert_no_route_q() { ! route_has "$1" "^$(echo "$2" | sed 's/\./\\./g') "; }

# (b) BIRD 2 as a peer: ternd installs BIRD's block, BIRD installs ternd's.
fib_bird() {
	require_ternd
	require_cmd bird birdc
	netns_hosts 2
	cluster_file "$W/cluster.yaml" h1 h2
	ternd_hosts "$W/cluster.yaml" h1
	start_bird h2 "$(bird_conf h2 h1)"
	wait_route 30 h1 "$(fib_route_re h2)"
	wait_route 30 h1 "$(fib_blackhole_re h1)"
	wait_route 30 h2 "^$(host_block h1 | sed 's/\./\\./g') via 198\.18\.0\.1 dev eth0 proto bird"
	assert_running h1
}
scenario fib_bird
