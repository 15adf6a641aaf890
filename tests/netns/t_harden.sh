# shellcheck shell=bash
# tests/netns/t_harden.sh: no peer can stall, exhaust or mislead a node (issue 11),
# and a planned restart flaps nothing (RFC 8538). Each scenario failed on the code
# before the fix it covers. The raw-BGP attacks use tests/adv/bgpadv (BGPADV, default
# the build directory's tests/adv/bgpadv next to TERND).
#
# ternd log lines used here (besides lib.sh's):
#   neighbor ... : OPEN on a new connection while established: peer restarted
#   neighbor ... : state Established -> Active (...)
#   neighbor ... : AS_PATH holds our AS 64512: route refused ...
#   neighbor ... : more than N paths for P: closing the session
#   neighbor ... : memory budget of N bytes exceeded ...
#   shutting down for a restart ... / shutting down for good ...

BGPADV=${BGPADV:-$(dirname "$TERND")/tests/adv/bgpadv}

require_adv() {
	[[ -x $BGPADV ]] || skip "no adversary at $BGPADV (build tests/adv)"
}

# listening HOST: something listens on HOST's TCP port 179.
listening() { hexec "$1" ss -Hltn 'sport = :179' | grep -q LISTEN; }

# adv HOST OUT ARGS...: run the adversary in HOST's namespace in the background,
# stdout to OUT (its progress lines), stderr beside it. It connects to h1: first
# wait until h1's ternd listens (an ASan ternd takes a while to start).
adv() {
	local h=$1 out=$2
	shift 2
	listening h1 || expect 20 "ternd on h1 listens on port 179" listening h1
	# (an ASan bgpadv that dies on purpose leaves its actions allocated)
	ip netns exec "$(host_ns "$h")" env ASAN_OPTIONS=detect_leaks=0 \
		timeout 120 "$BGPADV" "$@" \
		>"$out" 2>"$out.err" </dev/null &
	_tt_record_pid $!
}

# harden_monitor HOST: `ip monitor route nexthop` of HOST into $W/HOST.mon.
harden_monitor() {
	ip netns exec "$(host_ns "$1")" ip monitor route nexthop \
		>"$W/$1.mon" 2>&1 &
	_tt_record_pid $!
	sleep 0.2
}

# no_deletes HOST HOSTBLOCK...: HOST's monitor shows no deletion of those blocks
# and no deletion of a nexthop object via their hosts.
no_deletes() {
	local h=$1 b re
	shift
	for b in "$@"; do
		re="$(host_block "$b" | sed 's/\./\\./g')|via $(host_ip "$b" | sed 's/\./\\./g') "
		if grep -E "^Deleted .*($re)" "$W/$h.mon"; then
			fail "$h deleted $b's route or next hop"
		fi
	done
	note "ok: $h's monitor shows no deletion of $* routes"
}

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# rss_bound_mib: the RSS growth a scenario allows (SPEC 6: < 32 MiB). An ASan
# ternd keeps freed memory in its quarantine and shadows the heap: there the
# quarantine is cut to 8 MiB and the bound is 96 MiB, which still catches the
# unbounded growth these attacks caused (over 1 GiB in 8 s of flood).
rss_bound_mib() {
	if ldd "$TERND" 2>/dev/null | grep -q libasan; then
		echo 96
	else
		echo 32
	fi
}
if ldd "$TERND" 2>/dev/null | grep -q libasan; then
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=8"
fi

# ctl_ok HOST: ternd answers `show protocols` on its control socket within 2 s.
ctl_ok() {
	timeout 2 "$(dirname "$TERND")/ternctl" -s "$W/$1.ctl" show protocols >/dev/null
}

# (1) finding 5: a process on a peer's host opens TCP port 179 and stays silent. The
# Established session is not touched (no graceful-restart teardown on a SYN), the
# silent connection is closed after open_wait_time, and the peer's routes never move.
harden_silent_conn() {
	require_ternd
	require_cmd bird birdc
	local out="$W/silent.out"
	netns_hosts 2
	cluster_file "$W/cluster.yaml" h1 h2
	start_bird h2 "$(bird_conf h2 h1)"
	start_ternd h1 "$(ternd_conf h1 "$W/cluster.yaml")"
	wait_log 30 h1 "$(ternd_est_line h2)"
	wait_bird_established 30 h2 "$(mesh_name h1)"
	wait_route 30 h2 '^10\.244\.1\.0/26 .*via 198\.18\.0\.1 '
	wait_route 30 h1 '^10\.244\.2\.0/26 .*via 198\.18\.0\.2 '
	harden_monitor h1
	harden_monitor h2
	# from h2's own address: what ternd sees as the peer
	hexec h2 timeout 30 bash -c 'exec 3<>/dev/tcp/198.18.0.1/179 || exit 2
		t0=${EPOCHREALTIME/./}; cat <&3 >/dev/null
		echo "closed after $(((${EPOCHREALTIME/./} - t0) / 1000)) ms"' \
		>"$out" 2>&1 &
	_tt_record_pid $!
	expect 20 "ternd closes the silent connection" grep -q closed "$out"
	note "silent connection: $(cat "$out")"
	assert_no_log_re h1 'peer restarted'
	assert_no_log_re h1 'state Established -> '
	bird_established h2 "$(mesh_name h1)" || fail "BIRD's session to h1 is down"
	route_has h1 '^10\.244\.2\.0/26 .*via 198\.18\.0\.2 ' || fail "h1 lost h2's block"
	no_deletes h1 h2
	no_deletes h2 h1
	assert_running h1
}
scenario harden_silent_conn

# (2) RFC 8538 / planned restart: ternd h1 is restarted with SIGTERM (kernel.persist
# true, the default) among a ternd (h2) and a BIRD 2 (h3) peer: no route of h1's is
# deleted anywhere, nor a nexthop object via h1. Then `ternctl down` is a stop for
# good: both peers flush h1's block.
harden_planned_restart() {
	require_ternd
	require_cmd bird birdc
	local h
	netns_hosts 3
	cluster_file "$W/cluster.yaml" h1 h2 h3
	start_bird h3 "$(bird_conf h3 h1 h2)"
	start_ternd h1 "$(ternd_conf h1 "$W/cluster.yaml")"
	start_ternd h2 "$(ternd_conf h2 "$W/cluster.yaml")"
	for h in h2 h3; do
		wait_log 30 h1 "$(ternd_est_line "$h")"
		wait_route 30 "$h" "^$(host_block h1 | sed 's/\./\\./g') .*via 198\.18\.0\.1 "
	done
	wait_log 30 h1 "first full sync done"
	harden_monitor h2
	harden_monitor h3
	stop_ternd h1 TERM
	start_ternd h1 "$W/h1.yaml"
	wait_log_count 30 h1 'state OpenConfirm -> Established' 4
	wait_log_count 30 h1 "first full sync done" 2
	wait_bird_established 30 h3 "$(mesh_name h1)"
	# h2 ends its graceful restart at h1's End-of-RIB (on a flush, never)
	wait_for 10 log_has_re h2 'neighbor 198\.18\.0\.1 .*graceful restart done'
	no_deletes h2 h1
	no_deletes h3 h1
	log_has h1 "shutting down for a restart" ||
		fail "h1 did not log its SIGTERM as a restart"
	wait_log_re 1 h2 'neighbor 198\.18\.0\.1 .*graceful restart done'
	# a stop for good: peers flush
	timeout 5 "$(dirname "$TERND")/ternctl" -s "$W/h1.ctl" down >/dev/null 2>&1
	unwatch h1
	wait_log 10 h1 "shutting down for good"
	for h in h2 h3; do
		expect 15 "$h drops h1's block" \
			eval "! route_has $h '^$(host_block h1 | sed 's/\./\\\\./g') '"
	done
	assert_running h2
}
scenario harden_planned_restart

# bird_tor_conf: BIRD on h2 as a top-of-rack router (AS 65001, an explicit peer of
# h1) announcing what no peer may make h1 install, and one good route.
bird_tor_conf() {
	cat >"$W/h2.bird.conf" <<EOF
log stderr all;
router id 198.18.0.2;
protocol device { scan time 2; }
protocol static {
  ipv4;
  route 0.0.0.0/0 blackhole;       # a default route (h1 does not accept one)
  route 198.18.0.0/24 blackhole;   # covers the nodes' underlay addresses
  route 198.18.0.1/32 blackhole;   # h1's own address
  route 10.244.1.0/24 blackhole;   # covers h1's own block
  route 10.98.0.0/24 blackhole;    # sent with h1's AS in its path (a loop)
  route 10.99.0.0/24 blackhole;    # fine
}
protocol bgp tor {
  local 198.18.0.2 as 65001;
  neighbor 198.18.0.1 as $TT_AS;
  ipv4 {
    import all;
    export filter {
      if net = 10.98.0.0/24 then bgp_path.prepend($TT_AS);
      accept;
    };
    next hop self;
  };
}
EOF
	echo "$W/h2.bird.conf"
}

# (3) finding 6: import guard and AS loop detection against a BIRD 2 ToR peer.
harden_import_guard() {
	require_ternd
	require_cmd bird birdc
	local cl="$W/cluster.yaml" p out
	netns_hosts 2
	cat >"$cl" <<EOF
as: $TT_AS
node_mesh: true
pools:
  - cidr: $TT_POOL
    ipip: never
nodes:
  - name: h1
    ipv4: 198.18.0.1
    blocks: [10.244.1.0/26]
peers:
  - ip: 198.18.0.2
    as: 65001
EOF
	start_bird h2 "$(bird_tor_conf)"
	start_ternd h1 "$(ternd_conf h1 "$cl")"
	wait_log_re 30 h1 'neighbor 198\.18\.0\.2 .*state OpenConfirm -> Established'
	wait_route 30 h1 '^10\.99\.0\.0/24 .*via 198\.18\.0\.2 .*proto bird'
	wait_log_re 10 h1 'AS_PATH holds our AS 64512: route refused'
	expect 10 "ternd counts 5 refused routes" eval \
		"timeout 2 '$(dirname "$TERND")/ternctl' -s '$W/h1.ctl' show protocols all Global_198_18_0_2 | grep -q 'Refused routes: 5 (AS loops 1, reflection loops 0)'"
	out=$(timeout 2 birdc -s "$W/h1.ctl" show protocols all Global_198_18_0_2)
	grep -q 'Routes:         1 imported, 5 filtered' <<<"$out" ||
		fail "birdc show protocols all: no '1 imported, 5 filtered': $out"
	for p in 'default' '198\.18\.0\.0/24' '198\.18\.0\.1 ' '10\.244\.1\.0/24' '10\.98\.0\.0/24'; do
		hexec h1 ip -4 route show proto bird | grep -E "^$p" &&
			fail "h1 installed a refused route /$p/"
	done
	note "ok: only 10.99.0.0/24 of the ToR's six routes installed"
	assert_running h1
}
scenario harden_import_guard

# bird_fast HOST PEERHOST...: bird_conf with hold time 3 (keepalive 1): a ternd
# that stops sending keepalives for 3 s loses the session.
bird_fast() {
	local f
	f=$(bird_conf "$@")
	sed -i 's/^  local as \(.*\);$/  local as \1;\n  hold time 3;\n  keepalive time 1;/' "$f"
	grep -q 'hold time 3' "$f" || fail "cannot set BIRD's hold time in $f"
	echo "$f"
}

# conf_set FILE KEY VALUE: add KEY: VALUE to the bgp section of a ternd_conf file.
conf_set() {
	sed -i "/^bgp:/a\\  $2: $3" "$1"
}

# healthy HOST: ternd on h1 kept its session with BIRD on HOST (hold time 3).
healthy() {
	bird_established "$1" "$(mesh_name h1)" || fail "BIRD on $1 lost its session to h1"
	if grep -E 'Hold timer expired|Error:' "$W/$1.bird.log"; then
		fail "BIRD on $1 saw errors from h1"
	fi
	assert_no_log_re h1 "$(mesh_name "$1").*state Established -> "
}

# watch_h1 SECONDS: for SECONDS, h1's control socket answers every second (2 s
# bound each); prints the peak RSS (KiB) seen.
watch_h1() {
	local i pid rss max=0
	pid=$(ternd_pid h1)
	for ((i = 0; i < $1; i++)); do
		ctl_ok h1 || fail "h1's control socket did not answer within 2 s"
		rss=$(rss_kib "$pid")
		((rss > max)) && max=$rss
		sleep 1
	done
	echo "$max"
}

# (4) finding 1: an Established peer (h3) floods KEEPALIVEs, then empty UPDATEs, as
# fast as TCP takes them. h1's input stays bounded (RSS growth < 32 MiB), its
# control socket answers every second, and its keepalives to BIRD on h2 (hold time
# 3 s) leave on time: BIRD keeps the session.
harden_flood() {
	require_ternd
	require_adv
	require_cmd bird birdc
	local out="$W/flood.out" rss0 peak
	netns_hosts 3
	cluster_file "$W/cluster.yaml" h1 h2 h3
	start_bird h2 "$(bird_fast h2 h1)"
	start_ternd h1 "$(ternd_conf h1 "$W/cluster.yaml")"
	wait_bird_established 30 h2 "$(mesh_name h1)"
	rss0=$(rss_kib "$(ternd_pid h1)")
	adv h3 "$out" --connect 198.18.0.1 --as "$TT_AS" --id 198.18.0.3 \
		flood-keepalive:8 flood-update:8
	expect 10 "the adversary is established" grep -q '^established' "$out"
	peak=$(watch_h1 16)
	expect 20 "the flood is over" grep -q '^finished' "$out"
	note "flood: $(grep '^flood total' "$out" | tr '\n' ';') h1 RSS $rss0 -> peak $peak KiB"
	((peak - rss0 < $(rss_bound_mib) * 1024)) ||
		fail "h1 grew by $(((peak - rss0) / 1024)) MiB under the flood"
	healthy h2
	assert_running h1
}
scenario harden_flood

# (5) finding 2: one prefix with 50,000 add-path path ids from h3 (no cap): all
# taken (show protocols all counts them) while h1's keepalives to BIRD (hold 3 s)
# keep flowing; before, each update walked the prefix's paths twice (O(N^2)).
harden_addpath() {
	require_ternd
	require_adv
	require_cmd bird birdc
	local out="$W/addpath.out" conf
	netns_hosts 3
	cluster_file "$W/cluster.yaml" h1 h2 h3
	start_bird h2 "$(bird_fast h2 h1)"
	conf=$(ternd_conf h1 "$W/cluster.yaml")
	conf_set "$conf" max_paths_per_prefix 0
	conf_set "$conf" max_peer_memory_kib 0
	start_ternd h1 "$conf"
	wait_bird_established 30 h2 "$(mesh_name h1)"
	adv h3 "$out" --connect 198.18.0.1 --as "$TT_AS" --id 198.18.0.3 --addpath \
		addpath:10.244.3.0/26:198.18.0.3:50000 sleep:60
	expect 10 "the adversary is established" grep -q '^established.*addpath-rx=1' "$out"
	expect 60 "h1 holds 50000 paths from h3" eval "timeout 2 \
		'$(dirname "$TERND")/ternctl' -s '$W/h1.ctl' show protocols all \
		$(mesh_name h3) | grep -q 'Routes:         50000 imported'"
	watch_h1 2 >/dev/null
	healthy h2
	assert_running h1
}
scenario harden_addpath

# (6) findings 2 and 3, the bounds: h3 sends 2,000 paths of one prefix (the default
# cap is 1,024: Cease/Maximum Number of Prefixes), h4 unique attribute sets until
# its memory budget (4 MiB here) ends the session with Cease/Out of Resources. BIRD
# on h2 keeps its session and h1 its RSS.
harden_budgets() {
	require_ternd
	require_adv
	require_cmd bird birdc
	local conf rss0 peak
	netns_hosts 4
	cluster_file "$W/cluster.yaml" h1 h2 h3 h4
	start_bird h2 "$(bird_fast h2 h1)"
	conf=$(ternd_conf h1 "$W/cluster.yaml")
	conf_set "$conf" max_peer_memory_kib 4096
	start_ternd h1 "$conf"
	wait_bird_established 30 h2 "$(mesh_name h1)"
	rss0=$(rss_kib "$(ternd_pid h1)")
	adv h3 "$W/h3.out" --connect 198.18.0.1 --as "$TT_AS" --id 198.18.0.3 \
		--addpath addpath:10.244.3.0/26:198.18.0.3:2000 sleep:30
	adv h4 "$W/h4.out" --connect 198.18.0.1 --as "$TT_AS" --id 198.18.0.4 \
		unique-attrs:200000:10.244.128.0:198.18.0.4 sleep:30
	expect 30 "h3 gets Cease/Maximum Number of Prefixes" grep -q '^notification 6/1$' "$W/h3.out"
	expect 60 "h4 gets Cease/Out of Resources" grep -q '^notification 6/8$' "$W/h4.out"
	wait_log_re 5 h1 "$(mesh_name h3).*more than 1024 paths for 10\.244\.3\.0/26"
	wait_log_re 5 h1 "$(mesh_name h4).*memory budget of 4194304 bytes exceeded"
	peak=$(watch_h1 3)
	note "h1 RSS $rss0 -> $peak KiB; h4: $(grep -c '^unique sent' "$W/h4.out") progress lines"
	((peak - rss0 < $(rss_bound_mib) * 1024)) ||
		fail "h1 grew by $(((peak - rss0) / 1024)) MiB"
	healthy h2
	assert_running h1
}
scenario harden_budgets

# (7) finding 7: h3 (graceful restart, 5 s) announces its block, drops the
# connection, reconnects at once keeping its forwarding state (F bit) and never
# sends End-of-RIB: its stale route goes when the restart time runs out, though the
# session is up. Before, the timer stopped at the reconnect and the route stayed.
harden_gr_timer() {
	require_ternd
	require_adv
	local re='^10\.244\.3\.0/26 .*via 198\.18\.0\.3 '
	netns_hosts 3
	cluster_file "$W/cluster.yaml" h1 h3
	start_ternd h1 "$(ternd_conf h1 "$W/cluster.yaml")"
	adv h3 "$W/a1.out" --connect 198.18.0.1 --as "$TT_AS" --id 198.18.0.3 --gr 5 \
		announce:10.244.3.0/26:198.18.0.3 eor sleep:2 close
	wait_route 15 h1 "$re"
	expect 15 "the first session closed" grep -q '^done close' "$W/a1.out"
	adv h3 "$W/a2.out" --connect 198.18.0.1 --as "$TT_AS" --id 198.18.0.3 --gr 5 \
		sleep:30
	expect 10 "h3 is back" grep -q '^established' "$W/a2.out"
	route_has h1 "$re" || fail "the stale route went at the reconnect"
	expect 15 "h1 sweeps h3's stale route after the restart time" \
		eval "! route_has h1 '$re'"
	wait_log_re 2 h1 'graceful restart: peer is back'
	wait_log_re 2 h1 'graceful restart timer expired: withdrew 1 stale'
	grep -q '^closed by peer' "$W/a2.out" && fail "h1 closed h3's session"
	assert_running h1
}
scenario harden_gr_timer

# (8) finding 4: a ROUTE-REFRESH never loses a pending withdrawal. h3 (an eBGP
# peer) keeps its receive window shut while h4 announces 300,000 prefixes (h1
# exports them to h3: most wait in h1's Adj-RIB-Out) and withdraws the first one,
# already sent to h3; then h3 asks for a refresh and reads: the withdrawal must
# arrive. Then a storm of 2,000 refreshes is served at most a few times.
harden_refresh() {
	require_ternd
	require_adv
	local cl="$W/cluster.yaml" conf x=10.200.0.0/32 out
	netns_hosts 4
	cat >"$cl" <<EOF
as: $TT_AS
node_mesh: true
pools:
  - cidr: 10.0.0.0/8
    ipip: never
nodes:
  - name: h1
    ipv4: 198.18.0.1
    blocks: [10.244.1.0/26]
  - name: h4
    ipv4: 198.18.0.4
    blocks: [10.244.4.0/26]
peers:
  - ip: 198.18.0.3
    as: 65003
EOF
	conf=$(ternd_conf h1 "$cl")
	conf_set "$conf" max_prefixes 0
	conf_set "$conf" max_peer_memory_kib 0
	start_ternd h1 "$conf"
	adv h3 "$W/h3.out" --connect 198.18.0.1 --as 65003 --id 198.18.0.3 \
		--rr --rcvbuf 4096 --no-hold-check --timeout 100 \
		zero-window:20 refresh:0 "expect-withdraw:$x:60" refresh-storm:2000 sleep:3
	expect 10 "h3 is established" grep -q '^established' "$W/h3.out"
	adv h4 "$W/h4.out" --connect 198.18.0.1 --as "$TT_AS" --id 198.18.0.4 \
		announce:10.200.0.0/32:198.18.0.4:300000 sleep:4 "withdraw:$x" sleep:60
	wait_log 30 h1 "route del $x"
	note "h4 withdrew $x while h3's window is shut"
	expect 60 "h3 sees $x withdrawn after its refresh" grep -q "^withdrawn $x" "$W/h3.out"
	expect 20 "h3's storm is sent" grep -q '^done sleep' "$W/h3.out"
	out=$(timeout 2 "$(dirname "$TERND")/ternctl" -s "$W/h1.ctl" show protocols all Global_198_18_0_3)
	grep -E 'Route refresh: +200[01] received, [1-5] served' <<<"$out" ||
		fail "the refresh storm was not coalesced: $(grep 'Route refresh' <<<"$out")"
	assert_running h1
}
scenario harden_refresh

# (9) finding 4, RFC 7313: h3 (enhanced route refresh) announces two blocks, then
# re-sends only one between Begin- and End-of-Route-Refresh: the other goes. Before,
# both markers were taken as refresh requests and nothing was swept.
harden_erefresh() {
	require_ternd
	require_adv
	netns_hosts 3
	cluster_file "$W/cluster.yaml" h1 h3
	start_ternd h1 "$(ternd_conf h1 "$W/cluster.yaml")"
	adv h3 "$W/h3.out" --connect 198.18.0.1 --as "$TT_AS" --id 198.18.0.3 --rr --ehrr \
		announce:10.244.3.0/26:198.18.0.3 announce:10.244.33.0/26:198.18.0.3 eor \
		sleep:2 refresh:1 announce:10.244.3.0/26:198.18.0.3 refresh:2 sleep:20
	expect 10 "h3 is established with enhanced refresh" grep -q '^established.*ehrr=1' "$W/h3.out"
	wait_route 15 h1 '^10\.244\.33\.0/26 .*via 198\.18\.0\.3 '
	expect 15 "h1 sweeps what h3 did not re-send" eval "! route_has h1 '^10\.244\.33\.0/26 '"
	route_has h1 '^10\.244\.3\.0/26 .*via 198\.18\.0\.3 ' || fail "h1 lost the re-sent block"
	grep -q '^closed by peer' "$W/h3.out" && fail "h1 closed h3's session"
	assert_running h1
}
scenario harden_erefresh
