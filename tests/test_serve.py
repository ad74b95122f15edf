"""The self-check page's HTTP API (docs/interface.md, "Self-check page") through Starlette's TestClient.

The service runs without simulated evidence (``evidence=False``): the records would cost each
fresh test cache a run of the simulations; the feedback is then the counterexample alone.
"""
import json
import time

import pytest

pytest.importorskip("starlette", reason="the 'serve' extra is not installed")
pytest.importorskip("httpx2", reason="Starlette's TestClient needs httpx2 (the 'dev' extra)")

from serve_stub import stub_derivation
from starlette.testclient import TestClient

from derivcheck.grading.limits import Limits
from derivcheck.web.app import MAX_ANSWER, MAX_BODY, create_app
from derivcheck.web.mathml import to_mathml
from derivcheck.web.pool import Pool


@pytest.fixture(scope="module")
def client(service):
    return TestClient(create_app(service))


def strict_json(response):
    """The body, parsed refusing NaN and Infinity."""
    def refuse(name):
        raise AssertionError(f"{name} in the response")

    return json.loads(response.text, parse_constant=refuse)


def test_page_has_every_question_with_its_parts(client, service):
    response = client.get("/")
    assert response.status_code == 200
    html = response.text
    for qid in service.questions:
        assert f'data-question="{qid}"' in html
    assert html.count("<textarea") == len(service.questions)
    for role in ("preview", "check", "verdict"):
        assert html.count(f'data-role="{role}"') == len(service.questions)
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert "http" not in html.split("<main>")[0].replace("http://www.w3.org", "")  # no CDN, nothing remote
    for asset in ("/static/app.js", "/static/style.css"):
        assert client.get(asset).status_code == 200
        assert client.get(asset).headers["cache-control"] == "no-cache"
    assert client.get("/api/questions").headers["cache-control"] == "no-store"


def test_questions_is_the_bank(client):
    from derivcheck import engine

    assert strict_json(client.get("/api/questions")) == json.loads(json.dumps(engine.questions()))


def test_read_gives_latex_and_mathml(client):
    doc = strict_json(client.post("/api/read", json={"question": "p2.variance", "answer": "σ²d/2"}))
    assert doc["error"] is None
    assert doc["latex"] == r"\frac{d \sigma^{2}}{2}"
    assert doc["mathml"].startswith('<math xmlns="http://www.w3.org/1998/Math/MathML"') and "<mfrac>" in doc["mathml"]


def test_read_solves_an_equation_as_the_grader_does(client):
    doc = strict_json(client.post("/api/read", json={"question": "p2.sigma", "answer": "sigma^2 = 2/d"}))
    assert doc["error"] is None and "sqrt" in doc["latex"] and doc["note"].startswith("solved")


@pytest.mark.parametrize("answer, position", [("d*sigma^2/2 + ((", 15), ("d * sigma ^ $2", 12), ("d*sigma**", 8),
                                              ("d*q", 2)])
def test_read_error_points_at_the_character(client, answer, position):
    doc = strict_json(client.post("/api/read", json={"question": "p2.variance", "answer": answer}))
    assert doc["latex"] is None
    assert doc["error"]["message"] and doc["error"]["position"] == position


def test_read_never_evaluates(client):
    # A number far too large to build: refused by the reader's bounds, not computed.
    start = time.perf_counter()
    doc = strict_json(client.post("/api/read", json={"question": "p2.variance", "answer": "9^9^9^9"}))
    assert doc["latex"] is None and doc["error"]["message"]
    assert time.perf_counter() - start < 30  # generous: a computed 9^9^9^9 would never return


def test_read_of_a_derivation_reads_each_line_with_positions_in_the_whole_text(client):
    answer = "d*sigma^2/2\n= d*sigma^2 * (1/2)   # ReLU halves E[z^2]\n= d*sigma^2/2 + ("
    doc = strict_json(client.post("/api/read", json={"question": "p2.variance", "answer": answer}))
    lines = doc["lines"]
    assert [line["line"] for line in lines] == [0, 1, 2]
    assert lines[1]["error"] is None and "sigma" in lines[1]["latex"]
    assert lines[2]["error"]["position"] == len(answer) - 1  # the "(" left open on line 2
    assert doc["error"] == lines[2]["error"]


def test_check_is_the_check_json_document(client):
    from derivcheck import engine

    for answer in ("d*sigma^2/2", "d*sigma^2", "d sigma^2 +"):
        doc = strict_json(client.post("/api/check", json={"question": "p2.variance", "answer": answer}))
        expected = engine.check("p2.variance", answer)
        assert doc["verdict"] == expected["verdict"] and doc["diagnoses"] == expected["diagnoses"]
        assert {"question", "answer", "verdict", "score", "diagnoses", "feedback"} <= set(doc)
    doc = strict_json(client.post("/api/check", json={"question": "p2.variance", "answer": "d*sigma^2"}))
    assert doc["counterexample"]["answer_value"] != doc["counterexample"]["reference_value"]
    assert doc["mathml"] and "<msup>" in doc["mathml"]


def test_check_non_finite_values_stay_strict_json(client):
    doc = strict_json(client.post("/api/check", json={"question": "p3.unsmoothed_gap", "answer": "oo"}))
    assert doc["verdict"] == "correct"


@pytest.mark.parametrize("body, status", [
    (b'{"question": "p2.variance", "answer": NaN}', 400),
    (b'{"question": "p2.variance", "answer": 3}', 400),
    (b'["p2.variance", "d"]', 400),
    (b"not json", 400),
    (b"\xff\xfe", 400),
    (b"[" * 60_000, 400),  # nested too deeply, within the size limit
    (b'{"question": "p9.none", "answer": "d"}', 404),
])
def test_bad_requests_get_a_strict_json_error(client, body, status):
    for path in ("/api/read", "/api/check"):
        response = client.post(path, content=body, headers={"content-type": "application/json"})
        assert response.status_code == status
        assert strict_json(response)["error"]["message"]


def test_size_limits(client):
    big = client.post("/api/check", content=b" " * (MAX_BODY + 1), headers={"content-type": "application/json"})
    assert big.status_code == 413 and "KiB" in strict_json(big)["error"]["message"]
    long = client.post("/api/check", json={"question": "p2.variance", "answer": "d" * (MAX_ANSWER + 1)})
    assert long.status_code == 413 and "characters" in strict_json(long)["error"]["message"]


def test_unknown_routes_and_methods_answer_json(client):
    for path in ("/api/nothing", "/static/nothing.js", "/nothing"):
        response = client.get(path)
        assert response.status_code == 404 and strict_json(response)["error"]["message"]
    response = client.get("/api/check")
    assert response.status_code == 405 and strict_json(response)["error"]["message"]
    assert response.headers["allow"] == "POST"


def test_other_hosts_are_refused_when_bound_to_loopback(service):
    app = create_app(service, allowed_hosts=["127.0.0.1", "localhost"])
    assert TestClient(app, base_url="http://127.0.0.1").get("/api/questions").status_code == 200
    refused = TestClient(app, base_url="http://rebound.example").get("/api/questions")
    assert refused.status_code == 400 and "Host" in strict_json(refused)["error"]["message"]


def test_a_stubbed_derivation_check_passes_through(client, service, monkeypatch):
    async def stub(q, a, client=None, sheet_id=None):
        return stub_derivation(q, a)

    monkeypatch.setattr(service, "check_async", stub)
    doc = strict_json(client.post("/api/check", json={"question": "p2.variance", "answer": "Var[y]\n= d"}))
    assert doc["first_wrong"] == 2 and [s["verdict"] for s in doc["steps"]] == ["start", "ok", "wrong", "ok"]


def test_pool_kills_an_overrunning_task_and_keeps_serving():
    with Pool(1, Limits(seconds=0.5)) as pool:
        status, why = pool.call(burn, (60,))
        assert status == "timeout" and "CPU" in why
        assert pool.call(abs, (-3,)) == ("ok", 3)


def burn(seconds):
    """Spend ``seconds`` of CPU time (a slow answer)."""
    start = time.process_time()
    while time.process_time() - start < seconds:
        pass
    return seconds


def test_pool_serves_many_threads_at_once():
    from concurrent.futures import ThreadPoolExecutor

    with Pool(2, Limits(seconds=5)) as pool, ThreadPoolExecutor(8) as threads:
        results = list(threads.map(lambda i: pool.call(abs, (-i,)), range(160)))
    assert results == [("ok", i) for i in range(160)]


def test_mathml_is_sanitised():
    assert to_mathml(r"\text{<b onclick=x>hi</b>}") is None
    assert to_mathml(r"\text{<script>alert(1)</script>}") is None
    assert "&lt;" in (to_mathml(r"a < b") or "")


def test_one_printer_typesets_the_sheets_names():
    """The page's MathML is made from the one printer's LaTeX (eps as \\varepsilon), never patched."""
    import sympy as sp

    from derivcheck.derivations.claim import to_latex

    eps = sp.Symbol("eps", positive=True)
    latex = to_latex((1 - eps) / eps)
    assert "\\varepsilon" in latex and to_mathml(latex).count("ε") == 2


def test_serve_warns_loudly_off_loopback(monkeypatch, capsys):
    import uvicorn

    from derivcheck.cli import main
    from derivcheck.cli.serve import is_loopback
    from derivcheck.web import service as service_module

    class Dummy:
        def __init__(self, *args, **kwargs):
            self.questions, self.sheets = {}, {}

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            pass

        def describe(self):
            return []

    calls = []
    monkeypatch.setattr(service_module, "SelfCheck", Dummy)
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append(kw))
    assert main(["serve", "--host", "0.0.0.0", "--port", "8123"]) == 0
    err = capsys.readouterr().err
    assert "WARNING" in err and "0.0.0.0" in err and calls[0]["host"] == "0.0.0.0" and calls[0]["port"] == 8123
    assert main(["serve"]) == 0
    assert "WARNING" not in capsys.readouterr().err and calls[1]["host"] == "127.0.0.1"
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")


@pytest.mark.parametrize("sep", ["\r\n", "\r", "\u2028"])
def test_read_splits_a_derivation_on_every_line_break(client, sep):
    answer = sep.join(["d*sigma^2/2", "= d*sigma^2 * (1/2)", "= d*sigma^2/2 + ("])
    doc = strict_json(client.post("/api/read", json={"question": "p2.variance", "answer": answer}))
    assert [line["line"] for line in doc["lines"]] == [0, 1, 2]
    assert doc["lines"][2]["error"]["position"] == len(answer) - 1


# --- several sheets -----------------------------------------------------------------------------

def test_the_page_lists_the_served_sheets_and_each_has_its_page(client, service):
    from derivcheck.sheets import builtin

    listed = strict_json(client.get("/api/sheets"))["sheets"]
    assert [s["id"] for s in listed] == list(service.sheets) and set(builtin()) <= {s["id"] for s in listed}
    first = listed[0]["id"]
    page = client.get("/").text
    assert f'data-sheet="{first}"' in page and 'aria-current="page"' in page
    assert all(f'href="?sheet={s["id"]}"' in page for s in listed)
    assert client.get(f"/?sheet={first}").text == page
    assert client.get("/?sheet=nope").status_code == 404
    assert strict_json(client.get(f"/api/questions?sheet={first}")) == strict_json(client.get("/api/questions"))
    missing = client.get("/api/questions?sheet=nope")
    assert missing.status_code == 404 and "unknown sheet 'nope'" in strict_json(missing)["error"]["message"]


def test_a_request_names_its_sheet(client, service):
    first = next(iter(service.sheets))
    named = strict_json(client.post("/api/check", json={"question": "p4.forward_mults", "answer": "n L K^2",
                                                         "sheet": first}))
    assert named["verdict"] == "correct"
    unknown = client.post("/api/check", json={"question": "p4.forward_mults", "answer": "n", "sheet": "nope"})
    assert unknown.status_code == 404 and "unknown sheet" in strict_json(unknown)["error"]["message"]
    assert client.post("/api/read", json={"question": "p4.forward_mults", "answer": "n", "sheet": 5}).status_code == 400


def test_a_folder_sheet_is_served_first_then_the_built_in_ones(tmp_path):
    from derivcheck import engine
    from derivcheck.sheets import builtin
    from derivcheck.web.service import served_sheets

    (tmp_path / "sheet.toml").write_text('name = "Discs"\n[[question]]\nid = "area"\nvariables = { r = "positive" }\n'
                                         'example = "2 r"\nreference = { formula = "pi r^2" }\n')
    source = engine.source(str(tmp_path))
    sheets = served_sheets(source, engine.load_bank(sheet=source))
    assert list(sheets) == [tmp_path.name, *builtin()] and sheets[tmp_path.name].title == "Discs"
    assert list(sheets[tmp_path.name].questions) == ["area"]
