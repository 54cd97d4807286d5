# The spawn helper of @tessera/workflow's launcher in Python (standard library only, Python >= 3.8):
# a tiny, long-lived process that starts task processes for the launcher with posix_spawn, which glibc
# implements with a vfork-style clone: no copy of the helper's memory, so a start costs about what it
# costs a small C program. Preferred when `python3` is on the PATH; the Perl helper (spawn-helper.pl),
# the Node helper (spawn-helper.js) and spawner threads are the fallbacks. Same semantics and the same
# protocol as spawn-helper.pl:
#
# It first writes "R\n" (ready). Requests on stdin: a decimal byte count, "\n", then that many bytes
# of NUL-separated fields:
#   id, cwd, stdoutPath, stderrPath, n, argv[0..n-1], m, m "KEY=value" set in the environment held
#   from the previous request (empty at first), k, k names removed from it
# Reports on stdout, one line each:
#   "S <id> <pid>"            started (own session and process group, stdin from /dev/null,
#                             stdout/stderr truncated to the files, cwd, exactly that environment)
#   "X <id> <code> <signal>"  exited: code or signal number, the other "-"
#   "E <id> <errno>"          could not be started (errno of the chdir, open or exec that failed)
# It exits when its stdin closes; started processes run on.
import errno
import os
import select
import signal
import sys


def supported():
    """posix_spawn with setsid works here (Python >= 3.8 on a libc that has POSIX_SPAWN_SETSID)."""
    try:
        pid = os.posix_spawn("/bin/sh", ["sh", "-c", "exit 0"], {}, setsid=True)
        return os.waitpid(pid, 0)[1] == 0
    except (AttributeError, NotImplementedError, OSError, TypeError):
        return False


if sys.version_info < (3, 8) or not supported():
    sys.exit(3)  # before "R": the launcher falls back to the next helper

env = {}  # the environment of the last request (bytes: paths, arguments and values pass unchanged)
live = {}  # pid -> request id
out = []  # reports not yet written

# SIGCHLD wakes the select loop through a pipe
wake_r, wake_w = os.pipe()
os.set_blocking(wake_w, False)
signal.set_wakeup_fd(wake_w)
signal.signal(signal.SIGCHLD, lambda signum, frame: None)

# what the child gets: default dispositions for the signals Python ignores, no signal blocked
DEFAULT_SIGNALS = [s for s in (getattr(signal, n, None) for n in ("SIGPIPE", "SIGXFSZ")) if s is not None]
O_OUT = os.O_WRONLY | os.O_CREAT | os.O_TRUNC


found = {}  # (name, PATH) -> the executable found for it, while it is there


def search(name, cwd):
    """argv[0] found as execvp finds it, on the PATH of the task's environment."""
    denied = False
    for folder in env.get(b"PATH", b"/bin:/usr/bin").split(b":"):
        candidate = os.path.join(folder or cwd, name)
        if os.path.isfile(candidate):
            if os.access(candidate, os.X_OK):
                return candidate, folder.startswith(b"/")
            denied = True
    raise OSError(errno.EACCES if denied else errno.ENOENT, name)


def spawn(argv, cwd, file_actions, again=True):
    """posix_spawn of argv; a name without "/" is searched on the PATH (once, while it stays valid)."""
    name = argv[0]
    key = (name, env.get(b"PATH"))
    path = name if b"/" in name else found.get(key)
    cached = path is not None and b"/" not in name
    if path is None:
        path, absolute = search(name, cwd)
        if absolute:  # not found through a relative (working directory) entry
            found[key] = path
    try:
        return os.posix_spawn(
            path,
            argv,
            env,
            setsid=True,
            setsigdef=DEFAULT_SIGNALS,
            setsigmask=[],
            file_actions=file_actions,
        )
    except (FileNotFoundError, PermissionError):
        if not cached or not again:
            raise
        del found[key]  # it may have moved or changed since it was found: search again, once
        return spawn(argv, cwd, file_actions, again=False)


def start(fields):
    rid, cwd, stdout, stderr, n = fields[0], fields[1], fields[2], fields[3], int(fields[4])
    argv = fields[5 : 5 + n]
    rest = fields[5 + n :]
    m = int(rest[0])
    for kv in rest[1 : 1 + m]:
        key, _, value = kv.partition(b"=")
        env[key] = value
    k = int(rest[1 + m])
    for key in rest[2 + m : 2 + m + k]:
        env.pop(key, None)
    try:
        # the child inherits the working directory: posix_spawn has no portable chdir action
        os.chdir(cwd)
        pid = spawn(
            argv,
            cwd,
            [
                (os.POSIX_SPAWN_OPEN, 1, stdout, O_OUT, 0o666),
                (os.POSIX_SPAWN_OPEN, 2, stderr, O_OUT, 0o666),
                (os.POSIX_SPAWN_OPEN, 0, b"/dev/null", os.O_RDONLY, 0),
            ],
        )
    except OSError as e:
        out.append(b"E %s %d\n" % (rid, e.errno or errno.EIO))
        return
    live[pid] = rid
    out.append(b"S %s %d\n" % (rid, pid))


def reap():
    while live:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        rid = live.pop(pid, None)
        if rid is None:
            continue
        if os.WIFSIGNALED(status):
            out.append(b"X %s - %d\n" % (rid, os.WTERMSIG(status)))
        else:
            out.append(b"X %s %d -\n" % (rid, os.WEXITSTATUS(status)))


def flush():
    data = b"".join(out)
    out.clear()
    while data:
        try:
            written = os.write(1, data)
        except InterruptedError:
            continue
        except OSError:
            sys.exit(0)  # the launcher is gone
        data = data[written:]


def main():
    out.append(b"R\n")
    flush()
    buf = b""
    while True:
        readable, _, _ = select.select([0, wake_r], [], [])
        if wake_r in readable:
            os.read(wake_r, 4096)
        if 0 in readable:
            chunk = os.read(0, 65536)
            if not chunk:
                sys.exit(0)
            buf += chunk
            while True:
                nl = buf.find(b"\n")
                if nl < 0:
                    break
                end = nl + 1 + int(buf[:nl])
                if len(buf) < end:
                    break
                start(buf[nl + 1 : end].split(b"\0"))
                buf = buf[end:]
        reap()
        if out:
            flush()


main()
