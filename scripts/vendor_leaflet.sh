#!/usr/bin/env bash
# Vendor Leaflet and Leaflet.draw from the npm registry into the extension's assets.
# Usage: scripts/vendor_leaflet.sh   (needs npm; commit the result)
set -euo pipefail

LEAFLET_VERSION=1.9.4
DRAW_VERSION=1.0.4
here="$(cd "$(dirname "$0")/.." && pwd)"
dest="$here/ckanext/dinamis_relay/assets/vendor/leaflet"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$work"
npm pack --silent "leaflet@$LEAFLET_VERSION" "leaflet-draw@$DRAW_VERSION" >/dev/null
mkdir leaflet draw
tar -xzf "leaflet-$LEAFLET_VERSION.tgz" -C leaflet --strip-components=1
tar -xzf "leaflet-draw-$DRAW_VERSION.tgz" -C draw --strip-components=1

rm -rf "$dest"
mkdir -p "$dest/images"
cp leaflet/dist/leaflet.js leaflet/dist/leaflet.css "$dest/"
cp leaflet/dist/images/*.png "$dest/images/"
cp leaflet/LICENSE "$dest/LICENSE-leaflet"
cp draw/dist/leaflet.draw.js draw/dist/leaflet.draw.css "$dest/"
cp draw/dist/images/*.png draw/dist/images/*.svg "$dest/images/" 2>/dev/null || true
# The npm package of Leaflet.draw ships no licence file; its package.json says MIT.
cat >"$dest/LICENSE-leaflet-draw" <<'LICENSE'
Leaflet.draw 1.0.4 — (c) 2012-2017, Jacob Toye, Jon West, Smartrak, Leaflet
https://github.com/Leaflet/Leaflet.draw

The MIT License

Permission is hereby granted, free of charge, to any person obtaining a copy of this software
and associated documentation files (the "Software"), to deal in the Software without
restriction, including without limitation the rights to use, copy, modify, merge, publish,
distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the
Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or
substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING
BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,
DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
LICENSE
cat >"$dest/VERSIONS" <<VERSIONS
leaflet $LEAFLET_VERSION (https://www.npmjs.com/package/leaflet, BSD-2-Clause)
leaflet-draw $DRAW_VERSION (https://www.npmjs.com/package/leaflet-draw, MIT)
VERSIONS
echo "Vendored into $dest:"
ls -R "$dest"
