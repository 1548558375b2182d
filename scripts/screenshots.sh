#!/usr/bin/env bash
# The README's pictures, made by the tools a reader would use, never by hand:
#   docs/workbook.png     the sample's D01 agency sheet as LibreOffice prints it (PDF -> pdftoppm)
#   docs/report-1366.png  the first screen of the sample's report in Chromium at 1366 x 900
#   docs/report-390.png   the same on a phone, 390 x 844
# Needs soffice, pdftoppm/pdftotext and chromium (scripts/install-system-deps.sh).
# Usage: scripts/screenshots.sh [OUTDIR]   (default: docs)
set -euo pipefail

cd "$(dirname "$0")/.."
out="${1:-docs}"
mkdir -p "$out"
cli=.venv/bin/readiness-xl
[ -x "$cli" ] || cli=readiness-xl
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$cli" sample "$work/sample_2560.xlsx" >/dev/null
"$cli" report "$work/sample_2560.xlsx" -o "$work/report.html" >/dev/null

# The workbook: LibreOffice prints every sheet; the page that starts with D01's name is
# the agency sheet with its yellow answer cells and its scores.
soffice --headless --norestore "-env:UserInstallation=file://$work/profile" \
    --convert-to pdf --outdir "$work" "$work/sample_2560.xlsx" >/dev/null 2>&1
pages=$(pdfinfo "$work/sample_2560.pdf" | awk '/^Pages:/ {print $2}')
page=1
for i in $(seq 1 "$pages"); do
    text=$(pdftotext -f "$i" -l "$i" "$work/sample_2560.pdf" -)
    if [[ "${text%%$'\n'*}" == *"Department of Industrial Promotion"* ]]; then
        page=$i
        break
    fi
done
pdftoppm -r 80 -png -singlefile -f "$page" -l "$page" "$work/sample_2560.pdf" "$out/workbook"

# The report: what a reader sees first on a laptop and on a phone.
shoot() {  # width height file
    "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
        --user-data-dir="$work/chromium" --window-size="$1,$2" --screenshot="$3" \
        "file://$work/report.html" >/dev/null 2>&1
}
shoot 1366 900 "$out/report-1366.png"
shoot 390 844 "$out/report-390.png"
echo "Pictures written to $out/: workbook.png (page $page of $pages), report-1366.png, report-390.png"
