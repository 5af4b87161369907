"""Unkai's Python runtime: runs inside an execution environment, speaks the Lambda Runtime API.

Started as ``python3 bootstrap.py`` with cwd = the function's code dir. Standard library only;
never imports host code. Init puts LAMBDA_TASK_ROOT first on sys.path, configures the root
logger and imports ``_HANDLER``; then it loops GET /next -> handler -> POST /response or /error
over one keep-alive connection. When ``_UNKAI_CHANNEL_FD`` is set, the same calls travel as
length-prefixed frames over that inherited socket instead (ADR 4, ``_FrameChannel``), and a
directly started process does not import the HTTP client at all. Behaviour follows AWS's
``awslambdaric`` (handler resolution, error bodies, context object, log formats), except that
every log record is exactly one stdout line (inner newlines become CR) because Unkai's host reads
function output line by line.

Pooled mode (``_UNKAI_POOLED=1``): started before any function is assigned; imports and warms up,
then reads ONE line ``{"env": {...}, "cwd": "..."}`` from stdin and becomes that function's
process. Otherwise stdin is never read.

Exit codes: 1 = init failed (reported to /runtime/init/error first, as AWS does); 2 = the runtime
cannot go on (no Runtime API address, bad pooled line, Runtime API unreachable after one
reconnect, or answering /next with non-200 or a POST with 5xx; framed channel closed, failing,
or carrying a frame that cannot be parsed); 0 = pooled process whose stdin
closed before it was assigned. A handler calling ``sys.exit(n)`` ends the process with ``n``.
"""

import os
import sys

# Imported up front: before the function's code dir is on sys.path (so user files cannot shadow
# them) and, in pooled mode, before the process is assigned (so the cost is paid ahead of time).
# http.client (~20 ms, with ssl and socket) and urllib.parse are imported by _import_http(): for
# the HTTP Runtime API (still before the code dir is on sys.path), and by every pre-started process,
# where it costs nothing and spares functions that use ssl/socket (boto3, urllib3) the import.
import importlib
import importlib.util
import io
import json
import logging
import re
import select
import stat
import struct
import time
import traceback

_API_PREFIX = "/2018-06-01/runtime/"
_THIS_FILE = os.path.abspath(__file__)
_NBSP = "\u00a0"
_NOT_HEADER_SAFE = re.compile(r"[^\t\x20-\x7e]")  # exception names may be any identifier
_JSON_TYPE = "application/json"
_BYTES_TYPE = "application/unknown"  # a handler that returns bytes
_JSON_HEADERS = {"Content-Type": _JSON_TYPE}
_CONTENT_HEADERS = {_JSON_TYPE: _JSON_HEADERS, _BYTES_TYPE: {"Content-Type": _BYTES_TYPE}}
_CHANNEL_FD_DEFAULT = 3
_LOG_LEVELS = {"TRACE": logging.DEBUG, "DEBUG": logging.DEBUG, "INFO": logging.INFO,
               "WARN": logging.WARNING, "WARNING": logging.WARNING, "ERROR": logging.ERROR,
               "FATAL": logging.CRITICAL, "CRITICAL": logging.CRITICAL}
# LogRecord attributes that are not "extra" fields in JSON log records.
_RECORD_FIELDS = frozenset((
    "name", "msg", "args", "levelname", "levelno", "pathname", "filename", "module", "exc_info",
    "exc_text", "stack_info", "lineno", "funcName", "created", "msecs", "relativeCreated",
    "thread", "threadName", "processName", "process", "taskName", "message", "asctime",
    "aws_request_id", "tenant_id"))

_request_id = None  # id of the current (or last) invocation, shown in log records
_tenant_id = None
_json_logs = False


def _die(message, code=2):
    sys.stderr.write("unkai-python-bootstrap: %s\n" % message)
    sys.stderr.flush()
    sys.exit(code)


def _one_line(text):
    """Make a log record a single stdout line: inner newlines become CR, one LF at the end."""
    if text.endswith("\n"):
        text = text[:-1]
    if "\n" in text:
        text = text.replace("\n", "\r")
    return text + "\n"


def _flush_output():
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            stream.flush()
        except Exception:
            pass


def _iso_utc(created, msecs):
    return "%s.%03dZ" % (time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(created)), msecs)


# ---------------------------------------------------------------------------------------------
# Pooled mode: the process was started before a function was assigned to it.

def _read_stdin_line():
    """Read fd 0 up to the first newline (or EOF) without Python's buffering."""
    chunks = []
    while True:
        try:
            chunk = os.read(0, 65536)
        except BlockingIOError:  # the pipe was left non-blocking: wait for data instead
            select.select([0], [], [])
            continue
        if not chunk:
            break
        chunks.append(chunk)
        if b"\n" in chunk:
            break
    return b"".join(chunks).split(b"\n", 1)[0]


def _channel_expected():
    """Whether this pre-started process will most likely get the framed channel: fd 3 is a socket
    (its real environment, which decides, only arrives with the assignment)."""
    if os.environ.get("_UNKAI_CHANNEL_FD"):
        return True
    try:
        return stat.S_ISSOCK(os.fstat(_CHANNEL_FD_DEFAULT).st_mode)
    except OSError:
        return False


def _warm_up():
    """Pay first-use costs (imports, HTTP response parsing or frame coding, JSON, log formatting)
    while unassigned."""
    class CannedSocket:
        @staticmethod
        def makefile(mode):
            return io.BytesIO(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                              b"Content-Length: 2\r\n\r\n{}")
    try:
        _import_http()
        if _channel_expected():
            header = json.dumps({"type": "next"}, separators=(",", ":")).encode()
            _FRAME_PREFIX.unpack_from(_FRAME_PREFIX.pack(len(header), 0) + header)
            _event_headers({"requestId": "warm-up", "deadlineMs": 0, "contentType": _JSON_TYPE})
        else:
            response = http.client.HTTPResponse(CannedSocket())
            response.begin()
            response.getheaders()
            json.loads(response.read())
            "127.0.0.1".encode("idna")  # socket.create_connection imports this codec on first use
        json.JSONEncoder(default=str).encode({"a": [1, 2.5, None, True, "x"]})
        record = logging.LogRecord("warm", logging.INFO, _THIS_FILE, 1, "%s", ("x",), None)
        logging.Formatter("%(asctime)s.%(msecs)03d %(message)s").format(record)
        _JsonFormatter().format(record)
    except Exception:
        pass  # only an optimisation


def _specialise_from_stdin():
    """Read the one-line assignment from stdin and become that function's process."""
    line = _read_stdin_line()
    if not line.strip():
        sys.exit(0)  # the host discarded this pre-started process
    try:
        config = json.loads(line)
        env, cwd = config["env"], config["cwd"]
        if not isinstance(env, dict) or not isinstance(cwd, str):
            raise ValueError("'env' must be an object and 'cwd' a string")
    except Exception as exc:
        _die("invalid pooled configuration line: %s" % exc)
    os.environ.clear()
    for key, value in env.items():
        try:
            os.environ[str(key)] = str(value)
        except ValueError as exc:  # '=' or NUL in a name or value
            sys.stderr.write("unkai-python-bootstrap: skipping env var %r: %s\n" % (key, exc))
    try:
        os.chdir(cwd)
    except OSError as exc:
        _die("cannot enter code dir %r: %s" % (cwd, exc))
    time.tzset()
    # Startup-time variables the interpreter could not see when this process was pre-started.
    extra = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    sys.path[0:0] = extra
    if os.environ.get("PYTHONUNBUFFERED"):
        try:
            sys.stdout.reconfigure(write_through=True)
        except Exception:
            pass


# ---------------------------------------------------------------------------------------------
# Logging, shaped like awslambdaric's.

class _RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = _request_id or ""
        record.tenant_id = _tenant_id
        return True


class _StdoutHandler(logging.Handler):
    """Writes each record as one line to the current sys.stdout."""

    def emit(self, record):
        try:
            sys.stdout.write(_one_line(self.format(record)))
        except RecursionError:
            raise
        except Exception:
            self.handleError(record)


class _JsonFormatter(logging.Formatter):
    def format(self, record):
        level = min(50, max(0, record.levelno)) // 10 * 10
        out = {"timestamp": _iso_utc(record.created, record.msecs),
               "level": logging.getLevelName(level),
               "message": record.getMessage(),
               "logger": record.name}
        exc = record.exc_info
        if exc and exc[0] is not None:
            out["stackTrace"] = traceback.format_tb(exc[2])
            out["errorType"] = exc[0].__name__
            out["errorMessage"] = str(exc[1])
        out["requestId"] = getattr(record, "aws_request_id", None)
        if exc and exc[0] is not None:
            out["location"] = "%s:%s:%d" % (record.pathname, record.funcName, record.lineno)
        tenant = getattr(record, "tenant_id", None)
        if tenant is not None:
            out["tenantId"] = tenant
        for key, value in record.__dict__.items():
            if key not in _RECORD_FIELDS and key not in out:
                out[key] = value
        out = {k: v for k, v in out.items() if v is not None}
        return json.dumps(out, default=str, ensure_ascii=False)


def _setup_logging(log_format, log_level):
    global _json_logs
    _json_logs = log_format.upper() == "JSON"
    logging.Formatter.converter = time.gmtime  # as on AWS: log timestamps are UTC
    handler = _StdoutHandler()
    if _json_logs:
        handler.setFormatter(_JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(
            "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n",
            "%Y-%m-%dT%H:%M:%S"))
    handler.addFilter(_RequestIdFilter())
    handler.log_sink = _ContextLogSink  # context.log() looks for this, as in awslambdaric
    root = logging.getLogger()
    level = _LOG_LEVELS.get(log_level.upper())
    if level is not None:
        root.setLevel(level)
    root.addHandler(handler)


class _ContextLogSink:
    @staticmethod
    def log(msg):
        sys.stdout.write(_one_line(msg))


def _log_error(error):
    """Log a function/init error the way awslambdaric does: one record, frames joined by CR."""
    if _json_logs:
        now = time.time()
        line = json.dumps(dict({"timestamp": _iso_utc(now, int(now * 1000) % 1000),
                                "level": "ERROR"}, **error), ensure_ascii=False, default=str)
    else:
        head = "[ERROR]"
        if error["errorType"]:
            head += " " + error["errorType"]
        if error["errorMessage"]:
            head += (":" if error["errorType"] else "") + " " + error["errorMessage"]
        lines = [head, "Traceback (most recent call last):"]
        for entry in error["stackTrace"]:
            if entry == "":
                lines.append("")
            for frame_line in entry.splitlines():
                stripped = frame_line.lstrip(" ")
                lines.append(_NBSP * (len(frame_line) - len(stripped)) + stripped)
        line = "\r".join(lines)
    try:
        sys.stdout.write(_one_line(line))
    except Exception:
        pass


# ---------------------------------------------------------------------------------------------
# Errors and handler resolution.

class _Fault(Exception):
    """An error raised by the runtime itself, with a Lambda error type."""

    def __init__(self, error_type, message, trace=None):
        Exception.__init__(self, message)
        self.error_type, self.message, self.trace = error_type, message, trace


def _error_body(message, error_type, trace, request_id=""):
    return {"errorMessage": message or "", "errorType": error_type or "",
            "requestId": request_id or "", "stackTrace": trace or []}


def _is_runtime_frame(filename):
    return (filename == _THIS_FILE or filename.startswith("<frozen importlib")
            or filename.endswith(os.sep + os.path.join("importlib", "__init__.py")))


def _error_from_exception(exc, request_id=""):
    frames = traceback.extract_tb(exc.__traceback__)
    start = 0
    while start < len(frames) and _is_runtime_frame(frames[start].filename):
        start += 1
    try:
        message = str(exc)
    except Exception:
        message = "<unprintable %s object>" % type(exc).__name__
    return _error_body(message, type(exc).__name__, traceback.format_list(frames[start:]),
                       request_id)


def _load_handler(spec):
    try:
        module_name, func_name = spec.rsplit(".", 1)
    except ValueError as exc:
        raise _Fault("Runtime.MalformedHandlerName", "Bad handler '%s': %s" % (spec, exc))
    import_name = module_name.replace("/", ".")
    if import_name.split(".")[0] in sys.builtin_module_names:
        raise _Fault("Runtime.BuiltInModuleConflict",
                     "Cannot use built-in module %s as a handler module" % module_name)
    try:
        module = importlib.import_module(import_name)
    except ImportError as exc:
        raise _Fault("Runtime.ImportModuleError",
                     "Unable to import module '%s': %s" % (module_name, exc))
    except SyntaxError as exc:
        trace = ['  File "%s" Line %s\n    %s' % (exc.filename, exc.lineno, exc.text)]
        raise _Fault("Runtime.UserCodeSyntaxError",
                     "Syntax error in module '%s': %s" % (module_name, exc), trace)
    try:
        return getattr(module, func_name)
    except AttributeError:
        raise _Fault("Runtime.HandlerNotFound",
                     "Handler '%s' missing on module '%s'" % (func_name, module_name))


# ---------------------------------------------------------------------------------------------
# Context object.

class CognitoIdentity:
    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")

    def __init__(self, data):
        self.cognito_identity_id = data.get("cognitoIdentityId")
        self.cognito_identity_pool_id = data.get("cognitoIdentityPoolId")

    def __repr__(self):
        return "CognitoIdentity([cognito_identity_id=%s,cognito_identity_pool_id=%s])" % (
            self.cognito_identity_id, self.cognito_identity_pool_id)


class Client:
    __slots__ = ("installation_id", "app_title", "app_version_name", "app_version_code",
                 "app_package_name")

    def __init__(self, data):
        for name in self.__slots__:
            setattr(self, name, data.get(name))

    def __repr__(self):
        return "Client([%s])" % ",".join("%s=%s" % (n, getattr(self, n)) for n in self.__slots__)


class ClientContext:
    __slots__ = ("custom", "env", "client")

    def __init__(self, data):
        self.custom = data.get("custom")
        self.env = data.get("env")
        client = data.get("client")
        self.client = Client(client) if isinstance(client, dict) else client

    def __repr__(self):
        return "ClientContext([custom=%s,env=%s,client=%s])" % (self.custom, self.env, self.client)


def _parse_json_header(value, name):
    try:
        data = json.loads(value)
    except Exception as exc:
        raise _Fault("Runtime.LambdaContextUnmarshalError",
                     "Unable to parse %s JSON: %s" % (name, exc))
    return data if isinstance(data, dict) else {}


class LambdaContext:
    """The handler's ``context``. Function-wide attributes are class attributes set at init."""

    log_group_name = log_stream_name = function_name = None
    memory_limit_in_mb = function_version = None

    def __init__(self, request_id, deadline_ms, arn, client_context, identity, tenant_id):
        self.aws_request_id = request_id
        self.invoked_function_arn = arn
        self.tenant_id = tenant_id
        self._deadline_ms = deadline_ms
        self.client_context = None
        if client_context:
            self.client_context = ClientContext(_parse_json_header(client_context,
                                                                   "Client Context"))
        self.identity = CognitoIdentity(
            _parse_json_header(identity, "Cognito Identity") if identity else {})

    def get_remaining_time_in_millis(self):
        remaining = self._deadline_ms - int(time.time() * 1000)
        return remaining if remaining > 0 else 0

    def log(self, msg):
        _ContextLogSink.log(str(msg))

    def __repr__(self):
        names = ("aws_request_id", "log_group_name", "log_stream_name", "function_name",
                 "memory_limit_in_mb", "function_version", "invoked_function_arn",
                 "client_context", "identity", "tenant_id")
        return "LambdaContext([%s])" % ",".join("%s=%s" % (n, getattr(self, n)) for n in names)


# ---------------------------------------------------------------------------------------------
# Runtime API clients. Both offer next() -> (headers, body), with headers lower-cased as the
# /next response's and body as bytes, plus post_response, post_error and post_init_error.

def _import_http():
    """Import the HTTP client modules (not needed with the framed channel)."""
    global http, urllib  # pylint: disable=global-variable-undefined
    import http.client
    import urllib.parse


class _RuntimeApi:
    """The HTTP Runtime API: one keep-alive connection, reconnected once when it breaks."""

    def __init__(self, address):
        _import_http()
        self._conn = http.client.HTTPConnection(address, timeout=None)  # /next long-polls

    def call(self, method, path, body=None, headers=_JSON_HEADERS):
        for attempt in (1, 2):
            try:
                self._conn.request(method, path, body, headers)
                response = self._conn.getresponse()
                return response, response.read()
            except (OSError, http.client.HTTPException) as exc:
                self._conn.close()
                if attempt == 2:
                    _die("Runtime API unreachable (%s %s): %r" % (method, path, exc))

    def post(self, path, body, headers):
        response, data = self.call("POST", path, body, headers)
        if response.status >= 500:
            _die("Runtime API answered %s to POST %s: %r" % (response.status, path, data[:500]))
        if response.status >= 300:  # e.g. 400 stale id, 413 too large: the host handles it
            sys.stderr.write("unkai-python-bootstrap: Runtime API answered %s to POST %s: %r\n"
                             % (response.status, path, data[:500]))

    def _post_error(self, path, error):
        headers = {"Content-Type": "application/json"}
        error_type = _NOT_HEADER_SAFE.sub("", error["errorType"])
        if error_type:
            headers["Lambda-Runtime-Function-Error-Type"] = error_type
        self.post(path, json.dumps(error).encode(), headers)

    def next(self):
        response, body = self.call("GET", _API_PREFIX + "invocation/next", None, {})
        if response.status != 200:
            _die("Runtime API answered %s to GET /next: %r" % (response.status, body[:500]))
        return {k.lower(): v for k, v in response.getheaders()}, body

    @staticmethod
    def _invocation_path(request_id):
        return _API_PREFIX + "invocation/" + urllib.parse.quote(request_id, safe="")

    def post_response(self, request_id, payload, content_type):
        self.post(self._invocation_path(request_id) + "/response", payload,
                  _CONTENT_HEADERS[content_type])

    def post_error(self, request_id, error):
        self._post_error(self._invocation_path(request_id) + "/error", error)

    def post_init_error(self, error):
        self._post_error(_API_PREFIX + "init/error", error)


_FRAME_PREFIX = struct.Struct(">II")  # header length, body length
# Event frame header fields -> the /next response header each stands for.
_EVENT_FIELDS = (("deadlineMs", "lambda-runtime-deadline-ms"),
                 ("invokedFunctionArn", "lambda-runtime-invoked-function-arn"),
                 ("contentType", "content-type"),
                 ("traceId", "lambda-runtime-trace-id"),
                 ("clientContext", "lambda-runtime-client-context"),
                 # not in ADR 4's table; accepted so the host can forward them as /next does
                 ("cognitoIdentity", "lambda-runtime-cognito-identity"),
                 ("tenantId", "lambda-runtime-aws-tenant-id"))


def _event_headers(header):
    """An event frame's header as the lower-cased /next response headers."""
    if not isinstance(header, dict):
        _die("channel sent a frame header that is not a JSON object")
    request_id = header.get("requestId")
    if not isinstance(request_id, str) or not request_id:
        _die("channel sent an event frame without a requestId")
    headers = {"lambda-runtime-aws-request-id": request_id}
    for field, name in _EVENT_FIELDS:
        value = header.get(field)
        if value is not None:
            if isinstance(value, (dict, list)):  # clientContext / cognitoIdentity as JSON objects
                value = json.dumps(value)
            headers[name] = value
    return headers


class _FrameChannel:
    """Unkai's framed channel (ADR 4) on an inherited UNIX socket: each frame is u32 BE header
    length, u32 BE body length, a UTF-8 JSON header, the raw body. Blocking reads and writes; the
    host never answers runtime frames, and sends one event frame per ``next``."""

    _NEXT_FRAME = _FRAME_PREFIX.pack(len(b'{"type":"next"}'), 0) + b'{"type":"next"}'

    def __init__(self, fd_text):
        try:
            fd = int(fd_text)
            os.fstat(fd)
        except (ValueError, OSError) as exc:
            _die("_UNKAI_CHANNEL_FD=%r is not an open file descriptor: %s" % (fd_text, exc))
        try:
            os.set_blocking(fd, True)
            os.set_inheritable(fd, False)  # the handler's child processes must not hold it open
        except OSError:
            pass
        self._fd = fd
        self._buffer = bytearray()
        # A result goes out together with the ``next`` that follows it (the loop always asks for
        # the next event after one): one write and one wake-up of the host instead of two.
        self._next_sent = False

    def _write(self, data):
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(self._fd, view):]
        except OSError as exc:
            _die("channel write failed: %s" % exc)

    def _send(self, header, body, then_next=False):
        head = json.dumps(header, separators=(",", ":")).encode("utf-8")
        frame = _FRAME_PREFIX.pack(len(head), len(body)) + head + body
        if then_next:
            frame += self._NEXT_FRAME
            self._next_sent = True
        self._write(frame)

    def _read_frame(self):
        """Block until one whole frame is buffered; return (header object, body bytes)."""
        buffer, fd = self._buffer, self._fd
        header_length = None
        need = _FRAME_PREFIX.size
        while True:
            if len(buffer) >= need:
                if header_length is not None:
                    break
                header_length, body_length = _FRAME_PREFIX.unpack_from(buffer)
                need += header_length + body_length
                continue
            try:
                chunk = os.read(fd, min(max(need - len(buffer), 65536), 1 << 20))
            except OSError as exc:
                _die("channel read failed: %s" % exc)
            if not chunk:
                _die("the host closed the channel")
            buffer += chunk
        body_start = _FRAME_PREFIX.size + header_length
        try:
            header = json.loads(buffer[_FRAME_PREFIX.size:body_start].decode("utf-8"))
        except ValueError as exc:
            _die("channel sent a frame header that is not JSON: %s" % exc)
        body = bytes(buffer[body_start:need])
        del buffer[:need]
        return header, body

    def next(self):
        if self._next_sent:
            self._next_sent = False
        else:
            self._write(self._NEXT_FRAME)
        header, body = self._read_frame()
        return _event_headers(header), body

    def post_response(self, request_id, payload, content_type):
        self._send({"type": "response", "requestId": request_id, "contentType": content_type},
                   payload, then_next=True)

    def _send_error(self, header, error, then_next=False):
        error_type = _NOT_HEADER_SAFE.sub("", error["errorType"])  # as the HTTP header
        if error_type:
            header["errorType"] = error_type
        self._send(header, json.dumps(error).encode(), then_next)

    def post_error(self, request_id, error):
        self._send_error({"type": "error", "requestId": request_id}, error, then_next=True)

    def post_init_error(self, error):
        self._send_error({"type": "init-error"}, error)


def _json_default(obj):
    decimal = sys.modules.get("decimal")  # Decimal (e.g. from DynamoDB) is encoded as a number
    if decimal is not None and isinstance(obj, getattr(decimal, "Decimal", ())):
        if not obj.is_finite() or obj.as_tuple().exponent < 0:
            return float(obj)
        return int(obj)
    raise TypeError("Object of type %s is not JSON serializable" % type(obj).__name__)


# ---------------------------------------------------------------------------------------------
# Init and the invoke loop.

# ---------------------------------------------------------------------------------------------
# AWS_ENDPOINT_URL for older botocore. Lambda functions reach Unkai's services through
# AWS_ENDPOINT_URL (and AWS_ENDPOINT_URL_<SERVICE>), which botocore honours from 1.31 on; Debian's
# python3-boto3 is older. This finder waits for the function to import botocore.session and, only
# if that botocore lacks the setting, makes Session.create_client default its endpoint_url to the
# variables, as newer botocore does. Nothing of botocore is imported unless the function does.

def _configured_endpoint(service_name):
    env = os.environ
    if env.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "").lower() == "true":
        return None
    specific = "AWS_ENDPOINT_URL_" + re.sub(r"[^A-Z0-9]", "_", service_name.upper())
    return env.get(specific) or env.get("AWS_ENDPOINT_URL") or None


def _patch_botocore_session(module):
    provider = sys.modules.get("botocore.configprovider")
    variables = getattr(provider, "BOTOCORE_DEFAUT_SESSION_VARIABLES", {})
    if "ignore_configured_endpoint_urls" in variables:
        return  # botocore >= 1.31 reads AWS_ENDPOINT_URL itself
    original = module.Session.create_client

    def create_client(self, service_name, region_name=None, api_version=None, use_ssl=True,
                      verify=None, endpoint_url=None, *args, **kwargs):
        if endpoint_url is None:
            endpoint_url = _configured_endpoint(service_name)
        return original(self, service_name, region_name, api_version, use_ssl, verify,
                        endpoint_url, *args, **kwargs)

    module.Session.create_client = create_client


class _BotocoreEndpointShim:
    """A sys.meta_path finder that patches botocore.session right after it is executed."""

    def find_spec(self, name, path, target=None):
        if name != "botocore.session":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        loader = getattr(spec, "loader", None)
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        execute = loader.exec_module

        def exec_and_patch(module):
            execute(module)
            _patch_botocore_session(module)

        loader.exec_module = exec_and_patch
        return spec


def _install_endpoint_shim():
    if "botocore" not in sys.modules:
        sys.meta_path.insert(0, _BotocoreEndpointShim())


def _prepare_sys_path(task_root):
    here = os.path.dirname(_THIS_FILE)
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    front = [task_root]
    site_packages = "/opt/python/lib/python%d.%d/site-packages" % sys.version_info[:2]
    front += [p for p in (site_packages, "/opt/python") if os.path.isdir(p)]
    sys.path[0:0] = front


def _invoke(handler, encode, headers, body, request_id):
    """Run the handler for one event; return (payload, its content type) or raise."""
    try:
        deadline_ms = int(headers.get("lambda-runtime-deadline-ms", "0"))
    except (TypeError, ValueError):
        deadline_ms = 0
    context = LambdaContext(request_id, deadline_ms,
                            headers.get("lambda-runtime-invoked-function-arn"),
                            headers.get("lambda-runtime-client-context"),
                            headers.get("lambda-runtime-cognito-identity"), _tenant_id)
    content_type = headers.get("content-type", "")
    if content_type.split(";", 1)[0].strip().lower() == "application/json":
        try:
            event = json.loads(body)
        except Exception as exc:
            raise _Fault("Runtime.UnmarshalError", "Unable to unmarshal input: %s" % exc)
    else:
        event = body
    result = handler(event, context)
    if isinstance(result, bytes):
        return result, _BYTES_TYPE
    try:
        return encode(result).encode("utf-8"), _JSON_TYPE
    except Exception as exc:
        raise _Fault("Runtime.MarshalError", "Unable to marshal response: %s" % exc)


def _serve(api, handler, encode):
    """The invoke loop: /next, run the handler, post its response or error. Never returns."""
    global _request_id, _tenant_id
    environ = os.environ
    while True:
        headers, body = api.next()
        request_id = headers.get("lambda-runtime-aws-request-id")
        if not request_id:
            _die("Runtime API sent an invocation without Lambda-Runtime-Aws-Request-Id")
        _request_id = request_id
        _tenant_id = headers.get("lambda-runtime-aws-tenant-id")
        trace_id = headers.get("lambda-runtime-trace-id")
        if trace_id:
            environ["_X_AMZN_TRACE_ID"] = trace_id
        elif "_X_AMZN_TRACE_ID" in environ:
            del environ["_X_AMZN_TRACE_ID"]

        try:
            payload, content_type = _invoke(handler, encode, headers, body, request_id)
        except _Fault as fault:
            error = _error_body(fault.message, fault.error_type, fault.trace, request_id)
        except Exception as exc:
            error = _error_from_exception(exc, request_id)
        else:
            _flush_output()
            api.post_response(request_id, payload, content_type)
            continue
        _log_error(error)
        _flush_output()
        api.post_error(request_id, error)


def main():
    if os.environ.get("_UNKAI_POOLED") == "1":
        _warm_up()
        _specialise_from_stdin()
    env = os.environ
    channel_fd = env.get("_UNKAI_CHANNEL_FD")
    if channel_fd:
        api = _FrameChannel(channel_fd)
    else:
        address = env.get("AWS_LAMBDA_RUNTIME_API")
        if not address:
            _die("AWS_LAMBDA_RUNTIME_API is not set")
        api = _RuntimeApi(address)  # imports http.client before the code dir is on sys.path
    try:  # one line per print() reaches the host promptly, and survives a timeout kill
        sys.stdout.reconfigure(line_buffering=True)
    except Exception:
        pass
    _setup_logging(env.get("AWS_LAMBDA_LOG_FORMAT", ""), env.get("AWS_LAMBDA_LOG_LEVEL", ""))
    LambdaContext.log_group_name = env.get("AWS_LAMBDA_LOG_GROUP_NAME")
    LambdaContext.log_stream_name = env.get("AWS_LAMBDA_LOG_STREAM_NAME")
    LambdaContext.function_name = env.get("AWS_LAMBDA_FUNCTION_NAME")
    LambdaContext.memory_limit_in_mb = env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
    LambdaContext.function_version = env.get("AWS_LAMBDA_FUNCTION_VERSION")
    execution_env = env.get("AWS_EXECUTION_ENV", "")
    # AWS's python3.12+ runtimes stop escaping non-ASCII characters in responses.
    ascii_only = not any(execution_env.startswith("AWS_Lambda_python3.%d" % minor)
                         for minor in range(12, 20))
    encode = json.JSONEncoder(ensure_ascii=ascii_only, default=_json_default).encode
    _prepare_sys_path(env.get("LAMBDA_TASK_ROOT") or os.getcwd())
    _install_endpoint_shim()

    try:
        handler = _load_handler(env.get("_HANDLER", ""))
    except _Fault as fault:
        error = _error_body(fault.message, fault.error_type, fault.trace)
    except Exception as exc:  # the module raised while being imported
        error = _error_from_exception(exc)
    else:
        error = None
    if error is not None:
        _log_error(error)
        _flush_output()
        try:
            api.post_init_error(error)
        finally:
            sys.exit(1)  # even when the report could not be delivered
    _serve(api, handler, encode)


if __name__ == "__main__":
    main()
