"""The sandbox a grading kernel runs in: each submission's kernel sees only its own files.

``bootcamp grade`` starts every kernel through this module (``python -m
bootcamp.grading.sandbox SPEC -- KERNEL-COMMAND``). The launcher applies the limits, puts the
kernel into its own control groups where the machine allows it, and then runs the kernel under
`bubblewrap <https://github.com/containers/bubblewrap>`_ (Debian package ``bubblewrap``):

- filesystem: an empty root with, read-only, the system's ``/usr`` (and the ``/lib*``, ``/bin``
  links), a few files of ``/etc``, the Python environment (the virtual environment and the
  interpreter it was made from), the course package's source and the generated datasets; the
  kernel's working folder is a small private tmpfs holding a read-only copy of that submission's
  own files; ``/tmp`` is a small tmpfs; the trusted steps' inbox (read-only) and outbox
  (writable). Not visible: the course folder (gradebook, ``source/``, ``release/``, other
  students' ``submitted/`` and ``autograded/``), the chapters (``exercises.yml``, reference
  notebooks), other submissions' scratch folders, the rest of the home and repository;
- namespaces: its own PID namespace (the kernel's children die with it: nothing outlives the
  notebook), no network (only its own loopback), its own IPC and host name;
- user: when grading runs as root the kernel runs as an unused user id of its own (200000 and
  up: no name, no home, no groups) with no capabilities and ``no_new_privs``; otherwise as the
  grader's user inside a user namespace, with no capabilities;
- limits: processes, CPU seconds, size of any written file, address space per process, and,
  where control groups can be created (root on Linux), memory and processes for the whole
  submission together.

The kernel talks to the grading worker over Unix sockets (ZeroMQ ``ipc`` transport) in a private
runtime folder, since it has no network.

Fallbacks, chosen by :func:`detect`: without bubblewrap, ``unshare`` (util-linux) gives the same
namespaces, user and limits, and hides the course and chapter folders under empty tmpfs mounts,
but the rest of the filesystem stays visible read-only as far as file permissions allow. Where
neither exists (macOS, Windows) kernels run unsandboxed, with a loud warning: a submission can then
read the solutions, write the gradebook and other submissions, use the network and leave
processes running; grade only submissions you trust there, or on a Linux machine.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

#: In-sandbox paths of the kernel's working folder and of the trusted steps' boxes.
WORK = "/home/learner"
INBOX = "/run/bootcamp/inbox"
OUTBOX = "/run/bootcamp/outbox"
NOBODY = 65534
#: When grading runs as root, each submission's kernel gets its own unused user id from this
#: range (no name, no files, no groups), so one submission's processes never count against
#: another's process limit (RLIMIT_NPROC counts per user).
UID_BASE = 200_000
_SEQUENCE = iter(range(10**9))
CGROUP_PARENT = "bootcamp-grade"


@dataclass(frozen=True)
class Limits:
    memory_mb: int = 4096  # address space per process, and memory of the whole submission
    processes: int = 64  # processes and threads of the submission
    cpu_seconds: int = 900  # CPU time per process
    file_mb: int = 256  # size of any one file written
    tmp_mb: int = 512  # the working folder and /tmp (tmpfs, in memory)
    outbox_mb: int = 64  # what the kernel may hand back to the trusted steps


@dataclass(frozen=True)
class Spec:
    """Everything the launcher needs; sent as JSON on its command line."""

    kind: str  # "bwrap", "unshare" or "none"
    work: str  # host folder holding the private copy of the submission
    runtime: str  # host folder for the connection file and the kernel's sockets (read-write)
    inbox: str
    outbox: str
    readonly: list[str] = field(default_factory=list)  # host paths bound read-only, same place
    hide: list[str] = field(default_factory=list)  # hidden under tmpfs (unshare fallback)
    env: dict = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)
    cgroup: str = ""  # name of this submission's control group ("" for none)
    uid: int = NOBODY  # the kernel's user id when grading runs as root


# --------------------------------------------------------------------------- detection

_DETECTED: str | None = None


def _probe(cmd: list[str]) -> bool:
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def detect() -> str:
    """ "bwrap", "unshare" or "none": the strongest sandbox that works on this machine."""
    global _DETECTED
    if _DETECTED is None:
        forced = os.environ.get("BOOTCAMP_SANDBOX")
        if forced in ("bwrap", "unshare", "none"):
            _DETECTED = forced
        elif shutil.which("bwrap") and _probe(
            ["bwrap", *_namespaces(), "--ro-bind", "/", "/", "--proc", "/proc", "true"]
        ):
            _DETECTED = "bwrap"
        elif (
            sys.platform.startswith("linux")
            and shutil.which("unshare")
            and _probe(["unshare", *_unshare_flags(), "true"])
        ):
            _DETECTED = "unshare"
        else:
            _DETECTED = "none"
    return _DETECTED


WARNING = (
    "WARNING: grading kernels run WITHOUT a sandbox (neither bubblewrap nor unshare works here, "
    "or BOOTCAMP_SANDBOX=none). Submissions run as you, with your files, your network and no "
    "process isolation: "
    "a submission can read the solutions (source/, chapters/), write the gradebook and other "
    "students' files, and leave processes running after grading. Grade untrusted submissions "
    "on Linux with bubblewrap installed (Debian/Ubuntu: apt-get install bubblewrap)."
)


def _namespaces() -> list[str]:
    if os.geteuid() == 0:  # no user namespace: the kernel drops to nobody itself
        return [
            "--unshare-pid",
            "--unshare-net",
            "--unshare-ipc",
            "--unshare-uts",
            "--unshare-cgroup-try",
        ]
    return ["--unshare-all", "--cap-drop", "ALL"]


def _unshare_flags() -> list[str]:
    flags = ["--pid", "--fork", "--kill-child", "--net", "--ipc", "--uts", "--mount"]
    if os.geteuid() != 0:
        flags += ["--user", "--map-root-user"]
    return flags


# --------------------------------------------------------------------------- what to expose


def readonly_paths(data_dir: Path) -> list[str]:
    """The Python environment, the course package's source and the datasets."""
    import bootcamp

    paths = {
        Path(sys.prefix),
        Path(sys.base_prefix),
        Path(sys.executable).resolve().parent.parent,
        Path(bootcamp.__file__).resolve().parent,
        Path(data_dir),
    }
    for entry in sys.path:  # editable installs and .pth additions outside the prefixes
        p = Path(entry or ".").resolve()
        if p.is_dir() and "site-packages" in p.parts:
            paths.add(p)
    return sorted(str(p) for p in paths if p.exists() and str(p) not in ("/", "/usr"))


def spec_for(
    *,
    kind: str,
    work: Path,
    runtime: Path,
    inbox: Path,
    outbox: Path,
    data_dir: Path,
    hide: list[Path],
    limits: Limits,
) -> Spec:
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "HOME": WORK,
        "LANG": os.environ.get("LANG", "C.UTF-8"),
        "MPLCONFIGDIR": "/tmp/matplotlib",
        "BOOTCAMP_DATA_DIR": str(data_dir),
        "BOOTCAMP_INBOX": INBOX,
        "BOOTCAMP_OUTBOX": OUTBOX,
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "NBGRADER_EXECUTION": "autograde",
    }
    if kind != "bwrap":  # the kernel sees the host paths
        env.update(BOOTCAMP_INBOX=str(inbox), BOOTCAMP_OUTBOX=str(outbox), HOME=str(work))
    for name in ("MPLBACKEND", "TZ"):
        if name in os.environ:
            env[name] = os.environ[name]
    return Spec(
        kind=kind,
        work=str(work),
        runtime=str(runtime),
        inbox=str(inbox),
        outbox=str(outbox),
        readonly=readonly_paths(data_dir),
        hide=[str(p) for p in hide],
        env=env,
        limits=limits,
        cgroup=f"{os.getpid()}-{uuid.uuid4().hex[:12]}" if os.geteuid() == 0 else "",
        uid=UID_BASE + (os.getpid() % 1000) * 1000 + next(_SEQUENCE) % 1000,
    )


def prepare(spec: Spec) -> None:
    """Make the writable places writable by the kernel's user (nobody, when grading as root)."""
    for folder in (spec.runtime, spec.outbox):
        Path(folder).mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0 and spec.kind != "none":
            os.chown(folder, spec.uid, spec.uid)
            os.chmod(folder, 0o700)
    for root, dirs, files in os.walk(spec.inbox):
        for name in dirs:
            os.chmod(os.path.join(root, name), 0o755)
        for name in files:
            os.chmod(os.path.join(root, name), 0o644)
    os.chmod(spec.inbox, 0o755)


def launcher(spec: Spec, argv: list[str]) -> list[str]:
    """The command that runs ``argv`` (a kernel) inside the sandbox described by ``spec``."""
    return [
        sys.executable,
        "-I",
        "-m",
        "bootcamp.grading.sandbox",
        json.dumps(asdict(spec)),
        "--",
    ] + argv


def outbox_problem(outbox: Path, limits: Limits) -> str | None:
    """A reason not to read the outbox: anything but plain files and folders (a link could point
    a trusted step at the solutions, a FIFO could hang it), or more data than allowed."""
    import stat

    total = 0
    for root, dirs, files in os.walk(outbox):
        for name in dirs + files:
            mode = os.lstat(os.path.join(root, name)).st_mode
            if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                return f"the outbox holds {name}, which is not a plain file or folder"
            if stat.S_ISREG(mode):
                total += os.lstat(os.path.join(root, name)).st_size
    if total > limits.outbox_mb * 1024 * 1024:
        mb = total // 1024 // 1024
        return f"the kernel wrote {mb} MB to the outbox (limit {limits.outbox_mb} MB)"
    return None


# --------------------------------------------------------------------------- control groups


def _cgroup_dirs(name: str) -> list[Path]:
    """This submission's control groups: cgroup v2 (one folder) or v1 (memory and pids)."""
    root = Path("/sys/fs/cgroup")
    v2 = root / "cgroup.controllers"
    if v2.exists():
        controllers = v2.read_text().split()
        if "memory" in controllers and "pids" in controllers:
            return [root / CGROUP_PARENT / name]
        return []
    return [root / c / CGROUP_PARENT / name for c in ("memory", "pids") if (root / c).is_dir()]


def enter_cgroup(name: str, limits: Limits) -> bool:
    """Put this process into fresh control groups capping memory and processes (root only)."""
    dirs = _cgroup_dirs(name)
    if not dirs:
        return False
    memory = str(limits.memory_mb * 1024 * 1024)
    try:
        for d in dirs:
            d.parent.mkdir(exist_ok=True)
            for parent in (d.parent.parent, d.parent):  # cgroup v2: enable the controllers
                if (parent / "cgroup.subtree_control").exists():
                    with contextlib.suppress(OSError):
                        (parent / "cgroup.subtree_control").write_text("+memory +pids")
            d.mkdir()
            for knob, value in (
                ("memory.max", memory),
                ("memory.limit_in_bytes", memory),
                ("memory.swap.max", "0"),
                ("pids.max", str(limits.processes)),
            ):
                if (d / knob).exists():
                    (d / knob).write_text(value)
            (d / "cgroup.procs").write_text(str(os.getpid()))
    except OSError:
        return False
    return True


def remove_cgroup(name: str, tries: int = 20) -> None:
    """Remove a finished submission's control groups (once its processes are gone)."""
    import time

    if not name:
        return
    for d in _cgroup_dirs(name):
        for _ in range(tries):
            try:
                d.rmdir()
                break
            except FileNotFoundError:
                break
            except OSError:
                time.sleep(0.05)


def sweep_cgroups() -> None:
    """Remove control groups left by grading runs that were killed (empty ones only)."""
    for parent in {d.parent for d in _cgroup_dirs("x")}:
        if parent.is_dir():
            for d in parent.iterdir():
                if d.is_dir():
                    with contextlib.suppress(OSError):
                        d.rmdir()


# --------------------------------------------------------------------------- the launcher


def _set_limits(limits: Limits) -> None:
    mb = 1024 * 1024
    wanted = {
        resource.RLIMIT_CPU: limits.cpu_seconds,
        resource.RLIMIT_FSIZE: limits.file_mb * mb,
        resource.RLIMIT_NPROC: limits.processes,
        resource.RLIMIT_CORE: 0,
    }
    if limits.memory_mb > 0:
        wanted[resource.RLIMIT_AS] = limits.memory_mb * mb
    for which, value in wanted.items():
        _soft, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(which, (value, value))


def _etc_files() -> list[str]:
    names = ["passwd", "group", "nsswitch.conf", "localtime", "ld.so.cache", "fonts", "ssl/certs"]
    return [f"/etc/{n}" for n in names if os.path.exists(f"/etc/{n}")]


def _drop_user(argv: list[str], uid: int) -> list[str]:
    """As root: run ``argv`` as ``uid``, without capabilities or a way to regain them."""
    if os.geteuid() != 0:
        return argv
    return [
        "setpriv",
        f"--reuid={uid}",
        f"--regid={uid}",
        "--clear-groups",
        "--inh-caps=-all",
        "--bounding-set=-all",
        "--no-new-privs",
        "--",
        *argv,
    ]


def bwrap_command(spec: Spec, argv: list[str]) -> list[str]:
    lim = spec.limits
    cmd = ["bwrap", *_namespaces(), "--die-with-parent", "--clearenv"]
    cmd += ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        host = Path("/") / name
        if host.is_symlink():
            cmd += ["--symlink", os.readlink(host), f"/{name}"]
        elif host.is_dir():
            cmd += ["--ro-bind", str(host), f"/{name}"]
    for path in _etc_files():
        cmd += ["--ro-bind", path, path]
    cmd += ["--proc", "/proc", "--dev", "/dev"]
    cmd += ["--size", str(lim.tmp_mb * 1024 * 1024), "--perms", "1777", "--tmpfs", "/tmp"]
    # bwrap makes missing parents of mount points private (0700): open them for the kernel's user
    parents = sorted(
        {str(p) for path in [*spec.readonly, spec.runtime, WORK, INBOX] for p in Path(path).parents}
        - {"/", "/usr", "/tmp"}
    )
    for parent in parents:
        if not parent.startswith("/usr/"):
            cmd += ["--perms", "0755", "--dir", parent]
    for path in spec.readonly:
        cmd += ["--ro-bind", path, path]
    cmd += ["--size", str(lim.tmp_mb * 1024 * 1024), "--perms", "1777", "--tmpfs", WORK]
    for entry in sorted(Path(spec.work).iterdir()):
        if entry.is_file() and not entry.is_symlink():
            cmd += ["--ro-bind", str(entry), f"{WORK}/{entry.name}"]
    cmd += ["--bind", spec.runtime, spec.runtime]
    cmd += ["--ro-bind", spec.inbox, INBOX, "--bind", spec.outbox, OUTBOX]
    cmd += ["--chdir", WORK, "--hostname", "sandbox"]
    for key, value in spec.env.items():
        cmd += ["--setenv", key, value]
    return cmd + ["--", *_drop_user(argv, spec.uid)]


def unshare_command(spec: Spec, argv: list[str]) -> list[str]:
    """Namespaces with util-linux ``unshare``; the course and chapters hidden under tmpfs."""
    hide = " ".join(f"mount -t tmpfs -o size=1m,mode=000 none {_q(p)} &&" for p in spec.hide)
    inner = " ".join(_q(a) for a in _drop_user(argv, spec.uid))
    script = f"mount --make-rprivate / && {hide} cd {_q(spec.work)} && exec {inner}"
    env = ["env", "-i", *(f"{k}={v}" for k, v in spec.env.items())]
    return ["unshare", *_unshare_flags(), *env, "/bin/sh", "-c", script]


def _q(text: str) -> str:
    import shlex

    return shlex.quote(str(text))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    spec_json, sep, *command = argv
    if sep != "--" or not command:
        print("usage: python -m bootcamp.grading.sandbox SPEC -- COMMAND...", file=sys.stderr)
        return 2
    raw = json.loads(spec_json)
    raw["limits"] = Limits(**raw.get("limits", {}))
    spec = Spec(**raw)
    if spec.cgroup:
        enter_cgroup(spec.cgroup, spec.limits)
    _set_limits(spec.limits)  # stays with the cgroup: a MemoryError beats being killed
    # Interrupts (a cell's timeout) are sent to the whole process group: bwrap itself must not
    # die of them. The ignored SIGINT is inherited; ipykernel installs its own handler for the
    # code it runs, so the kernel still gets KeyboardInterrupt.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if spec.kind == "bwrap":
        full = bwrap_command(spec, command)
    elif spec.kind == "unshare":
        full = unshare_command(spec, command)
    else:
        os.environ.update(spec.env)
        full = command
    os.execvp(full[0], full)
    return 127  # not reached


if __name__ == "__main__":
    sys.exit(main())
