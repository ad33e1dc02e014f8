#!/usr/bin/env bash
# Dependency audit for CI: the installed packages against the Python Packaging Advisory Database.
#
#   scripts/pip_audit.sh            (uses .venv/bin/pip-audit; PIP_AUDIT=... to use another)
#
# Exit 1 when a package has a known vulnerability. When the advisory service cannot be reached
# (an offline build machine), or answers for none of the packages, the audit did NOT happen:
# the script says so loudly and exits 0, so that the build does not fail for that reason alone.
# Set PIP_AUDIT_STRICT=1 to fail in that case too.
set -uo pipefail

cd "$(dirname "$0")/.."
PIP_AUDIT="${PIP_AUDIT:-.venv/bin/pip-audit}"
PYTHON="${PYTHON:-.venv/bin/python}"
STRICT="${PIP_AUDIT_STRICT:-0}"

if [ ! -x "$PIP_AUDIT" ]; then
    echo "pip_audit: $PIP_AUDIT not found; install it with: .venv/bin/pip install pip-audit" >&2
    exit 2
fi

out="$(mktemp)"
err="$(mktemp)"
trap 'rm -f "$out" "$err"' EXIT

# The project itself is installed in editable mode and is not on PyPI: skip it.
timeout 300 "$PIP_AUDIT" --format json --skip-editable --progress-spinner off \
    --vulnerability-service "${PIP_AUDIT_SERVICE:-pypi}" >"$out" 2>"$err"
status=$?

"$PYTHON" - "$out" "$err" "$status" "$STRICT" <<'EOF'
import json
import re
import sys

out_path, err_path, status, strict = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
err = open(err_path, encoding="utf-8", errors="replace").read()


def not_done(reason: str) -> None:
    print("=" * 78)
    print("NOTICE: the dependency audit was NOT performed.")
    print(f"        {reason}")
    print("        Run scripts/pip_audit.sh on a machine that can reach the advisory")
    print("        database before a release.")
    print("=" * 78)
    sys.exit(1 if strict else 0)


try:
    report = json.load(open(out_path, encoding="utf-8"))
except (OSError, ValueError):
    report = None

network = re.search(
    r"ConnectionError|Max retries|NameResolution|Temporary failure in name resolution|"
    r"timed out|Connection refused|Network is unreachable|ProxyError|SSLError",
    err,
)
if report is None:
    if network or status == 124:
        not_done("The vulnerability service could not be reached (network blocked or down).")
    print(err[-2000:], file=sys.stderr)
    print(f"pip_audit: pip-audit failed (exit {status})", file=sys.stderr)
    sys.exit(2)

deps = report.get("dependencies", [])
audited = [d for d in deps if "skip_reason" not in d]
skipped = [d for d in deps if "skip_reason" in d]
vulnerable = [d for d in audited if d.get("vulns")]

for d in vulnerable:
    for v in d["vulns"]:
        fixes = ", ".join(v.get("fix_versions") or []) or "no fixed version yet"
        print(f"VULNERABLE {d['name']} {d['version']}: {v.get('id')} (fixed in: {fixes})")
if vulnerable:
    print(f"pip_audit: {len(vulnerable)} vulnerable package(s) of {len(audited)} audited")
    sys.exit(1)
if not audited:
    not_done(
        f"The advisory service answered for none of the {len(deps)} packages "
        "(offline, or a package mirror without vulnerability data)."
    )
print(f"pip_audit: no known vulnerabilities in {len(audited)} audited package(s)")
if skipped:
    print(f"pip_audit: {len(skipped)} package(s) could not be audited:")
    for d in skipped:
        print(f"  {d['name']}: {d['skip_reason']}")
sys.exit(0)
EOF
