#!/usr/bin/env bash
# Nothing the tests start may outlive them. Run by after.LockLab.sln.targets around `dotnet test LockLab.sln`:
#
#   check-leftovers.sh start STATE_FOLDER REPO     before the tests: notes when the run began and which temporary
#                                                  entries exist already
#   check-leftovers.sh check STATE_FOLDER REPO     after the tests: fails, naming each one, if anything the tests
#                                                  started or made during the run is still there
#
# A process counts when it carries the mark every process started by the tests inherits (LOCKLAB_TESTS_REPOSITORY
# naming this clone, set by the test assemblies at load) and began after the run did: a lab the user runs beside the
# tests, or another clone's test run, is left alone. A temporary entry counts when it was not there when the run
# began and its name starts with a prefix the tests and the benchmark use (every "locklab-NAME-" in their sources, so
# a new one is covered as soon as it is written), or is a Playwright browser profile, or a shared-memory segment
# (/dev/shm/locklab-*) — except the segments of a lab that is running beside the tests, unmarked.
# Linux only (/proc); elsewhere it checks nothing.
set -euo pipefail

mode=${1:?start or check}
state=${2:?state folder}
repo=$(realpath "${3:?repository folder}")
[ -d /proc/self ] || exit 0
# Never fail without saying why: MSBuild shows only lines in its error format.
trap 'echo "check-leftovers : error : the leftover check itself failed (line $LINENO)"' ERR

temp=${TMPDIR:-/tmp}
temp=${temp%/}
mark=LOCKLAB_TESTS_REPOSITORY
ticks_per_second=$(getconf CLK_TCK)

# The prefixes of the temporary folders and files that the tests and the benchmark (which a test runs) create.
mapfile -t prefixes < <(grep -rhoE --include='*.cs' --exclude-dir=bin --exclude-dir=obj '"locklab-[a-z][a-z0-9-]*-' \
  "$repo/tests" "$repo/bench" | tr -d '"' | sort -u)

# Temporary entries of the kinds the tests make (folders, scripts, shared-memory segments), one path a line.
temporary_entries() {
  local entry prefix
  for prefix in "${prefixes[@]}" playwright_chromiumdev_profile- playwright-artifacts-; do
    for entry in "$temp/$prefix"*; do
      [ -e "$entry" ] && printf '%s\n' "$entry"
    done
  done
  for entry in /dev/shm/locklab-*; do
    [ -e "$entry" ] && printf '%s\n' "$entry"
  done
  return 0
}

now_in_ticks() { awk -v hz="$ticks_per_second" '{ printf "%d\n", $1 * hz }' /proc/uptime; }

if [ "$mode" = start ]; then
  mkdir -p "$state"
  now_in_ticks > "$state/test-run-started"
  temporary_entries > "$state/temporary-before-tests"
  exit 0
fi

started=$(cat "$state/test-run-started")

# Whether process $1 carries this clone's mark.
is_marked() {
  local value
  value=$(tr '\0' '\n' < "/proc/$1/environ" 2>/dev/null | sed -n "s/^$mark=//p" | head -n 1)
  [ -n "$value" ] && [ "$(realpath -m "$value")" = "$repo" ]
}

# What each thread of process $1 is doing (name, state, kernel wait), and its parent: why it has not exited.
threads_of() {
  local task name state wchan
  printf 'parent %s; threads:' "$(awk '{ print $4 }' "/proc/$1/stat" 2>/dev/null)"
  for task in /proc/"$1"/task/*; do
    name=$(cat "$task/comm" 2>/dev/null) || continue
    state=$(sed 's/.*) //' "$task/stat" 2>/dev/null | cut -d' ' -f1)
    wchan=$(cat "$task/wchan" 2>/dev/null || true)
    printf ' %s=%s/%s' "$name" "$state" "${wchan:-?}"
  done
}

# Processes the tests started during this run that are still alive, as "pid: command line".
leftover_processes() {
  local dir pid stat fields
  for dir in /proc/[0-9]*; do
    pid=${dir#/proc/}
    [ "$pid" = $$ ] && continue
    read -r stat 2>/dev/null < "$dir/stat" || continue # it has just exited
    # Fields after the command name (which may hold spaces): state is the 1st, start time (in ticks since boot) the 20th.
    read -r -a fields <<< "${stat##*) }"
    [ "${fields[0]}" = Z ] && continue # exited, waiting for its parent to notice: nothing left running
    [ "${fields[19]}" -ge "$started" ] || continue
    grep -qa "$mark=" "$dir/environ" 2>/dev/null || continue
    is_marked "$pid" || continue
    printf '%s: %s; %s\n' "$pid" "$(tr '\0' ' ' < "$dir/cmdline" 2>/dev/null | cut -c1-300)" "$(threads_of "$pid")"
  done
  return 0
}

# Temporary entries made during this run that are still there.
leftover_entries() {
  local entry owner
  temporary_entries | { grep -vxF -f "$state/temporary-before-tests" || true; } | while read -r entry; do
    owner=$(basename "$entry" | sed -n 's/^locklab-\([0-9][0-9]*\)-.*/\1/p')
    if [[ $entry == /dev/shm/* && -n $owner && -d /proc/$owner ]] && ! is_marked "$owner"; then
      continue # a segment of a lab that is running beside the tests
    fi
    printf '%s\n' "$entry"
  done
  return 0
}

# What is in the middle of exiting when the tests end (a worker noticing its server is gone, a browser's helpers) is
# given a few seconds to finish.
deadline=$(( $(now_in_ticks) + 10 * ticks_per_second ))
while true; do
  processes=$(leftover_processes)
  entries=$(leftover_entries)
  if [ -z "$processes" ] && [ -z "$entries" ]; then
    exit 0
  fi
  [ "$(now_in_ticks)" -lt "$deadline" ] || break
  sleep 0.2
done

# MSBuild's canonical error format: each line fails the run and is shown as an error.
while read -r line; do
  [ -n "$line" ] && echo "check-leftovers : error : a process started by the tests is still running, pid $line"
done <<< "$processes"
while read -r line; do
  [ -n "$line" ] && echo "check-leftovers : error : a temporary file or folder of the tests was left behind: $line"
done <<< "$entries"
exit 1
