# shellcheck shell=bash
# tests/netns/t_upgroup.sh: update groups (bgpd/upgroup.c). Sessions alike share one
# Adj-RIB-Out and one encoding of it; a member that reads slowly must not hold the
# others back for more than the lag bound (5 s), and one that asks for a route
# refresh gets the whole table again, alone. Uses tests/adv/bgpadv (t_harden.sh's
# adv and require_adv).
#
# ternd log lines used here (debug):
#   neighbor ... (Global_198_18_0_3): update group N: joined (K sessions)
#   neighbor ... (Global_198_18_0_4): update group N: left, its output full for 5000 ms ...

# upg_cluster FILE I...: the cluster file of these scenarios: h1 a reflector (cluster
# ID set), the raw clients 198.18.0.I explicit iBGP peers (its reflector clients).
upg_cluster() {
	local f=$1 i
	shift
	{
		cat <<EOT
as: $TT_AS
node_mesh: false
pools:
  - cidr: 10.0.0.0/8
    ipip: never
nodes:
  - name: h1
    ipv4: 198.18.0.1
    blocks: [10.244.1.0/26]
    rr_cluster_id: 224.0.0.1
peers:
EOT
		for i in "$@"; do
			echo "  - {ip: 198.18.0.$i, as: $TT_AS}"
		done
	} >"$f"
}

# all_prefixes LINE: bgpadv's count-updates LINE has the n (200,000) prefixes, or n+1:
# h1's own block (10.244.1.0/26) is counted too when it went out within the count.
all_prefixes() {
	[[ $1 == *" prefixes=200000 "* || $1 == *" prefixes=200001 "* ]]
}

# counts_ge FILE N: FILE has at least N count-updates lines.
counts_ge() { (($(grep -c '^updates received' "$1") >= $2)); }

# upgroup_slow_member: h1 reflects (cluster ID set) for three raw clients: h2
# announces 200,000 /32s; h3 reads at once, h4 closes its receive window for 45 s.
# All three form one group. h3 must have every prefix within 40 s (h4 leaves the
# group after 5 s of lag instead of stalling it for 45), h4 every prefix once it
# reads (it goes on alone from a copy of the group's table), and h3 the whole table
# again after a route refresh.
upgroup_slow_member() {
	require_ternd
	require_adv
	local cl="$W/cluster.yaml" conf n=200000 got
	netns_hosts 4
	upg_cluster "$cl" 2 3 4
	conf=$(ternd_conf h1 "$cl")
	conf_set "$conf" max_prefixes 0
	conf_set "$conf" max_peer_memory_kib 0
	start_ternd h1 "$conf"
	adv h3 "$W/h3.out" --connect 198.18.0.1 --as "$TT_AS" --id 198.18.0.3 --rr \
		--timeout 100 count-updates:40 refresh:0 count-updates:15
	adv h4 "$W/h4.out" --connect 198.18.0.1 --as "$TT_AS" --id 198.18.0.4 \
		--rcvbuf 4096 --no-hold-check --timeout 100 zero-window:45 count-updates:30
	wait_log_re 30 h1 'Global_198_18_0_3.*update group [0-9]+: joined'
	wait_log_re 30 h1 'Global_198_18_0_4.*update group [0-9]+: joined'
	adv h2 "$W/h2.out" --connect 198.18.0.1 --as "$TT_AS" --id 198.18.0.2 \
		--timeout 100 "announce:10.200.0.0/32:198.18.0.2:$n" sleep:90
	expect 60 "h3 counted what it got" grep -q '^updates received' "$W/h3.out"
	got=$(grep -m1 '^updates received' "$W/h3.out")
	note "h3, first 40 s: $got"
	all_prefixes "$got" ||
		fail "h3 did not get all $n prefixes within 40 s while h4 read nothing: $got"
	wait_log_re 5 h1 'Global_198_18_0_4.*update group [0-9]+: left, its output full for 5000 ms'
	expect 30 "h3 counted the refresh" counts_ge "$W/h3.out" 2
	got=$(grep '^updates received' "$W/h3.out" | sed -n 2p)
	note "h3, after its refresh: $got"
	all_prefixes "$got" || fail "h3's refresh did not resend all $n prefixes: $got"
	expect 60 "h4 counted what it got" grep -q '^updates received' "$W/h4.out"
	got=$(grep -m1 '^updates received' "$W/h4.out")
	note "h4, once it reads: $got"
	all_prefixes "$got" || fail "h4 did not get all $n prefixes: $got"
	got=$(timeout 5 "$(dirname "$TERND")/ternctl" -s "$W/h1.ctl" show protocols all \
		Global_198_18_0_4 | grep 'Update group:')
	note "h4: $got"
	[[ $got == *"left 1 times for lagging"* ]] || fail "ternctl does not show h4's lag: $got"
	assert_running h1
}
scenario upgroup_slow_member

# pacing_run INTERVAL TAG: h1 reflects for the raw clients h2 and h3 with
# bgp.advertisement_interval_ms INTERVAL. h3 counts what it gets for 9 s; once it has
# joined h1's update group, h2 announces 40 /32s (10.200.0.0-39), one UPDATE every
# 40 ms, and 10.201.0.0/32 alone 10 s later. Outputs: $W/h2.TAG.out, $W/h3.TAG.out.
pacing_run() {
	local iv=$1 tag=$2 cl="$W/cluster.yaml" conf i feed=()
	upg_cluster "$cl" 2 3
	conf=$(ternd_conf h1 "$cl")
	conf_set "$conf" advertisement_interval_ms "$iv"
	start_ternd h1 "$conf"
	adv h3 "$W/h3.$tag.out" --connect 198.18.0.1 --as "$TT_AS" --id 198.18.0.3 \
		--timeout 60 count-updates:9 expect-prefix:10.201.0.0/32:20 sleep:1
	wait_log_re 30 h1 'Global_198_18_0_3.*update group [0-9]+: joined'
	if [[ -n ${UPG_STRACE:-} ]]; then
		# h1's system calls while it sends (upgroup_fanout_syscalls)
		strace -qq -f -c -e trace=epoll_ctl,writev -o "$UPG_STRACE" -p "$(ternd_pid h1)" &
		UPG_STRACE_PID=$!
		_tt_record_pid "$UPG_STRACE_PID"
		expect 10 "strace attached to h1" grep -Eq '^TracerPid:[[:space:]]*[1-9]' \
			"/proc/$(ternd_pid h1)/status"
	fi
	for ((i = 0; i < 40; i++)); do
		feed+=("announce:10.200.0.$i/32:198.18.0.2:1" sleep:0.04)
	done
	adv h2 "$W/h2.$tag.out" --connect 198.18.0.1 --as "$TT_AS" --id 198.18.0.2 \
		--timeout 60 "${feed[@]}" sleep:10 announce:10.201.0.0/32:198.18.0.2:1 sleep:5
	expect 30 "h3 counted what it got" grep -q '^updates received' "$W/h3.$tag.out"
}

# pacing_count TAG: PACED_N = the UPDATEs in h3's count line of run TAG; fails unless
# it has h2's 40 prefixes (41: h1's own block too, when it came within the count).
pacing_count() {
	local got
	got=$(grep -m1 '^updates received' "$W/h3.$1.out")
	note "h3 ($1): $got"
	[[ $got == *" prefixes=40 "* || $got == *" prefixes=41 "* ]] ||
		fail "h3 ($1) did not get h2's 40 prefixes: $got"
	got=${got#updates received=}
	PACED_N=${got%% *}
}

# upgroup_pacing: bgp.advertisement_interval_ms. With 5000 ms, the 40 changes that
# h2 makes within 1.6 s reach h3 in a few UPDATEs (the first at once, the rest
# together at the interval's end), nothing lost; a change after a quiet interval is
# not held (h3 has 10.201.0.0/32 well within the interval after h2 sent it). With 0
# (off), each change goes in its own UPDATE. (h1's block and End-of-RIB may fall in
# the count too: 2 UPDATEs more.)
upgroup_pacing() {
	require_ternd
	require_adv
	local n t0 t1
	netns_hosts 3
	pacing_run 5000 paced
	pacing_count paced
	n=$PACED_N
	((n <= 6)) || fail "5000 ms pacing: h3 got $n UPDATEs for 40 changes made within 1.6 s"
	expect 20 "h2 sent 10.201.0.0/32" grep -q '^done announce:10.201.0.0/32' "$W/h2.paced.out"
	t0=$(_tt_now_us)
	expect 10 "h3 got 10.201.0.0/32" grep -q '^got 10.201.0.0/32' "$W/h3.paced.out"
	t1=$(_tt_now_us)
	note "10.201.0.0/32, h2 sent -> h3 got: <= $(((t1 - t0) / 1000)) ms (interval 5000 ms)"
	(((t1 - t0) < 2500000)) ||
		fail "a change after a quiet interval was held: $(((t1 - t0) / 1000)) ms"
	stop_ternd h1
	pacing_run 0 unpaced
	pacing_count unpaced
	n=$PACED_N
	((n >= 30)) || fail "pacing off: h3 got only $n UPDATEs for 40 changes 40 ms apart"
	assert_running h1
}
scenario upgroup_pacing

# upgroup_fanout_syscalls: an UPDATE sent costs the reflector its write and nothing
# else. h1 reflects h2's 40 changes (pacing off) to its update group (h2 and h3);
# strace counts h1's writev and epoll_ctl calls meanwhile. Before, every flush of an
# Established session armed EV_WRITE (epoll_ctl ADD, then MOD back when it fired)
# even with nothing more to build: two epoll_ctl calls per UPDATE per member.
upgroup_fanout_syscalls() {
	require_ternd
	require_adv
	command -v strace >/dev/null || fail "strace not installed (tests/pkgs.sh installs it)"
	local f="$W/h1.strace" w e
	netns_hosts 3
	UPG_STRACE=$f pacing_run 0 fanout
	pacing_count fanout
	kill -INT "$UPG_STRACE_PID" 2>/dev/null
	wait "$UPG_STRACE_PID" 2>/dev/null
	expect 10 "strace wrote its summary" grep -q 'total' "$f"
	w=$(awk '$NF == "writev" { print $4 }' "$f")
	e=$(awk '$NF == "epoll_ctl" { print $4 }' "$f")
	note "h1 while reflecting $PACED_N UPDATEs to 2 members: writev ${w:-0}, epoll_ctl ${e:-0}"
	# (a loaded h1 may build several of h2's changes in one turn: fewer writes)
	((${w:-0} >= 20)) || fail "h1 made only ${w:-0} writes for $PACED_N UPDATEs to 2 members"
	# a few for the sessions' own events (7 here, 9 under ASan); the old code made
	# two per write (181 for 89)
	((${e:-0} * 4 <= ${w:-0})) ||
		fail "h1 made ${e:-0} epoll_ctl calls for ${w:-0} writes (want a quarter at most)"
	assert_running h1
}
scenario upgroup_fanout_syscalls
