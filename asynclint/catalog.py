"""What blocks the event loop, and what to use instead: data, one row per call.

Keys are qualified names. A module-level function is ``module.func``; a method is
``Type.method`` where ``Type`` is a type name from ``RETURNS`` (what a call produces)
or ``ATTRIBUTES`` (what an attribute access produces), so ``requests.Session().get``
and ``requests.Session.get(s)`` both meet the key ``requests.Session.get``.
``Type.*`` matches every method of a type (``NOT_BLOCKING`` lists the exceptions).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, replace
from typing import Mapping

from asynclint.model import FixKind, PerBackend


Use = PerBackend  # the replacement to suggest, worded for each backend


@dataclass(frozen=True)
class ArgIs:
    """The call does not block when this argument is one of these literal values."""

    keyword: str
    position: int | None
    values: tuple = (False, 0)


    def holds(self, call, resolve=None) -> bool:
        """Whether ``call`` (an ``ast.Call``) passes one of the values, by keyword or position."""
        arg = _argument(call, self.keyword, self.position)
        value = getattr(arg, "value", _MISSING) if type(arg).__name__ == "Constant" else _MISSING
        return any(value == v and type(value) in _SAME_KIND[type(v)] for v in self.values)


@dataclass(frozen=True)
class ArgIsOrSplatted(ArgIs):
    """As ArgIs, and also when a ``**mapping`` of unknown keys may pass the argument: for a call
    that a wrapper makes with the options it built (aiopg's ``psycopg2.connect(dsn, **kwargs)``
    after ``kwargs["async_"] = True``), where a caller passing the mapping by hand is rare."""

    def holds(self, call, resolve=None) -> bool:
        return super().holds(call, resolve) or (
            _argument(call, self.keyword, self.position) is None and any(k.arg is None for k in call.keywords))


@dataclass(frozen=True)
class ArgIsBuffer:
    """The call does not block when this argument is an in-memory buffer (``io.BytesIO()``)."""

    keyword: str
    position: int | None

    def holds(self, call, resolve=None) -> bool:
        arg = _argument(call, self.keyword, self.position)
        if arg is None or resolve is None:
            return False
        value = resolve(arg)
        return getattr(value, "type", None) in MEMORY_TYPES


@dataclass(frozen=True)
class ArgIsDescriptor:
    """The call does not block when this argument is a descriptor already open: what an object's
    ``fileno()`` returns, a literal one (``open(1, "wb")``), or any argument when the call passes
    ``closefd=False``, which Python accepts for a descriptor only (a file name is a ValueError)."""

    keyword: str
    position: int | None

    def holds(self, call, resolve=None) -> bool:
        arg = _argument(call, self.keyword, self.position)
        if type(arg).__name__ == "Constant":
            return type(arg.value) is int
        if any(k.arg == "closefd" and type(k.value).__name__ == "Constant" and k.value.value is False
               for k in call.keywords):
            return True
        func = getattr(arg, "func", None) if type(arg).__name__ == "Call" else None
        return type(func).__name__ == "Attribute" and func.attr == "fileno" and not arg.args


@dataclass(frozen=True)
class ArgIsNew:
    """The call does not block when this argument is made on the spot by one of these callables
    (``ctx.wrap_socket(socket.socket())``: a socket that is not connected yet)."""

    keyword: str
    position: int | None
    callables: tuple[str, ...]

    def holds(self, call, resolve=None) -> bool:
        arg = _argument(call, self.keyword, self.position)
        if type(arg).__name__ != "Call" or resolve is None:
            return False
        return getattr(resolve(arg.func), "name", None) in self.callables


@dataclass(frozen=True)
class ArgGiven:
    """Holds when this argument is passed and is not one of these literal values."""

    keyword: str
    position: int | None
    values: tuple = (0,)

    def holds(self, call, resolve=None) -> bool:
        arg = _argument(call, self.keyword, self.position)
        if arg is None:
            return False
        return not (type(arg).__name__ == "Constant" and any(
            arg.value == v and type(arg.value) is type(v) for v in self.values))


@dataclass(frozen=True)
class ArgIsName:
    """Holds when this argument names one of these qualified names (``socket.SOCK_DGRAM``)."""

    keyword: str
    position: int | None
    names: tuple[str, ...]

    def holds(self, call, resolve=None) -> bool:
        arg = _argument(call, self.keyword, self.position)
        return arg is not None and resolve is not None and getattr(resolve(arg), "name", None) in self.names


@dataclass(frozen=True)
class ArgIsIPAddress:
    """Holds when this argument is a literal IP address (``"127.0.0.1"``, ``"::1"``): nothing to
    look up."""

    keyword: str
    position: int | None

    def holds(self, call, resolve=None) -> bool:
        arg = _argument(call, self.keyword, self.position)
        if type(arg).__name__ != "Constant" or not isinstance(arg.value, str):
            return False
        try:
            ipaddress.ip_address(arg.value)
        except ValueError:
            return False
        return True


@dataclass(frozen=True)
class ArgHasFlag:
    """Holds when this argument is one of these flags, or a ``|`` of flags among which one is
    (``socket.AI_NUMERICHOST | socket.AI_NUMERICSERV``)."""

    keyword: str
    position: int | None
    flags: tuple[str, ...]

    def holds(self, call, resolve=None) -> bool:
        arg = _argument(call, self.keyword, self.position)
        if arg is None or resolve is None:
            return False
        value = resolve(arg)  # a flag's Ref, or the Flags of a `|` (analysis.values)
        known = getattr(value, "names", None) or {getattr(value, "name", None)}
        return not known.isdisjoint(self.flags)


@dataclass(frozen=True)
class ArgMissing:
    """Holds when this argument is not passed, or is passed as one of these literal values."""

    keyword: str
    position: int | None
    values: tuple = ()

    def holds(self, call, resolve=None) -> bool:
        arg = _argument(call, self.keyword, self.position)
        if arg is None:
            return not any(type(a).__name__ == "Starred" for a in call.args) and not any(
                k.arg is None for k in call.keywords)
        return type(arg).__name__ == "Constant" and any(
            arg.value == v and type(arg.value) is type(v) for v in self.values)


@dataclass(frozen=True)
class ArgOnly:
    """Holds when this argument is passed by keyword and nothing else is, but the first ``positional``
    arguments and the keywords ``others`` (``load_verify_locations(cadata=pem)``: certificates
    given in memory, no file read)."""

    keyword: str
    positional: int = 0
    others: tuple[str, ...] = ()

    def holds(self, call, resolve=None) -> bool:
        names = {k.arg for k in call.keywords}
        return (self.keyword in names and names <= {self.keyword, *self.others} and len(call.args) <= self.positional
                and not any(type(a).__name__ == "Starred" for a in call.args))


def _argument(call, keyword: str, position: int | None):
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    if position is not None and position < len(call.args):
        arg = call.args[position]
        return None if type(arg).__name__ == "Starred" else arg
    return None


_MISSING = object()
# A literal matches a catalog value of the same kind: 0 and 0.0 both mean "do not wait".
_SAME_KIND = {bool: (bool,), int: (int, float), float: (int, float), str: (str,)}


@dataclass(frozen=True)
class Blocking:
    code: str
    use: Use
    # The rewrite the fixer knows for this call; None: no fix.
    fix_kind: FixKind | None = FixKind.THREAD
    nonblocking: tuple[ArgIs | ArgIsOrSplatted | ArgIsBuffer | ArgIsDescriptor | ArgIsName | ArgIsNew, ...] = ()
    withheld: str | None = None  # why there is no fix, shown with the finding
    # Whether this finding also covers the blocking methods of the object the call makes (a
    # connection's queries); False when they block for another reason (a TLS context's handshakes).
    covers_methods: bool = True


THREAD = Use(
    "`await asyncio.to_thread(...)`",
    "`await trio.to_thread.run_sync(...)`",
    "`await anyio.to_thread.run_sync(...)`",
)
SLEEP = Use("`await asyncio.sleep()`", "`await trio.sleep()`", "`await anyio.sleep()`")
HTTP = Use.everywhere("an async client such as `httpx.AsyncClient`")
OPEN = Use(
    "`aiofiles.open()` or `await asyncio.to_thread(...)`",
    "`await trio.open_file()`",
    "`await anyio.open_file()`",
)
PATH_IO = Use(
    "`await asyncio.to_thread(...)`",
    "`trio.Path` (`await trio.Path(...).method()`)",
    "`anyio.Path` (`await anyio.Path(...).method()`)",
)
PROCESS = Use(
    "`await asyncio.create_subprocess_exec()`",
    "`await trio.run_process()`",
    "`await anyio.run_process()`",
)
DNS = Use(
    "`await loop.getaddrinfo()`",
    "`await trio.socket.getaddrinfo()`",
    "`await anyio.getaddrinfo()`",
)
CONNECT = Use(
    "`await asyncio.open_connection()`",
    "`await trio.open_tcp_stream()`",
    "`await anyio.connect_tcp()`",
)
SOCKET_IO = Use(
    "asyncio streams or `await loop.sock_*()`",
    "a `trio.socket` socket or `trio.SocketStream`",
    "an anyio stream",
)
LOCK = Use("`asyncio.Lock`", "`trio.Lock`", "`anyio.Lock`")
EVENT = Use("`asyncio.Event`", "`trio.Event`", "`anyio.Event`")
CONDITION = Use("`asyncio.Condition`", "`trio.Condition`", "`anyio.Condition`")
SEMAPHORE = Use("`asyncio.Semaphore`", "`trio.Semaphore`", "`anyio.Semaphore`")
QUEUE = Use("`asyncio.Queue`", "a trio memory channel", "an anyio memory object stream")
FUTURE = Use(
    "`await asyncio.wrap_future(future)`",
    "`await trio.to_thread.run_sync(future.result)`",
    "`await anyio.to_thread.run_sync(future.result)`",
)
INPUT = Use(
    "`await asyncio.to_thread(input, ...)`",
    "`await trio.to_thread.run_sync(input, ...)`",
    "`await anyio.to_thread.run_sync(input, ...)`",
)
NESTED_LOOP = Use.everywhere("`await` on the coroutine directly")

BLOCKING: dict[str, Blocking] = {}
RETURNS: dict[str, str] = {}  # callable key -> type name of what the call returns
ATTRIBUTES: dict[str, str] = {}  # "Type.attr" or "Type.*" -> type name of the attribute
NOT_BLOCKING: set[str] = set()  # exceptions to a "Type.*" row
# callable key -> (condition on the call, type name): what the call returns when the condition holds
RETURNS_WHEN: dict[str, tuple] = {}
# Qualified names that are other spellings of a catalog name.
ALIASES: dict[str, str] = {}
# Method names distinctive enough to recognise on a receiver of unknown type.
DISTINCTIVE_METHODS: dict[str, str] = {}


def _calls(code: str, use: Use, names: str, fix: FixKind | None = FixKind.THREAD, nonblocking=()) -> None:
    row = Blocking(code, use, fix, tuple(nonblocking))
    for name in names.split():
        BLOCKING[name] = row


def _methods(code: str, use: Use, types: str, methods: str, fix=FixKind.THREAD, nonblocking=()):
    _calls(code, use, " ".join(f"{t}.{m}" for t in types.split() for m in methods.split()), fix, nonblocking)


def _returns(type_name: str, callables: str) -> None:
    for name in callables.split():
        RETURNS[name] = type_name


# ASL101: sleeps ------------------------------------------------------------------------------
_calls("ASL101", SLEEP, "time.sleep", fix=FixKind.SLEEP)

# ASL102: synchronous HTTP --------------------------------------------------------------------
_VERBS = "get post put patch delete head options request"
_calls("ASL102", HTTP, " ".join(f"requests.{v} requests.api.{v}" for v in _VERBS.split()), fix=FixKind.HTTP)
_calls("ASL102", HTTP, " ".join(f"httpx.{v}" for v in _VERBS.split()) + " httpx.stream", fix=FixKind.HTTP)
_returns("requests.Session", "requests.Session requests.session requests.sessions.Session")
_returns("httpx.Client", "httpx.Client")
_returns("urllib3.PoolManager", "urllib3.PoolManager urllib3.ProxyManager urllib3.HTTPConnectionPool "
         "urllib3.HTTPSConnectionPool urllib3.connection_from_url urllib3.proxy_from_url")
_methods("ASL102", HTTP, "requests.Session", _VERBS + " send")
_methods("ASL102", HTTP, "httpx.Client", _VERBS + " send stream")
_methods("ASL102", HTTP, "urllib3.PoolManager", "request urlopen request_encode_url request_encode_body")
_calls("ASL102", HTTP, "urllib3.request urllib.request.urlopen urllib.request.urlretrieve")
_returns("http.client.HTTPResponse", "urllib.request.urlopen urllib.request.OpenerDirector.open "
         "http.client.HTTPConnection.getresponse")
# httpx2 2.16.2, the continuation of httpx, has the same synchronous API (httpx2/__init__.py, _client.py).
_calls("ASL102", HTTP, " ".join(f"httpx2.{v}" for v in _VERBS.split()) + " httpx2.stream httpx2.query")
_returns("httpx2.Client", "httpx2.Client")
_methods("ASL102", HTTP, "httpx2.Client", _VERBS + " send stream query")
_returns("urllib.request.OpenerDirector", "urllib.request.build_opener urllib.request.OpenerDirector")
_calls("ASL102", HTTP, "urllib.request.OpenerDirector.open")
_returns("http.client.HTTPConnection", "http.client.HTTPConnection http.client.HTTPSConnection")
_methods("ASL102", HTTP, "http.client.HTTPConnection", "request getresponse connect send endheaders")
_methods("ASL102", HTTP, "http.client.HTTPResponse", "read read1 readline readlines readinto")
ALIASES.update({"http.client.HTTPSConnection": "http.client.HTTPConnection"})

# boto3's clients make an HTTP request in every API method.
AWS = Use.everywhere("`aioboto3`/`aiobotocore`, or `await asyncio.to_thread(...)`")
_returns("boto3.client", "boto3.client boto3.Session.client boto3.session.Session.client")
_returns("boto3.Session", "boto3.Session boto3.session.Session")
ALIASES.update({"boto3.session.Session": "boto3.Session"})
_calls("ASL102", AWS, "boto3.client.*")
NOT_BLOCKING.update(f"boto3.client.{m}" for m in (
    "get_paginator get_waiter can_paginate generate_presigned_url generate_presigned_post close").split())

# ASL103: opening files -------------------------------------------------------------------------
# `open(sock.fileno())`, `os.fdopen(fd)`: a file object around a descriptor already open opens
# nothing (what is read from it later still blocks: its methods are the file object's).
# The null device is no file on a disk: opening it waits on nothing.
_NULL_DEVICE = ("os.devnull",)
_calls("ASL103", OPEN, "builtins.open io.open", fix=FixKind.OPEN,
       nonblocking=[ArgIsDescriptor("file", 0), ArgIsName("file", 0, _NULL_DEVICE)])
_calls("ASL103", OPEN, "pathlib.Path.open", fix=FixKind.OPEN)
_calls("ASL103", OPEN, "os.open", nonblocking=[ArgIsName("path", 0, _NULL_DEVICE)])
_calls("ASL103", OPEN, "io.open_code codecs.open shelve.open dbm.open")
# Archive and compression readers also take an open file object; an in-memory one does not block.
MEMORY_TYPES = frozenset({"io.BytesIO", "io.StringIO"})
# File object types whose instances may be such buffers: a parameter of one of them may not block.
BUFFERABLE_TYPES = frozenset({"io.IOBase"})
# The io module's abstract bases: `isinstance(fp, io.BufferedIOBase)` holds for an io.BytesIO as
# for a file, so such a test says nothing of whether the object's methods block (discord.py's
# Asset.save(fp), documented with an io.BytesIO).
ABSTRACT_FILE_TYPES = frozenset({"io.IOBase", "io.RawIOBase", "io.BufferedIOBase", "io.TextIOBase"})
_returns("io.BytesIO", "io.BytesIO")
_returns("io.StringIO", "io.StringIO")
_calls("ASL103", OPEN, "gzip.open bz2.open lzma.open", nonblocking=[ArgIsBuffer("filename", 0)])
_calls("ASL103", OPEN, "gzip.GzipFile", nonblocking=[ArgIsBuffer("fileobj", 3)])
_calls("ASL103", OPEN, "bz2.BZ2File lzma.LZMAFile", nonblocking=[ArgIsBuffer("filename", 0)])
_calls("ASL103", OPEN, "tarfile.open tarfile.TarFile", nonblocking=[ArgIsBuffer("fileobj", 2)])
_calls("ASL103", OPEN, "zipfile.ZipFile", nonblocking=[ArgIsBuffer("file", 0)])
_calls("ASL103", OPEN, "wave.open aifc.open sunau.open", nonblocking=[ArgIsBuffer("f", 0)])
_returns("io.IOBase", "builtins.open io.open pathlib.Path.open os.fdopen io.open_code codecs.open "
         "gzip.open bz2.open lzma.open os.popen tempfile.TemporaryFile tempfile.NamedTemporaryFile "
         "tempfile.SpooledTemporaryFile")
FILE_IO = Use(
    "`aiofiles`, or `await asyncio.to_thread(file.read)`",
    "`trio.wrap_file(file)`",
    "`anyio.wrap_file(file)`",
)
_methods("ASL104", FILE_IO, "io.IOBase", "read read1 readline readlines readinto write writelines flush truncate "
         "__iter__")
# What an archive opened on a file reads or writes later (zipfile 3.8-3.14, tarfile); over an
# in-memory buffer it touches no disk.
_returns("zipfile.ZipFile", "zipfile.ZipFile")
RETURNS_WHEN["zipfile.ZipFile"] = (ArgIsBuffer("file", 0), "zipfile.MemoryZipFile")
_methods("ASL104", THREAD, "zipfile.ZipFile", "read open extract extractall write writestr mkdir testzip")
_returns("tarfile.TarFile", "tarfile.open tarfile.TarFile")
RETURNS_WHEN["tarfile.open"] = RETURNS_WHEN["tarfile.TarFile"] = (ArgIsBuffer("fileobj", 2), "tarfile.MemoryTarFile")
_methods("ASL104", THREAD, "tarfile.TarFile", "extract extractall extractfile add addfile getmembers getmember getnames "
         "next list")
_returns("io.IOBase", "zipfile.ZipFile.open tarfile.TarFile.extractfile")

# ASL104: the filesystem ------------------------------------------------------------------------
_calls("ASL104", THREAD, " ".join("os." + f for f in (
    "remove unlink rename renames replace listdir scandir mkdir makedirs rmdir removedirs stat lstat "
    "chmod lchmod chown lchown link symlink readlink truncate utime walk fwalk access statvfs fsync "
    "fdatasync sendfile copy_file_range mkfifo mknod listxattr getxattr setxattr removexattr").split()))
# os.scandir's entries: stat() makes a system call (on POSIX the first time, then cached on the
# entry); is_dir()/is_file() read the type the directory listing gave (CPython 3.11 os.DirEntry).
ELEMENTS: dict[str, str] = {"os.scandir": "os.DirEntry"}  # call -> the type of what iterating its result gives
_methods("ASL104", THREAD, "os.DirEntry", "stat")
_calls("ASL104", THREAD, " ".join("os.path." + f for f in (
    "exists lexists isfile isdir islink ismount isjunction getsize getmtime getatime getctime "
    "samefile sameopenfile realpath").split()))
_calls("ASL104", THREAD, " ".join("shutil." + f for f in (
    "copy copy2 copyfile copyfileobj copymode copystat copytree rmtree move disk_usage chown "
    "make_archive unpack_archive which").split()))
_calls("ASL104", THREAD, "glob.glob glob.iglob tempfile.mkstemp tempfile.mkdtemp tempfile.TemporaryFile "
       "tempfile.NamedTemporaryFile tempfile.TemporaryDirectory filecmp.cmp")
_returns("pathlib.Path", "pathlib.Path pathlib.Path.cwd pathlib.Path.home pathlib.Path.joinpath "
         "pathlib.Path.with_name pathlib.Path.with_suffix pathlib.Path.with_stem pathlib.Path.relative_to "
         "pathlib.Path.absolute pathlib.Path.expanduser pathlib.Path.resolve pathlib.Path.__truediv__")
ATTRIBUTES.update({"pathlib.Path.parent": "pathlib.Path"})
_methods("ASL104", PATH_IO, "pathlib.Path", (
    "read_text read_bytes write_text write_bytes exists is_file is_dir is_symlink is_mount is_socket "
    "is_fifo is_block_device is_char_device is_junction glob rglob iterdir walk stat lstat owner group "
    "chmod lchmod mkdir rmdir unlink rename replace touch symlink_to hardlink_to link_to readlink "
    "resolve samefile copy copy_into move move_into"))
ALIASES.update({
    "pathlib.PosixPath": "pathlib.Path", "pathlib.WindowsPath": "pathlib.Path",
    "posixpath": "os.path", "ntpath": "os.path", "genericpath": "os.path",
})

# Rows from the lists that runtime detectors patch (each names its source; rows the catalog had
# already are not repeated). Read and left out: os.path.samestat (compares two stat results, no
# system call), os.getcwd and os.path.abspath (blockbuster 1.5.29: the process's own directory,
# answered from memory), os.read/os.write (blockbuster checks them only on a blocking descriptor;
# async code reads its pipes non-blocking, which the analysis cannot see).
# platform (CPython 3.11 platform.py): these read files or run commands, the first time at least
# (platform() caches its answer; uname(), system(), machine(), node() only ask os.uname()).
_calls("ASL104", THREAD, "platform.platform platform.libc_ver platform.mac_ver "
       "platform.freedesktop_os_release platform.win32_ver platform.win32_edition")  # open the interpreter, a plist
_calls("ASL105", THREAD, "platform.architecture platform.processor")  # run `file -b`, `uname -p`
# mimetypes (CPython 3.11, 3.13): the first guess (or MimeTypes()) reads the system's mime.types
# files, unless mimetypes.init() ran before; read_mime_types reads the file it is given.
FIRST_USE = Use.everywhere("`mimetypes.init()` once at start-up, or `await asyncio.to_thread(...)`")
_calls("ASL104", FIRST_USE, "mimetypes.guess_type mimetypes.guess_file_type mimetypes.guess_extension "
       "mimetypes.guess_all_extensions mimetypes.add_type mimetypes.MimeTypes")
_calls("ASL104", THREAD, "mimetypes.init mimetypes.read_mime_types")
# Home Assistant (homeassistant/block_async_io.py) patches putrequest: the first call of every
# request urllib3 and requests make on an http.client connection.
_methods("ASL102", HTTP, "http.client.HTTPConnection", "putrequest")

# ASL105: processes -----------------------------------------------------------------------------
_calls("ASL105", PROCESS, "subprocess.run subprocess.call subprocess.check_call subprocess.check_output",
       fix=FixKind.SUBPROCESS)
_calls("ASL105", PROCESS, "subprocess.getoutput subprocess.getstatusoutput subprocess.Popen os.system "
       "os.popen pty.spawn os.posix_spawn os.posix_spawnp os.wait os.waitpid os.wait3 os.wait4 os.waitid "
       "os.spawnl os.spawnle os.spawnlp os.spawnlpe os.spawnv os.spawnve os.spawnvp os.spawnvpe")
_returns("subprocess.Popen", "subprocess.Popen")
ATTRIBUTES.update({f"subprocess.Popen.{pipe}": "io.IOBase" for pipe in ("stdin", "stdout", "stderr")})
_methods("ASL105", PROCESS, "subprocess.Popen", "wait communicate",
         nonblocking=[ArgIs("timeout", 0, (0,))])

# ASL106: sockets and DNS -----------------------------------------------------------------------
# A numeric host needs no look-up: a literal IP address, or the numeric-only flags.
_calls("ASL106", DNS, "socket.getaddrinfo", nonblocking=[
    ArgIsIPAddress("host", 0), ArgHasFlag("flags", 5, ("socket.AI_NUMERICHOST",))])
_calls("ASL106", DNS, "socket.gethostbyname socket.gethostbyname_ex", nonblocking=[ArgIsIPAddress("hostname", 0)])
_calls("ASL106", DNS, "socket.getnameinfo", nonblocking=[ArgHasFlag("flags", 1, ("socket.NI_NUMERICHOST",))])
_calls("ASL106", DNS, "socket.gethostbyaddr socket.getfqdn")
_calls("ASL106", CONNECT, "socket.create_connection ssl.get_server_certificate")
# Wrapping performs the TLS handshake, unless told not to or the socket is not connected yet.
_NO_HANDSHAKE = [ArgIs("do_handshake_on_connect", None, (False,)), ArgIsNew("sock", 0, ("socket.socket",))]
_calls("ASL106", CONNECT, "ssl.wrap_socket ssl.SSLContext.wrap_socket", nonblocking=_NO_HANDSHAKE)
_returns("socket.socket", "socket.socket socket.create_connection socket.create_server socket.fromfd "
         "ssl.wrap_socket ssl.SSLContext.wrap_socket")
_returns("ssl.SSLContext", "ssl.SSLContext ssl.create_default_context ssl._create_unverified_context")
# Loading certificates reads files (the system CA bundle: a few hundred kB parsed, tens of ms);
# create_default_context() loads the system's unless given cafile/capath/cadata. (CPython 3.11 ssl.py)
# Under trio and anyio these are methods of their async Path: `await anyio.Path(p).unlink()`.
for _name in "os.remove os.unlink os.rmdir os.path.exists os.path.isfile os.path.isdir".split():
    BLOCKING[_name] = replace(BLOCKING[_name], fix_kind=FixKind.PATH)
# Given only `cadata`, they parse certificates from memory (Home Assistant's block_async_io allows
# that form of load_verify_locations).
_calls("ASL104", THREAD, "ssl.create_default_context", nonblocking=[ArgOnly("cadata", 1, ("purpose",))])
BLOCKING["ssl.create_default_context"] = replace(BLOCKING["ssl.create_default_context"], covers_methods=False)
_methods("ASL104", THREAD, "ssl.SSLContext", "load_verify_locations", nonblocking=[ArgOnly("cadata")])
_methods("ASL104", THREAD, "ssl.SSLContext", "load_cert_chain load_default_certs set_default_verify_paths "
         "load_dh_params")
_methods("ASL106", SOCKET_IO, "socket.socket", (
    "connect connect_ex accept recv recv_into recvfrom recvfrom_into recvmsg send sendall sendto "
    "sendmsg sendfile do_handshake"))
# A datagram (UDP) socket: connect() only records the peer and sends do not wait; receiving does.
RETURNS_WHEN["socket.socket"] = (ArgIsName("type", 1, ("socket.SOCK_DGRAM",)), "socket.datagram_socket")
_methods("ASL106", SOCKET_IO, "socket.datagram_socket", "recv recv_into recvfrom recvfrom_into recvmsg")
ALIASES.update({"ssl.SSLSocket": "socket.socket"})
_methods("ASL106", SOCKET_IO, "socket.socket", "read write unwrap")  # ssl.SSLSocket's own
# Waiting for readiness: blocks for up to `timeout` (forever when it is None or not given).
_calls("ASL106", SOCKET_IO, "select.select", nonblocking=[ArgIs("timeout", 3, (0,))])
_returns("select.poll", "select.poll select.epoll selectors.DefaultSelector selectors.SelectSelector "
         "selectors.PollSelector selectors.EpollSelector selectors.KqueueSelector")
_methods("ASL106", SOCKET_IO, "select.poll", "poll select", nonblocking=[ArgIs("timeout", 0, (0,))])

# These connect in the constructor; SMTP, FTP and Telnet only when given a host.
_calls("ASL106", CONNECT, "poplib.POP3 poplib.POP3_SSL imaplib.IMAP4 imaplib.IMAP4_SSL")
_calls("ASL106", CONNECT, "smtplib.SMTP smtplib.SMTP_SSL smtplib.LMTP ftplib.FTP ftplib.FTP_TLS telnetlib.Telnet",
       nonblocking=[ArgMissing("host", 0, ("", None))])
_returns("smtplib.SMTP", "smtplib.SMTP smtplib.SMTP_SSL smtplib.LMTP")
_methods("ASL106", CONNECT, "smtplib.SMTP", "connect login starttls ehlo helo sendmail send_message quit noop")
_returns("ftplib.FTP", "ftplib.FTP ftplib.FTP_TLS")
_methods("ASL106", CONNECT, "ftplib.FTP", "connect login cwd nlst dir mlsd retrbinary retrlines storbinary storlines "
         "delete rename mkd rmd size quit")

# ASL107: synchronous database drivers ----------------------------------------------------------
SQLITE = Use.everywhere("`aiosqlite`, or run the query in a worker thread")
POSTGRES = Use.everywhere("`asyncpg` or psycopg's `AsyncConnection`")
MYSQL = Use.everywhere("`aiomysql` or `asyncmy`")
MONGO = Use.everywhere("`motor` or pymongo's `AsyncMongoClient`")
REDIS = Use.everywhere("`redis.asyncio`")
_calls("ASL107", SQLITE, "sqlite3.connect", nonblocking=[ArgIs("database", 0, (":memory:",))])  # no file
_returns("sqlite3.Connection", "sqlite3.connect sqlite3.Connection")
# An in-memory database: its queries wait on nothing but the CPU.
RETURNS_WHEN["sqlite3.connect"] = (ArgIs("database", 0, (":memory:",)), "sqlite3.MemoryConnection")
_returns("sqlite3.Cursor", "sqlite3.Connection.cursor sqlite3.Connection.execute sqlite3.Connection.executemany "
         "sqlite3.Cursor.execute sqlite3.Cursor.executemany")
_methods("ASL107", SQLITE, "sqlite3.Connection", "execute executemany executescript commit rollback backup iterdump")
_methods("ASL107", SQLITE, "sqlite3.Cursor", "execute executemany executescript fetchone fetchmany fetchall")
# module, replacement, blocking methods of its connection, of its cursor
_DRIVERS = (
    ("psycopg2", POSTGRES, "commit rollback", "copy_from copy_to copy_expert callproc"),
    ("psycopg", POSTGRES, "execute commit rollback", "copy"),
    ("pymysql", MYSQL, "commit rollback ping select_db query", "callproc"),
    ("MySQLdb", MYSQL, "commit rollback ping select_db query", "callproc"),
    ("mysql.connector", MYSQL, "commit rollback ping cmd_query reconnect", "callproc"),
)
for _module, _use, _connection, _cursor in _DRIVERS:
    _calls("ASL107", _use, f"{_module}.connect")
    _returns(f"{_module}.Connection", f"{_module}.connect")
    _returns(f"{_module}.Cursor", f"{_module}.Connection.cursor")
    _methods("ASL107", _use, f"{_module}.Connection", _connection)
    _methods("ASL107", _use, f"{_module}.Cursor", "execute executemany fetchone fetchmany fetchall " + _cursor)
# psycopg2's asynchronous mode (async_=True, psycopg2 2.7+): connect() starts the connection and
# returns; the caller waits on its descriptor (aiopg does, with the loop).
_calls("ASL107", POSTGRES, "psycopg2.connect", nonblocking=[ArgIsOrSplatted("async_", None, (True, 1))])
_returns("psycopg.Cursor", "psycopg.Connection.execute")
_returns("pymongo.MongoClient", "pymongo.MongoClient pymongo.mongo_client.MongoClient")
ATTRIBUTES.update({"pymongo.MongoClient.*": "pymongo.Database", "pymongo.Database.*": "pymongo.Collection"})
_returns("pymongo.Database", "pymongo.MongoClient.get_database pymongo.MongoClient.__getitem__")
_returns("pymongo.Collection", "pymongo.Database.get_collection pymongo.Database.__getitem__")
_methods("ASL107", MONGO, "pymongo.Collection", (
    "find_one insert_one insert_many update_one update_many replace_one delete_one delete_many "
    "count_documents estimated_document_count distinct aggregate bulk_write find_one_and_update "
    "find_one_and_replace find_one_and_delete create_index drop"))
_methods("ASL107", MONGO, "pymongo.MongoClient", "list_database_names server_info drop_database")
_returns("redis.Redis", "redis.Redis redis.StrictRedis redis.from_url redis.Redis.from_url redis.client.Redis")
_calls("ASL107", REDIS, "redis.Redis.*")
NOT_BLOCKING.update(f"redis.Redis.{m}" for m in (
    "pipeline pubsub lock from_url register_script get_encoder get_connection_kwargs set_response_callback "
    "get_retry set_retry load_external_module close").split())
_returns("redis.client.Pipeline", "redis.Redis.pipeline redis.client.Pipeline")
_methods("ASL107", REDIS, "redis.client.Pipeline", "execute watch")
_returns("redis.client.PubSub", "redis.Redis.pubsub redis.client.PubSub")
# (PubSub.get_message() does not wait unless given a timeout.)
_methods("ASL107", REDIS, "redis.client.PubSub", "subscribe psubscribe unsubscribe punsubscribe listen")
_returns("redis.lock.Lock", "redis.Redis.lock redis.lock.Lock")
_methods("ASL107", REDIS, "redis.lock.Lock", "acquire __enter__", nonblocking=[ArgIs("blocking", 0, (False, 0))])
_methods("ASL107", REDIS, "redis.lock.Lock", "release extend reacquire locked owned")
# SQLAlchemy's synchronous engine and ORM session.
SQLALCHEMY = Use.everywhere("SQLAlchemy's asyncio extension (`create_async_engine`, `AsyncSession`)")
_returns("sqlalchemy.engine.Engine", "sqlalchemy.create_engine sqlalchemy.engine.create_engine "
         "sqlalchemy.engine.Engine")
_returns("sqlalchemy.engine.Connection", "sqlalchemy.engine.Engine.connect sqlalchemy.engine.Engine.begin "
         "sqlalchemy.engine.Connection")
_methods("ASL107", SQLALCHEMY, "sqlalchemy.engine.Engine", "connect begin raw_connection")
_methods("ASL107", SQLALCHEMY, "sqlalchemy.engine.Connection",
         "execute exec_driver_sql scalar scalars commit rollback")
_returns("sqlalchemy.orm.Session", "sqlalchemy.orm.Session sqlalchemy.orm.session.Session")
_methods("ASL107", SQLALCHEMY, "sqlalchemy.orm.Session",
         "execute scalar scalars commit rollback flush refresh get merge connection")
ALIASES.update({"sqlalchemy.Engine": "sqlalchemy.engine.Engine",
                "sqlalchemy.Connection": "sqlalchemy.engine.Connection",
                "sqlalchemy.orm.session.Session": "sqlalchemy.orm.Session"})
_returns("psycopg.Connection", "psycopg.Connection.connect psycopg.Connection")
_calls("ASL107", POSTGRES, "psycopg.Connection.connect")

# ASL108: thread synchronisation ----------------------------------------------------------------
_returns("threading.Lock", "threading.Lock multiprocessing.Lock")
_returns("threading.RLock", "threading.RLock multiprocessing.RLock")
_returns("threading.Event", "threading.Event multiprocessing.Event")
_returns("threading.Condition", "threading.Condition multiprocessing.Condition")
_returns("threading.Semaphore", "threading.Semaphore threading.BoundedSemaphore multiprocessing.Semaphore "
         "multiprocessing.BoundedSemaphore")
_returns("threading.Barrier", "threading.Barrier multiprocessing.Barrier")
_returns("threading.Thread", "threading.Thread threading.Timer")
_returns("queue.Queue", "queue.Queue queue.LifoQueue queue.PriorityQueue queue.SimpleQueue "
         "multiprocessing.Queue multiprocessing.JoinableQueue multiprocessing.SimpleQueue")
_returns("concurrent.futures.Executor", "concurrent.futures.ThreadPoolExecutor "
         "concurrent.futures.ProcessPoolExecutor")
_returns("concurrent.futures.Future", "concurrent.futures.Executor.submit concurrent.futures.Future "
         "asyncio.run_coroutine_threadsafe")
_returns("multiprocessing.Process", "multiprocessing.Process")
_returns("multiprocessing.pool.Pool", "multiprocessing.Pool multiprocessing.pool.Pool multiprocessing.pool.ThreadPool")
_returns("multiprocessing.pool.AsyncResult",
         "multiprocessing.pool.Pool.apply_async multiprocessing.pool.Pool.map_async")
_NOT_IF_NOWAIT = [ArgIs("blocking", 0, (False, 0)), ArgIs("timeout", 1, (0,))]
_methods("ASL108", LOCK, "threading.Lock threading.Semaphore", "acquire __enter__", nonblocking=_NOT_IF_NOWAIT)
# An RLock (and a Condition, whose lock is an RLock by default) belongs to the thread that acquired
# it: acquired in a worker thread, it cannot be released (or waited on) from the loop's thread.
_methods("ASL108", LOCK, "threading.RLock", "acquire __enter__", nonblocking=_NOT_IF_NOWAIT, fix=None)
_methods("ASL108", CONDITION, "threading.Condition", "acquire __enter__", nonblocking=_NOT_IF_NOWAIT, fix=None)
_methods("ASL108", CONDITION, "threading.Condition", "wait wait_for", nonblocking=[ArgIs("timeout", None, (0,))],
         fix=None)
_methods("ASL108", EVENT, "threading.Event", "wait", nonblocking=[ArgIs("timeout", 0, (0,))])
_methods("ASL108", EVENT, "threading.Barrier", "wait", nonblocking=[ArgIs("timeout", 0, (0,))])
_methods("ASL108", QUEUE, "queue.Queue", "get", nonblocking=[ArgIs("block", 0, (False, 0)), ArgIs("timeout", 1, (0,))])
_methods("ASL108", QUEUE, "queue.Queue", "join")
# put() waits only on a queue made with a maxsize: an unbounded queue (the default) takes every item.
_methods("ASL108", QUEUE, "queue.BoundedQueue", "get",
         nonblocking=[ArgIs("block", 0, (False, 0)), ArgIs("timeout", 1, (0,))])
_methods("ASL108", QUEUE, "queue.BoundedQueue", "put",
         nonblocking=[ArgIs("block", 1, (False, 0)), ArgIs("timeout", 2, (0,))])
_methods("ASL108", QUEUE, "queue.BoundedQueue", "join")
for _queue in ("queue.Queue queue.LifoQueue queue.PriorityQueue multiprocessing.Queue "
               "multiprocessing.JoinableQueue").split():
    RETURNS_WHEN[_queue] = (ArgGiven("maxsize", 0), "queue.BoundedQueue")
_methods("ASL108", FUTURE, "concurrent.futures.Future", "result exception", nonblocking=[ArgIs("timeout", 0, (0,))])
_calls("ASL108", FUTURE, "concurrent.futures.wait concurrent.futures.as_completed")
_methods("ASL108", THREAD, "threading.Thread multiprocessing.Process", "join", nonblocking=[ArgIs("timeout", 0, (0,))])
_methods("ASL108", THREAD, "concurrent.futures.Executor", "shutdown", nonblocking=[ArgIs("wait", 0, (False,))])
# Executor.map, Pool.imap: the call submits the work, iterating the results waits for it.
_methods("ASL108", FUTURE, "concurrent.futures.Executor", "map")
_methods("ASL108", THREAD, "multiprocessing.pool.Pool", "map starmap apply imap imap_unordered join")
_returns("results_iterator", "concurrent.futures.Executor.map concurrent.futures.as_completed "
         "multiprocessing.pool.Pool.imap multiprocessing.pool.Pool.imap_unordered")
_calls("ASL108", FUTURE, "results_iterator.__iter__")
_methods("ASL108", FUTURE, "multiprocessing.pool.AsyncResult", "get wait", nonblocking=[ArgIs("timeout", 0, (0,))])

# multiprocessing pipes and listeners (CPython 3.11 multiprocessing/connection.py): receiving waits
# for the peer, sending waits when the pipe is full; poll() waits only when given a timeout.
_returns("multiprocessing.connection.Connection", "multiprocessing.connection.Client "
         "multiprocessing.connection.Listener.accept")
_returns("multiprocessing.connection.Listener", "multiprocessing.connection.Listener")
_methods("ASL108", THREAD, "multiprocessing.connection.Connection",
         "recv recv_bytes recv_bytes_into send send_bytes")
_methods("ASL108", THREAD, "multiprocessing.connection.Connection", "poll", nonblocking=[ArgMissing("timeout", 0, (0,))])
_methods("ASL108", THREAD, "multiprocessing.connection.Listener", "accept")
_calls("ASL108", THREAD, "multiprocessing.connection.Client multiprocessing.connection.wait")

# Calls whose result is a tuple of known types: `conn, addr = sock.accept()`, `a, b = socketpair()`.
TUPLE_RETURNS: dict[str, tuple[str | None, ...]] = {
    "socket.socket.accept": ("socket.socket", None),
    "socket.socketpair": ("socket.socket", "socket.socket"),
    "multiprocessing.Pipe": ("multiprocessing.connection.Connection", "multiprocessing.connection.Connection"),
    "multiprocessing.connection.Pipe": ("multiprocessing.connection.Connection",
                                        "multiprocessing.connection.Connection"),
    "paramiko.SSHClient.exec_command": ("paramiko.ChannelFile", "paramiko.ChannelFile", "paramiko.ChannelFile"),
}

# webbrowser (CPython 3.11 webbrowser.py): finding and starting a browser runs `xdg-settings` and
# the browser itself in subprocesses, and waits for them.
_calls("ASL105", THREAD, "webbrowser.open webbrowser.open_new webbrowser.open_new_tab webbrowser.get")
_returns("webbrowser.BaseBrowser", "webbrowser.get")
_methods("ASL105", THREAD, "webbrowser.BaseBrowser", "open open_new open_new_tab")

# Mail, file transfer and remote shells (CPython 3.11 imaplib, poplib, telnetlib; each method is a
# round trip to the server).
_returns("imaplib.IMAP4", "imaplib.IMAP4 imaplib.IMAP4_SSL imaplib.IMAP4_stream")
_methods("ASL106", CONNECT, "imaplib.IMAP4", "login authenticate select examine search fetch store copy "
         "expunge list lsub status uid append create delete rename noop logout close idle starttls")
_returns("poplib.POP3", "poplib.POP3 poplib.POP3_SSL")
_methods("ASL106", CONNECT, "poplib.POP3", "user pass_ apop rpop stat list retr dele rset noop quit top uidl "
         "capa stls")
_returns("telnetlib.Telnet", "telnetlib.Telnet")
_methods("ASL106", CONNECT, "telnetlib.Telnet", "open read_until read_all read_some read_very_eager read_eager "
         "write expect interact")
# xmlrpc (CPython 3.11 xmlrpc/client.py): every method of a ServerProxy is an HTTP request.
_returns("xmlrpc.client.ServerProxy", "xmlrpc.client.ServerProxy xmlrpc.client.Server")
_calls("ASL102", HTTP, "xmlrpc.client.ServerProxy.*")

# Synchronous clients of popular SDKs that have an async one.
def _api_client(code: str, use: Use, client: str, constructors: str, methods: str, direct: str = "") -> None:
    """A client whose attributes are resources (``client.chat.completions``), themselves made of
    resources, whose ``methods`` each make a request; ``direct`` methods of the client do too."""
    resource = f"{client}.resource"
    _returns(client, constructors)
    ATTRIBUTES.update({f"{client}.*": resource, f"{resource}.*": resource})
    _methods(code, use, resource, methods)
    if direct:
        _methods(code, use, client, direct)


# openai 3.57.0 (openai/_client.py, resources/*): OpenAI vs AsyncOpenAI.
_api_client("ASL102", Use.everywhere("`openai.AsyncOpenAI`"), "openai.OpenAI", "openai.OpenAI openai.AzureOpenAI",
            "create retrieve list delete update cancel parse stream content create_and_poll poll upload "
            "retrieve_content wait_for_processing input_tokens")
_returns("openai.OpenAI", "openai.OpenAI.with_options openai.OpenAI.copy")
ATTRIBUTES.update({f"openai.{r}": "openai.OpenAI.resource" for r in (
    "chat completions embeddings files images audio moderations models fine_tuning vector_stores beta batches "
    "uploads responses").split()})
# anthropic 2.14.0 (anthropic/_client.py, resources/messages): Anthropic vs AsyncAnthropic.
_api_client("ASL102", Use.everywhere("`anthropic.AsyncAnthropic`"), "anthropic.Anthropic",
            "anthropic.Anthropic anthropic.AnthropicBedrock anthropic.AnthropicVertex",
            "create stream count_tokens list retrieve delete cancel results parse")
_returns("anthropic.Anthropic", "anthropic.Anthropic.with_options anthropic.Anthropic.copy")
# stripe 16.1.0: the resource classes' class methods and StripeClient's services; each has an
# `_async` twin (`await stripe.Customer.create_async(...)`).
STRIPE = Use.everywhere("the `*_async` methods (`await stripe.Customer.create_async(...)`)")
_STRIPE_METHODS = "create retrieve modify update delete list search cancel confirm capture pay void_invoice " \
                  "finalize_invoice list_line_items"
_methods("ASL102", STRIPE, " ".join(f"stripe.{r}" for r in (
    "Customer Charge PaymentIntent SetupIntent PaymentMethod Subscription SubscriptionItem Invoice InvoiceItem "
    "Refund Product Price Coupon PromotionCode Account Transfer Payout Balance BalanceTransaction Event "
    "WebhookEndpoint Dispute Token TaxRate File checkout.Session billing_portal.Session").split()), _STRIPE_METHODS)
_api_client("ASL102", STRIPE, "stripe.StripeClient", "stripe.StripeClient", _STRIPE_METHODS)
# slack_sdk 3.48.0 (slack_sdk/web/client.py): every WebClient method is a Web API call.
_returns("slack_sdk.WebClient", "slack_sdk.WebClient slack_sdk.web.WebClient slack_sdk.web.client.WebClient")
_calls("ASL102", Use.everywhere("`slack_sdk.web.async_client.AsyncWebClient`"), "slack_sdk.WebClient.*")
# google-cloud-storage 3.17.1 (client.py, bucket.py, blob.py): bucket()/blob() only build handles.
GCS = Use.everywhere("`gcloud-aio-storage`, or `await asyncio.to_thread(...)`")
_returns("google.cloud.storage.Client", "google.cloud.storage.Client google.cloud.storage.client.Client")
_returns("google.cloud.storage.Bucket", "google.cloud.storage.Client.bucket google.cloud.storage.Client.get_bucket "
         "google.cloud.storage.Client.lookup_bucket google.cloud.storage.Client.create_bucket "
         "google.cloud.storage.Bucket")
_returns("google.cloud.storage.Blob", "google.cloud.storage.Bucket.blob google.cloud.storage.Bucket.get_blob "
         "google.cloud.storage.Blob")
_methods("ASL102", GCS, "google.cloud.storage.Client", "get_bucket lookup_bucket create_bucket list_blobs "
         "list_buckets download_blob_to_file get_service_account_email")
_methods("ASL102", GCS, "google.cloud.storage.Bucket", "exists create update reload patch get_blob list_blobs "
         "delete delete_blob delete_blobs copy_blob rename_blob make_public make_private get_iam_policy "
         "set_iam_policy")
_methods("ASL102", GCS, "google.cloud.storage.Blob", "exists delete reload patch update download_to_file "
         "download_to_filename download_as_bytes download_as_string download_as_text upload_from_file "
         "upload_from_filename upload_from_string compose rewrite make_public make_private")
# elasticsearch 9.5.1 (_sync/client/__init__.py): every API method, and the namespaces' (es.indices...).
ELASTIC = Use.everywhere("`elasticsearch.AsyncElasticsearch`")
_returns("elasticsearch.Elasticsearch", "elasticsearch.Elasticsearch elasticsearch.Elasticsearch.options")
_calls("ASL102", ELASTIC, "elasticsearch.Elasticsearch.* elasticsearch.namespace.*")
NOT_BLOCKING.update({"elasticsearch.Elasticsearch.close"})
ATTRIBUTES.update({f"elasticsearch.Elasticsearch.{n}": "elasticsearch.namespace" for n in (
    "indices cluster cat nodes ingest snapshot tasks ml security transform ilm slm enrich eql esql sql "
    "license ccr xpack watcher async_search features fleet graph logstash migration monitoring rollup "
    "searchable_snapshots shutdown synonyms text_structure inference connector query_rules").split()})
# kafka-python 3.0.12 (kafka/producer/kafka.py, consumer/group.py): the constructors bootstrap a
# connection; poll() waits up to timeout_ms (0 by default: returns what is buffered).
KAFKA = Use.everywhere("`aiokafka` (`AIOKafkaProducer`, `AIOKafkaConsumer`)")
_calls("ASL106", KAFKA, "kafka.KafkaProducer kafka.KafkaConsumer")
_returns("kafka.KafkaProducer", "kafka.KafkaProducer")
_returns("kafka.KafkaConsumer", "kafka.KafkaConsumer")
_methods("ASL106", KAFKA, "kafka.KafkaProducer", "flush close partitions_for init_transactions commit_transaction "
         "abort_transaction send_offsets_to_transaction")
_methods("ASL106", KAFKA, "kafka.KafkaConsumer", "commit committed close topics partitions_for_topic position "
         "beginning_offsets end_offsets offsets_for_times __iter__")
_methods("ASL106", KAFKA, "kafka.KafkaConsumer", "poll", nonblocking=[ArgMissing("timeout_ms", 0, (0,))])
# pika 1.4.4 (adapters/blocking_connection.py): BlockingConnection connects in its constructor.
PIKA = Use.everywhere("`aio-pika`, or pika's `AsyncioConnection`")
_calls("ASL106", PIKA, "pika.BlockingConnection pika.adapters.blocking_connection.BlockingConnection")
_returns("pika.BlockingConnection", "pika.BlockingConnection pika.adapters.blocking_connection.BlockingConnection")
_returns("pika.BlockingChannel", "pika.BlockingConnection.channel")
_methods("ASL106", PIKA, "pika.BlockingConnection", "channel process_data_events sleep close")
_methods("ASL106", PIKA, "pika.BlockingChannel", "basic_publish basic_get basic_consume basic_cancel start_consuming "
         "consume queue_declare queue_delete queue_purge queue_bind queue_unbind exchange_declare exchange_delete "
         "exchange_bind exchange_unbind basic_qos confirm_delivery tx_select tx_commit tx_rollback close")
# paramiko 5.1.0 (client.py, sftp_client.py, channel.py).
SSH = Use.everywhere("`asyncssh`, or `await asyncio.to_thread(...)`")
_returns("paramiko.SSHClient", "paramiko.SSHClient paramiko.client.SSHClient")
_returns("paramiko.SFTPClient", "paramiko.SSHClient.open_sftp paramiko.SFTPClient.from_transport")
_methods("ASL106", SSH, "paramiko.SSHClient", "connect exec_command invoke_shell open_sftp load_system_host_keys "
         "load_host_keys save_host_keys")
_methods("ASL106", SSH, "paramiko.SFTPClient", "get put open listdir listdir_attr stat lstat remove unlink rename "
         "mkdir rmdir chmod chown utime readlink symlink getfo putfo")
_methods("ASL106", SSH, "paramiko.ChannelFile", "read readline readlines __iter__")

# ASL109: console input -------------------------------------------------------------------------
_calls("ASL109", INPUT, "builtins.input getpass.getpass")
ATTRIBUTES.update({"sys.stdin": "sys.stdin", "sys.stdin.buffer": "sys.stdin", "sys.__stdin__": "sys.stdin"})
_methods("ASL109", INPUT, "sys.stdin", "read readline readlines __iter__")

# ASL110: a nested event loop -------------------------------------------------------------------
_calls("ASL110", NESTED_LOOP, "asyncio.run trio.run anyio.run asyncio.Runner.run uvloop.run", fix=None)
_returns("asyncio.AbstractEventLoop", "asyncio.get_event_loop asyncio.new_event_loop asyncio.get_running_loop "
         "asyncio.AbstractEventLoop asyncio.BaseEventLoop asyncio.SelectorEventLoop asyncio.ProactorEventLoop "
         "asyncio.Runner.get_loop")
ALIASES.update({"asyncio.BaseEventLoop": "asyncio.AbstractEventLoop",
                "asyncio.events.AbstractEventLoop": "asyncio.AbstractEventLoop"})
_returns("asyncio.Runner", "asyncio.Runner")
_methods("ASL110", NESTED_LOOP, "asyncio.AbstractEventLoop", "run_until_complete run_forever", fix=None)
DISTINCTIVE_METHODS["run_until_complete"] = "asyncio.AbstractEventLoop"
# The child made by os.fork() serves no event loop: what it blocks, or a loop it starts, stops
# no task (`if pid == 0:` with `pid` of this type).
_returns("os.fork_pid", "os.fork")

# Calls that switch an object to a mode in which its blocking methods return at once
# (``sock.setblocking(False)``): after one, the object's methods are not reported.
NONBLOCKING_MODE: dict[str, ArgIs] = {}
# Methods of a future that return at once once it is done: after `future.add_done_callback(cb)`
# where `cb` sets an event, and an `await event.wait()`.
DONE_FUTURE_METHODS = frozenset({"concurrent.futures.Future.result", "concurrent.futures.Future.exception"})
# Waits that return at once once a loop polling the object's method has ended: after
# `while thread.is_alive(): await sleep(...)` (no `break`), `thread.join()` finds it finished.
ENDED_WHEN_POLLED = {"threading.Thread.join": "is_alive", "multiprocessing.Process.join": "is_alive"}
# Calls that switch the socket given as this argument to non-blocking mode (trio wraps it).
NONBLOCKING_ARGUMENT: dict[str, int] = {"trio.socket.from_stdlib_socket": 0}
# Waiting for readiness by these names (trio.lowlevel, anyio) is done on non-blocking sockets only:
# the argument is one, even where the callee cannot be resolved (a parametrized test's argument).
NONBLOCKING_ARGUMENT_NAMES: dict[str, int] = {"wait_readable": 0, "wait_writable": 0,
                                              "wait_socket_readable": 0, "wait_socket_writable": 0}
for _socket in ("socket.socket", "socket.datagram_socket"):
    NONBLOCKING_MODE[f"{_socket}.setblocking"] = ArgIs("flag", 0, (False, 0))
    NONBLOCKING_MODE[f"{_socket}.settimeout"] = ArgIs("value", 0, (0,))

# Exceptions raised only by non-blocking operations: code in a `try` that catches one of them
# works on a non-blocking socket or file descriptor.
NONBLOCKING_ERRORS = frozenset({"builtins.BlockingIOError", "ssl.SSLWantReadError", "ssl.SSLWantWriteError"})

# Calls that return a lazy iterator: the call does no I/O, iterating does. Reported where the
# iterator is consumed at once (`for p in root.glob("*")`, `list(os.walk(top))`).
_calls("ASL103", OPEN, "fileinput.input fileinput.FileInput")  # opens each file as iteration reaches it
_FS_LAZY = ("fileinput.input fileinput.FileInput pathlib.Path.glob pathlib.Path.rglob pathlib.Path.walk "
            "os.walk os.fwalk glob.iglob")
_returns("filesystem_iterator", _FS_LAZY)
LAZY = frozenset(_FS_LAZY.split()) | frozenset(
    "concurrent.futures.Executor.map concurrent.futures.as_completed multiprocessing.pool.Pool.imap "
    "multiprocessing.pool.Pool.imap_unordered".split())
_calls("ASL104", PATH_IO, "filesystem_iterator.__iter__")

# TO_THREAD: calls that run f(*args) in a worker thread and give back what it returns.
# OFFLOAD: calls that run their arguments in a worker thread (or later): a lazy iterator passed
# to one is not consumed on the loop. OFFLOAD_METHODS: the same for receivers of unknown type.
TO_THREAD = frozenset({"asyncio.to_thread", "trio.to_thread.run_sync", "anyio.to_thread.run_sync"})
# starlette 1.10.0 concurrency.py (fastapi re-exports it): run_in_threadpool runs f(*args) through
# anyio.to_thread.run_sync; iterate_in_threadpool advances the iterator it is given in the thread.
# asgiref's sync_to_async(f) makes an async function that runs f in an executor thread.
THREAD_POOL_CALLS = frozenset({
    "starlette.concurrency.run_in_threadpool", "starlette.concurrency.iterate_in_threadpool",
    "fastapi.concurrency.run_in_threadpool", "fastapi.concurrency.iterate_in_threadpool", "asgiref.sync.sync_to_async"})
OFFLOAD = TO_THREAD | THREAD_POOL_CALLS | {"asyncio.AbstractEventLoop.run_in_executor", "functools.partial"}
OFFLOAD_METHODS = frozenset({"run_in_executor", "run_sync", "submit"})

# What a function must not do for a thread wrap of it (ASL401) to keep its behaviour. Calls that bind
# to the running event loop (or the async library's current task): from a worker thread they raise
# or bind to another loop. The same by method name, for receivers of unknown type (a loop, a future).
LOOP_BOUND = frozenset("""
    asyncio.get_event_loop asyncio.events.get_event_loop asyncio.get_running_loop asyncio.events.get_running_loop
    asyncio.create_task asyncio.ensure_future asyncio.gather asyncio.wrap_future asyncio.current_task
    asyncio.all_tasks asyncio.Future asyncio.Task asyncio.Event asyncio.Lock asyncio.Condition asyncio.Semaphore
    asyncio.BoundedSemaphore asyncio.Queue asyncio.LifoQueue asyncio.PriorityQueue asyncio.TaskGroup
    tornado.ioloop.IOLoop.current tornado.concurrent.Future trio.lowlevel.current_task
    trio.lowlevel.current_trio_token trio.lowlevel.spawn_system_task anyio.get_current_task
    sniffio.current_async_library""".split())
LOOP_BOUND_METHODS = frozenset("""create_future create_task call_soon call_later call_at add_done_callback
    set_result set_exception add_reader add_writer remove_reader remove_writer run_in_executor""".split())
# Locks owned by threads: an await point inside one lets another task of the same loop block on it.
THREAD_LOCK_TYPES = frozenset("threading.Lock threading.RLock threading.Condition threading.Semaphore".split())
# Methods that change the container they are called on (list, dict, set, deque): on shared state,
# a write that an await point before it lets another task's update slip under.
CONTAINER_MUTATORS = frozenset("""append extend insert remove pop popitem clear update setdefault add discard
    difference_update intersection_update symmetric_difference_update sort reverse appendleft popleft
    extendleft rotate""".split())
# What a comment (or the function's docstring) says when a blocking call is there on purpose, to
# show or test what blocking does: a fix would undo what the code is for. Regular expressions,
# matched ignoring case; "would/can block the event loop" (a warning about it) is not one of them.
DELIBERATE_BLOCKING = (
    r"^\W*block(ing)? the (event )?loop\b",  # "# Block the event loop! ..." (the imperative)
    r"\b(intentional(ly)?|deliberate(ly)?|purposely|purposefully|on purpose)\b.*\bblock",
    r"\bblock\w*\b.*\b(intentional(ly)?|deliberate(ly)?|on purpose)\b",
    r"\bsimulat\w* (a |the )?(blocking|synchronous|sync|cpu-bound|slow blocking)\b",
    r"\bload[- ]test",
)
# Context variables set in a worker thread are lost (to_thread runs a copy of the context);
# thread-local state read or written there is another thread's.
CONTEXT_WRITES = frozenset("contextvars.ContextVar.set contextvars.ContextVar.reset".split())
# Locks that belong to the thread that acquired them: taken in a worker thread, the loop's thread
# cannot release them.
OWNER_BOUND_ACQUIRES = frozenset("threading.RLock.acquire threading.Condition.acquire".split())
_returns("contextvars.ContextVar", "contextvars.ContextVar")
_returns("threading.local", "threading.local")

# No automatic fix for these. Calls that return a lazy iterator would, in a worker thread, only
# create it: the blocking work would still happen on the loop as it is consumed. sqlite3 objects
# refuse use from a thread other than their creator's (``check_same_thread``).
_NO_FIX = ("os.walk os.fwalk os.scandir glob.iglob fileinput.input pathlib.Path.iterdir pathlib.Path.glob "
           "pathlib.Path.rglob pathlib.Path.walk multiprocessing.pool.Pool.imap "
           "multiprocessing.pool.Pool.imap_unordered concurrent.futures.Executor.map "
           "concurrent.futures.as_completed")
_WITHHELD = {name: "a lazy iterator: the work happens as it is consumed" for name in _NO_FIX.split()}
_WITHHELD.update({name: "sqlite3 objects belong to the thread that made them"
                  for name in BLOCKING if name.startswith("sqlite3.")})
_WITHHELD.update({name: "an owner-bound lock: a worker thread would hold it"
                  for name in BLOCKING if name.startswith(("threading.RLock.", "threading.Condition."))})
for _name, _reason in _WITHHELD.items():
    if _name in BLOCKING:
        BLOCKING[_name] = replace(BLOCKING[_name], fix_kind=None, withheld=_reason)

# Decorators that change what calling a sync function runs (the call chains of ASL401/ASL402):
# a context manager factory runs its body only in a `with` statement; these others return a
# coroutine or an awaitable that runs the function elsewhere (in a worker thread).
CONTEXT_MANAGER_DECORATORS = frozenset({"contextlib.contextmanager"})
COROUTINE_DECORATORS = frozenset({"asgiref.sync.sync_to_async", "types.coroutine", "asyncio.coroutine",
                                  "starlette.concurrency.run_in_threadpool", "anyio.to_thread.run_sync"})

# -- Code the event loop runs without an `async def` -----------------------------------------------
# Registrations whose callback the event loop calls on its own thread (asyncio's events.py, futures.py):
# method name -> the position of the callback. By name, as a loop or a future is often an attribute
# of unknown type; concurrent.futures.Future.add_done_callback runs its callback in the thread that
# completes the future, and is left out by its type (CONCURRENT_CALLBACK_TYPES).
LOOP_CALLBACK_METHODS: dict[str, int] = {
    "call_soon": 0, "call_soon_threadsafe": 0, "call_later": 1, "call_at": 1, "add_reader": 1,
    "add_writer": 1, "add_signal_handler": 1, "add_done_callback": 0,
}
CONCURRENT_CALLBACK_TYPES = frozenset({"concurrent.futures.Future"})
# Decorators that mark a sync function as run on the event loop (the setting
# `loop-callback-decorators` adds a project's own). Home Assistant's core.py: "Annotation to mark
# method as safe to call from within the event loop"; textual 8.2.8 message_pump.py calls the
# handlers `@on(...)` declares on the app's loop, a sync one directly (_callback.invoke).
LOOP_CALLBACK_DECORATORS = frozenset({"homeassistant.core.callback", "textual.on"})
# Frameworks that call these methods of their classes' subclasses on the event loop, sync ones too:
# base class -> method names. tornado 6.6.1 (asyncio's loop since 5.0): RequestHandler._execute
# calls prepare() and the verb's method, and awaits the result only when it is awaitable
# (web.py); the websocket protocol calls open() and on_message() the same way (websocket.py).
_TORNADO_VERBS = "get head post delete patch put options prepare on_finish on_connection_close"
LOOP_METHODS_OF: dict[str, frozenset[str]] = {
    "tornado.web.RequestHandler": frozenset(_TORNADO_VERBS.split()),
    "tornado.websocket.WebSocketHandler": frozenset(f"{_TORNADO_VERBS} open on_message on_close on_ping on_pong".split()),
}

# -- Async code a framework runs in a thread of its own ---------------------------------------------
# textual 8.2.8 (worker.py, Worker._run_threaded): a thread worker runs an async function with
# asyncio.run() in its own thread, on that thread's event loop: `run_worker(work, thread=True)`
# (DOMNode.run_worker, by method name -> the position of the work) and `@work(thread=True)`.
THREAD_WORKER_METHODS: dict[str, tuple[int, ArgIs]] = {"run_worker": (0, ArgIs("thread", None, (True,)))}
THREAD_WORKER_DECORATORS: dict[str, ArgIs] = {"textual.work": ArgIs("thread", None, (True,))}

# -- The async libraries ------------------------------------------------------------------------
# Their coroutine functions are generated from the installed libraries (asynclint/library_tables.py);
# tests/test_library_tables.py fails when an installed library has one the table lacks.

# -- BEGIN GENERATED by `python -m asynclint.library_tables --write`: do not edit by hand --
# The versions read (asyncio's is Python's).
GENERATED_FROM: dict[str, str] = {'asyncio': '3.11', 'trio': '0.35.0', 'anyio': '4.16.0'}
# Coroutine functions and methods of the async libraries (calling one runs nothing).
GENERATED_COROUTINES: frozenset[str] = frozenset("""
    anyio.AsyncFile.aclose
    anyio.AsyncFile.flush
    anyio.AsyncFile.read
    anyio.AsyncFile.read1
    anyio.AsyncFile.readinto
    anyio.AsyncFile.readinto1
    anyio.AsyncFile.readline
    anyio.AsyncFile.readlines
    anyio.AsyncFile.seek
    anyio.AsyncFile.tell
    anyio.AsyncFile.truncate
    anyio.AsyncFile.write
    anyio.AsyncFile.writelines
    anyio.CapacityLimiter.acquire
    anyio.CapacityLimiter.acquire_on_behalf_of
    anyio.Condition.acquire
    anyio.Condition.wait
    anyio.Condition.wait_for
    anyio.Event.wait
    anyio.Future.wait
    anyio.Lock.acquire
    anyio.Path.absolute
    anyio.Path.chmod
    anyio.Path.cwd
    anyio.Path.exists
    anyio.Path.expanduser
    anyio.Path.group
    anyio.Path.hardlink_to
    anyio.Path.home
    anyio.Path.is_block_device
    anyio.Path.is_char_device
    anyio.Path.is_dir
    anyio.Path.is_fifo
    anyio.Path.is_file
    anyio.Path.is_mount
    anyio.Path.is_socket
    anyio.Path.is_symlink
    anyio.Path.lchmod
    anyio.Path.lstat
    anyio.Path.mkdir
    anyio.Path.open
    anyio.Path.owner
    anyio.Path.read_bytes
    anyio.Path.read_text
    anyio.Path.readlink
    anyio.Path.rename
    anyio.Path.replace
    anyio.Path.resolve
    anyio.Path.rmdir
    anyio.Path.samefile
    anyio.Path.stat
    anyio.Path.symlink_to
    anyio.Path.touch
    anyio.Path.unlink
    anyio.Path.write_bytes
    anyio.Path.write_text
    anyio.Semaphore.acquire
    anyio.SpooledTemporaryFile.aclose
    anyio.SpooledTemporaryFile.flush
    anyio.SpooledTemporaryFile.read
    anyio.SpooledTemporaryFile.read1
    anyio.SpooledTemporaryFile.readinto
    anyio.SpooledTemporaryFile.readinto1
    anyio.SpooledTemporaryFile.readline
    anyio.SpooledTemporaryFile.readlines
    anyio.SpooledTemporaryFile.rollover
    anyio.SpooledTemporaryFile.seek
    anyio.SpooledTemporaryFile.tell
    anyio.SpooledTemporaryFile.truncate
    anyio.SpooledTemporaryFile.write
    anyio.SpooledTemporaryFile.writelines
    anyio.TCPConnectable.connect
    anyio.TaskHandle.wait
    anyio.TemporaryDirectory.cleanup
    anyio.UNIXConnectable.connect
    anyio.abc.AsyncBackend.cancel_shielded_checkpoint
    anyio.abc.AsyncBackend.checkpoint
    anyio.abc.AsyncBackend.checkpoint_if_cancelled
    anyio.abc.AsyncBackend.connect_tcp
    anyio.abc.AsyncBackend.connect_unix
    anyio.abc.AsyncBackend.create_udp_socket
    anyio.abc.AsyncBackend.create_unix_datagram_socket
    anyio.abc.AsyncBackend.getaddrinfo
    anyio.abc.AsyncBackend.getnameinfo
    anyio.abc.AsyncBackend.open_process
    anyio.abc.AsyncBackend.run_sync_in_worker_thread
    anyio.abc.AsyncBackend.sleep
    anyio.abc.AsyncBackend.wait_all_tasks_blocked
    anyio.abc.AsyncBackend.wait_readable
    anyio.abc.AsyncBackend.wait_writable
    anyio.abc.AsyncBackend.wrap_connected_udp_socket
    anyio.abc.AsyncBackend.wrap_connected_unix_datagram_socket
    anyio.abc.AsyncBackend.wrap_listener_socket
    anyio.abc.AsyncBackend.wrap_stream_socket
    anyio.abc.AsyncBackend.wrap_udp_socket
    anyio.abc.AsyncBackend.wrap_unix_datagram_socket
    anyio.abc.AsyncBackend.wrap_unix_stream_socket
    anyio.abc.AsyncResource.aclose
    anyio.abc.ByteReceiveStream.aclose
    anyio.abc.ByteReceiveStream.receive
    anyio.abc.ByteSendStream.aclose
    anyio.abc.ByteSendStream.send
    anyio.abc.ByteStream.aclose
    anyio.abc.ByteStream.receive
    anyio.abc.ByteStream.send
    anyio.abc.ByteStream.send_eof
    anyio.abc.ByteStreamConnectable.connect
    anyio.abc.ConnectedUDPSocket.aclose
    anyio.abc.ConnectedUDPSocket.from_socket
    anyio.abc.ConnectedUDPSocket.receive
    anyio.abc.ConnectedUDPSocket.send
    anyio.abc.ConnectedUNIXDatagramSocket.aclose
    anyio.abc.ConnectedUNIXDatagramSocket.from_socket
    anyio.abc.ConnectedUNIXDatagramSocket.receive
    anyio.abc.ConnectedUNIXDatagramSocket.send
    anyio.abc.Listener.aclose
    anyio.abc.Listener.serve
    anyio.abc.ObjectReceiveStream.aclose
    anyio.abc.ObjectReceiveStream.receive
    anyio.abc.ObjectSendStream.aclose
    anyio.abc.ObjectSendStream.send
    anyio.abc.ObjectStream.aclose
    anyio.abc.ObjectStream.receive
    anyio.abc.ObjectStream.send
    anyio.abc.ObjectStream.send_eof
    anyio.abc.ObjectStreamConnectable.connect
    anyio.abc.Process.aclose
    anyio.abc.Process.wait
    anyio.abc.SocketListener.accept
    anyio.abc.SocketListener.aclose
    anyio.abc.SocketListener.from_socket
    anyio.abc.SocketListener.serve
    anyio.abc.SocketStream.aclose
    anyio.abc.SocketStream.from_socket
    anyio.abc.SocketStream.receive
    anyio.abc.SocketStream.send
    anyio.abc.SocketStream.send_eof
    anyio.abc.TaskGroup.start
    anyio.abc.UDPSocket.aclose
    anyio.abc.UDPSocket.from_socket
    anyio.abc.UDPSocket.receive
    anyio.abc.UDPSocket.send
    anyio.abc.UDPSocket.sendto
    anyio.abc.UNIXDatagramSocket.aclose
    anyio.abc.UNIXDatagramSocket.from_socket
    anyio.abc.UNIXDatagramSocket.receive
    anyio.abc.UNIXDatagramSocket.send
    anyio.abc.UNIXDatagramSocket.sendto
    anyio.abc.UNIXSocketStream.aclose
    anyio.abc.UNIXSocketStream.from_socket
    anyio.abc.UNIXSocketStream.receive
    anyio.abc.UNIXSocketStream.receive_fds
    anyio.abc.UNIXSocketStream.send
    anyio.abc.UNIXSocketStream.send_eof
    anyio.abc.UNIXSocketStream.send_fds
    anyio.abc.UnreliableObjectReceiveStream.aclose
    anyio.abc.UnreliableObjectReceiveStream.receive
    anyio.abc.UnreliableObjectSendStream.aclose
    anyio.abc.UnreliableObjectSendStream.send
    anyio.abc.UnreliableObjectStream.aclose
    anyio.abc.UnreliableObjectStream.receive
    anyio.abc.UnreliableObjectStream.send
    anyio.aclose_forcefully
    anyio.amap
    anyio.connect_tcp
    anyio.connect_unix
    anyio.create_connected_udp_socket
    anyio.create_connected_unix_datagram_socket
    anyio.create_tcp_listener
    anyio.create_udp_socket
    anyio.create_unix_datagram_socket
    anyio.create_unix_listener
    anyio.gather
    anyio.getaddrinfo
    anyio.getnameinfo
    anyio.gettempdir
    anyio.gettempdirb
    anyio.lowlevel.cancel_shielded_checkpoint
    anyio.lowlevel.checkpoint
    anyio.lowlevel.checkpoint_if_cancelled
    anyio.mkdtemp
    anyio.mkstemp
    anyio.open_file
    anyio.open_process
    anyio.run_process
    anyio.sleep
    anyio.sleep_forever
    anyio.sleep_until
    anyio.streams.buffered.BufferedByteReceiveStream.aclose
    anyio.streams.buffered.BufferedByteReceiveStream.receive
    anyio.streams.buffered.BufferedByteReceiveStream.receive_exactly
    anyio.streams.buffered.BufferedByteReceiveStream.receive_until
    anyio.streams.buffered.BufferedByteStream.aclose
    anyio.streams.buffered.BufferedByteStream.receive
    anyio.streams.buffered.BufferedByteStream.receive_exactly
    anyio.streams.buffered.BufferedByteStream.receive_until
    anyio.streams.buffered.BufferedByteStream.send
    anyio.streams.buffered.BufferedByteStream.send_eof
    anyio.streams.buffered.BufferedConnectable.connect
    anyio.streams.file.FileReadStream.aclose
    anyio.streams.file.FileReadStream.from_path
    anyio.streams.file.FileReadStream.receive
    anyio.streams.file.FileReadStream.seek
    anyio.streams.file.FileReadStream.tell
    anyio.streams.file.FileWriteStream.aclose
    anyio.streams.file.FileWriteStream.from_path
    anyio.streams.file.FileWriteStream.send
    anyio.streams.memory.MemoryObjectReceiveStream.aclose
    anyio.streams.memory.MemoryObjectReceiveStream.receive
    anyio.streams.memory.MemoryObjectSendStream.aclose
    anyio.streams.memory.MemoryObjectSendStream.send
    anyio.streams.stapled.MultiListener.aclose
    anyio.streams.stapled.MultiListener.serve
    anyio.streams.stapled.StapledByteStream.aclose
    anyio.streams.stapled.StapledByteStream.receive
    anyio.streams.stapled.StapledByteStream.send
    anyio.streams.stapled.StapledByteStream.send_eof
    anyio.streams.stapled.StapledObjectStream.aclose
    anyio.streams.stapled.StapledObjectStream.receive
    anyio.streams.stapled.StapledObjectStream.send
    anyio.streams.stapled.StapledObjectStream.send_eof
    anyio.streams.text.TextConnectable.connect
    anyio.streams.text.TextReceiveStream.aclose
    anyio.streams.text.TextReceiveStream.receive
    anyio.streams.text.TextSendStream.aclose
    anyio.streams.text.TextSendStream.send
    anyio.streams.text.TextStream.aclose
    anyio.streams.text.TextStream.receive
    anyio.streams.text.TextStream.send
    anyio.streams.text.TextStream.send_eof
    anyio.streams.tls.TLSConnectable.connect
    anyio.streams.tls.TLSListener.aclose
    anyio.streams.tls.TLSListener.handle_handshake_error
    anyio.streams.tls.TLSListener.serve
    anyio.streams.tls.TLSStream.aclose
    anyio.streams.tls.TLSStream.receive
    anyio.streams.tls.TLSStream.send
    anyio.streams.tls.TLSStream.send_eof
    anyio.streams.tls.TLSStream.unwrap
    anyio.streams.tls.TLSStream.wrap
    anyio.to_process.run_sync
    anyio.to_thread.run_sync
    anyio.wait_all_tasks_blocked
    anyio.wait_readable
    anyio.wait_socket_readable
    anyio.wait_socket_writable
    anyio.wait_writable
    asyncio.AbstractEventLoop.connect_accepted_socket
    asyncio.AbstractEventLoop.connect_read_pipe
    asyncio.AbstractEventLoop.connect_write_pipe
    asyncio.AbstractEventLoop.create_connection
    asyncio.AbstractEventLoop.create_datagram_endpoint
    asyncio.AbstractEventLoop.create_server
    asyncio.AbstractEventLoop.create_unix_connection
    asyncio.AbstractEventLoop.create_unix_server
    asyncio.AbstractEventLoop.getaddrinfo
    asyncio.AbstractEventLoop.getnameinfo
    asyncio.AbstractEventLoop.sendfile
    asyncio.AbstractEventLoop.shutdown_asyncgens
    asyncio.AbstractEventLoop.shutdown_default_executor
    asyncio.AbstractEventLoop.sock_accept
    asyncio.AbstractEventLoop.sock_connect
    asyncio.AbstractEventLoop.sock_recv
    asyncio.AbstractEventLoop.sock_recv_into
    asyncio.AbstractEventLoop.sock_recvfrom
    asyncio.AbstractEventLoop.sock_recvfrom_into
    asyncio.AbstractEventLoop.sock_sendall
    asyncio.AbstractEventLoop.sock_sendfile
    asyncio.AbstractEventLoop.sock_sendto
    asyncio.AbstractEventLoop.start_tls
    asyncio.AbstractEventLoop.subprocess_exec
    asyncio.AbstractEventLoop.subprocess_shell
    asyncio.AbstractServer.serve_forever
    asyncio.AbstractServer.start_serving
    asyncio.AbstractServer.wait_closed
    asyncio.Barrier.abort
    asyncio.Barrier.reset
    asyncio.Barrier.wait
    asyncio.BoundedSemaphore.acquire
    asyncio.Condition.wait
    asyncio.Condition.wait_for
    asyncio.Event.wait
    asyncio.LifoQueue.get
    asyncio.LifoQueue.join
    asyncio.LifoQueue.put
    asyncio.Lock.acquire
    asyncio.PriorityQueue.get
    asyncio.PriorityQueue.join
    asyncio.PriorityQueue.put
    asyncio.Queue.get
    asyncio.Queue.join
    asyncio.Queue.put
    asyncio.Semaphore.acquire
    asyncio.Server.serve_forever
    asyncio.Server.start_serving
    asyncio.Server.wait_closed
    asyncio.StreamReader.read
    asyncio.StreamReader.readexactly
    asyncio.StreamReader.readline
    asyncio.StreamReader.readuntil
    asyncio.StreamWriter.drain
    asyncio.StreamWriter.start_tls
    asyncio.StreamWriter.wait_closed
    asyncio.create_subprocess_exec
    asyncio.create_subprocess_shell
    asyncio.open_connection
    asyncio.open_unix_connection
    asyncio.sleep
    asyncio.start_server
    asyncio.start_unix_server
    asyncio.to_thread
    asyncio.wait
    asyncio.wait_for
    trio.CapacityLimiter.acquire
    trio.CapacityLimiter.acquire_on_behalf_of
    trio.Condition.acquire
    trio.Condition.wait
    trio.DTLSChannel.aclose
    trio.DTLSChannel.do_handshake
    trio.DTLSChannel.receive
    trio.DTLSChannel.send
    trio.DTLSEndpoint.serve
    trio.Event.wait
    trio.Lock.acquire
    trio.MemoryReceiveChannel.aclose
    trio.MemoryReceiveChannel.receive
    trio.MemorySendChannel.aclose
    trio.MemorySendChannel.send
    trio.Nursery.start
    trio.Path.absolute
    trio.Path.chmod
    trio.Path.cwd
    trio.Path.exists
    trio.Path.expanduser
    trio.Path.glob
    trio.Path.group
    trio.Path.hardlink_to
    trio.Path.home
    trio.Path.is_block_device
    trio.Path.is_char_device
    trio.Path.is_dir
    trio.Path.is_fifo
    trio.Path.is_file
    trio.Path.is_mount
    trio.Path.is_socket
    trio.Path.is_symlink
    trio.Path.iterdir
    trio.Path.lchmod
    trio.Path.link_to
    trio.Path.lstat
    trio.Path.mkdir
    trio.Path.open
    trio.Path.owner
    trio.Path.read_bytes
    trio.Path.read_text
    trio.Path.readlink
    trio.Path.rename
    trio.Path.replace
    trio.Path.resolve
    trio.Path.rglob
    trio.Path.rmdir
    trio.Path.samefile
    trio.Path.stat
    trio.Path.symlink_to
    trio.Path.touch
    trio.Path.unlink
    trio.Path.write_bytes
    trio.Path.write_text
    trio.PosixPath.absolute
    trio.PosixPath.chmod
    trio.PosixPath.cwd
    trio.PosixPath.exists
    trio.PosixPath.expanduser
    trio.PosixPath.glob
    trio.PosixPath.group
    trio.PosixPath.hardlink_to
    trio.PosixPath.home
    trio.PosixPath.is_block_device
    trio.PosixPath.is_char_device
    trio.PosixPath.is_dir
    trio.PosixPath.is_fifo
    trio.PosixPath.is_file
    trio.PosixPath.is_mount
    trio.PosixPath.is_socket
    trio.PosixPath.is_symlink
    trio.PosixPath.iterdir
    trio.PosixPath.lchmod
    trio.PosixPath.link_to
    trio.PosixPath.lstat
    trio.PosixPath.mkdir
    trio.PosixPath.open
    trio.PosixPath.owner
    trio.PosixPath.read_bytes
    trio.PosixPath.read_text
    trio.PosixPath.readlink
    trio.PosixPath.rename
    trio.PosixPath.replace
    trio.PosixPath.resolve
    trio.PosixPath.rglob
    trio.PosixPath.rmdir
    trio.PosixPath.samefile
    trio.PosixPath.stat
    trio.PosixPath.symlink_to
    trio.PosixPath.touch
    trio.PosixPath.unlink
    trio.PosixPath.write_bytes
    trio.PosixPath.write_text
    trio.Process.wait
    trio.SSLListener.accept
    trio.SSLListener.aclose
    trio.SSLStream.aclose
    trio.SSLStream.do_handshake
    trio.SSLStream.receive_some
    trio.SSLStream.send_all
    trio.SSLStream.unwrap
    trio.SSLStream.wait_send_all_might_not_block
    trio.Semaphore.acquire
    trio.SocketListener.accept
    trio.SocketListener.aclose
    trio.SocketStream.aclose
    trio.SocketStream.receive_some
    trio.SocketStream.send_all
    trio.SocketStream.send_eof
    trio.SocketStream.wait_send_all_might_not_block
    trio.StapledStream.aclose
    trio.StapledStream.receive_some
    trio.StapledStream.send_all
    trio.StapledStream.send_eof
    trio.StapledStream.wait_send_all_might_not_block
    trio.StrictFIFOLock.acquire
    trio.WindowsPath.absolute
    trio.WindowsPath.chmod
    trio.WindowsPath.cwd
    trio.WindowsPath.exists
    trio.WindowsPath.expanduser
    trio.WindowsPath.glob
    trio.WindowsPath.group
    trio.WindowsPath.hardlink_to
    trio.WindowsPath.home
    trio.WindowsPath.is_block_device
    trio.WindowsPath.is_char_device
    trio.WindowsPath.is_dir
    trio.WindowsPath.is_fifo
    trio.WindowsPath.is_file
    trio.WindowsPath.is_mount
    trio.WindowsPath.is_socket
    trio.WindowsPath.is_symlink
    trio.WindowsPath.iterdir
    trio.WindowsPath.lchmod
    trio.WindowsPath.link_to
    trio.WindowsPath.lstat
    trio.WindowsPath.mkdir
    trio.WindowsPath.open
    trio.WindowsPath.owner
    trio.WindowsPath.read_bytes
    trio.WindowsPath.read_text
    trio.WindowsPath.readlink
    trio.WindowsPath.rename
    trio.WindowsPath.replace
    trio.WindowsPath.resolve
    trio.WindowsPath.rglob
    trio.WindowsPath.rmdir
    trio.WindowsPath.samefile
    trio.WindowsPath.stat
    trio.WindowsPath.symlink_to
    trio.WindowsPath.touch
    trio.WindowsPath.unlink
    trio.WindowsPath.write_bytes
    trio.WindowsPath.write_text
    trio.abc.AsyncResource.aclose
    trio.abc.Channel.aclose
    trio.abc.Channel.receive
    trio.abc.Channel.send
    trio.abc.HalfCloseableStream.aclose
    trio.abc.HalfCloseableStream.receive_some
    trio.abc.HalfCloseableStream.send_all
    trio.abc.HalfCloseableStream.send_eof
    trio.abc.HalfCloseableStream.wait_send_all_might_not_block
    trio.abc.HostnameResolver.getaddrinfo
    trio.abc.HostnameResolver.getnameinfo
    trio.abc.Listener.accept
    trio.abc.Listener.aclose
    trio.abc.ReceiveChannel.aclose
    trio.abc.ReceiveChannel.receive
    trio.abc.ReceiveStream.aclose
    trio.abc.ReceiveStream.receive_some
    trio.abc.SendChannel.aclose
    trio.abc.SendChannel.send
    trio.abc.SendStream.aclose
    trio.abc.SendStream.send_all
    trio.abc.SendStream.wait_send_all_might_not_block
    trio.abc.Stream.aclose
    trio.abc.Stream.receive_some
    trio.abc.Stream.send_all
    trio.abc.Stream.wait_send_all_might_not_block
    trio.aclose_forcefully
    trio.lowlevel.FdStream.aclose
    trio.lowlevel.FdStream.receive_some
    trio.lowlevel.FdStream.send_all
    trio.lowlevel.FdStream.wait_send_all_might_not_block
    trio.lowlevel.ParkingLot.park
    trio.lowlevel.UnboundedQueue.get_batch
    trio.lowlevel.cancel_shielded_checkpoint
    trio.lowlevel.checkpoint
    trio.lowlevel.checkpoint_if_cancelled
    trio.lowlevel.open_process
    trio.lowlevel.permanently_detach_coroutine_object
    trio.lowlevel.reattach_detached_coroutine_object
    trio.lowlevel.temporarily_detach_coroutine_object
    trio.lowlevel.wait_readable
    trio.lowlevel.wait_task_rescheduled
    trio.lowlevel.wait_writable
    trio.open_file
    trio.open_ssl_over_tcp_listeners
    trio.open_ssl_over_tcp_stream
    trio.open_tcp_listeners
    trio.open_tcp_stream
    trio.open_unix_socket
    trio.run_process
    trio.serve_listeners
    trio.serve_ssl_over_tcp
    trio.serve_tcp
    trio.sleep
    trio.sleep_forever
    trio.sleep_until
    trio.socket.SocketType.accept
    trio.socket.SocketType.bind
    trio.socket.SocketType.connect
    trio.socket.SocketType.sendmsg
    trio.socket.SocketType.sendto
    trio.socket.SocketType.wait_writable
    trio.socket.getaddrinfo
    trio.socket.getnameinfo
    trio.socket.getprotobyname
    trio.testing.MemoryReceiveStream.aclose
    trio.testing.MemoryReceiveStream.receive_some
    trio.testing.MemorySendStream.aclose
    trio.testing.MemorySendStream.get_data
    trio.testing.MemorySendStream.send_all
    trio.testing.MemorySendStream.wait_send_all_might_not_block
    trio.testing.check_half_closeable_stream
    trio.testing.check_one_way_stream
    trio.testing.check_two_way_stream
    trio.testing.open_stream_to_socket_listener
    trio.testing.wait_all_tasks_blocked
    trio.testing.wait_all_threads_completed
    trio.to_thread.run_sync
""".split())
# Functions that return an async context manager -> the type `async with f() as x` binds to x.
GENERATED_ASYNC_CONTEXT_MANAGERS: dict[str, str] = {
    'anyio.as_completed': '',
    'asyncio.timeout': 'asyncio.Timeout',
    'asyncio.timeout_at': 'asyncio.Timeout',
    'trio.open_nursery': 'trio.Nursery',
}
# -- END GENERATED --

# Awaitables the introspection cannot see: libraries not installed for the tests, functions outside
# the public modules, and managers whose type also has coroutine methods of its own.
_HAND_COROUTINES = frozenset("""
    aiofiles.open asyncio.staggered.staggered_race anyio.create_task_group
""".split())
LIBRARY_COROUTINES: frozenset[str] = GENERATED_COROUTINES | GENERATED_ASYNC_CONTEXT_MANAGERS.keys() | _HAND_COROUTINES
# What `async with f() as x` binds to x, for the async context managers above.
ASYNC_ENTERS: dict[str, str] = {
    **{name: entered for name, entered in GENERATED_ASYNC_CONTEXT_MANAGERS.items() if entered},
    "anyio.create_task_group": "anyio.abc.TaskGroup",
}

# Library calls whose result `async with` enters as it is (async context managers, and aiofiles'
# awaitable manager); `async with` on any other coroutine raises TypeError.
ENTERED_DIRECTLY: frozenset[str] = frozenset(ASYNC_ENTERS) | GENERATED_ASYNC_CONTEXT_MANAGERS.keys() | {"aiofiles.open"}

# Library awaitables whose usual form is not a plain `await`.
USE_INSTEAD: dict[str, str] = {
    **{name: f"use `async with {name}(...)`" for name in GENERATED_ASYNC_CONTEXT_MANAGERS},
    "anyio.create_task_group": "use `async with anyio.create_task_group() as tg:`",
    "aiofiles.open": "use `async with aiofiles.open(...) as f:`",
    "trio.open_file": "use `await trio.open_file(...)` (or `async with await trio.open_file(...)`)",
    "anyio.open_file": "use `await anyio.open_file(...)` (or `async with await anyio.open_file(...)`)",
}

# Calls that start a task from a coroutine and return the task: dropping the result leaves the
# task referenced only weakly by the event loop.
TASK_SPAWNERS: frozenset[str] = frozenset("""
    asyncio.create_task asyncio.ensure_future asyncio.tasks.create_task asyncio.tasks.ensure_future
    asyncio.AbstractEventLoop.create_task
""".split())

# Calls that only look at their argument (print it, log it, test its type): a coroutine passed to
# one of these is still lost. Any other call is given the benefit of the doubt.
NON_CONSUMERS: frozenset[str] = frozenset("""
    builtins.print builtins.repr builtins.str builtins.format builtins.id builtins.type builtins.len
    builtins.isinstance builtins.bool builtins.hash builtins.callable
""".split())
# Methods that only log their arguments (on a logger of any type).
LOGGING_METHODS: frozenset[str] = frozenset("debug info warning warn error exception critical log".split())

# Decorators that leave an ``async def`` a coroutine function. Any other decorator may turn it
# into something else (a fixture, a task factory, a sync wrapper): its calls are not judged.
TRANSPARENT_DECORATORS: frozenset[str] = frozenset("""
    builtins.staticmethod builtins.classmethod abc.abstractmethod typing.override
    typing_extensions.override functools.wraps
""".split())

# Blocks in which a call is expected to raise (or to warn) at once: a test of a coroutine function's
# signature, or of the "never awaited" warning itself.
EXPECTING_MANAGERS: frozenset[str] = frozenset("pytest.raises pytest.warns".split())
EXPECTING_METHODS: frozenset[str] = frozenset(
    "assertRaises assertRaisesRegex assertWarns assertWarnsRegex".split())

LOOP_GETTERS: dict[str, str] = {
    "asyncio.get_event_loop": "asyncio.get_running_loop",
    "asyncio.events.get_event_loop": "asyncio.get_running_loop",
}

# pytest (9.x: _pytest/tmpdir.py, _pytest/legacypath.py) and py.path (py 1.11 _path/local.py).
# Parameters of a test function or a fixture named after a built-in fixture are of its type.
PYTEST_FIXTURES: dict[str, str] = {
    "tmp_path": "pathlib.Path", "tmp_path_factory": "pytest.TempPathFactory",
    "tmpdir": "py.path.local", "tmpdir_factory": "pytest.TempdirFactory",
}
FIXTURE_DECORATORS = frozenset({"pytest.fixture", "pytest_asyncio.fixture"})
ALIASES.update({"_pytest.tmpdir.TempPathFactory": "pytest.TempPathFactory",
                "_pytest.legacypath.TempdirFactory": "pytest.TempdirFactory", "py._path.local.LocalPath": "py.path.local"})
_returns("pathlib.Path", "pytest.TempPathFactory.mktemp pytest.TempPathFactory.getbasetemp")
_returns("py.path.local", "pytest.TempdirFactory.mktemp pytest.TempdirFactory.getbasetemp py.path.local "
         "py.path.local.join py.path.local.__truediv__ py.path.local.dirpath py.path.local.new py.path.local.mkdir "
         "py.path.local.ensure py.path.local.mkdtemp")
_methods("ASL104", THREAD, "py.path.local", "read read_text read_binary readlines write write_text write_binary "
         "ensure mkdir remove listdir exists check isdir isfile islink size mtime stat lstat copy move rename "
         "chmod chown visit load dump setmtime samefile realpath mksymlinkto")
_calls("ASL103", OPEN, "py.path.local.open")
_returns("io.IOBase", "py.path.local.open")
# A fixture's generator or iterator annotation names what it yields (`-> Iterator[Path]`).
YIELDING = frozenset(f"{m}.{n}" for m in ("typing", "collections.abc") for n in (
    "Iterator Generator AsyncIterator AsyncGenerator Iterable").split())

# Annotations: stdlib classes named in annotations -> the catalog type whose methods they share
# (a small class hierarchy: every file object is an io.IOBase; CPython 3.11 io, socket). Not
# typing.IO/TextIO/BinaryIO: they mean "file-like", and on real code the object is as often an
# io.BytesIO/StringIO or a spooled buffer (starlette's UploadFile, aiohttp's StringIOPayload).
SUPERTYPES: dict[str, str] = {
    **{f"io.{name}": "io.IOBase" for name in (
        "TextIOWrapper BufferedReader BufferedWriter BufferedRandom BufferedRWPair FileIO RawIOBase "
        "BufferedIOBase TextIOBase").split()},
    "_io.TextIOWrapper": "io.IOBase", "_io.BufferedReader": "io.IOBase", "_io.BufferedWriter": "io.IOBase",
    "socket.SocketType": "socket.socket",
    **{f"urllib3.{name}": "urllib3.PoolManager" for name in (
        "HTTPConnectionPool HTTPSConnectionPool ProxyManager connectionpool.ConnectionPool "
        "connectionpool.HTTPConnectionPool connectionpool.HTTPSConnectionPool poolmanager.PoolManager "
        "poolmanager.ProxyManager request.RequestMethods _request_methods.RequestMethods").split()},
    "multiprocessing.context.Process": "multiprocessing.Process",
}
# Generic containers whose type argument is the type of their elements (`list[Thread]`), and the
# tuple types whose arguments are the types of their items (`tuple[socket, socket]`).
TUPLES = frozenset({"builtins.tuple", "typing.Tuple"})
CONTAINERS = TUPLES | frozenset(
    f"{module}.{name}" for module, names in (
        ("builtins", "list set frozenset"),
        ("typing", "List Set FrozenSet Sequence MutableSequence Iterable Iterator Collection AbstractSet "
                   "MutableSet Deque"),
        ("collections.abc", "Sequence MutableSequence Iterable Iterator Collection Set MutableSet"),
        ("collections", "deque"),
    ) for name in names.split())

# Generic mappings whose type arguments are the types of their keys and values (`dict[Path, float]`).
MAPPINGS = frozenset(
    f"{module}.{name}" for module, names in (
        ("builtins", "dict"),
        ("typing", "Dict Mapping MutableMapping DefaultDict OrderedDict"),
        ("collections.abc", "Mapping MutableMapping"),
        ("collections", "defaultdict OrderedDict"),
    ) for name in names.split())

# The types above, and calls that produce an object of a type by naming it.
# The async libraries' classes with coroutine methods are types too (`nursery: trio.Nursery`).
KNOWN_TYPES: frozenset[str] = (frozenset(RETURNS.values()) | frozenset(ATTRIBUTES.values()) | frozenset(ELEMENTS.values())
                               | frozenset(ASYNC_ENTERS.values()) | frozenset(
    owner for owner, _, _ in (name.rpartition(".") for name in GENERATED_COROUTINES) if owner.rpartition(".")[2][:1].isupper()))


# -- Imports ------------------------------------------------------------------------------------
# Calls that import the module they are given (ASL112) -> the position of its name. Home Assistant's
# block_async_io patches import_module first of all: its integrations are loaded by name.
IMPORT_FUNCTIONS: dict[str, int] = {"importlib.import_module": 0, "builtins.__import__": 0, "importlib.__import__": 0}
# Modules certainly loaded before a function of the project runs (asynclint/startup_modules.py).
# -- BEGIN GENERATED by `python -m asynclint.startup_modules --write`: do not edit by hand --
# The interpreter read.
STARTUP_FROM = '3.11 on Linux'
# Loaded by the interpreter before the first line of a program runs.
STARTUP_MODULES: frozenset[str] = frozenset("""
    _abc
    _codecs
    _collections_abc
    _frozen_importlib
    _frozen_importlib_external
    _imp
    _io
    _signal
    _sitebuiltins
    _stat
    _thread
    _warnings
    _weakref
    abc
    builtins
    codecs
    encodings
    encodings.aliases
    encodings.utf_8
    genericpath
    io
    marshal
    os
    os.path
    posix
    posixpath
    site
    stat
    sys
    time
    zipimport
""".split())
# Loaded by `import asyncio`, besides those.
ASYNCIO_LOADS: frozenset[str] = frozenset("""
    _ast
    _asyncio
    _collections
    _contextvars
    _functools
    _heapq
    _locale
    _opcode
    _operator
    _posixsubprocess
    _socket
    _sre
    _ssl
    _string
    _struct
    _typing
    _weakrefset
    array
    ast
    asyncio
    asyncio.base_events
    asyncio.base_futures
    asyncio.base_subprocess
    asyncio.base_tasks
    asyncio.constants
    asyncio.coroutines
    asyncio.events
    asyncio.exceptions
    asyncio.format_helpers
    asyncio.futures
    asyncio.locks
    asyncio.log
    asyncio.mixins
    asyncio.protocols
    asyncio.queues
    asyncio.runners
    asyncio.selector_events
    asyncio.sslproto
    asyncio.staggered
    asyncio.streams
    asyncio.subprocess
    asyncio.taskgroups
    asyncio.tasks
    asyncio.threads
    asyncio.timeouts
    asyncio.transports
    asyncio.trsock
    asyncio.unix_events
    atexit
    base64
    binascii
    collections
    collections.abc
    concurrent
    concurrent.futures
    concurrent.futures._base
    contextlib
    contextvars
    copyreg
    dis
    enum
    errno
    fcntl
    functools
    heapq
    importlib
    importlib._bootstrap
    importlib._bootstrap_external
    importlib.machinery
    inspect
    itertools
    keyword
    linecache
    locale
    logging
    math
    opcode
    operator
    re
    re._casefix
    re._compiler
    re._constants
    re._parser
    reprlib
    select
    selectors
    signal
    socket
    ssl
    string
    struct
    subprocess
    textwrap
    threading
    token
    tokenize
    traceback
    types
    typing
    typing.io
    typing.re
    warnings
    weakref
""".split())
# Built into the interpreter or frozen in it: loading one reads no file.
INTERPRETER_MODULES: frozenset[str] = frozenset("""
    __hello__
    __hello_alias__
    __hello_only__
    __phello__
    __phello__.__init__
    __phello__.ham
    __phello__.ham.__init__
    __phello__.ham.eggs
    __phello__.spam
    __phello_alias__
    __phello_alias__.spam
    _ast
    _collections
    _functools
    _locale
    _operator
    _sre
    _string
    _symtable
    _tokenize
    _tracemalloc
    atexit
    errno
    faulthandler
    gc
    importlib.machinery
    importlib.util
    itertools
    ntpath
    pwd
    runpy
    xxsubtype
""".split())
# The standard library's modules that `import pytest` loads besides (pytest's own too).
PYTEST_LOADS: frozenset[str] = frozenset("""
    __future__
    _ast
    _bisect
    _bz2
    _collections
    _compression
    _csv
    _datetime
    _decimal
    _functools
    _heapq
    _json
    _locale
    _lzma
    _opcode
    _operator
    _posixsubprocess
    _pytest
    _random
    _sha512
    _socket
    _sre
    _string
    _struct
    _typing
    _uuid
    _weakrefset
    argparse
    array
    ast
    atexit
    base64
    bdb
    binascii
    bisect
    bz2
    calendar
    collections
    collections.abc
    contextlib
    copy
    copyreg
    csv
    dataclasses
    datetime
    decimal
    difflib
    dis
    email
    email._encoded_words
    email._parseaddr
    email._policybase
    email.base64mime
    email.charset
    email.encoders
    email.errors
    email.header
    email.iterators
    email.message
    email.quoprimime
    email.utils
    enum
    errno
    fcntl
    fnmatch
    functools
    gc
    gettext
    glob
    heapq
    importlib
    importlib._abc
    importlib._bootstrap
    importlib._bootstrap_external
    importlib.abc
    importlib.machinery
    importlib.metadata
    importlib.metadata._adapters
    importlib.metadata._collections
    importlib.metadata._functools
    importlib.metadata._itertools
    importlib.metadata._meta
    importlib.metadata._text
    importlib.readers
    importlib.resources
    importlib.resources._adapters
    importlib.resources._common
    importlib.resources._itertools
    importlib.resources._legacy
    importlib.resources.abc
    importlib.resources.readers
    importlib.util
    inspect
    ipaddress
    itertools
    json
    json.decoder
    json.encoder
    json.scanner
    keyword
    linecache
    locale
    logging
    lzma
    math
    ntpath
    numbers
    opcode
    operator
    pathlib
    platform
    pprint
    pytest
    quopri
    random
    re
    re._casefix
    re._compiler
    re._constants
    re._parser
    reprlib
    select
    selectors
    shlex
    shutil
    signal
    socket
    string
    struct
    subprocess
    tempfile
    textwrap
    threading
    token
    tokenize
    traceback
    types
    typing
    typing.io
    typing.re
    unicodedata
    unittest
    unittest.case
    unittest.loader
    unittest.main
    unittest.result
    unittest.runner
    unittest.signals
    unittest.suite
    unittest.util
    urllib
    urllib.parse
    uuid
    warnings
    weakref
    zipfile
    zlib
""".split())
# -- END GENERATED STARTUP MODULES --


def lookup(key: str, extra: Mapping[str, Blocking]) -> Blocking | None:
    """The catalog row for a callable key, user rows first, then ``Type.*`` wildcards."""
    row = extra.get(key) or BLOCKING.get(key)
    if row is None and key not in NOT_BLOCKING:
        owner, _, _ = key.rpartition(".")
        row = BLOCKING.get(owner + ".*")
    return row
