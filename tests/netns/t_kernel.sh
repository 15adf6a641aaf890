# shellcheck shell=bash
# tests/netns/t_kernel.sh: ternd never touches what is not its own, and reaches next
# hops behind routers (issue 12; SPEC 4).
#
#   (a) kernel_conflict: another program's route holds a prefix ternd wants (h2's
#       block as `proto static` on h1): it is not replaced; `birdc show route` marks
#       the route, `show protocols all kernel1` counts the conflict, the log says so;
#       when the other route goes, ternd's is installed. A route of ternd's replaced
#       by another program is not put back, and comes back when that one goes.
#   (b) kernel_nhid: a nexthop object another program made at the id ternd would
#       use first is neither replaced nor deleted (not even when ternd stops without
#       persist); ternd's routes use an object of its own.
#   (c) kernel_recursive: hosts in 198.18.1.0/24 and 198.18.2.0/24 behind a router
#       (a namespace forwarding between them; each host's default route via it) peer
#       directly (Calico's `multihop; gateway recursive`): every block is installed
#       via the router on the near side; when the underlay's route towards the far
#       subnet moves to a second router, the routes follow it.
# Every wait is bounded and waits for what proves the daemon acted.

TERNCTL=${TERNCTL:-$(dirname "$TERND")/ternctl}

# kern_birdc HOST ARGS...: a BIRD protocol request on HOST's ternd socket.
kern_birdc() {
	local h=$1
	shift
	timeout 10 birdc -s "$W/$h.ctl" "$@" 2>&1
}
kern_birdc_has() { kern_birdc "$1" "${@:3}" | grep -E -- "$2" >/dev/null; }

# kern_route_is HOST PREFIX ERE: HOST's route for PREFIX (ip -d route) matches ERE.
kern_route_is() {
	hexec "$1" ip route show "$2" | grep -E -- "$3" >/dev/null
}

# (a)
kernel_conflict() {
	local b2 blk
	require_ternd
	require_cmd birdc
	netns_hosts 2
	b2=$(host_block h2)
	blk=${b2//./\\.}
	# Another program's route at h2's block, before ternd learns it.
	hexec h1 ip route add "$b2" dev eth0 proto static ||
		fail "cannot add the static route on h1"
	cluster_file "$W/cluster.yaml" h1 h2
	start_ternd h1 "$(ternd_conf h1 "$W/cluster.yaml")"
	start_ternd h2 "$(ternd_conf h2 "$W/cluster.yaml")"
	wait_log 30 h1 "$(ternd_est_line h2)"
	wait_log 30 h1 "kernel route $b2: another program's route holds it"
	kern_route_is h1 "$b2" 'proto static' ||
		fail "h1's static route was changed: $(hexec h1 ip route show "$b2")"
	assert_no_route h1 "^$blk .*proto bird"
	expect 10 "birdc show route marks the conflict" \
		kern_birdc_has h1 "^$blk .*!kernel: another program's route holds it" show route
	expect 10 "show protocols all kernel1 counts it" \
		kern_birdc_has h1 'Kernel routes: .* 1 conflicts' show protocols all kernel1
	note "ok: the other program's route stays, the conflict is shown and counted"

	# The other route goes: ternd's is installed.
	hexec h1 ip route del "$b2" proto static || fail "cannot delete the static route"
	wait_route 30 h1 "^$blk (nhid [0-9]+ )?via 198\.18\.0\.2 dev eth0 proto bird"
	wait_log 10 h1 "kernel route $b2: the other program's route went: installing ours"

	# Another program replaces ternd's route: it is not put back ...
	hexec h1 ip route replace "$b2" dev eth0 proto static ||
		fail "cannot replace h1's route"
	wait_log 30 h1 "kernel route $b2: replaced by another program's route"
	expect 10 "the conflict is shown again" \
		kern_birdc_has h1 "^$blk .*!kernel: another program's route holds it" show route
	kern_route_is h1 "$b2" 'proto static' ||
		fail "ternd put its route back over the other: $(hexec h1 ip route show "$b2")"
	# ... until that one goes.
	hexec h1 ip route del "$b2" proto static || fail "cannot delete the static route"
	wait_route 30 h1 "^$blk (nhid [0-9]+ )?via 198\.18\.0\.2 dev eth0 proto bird"
	expect 10 "no conflict left" \
		kern_birdc_has h1 'Kernel routes: .* 0 conflicts' show protocols all kernel1
	assert_running h1 h2
}
scenario kernel_conflict

# (b)
kernel_nhid() {
	local b2 blk id f
	require_ternd
	netns_hosts 2
	b2=$(host_block h2)
	blk=${b2//./\\.}
	# ternd's first object id is 1: another program holds it.
	hexec h1 ip nexthop add id 1 via 198.18.0.2 dev eth0 proto static ||
		fail "cannot add nexthop object 1 on h1"
	cluster_file "$W/cluster.yaml" h1 h2
	f=$(ternd_conf h1 "$W/cluster.yaml")
	# an object for h2's one route (by default a gateway needs 8 routes)
	printf 'kernel:\n  persist: false\n  nexthop_object_min_routes: 1\n' >>"$f"
	start_ternd h1 "$f"
	start_ternd h2 "$(ternd_conf h2 "$W/cluster.yaml")"
	wait_route 30 h1 "^$blk nhid [0-9]+ via 198\.18\.0\.2 dev eth0 proto bird"
	id=$(hexec h1 ip route show "$b2" | sed -nE 's/.*nhid ([0-9]+) .*/\1/p')
	[[ -n $id && $id != 1 ]] || fail "h1's route uses nexthop object '$id', want one of ternd's own"
	hexec h1 ip nexthop show id 1 | grep -q 'proto static' ||
		fail "object 1 changed: $(hexec h1 ip nexthop show id 1)"
	wait_log 10 h1 "kernel: nexthop id 1 is another program's: not ours to use"
	# ternd stops without persist: its own go, object 1 stays.
	stop_ternd h1
	assert_no_route h1 "^$blk .*proto bird"
	hexec h1 ip nexthop show id 1 | grep -q 'proto static' ||
		fail "object 1 gone or changed after ternd stopped: $(hexec h1 ip nexthop show id 1 2>&1)"
	[[ -z $(hexec h1 ip nexthop show proto 12 2>&1) ]] ||
		fail "ternd left objects: $(hexec h1 ip nexthop show proto 12 2>&1)"
	note "ok: object 1 was never touched"
}
scenario kernel_nhid

# kern_cluster FILE HOST:IP...: the cluster file with explicit node addresses.
kern_cluster() {
	local f=$1 hi
	shift
	{
		echo "as: $TT_AS"
		echo "node_mesh: true"
		echo "pools:"
		echo "  - {cidr: $TT_POOL, ipip: never}"
		echo "nodes:"
		for hi in "$@"; do
			echo "  - name: ${hi%%:*}"
			echo "    ipv4: ${hi#*:}"
			echo "    blocks: [$(host_block "${hi%%:*}")]"
		done
		echo "peers: []"
	} >"$f.tmp.$$" || fail "cannot write $f.tmp.$$"
	mv -f "$f.tmp.$$" "$f" || fail "cannot rename $f.tmp.$$ to $f"
}

# kern_readdr HOST CIDR GW: HOST's eth0 gets CIDR instead of 198.18.0.I, default via GW.
kern_readdr() {
	hexec "$1" ip addr flush dev eth0 &&
		hexec "$1" ip addr add "$2" dev eth0 &&
		hexec "$1" ip route add default via "$3" ||
		fail "cannot re-address $1"
}

# (c)
kernel_recursive() {
	local b blk
	require_ternd
	netns_hosts 3
	netns_add_host h8
	netns_add_host h9
	# Two routers on the one segment, each with a leg in both subnets, forwarding.
	for r in h8 h9; do
		hexec "$r" sysctl -qw net.ipv4.ip_forward=1 || fail "no forwarding in $r"
		hexec "$r" ip addr flush dev eth0
	done
	hexec h8 ip addr add 198.18.1.254/24 dev eth0 && hexec h8 ip addr add 198.18.2.254/24 dev eth0 ||
		fail "cannot address router h8"
	hexec h9 ip addr add 198.18.1.253/24 dev eth0 && hexec h9 ip addr add 198.18.2.253/24 dev eth0 ||
		fail "cannot address router h9"
	kern_readdr h1 198.18.1.1/24 198.18.1.254
	kern_readdr h2 198.18.2.2/24 198.18.2.254
	kern_readdr h3 198.18.2.3/24 198.18.2.254
	# The routers' redirects would teach the hosts a direct way: not wanted here.
	for r in h8 h9; do
		hexec "$r" sysctl -qw net.ipv4.conf.all.send_redirects=0
		hexec "$r" sysctl -qw net.ipv4.conf.eth0.send_redirects=0
	done
	hexec h1 ping -c1 -W2 198.18.2.2 >/dev/null || fail "h1 cannot reach h2 through the router"
	kern_cluster "$W/cluster.yaml" h1:198.18.1.1 h2:198.18.2.2 h3:198.18.2.3
	for h in h1 h2 h3; do
		start_ternd "$h" "$(ternd_conf "$h" "$W/cluster.yaml")"
	done
	wait_log 30 h1 "neighbor 198.18.2.2 AS$TT_AS"
	# h1: h2's and h3's blocks via the router (h2, h3 are not on h1's subnet).
	for h in h2 h3; do
		b=$(host_block "$h")
		blk=${b//./\\.}
		wait_route 30 h1 "^$blk (nhid [0-9]+ )?via 198\.18\.1\.254 dev eth0 proto bird"
	done
	# h2: h3's block directly (same subnet), h1's via the router.
	wait_route 30 h2 "^10\.244\.3\.0/26 (nhid [0-9]+ )?via 198\.18\.2\.3 dev eth0 proto bird"
	wait_route 30 h2 "^10\.244\.1\.0/26 (nhid [0-9]+ )?via 198\.18\.2\.254 dev eth0 proto bird"
	wait_log 10 h1 "kernel: next hop 198.18.2.2 resolved via 198.18.1.254"
	# Pods' addresses answer through the routes: h2's blackhole proves the way
	# (an ICMP unreachable from h2), so check the route h1 uses instead.
	hexec h1 ip route get 10.244.2.1 | grep -q 'via 198.18.1.254' ||
		fail "h1 does not route h2's block via the router: $(hexec h1 ip route get 10.244.2.1)"
	# The underlay moves: the far subnet via the second router.
	hexec h1 ip route add 198.18.2.0/24 via 198.18.1.253 || fail "cannot add the underlay route"
	for h in h2 h3; do
		b=$(host_block "$h")
		blk=${b//./\\.}
		wait_route 30 h1 "^$blk (nhid [0-9]+ )?via 198\.18\.1\.253 dev eth0 proto bird"
	done
	wait_log 10 h1 "kernel: next hop 198.18.2.2 now via 198.18.1.253 (underlay change)"
	# And back when that route goes.
	hexec h1 ip route del 198.18.2.0/24 via 198.18.1.253 || fail "cannot delete the underlay route"
	wait_route 30 h1 "^10\.244\.2\.0/26 (nhid [0-9]+ )?via 198\.18\.1\.254 dev eth0 proto bird"
	assert_running h1 h2 h3
}
scenario kernel_recursive

# (d) kernel_ecmp: BIRD's `merge paths on`. h2 and h3 (BIRD 2) announce the same
# prefix with equal attributes: h1 installs it once with both next hops (a group
# object). h3 withdraws it: h1 keeps the route via h2 without a moment without it
# (`ip monitor route` on h1 shows no deletion of it), the group re-pointed in place
# (the route keeps its nexthop id). h3 announces it again: both next hops again.
kern_ecmp_has() {
	local out
	out=$(hexec h1 ip route show "$KERN_ECMP")
	[[ $out == *"proto bird"* && $out == *"via 198.18.0.2 dev eth0"* ]] || return 1
	if [[ $1 == 2 ]]; then
		[[ $out == *"nexthop via 198.18.0.2 dev eth0"* &&
			$out == *"nexthop via 198.18.0.3 dev eth0"* ]]
	else
		[[ $out != *"198.18.0.3"* ]]
	fi
}
kern_nhid() { hexec h1 ip route show "$KERN_ECMP" | sed -nE 's/.*nhid ([0-9]+).*/\1/p'; }

kernel_ecmp() {
	local h id mon
	KERN_ECMP=10.244.200.0/24
	require_ternd
	require_cmd bird birdc
	netns_hosts 3
	cluster_file "$W/cluster.yaml" h1 h2 h3
	start_ternd h1 "$(ternd_conf h1 "$W/cluster.yaml")"
	for h in h2 h3; do
		bird_config "$(host_ip "$h")" "$TT_AS" "$(host_block "$h") $KERN_ECMP" "$TT_POOL" \
			"$(host_ip h1)" >"$W/$h.bird.conf"
		start_bird "$h" "$W/$h.bird.conf"
	done
	wait_log 30 h1 "$(ternd_est_line h2)"
	wait_log 30 h1 "$(ternd_est_line h3)"
	expect 30 "h1 installs $KERN_ECMP via h2 and h3" kern_ecmp_has 2
	id=$(kern_nhid)
	[[ -n $id ]] || fail "no nexthop id on h1's $KERN_ECMP"
	hexec h1 ip nexthop show id "$id" | grep -q 'group' ||
		fail "nexthop $id is not a group: $(hexec h1 ip nexthop show id "$id")"
	mon="$W/h1.monitor"
	hexec h1 ip monitor route >"$mon" 2>&1 &
	_tt_record_pid $!
	# h3 withdraws the prefix (its static protocol goes down; the session stays).
	sed -i "s|  route $KERN_ECMP blackhole;||" "$W/h3.bird.conf"
	birdc_q h3 configure >/dev/null || fail "birdc configure on h3 failed"
	expect 30 "h1 keeps $KERN_ECMP via h2 alone" kern_ecmp_has 1
	[[ $(kern_nhid) == "$id" ]] ||
		fail "the route changed nexthop id ($id -> $(kern_nhid)): not re-pointed in place"
	if grep -E "^Deleted .*${KERN_ECMP//./\\.}" "$mon"; then
		fail "h1's route for $KERN_ECMP was deleted on the way"
	fi
	note "ok: no deletion of $KERN_ECMP on h1; nexthop $id re-pointed in place"
	# h3 announces it again.
	bird_config "$(host_ip h3)" "$TT_AS" "$(host_block h3) $KERN_ECMP" "$TT_POOL" \
		"$(host_ip h1)" >"$W/h3.bird.conf"
	birdc_q h3 configure >/dev/null || fail "birdc configure on h3 failed"
	expect 30 "h1 installs $KERN_ECMP via h2 and h3 again" kern_ecmp_has 2
	assert_running h1
}
scenario kernel_ecmp
