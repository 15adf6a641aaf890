# shellcheck shell=bash
# tests/netns/t_rr.sh: route reflection (RFC 4456) against BIRD 2, both ways, the
# way Calico sets it up (issue 14; calico-compat.md 3.4 and 6).
#
# The cluster file (file datastore) has the mesh off (node_mesh: false), the
# reflectors as nodes with `rr_cluster_id: 224.0.0.1` and the label
# route-reflector=true, and one peer with Calico's BGPPeer selectors:
#   - {node_selector: "all()", peer_selector: "route-reflector == 'true'"}
# Every node peers with every reflector (and, Calico's reverse peering, every
# reflector with every node), as Node_<ip> sessions; a reflector's peer is a
# client ("rr client; rr cluster id") when its cluster ID differs. BIRD is
# configured as Calico's confd configures it (bird.sh bird_rr_conf).
#
#   (1) rr_bird_reflector: BIRD reflects for three ternd clients;
#   (2) rr_ternd_reflector: ternd reflects for three BIRD clients and a ternd one;
#   (3) rr_two_reflectors: two ternd reflectors of one cluster, one SIGKILLed: no
#       client loses a route or sees it deleted;
#   (4) rr_loop: a BIRD client sends routes carrying the reflector's cluster ID
#       in CLUSTER_LIST or its router id as ORIGINATOR_ID: refused and counted;
#   (5) rr_selector_live: the mesh turned off live, then the reflector label
#       moved to another node: the sessions follow.
# Each needs what main could not do before issue 14 (the cluster file keys,
# reflection): on the old code ternd refuses the cluster file, or installs a
# client's block via the reflector, or not at all.
# Routes are checked in the kernel (`ip route`: ternd's and BIRD's are proto
# bird), sessions with `ternctl show protocols` / `birdc show protocols`.
# ternctl is $TERNCTL (default: ternctl next to $TERND). Every wait is bounded.

TERNCTL=${TERNCTL:-$(dirname "$TERND")/ternctl}
RR_CLUSTER=224.0.0.1
RR_SELECTOR="node_selector: \"all()\", peer_selector: \"route-reflector == 'true'\""

# rr_cluster FILE MESH PEERS NODE...: write the cluster file atomically. MESH is
# true or false; PEERS is `selector` (the one BGPPeer of the header), `none`, or
# the YAML of the peers: list (indented). NODE is hN, hN+rr (a reflector:
# rr_cluster_id and the label), and either may end in =BLOCKS (a comma-separated
# list, empty for none) instead of its own block 10.244.N.0/26.
rr_cluster() {
	local f=$1 mesh=$2 peers=$3 n h blocks
	shift 3
	{
		echo "as: $TT_AS"
		echo "node_mesh: $mesh"
		echo "pools:"
		echo "  - cidr: $TT_POOL"
		echo "    ipip: never"
		echo "nodes:"
		for n in "$@"; do
			h=${n%%[+=]*}
			blocks=$(host_block "$h")
			[[ $n == *=* ]] && blocks=${n#*=}
			echo "  - name: $h"
			echo "    ipv4: $(host_ip "$h")"
			echo "    blocks: [$blocks]"
			if [[ $n == *+rr* ]]; then
				echo "    rr_cluster_id: $RR_CLUSTER"
				echo "    labels: {route-reflector: \"true\"}"
			fi
		done
		case $peers in
		none) echo "peers: []" ;;
		selector)
			echo "peers:"
			echo "  - {$RR_SELECTOR}"
			;;
		*)
			echo "peers:"
			printf '%s\n' "$peers"
			;;
		esac
	} >"$f.tmp.$$" || fail "cannot write $f.tmp.$$"
	mv -f "$f.tmp.$$" "$f" || fail "cannot rename $f.tmp.$$ to $f"
}

# rr_recluster FILE MESH PEERS NODE...: rr_cluster for a change to running
# ternds. Each reloads on the file's inotify event; a ternd that could not
# watch it (it logs "is not watched; reload with SIGHUP": inotify instances
# run out when many tests share the machine) gets the SIGHUP it asks for.
rr_recluster() {
	local h pid
	rr_cluster "$@"
	for h in "${!_TT_TERND[@]}"; do
		pid=${_TT_TERND[$h]}
		if log_has "$h" "is not watched; reload with SIGHUP"; then
			note "$h could not watch the cluster file (its log says so): SIGHUP"
			kill -HUP "$pid" 2>/dev/null
		fi
	done
	return 0
}

# rr_ternd HOST CLUSTERFILE [RESTART_TIME]: ternd on HOST (ternd_conf, with the
# graceful restart time when given).
rr_ternd() {
	local h=$1 conf
	conf=$(ternd_conf "$h" "$2")
	if [[ -n ${3:-} ]]; then
		sed -i "s/^bgp:\$/bgp:\n  restart_time: $3/" "$conf" || fail "sed $conf"
	fi
	start_ternd "$h" "$conf"
}

rr_ctl() {
	local h=$1
	shift
	timeout 10 "$TERNCTL" -s "$W/$h.ctl" "$@"
}
# rr_peer HOST: the session name for HOST found by the selector peer: Node_<ip>
# (Calico's confd makes a BGPPeer with a nodeSelector node-specific peers).
rr_peer() { echo "Node_$(host_ip "$1" | tr . _)"; }
_rr_re() { echo "${1//./\\.}"; }

# rr_route_re OWNER: the kernel route of OWNER's block via OWNER's address (ternd
# adds a nexthop id, BIRD does not).
rr_route_re() {
	echo "^$(_rr_re "$(host_block "$1")") (nhid [0-9]+ )?via $(_rr_re "$(host_ip "$1")") dev eth0 proto bird"
}
# rr_wait_via TIMEOUT HOST OWNER...: HOST's kernel has each OWNER's block via OWNER.
rr_wait_via() {
	local t=$1 h=$2 o
	shift 2
	for o in "$@"; do
		[[ $o == "$h" ]] && continue
		expect "$t" "$h has $(host_block "$o") via $(host_ip "$o") (the owner $o)" \
			route_has "$h" "$(rr_route_re "$o")"
	done
}
# rr_wait_full TIMEOUT HOSTS...: every HOST has every other HOST's block via its owner.
rr_wait_full() {
	local t=$1 h
	shift
	for h in "$@"; do
		rr_wait_via "$t" "$h" "$@"
	done
}
# rr_block_gone HOST OWNER: no route to OWNER's block in HOST's kernel.
rr_block_gone() { ! route_has "$1" "^$(_rr_re "$(host_block "$2")") "; }

# rr_protos HOST: the names of HOST's BGP protocols (ternctl show protocols).
rr_protos() { rr_ctl "$1" show protocols | awk '$2 == "BGP" { print $1 }' | sort; }
# rr_protos_are HOST NAME...: HOST has exactly these BGP protocols, all Established.
rr_protos_are() {
	local h=$1 n want got
	shift
	want=$(printf '%s\n' "$@" | sort)
	got=$(rr_protos "$h") || return 1
	[[ $got == "$want" ]] || return 1
	for n in "$@"; do
		rr_ctl "$h" show protocols "$n" | grep -E "^$n +BGP .* up .*Established" >/dev/null ||
			return 1
	done
}
# rr_expect_protos TIMEOUT HOST NAME...: wait for rr_protos_are.
rr_expect_protos() {
	local t=$1 h=$2
	shift 2
	expect "$t" "$h's BGP protocols are exactly [$*], all Established" \
		rr_protos_are "$h" "$@"
}
# rr_rib_reflected HOST OWNER REFLECTOR: HOST's rib (ternctl show route all) has
# OWNER's block from the session to REFLECTOR, via OWNER, with ORIGINATOR_ID OWNER.
rr_rib_reflected() {
	local out
	out=$(rr_ctl "$1" show route all "$(host_block "$2")") || return 1
	grep -E "via $(_rr_re "$(host_ip "$2")") .*\[$(rr_peer "$3") " <<<"$out" >/dev/null &&
		grep -F "BGP.originator_id: $(host_ip "$2")" <<<"$out" >/dev/null
}
rr_expect_reflected() {
	expect "$1" "$2's rib has $(host_block "$3") from $(rr_peer "$4") via $(host_ip "$3"), originator $(host_ip "$3")" \
		rr_rib_reflected "$2" "$3" "$4"
}

# rr_session_line HOST PROTO: the Session: line of `ternctl show protocols all`.
rr_session_line() {
	rr_ctl "$1" show protocols all "$2" | sed -n 's/^ *Session: *//p'
}

# (1) BIRD 2 reflects (h1: rr client, rr cluster id, add paths on, as Calico's
# template) for three ternd clients h2..h4 (mesh off, the selector peer): every
# client installs every other client's block via the owning client (never via
# the reflector), BIRD on the reflector has them (with their originators'
# next hops) and installs them via the owners; h3's block removed from the
# cluster file disappears from h2, h4 and the reflector.
rr_bird_reflector() {
	require_ternd
	require_cmd bird birdc
	[[ -x $TERNCTL ]] || fail "ternctl not built: $TERNCTL"
	local cl="$W/cluster.yaml" h p out
	netns_hosts 4
	rr_cluster "$cl" false selector h1+rr h2 h3 h4
	start_bird h1 "$(bird_rr_conf h1 "$RR_CLUSTER" h2 h3 h4)"
	for h in h2 h3 h4; do
		rr_ternd "$h" "$cl"
	done
	for h in h2 h3 h4; do
		wait_bird_established 30 h1 "$(rr_peer "$h")"
		# a client peers with the reflector only: no mesh, no client-client session
		rr_expect_protos 30 "$h" "$(rr_peer h1)"
	done
	rr_wait_full 30 h2 h3 h4
	for h in h2 h3 h4; do
		rr_wait_via 30 "$h" h1
	done
	note "ok: every ternd client has every block via its owner, never via 198.18.0.1"
	# the reflector: the clients' routes in BIRD, next hop the owner, and in its kernel
	for p in h2 h3 h4; do
		out=$(birdc_q h1 show route all "$(host_block "$p")")
		grep -F "BGP.next_hop: $(host_ip "$p")" <<<"$out" >/dev/null ||
			fail "bird on h1: show route all $(host_block "$p") has no BGP.next_hop $(host_ip "$p"): $out"
		if ! grep -F "[$(rr_peer "$p") " <<<"$out" >/dev/null ||
			! grep -E "^\s+via $(_rr_re "$(host_ip "$p")") on eth0" <<<"$out" >/dev/null; then
			fail "bird on h1: $(host_block "$p") not from $(rr_peer "$p") via $(host_ip "$p"): $out"
		fi
	done
	rr_wait_via 30 h1 h2 h3 h4
	note "ok: BIRD's show route all on the reflector has the clients' blocks via their owners"
	# add-path: a client holds its peers' blocks from the reflector with the
	# reflection attributes BIRD added
	out=$(rr_ctl h2 show route all "$(host_block h3)")
	grep -F "BGP.originator_id: $(host_ip h3)" <<<"$out" >/dev/null ||
		fail "ternd h2: show route all $(host_block h3) has no BGP.originator_id $(host_ip h3): $out"
	grep -F "BGP.cluster_list: $RR_CLUSTER" <<<"$out" >/dev/null ||
		fail "ternd h2: show route all $(host_block h3) has no BGP.cluster_list $RR_CLUSTER: $out"
	note "ok: ternd h2 shows BGP.originator_id $(host_ip h3) and BGP.cluster_list $RR_CLUSTER"
	# h3's block removed: withdrawn through the reflector
	rr_recluster "$cl" false selector h1+rr h2 h3= h4
	note "rewrote $cl: h3 has no block"
	for h in h2 h4 h1; do
		expect 30 "$(host_block h3) gone from $h" rr_block_gone "$h" h3
	done
	assert_no_route h3 "^$(_rr_re "$(host_block h3)") "
	rr_wait_full 5 h2 h4
	assert_running h2 h3 h4
}
scenario rr_bird_reflector

# (2) ternd reflects (h1: rr_cluster_id, the label, the selector peer) for three
# BIRD clients h2..h4 (Calico's client config: one Node_ session to the
# reflector, no rr client) and the ternd client h5: every client has every block
# via its owner; BIRD's show route all on a client shows the originator (the
# owner's router id), CLUSTER_LIST 224.0.0.1 and next hop the owner; the
# reflector's own block reaches every client; the reflector installs the
# clients' blocks; its sessions are reflector-client ones ("internal
# route-reflector").
rr_ternd_reflector() {
	require_ternd
	require_cmd bird birdc
	[[ -x $TERNCTL ]] || fail "ternctl not built: $TERNCTL"
	local cl="$W/cluster.yaml" h p out all=(h1 h2 h3 h4 h5) sess
	netns_hosts 5
	rr_cluster "$cl" false selector h1+rr h2 h3 h4 h5
	rr_ternd h1 "$cl"
	for h in h2 h3 h4; do
		start_bird "$h" "$(bird_rr_conf "$h" "" h1)"
	done
	rr_ternd h5 "$cl"
	rr_expect_protos 30 h1 "$(rr_peer h2)" "$(rr_peer h3)" "$(rr_peer h4)" "$(rr_peer h5)"
	for h in h2 h3 h4; do
		wait_bird_established 30 "$h" "$(rr_peer h1)"
	done
	rr_expect_protos 30 h5 "$(rr_peer h1)"
	for p in h2 h3 h4 h5; do
		sess=$(rr_session_line h1 "$(rr_peer "$p")")
		[[ $sess == "internal route-reflector" ]] ||
			fail "ternd h1: $(rr_peer "$p") Session is '$sess', want 'internal route-reflector'"
	done
	note "ok: h1's four sessions are reflector-client sessions"
	out=$(rr_ctl h1 show status)
	grep -qx 'Route reflector cluster ID is 224.0.0.1' <<<"$out" ||
		fail "ternd h1: show status has no cluster ID line: $out"
	out=$(rr_ctl h5 show status)
	! grep -q 'cluster ID' <<<"$out" ||
		fail "ternd h5 (a client) names a cluster ID: $out"
	note "ok: show status names the reflector's cluster ID, and only there"
	rr_wait_full 30 "${all[@]}"
	note "ok: every node (the reflector too) has every block via its owner"
	for h in h2 h3 h4; do
		for p in h2 h3 h4 h5; do
			[[ $p == "$h" ]] && continue
			out=$(birdc_q "$h" show route all "$(host_block "$p")")
			grep -F "BGP.originator_id: $(host_ip "$p")" <<<"$out" >/dev/null ||
				fail "bird on $h: $(host_block "$p") has no BGP.originator_id $(host_ip "$p"): $out"
			grep -E "BGP.cluster_list: (.* )?$(_rr_re "$RR_CLUSTER")( |$)" <<<"$out" >/dev/null ||
				fail "bird on $h: $(host_block "$p") has no BGP.cluster_list with $RR_CLUSTER: $out"
			grep -F "BGP.next_hop: $(host_ip "$p")" <<<"$out" >/dev/null ||
				fail "bird on $h: $(host_block "$p") has no BGP.next_hop $(host_ip "$p"): $out"
		done
		# the reflector's own block: originated there, no reflection attributes
		out=$(birdc_q "$h" show route all "$(host_block h1)")
		grep -F "BGP.next_hop: $(host_ip h1)" <<<"$out" >/dev/null ||
			fail "bird on $h: $(host_block h1) has no BGP.next_hop $(host_ip h1): $out"
		grep -F "BGP.originator_id" <<<"$out" >/dev/null &&
			fail "bird on $h: the reflector's own block has an ORIGINATOR_ID: $out"
	done
	note "ok: BIRD clients show BGP.originator_id = owner, BGP.cluster_list $RR_CLUSTER, BGP.next_hop = owner"
	# converged: the reflector and its ternd client wait for something to happen
	assert_idle 2 h1 h5
	assert_running h1 h5
}
scenario rr_ternd_reflector

# rr_monitor HOST: `ip -ts monitor route nexthop` in HOST, line-buffered
# (stdbuf -oL: to a file ip would block-buffer), to $W/HOST.monitor (stopped at
# cleanup). Nexthop objects too: ternd lets a route go with its nexthop object
# when nothing else uses it (krt_nh_doomed), and the kernel sends no
# RTM_DELROUTE for routes flushed with their nexthop, only "Deleted id N via ...".
# returns once it has reported a probe route (blackhole 192.0.2.N/32, outside
# every pool, added in HOST), so it listens before anything else happens.
rr_monitor() {
	local h=$1 pid probe
	probe="192.0.2.$(host_num "$h")"
	ip netns exec "$(host_ns "$h")" stdbuf -oL ip -ts monitor route nexthop >"$W/$h.monitor" 2>&1 &
	pid=$!
	_tt_record_pid "$pid"
	expect 30 "ip monitor route in $h reports the probe blackhole $probe" \
		rr_probe "$h" "$probe"
}
# rr_probe HOST ADDR: delete and add the probe route (events each time, even if
# the monitor was not listening yet the time before), look for it in the monitor.
rr_probe() {
	hexec "$1" ip route del blackhole "$2/32" 2>/dev/null
	hexec "$1" ip route add blackhole "$2/32" 2>/dev/null
	grep -qF "blackhole $2 " "$W/$1.monitor"
}

# (3) two ternd reflectors (h1, h2: one cluster ID) and three ternd clients
# h3..h5 (the selector peer; graceful restart time 5 s, so that the dead
# reflector's stale paths go within the scenario). The reflectors peer with each
# other as non-clients and refuse each other's reflected copies of the clients'
# routes (their own cluster ID in CLUSTER_LIST: counted as reflection loops).
# h1 is SIGKILLed: each client's best path of every block moves to the one h2
# reflects (logged "route add ... (Node_198_18_0_2)"), no route is deleted from
# any client's kernel (ip monitor route: no Deleted line for a live node's
# block, while h1's own block is seen Deleted), every
# route stays via its owner; a block added afterwards still reaches everyone.
rr_two_reflectors() {
	require_ternd
	[[ -x $TERNCTL ]] || fail "ternctl not built: $TERNCTL"
	local cl="$W/cluster.yaml" h p out n clients=(h3 h4 h5)
	local -A mark=()
	netns_hosts 5
	rr_cluster "$cl" false selector h1+rr h2+rr h3 h4 h5
	for h in h1 h2 h3 h4 h5; do
		rr_ternd "$h" "$cl" 5
	done
	rr_expect_protos 30 h1 "$(rr_peer h2)" "$(rr_peer h3)" "$(rr_peer h4)" "$(rr_peer h5)"
	rr_expect_protos 30 h2 "$(rr_peer h1)" "$(rr_peer h3)" "$(rr_peer h4)" "$(rr_peer h5)"
	for h in "${clients[@]}"; do
		rr_expect_protos 30 "$h" "$(rr_peer h1)" "$(rr_peer h2)"
	done
	[[ $(rr_session_line h1 "$(rr_peer h2)") == internal ]] ||
		fail "h1: the session to the other reflector h2 is not a plain internal one: $(rr_session_line h1 "$(rr_peer h2)")"
	[[ $(rr_session_line h1 "$(rr_peer h3)") == "internal route-reflector" ]] ||
		fail "h1: the session to client h3 is not a reflector-client one: $(rr_session_line h1 "$(rr_peer h3)")"
	rr_wait_full 30 h1 h2 h3 h4 h5
	# the clients hold each block from both reflectors (add-path from both sessions)
	for h in "${clients[@]}"; do
		for p in "${clients[@]}"; do
			[[ $p == "$h" ]] && continue
			out=$(rr_ctl "$h" show route all "$(host_block "$p")")
			n=$(grep -cE "via $(_rr_re "$(host_ip "$p")") .*\[Node_198_18_0_[12] " <<<"$out")
			((n == 2)) || fail "ternd $h: $(host_block "$p") from $n reflectors, want 2: $out"
		done
	done
	note "ok: each client has each other client's block from both reflectors, via the owner"
	# a reflector refuses the other's reflected copies of the clients' routes
	expect 10 "h2 counts reflection loops from h1" rr_loops_ge h2 "$(rr_peer h1)" 1
	for h in "${clients[@]}"; do
		rr_monitor "$h"
		mark[$h]=$(wc -l <"$(ternd_log "$h")")
	done
	stop_ternd h1 KILL
	note "ternd on h1 SIGKILLed"
	# the other clients' blocks: the best path was h1's copy (lower router id)
	for h in "${clients[@]}"; do
		for p in "${clients[@]}"; do
			[[ $p == "$h" ]] && continue
			expect 30 "$h logs, after the kill, 'route add $(host_block "$p") via $(host_ip "$p") ($(rr_peer h2))'" \
				rr_log_after "$h" "${mark[$h]}" "route add $(host_block "$p") via $(host_ip "$p") ($(rr_peer h2))"
		done
	done
	note "ok: every client's best paths moved to the ones h2 reflects"
	# h1's own block goes (its owner is dead); nothing else does
	for h in "${clients[@]}"; do
		expect 30 "h1's block gone from $h" rr_block_gone "$h" h1
		rr_wait_via 5 "$h" h2 "${clients[@]}"
	done
	for h in "${clients[@]}"; do
		for p in h2 "${clients[@]}"; do
			[[ $p == "$h" ]] && continue
			if grep -E "Deleted ($(_rr_re "$(host_block "$p")") |id [0-9]+ via $(_rr_re "$(host_ip "$p")") )" "$W/$h.monitor" >/dev/null; then
				fail "$h: $(host_block "$p") (or its nexthop via $(host_ip "$p")) was deleted from the kernel: $(cat "$W/$h.monitor")"
			fi
		done
	done
	# the monitors work: each saw the dead node's own block deleted, the route
	# or its nexthop object
	for h in "${clients[@]}"; do
		expect 10 "$h's ip monitor shows $(host_block h1) or its nexthop via $(host_ip h1) Deleted" \
			grep -qE "Deleted ($(_rr_re "$(host_block h1)") |id [0-9]+ via $(_rr_re "$(host_ip h1)") )" "$W/$h.monitor"
	done
	note "ok: no client's kernel saw a Deleted route of a live node's block"
	# the surviving reflector still carries changes: h4's block moves
	rr_recluster "$cl" false selector h1+rr h2+rr h3 "h4=10.244.4.64/26" h5
	for h in h3 h5; do
		expect 30 "h4's new block 10.244.4.64/26 on $h via h4" \
			route_has "$h" '^10\.244\.4\.64/26 (nhid [0-9]+ )?via 198\.18\.0\.4 dev eth0 proto bird'
		expect 30 "h4's old block gone from $h" rr_block_gone "$h" h4
	done
	assert_running h2 h3 h4 h5
}
scenario rr_two_reflectors

# rr_log_after HOST N STRING: a line after the first N of HOST's ternd log has STRING.
rr_log_after() { tail -n +"$(($2 + 1))" "$(ternd_log "$1")" | grep -qF -- "$3"; }

# rr_loops HOST PROTO: the reflection loops count of PROTO on HOST (the Refused
# routes line of ternctl show protocols all).
rr_loops() {
	rr_ctl "$1" show protocols all "$2" |
		sed -nE 's/^ *Refused routes: *[0-9]+ \(AS loops [0-9]+, reflection loops ([0-9]+)\).*/\1/p'
}
rr_loops_ge() {
	local n
	n=$(rr_loops "$1" "$2")
	[[ -n $n ]] && ((n >= $3))
}

# (4) ternd reflects (h1) for the BIRD client h2 and the ternd client h3. BIRD
# exports, besides its block, 10.244.2.64/26 with the reflector's cluster ID
# added to CLUSTER_LIST and 10.244.2.128/26 with ORIGINATOR_ID = h1's router id
# (an export filter, as a misconfigured reflector upstream would): h1 refuses
# both and counts two reflection loops on the session (show protocols all,
# metrics), installs and reflects neither, and takes h2's block as usual.
rr_loop() {
	require_ternd
	require_cmd bird birdc
	[[ -x $TERNCTL ]] || fail "ternctl not built: $TERNCTL"
	local cl="$W/cluster.yaml" conf out n
	netns_hosts 3
	rr_cluster "$cl" false selector h1+rr h2 h3
	rr_ternd h1 "$cl"
	rr_ternd h3 "$cl"
	conf=$(bird_rr_conf h2 "" h1)
	# the looping routes and the export filter that marks them, before the session
	cat >"$W/loop.snippet" <<EOF
protocol static rr_loop_routes {
  ipv4;
  route 10.244.2.64/26 blackhole;
  route 10.244.2.128/26 blackhole;
}

filter rr_loop_export {
  if net = 10.244.2.64/26 then bgp_cluster_list.add($RR_CLUSTER);
  if net = 10.244.2.128/26 then bgp_originator_id = $(host_ip h1);
  if net ~ 10.244.2.0/24 then accept;
  reject;
}

EOF
	awk -v snip="$W/loop.snippet" '
		/^protocol bgp Node_198_18_0_1 from bgp_template \{$/ {
			while ((getline l < snip) > 0) print l
			print
			print "  ipv4 { export filter rr_loop_export; };"
			next
		}
		{ print }' "$conf" >"$conf.new" || fail "cannot edit $conf"
	mv -f "$conf.new" "$conf" || fail "cannot rename $conf.new"
	start_bird h2 "$conf"
	wait_bird_established 30 h2 "$(rr_peer h1)"
	rr_expect_protos 30 h1 "$(rr_peer h2)" "$(rr_peer h3)"
	expect 30 "h1 counts 2 reflection loops on $(rr_peer h2)" \
		rr_loops_ge h1 "$(rr_peer h2)" 2
	n=$(rr_loops h1 "$(rr_peer h2)")
	((n == 2)) || fail "h1: $n reflection loops on $(rr_peer h2), want 2"
	out=$(rr_ctl h1 show protocols all "$(rr_peer h2)")
	note "h1: $(grep -E 'Routes:|Refused routes:' <<<"$out" | tr -s ' ' | tr '\n' ';')"
	# BIRD did send them (exported), and did send its block, which is taken
	out=$(birdc_q h2 show protocols all "$(rr_peer h1)")
	grep -E 'Routes: +[0-9]+ imported, 3 exported' <<<"$out" >/dev/null ||
		fail "bird on h2 did not export 3 routes to h1: $out"
	rr_wait_via 30 h1 h2
	rr_wait_via 30 h3 h2 h1
	rr_wait_via 30 h2 h1 h3
	for out in 10.244.2.64/26 10.244.2.128/26; do
		rr_ctl h1 show route "$out" | grep -F "$out" >/dev/null &&
			fail "h1's rib has the looping $out: $(rr_ctl h1 show route "$out")"
		assert_no_route h1 "^${out//./\\.} "
		assert_no_route h3 "^${out//./\\.} "
	done
	note "ok: neither looping route is in h1's rib, nor in h1's or h3's kernel"
	out=$(rr_ctl h1 -o json show protocols all "$(rr_peer h2)" 2>&1)
	grep -E '"refused_reflection_loops": *2[,}]' <<<"$out" >/dev/null ||
		fail "ternctl -o json show protocols all: no refused_reflection_loops 2: $out"
	note "ok: the JSON form says refused_reflection_loops 2"
	assert_running h1 h3
}
scenario rr_loop

# (5) the cluster changes live. Three ternd nodes start with the mesh on (Mesh_
# sessions). The file then turns node_mesh off and makes h1 a reflector with the
# selector peer: every Mesh_ session goes, Node_ sessions h2-h1 and h3-h1 come
# up, h2 and h3 have no session to each other and reach each other's block
# through h1, via the owner. Then h1 loses the label and cluster ID and h2 gets
# them: h3's session to h1 goes, h3-h2 and h1-h2 come up (h1 now h2's client),
# every block still via its owner.
rr_selector_live() {
	require_ternd
	[[ -x $TERNCTL ]] || fail "ternctl not built: $TERNCTL"
	local cl="$W/cluster.yaml" h
	netns_hosts 3
	rr_cluster "$cl" true none h1 h2 h3
	for h in h1 h2 h3; do
		rr_ternd "$h" "$cl"
	done
	rr_expect_protos 30 h1 "$(mesh_name h2)" "$(mesh_name h3)"
	rr_expect_protos 30 h2 "$(mesh_name h1)" "$(mesh_name h3)"
	rr_expect_protos 30 h3 "$(mesh_name h1)" "$(mesh_name h2)"
	rr_wait_full 30 h1 h2 h3
	note "the mesh is up; turning it off, h1 the reflector"
	rr_recluster "$cl" false selector h1+rr h2 h3
	rr_expect_protos 30 h1 "$(rr_peer h2)" "$(rr_peer h3)"
	rr_expect_protos 30 h2 "$(rr_peer h1)"
	rr_expect_protos 30 h3 "$(rr_peer h1)"
	note "ok: no Mesh_ session left anywhere; h2 and h3 peer with h1 only"
	[[ $(rr_session_line h1 "$(rr_peer h2)") == "internal route-reflector" ]] ||
		fail "h1: $(rr_peer h2) is not a reflector-client session: $(rr_session_line h1 "$(rr_peer h2)")"
	rr_wait_full 30 h1 h2 h3
	rr_expect_reflected 30 h2 h3 h1
	rr_expect_reflected 30 h3 h2 h1
	note "ok: h2 and h3 have each other's block via the owner, through h1"
	note "moving the reflector label and cluster ID from h1 to h2"
	rr_recluster "$cl" false selector h1 h2+rr h3
	rr_expect_protos 30 h2 "$(rr_peer h1)" "$(rr_peer h3)"
	rr_expect_protos 30 h1 "$(rr_peer h2)"
	rr_expect_protos 30 h3 "$(rr_peer h2)"
	[[ $(rr_session_line h2 "$(rr_peer h1)") == "internal route-reflector" ]] ||
		fail "h2: $(rr_peer h1) is not a reflector-client session: $(rr_session_line h2 "$(rr_peer h1)")"
	[[ $(rr_session_line h1 "$(rr_peer h2)") == internal ]] ||
		fail "h1: $(rr_peer h2) still reflects: $(rr_session_line h1 "$(rr_peer h2)")"
	note "ok: h3's session to h1 went; h1 and h3 are h2's clients"
	rr_wait_full 30 h1 h2 h3
	rr_expect_reflected 30 h3 h1 h2
	rr_expect_reflected 30 h1 h3 h2
	assert_running h1 h2 h3
}
scenario rr_selector_live

# (6) who connects: between two Calico nodes found by a selector (Node_ sessions,
# which Calico's confd leaves active on both sides) ternd applies the mesh's rule,
# the side whose peer's address sorts after its own waits, so a reflector and its
# clients never collide. h1 (198.18.0.1), the reflector, starts alone: its
# sessions to h2 and h3 wait as Passive (h1's address sorts first); then h2 and
# h3 connect and come up, and no side logs a collision.
rr_passive() {
	require_ternd
	[[ -x $TERNCTL ]] || fail "ternctl not built: $TERNCTL"
	local cl="$W/cluster.yaml" h p
	netns_hosts 3
	rr_cluster "$cl" false selector h1+rr h2 h3
	rr_ternd h1 "$cl"
	for p in h2 h3; do
		expect 20 "h1: $(rr_peer "$p") waits as Passive" \
			bash -c "'$TERNCTL' -s '$W/h1.ctl' show protocols '$(rr_peer "$p")' | grep -q ' Passive'"
	done
	note "ok: the reflector does not connect to clients whose address sorts after its own"
	rr_ternd h2 "$cl"
	rr_ternd h3 "$cl"
	rr_expect_protos 30 h1 "$(rr_peer h2)" "$(rr_peer h3)"
	for h in h2 h3; do
		rr_expect_protos 30 "$h" "$(rr_peer h1)"
	done
	rr_wait_full 30 h1 h2 h3
	for h in h1 h2 h3; do
		! log_has "$h" "connection collision" || fail "$h logged a connection collision"
	done
	note "ok: every session came up from the client's side, without a collision"
	assert_running h1 h2 h3
}
scenario rr_passive
