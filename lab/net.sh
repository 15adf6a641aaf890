# shellcheck shell=bash
# lab/net.sh: the lab's network namespaces (SPEC 7). Sourced by lab/lab.
#
#   ${P}sw    the switch: bridge br0, and 198.18.0.254/24 on it, the hosts' default
#             gateway (a real host has one; proxy ARP for 169.254.1.1 needs a route
#             to it); ports p1..p3
#   ${P}hN    host N: eth0 198.18.0.N/24 (a veth whose other end pN is a port of
#             br0), default via 198.18.0.254, ip_forward=1
#   ${P}cN    host N's container, wired as Calico's CNI plugin wires a workload:
#             veth cali<11 hex> (host) / eth0 (container), the host end with MAC
#             ee:ee:ee:ee:ee:ee, proxy_arp=1, proxy_delay=0, forwarding=1,
#             route_localnet=1; eth0 has 10.244.N.1/32, routes
#             `169.254.1.1 dev eth0 scope link` then `default via 169.254.1.1`;
#             the host routes `10.244.N.1 dev cali... scope link`.
#
# Every command runs with `ip -n NS` or `ip netns exec NS`; veths are created
# inside a lab namespace with the other end moved straight into another, so the
# root namespace's links, addresses and routes never change.

net_switch() {
	local sw
	sw=$(sw_ns)
	ip netns add "$sw" || die "ip netns add $sw failed"
	if ! { ip -n "$sw" link set lo up &&
		ip -n "$sw" link add br0 type bridge &&
		ip -n "$sw" addr add "$LAB_GW/24" dev br0 &&
		ip -n "$sw" link set br0 up; }; then
		die "cannot set up the bridge in $sw"
	fi
}

# net_host hN: host namespace hN, eth0 on the bridge.
net_host() {
	local h=$1 i ns sw
	i=$(host_num "$h")
	ns=$(host_ns "$h")
	sw=$(sw_ns)
	ip netns add "$ns" || die "ip netns add $ns failed"
	if ! { ip -n "$sw" link add "p$i" type veth peer name eth0 netns "$ns" &&
		ip -n "$sw" link set "p$i" master br0 &&
		ip -n "$sw" link set "p$i" up &&
		ip -n "$ns" link set lo up &&
		ip -n "$ns" addr add "$(host_ip "$h")/24" dev eth0 &&
		ip -n "$ns" link set eth0 up &&
		ip -n "$ns" route add default via "$LAB_GW" dev eth0; }; then
		die "cannot wire host $h ($ns)"
	fi
	ns_sysctl "$ns" net/ipv4/ip_forward 1
}

# net_container hN: host hN's container cN (namespace ${P}cN).
net_container() {
	local h=$1 hns cns veth ip k
	hns=$(host_ns "$h")
	cns=$(ctr_ns "$h")
	veth=$(ctr_veth "$h")
	ip=$(ctr_ip "$h")
	ip netns add "$cns" || die "ip netns add $cns failed"
	if ! { ip -n "$hns" link add "$veth" type veth peer name eth0 netns "$cns" &&
		ip -n "$hns" link set "$veth" address ee:ee:ee:ee:ee:ee; }; then
		die "cannot create the veth $veth of $cns"
	fi
	# the container side
	if ! { ip -n "$cns" link set lo up &&
		ip -n "$cns" link set eth0 up &&
		ip -n "$cns" addr add "$ip/32" dev eth0 &&
		ip -n "$cns" route add 169.254.1.1 dev eth0 scope link &&
		ip -n "$cns" route add default via 169.254.1.1 dev eth0; }; then
		die "cannot configure eth0 in $cns"
	fi
	# the host side
	for k in route_localnet=1 proxy_arp=1 forwarding=1; do
		ns_sysctl "$hns" "net/ipv4/conf/$veth/${k%=*}" "${k#*=}"
	done
	ns_sysctl "$hns" "net/ipv4/neigh/$veth/proxy_delay" 0
	if ! { ip -n "$hns" link set "$veth" up &&
		ip -n "$hns" route add "$ip" dev "$veth" scope link; }; then
		die "cannot route $ip to $veth in $hns"
	fi
}

# net_teardown: kill whatever still runs in the lab's namespaces, delete them.
# Idempotent; never fails.
net_teardown() {
	local ns pids
	for ns in $(lab_namespaces); do
		[[ -e /run/netns/$ns ]] || continue
		pids=$(ip netns pids "$ns" 2>/dev/null) || pids=""
		if [[ -n $pids ]]; then
			say "  killing what still runs in $ns: ${pids//$'\n'/ }"
			# shellcheck disable=SC2086 # a list of pids
			kill -KILL $pids 2>/dev/null || true
		fi
		ip netns del "$ns" 2>/dev/null || warn "ip netns del $ns failed"
	done
	return 0
}
