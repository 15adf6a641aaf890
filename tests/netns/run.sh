#!/bin/bash
# tests/netns/run.sh [-l] [NAME...]: the netns integration scenarios (STYLE 5.10).
#
#   tests/netns/run.sh               every scenario of every tests/netns/t_*.sh
#   tests/netns/run.sh bgp_mesh3     one scenario (several names, or a file: t_infra)
#   tests/netns/run.sh -l            list the scenarios
#
# Environment: TERND (default build/ternd), TT_SCENARIO_TIMEOUT (default 120 s).
# Each scenario runs in its own bash process, under timeout(1), with its own hosts;
# its namespaces and processes are checked to be gone afterwards. A failed
# scenario's logs are kept in tests/netns/out/NAME/. The last line is
# `N passed, N failed` (`, N skipped` when some were skipped). Exit status: 0 when
# nothing failed, 77 when everything was skipped (not root), 1 otherwise.
# shellcheck source-path=SCRIPTDIR
set -uo pipefail

TT_NETNS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$TT_NETNS_DIR/lib.sh"
# shellcheck source=bird.sh
. "$TT_NETNS_DIR/bird.sh"
# shellcheck source=frr.sh
. "$TT_NETNS_DIR/frr.sh"
# t_infra.sh first: when the harness itself is broken, that is the failure to read.
# shellcheck source=t_infra.sh
. "$TT_NETNS_DIR/t_infra.sh"
for f in "$TT_NETNS_DIR"/t_*.sh; do
	[[ $f == */t_infra.sh ]] && continue
	# shellcheck disable=SC1090 # the scenario files
	. "$f"
done

if [[ ${1:-} == --scenario ]]; then   # internal: one scenario, in this process
	_tt_run_one "$2"
fi

if [[ ${1:-} == -l ]]; then
	for name in "${TT_SCENARIOS[@]}"; do
		echo "$name (${TT_SCENARIO_FILE[$name]})"
	done
	exit 0
fi

# The selection: names, or t_*.sh stems meaning all of that file's scenarios.
selected=()
if (($# == 0)); then
	selected=("${TT_SCENARIOS[@]}")
else
	for arg in "$@"; do
		found=0
		for name in "${TT_SCENARIOS[@]}"; do
			if [[ $name == "$arg" || ${TT_SCENARIO_FILE[$name]} == "$arg" ||
				${TT_SCENARIO_FILE[$name]} == "t_$arg" ]]; then
				selected+=("$name")
				found=1
			fi
		done
		((found)) || die "no scenario or file named '$arg' (try -l)"
	done
fi

# Not root, or no netns: every scenario is skipped (exit 77).
(require_root) || {
	rc=$?
	echo "0 passed, 0 failed, ${#selected[@]} skipped"
	exit "$rc"
}

TT_RUN=$$
TT_RUNDIR=$(mktemp -d "${TMPDIR:-/tmp}/tern-netns-run.XXXXXX") || die "mktemp failed"
export TT_RUN TT_RUNDIR TERND
timeout_s=${TT_SCENARIO_TIMEOUT:-120}
passed=0 failed=0 skipped=0 interrupted=0 child=""
failed_names=()
trap 'interrupted=1; [[ -n $child ]] && kill -TERM "$child" 2>/dev/null' INT TERM

# leaks NAME: kill processes and delete namespaces the scenario left behind; print
# what was found and return 0 when there was anything.
leaks() {
	local name=$1 pid start ns found=1
	if [[ -f $TT_RUNDIR/$name.pids ]]; then
		while read -r pid start; do
			if [[ $(proc_start "$pid") == "$start" ]]; then
				echo "  LEAK: process $pid ($(cat "/proc/$pid/comm" 2>/dev/null)) still running; killing it"
				kill -KILL "$pid" 2>/dev/null
				found=0
			fi
		done <"$TT_RUNDIR/$name.pids"
	fi
	if [[ -f $TT_RUNDIR/$name.ns ]]; then
		while read -r ns; do
			if [[ -e /run/netns/$ns ]]; then
				echo "  LEAK: namespace $ns still exists; deleting it"
				for pid in $(ip netns pids "$ns" 2>/dev/null); do
					kill -KILL "$pid" 2>/dev/null
				done
				ip netns del "$ns" 2>/dev/null
				found=0
			fi
		done <"$TT_RUNDIR/$name.ns"
	fi
	return $found
}

idx=0
for name in "${selected[@]}"; do
	((interrupted)) && break
	idx=$((idx + 1))
	echo "=== $name (${TT_SCENARIO_FILE[$name]})"
	start=$(_tt_now_us)
	TT_IDX=$idx timeout -k 15 "$timeout_s" bash "$TT_NETNS_DIR/run.sh" --scenario "$name" &
	child=$!
	wait "$child"
	rc=$?
	while kill -0 "$child" 2>/dev/null; do   # wait was interrupted by a signal
		wait "$child"
		rc=$?
	done
	child=""
	secs=$((($(_tt_now_us) - start) / 100000))
	secs="$((secs / 10)).$((secs % 10))"
	((rc == 124)) && echo "  FAIL: scenario timed out after $timeout_s s"
	if leaks "$name"; then
		((rc == 0 || rc == 77)) && rc=1
	fi
	if ((interrupted)); then
		echo "--- $name: INTERRUPTED (${secs} s)"
		failed=$((failed + 1))
		failed_names+=("$name")
	elif ((rc == 0)); then
		echo "--- $name: PASS (${secs} s)"
		passed=$((passed + 1))
	elif ((rc == 77)); then
		echo "--- $name: SKIP (${secs} s)"
		skipped=$((skipped + 1))
	else
		echo "--- $name: FAIL (exit $rc, ${secs} s)"
		failed=$((failed + 1))
		failed_names+=("$name")
	fi
done
rm -rf "$TT_RUNDIR"

((failed)) && echo "failed: ${failed_names[*]}"
summary="$passed passed, $failed failed"
((skipped)) && summary+=", $skipped skipped"
echo "$summary"
((interrupted)) && exit 130
((failed)) && exit 1
((passed == 0 && skipped > 0)) && exit 77
exit 0
