# shellcheck shell=bash
# tests/netns/t_ctl.sh: ternd's control socket (SPEC 5) from the outside: the stock
# `birdc` of Debian's bird2, calicoctl's parsing rules, ternctl, and hostile clients.
#
# ternd contract used here: the socket is `control.socket` of its config ($W/HOST.ctl
# via ternd_conf), it speaks BIRD's reply-code protocol with the BIRD 1.6 layouts
# (reference/birdc-protocol.md, calico-compat.md 4), and `down` stops ternd as
# SIGTERM does. ternctl is $TERNCTL (default: ternctl next to $TERND).
# A Python 3 helper (meson's own interpreter) plays the raw clients.

TERNCTL=${TERNCTL:-$(dirname "$TERND")/ternctl}

ctl_sock() { echo "$W/$1.ctl"; }

# tbirdc HOST ARGS...: the stock birdc against HOST's ternd (bounded: 10 s).
tbirdc() {
	local h=$1
	shift
	timeout 10 birdc -s "$(ctl_sock "$h")" "$@"
}

# tternctl HOST ARGS...: ternctl against HOST's ternd.
tternctl() {
	local h=$1
	shift
	timeout 10 "$TERNCTL" -s "$(ctl_sock "$h")" "$@"
}

require_ternctl() {
	[[ -x $TERNCTL ]] || fail "ternctl not built: $TERNCTL"
}

# ctl_py: write the raw-client helper and print its path.
#   calico SOCK            show protocols parsed with calicoctl's exact rules:
#                          "ADDR|TYPE|STATE|SINCE|INFO" per peer, exit 1 on error
#   raw SOCK LINE...       send the lines at once, print the raw reply lines
#   hostile SOCK DIR       1 MB line, random bytes, 200 clients at once, with two
#                          clients that never read held open until DIR/release
ctl_py() {
	local f="$W/ctl.py"
	[[ -f $f ]] && { echo "$f"; return 0; }
	cat >"$f" <<'EOF'
import os, re, socket, sys, time

def conn(path, timeout=10):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)                          # blocking: waits for the backlog
    s.settimeout(timeout)
    return s

def lines(s):
    buf = b""
    while True:
        while b"\n" in buf:
            l, buf = buf.split(b"\n", 1)
            yield l.decode("utf-8", "replace")
        d = s.recv(65536)
        if not d:
            return
        buf += d

FINAL = re.compile(r"^\d{4} ")

def reply(s, nfinal):
    out = []
    for l in lines(s):
        out.append(l)
        if FINAL.match(l):
            nfinal -= 1
            if nfinal == 0:
                break
    return out

# calicoctl node status: scanBIRDPeers + unmarshalBIRD (calico-compat.md 4)
PEER = re.compile(r"^(Global|Node|Mesh)_(.+)$")
TYPES = {"Global": "global", "Mesh": "node-to-node mesh", "Node": "node specific"}

def calico(path, sep="."):
    s = conn(path, 2)
    s.sendall(b"show protocols\n")          # at once, before the greeting
    peers = []
    for l in lines(s):
        if l.startswith("0000"):
            break
        elif l.startswith("0001"):
            pass
        elif l.startswith("2002"):
            if l[5:].split() != ["name", "proto", "table", "state", "since", "info"]:
                sys.exit("unknown BIRD table output format: " + l)
        elif l.startswith("1002"):
            row(l[5:], sep, peers)
        elif l.startswith(" "):
            row(l[1:], sep, peers)
        else:
            sys.exit("unexpected output line from BIRD: " + l)
    else:
        sys.exit("connection closed before 0000")
    for p in peers:
        print("|".join(p))

def row(line, sep, peers):
    c = line.split()
    if len(c) < 6 or c[1] != "BGP":
        return
    m = PEER.match(c[0])
    if not m:
        return
    info = c[5] + (" " + " ".join(c[6:]) if len(c) > 6 else "")
    peers.append((m.group(2).replace("_", sep), TYPES[m.group(1)], c[3], c[4], info))

def raw(path, cmds):
    s = conn(path)
    s.sendall(("".join(c + "\n" for c in cmds)).encode())
    n = 1 + sum(1 for c in cmds if c.split()[:1] not in (["quit"], ["exit"], ["help"]))
    for l in reply(s, n):
        print(l)

def hostile(path, d):
    stuck = []
    for cmd in (b"show route all\n", b"show route\nshow route\n"):
        s = conn(path)
        s.sendall(cmd)                       # and never read
        stuck.append(s)
    time.sleep(0.5)
    s = conn(path)                           # a 1 MB line, then a real command
    s.sendall(b"a" * (1 << 20))
    s.sendall(b"\nshow status\n")
    r = reply(s, 3)
    assert r[1] == "9000 Command too long", r
    assert r[-1] == "0013 Daemon is up and running", r
    print("1 MB line: 9000, then served")
    s.close()
    for i in range(5):                       # random bytes, then hang up
        s = conn(path)
        s.sendall(os.urandom(65536))
        s.close()
    print("random bytes: 5 x 64 KiB sent")
    many = [conn(path) for _ in range(200)]  # 200 clients at once
    for s in many:
        s.sendall(b"show protocols\n")
    for s in many:
        r = reply(s, 2)
        assert r[1].startswith("2002-name     proto"), r
        assert r[-1] == "0000 ", r
        s.close()
    print("200 clients: all answered")
    open(os.path.join(d, "ready"), "w").close()
    for _ in range(600):                     # hold the stuck ones open
        if os.path.exists(os.path.join(d, "release")):
            break
        time.sleep(0.1)
    for s in stuck:
        s.close()

if __name__ == "__main__":
    what, path = sys.argv[1], sys.argv[2]
    if what == "calico":
        calico(path)
    elif what == "raw":
        raw(path, sys.argv[3:])
    else:
        hostile(path, sys.argv[3])
EOF
	echo "$f"
}

# calico_peers HOST: HOST's peers as calicoctl would read them.
calico_peers() { timeout 10 python3 "$(ctl_py)" calico "$(ctl_sock "$1")"; }
ctl_raw() {
	local h=$1
	shift
	timeout 10 python3 "$(ctl_py)" raw "$(ctl_sock "$h")" "$@"
}

# expect_out DESC ERE TEXT: TEXT has a line matching ERE, or fail.
expect_out() {
	grep -qE -- "$2" <<<"$3" || fail "$1: no line matches /$2/ in:
$3"
	note "ok: $1"
}

# birdc_rc HOST WANT DESC ARGS...: run birdc against HOST's ternd, check its exit
# status (birdc: 1 when the last reply code is 8000 or more), print its output.
birdc_rc() {
	local h=$1 want=$2 desc=$3 out rc
	shift 3
	out=$(tbirdc "$h" "$@" 2>&1)
	rc=$?
	((rc == want)) || fail "birdc $* ($desc): exit $rc, want $want:
$out"
	echo "$out"
}

# ctl_mesh: ternd on h2 and h3; h1 (198.18.0.1) is in the cluster but runs nothing,
# so h2 and h3 connect to it and are refused; h4 is in the cluster with an address
# greater than h2's, so h2 waits for it passively (Calico's rule).
ctl_mesh() {
	netns_hosts 3
	cluster_file "$W/cluster.yaml" h1 h2 h3 h4
	ternd_hosts "$W/cluster.yaml" h2 h3
	wait_log 30 h2 "$(ternd_est_line h3)"
	wait_log 30 h2 "$(ternd_route_add_line h3)"
	wait_log 30 h2 "Mesh_198_18_0_1): connect: Connection refused"
}

# (a) the stock birdc: every command, and its exit status.
ctl_birdc() {
	require_ternd
	require_cmd birdc
	local out
	ctl_mesh
	out=$(birdc_rc h2 0 "show status" show status)
	expect_out "birdc show status: greeting" '^BIRD v[0-9.]+\+tern ready\.$' "$out"
	expect_out "birdc show status: router id" '^Router ID is 198\.18\.0\.2$' "$out"
	expect_out "birdc show status: up" '^Daemon is up and running$' "$out"
	out=$(birdc_rc h2 0 "show protocols" show protocols)
	expect_out "birdc show protocols: 1.6 header" \
		'^name     proto    table    state  since       info$' "$out"
	expect_out "birdc show protocols: h3 up" \
		'^Mesh_198_18_0_3 BGP      master   up     [0-9]{2}:[0-9]{2}:[0-9]{2}    Established   $' "$out"
	expect_out "birdc show protocols: h1 refuses" \
		'^Mesh_198_18_0_1 BGP      master   start  [0-9:]{8}    (Active |Connect)       Socket: Connection refused$' "$out"
	expect_out "birdc show protocols: h4 passive" \
		'^Mesh_198_18_0_4 BGP      master   start  [0-9:]{8}    Passive       $' "$out"
	out=$(birdc_rc h2 0 "show protocols all" show protocols all Mesh_198_18_0_3)
	expect_out "show protocols all: BGP state" '^  BGP state:          Established$' "$out"
	expect_out "show protocols all: neighbor" '^    Neighbor address: 198\.18\.0\.3$' "$out"
	expect_out "show protocols all: AS" '^    Neighbor AS:      64512$' "$out"
	expect_out "show protocols all: id" '^    Neighbor ID:      198\.18\.0\.3$' "$out"
	expect_out "show protocols all: routes" \
		'^  Routes:         1 imported, [0-9]+ exported, 1 preferred$' "$out"
	out=$(birdc_rc h2 0 "pattern" show protocols '"Mesh_198_18_0_?"')
	(($(grep -c '^Mesh_' <<<"$out") == 3)) || fail "pattern: want 3 rows:
$out"
	note "ok: birdc show protocols \"Mesh_198_18_0_?\": 3 rows"
	birdc_rc h2 1 "no match" show protocols '"zz*"' | grep -qx 'No protocols match' ||
		fail "pattern without a match: no 8003"
	birdc_rc h2 1 "unknown protocol" show protocols nonexist |
		grep -qx 'syntax error, unexpected CF_SYM_UNDEFINED, expecting END or CF_SYM_KNOWN or TEXT or ALL' ||
		fail "show protocols nonexist: not BIRD's 9001"
	note "ok: 8003 and 9001 as BIRD words them, exit 1"
	ctl_birdc_routes
	ctl_birdc_restrict
	assert_running h2 h3
}
scenario ctl_birdc

ctl_birdc_routes() {
	local out
	out=$(birdc_rc h2 0 "show route" show route)
	expect_out "birdc show route: learned, 1.6 form" \
		'^10\.244\.3\.0/26      via 198\.18\.0\.3 on eth0 \[Mesh_198_18_0_3 [0-9:]{8}\] \* \(100/0\) \[i\]$' "$out"
	expect_out "birdc show route: own block" \
		'^10\.244\.2\.0/26      blackhole \[static1 [0-9:]{8}\] \* \(200\)$' "$out"
	out=$(birdc_rc h2 0 "show route all" show route all)
	expect_out "show route all: type" $'^\tType: BGP unicast univ$' "$out"
	expect_out "show route all: next hop" $'^\tBGP.next_hop: 198\\.18\\.0\\.3$' "$out"
	out=$(birdc_rc h2 0 "count" show route count)
	expect_out "birdc show route count" '^2 of 2 routes for 2 networks$' "$out"
	out=$(birdc_rc h2 0 "for" show route for 10.244.3.7)
	expect_out "birdc show route for ADDR" '^10\.244\.3\.0/26 ' "$out"
	out=$(birdc_rc h2 1 "missing" show route 10.99.0.0/24)
	expect_out "birdc show route PREFIX (missing): 8001" '^Network not found$' "$out"
}

ctl_birdc_restrict() {
	local out
	out=$(birdc_rc h2 0 "configure" configure)
	expect_out "birdc configure" "^Reading configuration from $W/cluster.yaml\$" "$out"
	expect_out "birdc configure: done" '^Reconfigured$' "$out"
	out=$(birdc_rc h2 1 "restricted configure" -r configure)
	expect_out "birdc -r configure" '^Access denied$' "$out"
	birdc_rc h2 0 "restricted show" -r show status >/dev/null
	note "ok: birdc -r show status still works"
	out=$(ctl_raw h2 "restrict" "configure" "down" "show status")
	expect_out "raw: restrict" '^0016 Access restricted$' "$out"
	(($(grep -c '^8007 Access denied$' <<<"$out") == 2)) ||
		fail "restrict: configure and down not both denied:
$out"
	expect_out "raw: status after restrict" '^0013 Daemon is up and running$' "$out"
}

# (b) calicoctl's parser over `show protocols`, ternctl status (table and JSON),
# then `birdc down` stops ternd and ternctl reports it gone.
ctl_status() {
	require_ternd
	require_ternctl
	require_cmd birdc
	local out pid
	ctl_mesh
	out=$(calico_peers h2) || fail "calicoctl's rules reject the output: $out"
	note "calicoctl would show: $(tr '\n' ';' <<<"$out")"
	expect_out "calicoctl rules: h3 up" \
		'^198\.18\.0\.3\|node-to-node mesh\|up\|[0-9]{2}:[0-9]{2}:[0-9]{2}\|Established$' "$out"
	expect_out "calicoctl rules: h1 down" \
		'^198\.18\.0\.1\|node-to-node mesh\|start\|[0-9:]{8}\|(Active|Connect) Socket: Connection refused$' "$out"
	expect_out "calicoctl rules: h4 passive" \
		'^198\.18\.0\.4\|node-to-node mesh\|start\|[0-9:]{8}\|Passive$' "$out"
	(($(wc -l <<<"$out") == 3)) || fail "calicoctl rules: want 3 peers"
	# h1 and h4 are not Established: exit 2 (SPEC 5, ternctl(8))
	local rc
	out=$(tternctl h2 status)
	rc=$?
	((rc == 2)) || fail "ternctl status exited $rc with sessions down, want 2: $out"
	note "ternctl status (exit 2):"$'\n'"$out"
	expect_out "ternctl: running" '^ternd is running\.$' "$out"
	expect_out "ternctl: header" \
		'^\| PEER ADDRESS \|     PEER TYPE     \| STATE \|  SINCE   \| +INFO +\|$' "$out"
	expect_out "ternctl: h3" '^\| 198\.18\.0\.3   \| node-to-node mesh \| up    \| [0-9:]{8} \| Established +\|$' "$out"
	expect_out "ternctl: h1" '^\| 198\.18\.0\.1   \| node-to-node mesh \| start \| [0-9:]{8} \| (Active|Connect) Socket: Connection refused \|$' "$out"
	expect_out "ternctl: no IPv6" '^No IPv6 peers found\.$' "$out"
	out=$(tternctl h2 status -o json)
	rc=$?
	((rc == 2)) || fail "ternctl status -o json exited $rc, want 2: $out"
	python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["running"]; assert len(d["ipv4"]) == 3 and d["ipv6"] == []; assert {p["peer_address"]: p["info"] for p in d["ipv4"]}["198.18.0.3"] == "Established"' \
		<<<"$out" || fail "ternctl status -o json: $out"
	note "ok: ternctl status -o json"
	out=$(tternctl h2 show route count) || fail "ternctl show route count"
	[[ $out == "2 of 2 routes for 2 networks" ]] || fail "ternctl show route count: $out"
	tternctl h2 show route 10.99.0.0/24 >/dev/null && fail "ternctl: 8001 exited 0"
	note "ok: ternctl COMMAND prints like birdc, exit 1 on 8xxx"
	ctl_down h2
}
scenario ctl_status

# ctl_down HOST: `birdc down` stops ternd (exit 0, socket gone); ternctl then exits 1.
ctl_down() {
	local h=$1 pid out rc i
	pid=$(ternd_pid "$h")
	unwatch "$h"
	out=$(birdc_rc "$h" 0 "down" down)
	expect_out "birdc down" '^Shutdown requested$' "$out"
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && fail "ternd on $h still runs 10 s after down"
	wait "$pid"
	rc=$?
	((rc == 0)) || fail "ternd on $h exited $rc after down"
	log_has "$h" "shutting down for good" || fail "down was not a stop for good"
	[[ -e $(ctl_sock "$h") ]] && fail "the control socket is still there"
	note "ok: down: ternd exited 0 and removed its socket"
	out=$(tternctl "$h" status 2>&1)
	rc=$?
	((rc == 1)) || fail "ternctl status without ternd: exit $rc"
	expect_out "ternctl without ternd" 'ternd is not reachable at ' "$out"
}

# bulk_prefixes N: N /32s in the pool, outside every block.
bulk_prefixes() {
	local i
	for ((i = 0; i < $1; i++)); do
		echo "  route 10.244.$((128 + i / 256)).$((i % 256))/32 blackhole;"
	done
}

# (c) hostile clients while show route is long (BIRD on h3 announces 20,000
# prefixes): two clients that never read, a 1 MB line, random bytes and 200
# clients at once. ternd answers the others, its session stays up, and a block
# added meanwhile is installed.
ctl_hostile() {
	require_ternd
	require_cmd bird birdc
	local conf n=20000 hp out t0 t1
	netns_hosts 3
	cluster_file "$W/cluster.yaml" h1 h2 h3
	ternd_hosts "$W/cluster.yaml" h1 h2
	conf=$(bird_conf h3 h1)
	{
		sed '/^filter calico_export_to_bgp_peers {/,$d' "$conf"
		echo "protocol static bulk {"
		echo "  ipv4;"
		bulk_prefixes "$n"
		echo "}"
		sed -n '/^filter calico_export_to_bgp_peers {/,$p' "$conf"
	} >"$conf.bulk"
	mv "$conf.bulk" "$conf"
	start_bird h3 "$conf"
	wait_log 30 h1 "$(ternd_est_line h2)"
	expect 60 "h1 has h3's $n prefixes" ctl_count_ge h1 $((n + 3))
	mkdir -p "$W/hostile"
	timeout 90 python3 "$(ctl_py)" hostile "$(ctl_sock h1)" "$W/hostile" >"$W/hostile.log" 2>&1 &
	hp=$!
	expect 60 "the hostile clients are done" test -e "$W/hostile/ready"
	note "$(tr '\n' ';' <"$W/hostile.log")"
	t0=$(_tt_now_us)
	out=$(birdc_rc h1 0 "status under attack" show status)
	t1=$(_tt_now_us)
	(((t1 - t0) < 2000000)) || fail "show status took $(((t1 - t0) / 1000)) ms"
	expect_out "status while two clients never read" '^Daemon is up and running$' "$out"
	ctl_hostile_route
	out=$(tbirdc h1 show route) || fail "a full show route failed"
	(($(grep -c ' via 198\.18\.0\.3 on eth0 ' <<<"$out") == n + 1)) ||
		fail "show route: $(grep -c ' via 198\.18\.0\.3 ' <<<"$out") routes via h3"
	note "ok: a full show route ($(wc -l <<<"$out") lines) next to the stuck clients"
	touch "$W/hostile/release"
	wait "$hp" || fail "hostile clients: $(cat "$W/hostile.log")"
	assert_no_log_re h1 'Mesh_198_18_0_2\): state Established -> '
	assert_running h1 h2
}
scenario ctl_hostile

# ctl_count_ge HOST N: show route count says at least N routes.
ctl_count_ge() {
	local out
	out=$(tbirdc "$1" show route count 2>/dev/null | grep -E '^[0-9]+ of ') || return 1
	((${out%% *} >= $2))
}

# ctl_hostile_route: h2 gets a second block while the clients are connected.
ctl_hostile_route() {
	sed -i 's|blocks: \[10\.244\.2\.0/26\]|blocks: [10.244.2.0/26, 10.244.22.0/26]|' "$W/cluster.yaml"
	wait_route 30 h1 '^10\.244\.22\.0/26 (nhid [0-9]+ )?via 198\.18\.0\.2 dev eth0 proto bird'
}

# (d) show status during graceful restart recovery: h1 and h2 are killed, h1
# restarts alone and finds its routes in the FIB, so until h2's End-of-RIB (or the
# restart time) it shows BIRD's 0024 block, which calico-node's readiness check reads
# as "graceful restart in progress"; once h2 is back it is gone.
ctl_gr() {
	require_ternd
	require_cmd birdc
	local out
	netns_hosts 2
	cluster_file "$W/cluster.yaml" h1 h2
	ternd_hosts "$W/cluster.yaml" h1 h2
	wait_route 30 h1 '^10\.244\.2\.0/26 '
	wait_log 30 h1 "first full sync done"
	stop_ternd h1 KILL
	stop_ternd h2 KILL
	start_ternd h1 "$W/h1.yaml"
	expect 10 "h1's control socket answers" tbirdc h1 show status
	out=$(birdc_rc h1 0 "status while recovering" show status)
	expect_out "0024 while recovering" '^Graceful restart recovery in progress$' "$out"
	expect_out "0024: h2 awaited" '^  Waiting for 1 protocols to recover$' "$out"
	expect_out "0024: wait timer" '^  Wait timer is [0-9]+/120$' "$out"
	out=$(ctl_raw h1 "show status")
	expect_out "raw: the 0024 code" '^0024-Graceful restart recovery in progress$' "$out"
	expect_out "raw: still up and running" '^0013 Daemon is up and running$' "$out"
	start_ternd h2 "$W/h2.yaml"
	wait_log_count 30 h1 'first full sync done' 2
	out=$(birdc_rc h1 0 "status after recovery" show status)
	grep -q 'Graceful restart' <<<"$out" && fail "0024 after the first full sync:
$out"
	note "ok: no 0024 once recovered"
	assert_running h1 h2
}
scenario ctl_gr
