"""gunicorn's settings for motcua (`gunicorn -c deploy/gunicorn.conf.py motcua.wsgi`), from the environment.

MOTCUA_BIND (127.0.0.1:8000), MOTCUA_WORKERS (2 × CPUs + 1), MOTCUA_THREADS (2 per worker: a request's
database round trips leave room for a second, while more threads in one process spent more CPU handing
Python's interpreter lock to each other than they saved; docs/benchmarks.md), MOTCUA_SWITCH_INTERVAL_MS
(1, see post_fork). The access log leaves out the query string: the citizen's status page carries its key
in `?k=`, and searches carry names.
"""
import multiprocessing
import os

bind = os.environ.get("MOTCUA_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("MOTCUA_WORKERS", str(2 * multiprocessing.cpu_count() + 1)))
threads = int(os.environ.get("MOTCUA_THREADS", "2"))
# gunicorn's threaded worker, taking a connection only when a thread of its is free (motcua/ops/balanced_worker.py);
# MOTCUA_BALANCED_WORKER=0 gives gunicorn's own.
worker_class = ("gthread" if os.environ.get("MOTCUA_BALANCED_WORKER", "1") == "0"
                else "motcua.ops.balanced_worker.BalancedThreadWorker")
timeout = int(os.environ.get("MOTCUA_REQUEST_TIMEOUT", "60"))  # a form 06 of a province, a large xlsx
graceful_timeout = 30
keepalive = 5
max_requests = 2000  # recycle workers now and then (memory held by large exports)
max_requests_jitter = 200
# The application is imported once, by the master, before the workers are forked: a recycled worker
# starts at once instead of importing Django again while requests wait (no database connection is
# opened at import: each worker opens its own).
preload_app = True
limit_request_line = 8190
forwarded_allow_ips = os.environ.get("MOTCUA_TRUSTED_PROXIES", "127.0.0.1") or "127.0.0.1"
accesslog = os.environ.get("MOTCUA_ACCESS_LOG", "-")
errorlog = "-"
# %(U)s is the path without the query string; no user agent, no referrer (both may carry keys).
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'


def when_ready(server):  # noqa: ANN001, ANN201, ARG001 - gunicorn's hook, in the master, before the workers
    """The application is preloaded: import what its first requests would (motcua.wsgi.warm). Then every
    object it made is moved out of the garbage collector's sight (``gc.freeze``, as Python's documentation
    advises before forking): a worker's collections no longer walk Django's whole heap, nor write to its
    pages, which the workers then keep sharing. Under the API's load the collector's share of the
    machine fell from about 4 % to under 1 % (perf, docs/benchmarks.md)."""
    import gc

    from motcua.wsgi import warm

    warm()
    gc.freeze()


def post_fork(server, worker):  # noqa: ANN001, ANN201, ARG001 - gunicorn's hook
    """A worker's threads take turns on Python's interpreter lock every MOTCUA_SWITCH_INTERVAL_MS
    (1 ms; Python's default is 5): a request whose database answer has come back waits less for a
    thread busy rendering another page."""
    import sys

    sys.setswitchinterval(float(os.environ.get("MOTCUA_SWITCH_INTERVAL_MS", "1")) / 1000)
