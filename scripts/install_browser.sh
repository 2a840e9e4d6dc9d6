#!/bin/sh
# Installs Debian's `chromium` and `chromium-driver` for the real-browser test
# (tests/test_browser_jupyterlab.py), when they are missing.
#
# - Quick when both are installed already: it checks and exits.
# - Non-interactive (apt-get -y, DEBIAN_FRONTEND=noninteractive).
# - Never fails the build: when apt-get is missing, when it cannot be run as root, or when the
#   install fails, it says why and exits 0; the browser test then skips with that reason.
#
# Environment: KERNELKIT_SKIP_BROWSER_INSTALL=1 skips the install altogether.

say() { echo "install_browser: $*"; }

have_browser() {
    command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1
}

if have_browser; then
    say "chromium and chromedriver are installed ($(command -v chromium))."
    exit 0
fi

if [ "${KERNELKIT_SKIP_BROWSER_INSTALL:-0}" = "1" ]; then
    say "KERNELKIT_SKIP_BROWSER_INSTALL=1: not installing chromium; the browser test will skip."
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    say "apt-get not found (not a Debian-like system): cannot install chromium; the browser test will skip."
    exit 0
fi

SUDO=""
if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
        SUDO="sudo -n"
    else
        say "not root and no password-less sudo: cannot install chromium; the browser test will skip."
        exit 0
    fi
fi

export DEBIAN_FRONTEND=noninteractive
APT_OPTS="-y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold"
start=$(date +%s)

# Skip `apt-get update` when the package lists already know chromium (a repeated run after a failed
# install, or a machine whose lists are fresh); update otherwise.
if ! apt-cache show chromium >/dev/null 2>&1 || ! apt-cache show chromium-driver >/dev/null 2>&1; then
    say "apt-get update"
    if ! $SUDO apt-get update -q >/tmp/kernelkit-apt-update.log 2>&1; then
        say "apt-get update failed (see /tmp/kernelkit-apt-update.log); the browser test will skip."
        tail -n 5 /tmp/kernelkit-apt-update.log
        exit 0
    fi
fi

say "apt-get install chromium chromium-driver"
# shellcheck disable=SC2086
if ! $SUDO apt-get install $APT_OPTS chromium chromium-driver >/tmp/kernelkit-apt-install.log 2>&1; then
    # The lists may be stale (a package version gone from the mirror): update once and retry.
    say "install failed; apt-get update and one more try"
    $SUDO apt-get update -q >/tmp/kernelkit-apt-update.log 2>&1
    # shellcheck disable=SC2086
    if ! $SUDO apt-get install $APT_OPTS chromium chromium-driver >/tmp/kernelkit-apt-install.log 2>&1; then
        say "apt-get install failed (see /tmp/kernelkit-apt-install.log); the browser test will skip."
        tail -n 5 /tmp/kernelkit-apt-install.log
        exit 0
    fi
fi

if have_browser; then
    say "installed $(chromium --version 2>/dev/null) in $(( $(date +%s) - start ))s."
else
    say "apt-get install ran but chromium or chromedriver is still missing; the browser test will skip."
fi
exit 0
