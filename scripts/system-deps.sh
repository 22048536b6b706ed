#!/usr/bin/env bash
# Debian packages the project needs beyond Python. Installed with apt when missing
# (as root, or with sudo); never a browser download.
#   chromium            — Playwright drives Debian's Chromium (/usr/bin/chromium) in the browser tests
#   poppler-utils       — pdftotext / pdftoppm / pdffonts: tests read the PDFs back
# (Liberation Serif 2.1, with full Vietnamese coverage, is bundled in motcua/documents/fonts.)
#   libpango-1.0-0, libpangoft2-1.0-0 — WeasyPrint's text layout
set -euo pipefail
want=(chromium poppler-utils libpango-1.0-0 libpangoft2-1.0-0)
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
