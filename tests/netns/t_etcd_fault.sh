# shellcheck shell=bash
# tests/netns/t_etcd_fault.sh: ternd on a hung or leaderless etcd member (issue 11).
#
# A 3-member etcd cluster (Debian etcd-server 3.4), one member per host; ternd on h1
# reads from h1's member first (endpoints h1, h2, h3). That member then stops
# answering while its TCP connections stay open (SIGSTOP), or loses its peers while
# ternd still reaches it (its peer link down: no leader). A block affinity for h1 is
# written meanwhile through h2's member: ternd must notice the member within seconds,
# fail over to the next endpoint, resume its watch from the last revision it saw
# (no re-list: only a compaction justifies one) and install the block. Log lines used:
#   datastore: etcdv3: http://198.18.0.1:2379: <why>; keeping the cluster view, ...
#   datastore: etcdv3: connected to http://198.18.0.2:2379 (watch resumed from
#     revision N, no re-list)
#   datastore: etcdv3: ...; reading everything again   (a re-list: must not appear)
# shellcheck source-path=SCRIPTDIR source=etcd.sh
. "$(dirname "${BASH_SOURCE[0]}")/etcd.sh"

# fault_setup TYPE [--peernet]: hosts h1..h3, a member on each, Calico's keys for h1
# and h2, ternd on h1 (endpoints h1 h2 h3) and h2 (h2 h3 h1), the mesh up.
fault_setup() {
	local type=$1 v2=()
	netns_hosts 3
	[[ ${2:-} == --peernet ]] && etcd_peer_net h1 h2 h3
	if [[ $type == etcdv2 ]]; then
		v2=(--v2)
	fi
	etcd_cluster "${v2[@]}" h1 h2 h3
	if [[ $type == etcdv2 ]]; then
		v2_cluster h2 h1 h2
	else
		v3_cluster h2 h1 h2
	fi
	ternd_etcd h1 "$type" h1 h2 h3
	ternd_etcd h2 "$type" h2 h3 h1
	wait_log 30 h1 "datastore: $type: connected to http://198.18.0.1:2379"
	wait_route 30 h1 "$(own_re h1)"
	wait_route 30 h1 "$(via_re h2)"
	wait_route 30 h2 "$(via_re h1)"
}

# fault_block TYPE WRITER CIDR [del]: h1's block affinity CIDR written (or deleted)
# through WRITER's member, retried until the cluster takes it (a write right after
# the leader hung times out until the others have elected a new one).
fault_block() {
	local key="/calico/ipam/v2/host/h1/ipv4/block/${3/\//-}" url
	url="$(etcd_url "$2")/v2/keys$key"
	case $1${4:-} in
	etcdv2) expect 20 "v2 PUT $key through $2" hexec "$2" curl -sS -m 5 -o /dev/null \
		-f -X PUT "$url" --data-urlencode "value={}" ;;
	etcdv2del) expect 20 "v2 DELETE $key through $2" hexec "$2" curl -sS -m 5 \
		-o /dev/null -f -X DELETE "$url" ;;
	etcdv3) expect 20 "put $key through $2" etcdctl_on "$2" put "$key" \
		'{"state":"confirmed","deleted":false}' ;;
	etcdv3del) expect 20 "del $key through $2" etcdctl_on "$2" del "$key" ;;
	esac
}

# log_ms HOST ERE: when HOST's ternd logged its last line matching ERE, in ms since
# the epoch (ternd stamps lines with the local date and time, "%F %T.%3f").
log_ms() {
	local t
	t=$(grep -E -- "$2" "$(ternd_log "$1")" | tail -1 | cut -d' ' -f1,2)
	[[ -n $t ]] || t="$(date +%F) 00:00:00.000"
	date -d "$t" +%s%3N
}

# fault_recovered TYPE T0 RELISTS WHAT: h1's ternd warned about h1's member,
# resumed on another endpoint without a re-list, and has a new block (written
# through h2 after the fault) within 15 s; the time from the fault is noted.
fault_recovered() {
	local type=$1 t0=$2 relists=$3 what=$4 blk=10.244.61.0/26 n ms warned resumed
	fault_block "$type" h2 "$blk"
	wait_route 15 h1 "$(own_re h1 "$blk")"
	ms=$((($(_tt_now_us) - t0) / 1000))
	note "measured: h1 installed a block written after the $what ${ms} ms after it"
	wait_log_re 5 h1 "datastore: $type: http://198\.18\.0\.1:2379: .*; keeping the cluster view"
	wait_log_re 5 h1 "datastore: $type: connected to http://198\.18\.0\.[23]:2379 \(.*no re-list\)"
	warned=$(log_ms h1 "datastore: $type: http://198\.18\.0\.1:2379: .*; keeping")
	resumed=$(log_ms h1 "datastore: $type: connected to .*no re-list")
	note "measured: h1 warned $((warned - t0 / 1000)) ms and resumed" \
		"$((resumed - t0 / 1000)) ms after the $what"
	grep -E "datastore: $type: (http://198\.18\.0\.1:2379: |connected to)" \
		"$(ternd_log h1)" | tail -2 | cut -c1-200 | while read -r line; do
		note "log: $line"
	done
	n=$(log_count h1 'reading everything again')
	((n == relists)) || fail "h1 listed everything again after the $what ($n re-lists)"
	# changes keep flowing on the new endpoint
	fault_block "$type" h3 "$blk" del
	wait_no_route 10 h1 "$blk"
	wait_route 10 h2 "$(via_re h1)"
	route_has h1 "$(via_re h2)" || fail "h1 lost h2's block"
}

# member_leaderless HOST: HOST's member answers (endpoint status) and has no leader
# (etcdctl's JSON leaves the leader out when it is 0).
member_leaderless() {
	local out
	out=$(etcdctl_on "$1" endpoint status -w json) || return 1
	[[ $out == *'"raft_term":'* && $out != *'"leader":'[1-9]* ]]
}

# (1) h1's member hangs (SIGSTOP): ternd notices, fails over, resumes, installs.
etcd_fault_stop() {
	require_ternd
	require_cmd etcd etcdctl
	local t0 relists
	fault_setup etcdv3
	relists=$(log_count h1 'reading everything again')
	t0=$(_tt_now_us)
	etcd_freeze h1
	fault_recovered etcdv3 "$t0" "$relists" "SIGSTOP of h1's member"
	etcd_thaw h1
	expect 30 "etcd member on h1 healthy" etcd_healthy h1
	assert_running h1 h2
}
scenario etcd_fault_stop

# (2) the same through etcd's v2 API (long polls; the probe is a quorum GET).
etcd_fault_stop_v2() {
	require_ternd
	require_cmd etcd etcdctl curl
	local t0 relists
	fault_setup etcdv2
	relists=$(log_count h1 'reading everything again')
	t0=$(_tt_now_us)
	etcd_freeze h1
	fault_recovered etcdv2 "$t0" "$relists" "SIGSTOP of h1's member"
	etcd_thaw h1
	assert_running h1 h2
}
scenario etcd_fault_stop_v2

# etcd_fault_partition_of TYPE: h1's member is partitioned from its peers (no
# leader) while ternd on h1 still reaches it: ternd notices, fails over, resumes,
# and changes keep flowing.
etcd_fault_partition_of() {
	local type=$1 t0 relists
	fault_setup "$type" --peernet
	relists=$(log_count h1 'reading everything again')
	t0=$(_tt_now_us)
	etcd_partition h1
	expect 15 "h1's member has no leader and still answers" member_leaderless h1
	hexec h1 curl -sS -m 2 -o /dev/null -f "$(etcd_url h1)/version" ||
		fail "h1's member does not answer HTTP"
	fault_recovered "$type" "$t0" "$relists" "partition of h1's member"
	etcd_heal h1
	expect 30 "etcd member on h1 healthy" etcd_healthy h1
	assert_running h1 h2
}

# (3) etcdv3: etcd itself refuses reads and, after 3 election timeouts, cancels
# watches on a member without a leader (Grpc-Metadata-hasleader).
etcd_fault_partition() {
	require_ternd
	require_cmd etcd etcdctl curl
	etcd_fault_partition_of etcdv3
}
scenario etcd_fault_partition

# (4) etcdv2: a long poll on a member without a leader just waits; only the probe
# (a quorum GET that cannot complete) finds it.
etcd_fault_partition_v2() {
	require_ternd
	require_cmd etcd etcdctl curl
	etcd_fault_partition_of etcdv2
}
scenario etcd_fault_partition_v2
