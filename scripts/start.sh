#!/usr/bin/env bash
# Quick start: set up, index the bundled document, and open the chat UI — all offline.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh "openai,ollama"
.venv/bin/hrc-assistant index
exec .venv/bin/hrc-assistant serve "$@"
