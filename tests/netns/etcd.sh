# shellcheck shell=bash
# tests/netns/etcd.sh: a real etcd cluster inside the test's hosts, and Calico's keys
# written into it the way Calico writes them (calico-compat.md 1 and 2). Sourced by
# t_etcd.sh (and by bench/etcd_convergence.sh).
#
# One member per host (Debian etcd-server 3.4): client http://198.18.0.I:2379, peer
# :2380, data in $W/etcd-hI, log $W/etcd-hI.log. Every member's pid is registered with
# the harness (_tt_record_pid), so the scenario's cleanup kills it.
#
#   etcd_cluster [--v2|--tls] HOST...   start one member per HOST, wait until healthy
#                                 (--tls: https with client certificates, $W/pki)
#   etcd_stop HOST... / etcd_start HOST   stop (SIGTERM, wait) / restart members
#   etcdctl_on HOST ARGS...       etcdctl (v3) against HOST's member, run in HOST
#   etcd_put HOST KEY VALUE / etcd_del HOST KEY       v3 writes through HOST's member
#   etcd_rev HOST                 the current revision
#   etcd_cut HOST / etcd_uncut HOST   processes in HOST cannot / can again connect to
#                                 any etcd client port (policy routing: prohibit)
#   etcd_peer_net HOST...         a second network (198.19.0.I on eth1, bridge br1) for
#                                 the members' peer traffic; call before etcd_cluster
#   etcd_partition HOST / etcd_heal HOST   HOST's member loses / regains its peers
#                                 (its eth1 port on br1 down / up); clients still reach it
#   etcd_freeze HOST / etcd_thaw HOST      SIGSTOP / SIGCONT HOST's member (hung: its
#                                 TCP connections stay open, nothing answers)
#   v2_put HOST KEY VALUE / v2_del HOST KEY [dir]     v2 API writes (curl)
#   v3_base / v3_node / v3_block / v3_mesh / v3_peer  Calico v3 objects
#   v2_base / v2_node / v2_block / v2_mesh            Calico v2 keys
#   ternd_etcd_conf HOST TYPE EPHOST...   $W/HOST.yaml for an etcd datastore
#   ternd_etcd HOST TYPE EPHOST...        ...and start ternd with it
#   own_re HOST BLOCK / via_re HOST BLOCK  FIB regexes (blackhole / via HOST)

TT_RES=/calico/resources/v3/projectcalico.org
declare -A _TT_ETCD=()          # host -> etcd member pid
declare -A _TT_ETCD_V2=()       # host -> "--enable-v2" when the cluster has it
_TT_ETCD_CLUSTER=""
_TT_ETCD_SCHEME=http            # https with etcd_cluster --tls
_TT_ETCD_PEERNET=0              # 1: peer traffic on eth1 (etcd_peer_net)

etcd_url() { echo "$_TT_ETCD_SCHEME://$(host_ip "$1"):2379"; }
# etcd_peer_ip HOST: the address HOST's member uses for its peers.
etcd_peer_ip() {
	if ((_TT_ETCD_PEERNET)); then
		echo "198.19.0.$(host_num "$1")"
	else
		host_ip "$1"
	fi
}

# etcd_pki HOST...: a CA, a server certificate per HOST (its address as the SAN)
# and a client certificate, in $W/pki (EC P-256 keys, valid for a day).
etcd_pki() {
	local d="$W/pki" h
	require_cmd openssl
	mkdir -p "$d" || fail "mkdir $d"
	_tt_ssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$d/ca.key" -out "$d/ca.pem" -days 1 -subj /CN=tern-test-ca
	for h in "$@" client; do
		_tt_ssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
			-keyout "$d/$h.key" -out "$d/$h.csr" -subj "/CN=$h"
		if [[ $h == client ]]; then
			printf 'extendedKeyUsage=clientAuth\n' >"$d/$h.ext"
		else
			printf 'subjectAltName=IP:%s\nextendedKeyUsage=serverAuth,clientAuth\n' \
				"$(host_ip "$h")" >"$d/$h.ext"
		fi
		_tt_ssl x509 -req -in "$d/$h.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
			-CAcreateserial -out "$d/$h.pem" -days 1 -extfile "$d/$h.ext"
	done
}
_tt_ssl() { openssl "$@" >>"$W/pki.log" 2>&1 || fail "openssl $1 failed: $(tail -3 "$W/pki.log")"; }

# etcd_start HOST: (re)start HOST's member with the cluster it was created in.
etcd_start() {
	local h=$1 ip pid tls=()
	require_cmd etcd etcdctl
	[[ -z ${_TT_ETCD[$h]:-} ]] || fail "etcd already running on $h"
	ip=$(etcd_peer_ip "$h")
	[[ $_TT_ETCD_SCHEME == https ]] && tls=(--cert-file "$W/pki/$h.pem"
		--key-file "$W/pki/$h.key" --trusted-ca-file "$W/pki/ca.pem" --client-cert-auth)
	# shellcheck disable=SC2086 # the optional --enable-v2
	ip netns exec "$(host_ns "$h")" etcd --name "$h" --data-dir "$W/etcd-$h" \
		--listen-client-urls "$(etcd_url "$h")" --advertise-client-urls "$(etcd_url "$h")" \
		"${tls[@]}" \
		--listen-peer-urls "http://$ip:2380" --initial-advertise-peer-urls "http://$ip:2380" \
		--initial-cluster "$_TT_ETCD_CLUSTER" --initial-cluster-token "tt-$P" \
		--initial-cluster-state new --heartbeat-interval 50 --election-timeout 500 \
		--logger zap --log-level warn ${_TT_ETCD_V2[$h]:-} \
		</dev/null >>"$W/etcd-$h.log" 2>&1 &
	pid=$!
	_tt_record_pid "$pid"
	_TT_ETCD[$h]=$pid
	note "etcd on $h: pid $pid, log $W/etcd-$h.log"
}

# etcd_stop HOST...: SIGTERM the HOSTs' members together and wait for them to exit.
etcd_stop() {
	local h pids=()
	for h in "$@"; do
		[[ -n ${_TT_ETCD[$h]:-} ]] || fail "etcd_stop: no etcd on $h"
		pids+=("${_TT_ETCD[$h]}")
	done
	term_wait 100 "${pids[@]}"
	for h in "$@"; do
		wait "${_TT_ETCD[$h]}" 2>/dev/null
		unset "_TT_ETCD[$h]"
	done
	note "etcd stopped on $*"
}

etcdctl_on() {
	local h=$1 tls=()
	shift
	[[ $_TT_ETCD_SCHEME == https ]] && tls=(--cacert "$W/pki/ca.pem"
		--cert "$W/pki/client.pem" --key "$W/pki/client.key")
	hexec "$h" timeout 10 env ETCDCTL_API=3 etcdctl --endpoints "$(etcd_url "$h")" \
		"${tls[@]}" --command-timeout=5s "$@"
}

etcd_healthy() { etcdctl_on "$1" endpoint health >/dev/null 2>&1; }

# etcd_cluster [--v2] HOST...: a cluster of one member per HOST.
etcd_cluster() {
	local v2="" h members=()
	if [[ $1 == --v2 ]]; then
		v2=--enable-v2
		shift
	elif [[ $1 == --tls ]]; then
		_TT_ETCD_SCHEME=https
		shift
		etcd_pki "$@"
	fi
	for h in "$@"; do
		members+=("$h=http://$(etcd_peer_ip "$h"):2380")
	done
	_TT_ETCD_CLUSTER=$(IFS=,; echo "${members[*]}")
	for h in "$@"; do
		_TT_ETCD_V2[$h]=$v2
		etcd_start "$h"
	done
	for h in "$@"; do
		expect 30 "etcd member on $h healthy" etcd_healthy "$h"
	done
}

etcd_put() { etcdctl_on "$1" put "$2" "$3" >/dev/null || fail "etcdctl put $2 on $1 failed"; }
etcd_del() { etcdctl_on "$1" del "$2" >/dev/null || fail "etcdctl del $2 on $1 failed"; }
etcd_rev() {
	etcdctl_on "$1" get / -w json | sed -n 's/.*"revision":\([0-9]*\).*/\1/p'
}

# member_compacted VIA HOST REV: HOST's member (asked from VIA) has compacted REV.
member_compacted() {
	local out
	out=$(hexec "$1" timeout 5 env ETCDCTL_API=3 etcdctl --endpoints "$(etcd_url "$2")" \
		get / --rev="$3" 2>&1)
	[[ $out == *'required revision has been compacted'* ]]
}

# etcd_cut HOST: a "prohibit" rule ahead of the local table for TCP to port 2379 sent
# from HOST itself (iif lo): its ternd cannot reach any member, while HOST's member
# keeps serving the others (their packets come in on eth0).
etcd_cut() {
	local ns
	ns=$(host_ns "$1")
	if [[ $(ip -n "$ns" rule show pref 100) != *'lookup local'* ]]; then
		if ! { ip -n "$ns" rule add pref 100 lookup local &&
			ip -n "$ns" rule del pref 0; }; then
			fail "cannot move the local rule in $1"
		fi
	fi
	ip -n "$ns" rule add pref 10 iif lo ipproto tcp dport 2379 prohibit ||
		fail "cannot cut $1 off etcd"
	note "$1 is cut off etcd"
}
etcd_uncut() {
	ip -n "$(host_ns "$1")" rule del pref 10 || fail "cannot undo etcd_cut on $1"
	note "$1 can reach etcd again"
}

# etcd_peer_net HOST...: eth1 = 198.19.0.I/24 in each HOST, its veth peer qI a port
# of bridge br1 in ${P}sw (created with the namespaces, gone with them).
etcd_peer_net() {
	local h i ns sw="${P}sw"
	if ! { ip -n "$sw" link add br1 type bridge && ip -n "$sw" link set br1 up; }; then
		fail "cannot create the peer bridge in $sw"
	fi
	for h in "$@"; do
		i=$(host_num "$h")
		ns=$(host_ns "$h")
		if ! { ip -n "$sw" link add "q$i" type veth peer name eth1 netns "$ns" &&
			ip -n "$sw" link set "q$i" master br1 &&
			ip -n "$sw" link set "q$i" up &&
			ip -n "$ns" addr add "198.19.0.$i/24" dev eth1 &&
			ip -n "$ns" link set eth1 up; }; then
			fail "cannot wire $h to the peer network"
		fi
	done
	_TT_ETCD_PEERNET=1
}

etcd_partition() {
	((_TT_ETCD_PEERNET)) || fail "etcd_partition needs etcd_peer_net"
	ip -n "${P}sw" link set "q$(host_num "$1")" down || fail "cannot cut $1's peer link"
	note "$1's member is cut off its peers"
}
etcd_heal() {
	ip -n "${P}sw" link set "q$(host_num "$1")" up || fail "cannot restore $1's peer link"
	note "$1's member can reach its peers again"
}

# etcd_freeze HOST / etcd_thaw HOST: stop / continue HOST's member. The cleanup's
# SIGKILL ends a stopped member too.
etcd_freeze() {
	[[ -n ${_TT_ETCD[$1]:-} ]] || fail "etcd_freeze: no etcd on $1"
	kill -STOP "${_TT_ETCD[$1]}" || fail "cannot SIGSTOP the member on $1"
	note "$1's member is stopped (SIGSTOP)"
}
etcd_thaw() {
	[[ -n ${_TT_ETCD[$1]:-} ]] || fail "etcd_thaw: no etcd on $1"
	kill -CONT "${_TT_ETCD[$1]}" || fail "cannot SIGCONT the member on $1"
	note "$1's member runs again (SIGCONT)"
}

# v2_put HOST KEY VALUE: PUT /v2/keys/KEY value=VALUE through HOST's member.
v2_put() {
	hexec "$1" curl -sS -m 5 -o /dev/null -f -X PUT "$(etcd_url "$1")/v2/keys$2" \
		--data-urlencode "value=$3" || fail "v2 PUT $2 on $1 failed"
}

# v2_del HOST KEY [dir]: DELETE (recursively for a directory).
v2_del() {
	local q=""
	[[ ${3:-} == dir ]] && q="?recursive=true"
	hexec "$1" curl -sS -m 5 -o /dev/null -f -X DELETE "$(etcd_url "$1")/v2/keys$2$q" ||
		fail "v2 DELETE $2 on $1 failed"
}

# --- Calico v3 (etcdv3) objects, as calicoctl/calico-node write them ---------------

# v3_mesh WRITER true|false [AS]: the default BGPConfiguration.
v3_mesh() {
	etcd_put "$1" "$TT_RES/bgpconfigurations/default" "{\"kind\":\"BGPConfiguration\",\
\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{\"name\":\"default\",\"uid\":\
\"1c1f4e5e-0000-4000-8000-000000000001\",\"creationTimestamp\":\"2026-01-01T00:00:00Z\"},\
\"spec\":{\"logSeverityScreen\":\"Info\",\"nodeToNodeMeshEnabled\":$2,\"asNumber\":${3:-$TT_AS}}}"
}

# v3_base WRITER: the global BGP configuration (mesh on) and the pod pool.
v3_base() {
	v3_mesh "$1" true
	etcd_put "$1" "$TT_RES/ippools/default-ipv4-ippool" "{\"kind\":\"IPPool\",\
\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{\"name\":\"default-ipv4-ippool\",\
\"uid\":\"1c1f4e5e-0000-4000-8000-000000000002\",\"creationTimestamp\":\
\"2026-01-01T00:00:00Z\"},\"spec\":{\"cidr\":\"$TT_POOL\",\"vxlanMode\":\"Never\",\
\"ipipMode\":\"Never\",\"natOutgoing\":true,\"blockSize\":26,\"nodeSelector\":\"all()\"}}"
}

# v3_node WRITER NODE [IP]: a Node with spec.bgp.ipv4Address in CIDR form.
v3_node() {
	local ip=${3:-$(host_ip "$2")}
	etcd_put "$1" "$TT_RES/nodes/$2" "{\"kind\":\"Node\",\"apiVersion\":\
\"projectcalico.org/v3\",\"metadata\":{\"name\":\"$2\",\"uid\":\
\"1c1f4e5e-0000-4000-8000-$(printf %s "$2" | md5sum | cut -c1-12)\",\"creationTimestamp\":\
\"2026-01-01T00:00:00Z\",\"labels\":{\"kubernetes.io/hostname\":\"$2\"}},\"spec\":{\
\"bgp\":{\"ipv4Address\":\"$ip/24\"},\"orchRefs\":[{\"nodeName\":\"$2\",\"orchestrator\":\
\"k8s\"}]},\"status\":{\"podCIDRs\":[]}}"
}

# v3_block WRITER NODE CIDR [STATE]: a block affinity (state confirmed by default).
v3_block() {
	etcd_put "$1" "/calico/ipam/v2/host/$2/ipv4/block/${3/\//-}" \
		"{\"state\":\"${4:-confirmed}\",\"deleted\":false}"
}
v3_unblock() { etcd_del "$1" "/calico/ipam/v2/host/$2/ipv4/block/${3/\//-}"; }

# v3_peer WRITER NAME IP AS: a global BGPPeer.
v3_peer() {
	etcd_put "$1" "$TT_RES/bgppeers/$2" "{\"kind\":\"BGPPeer\",\"apiVersion\":\
\"projectcalico.org/v3\",\"metadata\":{\"name\":\"$2\"},\"spec\":{\"peerIP\":\"$3\",\
\"asNumber\":$4}}"
}

# v3_cluster WRITER HOST...: base objects, then each HOST with its block.
v3_cluster() {
	local w=$1 h
	shift
	v3_base "$w"
	for h in "$@"; do
		v3_node "$w" "$h"
		v3_block "$w" "$h" "$(host_block "$h")"
	done
}

# --- Calico v2 (etcdv2) keys ------------------------------------------------------

v2_mesh() { v2_put "$1" /calico/bgp/v1/global/node_mesh "{\"enabled\":$2}"; }
v2_base() {
	v2_put "$1" /calico/bgp/v1/global/as_num "$TT_AS"
	v2_mesh "$1" true
	v2_put "$1" /calico/bgp/v1/global/loglevel info
	v2_put "$1" "/calico/v1/ipam/v4/pool/${TT_POOL/\//-}" "{\"cidr\":\"$TT_POOL\",\
\"ipip\":\"\",\"ipip_mode\":\"\",\"masquerade\":true,\"ipam\":true,\"disabled\":false}"
}
# v2_node WRITER NODE: ip_addr_v4, ip_addr_v6 "" and network_v4, as compat.go writes.
v2_node() {
	v2_put "$1" "/calico/bgp/v1/host/$2/ip_addr_v4" "$(host_ip "$2")"
	v2_put "$1" "/calico/bgp/v1/host/$2/ip_addr_v6" ""
	v2_put "$1" "/calico/bgp/v1/host/$2/network_v4" "198.18.0.0/24"
}
v2_block() { v2_put "$1" "/calico/ipam/v2/host/$2/ipv4/block/${3/\//-}" "{}"; }
v2_unblock() { v2_del "$1" "/calico/ipam/v2/host/$2/ipv4/block/${3/\//-}"; }
v2_cluster() {
	local w=$1 h
	shift
	v2_base "$w"
	for h in "$@"; do
		v2_node "$w" "$h"
		v2_block "$w" "$h" "$(host_block "$h")"
	done
}

# --- ternd with an etcd datastore -------------------------------------------------

# ternd_etcd_conf HOST TYPE EPHOST...: $W/HOST.yaml, endpoints in the given order.
ternd_etcd_conf() {
	local h=$1 type=$2 f="$W/$1.yaml" e eps=""
	shift 2
	for e in "$@"; do
		eps+="${eps:+, }$(etcd_url "$e")"
	done
	cat >"$f" <<EOF
node:
  name: $h
datastore:
  type: $type
  endpoints: [$eps]
  prefix: /calico
$(etcd_tls_conf)
bgp:
  connect_retry_time: 1
  hold_time: 9
  keepalive_time: 3
control:
  socket: $W/$h.ctl
log:
  level: debug
EOF
	echo "$f"
}

# The TLS settings of ternd's datastore section, when the cluster has TLS.
etcd_tls_conf() {
	[[ $_TT_ETCD_SCHEME == https ]] || return 0
	printf '  ca_file: %s\n  cert_file: %s\n  key_file: %s\n' "$W/pki/ca.pem" \
		"$W/pki/client.pem" "$W/pki/client.key"
}

ternd_etcd() {
	local h=$1
	start_ternd "$h" "$(ternd_etcd_conf "$@")"
}

# FIB regexes: HOST's own block as a blackhole; a block via HOST (default: its own).
_re_esc() { echo "${1//./\\.}"; }
own_re() { echo "^blackhole $(_re_esc "${2:-$(host_block "$1")}") proto bird"; }
via_re() {
	echo "^$(_re_esc "${2:-$(host_block "$1")}") (nhid [0-9]+ )?via $(_re_esc "$(host_ip "$1")") dev eth0 proto bird"
}
no_route() { ! route_has "$1" "^(blackhole )?$(_re_esc "$2") "; }
wait_no_route() { expect "$1" "$2 has no route for $3" no_route "$2" "$3"; }
bird_routes() { hexec "$1" ip -4 route show proto bird | sort; }
