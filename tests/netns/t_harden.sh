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

# adv HOST OUT ARGS...: run the adversary in HOST's namespace in the background,
# stdout to OUT (its progress lines), stderr beside it.
adv() {
	local h=$1 out=$2
	shift 2
	ip netns exec "$(host_ns "$h")" timeout 120 "$BGPADV" "$@" \
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
		"timeout 2 '$(dirname "$TERND")/ternctl' -s '$W/h1.ctl' show protocols all Global_198_18_0_2 | grep -q 'Refused routes: 5 (AS loops 1)'"
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
