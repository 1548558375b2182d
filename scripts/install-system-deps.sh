#!/usr/bin/env bash
# Installs the Debian packages the tests use (LibreOffice headless, a Thai font,
# poppler for PDF->PNG, Chromium for the HTML report, npm for axe-core), only when something is missing.
set -euo pipefail
need=()
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-calc-nogui)
fc-list 2>/dev/null | grep -qi "Loma\|Garuda\|Norasi\|Sarabun" || need+=(fonts-thai-tlwg)
# Calibri's metrics (Carlito): Excel column widths count Calibri digits; without it LibreOffice
# measures them in DejaVu Sans, a quarter wider, and prints sheets wider than Excel does.
fc-list 2>/dev/null | grep -qi "Carlito" || need+=(fonts-crosextra-carlito)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# npm fetches axe-core, the accessibility rules the report is checked against
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
echo "installing system packages: ${need[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
