"""What blocks the event loop, and what to use instead: data, one row per call.

Keys are qualified names. A module-level function is ``module.func``; a method is
``Type.method`` where ``Type`` is a type name from ``RETURNS`` (what a call produces)
or ``ATTRIBUTES`` (what an attribute access produces), so ``requests.Session().get``
and ``requests.Session.get(s)`` both meet the key ``requests.Session.get``.
``Type.*`` matches every method of a type (``NOT_BLOCKING`` lists the exceptions).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping


@dataclass(frozen=True)
class Use:
    """The replacement to suggest, worded for each backend."""

    asyncio: str
    trio: str
    anyio: str

    @classmethod
    def everywhere(cls, text: str) -> "Use":
        return cls(text, text, text)

    def for_backend(self, backend: str) -> str:
        return getattr(self, backend)


@dataclass(frozen=True)
class ArgIs:
    """The call does not block when this argument is one of these literal values."""

    keyword: str
    position: int | None
    values: tuple = (False, 0)


@dataclass(frozen=True)
class Blocking:
    code: str
    use: Use
    # The rewrite the fixer knows for this call: "sleep", "open", "http",
    # "subprocess", "loop" or "thread" (wrap in to_thread); None: no fix.
    fix: str | None = "thread"
    nonblocking: tuple[ArgIs, ...] = ()


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

# ASL103: opening files -------------------------------------------------------------------------
_calls("ASL103", OPEN, "builtins.open io.open pathlib.Path.open", fix="open")
_calls("ASL103", OPEN, "os.fdopen io.open_code codecs.open gzip.open bz2.open lzma.open tarfile.open "
       "zipfile.ZipFile shelve.open dbm.open wave.open fileinput.input")
_returns("io.IOBase", "builtins.open io.open pathlib.Path.open os.fdopen io.open_code codecs.open "
         "gzip.open bz2.open lzma.open os.popen tempfile.TemporaryFile tempfile.NamedTemporaryFile "
         "tempfile.SpooledTemporaryFile")
_methods("ASL104", PATH_IO, "io.IOBase", "read read1 readline readlines readinto write writelines flush truncate")
_calls("ASL104", PATH_IO, "io.IOBase.__iter__")

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
       "tempfile.NamedTemporaryFile tempfile.TemporaryDirectory filecmp.cmp filecmp.dircmp")
_returns("pathlib.Path", "pathlib.Path pathlib.Path.cwd pathlib.Path.home pathlib.Path.joinpath "
         "pathlib.Path.with_name pathlib.Path.with_suffix pathlib.Path.with_stem pathlib.Path.relative_to "
         "pathlib.Path.absolute pathlib.Path.expanduser pathlib.Path.resolve pathlib.Path.__truediv__")
ATTRIBUTES.update({"pathlib.Path.parent": "pathlib.Path"})
_methods("ASL104", PATH_IO, "pathlib.Path", (
    "read_text read_bytes write_text write_bytes exists is_file is_dir is_symlink is_mount is_socket "
    "is_fifo is_block_device is_char_device is_junction glob rglob iterdir walk stat lstat owner group "
    "chmod lchmod mkdir rmdir unlink rename replace touch symlink_to hardlink_to link_to readlink "
    "resolve samefile"))
ALIASES.update({
    "pathlib.PosixPath": "pathlib.Path", "pathlib.WindowsPath": "pathlib.Path",
    "posixpath": "os.path", "ntpath": "os.path", "genericpath": "os.path",
})

# ASL105: processes -----------------------------------------------------------------------------
_calls("ASL105", PROCESS, "subprocess.run subprocess.call subprocess.check_call subprocess.check_output",
       fix="subprocess")
_calls("ASL105", PROCESS, "subprocess.getoutput subprocess.getstatusoutput subprocess.Popen os.system "
       "os.popen os.posix_spawn os.posix_spawnp os.wait os.waitpid os.wait3 os.wait4 os.waitid "
       "os.spawnl os.spawnle os.spawnlp os.spawnlpe os.spawnv os.spawnve os.spawnvp os.spawnvpe")
_returns("subprocess.Popen", "subprocess.Popen")
_methods("ASL105", PROCESS, "subprocess.Popen", "wait communicate",
         nonblocking=[ArgIs("timeout", 0, (0,))])

# ASL106: sockets and DNS -----------------------------------------------------------------------
_calls("ASL106", DNS, "socket.getaddrinfo socket.gethostbyname socket.gethostbyname_ex "
       "socket.gethostbyaddr socket.getnameinfo socket.getfqdn")
_calls("ASL106", CONNECT, "socket.create_connection ssl.wrap_socket ssl.get_server_certificate")
_returns("socket.socket", "socket.socket socket.create_connection socket.create_server socket.fromfd "
         "socket.socket.accept ssl.wrap_socket ssl.SSLContext.wrap_socket")
_returns("ssl.SSLContext", "ssl.SSLContext ssl.create_default_context")
_methods("ASL106", SOCKET_IO, "socket.socket", (
    "connect connect_ex accept recv recv_into recvfrom recvfrom_into recvmsg send sendall sendto "
    "sendmsg sendfile do_handshake"))
_calls("ASL106", CONNECT, "ssl.SSLContext.wrap_socket")
ALIASES.update({"ssl.SSLSocket": "socket.socket"})
_calls("ASL106", CONNECT, "smtplib.SMTP smtplib.SMTP_SSL ftplib.FTP ftplib.FTP_TLS poplib.POP3 "
       "poplib.POP3_SSL imaplib.IMAP4 imaplib.IMAP4_SSL telnetlib.Telnet")

# ASL107: synchronous database drivers ----------------------------------------------------------
SQLITE = Use.everywhere("`aiosqlite`, or run the query in a worker thread")
POSTGRES = Use.everywhere("`asyncpg` or psycopg's `AsyncConnection`")
MYSQL = Use.everywhere("`aiomysql` or `asyncmy`")
MONGO = Use.everywhere("`motor` or pymongo's `AsyncMongoClient`")
REDIS = Use.everywhere("`redis.asyncio`")
_calls("ASL107", SQLITE, "sqlite3.connect")
_returns("sqlite3.Connection", "sqlite3.connect sqlite3.Connection")
_returns("sqlite3.Cursor", "sqlite3.Connection.cursor sqlite3.Connection.execute sqlite3.Connection.executemany "
         "sqlite3.Cursor.execute sqlite3.Cursor.executemany")
_methods("ASL107", SQLITE, "sqlite3.Connection", "execute executemany executescript commit rollback backup iterdump")
_methods("ASL107", SQLITE, "sqlite3.Cursor", "execute executemany executescript fetchone fetchmany fetchall")
for _module, _use in (("psycopg2", POSTGRES), ("psycopg", POSTGRES), ("pymysql", MYSQL), ("MySQLdb", MYSQL),
                      ("mysql.connector", MYSQL)):
    _calls("ASL107", _use, f"{_module}.connect")
    _returns(f"{_module}.Connection", f"{_module}.connect")
    _returns(f"{_module}.Cursor", f"{_module}.Connection.cursor {_module}.Connection.execute")
    _methods("ASL107", _use, f"{_module}.Connection", "execute commit rollback")
    _methods("ASL107", _use, f"{_module}.Cursor",
             "execute executemany fetchone fetchmany fetchall callproc copy_from copy_to copy_expert")
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
NOT_BLOCKING.update(f"redis.Redis.{m}" for m in "pipeline pubsub lock from_url register_script".split())

# ASL108: thread synchronisation ----------------------------------------------------------------
_returns("threading.Lock", "threading.Lock threading.RLock")
_returns("threading.Event", "threading.Event")
_returns("threading.Condition", "threading.Condition")
_returns("threading.Semaphore", "threading.Semaphore threading.BoundedSemaphore")
_returns("threading.Barrier", "threading.Barrier")
_returns("threading.Thread", "threading.Thread threading.Timer")
_returns("queue.Queue", "queue.Queue queue.LifoQueue queue.PriorityQueue queue.SimpleQueue "
         "multiprocessing.Queue multiprocessing.JoinableQueue multiprocessing.SimpleQueue")
_returns("concurrent.futures.Executor", "concurrent.futures.ThreadPoolExecutor "
         "concurrent.futures.ProcessPoolExecutor")
_returns("concurrent.futures.Future", "concurrent.futures.Executor.submit concurrent.futures.Future")
_returns("multiprocessing.Process", "multiprocessing.Process")
_returns("multiprocessing.pool.Pool", "multiprocessing.Pool multiprocessing.pool.Pool multiprocessing.pool.ThreadPool")
_returns("multiprocessing.pool.AsyncResult", "multiprocessing.pool.Pool.apply_async multiprocessing.pool.Pool.map_async")
_NOT_IF_NOWAIT = [ArgIs("blocking", 0, (False, 0)), ArgIs("timeout", 1, (0,))]
_methods("ASL108", LOCK, "threading.Lock threading.Semaphore", "acquire __enter__", nonblocking=_NOT_IF_NOWAIT)
_methods("ASL108", CONDITION, "threading.Condition", "acquire __enter__", nonblocking=_NOT_IF_NOWAIT)
_methods("ASL108", CONDITION, "threading.Condition", "wait wait_for", nonblocking=[ArgIs("timeout", None, (0,))])
_methods("ASL108", EVENT, "threading.Event", "wait", nonblocking=[ArgIs("timeout", 0, (0,))])
_methods("ASL108", EVENT, "threading.Barrier", "wait", nonblocking=[ArgIs("timeout", 0, (0,))])
_methods("ASL108", QUEUE, "queue.Queue", "get", nonblocking=[ArgIs("block", 0, (False, 0)), ArgIs("timeout", 1, (0,))])
_methods("ASL108", QUEUE, "queue.Queue", "put", nonblocking=[ArgIs("block", 1, (False, 0)), ArgIs("timeout", 2, (0,))])
_methods("ASL108", QUEUE, "queue.Queue", "join")
_methods("ASL108", FUTURE, "concurrent.futures.Future", "result exception", nonblocking=[ArgIs("timeout", 0, (0,))])
_calls("ASL108", FUTURE, "concurrent.futures.wait concurrent.futures.as_completed")
_methods("ASL108", THREAD, "threading.Thread multiprocessing.Process", "join", nonblocking=[ArgIs("timeout", 0, (0,))])
_methods("ASL108", THREAD, "concurrent.futures.Executor", "shutdown", nonblocking=[ArgIs("wait", 0, (False,))])
_methods("ASL108", THREAD, "concurrent.futures.Executor", "map")
_methods("ASL108", THREAD, "multiprocessing.pool.Pool", "map starmap apply imap imap_unordered join")
_methods("ASL108", FUTURE, "multiprocessing.pool.AsyncResult", "get wait", nonblocking=[ArgIs("timeout", 0, (0,))])

# ASL109: console input -------------------------------------------------------------------------
_calls("ASL109", INPUT, "builtins.input getpass.getpass")
ATTRIBUTES.update({"sys.stdin": "sys.stdin"})
_methods("ASL109", INPUT, "sys.stdin", "read readline readlines __iter__")

# ASL110: a nested event loop -------------------------------------------------------------------
_calls("ASL110", NESTED_LOOP, "asyncio.run trio.run anyio.run asyncio.Runner.run", fix=None)
_returns("asyncio.AbstractEventLoop", "asyncio.get_event_loop asyncio.new_event_loop asyncio.get_running_loop "
         "asyncio.AbstractEventLoop asyncio.BaseEventLoop asyncio.SelectorEventLoop asyncio.ProactorEventLoop "
         "asyncio.Runner.get_loop")
ALIASES.update({"asyncio.BaseEventLoop": "asyncio.AbstractEventLoop",
                "asyncio.events.AbstractEventLoop": "asyncio.AbstractEventLoop"})
_methods("ASL110", NESTED_LOOP, "asyncio.AbstractEventLoop", "run_until_complete run_forever", fix=None)
DISTINCTIVE_METHODS["run_until_complete"] = "asyncio.AbstractEventLoop"

# No automatic fix for these. Calls that return a lazy iterator would, in a worker thread, only
# create it: the blocking work would still happen on the loop as it is consumed. sqlite3 objects
# refuse use from a thread other than their creator's (``check_same_thread``).
_NO_FIX = ("os.walk os.fwalk os.scandir glob.iglob fileinput.input pathlib.Path.iterdir pathlib.Path.glob "
           "pathlib.Path.rglob pathlib.Path.walk multiprocessing.pool.Pool.imap "
           "multiprocessing.pool.Pool.imap_unordered concurrent.futures.Executor.map "
           "concurrent.futures.as_completed")
for _name in _NO_FIX.split() + [k for k in BLOCKING if k.startswith("sqlite3.")]:
    BLOCKING[_name] = replace(BLOCKING[_name], fix=None)

# The types above, and calls that produce an object of a type by naming it.
KNOWN_TYPES: frozenset[str] = frozenset(RETURNS.values()) | frozenset(ATTRIBUTES.values())


def lookup(key: str, extra: Mapping[str, Blocking]) -> Blocking | None:
    """The catalog row for a callable key, user rows first, then ``Type.*`` wildcards."""
    row = extra.get(key) or BLOCKING.get(key)
    if row is None and key not in NOT_BLOCKING:
        owner, _, _ = key.rpartition(".")
        row = BLOCKING.get(owner + ".*")
    return row
