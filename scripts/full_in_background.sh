#!/usr/bin/env bash
# Chapter 8's full profile on both datasets, niced, in the background, with every
# network committed to the archive as it lands: a session may end at any moment,
# and the next one (on another machine) resumes from the archive.
#
#     nohup bash scripts/full_in_background.sh > _build/full-run.log 2>&1 &
#
# Networks already archived are not trained again (helpers.members).
set -u
# `nice` alone does not yield to the standard build or the tests: with the kernel's
# autogroups (sched_autogroup_enabled), CPU time is shared between sessions
# first, whatever each process's nice. So this run takes a session of its own
# and gives that session the lowest priority.
if [ -z "${FULL_RUN_OWN_SESSION:-}" ] && command -v setsid > /dev/null; then
    FULL_RUN_OWN_SESSION=1 exec setsid bash "$0" "$@"
fi
echo 19 > /proc/self/autogroup 2> /dev/null || true
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
    fi
}

( while sleep 300; do archive_and_commit; done ) &
watcher=$!
trap 'kill $watcher 2>/dev/null' EXIT

nice -n 19 python3 scripts/book.py execute --profile full --chapter 08_clothes
mkdir -p _build/full/book
full=$(python3 -c 'import json; from helpers import profiles
print(json.dumps(profiles.parameters("full", "08_clothes")))')
nice -n 19 python3 -m papermill book/08_clothes.ipynb _build/full/book/08_clothes-mnist.ipynb \
    --cwd _build/full/book -y "$full" -p DATASET mnist -p RESULTS_DIR ../results
archive_and_commit
