# shellcheck shell=bash
# tests/netns/t_restart.sh: BGPPeer restartMode / maxRestartTime and
# BGPConfiguration nodeMeshMaxRestartTime (issue 15): graceful restart (RFC
# 4724) and long-lived graceful restart (RFC 9494) against BIRD 2.
#
# ternd as the receiving side: BIRD on h2 (a mesh peer, Calico's template with
# `graceful restart time` / `long lived graceful restart on` set) is killed
# with SIGKILL, and what ternd on h1 keeps of h2's block, in its rib and in
# its kernel, is checked against the times BIRD advertised. ternd as the
# restarting side: what it advertises, read from BIRD's `show protocols all`
# (the neighbor's restart time, LL stale time).
#
# ternctl is $TERNCTL (default: ternctl next to $TERND). Every wait is bounded.

RS_TERNCTL=${TERNCTL:-$(dirname "${TERND:-.}")/ternctl}

rs_ctl() {
	local h=$1
	shift
	timeout 10 "$RS_TERNCTL" -s "$W/$h.ctl" "$@"
}

# rs_bird_conf HOST PEERHOST GR_STATEMENTS: Calico's mesh config for HOST with
# the template's `graceful restart;` replaced by GR_STATEMENTS.
rs_bird_conf() {
	local f
	f=$(bird_conf "$1" "$2")
	sed -i "/^template bgp /,/^}/ s/^  graceful restart;\$/  $3/" "$f"
	grep -qF "$3" "$f" || fail "cannot set '$3' in $f"
	echo "$f"
}

# rs_kill_bird HOST: SIGKILL (no NOTIFICATION, no TCP close by BIRD itself).
rs_kill_bird() {
	unwatch "$1"
	kill -KILL "${_TT_BIRD[$1]}" || fail "cannot kill bird on $1"
	wait "${_TT_BIRD[$1]}" 2>/dev/null
	unset "_TT_BIRD[$1]"
	note "bird on $1 killed"
}

rs_h2_route() { route_has h1 "^$(host_block h2 | sed 's/\./\\./g') .*via 198\.18\.0\.2 "; }

# rs_show_has HOST NEEDLE ARGS...: `ternctl ARGS` output contains NEEDLE.
rs_show_has() {
	local h=$1 s=$2
	shift 2
	rs_ctl "$h" "$@" | grep -F -- "$s" >/dev/null
}

# (1) LLGR: BIRD advertises restart time 2 s and a long-lived stale time of
# 8 s. Killed, its block stays in h1's kernel through the 2 s, then 8 s more
# tagged LLGR_STALE (65535,6; "(100s/0)" as BIRD shows it) and at the
# lowest preference, and goes when the stale time ends. h1 advertised the
# mesh restart time of the cluster (node_mesh_max_restart_time: 45s), which
# BIRD shows as the neighbor's.
restart_llgr_peer_killed() {
	require_ternd
	require_cmd bird birdc
	[[ -x $RS_TERNCTL ]] || fail "ternctl not built: $RS_TERNCTL"
	local proto t0 t1 out blk
	blk=$(host_block h2)
	netns_hosts 2
	cluster_file "$W/cluster.yaml" h1 h2
	echo "node_mesh_max_restart_time: 45s" >>"$W/cluster.yaml"
	start_ternd h1 "$(ternd_conf h1 "$W/cluster.yaml")"
	start_bird h2 "$(rs_bird_conf h2 h1 'graceful restart on; graceful restart time 2; long lived graceful restart on; long lived stale time 8;')"
	proto=$(mesh_name h1)
	wait_log 30 h1 "$(ternd_est_line h2)"
	wait_log 30 h1 "$(ternd_route_add_line h2)"
	expect 10 "h1's kernel has $blk via h2" rs_h2_route
	out=$(birdc_q h2 show protocols all "$proto")
	grep -A4 'Neighbor capabilities' <<<"$out" >/dev/null || fail "no neighbor capabilities: $out"
	sed -n '/Neighbor capabilities/,$p' <<<"$out" | grep -E 'Restart time: +45$' >/dev/null ||
		fail "BIRD does not see h1's restart time 45 (nodeMeshMaxRestartTime): $out"
	note "ok: BIRD sees ternd's restart time 45 s (node_mesh_max_restart_time)"
	rs_kill_bird h2
	t0=$(_tt_now_us)
	wait_log_re 30 h1 'neighbor 198\.18\.0\.2 .*graceful restart: keeping 1 routes for 2s'
	wait_log_re 10 h1 'neighbor 198\.18\.0\.2 .*long-lived graceful restart: keeping 1 routes as LLGR_STALE for 8s \(0 with NO_LLGR withdrawn\)'
	t1=$(_tt_now_us)
	note "long-lived phase $(((t1 - t0) / 1000)) ms after the kill"
	(((t1 - t0) >= 1500000)) || fail "the long-lived phase began before the 2 s restart time"
	rs_h2_route || fail "h2's block left h1's kernel in the long-lived phase"
	out=$(rs_ctl h1 show route all "$blk")
	grep -F "(100s/0)" <<<"$out" >/dev/null || fail "show route all: $blk not flagged stale: $out"
	grep -F "BGP.community: (65535,6)" <<<"$out" >/dev/null || fail "show route all: no LLGR_STALE: $out"
	rs_show_has h1 "Neighbor long-lived graceful restart active" show protocols all "$(mesh_name h2)" ||
		fail "show protocols all: no long-lived graceful restart"
	note "ok: $blk kept beyond the restart time, LLGR_STALE, in the kernel"
	wait_log_re 15 h1 'neighbor 198\.18\.0\.2 .*long-lived stale timer expired: withdrew 1 stale routes'
	t1=$(_tt_now_us)
	(((t1 - t0) >= 9500000)) || fail "stale routes went $(((t1 - t0) / 1000)) ms after the kill, before 2 + 8 s"
	expect 5 "h2's block gone from h1's kernel" bash -c "! ip -n $(host_ns h1) -4 route show | grep -q '^${blk} '"
	note "ok: withdrawn when the long-lived stale time ended ($(((t1 - t0) / 1000)) ms)"
	assert_running h1
}
scenario restart_llgr_peer_killed

# (2) LLGR, the peer back in its long-lived phase: BIRD restarted (without
# -R, as after a crash without its FIB: no forwarding state) announces its
# block again; the stale path is replaced by a fresh one, the tag goes.
restart_llgr_peer_back() {
	require_ternd
	require_cmd bird birdc
	[[ -x $RS_TERNCTL ]] || fail "ternctl not built: $RS_TERNCTL"
	local conf out blk
	blk=$(host_block h2)
	netns_hosts 2
	cluster_file "$W/cluster.yaml" h1 h2
	start_ternd h1 "$(ternd_conf h1 "$W/cluster.yaml")"
	conf=$(rs_bird_conf h2 h1 'graceful restart on; graceful restart time 1; long lived graceful restart on; long lived stale time 600;')
	start_bird h2 "$conf"
	wait_log 30 h1 "$(ternd_route_add_line h2)"
	rs_kill_bird h2
	wait_log_re 15 h1 'neighbor 198\.18\.0\.2 .*long-lived graceful restart: keeping 1 routes as LLGR_STALE for 600s'
	rs_show_has h1 "(100s/0)" show route all "$blk" || fail "$blk not LLGR stale"
	start_bird h2 "$conf"
	wait_log_count 30 h1 'neighbor 198\.18\.0\.2 .*state OpenConfirm -> Established' 2
	wait_log_re 30 h1 'neighbor 198\.18\.0\.2 .*stale routes removed'
	out=$(rs_ctl h1 show route all "$blk")
	grep -F "(100/0)" <<<"$out" >/dev/null || fail "$blk still stale after the peer came back: $out"
	grep -F "65535,6" <<<"$out" >/dev/null && fail "$blk still LLGR_STALE: $out"
	rs_h2_route || fail "h2's block not in h1's kernel"
	note "ok: the fresh path replaced the long-lived stale one"
	assert_running h1
}
scenario restart_llgr_peer_back

# rs_extra_routes FILE HOWTO...: add static routes to BIRD config FILE (the
# node's static protocol) and, per route, statements run on export before
# Calico's filter ("10.244.100.0/24 bgp_local_pref = 300;").
rs_extra_routes() {
	local f=$1 r
	shift
	for r in "$@"; do
		sed -i "/^protocol static {\$/,/^}/ s|^  ipv4;\$|  ipv4;\n  route ${r%% *} blackhole;|" "$f"
		sed -i "s|^filter calico_export_to_bgp_peers {\$|&\n  if net = ${r%% *} then { ${r#* } accept; }|" "$f"
	done
	grep -qF "route ${r%% *} blackhole" "$f" || fail "cannot add routes to $f"
}

rs_via() { route_has h1 "^$(sed 's/\./\\./g' <<<"$1") .*via $(sed 's/\./\\./g' <<<"$2") "; }

# (3) The long-lived stale path is the least preferred, and NO_LLGR routes
# are not kept: h2 and h3 (BIRD, mesh) both announce 10.244.100.0/24, h2
# with LOCAL_PREF 300, so h1 installs it via h2; h2 also announces
# 10.244.101.0/24 with NO_LLGR (65535,7). h2 killed: after its 1 s restart
# time 10.244.100.0/24 moves to h3 despite h2's LOCAL_PREF, 10.244.101.0/24
# goes, h2's block stays.
restart_llgr_preference() {
	require_ternd
	require_cmd bird birdc
	local f
	netns_hosts 3
	cluster_file "$W/cluster.yaml" h1 h2 h3
	start_ternd h1 "$(ternd_conf h1 "$W/cluster.yaml")"
	f=$(rs_bird_conf h2 h1 'graceful restart on; graceful restart time 1; long lived graceful restart on; long lived stale time 600;')
	rs_extra_routes "$f" "10.244.100.0/24 bgp_local_pref = 300;" \
		"10.244.101.0/24 bgp_community.add((65535,7));"
	start_bird h2 "$f"
	f=$(bird_conf h3 h1)
	rs_extra_routes "$f" "10.244.100.0/24 "
	start_bird h3 "$f"
	wait_log 30 h1 "$(ternd_route_add_line h2)"
	wait_log 30 h1 "$(ternd_route_add_line h3)"
	expect 10 "h1 routes 10.244.100.0/24 via h2 (LOCAL_PREF 300)" rs_via 10.244.100.0/24 198.18.0.2
	expect 10 "h1 routes 10.244.101.0/24 via h2" rs_via 10.244.101.0/24 198.18.0.2
	rs_kill_bird h2
	wait_log_re 15 h1 'neighbor 198\.18\.0\.2 .*long-lived graceful restart: keeping 2 routes as LLGR_STALE for 600s \(1 with NO_LLGR withdrawn\)'
	expect 5 "h1 routes 10.244.100.0/24 via h3 (h2's path LLGR_STALE)" rs_via 10.244.100.0/24 198.18.0.3
	expect 5 "10.244.101.0/24 (NO_LLGR) gone from h1's kernel" bash -c "! ip -n $(host_ns h1) -4 route show | grep -q '^10.244.101.0/24 '"
	rs_h2_route || fail "h2's block left h1's kernel in the long-lived phase"
	note "ok: the stale path lost to h3's despite LOCAL_PREF 300; NO_LLGR withdrawn; the block kept"
	assert_running h1
}
scenario restart_llgr_preference

# (4) No graceful restart at BIRD: killed, its block leaves h1's rib and kernel
# at once (the TCP reset), nothing kept.
restart_no_gr_peer_killed() {
	require_ternd
	require_cmd bird birdc
	local blk t0 t1
	blk=$(host_block h2)
	netns_hosts 2
	cluster_file "$W/cluster.yaml" h1 h2
	start_ternd h1 "$(ternd_conf h1 "$W/cluster.yaml")"
	start_bird h2 "$(rs_bird_conf h2 h1 'graceful restart off;')"
	wait_log 30 h1 "$(ternd_route_add_line h2)"
	expect 10 "h1's kernel has $blk via h2" rs_h2_route
	rs_kill_bird h2
	t0=$(_tt_now_us)
	wait_log_re 10 h1 'neighbor 198\.18\.0\.2 .*withdrew 1 routes'
	expect 5 "h2's block gone from h1's kernel" bash -c "! ip -n $(host_ns h1) -4 route show | grep -q '^${blk} '"
	t1=$(_tt_now_us)
	note "gone $(((t1 - t0) / 1000)) ms after the kill"
	assert_no_log_re h1 'graceful restart: keeping'
	assert_running h1
}
scenario restart_no_gr_peer_killed

# (5) What ternd advertises to a BGPPeer: restartMode LongLivedGracefulRestart
# with maxRestartTime 2h is its LL stale time (7200, BIRD's `show protocols
# all`), the restart time staying ternd.yaml's (120); then GracefulRestart
# with maxRestartTime 300s is its restart time, and no LL stale time.
restart_advertised() {
	require_ternd
	require_cmd bird birdc
	local out proto
	netns_hosts 2
	cluster_file "$W/cluster.yaml" h1
	sed -i 's/^node_mesh: true$/node_mesh: false/; /^peers: \[\]$/d' "$W/cluster.yaml"
	cat >>"$W/cluster.yaml" <<EOF
peers:
  - ip: $(host_ip h2)
    as: $TT_AS
    node: h1
    restart_mode: LongLivedGracefulRestart
    max_restart_time: 2h
EOF
	start_bird h2 "$(rs_bird_conf h2 h1 'graceful restart on; long lived graceful restart on;')"
	start_ternd h1 "$(ternd_conf h1 "$W/cluster.yaml")"
	proto=$(mesh_name h1)
	wait_bird_established 30 h2 "$proto"
	out=$(birdc_q h2 show protocols all "$proto" | sed -n '/Neighbor capabilities/,$p')
	grep -E 'Restart time: +120$' <<<"$out" >/dev/null || fail "restart time not 120: $out"
	grep -E 'LL stale time: +7200$' <<<"$out" >/dev/null || fail "LL stale time not 7200: $out"
	note "ok: LongLivedGracefulRestart, 2h: BIRD sees LL stale time 7200, restart time 120"
	sed -i '/^    restart_mode: /d; s/^    max_restart_time: 2h$/    max_restart_time: 300s/' "$W/cluster.yaml"
	wait_log_re 30 h1 'Node_198_18_0_2.*sent notification Cease/Other Configuration Change'
	expect 30 "BIRD sees restart time 300" bash -c \
		"timeout 10 birdc -s $W/h2.bird.ctl show protocols all $proto | sed -n '/Neighbor capabilities/,\$p' | grep -Eq 'Restart time: +300\$'"
	out=$(birdc_q h2 show protocols all "$proto" | sed -n '/Neighbor capabilities/,$p')
	grep -F 'LL stale time' <<<"$out" >/dev/null && fail "LL stale time still advertised: $out"
	note "ok: GracefulRestart, 300s: BIRD sees restart time 300 and no LL stale time"
	assert_no_log_re h1 'not applied.*(restartMode|maxRestartTime)'
	assert_running h1
}
scenario restart_advertised

# (6) FRR 8.4 as the LLGR peer (h2, a mesh node: `bgp graceful-restart
# restart-time 2`, `bgp long-lived-graceful-restart stale-time 8`): its
# bgpd killed, h1 keeps its block 2 s as GR stale, 8 s more as LLGR_STALE,
# in the kernel, then withdraws it. FRR sees ternd's restart time (the mesh
# one, 45 s) and ternd's LLGR capability (aware: no stale time).
restart_llgr_frr() {
	require_ternd
	local f pids out t0 t1 blk
	blk=$(host_block h2)
	netns_hosts 2
	cluster_file "$W/cluster.yaml" h1 h2
	echo "node_mesh_max_restart_time: 45s" >>"$W/cluster.yaml"
	f="$W/h2.frr.conf"
	frr_config "$(host_ip h2)" "$TT_AS" "$(host_ip h1):$TT_AS" >"$f"
	cat >>"$f" <<EOT
 bgp graceful-restart
 bgp graceful-restart restart-time 2
 bgp long-lived-graceful-restart stale-time 8
 address-family ipv4 unicast
  network $blk
 exit-address-family
EOT
	start_ternd h1 "$(ternd_conf h1 "$W/cluster.yaml")"
	start_frr h2 "$f"
	wait_log 30 h1 "$(ternd_est_line h2)"
	wait_log 30 h1 "$(ternd_route_add_line h2)"
	expect 10 "h1's kernel has $blk via h2" rs_h2_route
	out=$(frr_vtysh h2 "show bgp neighbors $(host_ip h1)")
	note "FRR: $(grep -iE 'restart time|long-lived|stale' <<<"$out" | tr -s ' ' | paste -sd'|')"
	grep -E 'Received Restart Time\(sec\): 45' <<<"$out" >/dev/null ||
		fail "FRR does not see ternd's restart time 45: $out"
	grep -F 'Long-lived Graceful Restart: advertised and received' <<<"$out" >/dev/null ||
		fail "FRR does not see ternd's LLGR capability: $out"
	read -r -a pids <<<"${_TT_FRR[h2]}"
	unset "_TT_WATCH[${pids[1]}]"
	kill -KILL "${pids[1]}" || fail "cannot kill frr bgpd on h2"
	wait "${pids[1]}" 2>/dev/null
	t0=$(_tt_now_us)
	note "frr bgpd on h2 killed"
	wait_log_re 30 h1 'neighbor 198\.18\.0\.2 .*graceful restart: keeping 1 routes for 2s'
	wait_log_re 10 h1 'neighbor 198\.18\.0\.2 .*long-lived graceful restart: keeping 1 routes as LLGR_STALE for 8s'
	rs_h2_route || fail "h2's block left h1's kernel in the long-lived phase"
	wait_log_re 15 h1 'neighbor 198\.18\.0\.2 .*long-lived stale timer expired: withdrew 1 stale routes'
	t1=$(_tt_now_us)
	(((t1 - t0) >= 9500000)) || fail "stale routes went $(((t1 - t0) / 1000)) ms after the kill, before 2 + 8 s"
	expect 5 "h2's block gone from h1's kernel" bash -c "! ip -n $(host_ns h1) -4 route show | grep -q '^${blk} '"
	note "ok: FRR's routes kept 2 + 8 s ($(((t1 - t0) / 1000)) ms), then withdrawn"
	assert_running h1
}
scenario restart_llgr_frr

# rs_bird_llgr_stale HOST PREFIX: BIRD on HOST has PREFIX tagged LLGR_STALE.
rs_bird_llgr_stale() {
	birdc_q "$1" show route all "$2" | grep -F "BGP.community: (65535,6)" >/dev/null
}
rs_bird_no_route() { ! birdc_q "$1" show route "$2" | grep -qF "$2"; }

# (7) ternd as the restarting side: a BGPPeer with restartMode
# LongLivedGracefulRestart and maxRestartTime 8s, ternd.yaml's restart_time
# 2. ternd killed (SIGKILL): BIRD (the default, LLGR aware) keeps h1's
# block, after 2 s as LLGR_STALE, and drops it 8 s later: what ternd
# advertised is what BIRD does.
restart_llgr_ternd_killed() {
	require_ternd
	require_cmd bird birdc
	local conf blk t0 t1
	blk=$(host_block h1)
	netns_hosts 2
	cluster_file "$W/cluster.yaml" h1
	sed -i 's/^node_mesh: true$/node_mesh: false/; /^peers: \[\]$/d' "$W/cluster.yaml"
	cat >>"$W/cluster.yaml" <<EOT
peers:
  - ip: $(host_ip h2)
    as: $TT_AS
    node: h1
    restart_mode: LongLivedGracefulRestart
    max_restart_time: 8s
EOT
	start_bird h2 "$(bird_conf h2 h1)"
	conf=$(ternd_conf h1 "$W/cluster.yaml")
	sed -i 's/^bgp:$/bgp:\n  restart_time: 2/' "$conf"
	start_ternd h1 "$conf"
	wait_bird_established 30 h2 "$(mesh_name h1)"
	expect 30 "bird on h2 has $blk" bird_show_has h2 "$blk" show route "$blk"
	unwatch h1
	kill -KILL "$(ternd_pid h1)" || fail "cannot kill ternd on h1"
	wait "$(ternd_pid h1)" 2>/dev/null
	t0=$(_tt_now_us)
	note "ternd on h1 killed"
	expect 10 "bird on h2 keeps $blk as LLGR_STALE" rs_bird_llgr_stale h2 "$blk"
	t1=$(_tt_now_us)
	(((t1 - t0) >= 1500000)) || fail "LLGR_STALE $(((t1 - t0) / 1000)) ms after the kill, before the 2 s restart time"
	note "ok: LLGR_STALE at BIRD $(((t1 - t0) / 1000)) ms after the kill"
	expect 15 "bird on h2 drops $blk" rs_bird_no_route h2 "$blk"
	t1=$(_tt_now_us)
	(((t1 - t0) >= 9500000)) || fail "BIRD dropped $blk $(((t1 - t0) / 1000)) ms after the kill, before 2 + 8 s"
	note "ok: BIRD dropped it $(((t1 - t0) / 1000)) ms after the kill (2 + 8 s advertised)"
}
scenario restart_llgr_ternd_killed
