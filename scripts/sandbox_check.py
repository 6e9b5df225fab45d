#!/usr/bin/env python3
"""Would systemd's sandbox in deploy/vertrouwd.service stop the server? Reads an `strace -f`
log of a server at work (scripts/tls-check.sh makes one) and checks that every system call it
and its children (msmtp) made passes the unit's SystemCallFilter lines, with the groups as this
machine's systemd defines them, and that no memory was mapped writable and executable at once
(MemoryDenyWriteExecute). Only what ran can be checked: a path the run did not take may still
make a call the filter refuses.
Usage: scripts/sandbox_check.py STRACE_LOG deploy/vertrouwd.service
"""
import re, subprocess, sys

groups, current = {}, None
for line in subprocess.run(["systemd-analyze", "syscall-filter"], capture_output=True, text=True, check=True).stdout.splitlines():
    if line.startswith("@"):
        current = groups.setdefault(line.strip(), set())
    elif line.strip() and not line.strip().startswith("#") and current is not None:
        current.add(line.strip())


def expand(names):
    out = set()
    for name in names:
        out |= expand(groups.get(name, ())) if name.startswith("@") else {name}
    return out


# As systemd reads them: the first list allows (with @default), each `~` list then takes away.
allowed = expand(["@default"])
for value in re.findall(r"^SystemCallFilter=(.*)$", open(sys.argv[2]).read(), re.M):
    allowed = allowed - expand(value[1:].split()) if value.startswith("~") else allowed | expand(value.split())

made, wx = {}, []
for line in open(sys.argv[1], errors="replace"):
    m = re.match(r"\d+\s+(?:<\.\.\. )?([a-z0-9_]+)[( ]", line)
    if m:
        made[m.group(1)] = made.get(m.group(1), 0) + 1
    if re.match(r"\d+\s+(mmap|mprotect|pkey_mprotect)\(", line) and "PROT_WRITE" in line and "PROT_EXEC" in line:
        wx.append(line.strip())
refused = sorted(set(made) - allowed)
if not made:
    print("FAIL the trace holds no system calls"); sys.exit(1)
print(f"ok   the unit's SystemCallFilter allows all {len(made)} system calls the server made ({sum(made.values())} calls)"
      if not refused else f"FAIL the unit's SystemCallFilter refuses: {', '.join(refused)}")
print("ok   no memory was mapped writable and executable (MemoryDenyWriteExecute)" if not wx else f"FAIL mapped writable and executable: {wx[:3]}")
sys.exit(1 if refused or wx else 0)
