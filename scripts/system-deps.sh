#!/usr/bin/env bash
# Debian packages the project needs beyond Python. Installed with apt when missing
# (as root, or with sudo); never a browser download.
#   chromium            — Playwright drives Debian's Chromium (/usr/bin/chromium) in the browser tests
#   fonts-liberation    — Liberation Serif (Times New Roman metrics) for the official forms
#   poppler-utils       — pdftotext / pdftoppm: tests read the PDFs back
#   libpango-1.0-0, libpangoft2-1.0-0 — WeasyPrint's text layout
set -euo pipefail
want=(chromium fonts-liberation poppler-utils libpango-1.0-0 libpangoft2-1.0-0)
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "== installing Debian packages: ${missing[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
