#!/bin/sh
# Starts `coder agent` detached, as the workspace's machine would run it: only the agent's own
# variables survive (terraform's environment holds the owner's session token and other CODER_*
# values a workspace never sees); the token stays in the environment, never in argv.
set -eu
home=$WORKSPACE_DIR/home
mkdir -p "$home" "$WORKSPACE_DIR/logs"
for name in $(env | sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/\1/p'); do
  case $name in
    CODER_AGENT_TOKEN | CODER_AGENT_URL | CODER_BIN | WORKSPACE_DIR | CODEX_BOOT_CODER_RUN) ;;
    *) unset "$name" 2>/dev/null || true ;;
  esac
done
# The coder CLI on PATH, as in images that ship it (the module's MCP server runs `coder`).
PATH=${CODER_BIN%/*}:/usr/local/bin:/usr/bin:/bin
export HOME="$home" PATH LANG=C.UTF-8 CODER_AGENT_TOKEN CODER_AGENT_URL CODEX_BOOT_CODER_RUN
export CODER_AGENT_LOG_DIR="$WORKSPACE_DIR/logs" CODER_AGENT_SCRIPT_DATA_DIR="$WORKSPACE_DIR/script-data"
# Several agents share this host: no fixed debug/metrics ports, and a socket of its own (not the
# default /tmp/coder-agent.sock, which the first agent running would take). `coder exp mcp server`
# reports task status through it, so the report_tasks test also proves that the module forwards
# CODER_AGENT_SOCKET_PATH to the Coder MCP server (env_vars in config.toml).
export CODER_AGENT_PPROF_ADDRESS='' CODER_AGENT_PROMETHEUS_ADDRESS='' CODER_AGENT_DEBUG_ADDRESS=''
export CODER_AGENT_SOCKET_PATH="$WORKSPACE_DIR/agent.sock"
export CODER_AGENT_DEVCONTAINERS_ENABLE=false
export CODER_AGENT_BOUNDARY_LOG_PROXY_SOCKET_PATH="$WORKSPACE_DIR/boundary.sock"
mkdir -p "$CODER_AGENT_SCRIPT_DATA_DIR"
cd "$home"
setsid "$CODER_BIN" agent </dev/null >>"$WORKSPACE_DIR/logs/agent.out" 2>&1 &
echo $! >"$WORKSPACE_DIR/agent.pid"
