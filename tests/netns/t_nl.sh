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

# nl_dev NAME ADDR...: a dummy device NAME in h1, up, with the addresses (a veth pair
# NAME/NAMEp where the kernel has no dummy driver: the routes are the same). It goes
# with the namespace.
nl_dev() {
	local dev=$1 ns a
	shift
	ns=$(host_ns h1)
	if ! ip -n "$ns" link add "$dev" type dummy 2>/dev/null; then
		ip -n "$ns" link add "$dev" type veth peer name "${dev}p" &&
			ip -n "$ns" link set "${dev}p" up || fail "cannot create $dev in $ns"
	fi
	ip -n "$ns" link set "$dev" up || fail "cannot set $dev up"
	for a in "$@"; do
		if [[ $a == *:* ]]; then
			ip -n "$ns" addr add "$a" dev "$dev" nodad || fail "addr $a on $dev"
		else
			ip -n "$ns" addr add "$a" dev "$dev" || fail "addr $a on $dev"
		fi
	done
}

# ifidx DEV: its ifindex in h1.
ifidx() {
	hexec h1 ip -o link show "$1" | cut -d: -f1
}

# nlt_fails DESC WANT ARGS...: nltest must fail and print the line WANT.
nlt_fails() {
	local desc=$1 want=$2
	shift 2
	NLT_OUT=$(nlt "$@") && fail "$desc: nltest $* succeeded: $NLT_OUT"
	grep -qxF -- "$want" <<<"$NLT_OUT" || fail "$desc: want '$want', got: $NLT_OUT"
	note "ok: $desc: $want"
}

# (7) create-exclusive adds (nl_route_add, nl_nh_add): a route of another protocol at
# the same prefix and metric makes the add fail with EEXIST and stays exactly as it was,
# IPv4 and IPv6 (where a create without EXCL would append a next hop to it); an object id
# taken by another program or by us fails the same way.
nl_add_exclusive() {
	local before after
	nl_setup
	nl_dev dm0 198.18.1.2/24 2001:db8:7::2/64
	hexec h1 ip route add 10.9.0.0/24 dev dm0 proto static || fail "ip route add"
	hexec h1 ip -6 route add 2001:db8:9::/64 via 2001:db8:7::1 dev dm0 proto static \
		metric 1024 || fail "ip -6 route add"
	before=$(hexec h1 ip route show 10.9.0.0/24; hexec h1 ip -6 route show 2001:db8:9::/64)
	nlt_fails "v4 add over a static route" "failed: cookie 0: File exists" \
		addx 10.9.0.0/24 1 via 198.18.1.1
	nlt_fails "v6 add over a static route" "failed: cookie 0: File exists" \
		addx 2001:db8:9::/64 1 via 2001:db8:7::5 dev dm0 metric 1024
	nlt_fails "v6 blackhole over it" "failed: cookie 0: File exists" \
		addx 2001:db8:9::/64 1 blackhole metric 1024
	after=$(hexec h1 ip route show 10.9.0.0/24; hexec h1 ip -6 route show 2001:db8:9::/64)
	[[ $before == "$after" ]] || fail "the static routes changed: $(diff <(echo "$before") <(echo "$after"))"
	[[ $after != *nexthop* ]] || fail "a next hop was appended: $after"
	assert_count 0 "no v4 route of ours"
	assert_count 0 "no v6 route of ours" -6
	note "ok: both static routes unchanged: ${after//$'\n'/ | }"
	nlt_ok "v4 add at another metric" addx 10.9.0.0/24 1 via 198.18.1.1 metric 50
	nlt_ok "v6 add at another metric" addx 2001:db8:9::/64 1 via 2001:db8:7::5 dev dm0 metric 50
	nlt_fails "v4 add over our own route" "failed: cookie 0: File exists" \
		addx 10.9.0.0/24 1 via 198.18.1.3 metric 50
	[[ $(hexec h1 ip route show 10.9.0.0/24 proto bird) == "10.9.0.0/24 via 198.18.1.1 dev dm0 metric 50 "* ]] ||
		fail "our route changed: $(hexec h1 ip route show 10.9.0.0/24 proto bird)"
	hexec h1 ip nexthop add id 77 via 198.18.1.1 dev dm0 proto static || fail "ip nexthop add"
	before=$(hexec h1 ip nexthop show id 77)
	nlt_fails "nexthop id 77 of another program" "nh 77: File exists" nhx 77 198.18.1.3 dm0
	after=$(hexec h1 ip nexthop show id 77)
	[[ $before == "$after" ]] || fail "nexthop 77 changed: $before -> $after"
	nlt_ok "nexthop 78" nhx 78 198.18.1.3 dm0
	nlt_fails "nexthop 78 again" "nh 78: File exists" nhx 78 198.18.1.4 dm0
	[[ $(hexec h1 ip nexthop show id 78) == "id 78 via 198.18.1.3 dev dm0 "* ]] ||
		fail "nexthop 78 changed: $(hexec h1 ip nexthop show id 78)"
}
scenario nl_add_exclusive

# (8) group objects: a group of two gateway objects; a route using it has both next hops;
# replacing the group with one member re-points the route in place (same route, same
# nhid); the group is dumped with its members.
nl_group() {
	local r
	nl_setup
	nlt_ok "nexthop 1 via 198.18.0.2 (eth0)" nhx 1 198.18.0.2
	nlt_ok "nexthop 2 via 192.0.2.2 (nl0)" nhx 2 192.0.2.2
	nlt_ok "group 10 of 1 and 2" group 10 1,2
	nlt_fails "group 10 again" "group 10: File exists" group 10 1,2
	nlt_ok "a route via group 10" addx 10.60.0.0/24 1 nh 10
	r=$(hexec h1 ip route show 10.60.0.0/24)
	grep -q 'nexthop via 198\.18\.0\.2 dev eth0 weight 1' <<<"$r" &&
		grep -q 'nexthop via 192\.0\.2\.2 dev nl0 weight 1' <<<"$r" ||
		fail "route via group 10: $r"
	note "ok: ${r//$'\n'/ | }"
	nlt_ok "nexthop dump" nhdump
	grep -qx 'nh 10 group 1/2' <<<"$NLT_OUT" || fail "nhdump: $NLT_OUT"
	nlt_ok "group 10 replaced by 2 alone" groupset 10 2
	r=$(hexec h1 ip route show 10.60.0.0/24)
	[[ $r == "10.60.0.0/24 nhid 10 via 192.0.2.2 dev nl0 proto bird "* && $r != *$'\n'* ]] ||
		fail "after the group replace: $r"
	note "ok: $r"
	hexec h1 ip route get 10.60.0.7 | grep -q 'via 192\.0\.2\.2 dev nl0' ||
		fail "ip route get: $(hexec h1 ip route get 10.60.0.7)"
	nlt_ok "nexthop dump" nhdump
	grep -qx 'nh 10 group 2' <<<"$NLT_OUT" || fail "nhdump: $NLT_OUT"
	nlt_ok "dump" dump
	grep -qx '10.60.0.0/24 nh 10 metric 0' <<<"$NLT_OUT" || fail "dump: $NLT_OUT"
	nlt_ok "group 10 back to 1 and 2" groupset 10 1,2
	hexec h1 ip route show 10.60.0.0/24 | grep -q 'nexthop via 198\.18\.0\.2 dev eth0' ||
		fail "after the second replace: $(hexec h1 ip route show 10.60.0.0/24)"
	nlt_ok "group 10 deleted" nhdel 10
	assert_count 0 "routes after the group delete"
}
scenario nl_group

# (9) nl_table_dump: every route of the table whoever's, protocol/scope/table shown,
# multipath as its first hop, other types as "(other type)"; another table's routes
# and the local table's are not in it.
nl_table_dump() {
	local eth0 v4 want
	nl_setup
	nl_dev dm0 198.18.1.2/24
	eth0=$(ifidx eth0)
	hexec h1 ip route add 10.9.0.0/24 via 198.18.0.3 proto static || fail "ip route add"
	hexec h1 ip route add 10.9.5.0/24 proto static nexthop via 198.18.0.3 dev eth0 \
		nexthop via 192.0.2.2 dev nl0 || fail "ip route add multipath"
	hexec h1 ip route add blackhole 10.9.6.0/24 proto static || fail "ip route add"
	hexec h1 ip route add unreachable 10.9.7.0/24 || fail "ip route add"
	hexec h1 ip route add 10.9.8.0/24 via 198.18.0.3 proto static table 100 || fail "ip route add"
	hexec h1 ip -6 route add 2001:db8:9::/64 via 2001:db8:1::3 proto static || fail "ip route add"
	nlt_ok "nexthop 1" nhx 1 198.18.0.2
	nlt_ok "a route of ours" addx 10.60.0.0/24 1 nh 1
	nlt_ok "table dump" table
	for want in \
		"10.9.0.0/24 via 198.18.0.3 oif $eth0 metric 0 proto 4 scope 0 table 254" \
		"10.9.5.0/24 via 198.18.0.3 oif $eth0 metric 0 proto 4 scope 0 table 254" \
		"blackhole 10.9.6.0/24 metric 0 proto 4 scope 0 table 254" \
		"10.9.7.0/24 via - oif 0 metric 0 (other type) proto 3 scope 0 table 254" \
		"198.18.1.0/24 via - oif $(ifidx dm0) metric 0 proto 2 scope 253 table 254" \
		"10.60.0.0/24 nh 1 metric 0 proto 12 scope 0 table 254" \
		"2001:db8:9::/64 via 2001:db8:1::3 oif $eth0 metric 1024 proto 4 scope 0 table 254"; do
		grep -qxF -- "$want" <<<"$NLT_OUT" || fail "table dump lacks '$want': $NLT_OUT"
	done
	note "ok: every kind of route is in the dump"
	grep -qE '10\.9\.8\.0|table 25[25]|^198\.18\.1\.2/32' <<<"$NLT_OUT" &&
		fail "table dump shows another table: $NLT_OUT"
	v4=$(hexec h1 ip -4 route show table main | grep -vc '^[[:space:]]')
	[[ $(grep -c '^[^:]*$' <<<"$NLT_OUT") -eq $((v4 + 1)) ]] ||
		fail "v4 routes in the dump differ from ip route show table main ($v4): $NLT_OUT"
	note "ok: as many v4 routes as ip route show table main ($v4)"
	nlt_ok "table 100" -T 100 table
	[[ $NLT_OUT == "10.9.8.0/24 via 198.18.0.3 oif $eth0 metric 0 proto 4 scope 0 table 100"$'\n'"count 1" ]] ||
		fail "table 100: $NLT_OUT"
}
scenario nl_table_dump

# (10) other programs' routes: `proto static` routes and kernel routes (an address's
# subnet; a `proto kernel` dev route) in the main table are reported through
# other_route_changed, added and deleted; table 100 and the local table are not, and
# neither are the echoes of our own requests.
nl_other_events() {
	local out="$W/others.out" rc eth0 nl0 re
	nl_setup
	eth0=$(ifidx eth0)
	nl0=$(ifidx nl0)
	nlt_bg "$out" others "$W/stop" 10.99.0.0/24
	expect 10 "monitor ready" grep -qx ready "$out"
	grep -qx 'own echoes reported: 0' "$out" || fail "own echoes: $(cat "$out")"
	hexec h1 ip route add 10.9.0.0/24 via 198.18.0.3 proto static || fail "ip route add"
	hexec h1 ip route add 10.9.3.0/24 via 198.18.0.3 proto static table 100 || fail "ip route add"
	hexec h1 ip -6 route add 2001:db8:9::/64 via 2001:db8:1::3 proto static || fail "ip route add"
	hexec h1 ip route add 10.9.2.0/24 dev nl0 proto kernel scope link || fail "ip route add"
	nl_dev dm1 203.0.113.1/24
	re="via 198.18.0.3 oif $eth0 metric 0 proto 4 scope 0 table 254"
	expect 10 "static route added" grep -qxF "event other new 10.9.0.0/24 $re" "$out"
	expect 10 "v6 static route added" grep -qxF \
		"event other new 2001:db8:9::/64 via 2001:db8:1::3 oif $eth0 metric 1024 proto 4 scope 0 table 254" "$out"
	expect 10 "kernel dev route added" grep -qxF \
		"event other new 10.9.2.0/24 via - oif $nl0 metric 0 proto 2 scope 253 table 254" "$out"
	expect 10 "the new address's subnet route" grep -qxF \
		"event other new 203.0.113.0/24 via - oif $(ifidx dm1) metric 0 proto 2 scope 253 table 254" "$out"
	hexec h1 ip route del 10.9.0.0/24 proto static || fail "ip route del"
	hexec h1 ip -6 route del 2001:db8:9::/64 proto static || fail "ip route del"
	hexec h1 ip route del 10.9.2.0/24 dev nl0 proto kernel || fail "ip route del"
	hexec h1 ip addr del 203.0.113.1/24 dev dm1 || fail "ip addr del"
	expect 10 "static route deleted" grep -qxF "event other del 10.9.0.0/24 $re" "$out"
	expect 10 "v6 static route deleted" grep -qE '^event other del 2001:db8:9::/64 ' "$out"
	expect 10 "kernel dev route deleted" grep -qE '^event other del 10\.9\.2\.0/24 ' "$out"
	expect 10 "the subnet route deleted" grep -qE '^event other del 203\.0\.113\.0/24 ' "$out"
	# events come in order: once this one is in, table 100's would have been too
	hexec h1 ip route add 10.9.4.0/24 via 198.18.0.3 proto static || fail "ip route add"
	expect 10 "a last static route" grep -qE '^event other new 10\.9\.4\.0/24 ' "$out"
	touch "$W/stop"
	nlt_wait "$NLT_PID"
	rc=$?
	((rc == 0)) || fail "others exited $rc: $(cat "$out")"
	grep -q '10\.9\.3\.0' "$out" && fail "table 100 reported: $(cat "$out")"
	grep -qE 'table 255|203\.0\.113\.(1|255) ' "$out" && fail "local table reported: $(cat "$out")"
	grep -qE '^event route|10\.99\.0\.0' "$out" && fail "our own requests reported: $(cat "$out")"
	grep -qE '^other events [0-9]+, route events 0, resyncs 0$' "$out" || fail "$(tail -n 1 "$out")"
	note "ok: $(tail -n 1 "$out")"
}
scenario nl_other_events

# nl_flood TABLE: 40,000 `proto static` routes into TABLE (ip -batch) while a monitor
# that does not read waits; prints its last line.
nl_flood() {
	local out="$W/flood$1.out" f="$W/flood$1.batch"
	rm -f "$W/go"
	nlt_bg "$out" resync "$W/go"
	expect 10 "monitor ready" grep -qx ready "$out" >&2
	awk -v t="$1" 'BEGIN { for (i = 0; i < 40000; i++)
		printf "route add 10.%d.%d.0/24 via 198.18.0.2 proto static table %s\n",
		    64 + int(i / 256), i % 256, t }' >"$f"
	hexec h1 ip -batch "$f" || fail "ip -batch (table $1)"
	touch "$W/go"
	nlt_wait "$NLT_PID"
	tail -n 1 "$out"
}

# (10b) the monitor's socket filter, in the kernel: other programs' routes in a table
# that is neither ours nor main never reach the socket (40,000 of them do not overrun
# it), while the same routes in the main table do (they overrun it: resync_needed).
nl_filter() {
	local last
	nl_setup
	last=$(nl_flood 100)
	[[ $last == "resync_needed 0, route events 0" ]] || fail "table 100 flood: $last"
	note "ok: 40000 static routes in table 100: $last"
	last=$(nl_flood 254)
	[[ $last =~ ^resync_needed\ [1-9] ]] || fail "main table flood: $last"
	note "ok: 40000 static routes in main: $last"
}
scenario nl_filter

# (11) nl_lookup: the route the kernel would use (RTM_F_FIB_MATCH): a default route via
# a gateway, a connected subnet (no gateway), a route of ours via an object (its
# gateway), unreachable/blackhole/prohibit and no route at all (ENETUNREACH); IPv6 too.
nl_lookup() {
	local dm0 nl0
	nl_setup
	nl_dev dm0 198.18.1.2/24 2001:db8:7::2/64
	dm0=$(ifidx dm0)
	nl0=$(ifidx nl0)
	hexec h1 ip route add default via 198.18.1.1 || fail "ip route add default"
	hexec h1 ip -6 route add default via 2001:db8:7::1 || fail "ip -6 route add default"
	nlt_ok "lookup 198.18.2.5" lookup 198.18.2.5
	[[ $NLT_OUT == "match 0.0.0.0/0 proto 3 table 254 via 198.18.1.1 oif $dm0" ]] ||
		fail "lookup 198.18.2.5: $NLT_OUT"
	nlt_ok "lookup 198.18.1.7" lookup 198.18.1.7
	[[ $NLT_OUT == "match 198.18.1.0/24 proto 2 table 254 via - oif $dm0" ]] ||
		fail "lookup 198.18.1.7: $NLT_OUT"
	nlt_ok "nexthop 1 via 192.0.2.2" nhx 1 192.0.2.2
	nlt_ok "10.60.0.0/24 via nexthop 1" addx 10.60.0.0/24 1 nh 1
	nlt_ok "lookup 10.60.0.9" lookup 10.60.0.9
	[[ $NLT_OUT == "match 10.60.0.0/24 proto 12 table 254 via 192.0.2.2 oif $nl0" ]] ||
		fail "lookup 10.60.0.9: $NLT_OUT"
	hexec h1 ip route add unreachable 10.66.0.0/16 || fail "ip route add"
	hexec h1 ip route add blackhole 10.67.0.0/16 || fail "ip route add"
	hexec h1 ip route add prohibit 10.68.0.0/16 || fail "ip route add"
	nlt_fails "unreachable" "lookup 10.66.1.1: Network is unreachable" lookup 10.66.1.1
	nlt_fails "blackhole" "lookup 10.67.1.1: Network is unreachable" lookup 10.67.1.1
	nlt_fails "prohibit" "lookup 10.68.1.1: Network is unreachable" lookup 10.68.1.1
	nlt_ok "lookup 2001:db8:55::1" lookup 2001:db8:55::1
	[[ $NLT_OUT == "match ::/0 proto 3 table 254 via 2001:db8:7::1 oif $dm0" ]] ||
		fail "lookup 2001:db8:55::1: $NLT_OUT"
	nlt_ok "lookup 2001:db8:7::9" lookup 2001:db8:7::9
	[[ $NLT_OUT == "match 2001:db8:7::/64 proto 2 table 254 via - oif $dm0" ]] ||
		fail "lookup 2001:db8:7::9: $NLT_OUT"
	hexec h1 ip route del default || fail "ip route del default"
	hexec h1 ip -6 route del default || fail "ip -6 route del default"
	nlt_fails "v4, no route" "lookup 198.18.2.5: Network is unreachable" lookup 198.18.2.5
	nlt_fails "v6, no route" "lookup 2001:db8:55::1: Network is unreachable" lookup 2001:db8:55::1
}
scenario nl_lookup

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
