#!/bin/sh
# Stops the workspace's agent gracefully (SIGTERM: the agent runs the stop scripts, then exits)
# and waits for it, so the stop build ends after the stop scripts did.
set -u
pidfile=$1/agent.pid
[ -f "$pidfile" ] || exit 0
pid=$(cat "$pidfile")
# A zombie (exited, not yet reaped by init) counts as stopped.
running() { [ -r "/proc/$pid/stat" ] && ! grep -q ') Z ' "/proc/$pid/stat"; }
if running; then
  kill -TERM "$pid"
  i=0
  while running && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
  if running; then
    echo "stop-agent: agent $pid still running after 60 s: SIGKILL" >&2
    kill -KILL "$pid"
  fi
fi
rm -f "$pidfile"
