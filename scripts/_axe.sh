# Sourced by test.sh: axe-core for the accessibility tests (tests/browser), from the npm
# registry into var/npm (not committed; installed once, then reused). Without npm the axe
# tests skip and say why.
AXE_CORE_VERSION="4.14"
if [ -f var/npm/node_modules/axe-core/axe.min.js ] \
  && grep -q "\"version\": \"$AXE_CORE_VERSION\." var/npm/node_modules/axe-core/package.json; then
  :
elif command -v npm >/dev/null 2>&1; then
  npm install --prefix var/npm --no-audit --no-fund --no-save --silent "axe-core@~$AXE_CORE_VERSION.0"
else
  echo "npm not found: the axe-core accessibility tests will be skipped." >&2
fi
