# shellcheck shell=bash
# lab/calico.sh: the etcd cluster of the lab and Calico's records in it, written
# with etcdctl the way Calico writes them (reference/calico-compat.md 1 and 2).
# Sourced by lab/lab.
#
# etcd: one member on each of h1..h3 (Debian etcd-server), client http://198.18.0.N:2379,
# peer :2380, data $LAB_DIR/etcd-hN, log $LAB_DIR/etcd-hN.log; --enable-v2 for
# the etcdv2 layout.
#
# etcdv3 (Calico 3.x, as calico-node, calicoctl and calico-ipam write them):
#   /calico/resources/v3/projectcalico.org/clusterinformations/default
#   .../bgpconfigurations/default            mesh on, AS 64512
#   .../ippools/default-ipv4-ippool          10.244.0.0/16, blockSize 26
#   .../nodes/hN                             spec.bgp.ipv4Address 198.18.0.N/24
#   with --rr: nodeToNodeMeshEnabled false; nodes h1 and h2 with the label
#   route-reflector=true and spec.bgp.routeReflectorClusterID 224.0.0.1;
#   .../bgppeers/peer-with-route-reflectors  nodeSelector all(), peerSelector
#                                            route-reflector == 'true'
#   /calico/ipam/v2/host/hN/ipv4/block/10.244.N.0-26       {"state":"confirmed",...}
#   /calico/ipam/v2/assignment/ipv4/block/10.244.N.0-26    the block, affinity
#                                            host:hN, ordinal 1 allocated to cN
#   /calico/ipam/v2/handle/k8s-pod-network.<id>            cN's IPAM handle
# etcdv2 (Calico 2.6 / libcalico-go 1.7, through etcd's v2 API):
#   the directories calico/node creates at start, /calico/v1/Ready,
#   /calico/bgp/v1/global/{as_num,node_mesh,loglevel},
#   /calico/v1/ipam/v4/pool/10.244.0.0-16,
#   /calico/v1/host/hN/{metadata,bird_ip},
#   /calico/bgp/v1/host/hN/{ip_addr_v4,ip_addr_v6,network_v4},
#   /calico/ipam/v2/host/hN/ipv4/block/10.244.N.0-26 = {} and the same block and
#   handle records as above in the v1.7 format.

RES=/calico/resources/v3/projectcalico.org

etcd_url() { echo "http://$(host_ip "$1"):2379"; }
etcd_endpoints() {
	local h eps=()
	for h in "${LAB_ETCD_HOSTS[@]}"; do eps+=("$(etcd_url "$h")"); done
	(IFS=,; echo "${eps[*]}")
}

# etcd_up: start one member per host, wait until the cluster is healthy.
etcd_up() {
	local h ip v2=() members=() cluster
	[[ $LAB_DATASTORE == etcdv2 ]] && v2=(--enable-v2)
	for h in "${LAB_ETCD_HOSTS[@]}"; do
		members+=("$h=http://$(host_ip "$h"):2380")
	done
	cluster=$(IFS=,; echo "${members[*]}")
	for h in "${LAB_ETCD_HOSTS[@]}"; do
		ip=$(host_ip "$h")
		lab_spawn "etcd-$h" "$(host_ns "$h")" "$(etcd_log "$h")" \
			etcd --name "$h" --data-dir "$LAB_DIR/etcd-$h" \
			--listen-client-urls "$(etcd_url "$h")" --advertise-client-urls "$(etcd_url "$h")" \
			--listen-peer-urls "http://$ip:2380" --initial-advertise-peer-urls "http://$ip:2380" \
			--initial-cluster "$cluster" --initial-cluster-token "tern-lab-$LAB_PREFIX" \
			--initial-cluster-state new --logger zap --log-level warn "${v2[@]}"
	done
	wait_for 60 "etcd cluster of 3 members healthy" etcdctl3 endpoint health
}

# etcdctl3 ARGS... / etcdctl2 ARGS...: etcdctl (v3 / v2 API) run in h1, against
# every member.
etcdctl3() {
	hexec h1 env ETCDCTL_API=3 timeout 20 etcdctl --endpoints "$(etcd_endpoints)" \
		--command-timeout=5s "$@"
}
etcdctl2() {
	hexec h1 env ETCDCTL_API=2 timeout 20 etcdctl --endpoints "$(etcd_endpoints)" \
		--timeout 5s --total-timeout 15s "$@"
}

put3() { etcdctl3 put "$1" "$2" >/dev/null || die "etcdctl put $1 failed"; }
set2() { etcdctl2 set "$1" "$2" >/dev/null || die "etcdctl (v2) set $1 failed"; }
mkdir2() { etcdctl2 mkdir "$1" >/dev/null || die "etcdctl (v2) mkdir $1 failed"; }

_uuid() { cat /proc/sys/kernel/random/uuid; }
_now() { date -u +%Y-%m-%dT%H:%M:%SZ; }
_meta() { printf '"metadata":{"name":"%s","uid":"%s","creationTimestamp":"%s"' "$1" "$(_uuid)" "$(_now)"; }

# _ordinals: the allocations and unallocated arrays of a /26 block whose ordinal
# LAB_BLOCK_ORD is allocated (attribute 0), as calico-ipam writes them after an
# assignment of that address.
_allocations() {
	local i out=""
	for ((i = 0; i < 64; i++)); do
		if ((i == LAB_BLOCK_ORD)); then out+="0,"; else out+="null,"; fi
	done
	echo "[${out%,}]"
}
_unallocated() {
	local i out=""
	for ((i = 0; i < 64; i++)); do
		((i == LAB_BLOCK_ORD)) || out+="$i,"
	done
	echo "[${out%,}]"
}
# the IPAM handle of host HOST's container (k8s CNI style: network.containerid)
_handle() { echo "k8s-pod-network.$(printf '%s' "$(ctr_ns "$1")" | sha256sum | cut -c1-64)"; }

calico_v3() {
	local h blk cidr mesh=true label rrid
	[[ -n $LAB_RR ]] && mesh=false
	put3 "$RES/clusterinformations/default" "{\"kind\":\"ClusterInformation\",\
\"apiVersion\":\"projectcalico.org/v3\",$(_meta default)},\"spec\":{\"clusterGUID\":\
\"$(_uuid | tr -d -)\",\"clusterType\":\"lab,bgp\",\"calicoVersion\":\"v3.26.0\",\
\"datastoreReady\":true}}"
	put3 "$RES/bgpconfigurations/default" "{\"kind\":\"BGPConfiguration\",\
\"apiVersion\":\"projectcalico.org/v3\",$(_meta default)},\"spec\":{\
\"logSeverityScreen\":\"Info\",\"nodeToNodeMeshEnabled\":$mesh,\"asNumber\":$LAB_AS}}"
	put3 "$RES/ippools/default-ipv4-ippool" "{\"kind\":\"IPPool\",\
\"apiVersion\":\"projectcalico.org/v3\",$(_meta default-ipv4-ippool)},\"spec\":{\
\"cidr\":\"$LAB_POOL\",\"vxlanMode\":\"Never\",\"ipipMode\":\"Never\",\"natOutgoing\":true,\
\"blockSize\":26,\"nodeSelector\":\"all()\",\"allowedUses\":[\"Workload\",\"Tunnel\"]}}"
	for h in "${LAB_HOSTS[@]}"; do
		label="" rrid=""
		if is_reflector "$h"; then
			label=",\"route-reflector\":\"true\""
			rrid=",\"routeReflectorClusterID\":\"$LAB_RR_CLUSTER\""
		fi
		put3 "$RES/nodes/$h" "{\"kind\":\"Node\",\"apiVersion\":\"projectcalico.org/v3\",\
$(_meta "$h"),\"labels\":{\"kubernetes.io/hostname\":\"$h\",\"kubernetes.io/os\":\"linux\"$label}},\
\"spec\":{\"bgp\":{\"ipv4Address\":\"$(host_ip "$h")/24\"$rrid},\"orchRefs\":[{\"nodeName\":\"$h\",\
\"orchestrator\":\"k8s\"}]},\"status\":{\"podCIDRs\":[]}}"
	done
	# --rr: every node peers with the reflectors (Calico's usual BGPPeer; the
	# reflectors, selected by peerSelector, peer back with every node)
	if [[ -n $LAB_RR ]]; then
		put3 "$RES/bgppeers/peer-with-route-reflectors" "{\"kind\":\"BGPPeer\",\
\"apiVersion\":\"projectcalico.org/v3\",$(_meta peer-with-route-reflectors)},\"spec\":{\
\"nodeSelector\":\"all()\",\"peerSelector\":\"route-reflector == 'true'\"}}"
	fi
	for h in "${LAB_HOSTS[@]}"; do
		cidr=$(host_block "$h")
		blk=${cidr/\//-}
		put3 "/calico/ipam/v2/host/$h/ipv4/block/$blk" '{"state":"confirmed","deleted":false}'
		put3 "/calico/ipam/v2/assignment/ipv4/block/$blk" "{\"cidr\":\"$cidr\",\
\"affinity\":\"host:$h\",\"allocations\":$(_allocations),\"unallocated\":$(_unallocated),\
\"attributes\":[{\"handle_id\":\"$(_handle "$h")\",\"secondary\":{\"namespace\":\"default\",\
\"node\":\"$h\",\"pod\":\"$(ctr_ns "$h")\",\"timestamp\":\"$(_now)\"}}],\"sequenceNumber\":1,\
\"sequenceNumberForAllocation\":{\"$LAB_BLOCK_ORD\":0},\"deleted\":false}"
		put3 "/calico/ipam/v2/handle/$(_handle "$h")" "{\"block\":{\"$cidr\":1},\"deleted\":false}"
	done
}

calico_v2() {
	local h d blk cidr
	for d in /calico/v1/ipam/v4/pool /calico/v1/ipam/v6/pool \
		/calico/bgp/v1/global/custom_filters/v4 /calico/bgp/v1/global/custom_filters/v6; do
		mkdir2 "$d"
	done
	set2 /calico/v1/Ready true
	set2 /calico/bgp/v1/global/as_num "$LAB_AS"
	set2 /calico/bgp/v1/global/node_mesh '{"enabled":true}'
	set2 /calico/bgp/v1/global/loglevel info
	set2 "/calico/v1/ipam/v4/pool/${LAB_POOL/\//-}" "{\"cidr\":\"$LAB_POOL\",\"ipip\":\"\",\
\"ipip_mode\":\"\",\"masquerade\":true,\"ipam\":true,\"disabled\":false}"
	for h in "${LAB_HOSTS[@]}"; do
		mkdir2 "/calico/ipam/v2/host/$h/ipv4/block"
		mkdir2 "/calico/ipam/v2/host/$h/ipv6/block"
		set2 "/calico/v1/host/$h/metadata" '{}'
		set2 "/calico/v1/host/$h/bird_ip" "$(host_ip "$h")"
		set2 "/calico/bgp/v1/host/$h/ip_addr_v4" "$(host_ip "$h")"
		set2 "/calico/bgp/v1/host/$h/ip_addr_v6" ""
		set2 "/calico/bgp/v1/host/$h/network_v4" 198.18.0.0/24
	done
	for h in "${LAB_HOSTS[@]}"; do
		cidr=$(host_block "$h")
		blk=${cidr/\//-}
		set2 "/calico/ipam/v2/host/$h/ipv4/block/$blk" '{}'
		set2 "/calico/ipam/v2/assignment/ipv4/block/$blk" "{\"cidr\":\"$cidr\",\
\"affinity\":\"host:$h\",\"strictAffinity\":false,\"allocations\":$(_allocations),\
\"unallocated\":$(_unallocated),\"attributes\":[{\"handle_id\":\"$(_handle "$h")\",\
\"secondary\":null}]}"
		set2 "/calico/ipam/v2/handle/$(_handle "$h")" "{\"block\":{\"$cidr\":1}}"
	done
}

# calico_records: the records of the chosen layout.
calico_records() {
	case $LAB_DATASTORE in
	etcdv3) calico_v3 ;;
	etcdv2) calico_v2 ;;
	esac
	say "  wrote Calico's $LAB_DATASTORE records: the pool $LAB_POOL, nodes" \
		"${LAB_HOSTS[*]}, one /26 block per node with its affinity"
	if [[ -n $LAB_RR ]]; then
		say "  route reflection: nodeToNodeMeshEnabled false; ${LAB_REFLECTORS[*]} labelled" \
			"route-reflector=true with routeReflectorClusterID $LAB_RR_CLUSTER; BGPPeer" \
			"peer-with-route-reflectors: nodeSelector all(), peerSelector route-reflector == 'true'"
	fi
}
