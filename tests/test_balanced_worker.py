"""gunicorn's threaded worker as motcua runs it (motcua/ops/balanced_worker.py): a worker whose threads are
all busy leaves a new connection to one with a free thread, and does not keep a connection alive while a
request of its waits for a thread. Tried on a real gunicorn with a small application that answers with its
process id, slowly or at once."""
from __future__ import annotations

import http.client
import os
import runpy
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from motcua.ops.balanced_worker import queued

ROOT = Path(__file__).resolve().parent.parent
WORKER = "motcua.ops.balanced_worker.BalancedThreadWorker"
APP = '''
import os, time

def app(environ, start_response):
    if environ["PATH_INFO"] == "/slow":
        time.sleep(float(environ.get("QUERY_STRING") or "1"))
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [str(os.getpid()).encode()]
'''


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def serve(tmp_path: Path) -> Iterator:
    """``serve(workers, threads, worker_class)`` starts gunicorn on the small application; the port."""
    (tmp_path / "pidapp.py").write_text(APP)
    servers: list[subprocess.Popen] = []

    def start(workers: int, threads: int, worker_class: str = WORKER) -> int:
        port = _free_port()
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "--chdir", str(tmp_path), "--pythonpath", str(ROOT),
             "-k", worker_class, "-w", str(workers), "--threads", str(threads), "-b", f"127.0.0.1:{port}",
             "--keep-alive", "30", "--log-level", "warning", "pidapp:app"],
            cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        servers.append(server)
        for _ in range(150):
            try:
                if _get(http.client.HTTPConnection("127.0.0.1", port, timeout=5), "/")[0] == 200:
                    return port
            except OSError:
                time.sleep(0.1)
        raise AssertionError("gunicorn did not answer")

    yield start
    for server in servers:
        server.terminate()
        server.wait(timeout=30)


def _get(conn: http.client.HTTPConnection, path: str) -> tuple[int, str, str | None]:
    """Status, body (the answering process's id) and the Connection header of one request."""
    conn.request("GET", path)
    response = conn.getresponse()
    return response.status, response.read().decode(), response.getheader("Connection")


def _parent(stat: Path) -> str | None:
    """The parent's process id in a ``/proc/<pid>/stat`` file; None for a process gone meanwhile."""
    try:
        return stat.read_text().rsplit(")", 1)[1].split()[1]
    except OSError:
        return None


def _sibling_worker(pid: str) -> int:
    """The other worker of the gunicorn whose worker ``pid`` is (the tests run two)."""
    master = _parent(Path(f"/proc/{pid}/stat"))
    siblings = [int(stat.parent.name) for stat in Path("/proc").glob("[0-9]*/stat")
                if stat.parent.name != pid and _parent(stat) == master]
    assert len(siblings) == 1, siblings
    return siblings[0]


def _busy_worker_and_a_new_connection(port: int, hold_other: bool = False) -> tuple[str, str, float]:
    """A request keeping one worker's only thread busy for 1.5 s; meanwhile a new connection's request.
    The busy worker's id, the id that answered the new connection, and how long that answer took.

    With ``hold_other`` the other worker is stopped (SIGSTOP) for the new connection's first 0.4 s, so that
    only the busy worker can take it then: which of two idle pollers the kernel wakes first is otherwise a
    race, and on some machines the same one wins every try."""
    slow = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    busy_pid = _get(slow, "/")[1]  # the kept-alive connection's worker
    done: list[str] = []
    thread = threading.Thread(target=lambda: done.append(_get(slow, "/slow?1.5")[1]))
    thread.start()
    time.sleep(0.3)  # the slow request is in hand
    other = _sibling_worker(busy_pid) if hold_other else None
    if other is not None:
        os.kill(other, signal.SIGSTOP)
        threading.Timer(0.4, os.kill, (other, signal.SIGCONT)).start()
    fresh = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    started = time.perf_counter()
    answered_by = _get(fresh, "/")[1]
    took = time.perf_counter() - started
    fresh.close()
    thread.join()
    assert done == [busy_pid]
    slow.close()
    return busy_pid, answered_by, took


def test_a_worker_whose_threads_are_busy_leaves_new_connections_to_another(serve) -> None:  # noqa: ANN001
    """gunicorn's own worker takes a new connection even with its only thread busy, and that request waits
    behind the slow one (gunicorn issue 3433); here each of eight tries is answered at once by the other
    worker, and so are two more with the other worker stopped for the new connection's first 0.4 s: the busy
    one leaves the connection in the kernel's queue until the other wakes."""
    port = serve(workers=2, threads=1)
    for hold_other in [False] * 8 + [True] * 2:
        busy_pid, answered_by, took = _busy_worker_and_a_new_connection(port, hold_other)
        assert answered_by != busy_pid
        assert took < 1.0


def test_gunicorns_own_worker_lets_a_busy_worker_take_a_new_connection(serve) -> None:  # noqa: ANN001
    """The same on gunicorn's gthread, with the other worker stopped for the new connection's first 0.4 s:
    the busy worker takes the connection at once, and its request waits for the slow one (which is what the
    test above rules out)."""
    port = serve(workers=2, threads=1, worker_class="gthread")
    for _ in range(2):
        busy_pid, answered_by, took = _busy_worker_and_a_new_connection(port, hold_other=True)
        assert answered_by == busy_pid
        assert took > 1.0


def test_no_keep_alive_for_a_request_taken_up_while_another_waits_for_a_thread(serve) -> None:  # noqa: ANN001
    """One worker, one thread, three kept-alive connections. The first's slow request is taken up with
    nothing waiting: its connection is kept. The second's waits for it, and is taken up while the third's
    still waits: its answer closes the connection."""
    port = serve(workers=1, threads=1)
    first, second, third = (http.client.HTTPConnection("127.0.0.1", port, timeout=10) for _ in range(3))
    assert all(_get(conn, "/")[2] != "close" for conn in (first, second, third))  # all kept alive when idle
    answers: dict[str, tuple[int, str, str | None]] = {}
    threads = [threading.Thread(target=lambda name=name, conn=conn, path=path: answers.update({name: _get(conn, path)}))
               for name, conn, path in (("first", first, "/slow?1"), ("second", second, "/slow?0.3"),
                                        ("third", third, "/"))]
    for thread in threads:
        thread.start()
        time.sleep(0.2)  # in this order
    for thread in threads:
        thread.join()
    assert {status for status, _pid, _header in answers.values()} == {200}
    assert answers["first"][2] != "close"
    assert answers["second"][2] == "close"
    assert _get(first, "/")[0] == 200  # still open


def test_a_request_taken_up_while_a_new_connection_waits_in_the_kernels_queue_closes_its_connection(
        serve) -> None:  # noqa: ANN001
    """One worker, one thread, busy with a slow request: two new connections send theirs meanwhile and wait
    in the kernel's queue. The one taken up first, while the other still waits there, is answered with
    ``Connection: close`` (its client's next request goes behind the other's); the second, with nothing
    waiting, keeps its connection."""
    port = serve(workers=1, threads=1)
    busy = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    _get(busy, "/")
    slow = threading.Thread(target=_get, args=(busy, "/slow?0.6"))
    slow.start()
    time.sleep(0.2)  # the slow request is in hand
    waiting = [http.client.HTTPConnection("127.0.0.1", port, timeout=10) for _ in range(2)]
    for conn in waiting:
        conn.request("GET", "/")
        time.sleep(0.05)
    slow.join()
    closes = [response.getheader("Connection") == "close" for response in (conn.getresponse() for conn in waiting)]
    assert sorted(closes) == [False, True]


def test_the_kernels_accept_queue_is_read_from_a_listening_socket() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        assert queued(listener) == 0
        clients = [socket.create_connection(listener.getsockname()) for _ in range(3)]
        assert queued(listener) == 3
        listener.accept()[0].close()
        assert queued(listener) == 2
        for client in clients:
            client.close()
    with socket.socket(socket.AF_UNIX) as unix:
        assert queued(unix) is None


def test_a_connection_closed_as_a_new_one_arrives_does_not_close_the_new_one(serve) -> None:  # noqa: ANN001
    """A client closing its kept-alive connection as another connects: one poll reports both, and the closing
    connection takes the only thread. The new connection waits for it in the kernel's queue rather than being
    taken up while another request is in hand, which would answer it with ``Connection: close`` (seen on
    about one try in ten before)."""
    port = serve(workers=1, threads=1)
    closed = 0
    for _ in range(300):
        leaving = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        _get(leaving, "/")
        leaving.close()
        arriving = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        closed += _get(arriving, "/")[2] == "close"
        arriving.close()
    assert closed == 0


def test_the_projects_config_runs_this_worker_unless_turned_off(monkeypatch) -> None:  # noqa: ANN001
    assert runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))["worker_class"] == WORKER
    monkeypatch.setenv("MOTCUA_BALANCED_WORKER", "0")
    assert runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))["worker_class"] == "gthread"
