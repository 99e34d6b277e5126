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

from asynclint.model import PerBackend


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
        pending = [_argument(call, self.keyword, self.position)]
        while pending and resolve is not None:
            arg = pending.pop()
            if type(arg).__name__ == "BinOp" and type(arg.op).__name__ == "BitOr":
                pending += [arg.left, arg.right]
            elif arg is not None and getattr(resolve(arg), "name", None) in self.flags:
                return True
        return False


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
    # The rewrite the fixer knows for this call: "sleep", "open", "http",
    # "subprocess", "loop" or "thread" (wrap in to_thread); None: no fix.
    fix: str | None = "thread"
    nonblocking: tuple[ArgIs | ArgIsBuffer | ArgIsNew, ...] = ()


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


def _calls(code: str, use: Use, names: str, fix: str | None = "thread", nonblocking=()) -> None:
    row = Blocking(code, use, fix, tuple(nonblocking))
    for name in names.split():
        BLOCKING[name] = row


def _methods(code: str, use: Use, types: str, methods: str, fix="thread", nonblocking=()):
    _calls(code, use, " ".join(f"{t}.{m}" for t in types.split() for m in methods.split()), fix, nonblocking)


def _returns(type_name: str, callables: str) -> None:
    for name in callables.split():
        RETURNS[name] = type_name


# ASL101: sleeps ------------------------------------------------------------------------------
_calls("ASL101", SLEEP, "time.sleep", fix="sleep")

# ASL102: synchronous HTTP --------------------------------------------------------------------
_VERBS = "get post put patch delete head options request"
_calls("ASL102", HTTP, " ".join(f"requests.{v} requests.api.{v}" for v in _VERBS.split()), fix="http")
_calls("ASL102", HTTP, " ".join(f"httpx.{v}" for v in _VERBS.split()) + " httpx.stream", fix="http")
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
_calls("ASL103", OPEN, "builtins.open io.open pathlib.Path.open", fix="open")
_calls("ASL103", OPEN, "os.fdopen os.open io.open_code codecs.open shelve.open dbm.open")
# Archive and compression readers also take an open file object; an in-memory one does not block.
MEMORY_TYPES = frozenset({"io.BytesIO", "io.StringIO"})
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

# ASL104: the filesystem ------------------------------------------------------------------------
_calls("ASL104", THREAD, " ".join("os." + f for f in (
    "remove unlink rename renames replace listdir scandir mkdir makedirs rmdir removedirs stat lstat "
    "chmod lchmod chown lchown link symlink readlink truncate utime walk fwalk access statvfs fsync "
    "fdatasync sendfile copy_file_range mkfifo mknod listxattr getxattr setxattr removexattr").split()))
_calls("ASL104", THREAD, " ".join("os.path." + f for f in (
    "exists lexists isfile isdir islink ismount isjunction getsize getmtime getatime getctime "
    "samefile realpath").split()))
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

# ASL105: processes -----------------------------------------------------------------------------
_calls("ASL105", PROCESS, "subprocess.run subprocess.call subprocess.check_call subprocess.check_output",
       fix="subprocess")
_calls("ASL105", PROCESS, "subprocess.getoutput subprocess.getstatusoutput subprocess.Popen os.system "
       "os.popen pty.spawn os.posix_spawn os.posix_spawnp os.wait os.waitpid os.wait3 os.wait4 os.waitid "
       "os.spawnl os.spawnle os.spawnlp os.spawnlpe os.spawnv os.spawnve os.spawnvp os.spawnvpe")
_returns("subprocess.Popen", "subprocess.Popen")
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
         "socket.socket.accept ssl.wrap_socket ssl.SSLContext.wrap_socket")
_returns("ssl.SSLContext", "ssl.SSLContext ssl.create_default_context")
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
_returns("threading.Lock", "threading.Lock threading.RLock multiprocessing.Lock multiprocessing.RLock")
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
_methods("ASL108", CONDITION, "threading.Condition", "acquire __enter__", nonblocking=_NOT_IF_NOWAIT)
_methods("ASL108", CONDITION, "threading.Condition", "wait wait_for", nonblocking=[ArgIs("timeout", None, (0,))])
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
# A child made by os.fork() has no running loop: a loop it starts is nested in nothing.
_returns("os.fork_pid", "os.fork")
NOT_IN_FORKED_CHILD = frozenset({"ASL110"})

# Calls that switch an object to a mode in which its blocking methods return at once
# (``sock.setblocking(False)``): after one, the object's methods are not reported.
NONBLOCKING_MODE: dict[str, ArgIs] = {}
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
OFFLOAD = TO_THREAD | {"asyncio.AbstractEventLoop.run_in_executor", "functools.partial"}
OFFLOAD_METHODS = frozenset({"run_in_executor", "run_sync", "submit"})

# No automatic fix for these. Calls that return a lazy iterator would, in a worker thread, only
# create it: the blocking work would still happen on the loop as it is consumed. sqlite3 objects
# refuse use from a thread other than their creator's (``check_same_thread``).
_NO_FIX = ("os.walk os.fwalk os.scandir glob.iglob fileinput.input pathlib.Path.iterdir pathlib.Path.glob "
           "pathlib.Path.rglob pathlib.Path.walk multiprocessing.pool.Pool.imap "
           "multiprocessing.pool.Pool.imap_unordered concurrent.futures.Executor.map "
           "concurrent.futures.as_completed")
for _name in _NO_FIX.split() + [k for k in BLOCKING if k.startswith("sqlite3.")]:
    if _name in BLOCKING:
        BLOCKING[_name] = replace(BLOCKING[_name], fix=None)

# Decorators that change what calling a sync function runs (the call chains of ASL401/ASL402):
# a context manager factory runs its body only in a `with` statement; these others return a
# coroutine or an awaitable that runs the function elsewhere (in a worker thread).
CONTEXT_MANAGER_DECORATORS = frozenset({"contextlib.contextmanager"})
COROUTINE_DECORATORS = frozenset({"asgiref.sync.sync_to_async", "types.coroutine", "asyncio.coroutine",
                                  "starlette.concurrency.run_in_threadpool", "anyio.to_thread.run_sync"})

# The types above, and calls that produce an object of a type by naming it.
KNOWN_TYPES: frozenset[str] = frozenset(RETURNS.values()) | frozenset(ATTRIBUTES.values())


def lookup(key: str, extra: Mapping[str, Blocking]) -> Blocking | None:
    """The catalog row for a callable key, user rows first, then ``Type.*`` wildcards."""
    row = extra.get(key) or BLOCKING.get(key)
    if row is None and key not in NOT_BLOCKING:
        owner, _, _ = key.rpartition(".")
        row = BLOCKING.get(owner + ".*")
    return row
