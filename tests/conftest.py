"""Shared test settings."""
import torch


def pytest_configure(config):
    # Two cores on the course machines: one intra-op thread per core keeps runs comparable.
    torch.set_num_threads(max(1, min(2, torch.get_num_threads())))
