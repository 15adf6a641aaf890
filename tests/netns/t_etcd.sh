# shellcheck shell=bash
# tests/netns/t_etcd.sh: ternd reading the cluster from a real etcd (SPEC 3, issue 4).
#
# A 3-member etcd cluster (Debian etcd-server 3.4), one member per host, holds
# Calico's keys, written the way Calico writes them (etcd.sh): the v3 resources
# for etcdv3, the /calico/bgp/v1 keys through the v2 API for etcdv2. ternd runs on
# each host with `datastore: {type: etcdv3|etcdv2, endpoints: [...]}`; every
# change is made in etcd while everything keeps running, and must show up in the
# FIBs and sessions. Log lines used (besides t_bgp.sh's):
#   datastore: etcdv3: connected to http://198.18.0.1:2379 (...)
#   datastore: etcdv3: http://...: ...; keeping the cluster view, retrying ...
#   datastore: etcdv3: watch resume point compacted (...); reading everything again
#   datastore: etcd key /calico/...: <why>; skipped
# shellcheck source-path=SCRIPTDIR source=etcd.sh
. "$(dirname "${BASH_SOURCE[0]}")/etcd.sh"

# etcd_mesh_fib HOST...: each HOST has its blackhole and the others' blocks.
etcd_mesh_fib() {
	local h p
	for h in "$@"; do
		wait_route 30 "$h" "$(own_re "$h")"
		for p in "$@"; do
			[[ $h == "$p" ]] && continue
			wait_route 30 "$h" "$(via_re "$p")"
		done
	done
}

# etcd_isolate HOST: HOST's ternd loses etcd (its member stops, the others are out
# of reach), so that when HOST's node is deleted it is the other nodes that close
# the sessions (Cease/Peer De-configured), not HOST reacting to its own deletion.
etcd_isolate() {
	local n
	n=$(log_count "$1" 'keeping the cluster view')
	unwatch "$1"
	etcd_cut "$1"
	etcd_stop "$1"
	wait_log_count 10 "$1" 'keeping the cluster view' "$((n + 1))"
}

# proto_bird_n HOST: how many proto bird routes HOST has.
proto_bird_n() { hexec "$1" ip -4 route show proto bird | wc -l; }

# route_monitor HOST: `ip -4 monitor route` of HOST into $W/HOST.mon (until cleanup).
route_monitor() {
	ip netns exec "$(host_ns "$1")" ip -4 monitor route >"$W/$1.mon" 2>&1 &
	_tt_record_pid $!
}

# our_route_changes HOST: the monitored changes of routes ternd owns.
our_route_changes() { grep -E 'proto bird|10\.244\.|^Deleted' "$W/$1.mon"; }

# (1) etcdv3: the mesh from etcd, then every kind of change, live: a node added,
# blocks added (pending, then confirmed) and removed, node_mesh off and on, a
# global peer (BIRD 2), a node removed (Cease, routes withdrawn).
etcd_v3_changes() {
	require_ternd
	require_cmd etcd etcdctl
	local h blk=10.244.12.0/26 pend=10.244.11.0/26
	netns_hosts 4
	etcd_cluster h1 h2 h3
	v3_base h1
	v3_node h1 h1
	v3_node h1 h2
	for h in h1 h2 h3; do
		v3_block h1 "$h" "$(host_block "$h")"
	done
	ternd_etcd h1 etcdv3 h1 h2 h3
	ternd_etcd h2 etcdv3 h2 h3 h1
	ternd_etcd h3 etcdv3 h3 h1 h2
	wait_log 30 h1 "datastore: etcdv3: connected to http://198.18.0.1:2379"
	etcd_mesh_fib h1 h2
	# a node is added: h3 (running, but not in etcd until now)
	v3_node h2 h3
	note "wrote node h3"
	etcd_mesh_fib h1 h2 h3
	for h in h1 h2 h3; do
		(($(proto_bird_n "$h") == 3)) || fail "$h: $(proto_bird_n "$h") proto bird routes, want 3"
	done
	# blocks: a pending affinity is not announced; confirmed, it is
	v3_block h3 h2 "$pend" pending
	v3_block h3 h2 "$blk"
	wait_route 10 h2 "$(own_re h2 "$blk")"
	wait_route 10 h1 "$(via_re h2 "$blk")"
	wait_route 10 h3 "$(via_re h2 "$blk")"
	route_has h1 "$(_re_esc "$pend")" && fail "a pending block was announced"
	route_has h2 "$(_re_esc "$pend")" && fail "a pending block got a blackhole"
	v3_block h1 h2 "$pend"
	wait_route 10 h1 "$(via_re h2 "$pend")"
	v3_unblock h2 h2 "$blk"
	v3_unblock h2 h2 "$pend"
	for h in h1 h2 h3; do
		wait_no_route 10 "$h" "$blk"
		wait_no_route 10 "$h" "$pend"
	done
	# node_mesh off: the mesh sessions close, learned routes go, blackholes stay
	v3_mesh h3 false
	for h in h1 h2 h3; do
		expect 10 "$h has no learned route" test "$(hexec "$h" ip -4 route show proto bird | grep -c via)" = 0
		route_has "$h" "$(own_re "$h")" || fail "$h lost its blackhole with the mesh off"
	done
	wait_log_re 10 h1 'neighbor 198\.18\.0\.2 .*(sent|received) notification Cease/'
	v3_mesh h1 true
	etcd_mesh_fib h1 h2 h3
	# a global peer: BIRD 2 on h4 peers with all three
	start_bird h4 "$(bird_conf h4 h1 h2 h3)"
	v3_peer h2 bird-h4 198.18.0.4 "$TT_AS"
	for h in h1 h2 h3; do
		wait_log_re 30 "$h" 'neighbor 198\.18\.0\.4 AS64512 \(Global_198_18_0_4\): state OpenConfirm -> Established'
		wait_route 30 "$h" "$(via_re h4)"
	done
	wait_route 30 h4 "^$(_re_esc "$(host_block h1)") via 198\.18\.0\.1 dev eth0 proto bird"
	# a node is removed: h1 and h2 close its session with Cease and drop its
	# block (h3 itself is kept from seeing it first, see etcd_isolate)
	etcd_isolate h3
	etcd_del h1 "$TT_RES/nodes/h3"
	for h in h1 h2; do
		wait_log_re 10 "$h" 'neighbor 198\.18\.0\.3 .*sent notification Cease/Peer De-configured'
		wait_no_route 10 "$h" "$(host_block h3)"
	done
	route_has h1 "$(via_re h2)" || fail "h1 lost h2's block"
	assert_running h1 h2
}
scenario etcd_v3_changes

# (2) etcdv2 (Calico 2.x keys through etcd's v2 API): the mesh, a block added and
# removed, node_mesh off and on, a node removed the way calicoctl does it (its
# /calico/bgp/v1/host/<node> directory deleted recursively).
etcd_v2_changes() {
	require_ternd
	require_cmd etcd curl
	local h blk=10.244.11.0/26
	netns_hosts 3
	etcd_cluster --v2 h1 h2 h3
	v2_cluster h1 h1 h2 h3
	ternd_etcd h1 etcdv2 h1 h2 h3
	ternd_etcd h2 etcdv2 h2 h3 h1
	ternd_etcd h3 etcdv2 h3 h1 h2
	wait_log 30 h1 "datastore: etcdv2: connected to http://198.18.0.1:2379"
	etcd_mesh_fib h1 h2 h3
	v2_block h2 h1 "$blk"
	wait_route 10 h1 "$(own_re h1 "$blk")"
	wait_route 10 h3 "$(via_re h1 "$blk")"
	v2_unblock h3 h1 "$blk"
	for h in h1 h2 h3; do
		wait_no_route 10 "$h" "$blk"
	done
	v2_mesh h2 false
	expect 10 "h1 has no learned route" test "$(hexec h1 ip -4 route show proto bird | grep -c via)" = 0
	v2_mesh h2 true
	etcd_mesh_fib h1 h2 h3
	etcd_isolate h3
	v2_del h1 /calico/bgp/v1/host/h3 dir
	for h in h1 h2; do
		wait_log_re 10 "$h" 'neighbor 198\.18\.0\.3 .*sent notification Cease/Peer De-configured'
		wait_no_route 10 "$h" "$(host_block h3)"
	done
	route_has h1 "$(via_re h2)" || fail "h1 lost h2's block"
	assert_running h1 h2
}
scenario etcd_v2_changes

# (3) etcd down for 30 s while nothing changes: no session drops, no route
# changes anywhere, one log line per host for the loss. Then h1 alone is cut
# off (its ternd talks only to its own member, which is stopped): a block of
# h1's written meanwhile through h2's member appears when h1's member returns.
etcd_outage() {
	require_ternd
	require_cmd etcd etcdctl
	local h n blk=10.244.21.0/26
	local -A lost=() tries=()
	netns_hosts 3
	etcd_cluster h1 h2 h3
	v3_cluster h1 h1 h2 h3
	ternd_etcd h1 etcdv3 h1
	ternd_etcd h2 etcdv3 h2 h3 h1
	ternd_etcd h3 etcdv3 h3 h1 h2
	etcd_mesh_fib h1 h2 h3
	for h in h1 h2 h3; do
		wait_log 30 "$h" "first full sync done"
		route_monitor "$h"
	done
	sleep 0.3
	etcd_stop h1 h2 h3
	note "all etcd members down for 30 s"
	# the loss is logged per state change, the retries are not
	sleep 5
	for h in h1 h2 h3; do
		lost[$h]=$(log_count "$h" 'keeping the cluster view')
		tries[$h]=$(log_count "$h" 'next try in')
		((lost[$h] >= 1)) || fail "$h did not log the loss"
	done
	sleep 25
	for h in h1 h2 h3; do
		n=$(log_count "$h" 'keeping the cluster view')
		((n == lost[$h])) || fail "$h logged the loss again while etcd stayed down"
		(($(log_count "$h" 'next try in') > tries[$h])) || fail "$h stopped retrying"
	done
	note "ok: one warning per host for the loss, retries only at debug level"
	for h in h1 h2 h3; do
		etcd_start "$h"
	done
	for h in h1 h2 h3; do
		wait_log_count 30 "$h" 'datastore: etcdv3: connected to ' 2
	done
	sleep 1
	for h in h1 h2 h3; do
		our_route_changes "$h" && fail "$h's routes changed during the outage"
		n=$(log_count "$h" 'state (OpenConfirm -> Established|Established -> )')
		((n == 2)) || fail "$h: $n session state changes, want the 2 Established"
		((($(proto_bird_n "$h")) == 3)) || fail "$h has $(proto_bird_n "$h") proto bird routes"
	done
	note "ok: no route change and no session change during the outage"
	# h1 cut off: a block for h1 written through h2 appears when it returns
	expect 30 "etcd member on h1 healthy" etcd_healthy h1
	n=$(log_count h1 'keeping the cluster view')
	etcd_stop h1
	wait_log_count 10 h1 'keeping the cluster view' "$((n + 1))"
	v3_block h2 h1 "$blk"
	sleep 2
	no_route h1 "$blk" || fail "h1 installed $blk while cut off from etcd"
	etcd_start h1
	wait_route 30 h1 "$(own_re h1 "$blk")"
	wait_route 10 h2 "$(via_re h1 "$blk")"
	wait_route 10 h3 "$(via_re h1 "$blk")"
	assert_running h1 h2 h3
}
scenario etcd_outage

# (4) h1's watch is down while the cluster changes and etcd is compacted past
# h1's revision: h1 lists again and its state is exactly etcd's. h1's ternd talks
# only to h1's member; it is cut off (etcd_cut) and the member restarted, so the
# member follows every change and the compaction while ternd cannot reach it.
etcd_compaction() {
	require_ternd
	require_cmd etcd etcdctl
	local rev got i
	netns_hosts 3
	etcd_cluster h1 h2 h3
	v3_cluster h1 h1 h2 h3
	ternd_etcd h1 etcdv3 h1
	ternd_etcd h2 etcdv3 h2 h3 h1
	ternd_etcd h3 etcdv3 h3 h1 h2
	etcd_mesh_fib h1 h2 h3
	etcd_cut h1
	etcd_stop h1
	wait_log_count 10 h1 'keeping the cluster view' 1
	etcd_start h1
	# while h1 is away: one of its blocks goes, another comes, h3's moves
	v3_unblock h2 h1 "$(host_block h1)"
	v3_block h2 h1 10.244.31.0/26
	v3_unblock h2 h3 "$(host_block h3)"
	v3_block h2 h3 10.244.33.0/26
	for ((i = 0; i < 20; i++)); do
		etcd_put h2 /calico/felix/churn "$i"
	done
	rev=$(etcd_rev h2)
	etcdctl_on h2 compact "$rev" --physical >/dev/null || fail "compact failed"
	note "compacted at revision $rev"
	expect 30 "h1's member has compacted revision $((rev - 1))" \
		member_compacted h2 h1 "$((rev - 1))"
	etcd_uncut h1
	wait_log_re 30 h1 'watch resume point compacted .*reading everything again'
	wait_route 10 h1 "$(own_re h1 10.244.31.0/26)"
	wait_route 10 h1 "$(via_re h3 10.244.33.0/26)"
	wait_no_route 10 h1 "$(host_block h1)"
	wait_no_route 10 h1 "$(host_block h3)"
	got=$(proto_bird_n h1)
	((got == 3)) || fail "h1 has $got proto bird routes, want 3: $(bird_routes h1)"
	route_has h1 "$(via_re h2)" || fail "h1 lost h2's block"
	note "ok: h1's FIB is exactly etcd's"
	wait_route 10 h2 "$(via_re h1 10.244.31.0/26)"
	wait_no_route 10 h2 "$(host_block h1)"
	assert_running h1 h2 h3
}
scenario etcd_compaction

# (5) malformed values in etcd are logged once with their key and skipped;
# ternd keeps running and everything else keeps working.
etcd_malformed() {
	require_ternd
	require_cmd etcd etcdctl
	local k n
	netns_hosts 3
	etcd_cluster h1 h2 h3
	v3_cluster h1 h1 h2
	ternd_etcd h1 etcdv3 h1 h2 h3
	ternd_etcd h2 etcdv3 h2 h3 h1
	etcd_mesh_fib h1 h2
	etcd_put h3 "$TT_RES/nodes/bad1" '{"kind":"Node","spec":{"bgp":'
	etcd_put h3 "$TT_RES/nodes/bad2" '{"spec":{"bgp":{"ipv4Address":"198.18.0.300/24"}}}'
	etcd_put h3 "$TT_RES/ippools/bad3" '{"spec":{"cidr":"10.244.0.0/33"}}'
	etcd_put h3 "$TT_RES/bgppeers/bad4" '{"spec":{"peerIP":"198.18.0.250"}}'
	etcd_put h3 /calico/ipam/v2/host/h1/ipv4/block/10.244.999.0-26 '{"state":"confirmed"}'
	etcd_put h3 /calico/ipam/v2/host/h1/ipv4/block/10.244.41.0-26 'not json'
	# unknown fields are fine: h3 is a valid node
	etcd_put h3 "$TT_RES/nodes/h3" '{"kind":"Node","apiVersion":"projectcalico.org/v3","metadata":{"name":"h3","futureField":[1,{"a":null}]},"spec":{"bgp":{"ipv4Address":"198.18.0.3/24","newThing":true},"wireguard":{"x":1}},"status":{"more":{}}}'
	for k in nodes/bad1 nodes/bad2 ippools/bad3 bgppeers/bad4; do
		wait_log 10 h1 "datastore: etcd key $TT_RES/$k: "
	done
	wait_log 10 h1 "block/10.244.999.0-26: bad CIDR in the key; skipped"
	wait_log 10 h1 "block/10.244.41.0-26: "
	wait_log_re 10 h1 'neighbor 198\.18\.0\.3 AS64512 \(Mesh_198_18_0_3\): configured'
	# the rest works: a good block is announced
	v3_block h3 h1 10.244.42.0/26
	wait_route 10 h2 "$(via_re h1 10.244.42.0/26)"
	# the same bad values again (a re-list): not logged again
	kill -HUP "$(ternd_pid h1)"
	wait_log 10 h1 "reload requested; reading everything again"
	sleep 1
	n=$(log_count h1 'datastore: etcd key ')
	((n == 6)) || fail "h1 logged $n malformed keys, want 6"
	no_route h1 10.244.41.0/26 || fail "a malformed affinity was installed"
	route_has h1 "$(via_re h2)" || fail "h1 lost h2's block"
	assert_no_log_re h1 'neighbor 198\.18\.0\.2 .*sent notification'
	assert_running h1 h2
}
scenario etcd_malformed

# (6) TLS: the member serves https only and wants a client certificate; ternd
# reads the cluster with the configured CA, certificate and key.
etcd_tls() {
	require_ternd
	require_cmd etcd etcdctl openssl
	netns_hosts 2
	etcd_cluster --tls h1
	v3_cluster h1 h1 h2
	ternd_etcd h1 etcdv3 h1
	ternd_etcd h2 etcdv3 h1
	wait_log 30 h2 "datastore: etcdv3: connected to https://198.18.0.1:2379"
	etcd_mesh_fib h1 h2
	v3_block h1 h2 10.244.52.0/26
	wait_route 10 h1 "$(via_re h2 10.244.52.0/26)"
	assert_running h1 h2
}
scenario etcd_tls

# (7) etcd not there yet when ternd starts: ternd waits (one warning), retries
# with backoff, and builds the mesh as soon as etcd answers.
etcd_late() {
	require_ternd
	require_cmd etcd etcdctl
	local h
	netns_hosts 2
	ternd_etcd h1 etcdv3 h1
	ternd_etcd h2 etcdv3 h1
	for h in h1 h2; do
		wait_log 10 "$h" 'no cluster view yet, retrying over 1 endpoint'
	done
	sleep 2
	etcd_cluster h1
	v3_cluster h1 h1 h2
	etcd_mesh_fib h1 h2
	for h in h1 h2; do
		(($(log_count "$h" 'no cluster view yet') == 1)) ||
			fail "$h warned more than once while etcd was missing"
	done
	assert_running h1 h2
}
scenario etcd_late
