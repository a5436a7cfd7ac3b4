#!/usr/bin/env bash
# Chapter 8's full profile on both datasets, niced, in the background, with every
# network committed to the archive as it lands: a session may end at any moment,
# and the next one (on another machine) resumes from the archive.
#
#     nohup bash scripts/full_in_background.sh > _build/full-run.log 2>&1 &
#
# Networks already archived are not trained again (helpers.members). The long
# rung's networks (150 epochs each) save their state every epoch; every half
# hour the newest state is committed to training_state/ (replaced, not
# accumulated), and a rerun restores it first, so it resumes mid-network.
set -u
# `nice` alone does not yield to the standard build or the tests: with the kernel's
# autogroups (sched_autogroup_enabled), CPU time is shared between sessions
# first, whatever each process's nice. So this run takes a session of its own
# and gives that session the lowest priority.
if [ -z "${FULL_RUN_OWN_SESSION:-}" ] && command -v setsid > /dev/null; then
    FULL_RUN_OWN_SESSION=1 exec setsid bash "$0" "$@"
fi
echo 19 > /proc/self/autogroup 2> /dev/null || true
# Jupyter starts each kernel in a session, and so an autogroup, of its own, at
# the default priority: every few seconds, the processes this run niced (nice 19)
# get the lowest autogroup priority too
( while sleep 10; do
    for pid in $(ps -eo pid=,ni= | awk '$2 == 19 {print $1}'); do
        echo 19 > "/proc/$pid/autogroup" 2> /dev/null
    done
done ) &
renicer=$!
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"

archive_and_commit() {
    python3 scripts/book.py archive --profile full > /dev/null 2>&1 || true
    git add helpers/archive/full
    local files
    files=$(git diff --cached --name-only -- helpers/archive/full | wc -l)
    if [ "$files" -gt 0 ]; then
        git commit -q -m "Archive: chapter 8's full-profile run, $files new files (networks and metrics)" \
            -- helpers/archive/full || true  # another commit in progress: next round
        touch _build/full/.archived  # a network was stored: its state can go
    fi
}

# the unfinished networks' state: about 2.5 MB a network, so committed every half
# hour at most (git keeps each committed copy), and whenever a network is stored
state_and_commit() {
    python3 scripts/training_state.py save || return
    git add -A training_state
    if ! git diff --cached --quiet -- training_state; then
        git commit -q -m "Training state of the full profile's unfinished networks" \
            -- training_state || true
    fi
}

python3 scripts/training_state.py restore
( round=0; while sleep 300; do
    archive_and_commit
    round=$((round + 1))
    if [ $((round % 6)) -eq 0 ] || [ -e _build/full/.archived ]; then
        rm -f _build/full/.archived
        state_and_commit
    fi
done ) &
watcher=$!
trap 'kill $watcher $renicer 2>/dev/null' EXIT

nice -n 19 python3 scripts/book.py execute --profile full --chapter 08_clothes
mkdir -p _build/full/book
full=$(python3 -c 'import json; from helpers import profiles
print(json.dumps(profiles.parameters("full", "08_clothes", dataset="mnist")))')
nice -n 19 python3 -m papermill book/08_clothes.ipynb _build/full/book/08_clothes-mnist.ipynb \
    --cwd _build/full/book -y "$full" -p DATASET mnist -p RESULTS_DIR ../results
archive_and_commit
state_and_commit
