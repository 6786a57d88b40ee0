#!/usr/bin/env bash
# Install the Debian packages a target needs, only those missing.
#   ops/system_packages.sh run   -> what `make run` needs (Redis, fonts)
#   ops/system_packages.sh test  -> plus PostgreSQL and Chromium for the browser tests
set -euo pipefail
want=(redis-server fonts-courier-prime fonts-noto-cjk)
if [ "${1:-run}" = "test" ]; then
  # pango: WeasyPrint, the baseline of bench/export.py
  want+=(postgresql chromium poppler-utils libpango-1.0-0 libpangoft2-1.0-0)
fi
# Debian's python3 makes virtual environments only with python3-venv (ensurepip).
python3 -c "import ensurepip" 2>/dev/null || want+=(python3-venv)
missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# A server already on the machine (not from a Debian package) counts as present.
if command -v redis-server >/dev/null 2>&1; then missing=("${missing[@]/redis-server}"); fi
if [ -x /usr/bin/chromium ]; then missing=("${missing[@]/chromium}"); fi
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${missing[*]}"
if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
