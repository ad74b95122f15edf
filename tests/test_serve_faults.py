"""The self-check page under faults, load and attack (issue 20): each class of failure is a test.

The pool's own tests use trivial tasks (``abs``) and CPU-burning ones (a slow answer) so they run in
seconds without the bank; the HTTP tests use the shared service (``conftest.service``) and, for
what happens below the app (trickling headers, connection caps), a real uvicorn server on a free
loopback port. No test asserts a wall-clock time: the latency test bounds a ratio against the idle
latency measured in the same test.
"""
import http.client
import json
import os
import signal
import socket
import statistics
import threading
import time

import pytest

pytest.importorskip("starlette", reason="the 'serve' extra is not installed")
pytest.importorskip("httpx2", reason="Starlette's TestClient needs httpx2 (the 'dev' extra)")

from starlette.testclient import TestClient

from derivcheck.grading.limits import Limits
from derivcheck.grading.sandbox import Sandbox, WarmItem, WarmUpError
from derivcheck.web.app import StrictJSON, create_app
from derivcheck.web.pool import Busy, Pool


def burn(seconds):
    """Spend ``seconds`` of CPU time (a slow answer)."""
    start = time.process_time()
    while time.process_time() - start < seconds:
        pass
    return seconds


def die_once(flag):
    """Kill this worker the first time (a fault outside the task), answer the second time."""
    if not os.path.exists(flag):
        open(flag, "w").close()
        os.kill(os.getpid(), signal.SIGKILL)
    return "second try"


def die():
    os.kill(os.getpid(), signal.SIGKILL)


def strict_json(text):
    def refuse(name):
        raise AssertionError(f"{name} in the response")

    return json.loads(text, parse_constant=refuse)


# --- the pool heals ------------------------------------------------------------------------------

def test_a_killed_idle_worker_is_replaced_before_the_next_task():
    with Pool(2, Limits(seconds=2)) as pool:
        assert pool.call(abs, (-1,)) == ("ok", 1)
        for worker in pool.workers:
            os.kill(worker.proc.pid, signal.SIGKILL)
        time.sleep(0.1)
        assert [pool.call(abs, (-i,)) for i in range(6)] == [("ok", i) for i in range(6)]
        assert pool.box.replaced >= 2


def test_a_stopped_idle_worker_is_not_given_a_task():
    # A stopped worker would hold the task until the wall-clock safety net (10 x 1 s): "timeout".
    with Pool(1, Limits(seconds=1)) as pool:
        os.kill(pool.workers[0].proc.pid, signal.SIGSTOP)
        time.sleep(0.1)
        assert pool.call(abs, (-7,)) == ("ok", 7)
        assert pool.box.replaced == 1


def test_a_worker_stopped_during_a_task_times_out_by_the_stall_net():
    """A task whose worker uses no CPU at all for 10 times the budget (here stopped by SIGSTOP) is
    stopped by the wall-clock safety net, which names itself; the pool serves on."""
    with Pool(1, Limits(seconds=0.2)) as pool:
        ticket = pool.box.submit(burn, (5,))
        while not any(w.running for w in pool.workers):
            time.sleep(0.01)
        os.kill(next(w for w in pool.workers if w.running).proc.pid, signal.SIGSTOP)
        status, why = ticket.result()
        assert status == "timeout" and "no CPU time used" in why
        assert pool.call(abs, (-7,)) == ("ok", 7)


def test_workers_outlive_the_threads_that_asked():
    """Two overlapping slow answers from short-lived threads, then idle: the replacements are the
    supervisor's children, alive after the request threads have ended, and serve every later task."""
    with Pool(2, Limits(seconds=0.3)) as pool:
        results = []
        threads = [threading.Thread(target=lambda: results.append(pool.call(burn, (60,)))) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert [r[0] for r in results] == ["timeout", "timeout"]
        time.sleep(0.5)
        assert len(pool.workers) == 2 and all(w.proc.is_alive() for w in pool.workers)
        assert [pool.call(abs, (-i,)) for i in range(8)] == [("ok", i) for i in range(8)]


def test_a_worker_dying_during_a_task_is_replaced_and_the_task_sent_once_more(tmp_path):
    with Pool(1, Limits(seconds=2)) as pool:
        assert pool.call(die_once, (str(tmp_path / "flag"),)) == ("ok", "second try")
        status, why = pool.call(die, ())
        assert status == "crashed" and "died" in why
        assert pool.call(abs, (-2,)) == ("ok", 2)


def test_the_budget_is_cpu_time_and_the_warm_up_is_not_charged():
    # 0.6 s asleep uses no CPU; 0.3 s of warm-up and 0.3 s of task each fit a 0.5 s budget alone.
    with Sandbox(1, Limits(seconds=0.5), warm=[WarmItem("a slow warm-up", burn, (0.3,))]) as box:
        assert box.call(time.sleep, (0.6,)) == ("ok", None)
        assert box.call(burn, (0.3,)) == ("ok", 0.3)
        status, why = box.call(burn, (5,))
        assert status == "timeout" and "CPU time" in why


def test_a_warm_up_over_the_budget_stops_the_start_naming_the_item():
    with pytest.raises(WarmUpError, match="the bank's example"):
        Sandbox(1, Limits(seconds=0.3), warm=[WarmItem("the bank's example", burn, (5,))])


def test_a_full_queue_and_a_clients_share_are_refused_with_retry_after():
    with Sandbox(1, Limits(seconds=0.5), max_pending=1, per_client=2) as box:
        running = box.submit(burn, (5,), "a")
        time.sleep(0.2)  # taken by the worker
        box.submit(burn, (5,), "a")
        with pytest.raises(Busy) as share:
            box.submit(abs, (1,), "a")
        assert share.value.client and share.value.retry_after >= 1
        with pytest.raises(Busy) as full:
            box.submit(abs, (1,), "b")
        assert not full.value.client
        assert running.result(30)[0] == "timeout"


def test_slow_clients_beside_a_normal_one():
    """Four clients sending answers that run out their budget, one normal client: the normal
    client's latency stays within a small multiple of its idle latency (a worker is kept for
    clients that have not sent a slow answer lately; without it, the normal client would wait
    behind the slow answers, each a full budget of 1 s, over 10 times its idle latency)."""
    with Pool(2, Limits(seconds=1.0), reserve=1, max_pending=64, per_client=4) as pool:
        def normal():
            start = time.perf_counter()
            assert pool.call(burn, (0.05,), "normal") == ("ok", 0.05)
            return time.perf_counter() - start

        idle = [normal() for _ in range(8)]
        stop = threading.Event()

        def attacker(k):
            while not stop.is_set():
                try:
                    pool.call(burn, (60,), f"slow-{k}")
                except Busy:
                    time.sleep(0.05)

        attackers = [threading.Thread(target=attacker, args=(k,)) for k in range(4)]
        for t in attackers:
            t.start()
        time.sleep(0.3)
        try:
            loaded = [normal() for _ in range(8)]
        finally:
            stop.set()
            for t in attackers:
                t.join()
    ratio = statistics.median(loaded) / statistics.median(idle)
    assert ratio < 10, (ratio, idle, loaded)


# --- the HTTP side ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def client(service):
    return TestClient(create_app(service), raise_server_exceptions=False)


ANSWER = {"question": "p2.variance", "answer": "d*sigma^2/2"}


@pytest.mark.parametrize("headers, status", [
    ({"origin": "http://evil.localhost:9000"}, 403),
    ({"origin": "null"}, 403),
    ({"sec-fetch-site": "cross-site"}, 403),
    ({"sec-fetch-site": "same-site"}, 403),   # another port of this machine is the same site, not origin
    ({"content-type": "text/plain"}, 415),
    ({"content-type": "application/x-www-form-urlencoded"}, 415),
    ({"origin": "http://testserver", "sec-fetch-site": "same-origin"}, 200),
    ({}, 200),
])
def test_posts_from_another_origin_or_not_json_are_refused(client, headers, status):
    for path in ("/api/check", "/api/read"):
        response = client.post(path, content=json.dumps(ANSWER).encode(),
                               headers={"content-type": "application/json", **headers})
        assert response.status_code == status, (path, headers, response.text)
        doc = strict_json(response.text)
        assert (status != 200) == ("message" in (doc.get("error") or {}))


def test_an_unpaired_surrogate_is_a_json_error_not_a_crash(client):
    body = b'{"question": "p2.variance", "answer": "d\\ud800"}'
    for path in ("/api/check", "/api/read"):
        response = client.post(path, content=body, headers={"content-type": "application/json"})
        assert response.status_code == 400 and "surrogate" in strict_json(response.text)["error"]["message"]
    assert strict_json(StrictJSON({"a": "x\ud800"}).body.decode("ascii")) == {"a": "x\ud800"}


def test_refusals_and_faults_answer_json_with_retry_after(client, service, monkeypatch):
    def raising(exc):
        async def fn(q, a, client=None, sheet_id=None):
            raise exc
        return fn

    for exc, status in ((Busy("queue full"), 503), (Busy("your share", client=True), 429),
                        (RuntimeError("a bug"), 500)):
        monkeypatch.setattr(service, "check_async", raising(exc))
        response = client.post("/api/check", json=ANSWER)
        assert response.status_code == status and strict_json(response.text)["error"]["message"]
        assert (status != 500) == ("retry-after" in response.headers)


def test_killing_the_services_workers_never_gives_a_wrong_or_non_json_answer(client, service):
    from derivcheck import engine

    expected = engine.check("p2.variance", "d*sigma^2")["verdict"]
    for round_ in range(3):
        for worker in service._check_pool.workers:
            os.kill(worker.proc.pid, signal.SIGKILL)
        response = client.post("/api/check", json={"question": "p2.variance", "answer": f"d*sigma^2 + {round_}*0"})
        assert response.status_code == 200 and strict_json(response.text)["verdict"] == expected


# --- below the app: uvicorn with the guard -----------------------------------------------------------

@pytest.fixture(scope="module")
def server(service):
    import uvicorn

    from derivcheck.web.guard import guarded

    config = uvicorn.Config(create_app(service), host="127.0.0.1", port=0, log_level="critical", lifespan="off",
                            http=guarded(request_seconds=1.0, per_address=8))
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    while not srv.started:
        time.sleep(0.02)
    yield srv.servers[0].sockets[0].getsockname()[1]
    srv.should_exit = True
    thread.join(10)


def _get(port, source="127.0.0.1"):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    try:
        conn.request("GET", "/api/questions")
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _read_all(sock):
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def test_trickling_headers_are_cut_off_and_never_block_others(server):
    port = server
    tricklers = []
    for _ in range(12):  # 8 allowed from one address; the rest refused at once
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        sock.sendall(b"GET /api/questions HTTP/1.1\r\nHo")
        tricklers.append(sock)
    time.sleep(0.2)
    status, body = _get(port, "127.0.0.2")  # another address is served meanwhile
    assert status == 200 and isinstance(strict_json(body.decode()), list)
    answers = [_read_all(sock) for sock in tricklers]
    for sock in tricklers:
        sock.close()
    codes = sorted(int(a.split(b" ", 2)[1]) for a in answers)
    assert codes == [408] * 8 + [503] * 4
    for answer in answers:
        head, _, body = answer.partition(b"\r\n\r\n")
        assert b"application/json" in head and strict_json(body.decode())["error"]["message"]
    assert _get(port)[0] == 200  # the address is served again once its tricklers are gone


def test_a_malformed_request_gets_a_json_400(server):
    sock = socket.create_connection(("127.0.0.1", server), timeout=10)
    sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n")
    head, _, body = _read_all(sock).partition(b"\r\n\r\n")
    sock.close()
    assert head.startswith(b"HTTP/1.1 400") and strict_json(body.decode())["error"]["message"]
