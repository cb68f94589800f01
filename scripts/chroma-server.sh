#!/usr/bin/env bash
# Start a real Chroma server on loopback for tests and CI, wait until its heartbeat
# answers, and print its URL (the value for HRC_CHROMA_URL) on stdout.
#
# Idempotent: when a server already answers on the port, it just prints the URL.
#
#   scripts/chroma-server.sh                 # port $CHROMA_PORT or 8765, data in $CHROMA_PATH
#   scripts/chroma-server.sh --port 9001 --path /tmp/chroma-ci
#   scripts/chroma-server.sh --stop          # stop the server this script started on that port
#
#   export HRC_CHROMA_URL="$(scripts/chroma-server.sh)"
#
# Environment: CHROMA_PORT (8765), CHROMA_PATH (${TMPDIR:-/tmp}/hrc-chroma-<port>),
# CHROMA_BIN (the venv's `chroma`, else the one on PATH), CHROMA_WAIT (seconds, 60).
# The server listens on 127.0.0.1 only; its pid and log are kept beside the data.
set -euo pipefail

port="${CHROMA_PORT:-8765}"
path="${CHROMA_PATH:-}"
stop=0
while [ $# -gt 0 ]; do
    case "$1" in
        --port) port="$2"; shift 2 ;;
        --port=*) port="${1#*=}"; shift ;;
        --path) path="$2"; shift 2 ;;
        --path=*) path="${1#*=}"; shift ;;
        --stop) stop=1; shift ;;
        -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "chroma-server.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
case "$port" in
    ''|*[!0-9]*) echo "chroma-server.sh: --port must be a number, not '$port'" >&2; exit 2 ;;
esac
path="${path:-${TMPDIR:-/tmp}/hrc-chroma-$port}"
url="http://127.0.0.1:$port"
pidfile="$path/chroma.pid"
logfile="$path/chroma.log"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="${CHROMA_BIN:-}"
if [ -z "$bin" ]; then
    if [ -x "$here/../.venv/bin/chroma" ]; then bin="$here/../.venv/bin/chroma"; else bin="$(command -v chroma || true)"; fi
fi

heartbeat() {
    if command -v curl >/dev/null 2>&1; then
        curl --silent --fail --max-time 2 --noproxy '*' "$url/api/v2/heartbeat" >/dev/null 2>&1
    else
        python3 - "$url" <<'PY' >/dev/null 2>&1
import sys, urllib.request
urllib.request.urlopen(sys.argv[1] + "/api/v2/heartbeat", timeout=2).read()
PY
    fi
}

ours_running() {
    [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

if [ "$stop" = 1 ]; then
    if ours_running; then
        pid="$(cat "$pidfile")"
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
        echo "stopped the Chroma server $pid on port $port" >&2
    else
        echo "no Chroma server started by this script on port $port" >&2
    fi
    rm -f "$pidfile"
    exit 0
fi

if heartbeat; then
    echo "$url"
    exit 0
fi

if ! ours_running; then
    if [ -z "$bin" ] || [ ! -x "$bin" ]; then
        echo "chroma-server.sh: the chroma CLI was not found; pip install 'chromadb>=1.5' or set CHROMA_BIN" >&2
        exit 1
    fi
    mkdir -p "$path"
    nohup "$bin" run --path "$path" --host 127.0.0.1 --port "$port" >"$logfile" 2>&1 </dev/null &
    echo $! >"$pidfile"
fi

wait_seconds="${CHROMA_WAIT:-60}"
deadline=$(( $(date +%s) + wait_seconds ))
until heartbeat; do
    if ! ours_running; then
        echo "chroma-server.sh: the Chroma server exited; last lines of $logfile:" >&2
        tail -n 20 "$logfile" >&2 || true
        rm -f "$pidfile"
        exit 1
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
        echo "chroma-server.sh: no heartbeat from $url after ${wait_seconds}s; see $logfile" >&2
        exit 1
    fi
    sleep 0.2
done
echo "$url"
