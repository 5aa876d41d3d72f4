#!/usr/bin/env bash
# Re-vendors the front-end packages from the npm registry into src/maklerwerk/static/vendor.
# The files are committed, so neither `make run` nor CI needs npm or a network at run time.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=src/maklerwerk/static/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pkgs=(
  "@tabler/core@1.4.0"
  "@tabler/icons-webfont@3.35.0"
  "htmx.org@2.0.11"
  "sortablejs@1.15.7"
  "tom-select@2.4.3"
  "flatpickr@4.6.13"
  "chart.js@4.5.1"
  "fullcalendar@6.1.20"
  "@fullcalendar/core@6.1.20"
)
(cd "$work" && for p in "${pkgs[@]}"; do npm pack -q "$p" >/dev/null; done && for t in *.tgz; do mkdir "${t%.tgz}" && tar -xzf "$t" -C "${t%.tgz}"; done)
rm -rf "$dest" && mkdir -p "$dest"/{tabler,tabler-icons/fonts,htmx,sortablejs,tom-select,flatpickr/l10n,chartjs,fullcalendar/locales}
cp "$work"/tabler-core-*/package/dist/css/tabler.min.css "$dest/tabler/"
cp "$work"/tabler-core-*/package/dist/js/tabler.min.js "$dest/tabler/"
node -e "const p=require(process.argv[1]);console.log(p.name+' '+p.version+' is licensed '+p.license+' ('+p.homepage+'); the npm package ships no LICENSE file.')" "$(ls -d "$work"/tabler-core-*/package)/package.json" > "$dest/tabler/LICENSE.txt"
cp "$work"/tabler-icons-webfont-*/package/dist/tabler-icons.min.css "$dest/tabler-icons/"
cp "$work"/tabler-icons-webfont-*/package/dist/fonts/tabler-icons.{woff2,woff,ttf} "$dest/tabler-icons/fonts/"
cp "$work"/tabler-icons-webfont-*/package/LICENSE "$dest/tabler-icons/"
cp "$work"/htmx.org-*/package/dist/htmx.min.js "$dest/htmx/"
cp "$work"/htmx.org-*/package/LICENSE "$dest/htmx/"
cp "$work"/sortablejs-*/package/Sortable.min.js "$dest/sortablejs/"
cp "$work"/sortablejs-*/package/LICENSE "$dest/sortablejs/"
cp "$work"/tom-select-*/package/dist/js/tom-select.complete.min.js "$dest/tom-select/"
cp "$work"/tom-select-*/package/dist/css/tom-select.bootstrap5.min.css "$dest/tom-select/"
cp "$work"/tom-select-*/package/LICENSE "$dest/tom-select/"
cp "$work"/flatpickr-*/package/dist/flatpickr.min.js "$work"/flatpickr-*/package/dist/flatpickr.min.css "$dest/flatpickr/"
cp "$work"/flatpickr-*/package/dist/l10n/de.js "$dest/flatpickr/l10n/"
cp "$work"/flatpickr-*/package/LICENSE.md "$dest/flatpickr/LICENSE.md"
cp "$work"/chart.js-*/package/dist/chart.umd.min.js "$dest/chartjs/" 2>/dev/null || cp "$work"/chart.js-*/package/dist/chart.umd.js "$dest/chartjs/chart.umd.min.js"
cp "$work"/chart.js-*/package/LICENSE.md "$dest/chartjs/"
cp "$work"/fullcalendar-6*/package/index.global.min.js "$dest/fullcalendar/"
cp "$work"/fullcalendar-6*/package/LICENSE.md "$dest/fullcalendar/"
cp "$work"/fullcalendar-core-*/package/locales/de.global.min.js "$dest/fullcalendar/locales/"
printf '%s\n' "Vendored from the npm registry by scripts/vendor_assets.sh; each folder keeps its package's LICENSE." "${pkgs[@]}" > "$dest/VERSIONS.txt"
echo "vendored into $dest"
# Source maps are not vendored; drop their references so collectstatic's manifest storage
# (which follows them) does not fail on production installs.
find "$dest" \( -name '*.js' -o -name '*.css' \) -exec sed -i -E '/^\/[\/*]# sourceMappingURL=.*$/d; s#/\*\# sourceMappingURL=[^*]*\*/##; s#//\# sourceMappingURL=\S+##' {} +
