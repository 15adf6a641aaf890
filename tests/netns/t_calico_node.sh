# shellcheck shell=bash
# tests/netns/t_calico_node.sh: ternd as calico/node's BIRD (issue 13).
#
#   calico_node: h1 runs conf/calico-node-bird-run twice, as calico/node's
#   runit would (copied to sv/bird/run and sv/bird6/run, under dash, paths
#   moved into the sandbox with TERN_* variables); h2 is a plain ternd; both
#   have IPv4 and IPv6 addresses, so there is a v4 and a v6 mesh session.
#   Then, with the rules of Calico's own code (cited at each helper):
#     - calicoctl's process rule finds a "bird" and a "bird6" process, and
#       they are the run scripts' (argv[0] exactly "bird" / "bird6");
#     - calicoctl's table reader over bird.ctl gives the IPv4 peer only, and
#       over bird6.ctl the IPv6 peer only, both Established;
#     - calico-node -bird-ready / -bird6-ready: peers Established, no
#       graceful restart in progress (show status codes), for both the
#       per-socket reader (bird%s.ctl) and the newer single-socket one;
#     - -bird-live / -bird6-live: "birdcl -s bird{,6}.ctl show status"
#       starts with "BIRD" (runit's sv is not in the sandbox: the services
#       are live when their processes run);
#   and tern's own side: ternctl status (exit 0, then 2 with a peer down),
#   -o json of every show command (python3's json parser), RFC 3339 times,
#   runtime debug (ternctl debug and BIRD's debug, restrict), --version and
#   --help.

TERNCTL=${TERNCTL:-$(dirname "$TERND")/ternctl}
CN_RUN=$TT_NETNS_DIR/../../conf/calico-node-bird-run

# cn_proc_argv0 NAME: the pids whose argv[0] is exactly NAME, calicoctl's
# psContains([]string{NAME}) (calico@HEAD calicoctl/calicoctl/commands/node/
# status.go: gopsutil CmdlineSlice() of every process, cmds[0] == NAME).
cn_proc_argv0() {
	python3 - "$1" <<'EOF'
import os, sys
for pid in os.listdir('/proc'):
    if not pid.isdigit():
        continue
    try:
        with open('/proc/%s/cmdline' % pid, 'rb') as f:
            cmds = f.read().split(b'\0')
    except OSError:
        continue          # gone: calicoctl moves on too
    if cmds and cmds[0] == sys.argv[1].encode():
        print(pid)
EOF
}

# cn_peers SOCKET IPV [single]: calicoctl's printBIRDPeers/scanBIRDPeers
# (status.go) and calico-node's bird.GetPeers (node/pkg/health/bird/
# bird.go): write "show protocols\n" at once, read with a 2 s deadline per
# line; 0000 ends, 0001 ignored, 2002 header fields must be name proto
# table state since info, 1002 and " " rows parsed, anything else an
# error. A row: >= 6 fields, field[1] BGP, field[0] ^(Global|Node|Mesh)_(.+)$,
# IP = group 2 with _ -> . (v4) or : (v6). "single": the newer reader that
# reads bird.ctl for both families and keeps the family asked for.
# Prints "ip|type|state|since|bgpstate info" per peer; exit 1 on an error.
cn_peers() {
	python3 - "$@" <<'EOF'
import re, socket, sys
path, ipv = sys.argv[1], sys.argv[2]
single = len(sys.argv) > 3
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(path)
s.sendall(b"show protocols\n")
s.settimeout(2)
f = s.makefile('r', encoding='utf-8', newline='\n')
rx = re.compile(r'^(Global|Node|Mesh)_(.+)$')
types = {"Global": "global", "Mesh": "node-to-node mesh", "Node": "node specific"}
peers = []
def row(line):
    c = line.split()
    if len(c) < 6 or c[1] != "BGP":
        return
    m = rx.match(c[0])
    if not m:
        return
    raw = m.group(2)
    if single:
        v4 = raw.replace('_', '.')
        try:
            socket.inet_pton(socket.AF_INET, v4); ip = v4
        except OSError:
            ip = raw.replace('_', ':')
    else:
        ip = raw.replace('_', '.' if ipv == '4' else ':')
    info = c[5] + (" " + " ".join(c[6:]) if len(c) > 6 else "")
    peers.append("%s|%s|%s|%s|%s" % (ip, types[m.group(1)], c[3], c[4], info))
while True:
    line = f.readline()
    if not line:
        break
    line = line.rstrip('\n')
    if line.startswith("0000"):
        break
    elif line.startswith("0001"):
        pass
    elif line.startswith("2002"):
        if line[5:].split() != ["name", "proto", "table", "state", "since", "info"]:
            sys.exit("unknown BIRD table output format")
    elif line.startswith("1002"):
        row(line[5:])
    elif line.startswith(" "):
        row(line[1:])
    else:
        sys.exit("unexpected output line from BIRD: %r" % line)
if single:
    peers = [p for p in peers if (':' in p.split('|')[0]) == (ipv == '6')]
print("\n".join(peers))
EOF
}

# cn_gr SOCKET: bird.GRInProgress: "show status"; 0013 ends (no GR), 0024
# means graceful restart in progress, 0001/1000/1011/" " are fine, anything
# else an error. Prints "gr" or "nogr".
cn_gr() {
	python3 - "$1" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(b"show status\n")
s.settimeout(2)
f = s.makefile('r', encoding='utf-8', newline='\n')
while True:
    line = f.readline()
    if not line:
        sys.exit("connection closed")
    if line.startswith("0013"):
        print("nogr"); break
    elif line.startswith(("0001", "1000", "1011", " ")):
        pass
    elif line.startswith("0024"):
        print("gr"); break
    else:
        sys.exit("unexpected output line from BIRD: %r" % line)
EOF
}

# cn_ready IPV SOCKET [single]: checkBIRDReady (node/pkg/health/health.go)
# just after start (nodename younger than the threshold): no peers is
# ready; else every peer Established and no graceful restart in progress.
cn_ready() {
	local out
	out=$(cn_peers "$2" "$1" ${3:+single}) || return 1
	[[ -n $out ]] || return 0
	grep -v '|Established$' <<<"$out" | grep -q . && return 1
	[[ $(cn_gr "$W/run/bird.ctl") == nogr ]]
}

# cn_live SOCKET: -bird-live's second half: birdcl's output starts "BIRD".
cn_live() {
	local out
	out=$(timeout 10 birdcl -s "$1" show status 2>&1) || return 1
	[[ $out == BIRD* ]]
}

CN_IF=$'e"\\\x01\xc3\xa9\xff'
cn_ternctl() { timeout 20 "$TERNCTL" -s "$W/run/bird.ctl" "$@"; }
# cn_status_is N: ternctl status exits N.
cn_status_is() {
	cn_ternctl status >/dev/null
	(($? == $1))
}
cn_json_ok() { python3 -c 'import json,sys; json.load(sys.stdin)'; }

calico_node() {
	require_ternd
	require_cmd birdc birdcl python3 dash
	[[ -x $TERNCTL ]] || fail "ternctl not built: $TERNCTL"
	[[ -r $CN_RUN ]] || fail "no $CN_RUN"
	local i log out pid pid6 rc sock="$W/run/bird.ctl" sock6="$W/run/bird6.ctl"
	netns_hosts 2
	# h1's interface gets a hostile name (a quote, a backslash, a control
	# character, UTF-8 and a byte that is not): JSON must still be JSON.
	if ! { hexec h1 ip link set dev eth0 down &&
		hexec h1 ip link set dev eth0 name "$CN_IF" &&
		hexec h1 ip link set dev "$CN_IF" up; }; then
		fail "cannot rename h1's eth0"
	fi
	hexec h1 ip -6 addr add fd00:198:18::1/64 dev "$CN_IF" nodad
	hexec h2 ip -6 addr add fd00:198:18::2/64 dev eth0 nodad
	cat >"$W/cluster.yaml" <<EOC
as: $TT_AS
node_mesh: true
pools:
  - cidr: $TT_POOL
  - cidr: fd00:10:244::/48
nodes:
  - name: h1
    ipv4: 198.18.0.1
    ipv6: fd00:198:18::1
    blocks: [10.244.1.0/26, "fd00:10:244:1::/122"]
  - name: h2
    ipv4: 198.18.0.2
    ipv6: fd00:198:18::2
    blocks: [10.244.2.0/26, "fd00:10:244:2::/122"]
peers: []
EOC
	# h1's ternd.yaml as mounted into calico/node (the script keeps it);
	# log level info: the debug scenario below turns categories on.
	ternd_conf h1 "$W/cluster.yaml" >/dev/null
	sed -i 's/^  level: debug$/  level: info/' "$W/h1.yaml"
	start_ternd h2 "$(ternd_conf h2 "$W/cluster.yaml")"
	mkdir -p "$W/sv/bird" "$W/sv/bird6"
	cp "$CN_RUN" "$W/sv/bird/run"
	cp "$CN_RUN" "$W/sv/bird6/run"
	log=ternd.log
	for i in bird bird6; do
		ip netns exec "$(host_ns h1)" env TERN_TERND="$TERND" \
			TERN_TERNCTL="$TERNCTL" TERN_CONF="$W/h1.yaml" \
			TERN_RUNDIR="$W/run" TERN_LIBDIR="$W/lib" \
			dash "$W/sv/$i/run" </dev/null >>"$W/h1.$log" 2>&1 &
		pid=$!
		_tt_record_pid "$pid"
		# shellcheck disable=SC2004 # associative arrays (lib.sh declares them)
		_TT_WATCH[$pid]="$i service on h1"
		if [[ $i == bird ]]; then
			_TT_TERND["h1"]=$pid
			log=bird6.log
		else
			pid6=$pid
		fi
		note "$i service on h1: pid $pid"
	done
	pid=${_TT_TERND[h1]}
	wait_log 30 h1 "$(ternd_est_line h2)"
	wait_log_re 30 h1 'neighbor fd00:198:18::2 AS64512 \(Mesh_fd00_198_18__2\): state OpenConfirm -> Established'
	expect 10 "bird6.ctl" test -S "$sock6"

	# calicoctl's process rule: argv[0] exactly "bird" and "bird6".
	out=$(cn_proc_argv0 bird)
	grep -qx "$pid" <<<"$out" || fail "no process with argv[0] \"bird\" is h1's ternd ($pid): $out"
	out=$(cn_proc_argv0 bird6)
	grep -qx "$pid6" <<<"$out" || fail "no process with argv[0] \"bird6\" is the bird6 service ($pid6): $out"
	[[ $(readlink "/proc/$pid/exe") == "$(readlink -f "$TERND")" ]] ||
		fail "the \"bird\" process is not ternd: $(readlink "/proc/$pid/exe")"
	note "ok: calicoctl's process rule finds bird (ternd, pid $pid) and bird6 (pid $pid6)"

	# calicoctl node status: v4 table from bird.ctl, v6 from bird6.ctl.
	out=$(cn_peers "$sock" 4) || fail "calicoctl's reader rejects bird.ctl: $out"
	[[ $out =~ ^198\.18\.0\.2\|node-to-node\ mesh\|up\|[0-9:]{8}\|Established$ ]] ||
		fail "calicoctl IPv4 table: $out"
	out=$(cn_peers "$sock6" 6) || fail "calicoctl's reader rejects bird6.ctl: $out"
	[[ $out =~ ^fd00:198:18::2\|node-to-node\ mesh\|up\|[0-9:]{8}\|Established$ ]] ||
		fail "calicoctl IPv6 table: $out"
	timeout 10 birdc -s "$sock" show protocols | grep -q '^kernel1 ' ||
		fail "kernel1 missing on bird.ctl"
	timeout 10 birdc -s "$sock6" show protocols | grep -q '^kernel1 ' ||
		fail "kernel1 missing on bird6.ctl"
	note "ok: bird.ctl lists the IPv4 session, bird6.ctl the IPv6 one, kernel1 on both"

	# calico-node -bird-ready / -bird6-ready, -bird-live / -bird6-live.
	expect 10 "-bird-ready" cn_ready 4 "$sock"
	expect 10 "-bird6-ready" cn_ready 6 "$sock6"
	expect 10 "-bird6-ready (single-socket reader)" cn_ready 6 "$sock" single
	expect 10 "-bird-live" cn_live "$sock"
	expect 10 "-bird6-live" cn_live "$sock6"
	kill -0 "$pid" || fail "the bird service died"
	kill -0 "$pid6" || fail "the bird6 service died"
	note "ok: readiness and liveness as calico-node checks them"
	# older confd reloads with "pkill -HUP bird", which reaches bird6 too
	kill -HUP "$pid6"
	sleep 0.3
	kill -0 "$pid6" || fail "the bird6 service died of SIGHUP"
	note "ok: the bird6 service ignores SIGHUP"

	# ternctl: version, help, status, JSON.
	out=$("$TERNCTL" --version) || fail "ternctl --version failed"
	[[ $out =~ ^ternctl\ [0-9] ]] || fail "ternctl --version: $out"
	"$TERNCTL" --help | grep -q 'exit status' || fail "ternctl --help"
	out=$(cn_ternctl status) || fail "ternctl status exit $?: $out"
	grep -q '^| 198\.18\.0\.2 .*| Established' <<<"$out" || fail "ternctl status: $out"
	grep -q '^| fd00:198:18::2 .*| Established' <<<"$out" || fail "ternctl status v6: $out"
	out=$(cn_ternctl status -o json) || fail "ternctl status -o json"
	python3 -c '
import json, re, sys
d = json.load(sys.stdin)
assert [p["peer_address"] for p in d["ipv4"]] == ["198.18.0.2"], d
assert [p["peer_address"] for p in d["ipv6"]] == ["fd00:198:18::2"], d
for p in d["ipv4"] + d["ipv6"]:
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", p["since"]), p
' <<<"$out" || fail "ternctl status -o json: $out"
	for cmd in "show status" "show protocols" "show protocols all" \
		"show route" "show route all" "show route count" \
		"show protocols all kernel1" "show route for 10.244.2.1"; do
		# shellcheck disable=SC2086 # the command's words
		out=$(cn_ternctl -o json $cmd) || fail "ternctl -o json $cmd: $out"
		cn_json_ok <<<"$out" || fail "ternctl -o json $cmd is not JSON: $out"
	done
	out=$(cn_ternctl show status -o json)
	python3 -c '
import json, re, sys
d = json.load(sys.stdin)
for k in ("server_time", "last_reboot", "last_reconfiguration"):
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", d[k]), (k, d)
' <<<"$out" || fail "show status JSON times: $out"
	out=$(cn_ternctl -o json show protocols)
	python3 -c '
import json, sys
d = json.load(sys.stdin)
names = [p["name"] for p in d["protocols"]]
assert "Mesh_198_18_0_2" in names and "Mesh_fd00_198_18__2" in names, names
' <<<"$out" || fail "ternctl's own show protocols lists both families: $out"
	out=$(cn_ternctl -o json show route for 10.244.2.1)
	python3 -c '
import json, sys
d = json.load(sys.stdin)
i = d["routes"][0]["paths"][0]["interface"]
assert i == "e\"\\\x01\u00e9\ufffd", repr(i)
' <<<"$out" || fail "the hostile interface name in JSON: $out"
	out=$(cn_ternctl -o json show route 10.99.0.0/24)
	(($? == 1)) || fail "an 8001 in JSON exited 0"
	python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["error"]["code"] == 8001' \
		<<<"$out" || fail "an 8001 in JSON: $out"
	note "ok: ternctl status, --version, --help, -o json of every show command"

	# Runtime debug: events lines (control clients) off, then on, then off.
	log_has_re h1 'control: client [0-9]+ .*connected' &&
		fail "events debug lines before any debug command"
	cn_ternctl debug events on || fail "ternctl debug events on"
	wait_log 10 h1 "control: debug categories events (were none)"
	cn_ternctl show status >/dev/null
	wait_log_re 10 h1 'control: client [0-9]+ \(uid 0\) connected'
	cn_ternctl debug events off || fail "ternctl debug events off"
	wait_log 10 h1 "control: debug categories none (were events)"
	i=$(log_count h1 'control: client [0-9]+ \(uid 0\) connected')
	cn_ternctl show status >/dev/null
	sleep 0.5
	(($(log_count h1 'control: client [0-9]+ \(uid 0\) connected') == i)) ||
		fail "events lines after debug events off"
	out=$(timeout 10 birdc -s "$sock" debug all '{ states, routes }')
	rc=$?
	((rc == 0)) || fail "birdc debug all { states, routes }: exit $rc: $out"
	wait_log 10 h1 "control: debug categories states,routes (were none)"
	out=$(timeout 10 birdc -s "$sock" debug Mesh_198_18_0_2 off)
	wait_log 10 h1 "control: debug categories none (were states,routes)"
	out=$(timeout 10 birdc -s "$sock" debug '"Nothing*"' all)
	[[ $out == *"No protocols match"* ]] || fail "debug of no protocol: $out"
	out=$(timeout 10 birdc -r -s "$sock" debug all all)
	[[ $out == *"Access denied"* ]] || fail "debug after restrict: $out"
	note "ok: runtime debug (ternctl and BIRD's command), refused after restrict"

	# A peer down: ternctl status exits 2.
	stop_ternd h2 KILL
	expect 30 "ternctl status exits 2 with a peer down" cn_status_is 2
	note "ok: ternctl status exits 2 when a configured peer is not Established"
	assert_running h1
	kill -0 "$pid6" || fail "the bird6 service died"

	# Without a mounted ternd.yaml the script writes one from calico/node's
	# variables: ternd -p accepts it (a stand-in "ternd" adds -p).
	printf '#!/bin/sh\nexec "%s" -p "$@"\n' "$TERND" >"$W/ternd-p"
	chmod +x "$W/ternd-p"
	out=$(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin NODENAME=node-a \
		ETCD_ENDPOINTS=https://10.0.0.1:2379,https://10.0.0.2:2379 \
		ETCD_CA_CERT_FILE=/etc/ca.pem ETCD_CERT_FILE=/etc/cert.pem \
		ETCD_KEY_FILE=/etc/key.pem TERN_TERND="$W/ternd-p" \
		TERN_CONF="$W/gen/ternd.yaml" TERN_RUNDIR="$W/run2" \
		TERN_LIBDIR="$W/lib2" dash "$W/sv/bird/run" 2>&1) ||
		fail "the written ternd.yaml is refused: $out"$'\n'"$(cat "$W/gen/ternd.yaml")"
	grep -q '^  endpoints: \[https://10.0.0.1:2379, https://10.0.0.2:2379\]$' \
		"$W/gen/ternd.yaml" || fail "endpoints: $(cat "$W/gen/ternd.yaml")"
	grep -q '^  name: node-a$' "$W/gen/ternd.yaml" || fail "node name"
	note "ok: the script writes a ternd.yaml that ternd -p accepts"
}
scenario calico_node

# calico_node_socket6_taken: the IPv6 socket beside the first ("" in
# ternd.yaml) is already another daemon's (x.ctl -> x.ctl6, a name another
# daemon took): ternd goes on with one socket showing every session, and
# the other daemon keeps its socket.
calico_node_socket6_taken() {
	require_ternd
	require_cmd birdc
	netns_hosts 2
	cluster_file "$W/cluster.yaml" h1 h2
	ternd_conf h2 "$W/cluster.yaml" >/dev/null
	sed -i "s|^  socket: .*|  socket: $W/x.ctl6|" "$W/h2.yaml"
	start_ternd h2 "$W/h2.yaml"
	expect 10 "h2's socket" test -S "$W/x.ctl6"
	ternd_conf h1 "$W/cluster.yaml" >/dev/null
	sed -i "s|^  socket: .*|  socket: $W/x.ctl|" "$W/h1.yaml"
	start_ternd h1 "$W/h1.yaml"
	wait_log 30 h1 "control: no IPv6 socket beside $W/x.ctl ($W/x.ctl6)"
	wait_log 30 h1 "$(ternd_est_line h2)"
	timeout 10 birdc -s "$W/x.ctl" show protocols | grep -q '^Mesh_198_18_0_2 ' ||
		fail "h1's socket does not list its session"
	timeout 10 birdc -s "$W/x.ctl6" show protocols | grep -q '^Mesh_198_18_0_1 ' ||
		fail "h2's socket is not h2's any more"
	assert_running h1 h2
	note "ok: the socket beside taken: one socket, nobody else's touched"
}
scenario calico_node_socket6_taken

# calico_node_kdd_refused: calico/node sets DATASTORE_TYPE=kubernetes in a
# cluster on the Kubernetes API datastore, which ternd cannot read: with an
# etcd datastore in ternd.yaml it refuses to start (exit 1, a message that
# says so) instead of reading etcd at 127.0.0.1; nothing of ternd's runs
# (no socket). With a cluster file the variable does not matter.
calico_node_kdd_refused() {
	local out rc
	require_ternd
	netns_hosts 1
	printf 'node:\n  name: h1\ndatastore:\n  type: etcdv3\ncontrol:\n  socket: %s\n' \
		"$W/h1.ctl" >"$W/etcd.yaml"
	out=$(DATASTORE_TYPE=kubernetes timeout 10 ip netns exec "$(host_ns h1)" \
		"$TERND" -c "$W/etcd.yaml" 2>&1)
	rc=$?
	((rc == 1)) || fail "ternd exited $rc with DATASTORE_TYPE=kubernetes, want 1: $out"
	grep -q 'DATASTORE_TYPE=kubernetes: the Kubernetes API datastore is not supported' <<<"$out" ||
		fail "no clear message: $out"
	[[ ! -e $W/h1.ctl ]] || fail "ternd opened its socket before refusing"
	note "ok: refused: $out"
	# a cluster file: the variable is irrelevant, ternd runs
	cluster_file "$W/cluster.yaml" h1
	DATASTORE_TYPE=kubernetes start_ternd h1 "$(ternd_conf h1 "$W/cluster.yaml")"
	wait_log 30 h1 "ternd $("$TERND" --version | cut -d' ' -f2) running as node h1"
	assert_running h1
}
scenario calico_node_kdd_refused
