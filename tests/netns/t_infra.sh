# shellcheck shell=bash
# tests/netns/t_infra.sh: proves the harness itself with BIRD 2 only (no ternd).

# Two BIRD hosts configured as Calico configures them: the mesh session comes up
# (h1 is passive, h2 connects) and each host's table gets the other's block as a
# `proto bird` route via the other's address, and its own block as a blackhole.
infra_bird_pair() {
	require_cmd bird birdc
	netns_hosts 2
	start_bird h1 "$(bird_conf h1 h2)"
	start_bird h2 "$(bird_conf h2 h1)"
	grep -q 'passive on' "$W/h1.bird.conf" || fail "h1's config is not passive toward h2"
	grep -q 'passive on' "$W/h2.bird.conf" && fail "h2's config is passive toward h1"
	wait_bird_established 30 h1 "$(mesh_name h2)"
	wait_bird_established 30 h2 "$(mesh_name h1)"
	wait_route 30 h2 '^10\.244\.1\.0/26 via 198\.18\.0\.1 dev eth0 proto bird'
	wait_route 30 h1 '^10\.244\.2\.0/26 via 198\.18\.0\.2 dev eth0 proto bird'
	wait_route 10 h1 '^blackhole 10\.244\.1\.0/26 proto bird'
	wait_route 10 h2 '^blackhole 10\.244\.2\.0/26 proto bird'
	# h2 connected to h1 (h1 is passive): h1's end of the session is port 179.
	tcp_bgp h1 | grep -E '^198\.18\.0\.1:179 198\.18\.0\.2:[0-9]+$' >/dev/null ||
		fail "h1 is not the passive end: $(tcp_bgp h1)"
}
scenario infra_bird_pair
