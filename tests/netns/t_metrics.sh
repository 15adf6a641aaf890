# shellcheck shell=bash
# tests/netns/t_metrics.sh: the Prometheus endpoint (issue 13, metrics.listen).
#
#   (a) metrics_prometheus: three hosts with ternd in a full mesh, each serving
#       metrics.listen on its own address; a real Prometheus (Debian's
#       `prometheus`, run inside h1's namespace with its own configuration and
#       storage under $W, listening on 198.18.0.1:9090, scraping every second)
#       scrapes the three. The test asks Prometheus's HTTP API until
#       sum(tern_bgp_session_up) is 6 (every node sees its two peers up) and
#       the FIB gauges say three installed routes per node; then the endpoint
#       itself: Content-Type, 404 elsewhere, 405 for POST.
#   (b) metrics_limits: h1 with metrics.max_clients 2: two idle connections are
#       held open, a third is closed by ternd at once and counted
#       (tern_metrics_clients_refused_total, a rate-limited log line); after
#       they go a scrape is served again; a flood of 300 refused connections
#       leaves ternd's open fds bounded.
#   (c) metrics_reload: SIGHUP turns the endpoint on, leaves it alone for the
#       same value, moves it to another port, keeps it when the new address
#       cannot be bound (logged), and turns it off.
# Every wait is bounded and waits for the event that proves it.

MET_PORT=9324
PROM_PORT=9090

# met_conf HOST CLUSTER [MAX_CLIENTS]: ternd_conf plus the metrics section.
met_conf() {
	local f
	f=$(ternd_conf "$1" "$2")
	cat >>"$f" <<EOF
metrics:
  listen: "$(host_ip "$1"):$MET_PORT"
  max_clients: ${3:-16}
EOF
	echo "$f"
}

# met_get HOST PATH [CURL ARGS...]: fetch http://HOST:9324PATH from h1.
met_get() {
	local h=$1 path=$2
	shift 2
	hexec h1 curl -sS --max-time 5 "$@" "http://$(host_ip "$h"):$MET_PORT$path"
}

# met_value HOST SERIES: the value of one series (the exact name{labels}).
met_value() {
	met_get "$1" /metrics | awk -v s="$2" '$1 == s { print $2 }'
}
met_value_is() { [[ $(met_value "$1" "$2") == "$3" ]]; }

# prom_start HOST TARGET...: Prometheus in HOST's namespace scraping TARGETs.
prom_start() {
	local h=$1 pid t list=""
	shift
	require_cmd prometheus
	for t in "$@"; do
		list+="${list:+, }'$t'"
	done
	mkdir -p "$W/prom"
	cat >"$W/prom/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: tern
    static_configs:
      - targets: [$list]
EOF
	# inside the namespace: nothing it binds or reaches is the root one's
	ip netns exec "$(host_ns "$h")" prometheus \
		--config.file="$W/prom/prometheus.yml" \
		--storage.tsdb.path="$W/prom/data" \
		--web.listen-address="$(host_ip "$h"):$PROM_PORT" \
		--web.console.templates="$W/prom/none" \
		--web.console.libraries="$W/prom/none" \
		--storage.tsdb.retention.time=1h \
		</dev/null >>"$W/prom/prometheus.log" 2>&1 &
	pid=$!
	_tt_record_pid "$pid"
	# shellcheck disable=SC2004 # _TT_WATCH is associative (lib.sh)
	_TT_WATCH[$pid]="prometheus on $h"
	PROM_URL="http://$(host_ip "$h"):$PROM_PORT"
	PROM_HOST=$h
	note "prometheus on $h: pid $pid, log $W/prom/prometheus.log"
	expect 60 "prometheus ready" hexec "$h" curl -sf --max-time 2 "$PROM_URL/-/ready"
}

# prom_query QUERY: the value of an instant query's single sample ("" when the
# result is empty).
prom_query() {
	hexec "$PROM_HOST" curl -sf --max-time 5 "$PROM_URL/api/v1/query" \
		--data-urlencode "query=$1" |
		python3 -c 'import json,sys
d = json.load(sys.stdin)
r = d["data"]["result"] if d.get("status") == "success" else []
print(r[0]["value"][1] if len(r) == 1 else "")'
}
prom_is() { [[ $(prom_query "$1") == "$2" ]]; }

# (a)
metrics_prometheus() {
	local h out hdr
	require_ternd
	require_cmd curl python3 prometheus
	netns_hosts 3
	cluster_file "$W/cluster.yaml" h1 h2 h3
	for h in h1 h2 h3; do
		start_ternd "$h" "$(met_conf "$h" "$W/cluster.yaml")"
	done
	for h in h1 h2 h3; do
		wait_log 10 "$h" "metrics: serving http://$(host_ip "$h"):$MET_PORT/metrics"
	done
	prom_start h1 "$(host_ip h1):$MET_PORT" "$(host_ip h2):$MET_PORT" \
		"$(host_ip h3):$MET_PORT"
	expect 60 "prometheus: the three targets up" prom_is 'sum(up{job="tern"})' 3
	expect 60 "prometheus: sum(tern_bgp_session_up) is 6" \
		prom_is 'sum(tern_bgp_session_up)' 6
	# two learned blocks and the own blackhole, on every node
	expect 60 "prometheus: three routes installed on every node" \
		prom_is 'min(tern_fib_routes{state="installed"})' 3
	expect 30 "prometheus: 3 build_info series" \
		prom_is 'count(tern_build_info)' 3
	prom_is 'sum(tern_datastore_connected{type="file"})' 3 ||
		fail "datastore_connected: $(prom_query 'sum(tern_datastore_connected)')"
	note "ok: Prometheus scrapes every node and sees the mesh up"

	# the endpoint itself
	hdr=$(met_get h1 /metrics -D - -o /dev/null) || fail "GET /metrics: $hdr"
	grep -qi '^Content-Type: text/plain; version=0.0.4; charset=utf-8' <<<"$hdr" ||
		fail "Content-Type: $hdr"
	out=$(met_get h1 /metrics)
	for h in h2 h3; do
		grep -qF "tern_bgp_session_up{name=\"$(mesh_name "$(host_ip "$h")")\",proto=\"BGP\",ip_version=\"4\",neighbor=\"$(host_ip "$h")\"} 1" <<<"$out" ||
			fail "no session_up series for $h in: $out"
	done
	grep -qE '^tern_process_resident_memory_bytes [1-9]' <<<"$out" || fail "no RSS: $out"
	grep -qE '^tern_process_open_fds [1-9]' <<<"$out" || fail "no open fds: $out"
	grep -qE '^tern_event_loop_lag_seconds [0-9.]+$' <<<"$out" || fail "no lag: $out"
	grep -qE '^tern_bgp_messages_received_total\{.*\} [1-9]' <<<"$out" ||
		fail "no messages counted: $out"
	grep -qE '^tern_bgp_updates_received_total\{.*\} [1-9]' <<<"$out" ||
		fail "no UPDATEs received counted: $out"
	grep -qE '^tern_bgp_updates_sent_total\{.*\} [1-9]' <<<"$out" ||
		fail "no UPDATEs sent counted: $out"
	[[ $(met_get h1 /other -o /dev/null -w '%{http_code}') == 404 ]] ||
		fail "/other is not 404"
	[[ $(met_get h1 /metrics -X POST -o /dev/null -w '%{http_code}') == 405 ]] ||
		fail "POST /metrics is not 405"
	note "ok: content type, series, 404 and 405"

	# a session drops: Prometheus sees it
	stop_ternd h3
	expect 60 "prometheus: sum(tern_bgp_session_up) is 2 without h3" \
		prom_is 'sum(tern_bgp_session_up{neighbor!="198.18.0.3"})' 2
	expect 60 "prometheus: no session to h3 up" \
		prom_is 'sum(tern_bgp_session_up{neighbor="198.18.0.3"})' 0
	expect 60 "prometheus: h1 and h2 each counted one drop of h3" \
		prom_is 'sum(tern_bgp_session_drops_total{neighbor="198.18.0.3"})' 2
	prom_is 'sum(tern_bgp_session_drops_total{neighbor!="198.18.0.3"})' 0 ||
		fail "drops counted on sessions that stayed up"
	assert_running h1 h2
}
scenario metrics_prometheus

# hold_conns HOST PORT N OUT: open N connections to HOST:PORT from h1, check
# that one more is closed by the server, write "refused" or "served" to OUT,
# then hold the N until OUT.done appears (at most 30 s).
hold_conns() {
	hexec h1 python3 - "$(host_ip "$1")" "$2" "$3" "$4" <<'EOF' &
import os, socket, sys, time
host, port, n, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
held = [socket.create_connection((host, port), timeout=5) for _ in range(n)]
time.sleep(0.3)   # let the server take them (accept order)
extra = socket.create_connection((host, port), timeout=5)
extra.settimeout(3)
try:
    data = extra.recv(1)
    verdict = "refused" if data == b"" else "served"
except socket.timeout:
    verdict = "served"
except ConnectionResetError:
    verdict = "refused"
with open(out + ".tmp", "w") as f:
    f.write(verdict + "\n")
os.rename(out + ".tmp", out)
deadline = time.time() + 30
while not os.path.exists(out + ".done") and time.time() < deadline:
    time.sleep(0.1)
EOF
	_tt_record_pid $!
}

# (b)
metrics_limits() {
	local r
	require_ternd
	require_cmd curl python3
	netns_hosts 2
	cluster_file "$W/cluster.yaml" h1 h2
	start_ternd h1 "$(met_conf h1 "$W/cluster.yaml" 2)"
	start_ternd h2 "$(ternd_conf h2 "$W/cluster.yaml")"
	wait_log 10 h1 "metrics: serving http://$(host_ip h1):$MET_PORT/metrics"
	expect 30 "h1 reports the session up" \
		met_value_is h1 "tern_bgp_session_up{name=\"$(mesh_name "$(host_ip h2)")\",proto=\"BGP\",ip_version=\"4\",neighbor=\"$(host_ip h2)\"}" 1
	met_value_is h1 tern_metrics_clients_refused_total 0 ||
		fail "refused before the test: $(met_value h1 tern_metrics_clients_refused_total)"
	hold_conns h1 "$MET_PORT" 2 "$W/hold"
	expect 15 "the third connection has its answer" test -s "$W/hold"
	r=$(<"$W/hold")
	[[ $r == refused ]] || fail "the connection over max_clients was $r"
	wait_log 5 h1 "metrics: client refused: 2 connected (metrics.max_clients)"
	touch "$W/hold.done"
	# the two held connections close: a scrape is served and shows the count
	expect 15 "refused connection counted" _met_refused_ge h1 1
	# a flood of refused connections is bounded (only max_clients + slots live)
	hexec h1 python3 - "$(host_ip h1)" "$MET_PORT" <<'EOF' || fail "flood client failed"
import socket, sys
host, port = sys.argv[1], int(sys.argv[2])
held = [socket.create_connection((host, port), timeout=5) for _ in range(2)]
for _ in range(300):
    try:
        s = socket.create_connection((host, port), timeout=5)
        s.close()
    except OSError:
        pass
EOF
	expect 15 "the flood is counted" _met_refused_ge h1 100
	expect 20 "served again once the clients left" \
		met_value_is h1 tern_metrics_clients 1
	assert_running h1 h2
	[[ $(met_value h1 tern_process_open_fds) -lt 64 ]] ||
		fail "open fds after the flood: $(met_value h1 tern_process_open_fds)"
	note "ok: max_clients holds, refusals counted and logged, fds bounded"
}
_met_refused_ge() { (($(met_value "$1" tern_metrics_clients_refused_total) >= $2)); }
scenario metrics_limits

# met_set HOST CLUSTER LISTEN: rewrite HOST's ternd.yaml with metrics.listen
# LISTEN (atomically) and send SIGHUP.
met_set() {
	local f
	f=$(ternd_conf "$1" "$2")
	cat >>"$f" <<EOF2
metrics:
  listen: "$3"
EOF2
	kill -HUP "$(ternd_pid "$1")"
}

# met_code HOST PORT: the HTTP status of GET /metrics on HOST:PORT, 000 when
# nothing answers.
met_code() {
	hexec h1 curl -s --max-time 3 -o /dev/null -w '%{http_code}' \
		"http://$(host_ip "$1"):$2/metrics"
}
met_code_is() { [[ $(met_code "$1" "$2") == "$3" ]]; }

# (c)
metrics_reload() {
	local a1 n
	require_ternd
	require_cmd curl python3
	netns_hosts 2
	a1=$(host_ip h1)
	cluster_file "$W/cluster.yaml" h1 h2
	start_ternd h1 "$(ternd_conf h1 "$W/cluster.yaml")"
	start_ternd h2 "$(ternd_conf h2 "$W/cluster.yaml")"
	wait_log 30 h1 "$(ternd_est_line h2)"
	met_code_is h1 "$MET_PORT" 000 || fail "an endpoint without metrics.listen"
	# on
	met_set h1 "$W/cluster.yaml" "$a1:$MET_PORT"
	wait_log 10 h1 "metrics: serving http://$a1:$MET_PORT/metrics"
	expect 10 "served after SIGHUP" met_code_is h1 "$MET_PORT" 200
	# the same value again: nothing happens
	n=$(log_count h1 "metrics: serving")
	met_set h1 "$W/cluster.yaml" "$a1:$MET_PORT"
	wait_log_count 10 h1 "reload: .* unchanged" 1
	(($(log_count h1 "metrics: serving") == n)) || fail "the same value re-bound"
	# moved
	met_set h1 "$W/cluster.yaml" "$a1:$((MET_PORT + 1))"
	wait_log 10 h1 "metrics: serving http://$a1:$((MET_PORT + 1))/metrics"
	expect 10 "the new port serves" met_code_is h1 $((MET_PORT + 1)) 200
	met_code_is h1 "$MET_PORT" 000 || fail "the old port still answers"
	# a bind failure: logged, the old endpoint stays
	hexec h1 python3 -c 'import socket, sys, time
s = socket.socket(); s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(1)
open(sys.argv[3], "w").close(); time.sleep(20)' "$a1" $((MET_PORT + 2)) "$W/busy" &
	_tt_record_pid $!
	expect 10 "port $((MET_PORT + 2)) taken" test -e "$W/busy"
	met_set h1 "$W/cluster.yaml" "$a1:$((MET_PORT + 2))"
	wait_log 10 h1 "metrics: cannot listen on $a1:$((MET_PORT + 2))"
	met_code_is h1 $((MET_PORT + 1)) 200 || fail "the old endpoint went with the bind failure"
	# the same file again: the running value stayed the old one, so the
	# bind is tried again (not "unchanged")
	met_set h1 "$W/cluster.yaml" "$a1:$((MET_PORT + 2))"
	wait_log_count 10 h1 "metrics: cannot listen on $a1:$((MET_PORT + 2))" 2
	# off
	met_set h1 "$W/cluster.yaml" ""
	wait_log 10 h1 "metrics: endpoint $a1:$((MET_PORT + 1)) closed"
	expect 10 "nothing answers once off" met_code_is h1 $((MET_PORT + 1)) 000
	assert_running h1 h2
}
scenario metrics_reload
