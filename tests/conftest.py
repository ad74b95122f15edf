"""Shared test settings."""
import torch


def pytest_configure(config):
    # Two cores on the course machines: one intra-op thread per core keeps runs comparable.
    torch.set_num_threads(max(1, min(2, torch.get_num_threads())))


import pytest  # noqa: E402


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory):
    """Each test session gets its own derivcheck cache: results are computed, never stale."""
    import os

    old = os.environ.get("DERIVCHECK_CACHE")
    os.environ["DERIVCHECK_CACHE"] = str(tmp_path_factory.mktemp("derivcheck-cache"))
    yield
    if old is None:
        os.environ.pop("DERIVCHECK_CACHE", None)
    else:
        os.environ["DERIVCHECK_CACHE"] = old


@pytest.fixture(scope="module")
def service():
    """The self-check page's service, two warm workers, no simulated evidence (serve tests)."""
    from derivcheck.web.service import SelfCheck

    with SelfCheck(evidence=False, workers=2) as s:
        yield s
