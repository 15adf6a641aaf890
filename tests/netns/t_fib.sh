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

assert_no_route_q() { ! route_has "$1" "^${2//./\\.} "; }

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

# fib_monitor HOST: record `ip monitor route nexthop` of HOST into $W/HOST.mon.
fib_monitor() {
	ip netns exec "$(host_ns "$1")" ip monitor route nexthop \
		>"$W/$1.mon" 2>&1 &
	_tt_record_pid $!
	sleep 0.2
}

# (c) ternd on h1 is killed (SIGKILL, then again with SIGTERM) and restarted:
# no route of ours on h1 is deleted or replaced in between, h2 (graceful
# restart receiver) keeps h1's block, and a block that went away while h1
# was down (h3 left the cluster) is removed after the first full sync.
fib_restart() {
	require_ternd
	local sig re2 re3 n=1
	netns_hosts 3
	cluster_file "$W/cluster.yaml" h1 h2 h3
	ternd_hosts "$W/cluster.yaml" h1 h2 h3
	re2=$(fib_route_re h2)
	re3=$(fib_route_re h3)
	wait_route 30 h1 "$re2"
	wait_route 30 h1 "$re3"
	wait_route 30 h2 "$(fib_route_re h1)"
	wait_log 30 h1 "first full sync done"
	fib_monitor h1
	fib_monitor h2
	for sig in KILL TERM; do
		stop_ternd h1 "$sig"
		note "ternd on h1 stopped with SIG$sig"
		route_has h1 "$re2" || fail "h2's block left h1's table after SIG$sig"
		route_has h1 "$(fib_blackhole_re h1)" || fail "h1's blackhole went after SIG$sig"
		if [[ $sig == TERM ]]; then
			# while h1 is down, h3 leaves the cluster
			stop_ternd h3
			cluster_file "$W/cluster.yaml" h1 h2
		fi
		sleep 1
		start_ternd h1 "$W/h1.yaml"
		n=$((n + 1))
		wait_log_count 30 h1 'first full sync done' "$n"
		if [[ $sig == KILL ]] &&
			grep -E "^Deleted .*($(host_block h1)|via 198\.18\.0\.1 )" "$W/h2.mon"; then
			fail "h2 deleted h1's block while h1 restarted (graceful restart)"
		fi
	done
	expect 30 "h1 drops h3's block after the sync" assert_no_route_q h1 "$(host_block h3)"
	route_has h1 "$re2" || fail "h2's block is not in h1's table"
	if grep -E "^Deleted .*($(host_block h2)|$(host_block h1))" "$W/h1.mon"; then
		fail "a still-wanted route was deleted on h1 across the restarts"
	fi
	if grep -E "^Deleted id " "$W/h1.mon" | grep -v "via 198\.18\.0\.3"; then
		fail "a still-used nexthop object was deleted on h1"
	fi
	if grep -E "^($(host_block h2)|blackhole $(host_block h1))" "$W/h1.mon"; then
		fail "a still-wanted route was re-added or replaced on h1"
	fi
	note "ok: h1's monitor shows no delete or re-add of a wanted route"
	assert_running h1 h2
}
scenario fib_restart

# (d) a route of ours deleted or changed by hand comes back; a route of
# another protocol inside the pool is never touched, even when ternd
# withdraws the same range.
fib_restore() {
	require_ternd
	local re2 nh f
	netns_hosts 2
	cluster_file "$W/cluster.yaml" h1 h2
	# h2's one block through an object (by default a gateway needs 8 routes), so
	# that the object deleted by hand below is there to delete
	f=$(ternd_conf h1 "$W/cluster.yaml")
	printf 'kernel:\n  nexthop_object_min_routes: 1\n' >>"$f"
	start_ternd h1 "$f"
	ternd_hosts "$W/cluster.yaml" h2
	re2=$(fib_route_re h2)
	wait_route 30 h1 "$re2"
	wait_route 30 h1 "$(fib_blackhole_re h1)"
	hexec h1 ip route add 10.244.2.128/26 via 198.18.0.2 proto static
	hexec h1 ip route add 10.244.7.0/24 via 198.18.0.2 proto static
	hexec h1 ip route del "$(host_block h2)"
	note "deleted $(host_block h2) by hand on h1"
	wait_route 10 h1 "$re2"
	wait_log_re 5 h1 'kernel route 10\.244\.2\.0/26 deleted by someone else: restoring'
	hexec h1 ip route del blackhole "$(host_block h1)"
	wait_route 10 h1 "$(fib_blackhole_re h1)"
	# the nexthop object itself deleted by hand: object and route come back
	nh=$(hexec h1 ip -4 route show "$(host_block h2)" | sed -n 's/.*nhid \([0-9]*\).*/\1/p')
	[[ -n $nh ]] || fail "h2's block has no nexthop object with nexthop_object_min_routes 1"
	hexec h1 ip nexthop del id "$nh"
	wait_log_re 5 h1 "kernel nexthop object $nh deleted by someone else"
	wait_route 10 h1 "$re2"
	# h2 leaves: its block goes; the static routes stay
	cluster_file "$W/cluster.yaml" h1
	expect 30 "h1 drops h2's block" assert_no_route_q h1 "$(host_block h2)"
	route_has h1 '^10\.244\.2\.128/26 via 198\.18\.0\.2 dev eth0 proto static' ||
		fail "a proto static route was touched"
	route_has h1 '^10\.244\.7\.0/24 via 198\.18\.0\.2 dev eth0 proto static' ||
		fail "a proto static route was touched"
	assert_running h1
}
scenario fib_restore

# bulk_routes N: N /32 routes in the pool, outside every host's block.
bulk_routes() {
	local i
	for ((i = 0; i < $1; i++)); do
		echo "  route 10.244.$((128 + i / 256)).$((i % 256))/32 blackhole;"
	done
}

# proto_bird_count HOST [REGEX]: how many proto bird routes (matching REGEX).
proto_bird_count() {
	hexec "$1" ip -4 route show proto bird | grep -cE -- "${2:-.}"
}

# (e) bulk: BIRD on h2 announces 20,000 prefixes; h1's FIB ends exact. Then
# BIRD moves every next hop to a second address (one nexthop object replace,
# no per-route change), and then closes the session: h1's FIB is clean.
fib_bulk() {
	require_ternd
	require_cmd bird birdc
	local conf n=20000 got proto
	netns_hosts 2
	cluster_file "$W/cluster.yaml" h1 h2
	ternd_hosts "$W/cluster.yaml" h1
	conf=$(bird_conf h2 h1)
	{
		sed '/^filter calico_export_to_bgp_peers {/,$d' "$conf"
		echo "protocol static bulk {"
		echo "  ipv4;"
		bulk_routes "$n"
		echo "}"
		echo
		sed -n '/^filter calico_export_to_bgp_peers {/,$p' "$conf"
	} >"$conf.bulk"
	mv "$conf.bulk" "$conf"
	hexec h2 ip addr add 198.18.0.22/24 dev eth0
	start_bird h2 "$conf"
	proto=$(mesh_name h1)
	expect 60 "h1 has all $((n + 1)) routes from h2" \
		test_count h1 "via 198\.18\.0\.2 dev eth0" "$((n + 1))"
	got=$(proto_bird_count h1)
	((got == n + 2)) || fail "h1 has $got proto bird routes, want $((n + 2))"
	note "ok: h1 holds exactly $((n + 2)) proto bird routes"
	wait_log 30 h1 "first full sync done"

	fib_monitor h1
	sed -i 's/^filter calico_export_to_bgp_peers {/&\n  bgp_next_hop = 198.18.0.22;/' "$conf"
	birdc_q h2 configure >/dev/null || fail "birdc configure failed"
	expect 60 "every route from h2 now via 198.18.0.22" \
		test_count h1 "via 198\.18\.0\.22 dev eth0" "$((n + 1))"
	# The kernel itself announces every route of a replaced object (and
	# `ip monitor` may drop some of those); ternd's own requests are what
	# counts: one object replace for the routes that moved.
	wait_log_re 10 h1 'nexthop object [0-9]+ re-pointed \((1[0-9]{4}|20[0-9]{3}) routes moved'
	grep -qE '^id [0-9]+ via 198\.18\.0\.22' "$W/h1.mon" ||
		fail "no nexthop object replace seen"
	if grep -qE '^Deleted 10\.244\.' "$W/h1.mon"; then
		fail "a route was deleted during the next hop change"
	fi
	note "ok: next hop change = one nexthop object replace, no route deleted"

	birdc_q h2 disable "$proto" >/dev/null || fail "birdc disable failed"
	expect 30 "h1's FIB is clean after the session closed" \
		test_count h1 "via 198\.18\.0\.2" 0
	got=$(proto_bird_count h1)
	((got == 1)) || fail "h1 has $got proto bird routes left, want 1 (own blackhole)"
	assert_running h1
}
scenario fib_bulk

# test_count HOST REGEX N: HOST has exactly N proto bird routes matching REGEX.
test_count() { (($(proto_bird_count "$1" "$2") == $3)); }

# (f) IPv6: two ternd hosts with IPv6 addresses and /122 blocks form the IPv6
# mesh (Mesh_fd00_198_18__N) next to the IPv4 one and install each other's
# IPv6 blocks; IPv6 blackholes for their own.
fib_ipv6() {
	require_ternd
	local h i
	netns_hosts 2
	for i in 1 2; do
		hexec "h$i" ip -6 addr add "fd00:198:18::$i/64" dev eth0 nodad
	done
	cat >"$W/cluster.yaml" <<EOC
as: $TT_AS
node_mesh: true
pools:
  - cidr: $TT_POOL
  - cidr: fd00:10:244::/48
nodes:
  - name: h1
    ipv4: 198.18.0.1
    ipv6: fd00:198:18::1
    blocks: [10.244.1.0/26, "fd00:10:244:1::/122"]
  - name: h2
    ipv4: 198.18.0.2
    ipv6: fd00:198:18::2
    blocks: [10.244.2.0/26, "fd00:10:244:2::/122", "fd00:10:244:2::40/122"]
peers: []
EOC
	ternd_hosts "$W/cluster.yaml" h1 h2
	wait_log_re 30 h1 'neighbor fd00:198:18::2 AS64512 \(Mesh_fd00_198_18__2\): state OpenConfirm -> Established'
	wait_log_re 30 h2 'neighbor fd00:198:18::1 AS64512 \(Mesh_fd00_198_18__1\): state OpenConfirm -> Established'
	expect 30 "h1 has h2's IPv6 block" route6_has h1 \
		'^fd00:10:244:2::/122 (nhid [0-9]+ )?via fd00:198:18::2 dev eth0 proto bird'
	expect 30 "h2 has h1's IPv6 block" route6_has h2 \
		'^fd00:10:244:1::/122 (nhid [0-9]+ )?via fd00:198:18::1 dev eth0 proto bird'
	expect 10 "h1 has its IPv6 blackhole" route6_has h1 \
		'^blackhole fd00:10:244:1::/122 .*proto bird'
	wait_route 30 h1 "$(fib_route_re h2)"
	expect 30 "h1 has h2's second IPv6 block" route6_has h1 \
		'^fd00:10:244:2::40/122 (nhid [0-9]+ )?via fd00:198:18::2 dev eth0 proto bird'
	# One block of h2's and h1's own IPv6 block go while the session stays:
	# each route is deleted on its own (the object stays for the other).
	sed -e 's|, "fd00:10:244:2::/122"||' -e 's|, "fd00:10:244:1::/122"||' \
		"$W/cluster.yaml" >"$W/cluster.yaml.new"
	mv "$W/cluster.yaml.new" "$W/cluster.yaml"
	expect 30 "h1 lost h2's first IPv6 block" no_route6 h1 '^fd00:10:244:2::/122 '
	expect 30 "h1 lost its IPv6 blackhole" no_route6 h1 '^blackhole fd00:10:244:1::/122 '
	route6_has h1 '^fd00:10:244:2::40/122 (nhid [0-9]+ )?via fd00:198:18::2 dev eth0 proto bird' ||
		fail "h2's second IPv6 block went too"
	wait_route 10 h1 "$(fib_route_re h2)"
	assert_running h1 h2
}
scenario fib_ipv6

route6_has() { hexec "$1" ip -6 route show | grep -E -- "$2" >/dev/null; }
no_route6() { ! route6_has "$@"; }

# (g) kernel.persist false: SIGTERM removes every route and object of ours
# (and only ours); with the default (true) they stay (see fib_restart).
fib_no_persist() {
	require_ternd
	local conf n
	netns_hosts 2
	cluster_file "$W/cluster.yaml" h1 h2
	conf=$(ternd_conf h1 "$W/cluster.yaml")
	printf 'kernel:\n  persist: false\n' >>"$conf"
	start_ternd h1 "$conf"
	start_ternd h2 "$(ternd_conf h2 "$W/cluster.yaml")"
	wait_route 30 h1 "$(fib_route_re h2)"
	wait_route 30 h1 "$(fib_blackhole_re h1)"
	hexec h1 ip route add 10.244.9.0/24 via 198.18.0.2 proto static
	stop_ternd h1 TERM
	n=$(proto_bird_count h1)
	((n == 0)) || fail "h1 still has $n proto bird routes after SIGTERM"
	[[ -z $(hexec h1 ip nexthop show) ]] || fail "h1 still has nexthop objects"
	route_has h1 '^10\.244\.9\.0/24 via 198\.18\.0\.2 dev eth0 proto static' ||
		fail "the proto static route went too"
	note "ok: no route or object of ours left; the static route stays"
}
scenario fib_no_persist
