# shellcheck shell=bash
# tests/netns/t_fabric.sh: issue 15's session transport options against real peers
# (BIRD 2 as a top-of-rack router; FRR where frr.sh is there): TCP MD5 per session
# from key files (password_file, node_mesh_password_file) re-keyed when a file
# changes, GTSM (ttl_security), a peer's port, local AS, allowed local AS, keepalive
# time and source address, and the cluster's listen port and bind mode.
#
# ternd runs on h1 (198.18.0.1, AS $TT_AS) with the file datastore; the ToRs are
# BIRD on other hosts, eBGP AS 65001 unless said. Waits are on log lines, BIRD's
# and ternd's states, and the kernel's own counters (nstat: TCPMD5Failure,
# TCPMinTTLDrop), never on time alone.

# shellcheck source-path=SCRIPTDIR source=etcd.sh
. "$(dirname "${BASH_SOURCE[0]}")/etcd.sh"

TOR_AS=65001

# tor_conf HOST NEIGHBOR NEIGHBOR_AS "EXTRA" [ROUTES...]: write $W/HOST.bird.conf, a
# BIRD 2 ToR with one eBGP session "tor" to NEIGHBOR (EXTRA: lines inside it), and
# a static route for each ROUTE (PFX or PFX:AS1,AS2 with those ASes prepended to
# its path on export); print its path.
tor_conf() {
	local h=$1 nb=$2 nbas=$3 extra=$4 r pfx path a f="$W/$1.bird.conf"
	shift 4
	{
		echo "log stderr all;"
		echo "router id $(host_ip "$h");"
		echo "protocol device { scan time 2; }"
		echo "protocol static {"
		echo "  ipv4;"
		for r in "$@"; do
			echo "  route ${r%%:*} blackhole;"
		done
		echo "}"
		echo "filter tor_out {"
		for r in "$@"; do
			[[ $r == *:* ]] || continue
			pfx=${r%%:*}
			path=${r#*:}
			echo "  if net = $pfx then {"
			for a in ${path//,/ }; do
				echo "    bgp_path.prepend($a);"
			done
			echo "  }"
		done
		echo "  if source = RTS_STATIC then accept;"
		echo "  reject;"
		echo "}"
		echo "protocol bgp tor {"
		echo "  debug { states, events };"
		echo "  local as $TOR_AS;"
		echo "  neighbor $nb as $nbas;"
		echo "  ipv4 { import all; export filter tor_out; };"
		echo "  connect delay time 1;"
		echo "  connect retry time 2;"
		echo "  error wait time 1,4;"
		echo "  hold time 9;"
		# a connection whose packets GTSM drops ends soon (240 s else)
		echo "  startup hold time 5;"
		printf '%s\n' "$extra"
		echo "}"
	} >"$f"
	echo "$f"
}

# fabric_cluster FILE "PEER YAML": the cluster with h1 alone, and the peers given
# (lines of YAML list items, indented as under peers:).
fabric_cluster() {
	local f=$1
	cluster_file "$f.base" h1
	{
		grep -v '^peers: \[\]$' "$f.base"
		echo "peers:"
		printf '%s\n' "$2"
	} >"$f.tmp" && mv -f "$f.tmp" "$f" || fail "cannot write $f"
}

# far_host: h5 (192.0.2.2/24, its own namespace) behind h3, which routes between
# eth0 (the hosts' bridge) and eth1 (192.0.2.1/24); h5's default route is via h3.
# h1 gets no route to it here.
far_host() {
	local ns5
	ns5=$(host_ns h5)
	ip netns add "$ns5" || fail "ip netns add $ns5"
	_tt_record_ns "$ns5"
	ip -n "$(host_ns h3)" link add eth1 type veth peer name eth0 netns "$ns5" &&
		ip -n "$(host_ns h3)" addr add 192.0.2.1/24 dev eth1 &&
		ip -n "$(host_ns h3)" link set eth1 up &&
		ip -n "$ns5" link set lo up &&
		ip -n "$ns5" addr add 192.0.2.2/24 dev eth0 &&
		ip -n "$ns5" link set eth0 up &&
		ip -n "$ns5" route add default via 192.0.2.1 &&
		hexec h3 sysctl -qw net.ipv4.ip_forward=1 ||
		fail "cannot wire h5 behind h3"
}

# far_bird: BIRD on h5 (far_host) as a multihop ToR with one session to h1.
far_bird() {
	tor_conf h5 "$(host_ip h1)" "$TT_AS" '  multihop;' >/dev/null
	sed -i "s/^router id .*/router id 192.0.2.2;/" "$W/h5.bird.conf"
	ip netns exec "$(host_ns h5)" bird -f -c "$W/h5.bird.conf" -s "$W/h5.bird.ctl" \
		-P "$W/h5.bird.pid" </dev/null >>"$W/h5.bird.log" 2>&1 &
	_tt_record_pid $!
	_TT_BIRD["h5"]=$!
	_TT_WATCH[$!]="bird on h5"
}

# nstat_of HOST COUNTER: the kernel's TCP counter in HOST's namespace (0 if none).
nstat_of() {
	local v
	v=$(hexec "$1" nstat -az "$2" 2>/dev/null | awk -v c="$2" '$1 == c { print $2 }')
	echo "${v:-0}"
}
_nstat_gt() { (($(nstat_of "$1" "$2") > $3)); }

# tbirdc_ternd HOST ARGS...: the stock birdc against HOST's ternd (IPv4 sessions;
# TT_CTL6=1: the IPv6 sessions' socket, h1.ctl6, as Calico's bird6.ctl).
tbirdc_ternd() {
	local h=$1
	shift
	timeout 10 birdc -s "$W/$h.ctl${TT_CTL6:+6}" "$@"
}

# ternd_state HOST NAME: the BGP state ternd's control socket shows for NAME (an
# IPv6 session's on the IPv6 socket).
ternd_state() {
	local six=
	[[ $2 == *__* || $2 == *_fd* ]] && six=1
	TT_CTL6=$six tbirdc_ternd "$1" show protocols all "$2" |
		awk '/BGP state:/ { print $3 }'
}
_ternd_est() { [[ $(ternd_state "$1" "$2") == Established ]]; }
wait_ternd_established() {
	expect "$1" "$2's session $3 Established" _ternd_est "$2" "$3"
}

_bird_down() { ! bird_established "$1" "$2"; }

# assert_not_established HOST NAME BIRDHOST: neither ternd's session nor BIRD's.
assert_not_established() {
	_ternd_est "$1" "$2" && fail "$1: $2 is Established"
	bird_established "$3" tor && fail "$3: tor is Established"
	return 0
}

# (a) TCP MD5 per session from key files: a ToR (h2) with password_file, a mesh
# node (BIRD on h3) with node_mesh_password_file, each with its own key. Both come
# up with the right key. h2's file changes to a wrong key: that session alone
# restarts (Cease/Other Configuration Change), is never up again (the kernel drops
# the signed segments: TCPMD5Failure counts them), while h3's session stays up all
# along; the right key back brings it up. A ToR whose key file is missing (h4): no
# session, a line naming it and the file, `show protocols all` says why; the file
# created: the watcher sees it and the session comes up.
fabric_md5() {
	require_ternd
	require_cmd bird birdc nstat
	netns_hosts 4
	local cl="$W/cluster.yaml" keys="$W/keys" n2 n4 before
	mkdir -p "$keys"
	printf 'tor-key-1\n' >"$keys/h2"
	printf 'mesh-key' >"$keys/mesh"
	n2=Node_198_18_0_2
	n4=Node_198_18_0_4
	cluster_file "$cl.base" h1 h3
	{
		grep -v '^peers: \[\]$' "$cl.base"
		echo "node_mesh_password_file: $keys/mesh"
		echo "peers:"
		echo "  - {ip: $(host_ip h2), as: $TOR_AS, node: h1, password_file: $keys/h2}"
		echo "  - {ip: $(host_ip h4), as: $TOR_AS, node: h1, password_file: $keys/sub/h4}"
	} >"$cl"
	start_bird h2 "$(tor_conf h2 "$(host_ip h1)" "$TT_AS" '  password "tor-key-1";' 203.0.113.0/24)"
	bird_config "$(host_ip h3)" "$TT_AS" "$(host_block h3)" "$TT_POOL" "$(host_ip h1)" |
		sed 's/^  source address .*/&\n  password "mesh-key";/' >"$W/h3.bird.conf"
	start_bird h3 "$W/h3.bird.conf"
	start_bird h4 "$(tor_conf h4 "$(host_ip h1)" "$TT_AS" '  password "tor-key-4";')"
	start_ternd h1 "$(ternd_conf h1 "$cl")"
	wait_bird_established 30 h2 tor
	wait_bird_established 30 h3 "$(mesh_name h1)"
	wait_route 30 h1 '^203\.0\.113\.0/24 .*via 198\.18\.0\.2'
	# the missing key: said with the session and the file, and shown
	wait_log_re 30 h1 "$n4: not started: TCP MD5 key: password file: $keys/sub/h4: No such file or directory"
	tbirdc_ternd h1 show protocols all "$n4" | grep -q "Last error:.*TCP MD5 key: password file: $keys/sub/h4: No such file" ||
		fail "show protocols all $n4 does not say why: $(tbirdc_ternd h1 show protocols all "$n4")"
	[[ $(ternd_state h1 "$n4") == Idle ]] || fail "$n4 is not Idle"

	# the wrong key on h2's session: it alone restarts, and stays down
	before=$(nstat_of h1 TcpExtTCPMD5Failure)
	printf 'wrong-key\n' >"$keys/h2.tmp" && mv -f "$keys/h2.tmp" "$keys/h2"
	wait_log_re 10 h1 "\($n2\): .*(Other Configuration Change|removed)"
	expect 30 "h1 drops segments signed with the other key" _nstat_gt h1 TcpExtTCPMD5Failure "$before"
	expect 30 "h2's session down" _bird_down h2 tor
	before=$(nstat_of h1 TcpExtTCPMD5Failure)
	expect 30 "more signed segments dropped" _nstat_gt h1 TcpExtTCPMD5Failure "$((before + 2))"
	assert_not_established h1 "$n2" h2
	# the mesh session was not touched
	(($(log_count h1 "\\($(mesh_name h3)\\): state OpenConfirm -> Established") == 1)) ||
		fail "the mesh session to h3 restarted"
	bird_established h3 "$(mesh_name h1)" || fail "h3's mesh session went down"

	# the right key back (written in place this time): up again
	printf 'tor-key-1' >"$keys/h2"
	wait_bird_established 30 h2 tor
	wait_ternd_established 30 h1 "$n2"

	# the missing file comes: the watcher sees its directory appear
	mkdir -p "$keys/sub"
	printf 'tor-key-4\n' >"$keys/sub/h4"
	wait_bird_established 30 h4 tor
	wait_ternd_established 30 h1 "$n4"
	(($(log_count h1 "\\($(mesh_name h3)\\): state OpenConfirm -> Established") == 1)) ||
		fail "the mesh session to h3 restarted"
	# SIGHUP reads every key again: none changed, no session restarts
	before=$(log_count h1 ': removed$')
	kill -HUP "$(ternd_pid h1)"
	wait_log 10 h1 "reload: $W/h1.yaml unchanged"
	wait_log_count 10 h1 "datastore: loaded $cl" 2
	(($(log_count h1 ': removed$') == before)) ||
		fail "SIGHUP restarted a session: $(grep ': removed$' "$(ternd_log h1)" | tail -3)"
	assert_running h1
}
scenario fabric_md5

# (b) GTSM (RFC 5082). h2, one hop away, runs BIRD with `ttl security on`: while
# h1's session to it has no ttl_security, h1 sends with TTL 64 and h2's kernel
# drops it (h2's TCPMinTTLDrop); with ttl_security: 1 (applied live) ternd sends
# 255 and the session comes up. h5 is two hops away behind a router (h3): with
# ttl_security: 1 h1's kernel drops what h5 sends: the SYN-ACKs to h1's connects
# (h1's TCPMinTTLDrop) and, through the listener's filter, h5's own SYNs, so the
# session never comes up on either side; without it, it does.
fabric_gtsm() {
	require_ternd
	require_cmd bird birdc nstat
	netns_hosts 3
	local cl="$W/cluster.yaml" far=192.0.2.2 before
	# h5: behind h3, h1 routes to it via h3
	far_host
	ip -n "$(host_ns h1)" route add 192.0.2.0/24 via "$(host_ip h3)" ||
		fail "cannot route h1 to h5 via h3"
	fabric_cluster "$cl" "  - {ip: $(host_ip h2), as: $TOR_AS, node: h1}
  - {ip: $far, as: $TOR_AS, node: h1, ttl_security: 1}"
	start_bird h2 "$(tor_conf h2 "$(host_ip h1)" "$TT_AS" '  ttl security on;' 203.0.113.0/24)"
	far_bird
	start_ternd h1 "$(ternd_conf h1 "$cl")"
	# one hop, h2 checks, we do not send 255: h2's kernel drops us
	expect 30 "h2 drops h1's TTL-64 segments" _nstat_gt h2 TcpExtTCPMinTTLDrop 2
	bird_established h2 tor && fail "h2 up without GTSM on h1's side"
	# two hops, we check: h1's kernel drops h5's
	expect 30 "h1 drops h5's segments (2 hops)" _nstat_gt h1 TcpExtTCPMinTTLDrop 2
	before=$(nstat_of h1 TcpExtTCPMinTTLDrop)
	expect 30 "h1 drops more of h5's segments" _nstat_gt h1 TcpExtTCPMinTTLDrop "$((before + 2))"
	assert_not_established h1 Node_192_0_2_2 h5
	# h5's own connects got no handshake: the listener's filter dropped the SYNs
	expect 30 "h5 tries to connect" grep -q 'Connecting to 198.18.0.1' "$(bird_log h5)"
	grep -q 'tor: Connected' "$(bird_log h5)" &&
		fail "h5's connect to h1 completed: the listener answered a SYN from 2 hops"
	# the options swapped, live: h2 with GTSM comes up, h5 without it too
	fabric_cluster "$cl" "  - {ip: $(host_ip h2), as: $TOR_AS, node: h1, ttl_security: 1}
  - {ip: $far, as: $TOR_AS, node: h1}"
	wait_bird_established 30 h2 tor
	wait_ternd_established 30 h1 Node_198_18_0_2
	wait_bird_established 30 h5 tor
	wait_ternd_established 30 h1 Node_192_0_2_2
	assert_running h1
}
scenario fabric_gtsm

# (c) A BGPPeer's session options against BIRD on h2: peerIP with a port (BIRD
# listens on 1790; the session is named ..._port_1790), localASNumber 65100 (BIRD
# expects that AS and sees it in the path), numAllowedLocalASNumbers 1 (a route
# with 65100 once in its path is taken, twice is an AS loop), keepaliveTime 2 (the
# hold time stays ternd.yaml's 9). sourceAddress None against BIRD on h3, which
# expects h1's second address, the one the kernel picks towards h3: with the
# default (UseNodeIP) BIRD refuses h1's connections, with None the session is up.
fabric_session_opts() {
	require_ternd
	require_cmd bird birdc
	netns_hosts 3
	local cl="$W/cluster.yaml" n2=Node_198_18_0_2_port_1790 n3=Node_198_18_0_3
	hexec h1 ip addr add 198.18.0.101/24 dev eth0 &&
		hexec h1 ip route add "$(host_ip h3)" dev eth0 src 198.18.0.101 ||
		fail "cannot give h1 a second address"
	fabric_cluster "$cl" "  - {ip: \"$(host_ip h2):1790\", as: $TOR_AS, node: h1, local_as_number: 65100, num_allowed_local_as_numbers: 1, keepalive_time: 2s}
  - {ip: $(host_ip h3), as: $TOR_AS, node: h1}"
	start_bird h2 "$(tor_conf h2 "$(host_ip h1)" 65100 '  local port 1790;' \
		203.0.113.0/24:65100 203.0.113.128/25:65100,65100)"
	start_bird h3 "$(tor_conf h3 198.18.0.101 "$TT_AS" '  passive on;')"
	start_ternd h1 "$(ternd_conf h1 "$cl")"
	wait_ternd_established 30 h1 "$n2"
	wait_bird_established 30 h2 tor
	# our AS on that session, in the path BIRD got
	expect 30 "h2 sees AS 65100 alone in the path of h1's block" \
		bird_show_has h2 "BGP.as_path: 65100" show route all "$(host_block h1)"
	birdc_q h2 show route all "$(host_block h1)" | grep -q 'BGP.as_path: 65100$' ||
		fail "h2's path: $(birdc_q h2 show route all "$(host_block h1)")"
	wait_route 30 h1 '^203\.0\.113\.0/24 .*via 198\.18\.0\.2'
	wait_log 30 h1 "($n2): AS_PATH holds our AS 65100: route refused"
	assert_no_route h1 '^203\.0\.113\.128/25'
	tbirdc_ternd h1 show protocols all "$n2" | grep -q 'Keepalive timer:  2$' ||
		fail "keepalive time not 2: $(tbirdc_ternd h1 show protocols all "$n2")"
	tbirdc_ternd h1 show protocols all "$n2" | grep -q 'Hold timer:       9$' ||
		fail "hold time not 9: $(tbirdc_ternd h1 show protocols all "$n2")"
	# source address: the node's, refused by h3
	expect 30 "h3 refuses h1's connection from 198.18.0.1" \
		grep -q 'Unexpected connect from unknown address 198.18.0.1' "$(bird_log h3)"
	_ternd_est h1 "$n3" && fail "$n3 up from the node's address"
	fabric_cluster "$cl" "  - {ip: \"$(host_ip h2):1790\", as: $TOR_AS, node: h1, local_as_number: 65100, num_allowed_local_as_numbers: 1, keepalive_time: 2s}
  - {ip: $(host_ip h3), as: $TOR_AS, node: h1, source_address: None}"
	wait_ternd_established 30 h1 "$n3"
	wait_bird_established 30 h3 tor
	# what the control socket says: the kernel's choice, and the node's
	tbirdc_ternd h1 show protocols all "$n3" | grep -q 'Source address:   198.18.0.101$' ||
		fail "$n3's source: $(tbirdc_ternd h1 show protocols all "$n3")"
	tbirdc_ternd h1 show protocols all "$n2" | grep -q 'Source address:   198.18.0.1$' ||
		fail "$n2's source: $(tbirdc_ternd h1 show protocols all "$n2")"
	# the change restarted h3's session alone
	(($(log_count h1 "\\($n2\\): state OpenConfirm -> Established") == 1)) ||
		fail "$n2 restarted"
	assert_running h1
}
scenario fabric_session_opts

# (d) BGPConfiguration listenPort and bindMode, live: the cluster's listen_port
# 1791 moves ternd's listener from ternd.yaml's 179, and BIRD on h2 (connecting
# to 1791) comes up through it; then listen_port 1792
# with bind_mode NodeIP re-opens it on 198.18.0.1:1792 only, and the established
# session stays.
fabric_listen() {
	require_ternd
	require_cmd bird birdc ss
	netns_hosts 2
	local cl="$W/cluster.yaml" n2=Node_198_18_0_2
	cluster_file "$cl.base" h1
	{
		grep -v '^peers: \[\]$' "$cl.base"
		echo "listen_port: 1791"
		echo "peers:"
		echo "  - {ip: $(host_ip h2), as: $TOR_AS, node: h1}"
	} >"$cl"
	start_bird h2 "$(tor_conf h2 "$(host_ip h1)" "$TT_AS" "  neighbor port 1791;
  passive off;
  local port 1790;" 203.0.113.0/24)"
	start_ternd h1 "$(ternd_conf h1 "$cl")"
	wait_log 30 h1 "listening on 0.0.0.0 and [::] port 1791"
	expect 10 "h1 listens on *:1791" bash -c "ip netns exec '$(host_ns h1)' ss -Hltn | grep -q '0.0.0.0:1791 '"
	hexec h1 ss -Hltn | awk '{ print $4 }' | grep -q ':179$' &&
		fail "h1 still listens on 179: $(hexec h1 ss -Hltn)"
	wait_ternd_established 30 h1 "$n2"
	wait_bird_established 30 h2 tor
	{
		grep -v '^peers: \[\]$' "$cl.base"
		echo "listen_port: 1792"
		echo "bind_mode: NodeIP"
		echo "peers:"
		echo "  - {ip: $(host_ip h2), as: $TOR_AS, node: h1}"
	} >"$cl.tmp" && mv -f "$cl.tmp" "$cl"
	wait_log 30 h1 "listening on 198.18.0.1 and [::] port 1792"
	expect 10 "h1 listens on 198.18.0.1:1792" bash -c "ip netns exec '$(host_ns h1)' ss -Hltn | grep -q '198.18.0.1:1792 '"
	hexec h1 ss -Hltn | awk '{ print $4 }' | grep -qE '^0\.0\.0\.0:|:1791$' &&
		fail "old listener left: $(hexec h1 ss -Hltn)"
	_ternd_est h1 "$n2" || fail "$n2 went down when the listener moved"
	(($(log_count h1 "\\($n2\\): state OpenConfirm -> Established") == 1)) ||
		fail "$n2 restarted"
	assert_running h1
}
scenario fabric_listen

# (e) FRR 8.4 as the ToR (h2), with `neighbor password` and `ttl-security hops 1`,
# and a second FRR ToR (h3) without either: h1's session to h2 takes its key from
# a password_file and has ttl_security 1, and comes up (FRR, like BIRD, checks
# both); the file changes to another key: that session alone restarts and stays
# down (h2's kernel drops h1's segments: TCPMD5Failure), h3's stays up; the right
# key back, it comes up again.
fabric_frr() {
	require_ternd
	require_cmd nstat
	[[ -x /usr/lib/frr/bgpd ]] || skip "FRR not installed"
	netns_hosts 3
	local cl="$W/cluster.yaml" keys="$W/keys" n2=Node_198_18_0_2 n3=Node_198_18_0_3 before
	mkdir -p "$keys"
	printf 'frr-key\n' >"$keys/h2"
	fabric_cluster "$cl" "  - {ip: $(host_ip h2), as: $TOR_AS, node: h1, password_file: $keys/h2, ttl_security: 1}
  - {ip: $(host_ip h3), as: $TOR_AS, node: h1}"
	{
		frr_config "$(host_ip h2)" "$TOR_AS" "$(host_ip h1):$TT_AS"
		echo " neighbor $(host_ip h1) password frr-key"
		echo " neighbor $(host_ip h1) ttl-security hops 1"
		echo " neighbor $(host_ip h1) timers connect 1"
	} >"$W/h2.frr.conf"
	{
		frr_config "$(host_ip h3)" "$TOR_AS" "$(host_ip h1):$TT_AS"
		echo " neighbor $(host_ip h1) timers connect 1"
	} >"$W/h3.frr.conf"
	start_frr h2 "$W/h2.frr.conf"
	start_frr h3 "$W/h3.frr.conf"
	start_ternd h1 "$(ternd_conf h1 "$cl")"
	wait_frr_established 30 h2 "$(host_ip h1)"
	wait_frr_established 30 h3 "$(host_ip h1)"
	wait_ternd_established 30 h1 "$n2"
	wait_ternd_established 30 h1 "$n3"
	# another key: h2's session alone restarts and stays down
	before=$(nstat_of h2 TcpExtTCPMD5Failure)
	printf 'other-key\n' >"$keys/h2.tmp" && mv -f "$keys/h2.tmp" "$keys/h2"
	wait_log_re 10 h1 "\($n2\): removed"
	expect 30 "h2 drops h1's segments signed with the other key" \
		_nstat_gt h2 TcpExtTCPMD5Failure "$((before + 2))"
	frr_established h2 "$(host_ip h1)" && fail "h2 up with the other key"
	_ternd_est h1 "$n2" && fail "$n2 up with the other key"
	_ternd_est h1 "$n3" || fail "$n3 went down"
	(($(log_count h1 "\\($n3\\): state OpenConfirm -> Established") == 1)) ||
		fail "$n3 restarted"
	printf 'frr-key' >"$keys/h2"
	wait_frr_established 30 h2 "$(host_ip h1)"
	wait_ternd_established 30 h1 "$n2"
	assert_running h1
}
scenario fabric_frr

# k8s_secret DIR NAME KEY VALUE: write secret NAME's KEY under DIR the way the
# kubelet updates a secret volume: a new timestamped directory, then the ..data
# symlink swapped to it by a rename, KEY a symlink through ..data.
k8s_secret() {
	local d="$1/$2" ts
	ts="..$(date +%s%N)"
	mkdir -p "$d/$ts" || fail "mkdir $d/$ts"
	printf '%s' "$4" >"$d/$ts/$3"
	ln -sfn "$ts" "$d/..data_tmp" && mv -T "$d/..data_tmp" "$d/..data" ||
		fail "cannot swap $d/..data"
	[[ -L $d/$3 ]] || ln -s "..data/$3" "$d/$3"
}

# (f) A v3 BGPPeer (etcd) with password.secretKeyRef {bgp-secrets, tor}: ternd.yaml's
# secrets.dir maps it to DIR/bgp-secrets/tor, laid out as a Kubernetes secret volume,
# and the session to BIRD on h2 comes up with that key. The secret rotates as the
# kubelet does it (..data swapped): the session restarts with the new key and stays
# down until BIRD has it too (birdc configure), then comes up. A second BGPPeer
# naming a key the secret does not have gets no session, and the log names it.
fabric_secret_v3() {
	require_ternd
	require_cmd bird birdc nstat
	netns_hosts 2
	local sec="$W/secrets" g2=Global_198_18_0_2 before
	k8s_secret "$sec" bgp-secrets tor v3-key-1
	etcd_cluster h1
	v3_cluster h1 h1
	etcd_put h1 "$TT_RES/bgppeers/tor" "{\"kind\":\"BGPPeer\",\"apiVersion\":\
\"projectcalico.org/v3\",\"metadata\":{\"name\":\"tor\"},\"spec\":{\"peerIP\":\
\"$(host_ip h2)\",\"asNumber\":$TOR_AS,\"password\":{\"secretKeyRef\":{\"name\":\
\"bgp-secrets\",\"key\":\"tor\"}}}}"
	etcd_put h1 "$TT_RES/bgppeers/absent" "{\"kind\":\"BGPPeer\",\"apiVersion\":\
\"projectcalico.org/v3\",\"metadata\":{\"name\":\"absent\"},\"spec\":{\"peerIP\":\
\"198.18.0.9\",\"asNumber\":$TOR_AS,\"password\":{\"secretKeyRef\":{\"name\":\
\"bgp-secrets\",\"key\":\"absent\"}}}}"
	start_bird h2 "$(tor_conf h2 "$(host_ip h1)" "$TT_AS" '  password "v3-key-1";')"
	ternd_etcd_conf h1 etcdv3 h1 >/dev/null
	printf 'secrets:\n  dir: %s\n' "$sec" >>"$W/h1.yaml"
	start_ternd h1 "$W/h1.yaml"
	wait_bird_established 30 h2 tor
	wait_ternd_established 30 h1 "$g2"
	wait_log 30 h1 "Global_198_18_0_9: not started: TCP MD5 key: secret bgp-secrets key absent: $sec/bgp-secrets/absent: No such file or directory"
	# the kubelet's rotation: the session restarts with the new key
	before=$(nstat_of h1 TcpExtTCPMD5Failure)
	k8s_secret "$sec" bgp-secrets tor v3-key-2
	wait_log_re 10 h1 "\\($g2\\): removed"
	expect 30 "h1 drops BIRD's segments signed with the old key" \
		_nstat_gt h1 TcpExtTCPMD5Failure "$((before + 2))"
	bird_established h2 tor && fail "h2 up with the old key"
	sed -i 's/v3-key-1/v3-key-2/' "$W/h2.bird.conf"
	birdc_q h2 configure >/dev/null || fail "birdc configure on h2"
	wait_bird_established 30 h2 tor
	wait_ternd_established 30 h1 "$g2"
	# a change no watch sees: the secret's directory swapped for another
	# through a symlink in secrets.dir (watched is the directory the key
	# file was in); SIGHUP reads the keys again and re-keys the session
	mv "$sec/bgp-secrets" "$sec/vol1"
	ln -s vol1 "$sec/bgp-secrets"
	kill -HUP "$(ternd_pid h1)"
	wait_log 10 h1 "reload: $W/h1.yaml unchanged"
	mkdir "$sec/vol2" && printf 'v3-key-3' >"$sec/vol2/tor"
	ln -s vol2 "$sec/bgp-secrets.new" && mv -T "$sec/bgp-secrets.new" "$sec/bgp-secrets" ||
		fail "cannot swap $sec/bgp-secrets"
	sed -i 's/v3-key-2/v3-key-3/' "$W/h2.bird.conf"
	birdc_q h2 configure >/dev/null || fail "birdc configure on h2"
	before=$(log_count h1 "\\($g2\\): removed")
	kill -HUP "$(ternd_pid h1)"
	wait_log_count 10 h1 "\\($g2\\): removed" "$((before + 1))"
	wait_bird_established 30 h2 tor
	wait_ternd_established 30 h1 "$g2"
	assert_running h1
}
scenario fabric_secret_v3

# tor6_conf HOST ROUTER_ID NEIGHBOR "EXTRA": an IPv6 BIRD ToR, one session "tor".
tor6_conf() {
	local f="$W/$1.bird.conf"
	cat >"$f" <<EOC
log stderr all;
router id $2;
protocol device { scan time 2; }
protocol bgp tor {
  debug { states, events };
  local as $TOR_AS;
  neighbor $3 as $TT_AS;
  ipv6 { import all; export none; };
  connect delay time 1;
  connect retry time 2;
  error wait time 1,4;
  hold time 9;
  startup hold time 5;
$4
}
EOC
	echo "$f"
}

# (g) GTSM over IPv6 (hop limit 255 out, IPV6_MINHOPCOUNT in, the listener's
# filter on the IPv6 header): BIRD on h2 with `ttl security on`, one hop away,
# comes up with ttl_security 1; h5, two hops away behind h3, never does (h1's
# kernel drops its SYN-ACKs, the filter its SYNs).
fabric_gtsm6() {
	require_ternd
	require_cmd bird birdc nstat
	netns_hosts 3
	local cl="$W/cluster.yaml" ns5 h before
	for h in h1 h2 h3; do
		hexec "$h" ip addr add "fd00:18::$(host_num "$h")/64" dev eth0 nodad ||
			fail "cannot give $h an IPv6 address"
	done
	ns5=$(host_ns h5)
	ip netns add "$ns5" || fail "ip netns add $ns5"
	_tt_record_ns "$ns5"
	ip -n "$(host_ns h3)" link add eth1 type veth peer name eth0 netns "$ns5" &&
		ip -n "$(host_ns h3)" addr add fd00:19::1/64 dev eth1 nodad &&
		ip -n "$(host_ns h3)" link set eth1 up &&
		ip -n "$ns5" link set lo up &&
		ip -n "$ns5" addr add fd00:19::2/64 dev eth0 nodad &&
		ip -n "$ns5" link set eth0 up &&
		ip -n "$ns5" -6 route add default via fd00:19::1 &&
		hexec h3 sysctl -qw net.ipv6.conf.all.forwarding=1 &&
		ip -n "$(host_ns h1)" -6 route add fd00:19::/64 via fd00:18::3 ||
		fail "cannot wire h5 behind h3"
	fabric_cluster "$cl" "  - {ip: \"fd00:18::2\", as: $TOR_AS, node: h1, ttl_security: 1}
  - {ip: \"fd00:19::2\", as: $TOR_AS, node: h1, ttl_security: 1}"
	start_bird h2 "$(tor6_conf h2 "$(host_ip h2)" fd00:18::1 '  ttl security on;')"
	tor6_conf h5 192.0.2.2 fd00:18::1 '  multihop;' >/dev/null
	ip netns exec "$ns5" bird -f -c "$W/h5.bird.conf" -s "$W/h5.bird.ctl" \
		-P "$W/h5.bird.pid" </dev/null >>"$W/h5.bird.log" 2>&1 &
	_tt_record_pid $!
	_TT_BIRD["h5"]=$!
	_TT_WATCH[$!]="bird on h5"
	start_ternd h1 "$(ternd_conf h1 "$cl")"
	wait_bird_established 30 h2 tor
	wait_ternd_established 30 h1 Node_fd00_18__2
	expect 30 "h1 drops h5's segments (2 hops)" _nstat_gt h1 TcpExtTCPMinTTLDrop 2
	expect 30 "h5 tries to connect" grep -q 'Connecting to fd00:18::1' "$(bird_log h5)"
	before=$(nstat_of h1 TcpExtTCPMinTTLDrop)
	expect 30 "h1 drops more of h5's segments" _nstat_gt h1 TcpExtTCPMinTTLDrop "$((before + 2))"
	assert_not_established h1 Node_fd00_19__2 h5
	grep -q 'tor: Connected' "$(bird_log h5)" &&
		fail "h5's connect to h1 completed: the listener answered a SYN from 2 hops"
	assert_running h1
}
scenario fabric_gtsm6

# (h) reachableBy: h5 (192.0.2.2, BIRD, multihop) is behind h3 (a router), and h1
# has no route to it but the one the BGPPeer's reachable_by 198.18.0.3 asks for,
# as Calico's template writes it (`route 192.0.2.2/32 via 198.18.0.3` in a static
# protocol): in h1's kernel (proto bird), the session up over it, not announced to
# the peer; removed live with the option. Without the option there is no route.
fabric_reachable_by() {
	require_ternd
	require_cmd bird birdc
	netns_hosts 3
	local cl="$W/cluster.yaml" far=192.0.2.2
	far_host
	fabric_cluster "$cl" "  - {ip: $far, as: $TOR_AS, node: h1, reachable_by: $(host_ip h3)}"
	far_bird
	start_ternd h1 "$(ternd_conf h1 "$cl")"
	wait_route 30 h1 "^$far .*via $(host_ip h3) dev eth0 proto bird"
	wait_ternd_established 30 h1 Node_192_0_2_2
	wait_bird_established 30 h5 tor
	bird_show_has h5 "$far/32" show route && fail "h5 was announced the reachableBy route"
	assert_no_log_re h1 'not applied'
	# the option removed: the route goes (and the session with it, in time)
	fabric_cluster "$cl" "  - {ip: $far, as: $TOR_AS, node: h1}"
	wait_log 30 h1 "reachableBy: route $far/32 removed"
	expect 30 "h1's route to $far is gone" eval "! route_has h1 '^$far '"
	assert_running h1
}
scenario fabric_reachable_by
