# shellcheck shell=bash
# tests/netns/t_ctl_limits.sh: the bounds that keep a crowd from costing ternd its
# log, its control socket or its datastore (SPEC 8, "no peer can exhaust the node"):
#
#   ctl_refused_flood     200 connections to port 179 from a stranger: at most 10
#                         "refused" lines per 10 s, every one of the 200 accounted
#                         for by the lines and their "N similar lines suppressed"
#   ctl_idle_crowd        600 idle clients on the control socket: birdc and ternctl
#                         are still served at once, the crowd is bounded (evictions
#                         logged at a bounded rate, with a count), and the idle ones
#                         are closed after the 30 s idle timeout
#   ctl_configure_burst   15 `configure` at once (10 clients, and one that pipelines
#                         5): every client gets its 0003, the datastore is re-read
#                         at most 3 times
#
# Uses t_ctl.sh's ctl_sock, tbirdc, tternctl and require_ternctl. A Python 3
# helper (tests/pkgs.sh installs python3) plays the crowds.

# limits_py: write the helper and print its path.
#   refuse HOST PORT N          N connections to HOST:PORT, one after the other,
#                               each read until the server closes it
#   idle SOCK N DIR             N clients that never send anything; DIR/ready once
#                               all are connected, then every EOF is timed until
#                               all are closed (or 60 s): "closed T_SECONDS" lines
#   configure SOCK NCLIENTS NPIPE   NCLIENTS clients send "configure" at once and
#                               one more sends NPIPE of them in one write; prints
#                               each client's replies ("ok N" when all are 0003)
limits_py() {
	local f="$W/limits.py"
	[[ -f $f ]] && { echo "$f"; return 0; }
	cat >"$f" <<'EOF'
import os, re, selectors, socket, sys, time

def refuse(host, port, n):
    for _ in range(n):
        s = socket.create_connection((host, port), timeout=5)
        while s.recv(4096):
            pass
        s.close()
    print("refuse: %d connections closed by the server" % n)

def idle(path, n, d):
    socks = []
    for _ in range(n):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(path)                       # blocking: waits for the backlog
        s.setblocking(False)
        socks.append(s)
    t0 = time.monotonic()
    open(os.path.join(d, "ready"), "w").close()
    sel = selectors.DefaultSelector()
    for s in socks:
        sel.register(s, selectors.EVENT_READ)
    left = n
    while left and time.monotonic() - t0 < 60:
        for key, _ in sel.select(1):
            try:
                data = key.fileobj.recv(4096)
            except ConnectionResetError:
                data = b""
            if not data:
                print("closed %.1f" % (time.monotonic() - t0), flush=True)
                sel.unregister(key.fileobj)
                key.fileobj.close()
                left -= 1
    print("open %d" % left, flush=True)

FINAL = re.compile(rb"^\d{4} ", re.M)

def configure(path, nclients, npipe):
    clients = [(socket.socket(socket.AF_UNIX, socket.SOCK_STREAM), 1)
               for _ in range(nclients)]
    clients.append((socket.socket(socket.AF_UNIX, socket.SOCK_STREAM), npipe))
    for s, _ in clients:
        s.connect(path)
        s.settimeout(10)
    for s, k in clients:                      # all at once
        s.sendall(b"configure\n" * k)
    for s, k in clients:
        buf = b""
        while len(FINAL.findall(buf)) < 1 + k:
            d = s.recv(65536)
            if not d:
                break
            buf += d
        ok = buf.count(b"\n0003 Reconfigured\n")
        print("ok %d" % ok if ok == k else "bad %r" % buf)
        s.close()

if __name__ == "__main__":
    what = sys.argv[1]
    if what == "refuse":
        refuse(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif what == "idle":
        idle(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    else:
        configure(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
EOF
	echo "$f"
}

# limits_suppressed HOST ERE: the sum of the "N similar lines suppressed" counts on
# HOST's log lines that match ERE.
limits_suppressed() {
	grep -E -- "$2" "$(ternd_log "$1")" |
		sed -nE 's/.*[ (]([0-9]+) similar lines suppressed.*/\1/p' |
		awk '{ n += $1 } END { print n + 0 }'
}

# (a) A stranger (h3, in nobody's cluster) connects 200 times to ternd h1's port 179.
# Each is refused (Cease), ternd logs at most 10 of them per 10 s and, when the window
# ends, how many it left out: the lines plus the counts are exactly the 200.
ctl_refused_flood() {
	require_ternd
	local n=200 lines sup re='connection from 198\.18\.0\.3 refused'
	netns_hosts 3
	cluster_file "$W/cluster.yaml" h1 h2
	ternd_hosts "$W/cluster.yaml" h1
	wait_log 30 h1 "$(mesh_name h2)"
	timeout 60 ip netns exec "$(host_ns h3)" python3 "$(limits_py)" refuse \
		"$(host_ip h1)" 179 "$n" >"$W/refuse.log" 2>&1 ||
		fail "the stranger's connections: $(cat "$W/refuse.log")"
	note "$(cat "$W/refuse.log")"
	lines=$(log_count h1 "$re")
	((lines <= 11)) || fail "$lines refused lines for $n connections (at most 10 per 10 s)"
	wait_log_re 20 h1 'connections refused: not a configured peer: [0-9]+ similar lines suppressed'
	sup=$(limits_suppressed h1 "$re|connections refused: not a configured peer")
	note "refused lines: $lines, suppressed: $sup"
	((lines + sup == n)) || fail "$lines lines + $sup suppressed != $n connections"
	note "ok: $n refusals, $lines lines, the other $sup counted"
	assert_running h1
}
scenario ctl_refused_flood

# (b) 600 clients connect to ternd's control socket and never send anything. ternd
# keeps at most 256 of them (one uid's share of the 512), closing the least recently
# active for each new one; birdc and ternctl (new clients, same uid) are served at
# once; the closing is logged at a bounded rate with a count; after the 30 s idle
# timeout the rest are closed too.
ctl_idle_crowd() {
	require_ternd
	require_ternctl
	require_cmd birdc
	local n=600 cp out t0 t1 early late re='control: uid 0 holds 256 clients'
	netns_hosts 1
	cluster_file "$W/cluster.yaml" h1
	ternd_hosts "$W/cluster.yaml" h1
	expect 10 "h1's control socket answers" tbirdc h1 show status
	mkdir -p "$W/idle"
	timeout 90 python3 "$(limits_py)" idle "$(ctl_sock h1)" "$n" "$W/idle" \
		>"$W/idle.log" 2>&1 &
	cp=$!
	expect 30 "$n idle clients connected" test -e "$W/idle/ready"
	t0=$(_tt_now_us)
	out=$(tbirdc h1 show status) || fail "birdc next to $n idle clients: $out"
	t1=$(_tt_now_us)
	(((t1 - t0) < 2000000)) || fail "birdc show status took $(((t1 - t0) / 1000)) ms"
	grep -qx 'Daemon is up and running' <<<"$out" || fail "birdc show status: $out"
	note "ok: birdc show status next to $n idle clients ($(((t1 - t0) / 1000)) ms)"
	out=$(tternctl h1 status) || fail "ternctl status next to $n idle clients: $out"
	grep -qx 'ternd is running.' <<<"$out" || fail "ternctl status: $out"
	note "ok: ternctl status next to $n idle clients"
	wait_log_re 20 h1 'control: clients closed at the per-uid limit: [0-9]+ similar lines suppressed'
	(($(log_count h1 "$re") <= 6)) || fail "$(log_count h1 "$re") eviction lines (at most 5 per 10 s)"
	note "ok: $(log_count h1 "$re") eviction lines, $(limits_suppressed h1 "$re|per-uid limit") counted"
	wait "$cp" || fail "idle clients: $(tail -5 "$W/idle.log")"
	grep -qx 'open 0' "$W/idle.log" || fail "idle clients still open after 60 s: $(tail -1 "$W/idle.log")"
	early=$(awk '$1 == "closed" && $2 < 20' "$W/idle.log" | wc -l)
	late=$(awk '$1 == "closed" && $2 >= 20' "$W/idle.log" | wc -l)
	note "closed at once (evicted): $early; later: $late, the last at $(grep closed "$W/idle.log" | tail -1)"
	((early >= n - 256 && late >= 250)) || fail "evicted $early, closed later $late"
	awk '$1 == "closed" && $2 >= 20 && ($2 < 28 || $2 > 36) { bad = 1 } END { exit bad }' \
		"$W/idle.log" || fail "idle clients closed outside 28..36 s: $(grep closed "$W/idle.log" | tail -3)"
	note "ok: the idle clients were closed after the 30 s idle timeout"
	out=$(tbirdc h1 show status) || fail "birdc after the crowd: $out"
	assert_running h1
}
scenario ctl_idle_crowd

# (c) 10 clients send `configure` at once, and one more pipelines 5: every one gets
# "0003 Reconfigured", and the datastore is re-read at most 3 times (one re-read
# answers every request read before it began; the next waits 1 s).
ctl_configure_burst() {
	require_ternd
	local out re='control: configure: datastore re-read'
	netns_hosts 1
	cluster_file "$W/cluster.yaml" h1
	ternd_hosts "$W/cluster.yaml" h1
	expect 10 "h1's control socket answers" tbirdc h1 show status
	out=$(timeout 30 python3 "$(limits_py)" configure "$(ctl_sock h1)" 10 5 2>&1) ||
		fail "configure clients: $out"
	(($(grep -c '^ok 1$' <<<"$out") == 10)) || fail "configure clients: $out"
	grep -qx 'ok 5' <<<"$out" || fail "the pipelining client: $out"
	note "ok: 15 configure requests, each answered 0003 Reconfigured"
	(($(log_count h1 "$re") <= 3)) || fail "$(log_count h1 "$re") re-reads for 15 requests"
	note "ok: $(log_count h1 "$re") re-reads for 15 requests: $(grep -E "$re" "$(ternd_log h1)" | sed 's/.*re-read //' | tr '\n' ' ')"
	assert_running h1
}
scenario ctl_configure_burst
