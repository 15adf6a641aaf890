# shellcheck shell=bash
# tests/netns/t_nl.sh: netlink/ against the real kernel (SPEC 4, FIB).
#
# Each scenario creates one host (h1: eth0 = 198.18.0.1/24 on the lab bridge) plus a
# second veth pair inside it (nl0 = 192.0.2.1/24, 2001:db8:2::1/64; its peer nl1 stays
# in h1 too), and drives netlink/ with netlink/nltest (NLTEST, default
# build/netlink/nltest), one command per run, so routes installed by one process are
# dumped, replaced and deleted by the next (as ternd adopts its routes after a
# restart). Routes are checked with iproute2: `ip route show proto bird` counts ours
# (protocol 12). Every wait is bounded; the harness deletes the namespaces.

NLTEST=${NLTEST:-$TT_TOPDIR/build/netlink/nltest}

# require_nltest: a missing binary is a failure (CI must not go green without it).
require_nltest() {
	if [[ ! -x $NLTEST ]]; then
		printf '  FAIL: nltest not built: %s (meson compile -C build)\n' "$NLTEST"
		exit 1
	fi
}

# nlt ARGS...: nltest in h1; stderr appended to $W/nltest.log.
nlt() {
	echo "=== $(date +%T.%N) nltest $*" >>"$W/nltest.log"
	hexec h1 "$NLTEST" "$@" 2>>"$W/nltest.log"
}

# nlt_ok DESC ARGS...: nltest must succeed; its output is kept in NLT_OUT.
nlt_ok() {
	local desc=$1
	shift
	NLT_OUT=$(nlt "$@") || fail "$desc: nltest $* failed: $NLT_OUT"
	note "ok: $desc${NLT_OUT:+: ${NLT_OUT%%$'\n'*}}"
}

# count_routes [ip route show ARGS...]: lines of `ip route show proto bird ARGS` in h1.
count_routes() {
	local fam=-4
	[[ ${1:-} == -6 ]] && fam=-6 && shift
	hexec h1 ip "$fam" route show proto bird "$@" | wc -l
}

# assert_grep N DESC ERE [-6]: N lines of `ip route show proto bird` match ERE (this
# iproute2 cannot filter by nhid itself).
assert_grep() {
	local want=$1 desc=$2 re=$3 fam=${4:--4} got
	got=$(hexec h1 ip "$fam" route show proto bird | grep -cE -- "$re")
	((got == want)) || fail "$desc: $got routes, want $want"
	note "ok: $desc: $got routes"
}

# assert_count N DESC [ip route show ARGS...]
assert_count() {
	local want=$1 desc=$2 got
	shift 2
	got=$(count_routes "$@")
	((got == want)) || fail "$desc: $got routes, want $want"
	note "ok: $desc: $got routes"
}

nl_setup() {
	local ns
	require_nltest
	netns_hosts 1
	ns=$(host_ns h1)
	if ! { ip -n "$ns" link add nl0 type veth peer name nl1 &&
		ip -n "$ns" link set nl0 up && ip -n "$ns" link set nl1 up &&
		ip -n "$ns" addr add 192.0.2.1/24 dev nl0 &&
		ip -n "$ns" addr add 2001:db8:1::1/64 dev eth0 nodad &&
		ip -n "$ns" addr add 2001:db8:2::1/64 dev nl0 nodad; }; then
		fail "cannot set up nl0 in $ns"
	fi
	NLT_OUT=$(nlt probe) || fail "nltest probe failed"
	[[ $NLT_OUT == "nexthop objects: yes" ]] || skip "kernel without nexthop objects"
}

# (1) 10,000 routes via one nexthop object; the object re-pointed to another gateway
# and device moves all of them (checked with `ip route get` for every one); deleting
# the object removes all of them.
nl_nexthop() {
	local i f="$W/get.batch" n
	nl_setup
	nlt_ok "nexthop 1 via 198.18.0.2" nh 1 198.18.0.2
	nlt_ok "10000 routes via nexthop 1" add 10.100.0.0/24 10000 nh 1
	assert_count 10000 "ip route show proto bird"
	assert_grep 10000 "routes with nhid 1" " nhid 1 "
	nlt_ok "dump" dump
	[[ ${NLT_OUT##*$'\n'} == "count 10000" ]] || fail "dump: ${NLT_OUT##*$'\n'}"
	grep -qx '10.139.15.0/24 nh 1 metric 0' <<<"$NLT_OUT" || fail "dump lacks 10.139.15.0/24"
	nlt_ok "nexthop dump" nhdump
	grep -qE '^nh 1 via 198\.18\.0\.2 oif [0-9]+$' <<<"$NLT_OUT" || fail "nhdump: $NLT_OUT"
	nlt_ok "nexthop 1 replaced: via 192.0.2.2 (dev nl0)" nh 1 192.0.2.2
	for ((i = 0; i < 10000; i++)); do
		echo "route get 10.$((100 + i / 256)).$((i % 256)).1"
	done >"$f"
	n=$(hexec h1 ip -batch "$f" | grep -c 'via 192\.0\.2\.2 dev nl0')
	((n == 10000)) || fail "after the replace $n of 10000 routes resolve via 192.0.2.2 dev nl0"
	note "ok: all 10000 routes resolve via 192.0.2.2 dev nl0 (ip route get)"
	assert_count 10000 "still one route per prefix"
	nlt_ok "nexthop 1 deleted" nhdel 1
	assert_count 0 "after the nexthop delete"
	nlt_ok "dump after the delete" dump
	[[ $NLT_OUT == "count 0" ]] || fail "dump after delete: $NLT_OUT"
}
scenario nl_nexthop

# (2) blackholes, IPv6 (nexthop objects and gateways), plain gateway routes with and
# without onlink, a blackhole replaced in place by a unicast route, and a flush.
nl_blackhole_v6() {
	nl_setup
	nlt_ok "100 blackholes" add 10.98.0.0/26 100 blackhole
	assert_count 100 "blackhole routes" type blackhole
	nlt_ok "v6 nexthop 2" nh 2 2001:db8:1::2
	nlt_ok "1000 v6 routes via nexthop 2" add 2001:db8:100::/64 1000 nh 2
	assert_grep 1000 "v6 routes with nhid 2" " nhid 2 " -6
	nlt_ok "50 v6 blackholes" add 2001:db8:200::/64 50 blackhole
	assert_count 50 "v6 blackholes" -6 type blackhole
	nlt_ok "20 routes via 198.18.0.2 dev eth0" add 10.97.0.0/24 20 via 198.18.0.2 dev eth0
	nlt_ok "5 onlink routes" add 10.96.0.0/24 5 via 203.0.113.1 dev nl0 onlink
	nlt_ok "10 v6 gateway routes" add 2001:db8:300::/64 10 via 2001:db8:1::2 dev eth0
	hexec h1 ip route show 10.96.0.0/24 | grep -q 'via 203.0.113.1 dev nl0 proto bird onlink' ||
		fail "onlink route: $(hexec h1 ip route show 10.96.0.0/24)"
	nlt_ok "dump" dump
	[[ ${NLT_OUT##*$'\n'} == "count 1185" ]] || fail "dump: ${NLT_OUT##*$'\n'}"
	grep -qx 'blackhole 10.98.0.0/26 metric 0' <<<"$NLT_OUT" || fail "dump lacks the blackhole"
	grep -qx '2001:db8:100::/64 nh 2 metric 1024' <<<"$NLT_OUT" || fail "dump lacks v6 nh route"
	grep -qE '^10\.96\.0\.0/24 via 203\.0\.113\.1 oif [0-9]+ onlink metric 0$' <<<"$NLT_OUT" ||
		fail "dump lacks the onlink route"
	grep -qE '^2001:db8:300::/64 via 2001:db8:1::2 oif [0-9]+ metric 1024$' <<<"$NLT_OUT" ||
		fail "dump lacks the v6 gateway route"
	nlt_ok "nexthop 3" nh 3 198.18.0.2
	nlt_ok "blackhole 10.98.0.0/26 replaced by a route via nexthop 3" add 10.98.0.0/26 1 nh 3
	[[ $(hexec h1 ip route show 10.98.0.0/26) == "10.98.0.0/26 nhid 3 via 198.18.0.2 dev eth0 proto bird "* ]] ||
		fail "after the replace: $(hexec h1 ip route show 10.98.0.0/26)"
	assert_count 99 "blackholes left" type blackhole
	nlt_ok "v6 nexthop 2 deleted" nhdel 2
	assert_grep 0 "v6 routes with nhid 2" " nhid 2 " -6
	assert_count 50 "v6 blackholes kept" -6 type blackhole
	nlt_ok "flush (dump, then delete each)" flush
	assert_count 0 "v4 routes of ours after the flush"
	assert_count 0 "v6 routes of ours after the flush" -6
}
scenario nl_blackhole_v6

# snapshot: every route of every table and family in h1, except ours in main
# and the kernel's link-local ones (they appear whenever IPv6 autoconfiguration
# gets to the new links, which can be during the scenario).
snapshot() {
	{
		hexec h1 ip -4 route show table all
		hexec h1 ip -6 route show table all
	} | grep -v -e ' proto bird' -e 'fe80::' || true
	hexec h1 ip -4 route show table 100
}

# (3) routes of other protocols (and ours in another table) at and around our
# prefixes: a dump shows none of them, a flush of ours leaves all of them, and a
# delete of a prefix that only has a foreign route fails instead of removing it.
nl_foreign() {
	local before after
	nl_setup
	hexec h1 ip route add 10.9.0.0/24 via 198.18.0.3 proto static || fail "ip route add"
	hexec h1 ip route add 10.9.1.0/24 via 198.18.0.3 proto static metric 7 || fail "ip route add"
	hexec h1 ip route add 10.9.2.0/24 via 198.18.0.3 proto bird table 100 || fail "ip route add"
	hexec h1 ip -6 route add 2001:db8:9::/64 via 2001:db8:1::3 proto static || fail "ip route add"
	before=$(snapshot)
	nlt_ok "nexthop 1" nh 1 198.18.0.2
	nlt_ok "ours next to them" add 10.9.0.0/26 4 nh 1 metric 50
	nlt_ok "and at the same prefix, another metric" add 10.9.0.0/24 1 nh 1 metric 60
	nlt_ok "dump" dump
	[[ ${NLT_OUT##*$'\n'} == "count 5" ]] || fail "dump sees foreign routes: $NLT_OUT"
	grep -q '10.9.2.0' <<<"$NLT_OUT" && fail "dump sees table 100"
	NLT_OUT=$(nlt del 10.9.1.0/24 1 metric 7) && fail "deleting 10.9.1.0/24 (static) succeeded"
	grep -q 'failed: cookie 0: No such process' <<<"$NLT_OUT" || fail "delete: $NLT_OUT"
	note "ok: a delete of a foreign-only prefix fails (ESRCH)"
	nlt_ok "flush" flush
	[[ $NLT_OUT == "flushed 5 ok 0 failed" ]] || fail "flush: $NLT_OUT"
	assert_count 0 "ours after the flush"
	after=$(snapshot)
	[[ $before == "$after" ]] || fail "foreign routes changed: $(diff <(echo "$before") <(echo "$after"))"
	note "ok: every foreign route is still there, unchanged"
}
scenario nl_foreign

# (4) per-route errors: 20,000 replaces (three batches, auto-flushed) where every
# 1000th and the last name a nexthop id that does not exist: exactly those cookies
# fail (EINVAL), the other 19,979 are installed.
nl_errors() {
	nl_setup
	nlt_ok "nexthop 1" nh 1 198.18.0.2
	nlt_ok "errbatch" errbatch 10.50.0.0/24 20000 1
	grep -q 'errbatch: 19979 ok, 21 failed (want 21 failed), 0 wrong' <<<"$NLT_OUT" ||
		fail "errbatch: $NLT_OUT"
	grep -q 'failed: cookie 19999: Invalid argument' <<<"$NLT_OUT" || fail "errbatch: $NLT_OUT"
	assert_count 19979 "installed"
}
scenario nl_errors

# nlt_bg OUT ARGS...: nltest in h1 in the background, stdout to OUT; sets NLT_PID.
nlt_bg() {
	local out=$1
	shift
	hexec h1 "$NLTEST" "$@" >"$out" 2>>"$W/nltest.log" </dev/null &
	NLT_PID=$!
	_tt_record_pid "$NLT_PID"
}

# nlt_wait PID: its exit status (bounded: 15 s).
nlt_wait() {
	local i
	for ((i = 0; i < 150; i++)); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$1" 2>/dev/null && fail "nltest (pid $1) still running"
	wait "$1"
}

# (5) monitor: the echo of our own install is not reported; `ip route del` of our
# route gives route_changed(deleted), `ip nexthop del` gives nexthop_changed(deleted).
nl_monitor() {
	local out="$W/monitor.out" rc
	nl_setup
	nlt_ok "nexthop 5" nh 5 198.18.0.2
	nlt_bg "$out" monitor 10.77.0.0/24 5
	expect 10 "monitor ready" grep -qx ready "$out"
	grep -qx 'own echoes reported: 0' "$out" || fail "own echoes: $(cat "$out")"
	hexec h1 ip route del 10.77.0.0/24 proto bird || fail "ip route del"
	expect 10 "route_changed(deleted) for 10.77.0.0/24" \
		grep -qx 'event route del 10.77.0.0/24' "$out"
	hexec h1 ip nexthop del id 5 || fail "ip nexthop del"
	nlt_wait "$NLT_PID"
	rc=$?
	((rc == 0)) || fail "monitor exited $rc: $(cat "$out")"
	grep -qx 'event nexthop del 5' "$out" || fail "no nexthop event: $(cat "$out")"
	note "ok: $(tail -n 1 "$out")"
}
scenario nl_monitor

# (6) a monitor that does not read while 40,000 routes of our protocol are added by
# someone else (ip -batch) overruns: resync_needed is called.
nl_resync() {
	local out="$W/resync.out" f="$W/add.batch" rc
	nl_setup
	nlt_bg "$out" resync "$W/go"
	expect 10 "resync monitor ready" grep -qx ready "$out"
	awk 'BEGIN { for (i = 0; i < 40000; i++)
		printf "route add 10.%d.%d.0/24 via 198.18.0.2 proto bird\n",
		    64 + int(i / 256), i % 256 }' >"$f"
	hexec h1 ip -batch "$f" || fail "ip -batch"
	touch "$W/go"
	nlt_wait "$NLT_PID"
	rc=$?
	((rc == 0)) || fail "no resync: $(cat "$out")"
	note "ok: $(tail -n 1 "$out")"
}
scenario nl_resync

# Timings (printed, not asserted): 100,000 routes via one nexthop object, dumped,
# then removed by deleting the object; the same routes as plain gateway routes
# inserted and deleted one by one. The monitor must see none of our own changes.
nl_bench() {
	local line
	nl_setup
	NLT_OUT=$(nlt bench 11.0.0.0/24 "${NL_BENCH_ROUTES:-100000}" 198.18.0.2 eth0) ||
		fail "bench failed: $NLT_OUT"
	while IFS= read -r line; do
		note "$line"
	done <<<"$NLT_OUT"
}
scenario nl_bench
