#!/usr/bin/env bash
# Installs Debian's Chromium (and a font) for the browser tests when it is missing. Idempotent and
# quiet. Playwright drives Debian's headless shell (/usr/bin/chromium-headless-shell: the same
# Blink, without the full browser's compositor, a third of its CPU over the browser tests), else
# /usr/bin/chromium; it cannot download a browser of its own here.
set -euo pipefail
# chromium-l10n: without its language files every date input reads mm/dd/yyyy, whatever the locale
if [ -x /usr/bin/chromium-headless-shell ] && [ -e /usr/lib/chromium/locales/en-GB.pak ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ci-browser: no apt-get; install Chromium at /usr/bin/chromium yourself" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "ci-browser: installing chromium"
$SUDO apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium chromium-headless-shell chromium-l10n fonts-noto-core >/dev/null
