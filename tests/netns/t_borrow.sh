# shellcheck shell=bash
# tests/netns/t_borrow.sh: borrowed pod addresses (issue 12; calico-compat 6).
#
# With Calico's IPAM a node whose blocks are full borrows an address from another
# node's block. Felix installs the pod's route (`<ip>/32 dev caliXXXX scope link
# proto 80`); ternd learns it from the kernel (kernel.learn_interfaces, "cali*")
# and announces it as a /32, more specific than the owner's block, as Calico's
# calico_aggr lets through: nothing beneath one of the node's own blocks, anything
# else inside a pool.
#
# Three ternd hosts in a mesh (file datastore, pool 10.244.0.0/16, block
# 10.244.I.0/26 of hI). Pods are network namespaces ${P}podN wired as Calico's CNI
# does: a veth caliXXXX on the host, proxy ARP, the pod's default route via
# 169.254.1.1, the host route proto 80.
#   (a) borrow_mesh: h1's pod holds 10.244.2.10 (h2's block): h2 and h3 install
#       `10.244.2.10 via 198.18.0.1 proto bird`; h3's pod (in h3's own block)
#       pings it; h1 keeps Felix's route and puts none of its own. Not announced:
#       a cali route under h1's own block, a cali route outside every pool; not
#       learned: a /32 on a non-cali device. The pod's route deleted: the /32
#       leaves h2 and h3.
#   (b) borrow_block_later: a learned /32 in the pool but in no block is
#       announced; once h1 gets the block around it, the block goes out and the
#       /32 no longer; the block taken away again, the /32 comes back.
#   (c) borrow_pod_gone: the pod's veth deleted (the kernel drops an IPv4 route
#       of a deleted device without telling anyone): the /32 leaves h2 and h3.
# ternctl is $TERNCTL (default: ternctl next to $TERND). Every wait is bounded.

TERNCTL=${TERNCTL:-$(dirname "$TERND")/ternctl}

# borrow_cluster FILE HOST:BLOCKS...: the cluster file (pool 10.244.0.0/16, no
# encapsulation), written atomically; BLOCKS is comma separated, maybe empty.
borrow_cluster() {
	local f=$1 hb
	shift
	{
		echo "as: $TT_AS"
		echo "node_mesh: true"
		echo "pools:"
		echo "  - {cidr: 10.244.0.0/16, ipip: never, vxlan: never}"
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

# borrow_hosts N: hosts h1..hN that forward, without reverse-path filtering.
borrow_hosts() {
	local h i
	netns_hosts "$1"
	for ((i = 1; i <= $1; i++)); do
		h=h$i
		hexec "$h" sysctl -qw net.ipv4.ip_forward=1 \
			net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 ||
			fail "sysctl on $h"
	done
}

# borrow_start CLUSTERFILE HOST...: ternd on each HOST; h1's sessions up.
borrow_start() {
	local cl=$1 h p
	shift
	[[ -x $TERNCTL ]] || fail "ternctl not built: $TERNCTL"
	for h in "$@"; do
		start_ternd "$h" "$(ternd_conf "$h" "$cl")"
	done
	for p in "$@"; do
		[[ $p == h1 ]] || wait_log 30 h1 "$(ternd_est_line "$p")"
	done
}

# bw_pod_add HOST POD IFNAME ADDR: pod namespace ${P}POD with ADDR/32 on its eth0,
# wired to HOST through the veth IFNAME as Calico's CNI and Felix do (default
# route via 169.254.1.1, the host route proto 80). Calico's host answers the
# pod's ARP for 169.254.1.1 by proxy ARP, which needs a default route on the
# host; the lab hosts have none, so the pod gets that neighbour entry instead.
bw_pod_add() {
	local h=$1 ns="${P}$2" ifn=$3 addr=$4 hns mac
	hns=$(host_ns "$h")
	ip netns add "$ns" || fail "ip netns add $ns failed"
	_tt_record_ns "$ns"
	if ! { ip -n "$hns" link add "$ifn" type veth peer name eth0 netns "$ns" &&
		ip netns exec "$hns" sysctl -qw "net.ipv4.conf.$ifn.proxy_arp=1" &&
		ip -n "$hns" link set "$ifn" up &&
		mac=$(ip netns exec "$hns" cat "/sys/class/net/$ifn/address") &&
		ip -n "$ns" link set lo up &&
		ip -n "$ns" addr add "$addr/32" dev eth0 &&
		ip -n "$ns" link set eth0 up &&
		ip -n "$ns" route add default via 169.254.1.1 dev eth0 onlink &&
		ip -n "$ns" neigh replace 169.254.1.1 lladdr "$mac" dev eth0 nud permanent &&
		ip -n "$hns" route add "$addr/32" dev "$ifn" scope link proto 80; }; then
		fail "cannot wire pod $2 ($addr) on $h"
	fi
	note "pod $2: $addr on $h dev $ifn"
}

# bw_veth_route HOST IFNAME ADDR: a bare veth IFNAME in HOST (its peer IFNAME-p
# beside it) carrying the host route ADDR/32 proto 80: a route on that device
# without a pod behind it.
bw_veth_route() {
	local h=$1 ifn=$2 addr=$3 hns
	hns=$(host_ns "$h")
	if ! { ip -n "$hns" link add "$ifn" type veth peer name "$ifn-p" &&
		ip -n "$hns" link set "$ifn" up && ip -n "$hns" link set "$ifn-p" up &&
		ip -n "$hns" route add "$addr/32" dev "$ifn" scope link proto 80; }; then
		fail "cannot add $addr/32 dev $ifn on $h"
	fi
}

# bw_re_host ADDR: ADDR as `ip route` prints a host route, as an ERE.
bw_re_host() { echo "^${1//./\\.} "; }
# bw_re_via ADDR HOST: ADDR installed by ternd via HOST.
bw_re_via() {
	local gw
	gw=$(host_ip "$2")
	echo "^${1//./\\.} (nhid [0-9]+ )?via ${gw//./\\.} dev eth0 proto bird"
}
bw_no_route() { ! route_has "$1" "$2"; }

bw_rib_has() {
	timeout 10 "$TERNCTL" -s "$W/$1.ctl" show route 2>/dev/null | grep -E -- "$2" >/dev/null
}

# bw_pod_ping POD ADDR: one echo from the pod namespace ${P}POD answered.
bw_pod_ping() { ip netns exec "${P}$1" ping -c1 -W1 "$2" >/dev/null 2>&1; }

# (a)
borrow_mesh() {
	local h
	require_ternd
	require_cmd ping
	borrow_hosts 3
	borrow_cluster "$W/cluster.yaml" h1:10.244.1.0/26 h2:10.244.2.0/26 h3:10.244.3.0/26
	borrow_start "$W/cluster.yaml" h1 h2 h3
	bw_pod_add h1 pod1 cali1a2b3c4d 10.244.2.10     # borrowed from h2's block
	bw_pod_add h3 pod3 cali3c4d5e6f 10.244.3.10     # h3's own block
	for h in h2 h3; do
		wait_route 30 "$h" "$(bw_re_via 10.244.2.10 h1)"
	done
	wait_route 30 h1 "$(bw_re_via 10.244.3.0/26 h3)"
	expect 30 "pod3 on h3 pings pod1's borrowed 10.244.2.10 on h1" \
		bw_pod_ping pod3 10.244.2.10
	route_has h1 "$(bw_re_host 10.244.2.10)dev cali1a2b3c4d proto 80" ||
		fail "h1 lost the pod's own route"
	[[ $(hexec h1 ip -4 route show 10.244.2.10/32 | wc -l) == 1 ]] ||
		fail "h1 has more than the pod's route for 10.244.2.10: $(hexec h1 ip -4 route show 10.244.2.10/32)"
	note "ok: the borrowed /32 is announced and reachable; h1 leaves Felix's route alone"

	# not announced: under h1's own block, outside every pool; not learned:
	# a non-cali device. Then a borrowed sentinel, learned after them.
	bw_veth_route h1 cali0own 10.244.1.20
	bw_veth_route h1 cali0out 10.99.0.5
	bw_veth_route h1 tap0x 10.244.2.30
	bw_veth_route h1 cali0snt 10.244.2.11
	for h in h2 h3; do
		wait_route 30 "$h" "$(bw_re_via 10.244.2.11 h1)"
	done
	for h in h2 h3; do
		assert_no_route "$h" "$(bw_re_host 10.244.1.20)"
		assert_no_route "$h" "$(bw_re_host 10.99.0.5)"
		assert_no_route "$h" "$(bw_re_host 10.244.2.30)"
	done
	bw_rib_has h1 '^10\.244\.1\.20/32 ' || fail "h1 did not learn 10.244.1.20/32 (cali, own block)"
	bw_rib_has h1 '^10\.99\.0\.5/32 ' || fail "h1 did not learn 10.99.0.5/32 (cali, no pool)"
	bw_rib_has h1 '^10\.244\.2\.30/32 ' && fail "h1 learned 10.244.2.30/32 on a non-cali device"
	bw_rib_has h2 '^10\.244\.3\.10/32 ' && fail "h3 announced its pod under its own block"
	note "ok: own block, outside the pools, non-cali: none announced"

	# the pod's route goes: the /32 leaves the peers
	hexec h1 ip route del 10.244.2.10/32 dev cali1a2b3c4d
	for h in h2 h3; do
		expect 30 "$h drops 10.244.2.10" bw_no_route "$h" "$(bw_re_host 10.244.2.10)"
	done
	route_has h3 "$(bw_re_via 10.244.2.11 h1)" || fail "h3 lost the sentinel 10.244.2.11"
	assert_running h1 h2 h3
}
scenario borrow_mesh

# (b)
borrow_block_later() {
	require_ternd
	borrow_hosts 3
	borrow_cluster "$W/cluster.yaml" h1:10.244.1.0/26 h2:10.244.2.0/26 h3:10.244.3.0/26
	borrow_start "$W/cluster.yaml" h1 h2 h3
	bw_veth_route h1 cali5a 10.244.5.10        # in the pool, in nobody's block
	wait_route 30 h3 "$(bw_re_via 10.244.5.10 h1)"
	borrow_cluster "$W/cluster.yaml" h1:"10.244.1.0/26, 10.244.5.0/26" \
		h2:10.244.2.0/26 h3:10.244.3.0/26
	wait_route 30 h3 "$(bw_re_via 10.244.5.0/26 h1)"
	expect 30 "h3 drops 10.244.5.10/32 (now beneath h1's block)" \
		bw_no_route h3 "$(bw_re_host 10.244.5.10)"
	wait_route 30 h1 '^blackhole 10\.244\.5\.0/26 proto bird'
	route_has h1 "$(bw_re_host 10.244.5.10)dev cali5a proto 80" || fail "h1 lost the pod route"
	note "ok: a block arriving later takes the learned /32 off the wire"
	borrow_cluster "$W/cluster.yaml" h1:10.244.1.0/26 h2:10.244.2.0/26 h3:10.244.3.0/26
	wait_route 30 h3 "$(bw_re_via 10.244.5.10 h1)"
	expect 30 "h3 drops h1's old block 10.244.5.0/26" \
		bw_no_route h3 '^10\.244\.5\.0/26 '
	note "ok: the block gone, the /32 is announced again"
	assert_running h1 h2 h3
}
scenario borrow_block_later

# (c)
borrow_pod_gone() {
	require_ternd
	borrow_hosts 3
	borrow_cluster "$W/cluster.yaml" h1:10.244.1.0/26 h2:10.244.2.0/26 h3:10.244.3.0/26
	borrow_start "$W/cluster.yaml" h1 h2 h3
	bw_pod_add h1 pod1 cali1a2b3c4d 10.244.2.10
	# no IPv6 on the veth: its deletion brings no route event at all
	hexec h1 sysctl -qw net.ipv6.conf.cali1a2b3c4d.disable_ipv6=1 ||
		fail "cannot disable IPv6 on cali1a2b3c4d"
	wait_route 30 h3 "$(bw_re_via 10.244.2.10 h1)"
	wait_route 30 h2 "$(bw_re_via 10.244.2.10 h1)"
	hexec h1 ip link del cali1a2b3c4d
	note "pod1's veth deleted (no RTM_DELROUTE for its IPv4 route)"
	for h in h2 h3; do
		expect 30 "$h drops 10.244.2.10" bw_no_route "$h" "$(bw_re_host 10.244.2.10)"
	done
	assert_running h1 h2 h3
}
scenario borrow_pod_gone
