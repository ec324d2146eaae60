"""engine.at_once: independent calls run concurrently, results in call order, errors raised to the caller."""
import subprocess
import sys
import threading
import time

import pytest

from dashboard.queries.engine import at_once
from schema.config import PROJECT_ROOT


def test_results_come_back_in_call_order_whatever_finishes_first():
    def after(seconds, value):
        return lambda: (time.sleep(seconds), value)[1]

    assert at_once(after(0.05, "a"), after(0.0, "b"), after(0.03, "c"), after(0.0, "d")) == ["a", "b", "c", "d"]


CONCURRENT = """
import threading
from dashboard.queries.engine import at_once

started, seen = threading.Event(), {}

def first():  # returns only once the second call has started elsewhere
    assert started.wait(timeout=10), "the second call never started while the first ran"
    return threading.current_thread().name

def second():
    seen["thread"] = threading.current_thread().name
    started.set()
    return "second"

assert at_once(first, second) == [threading.current_thread().name, "second"]
assert seen["thread"].startswith("query-side"), seen
"""


def test_the_other_calls_start_on_side_threads_while_the_first_runs():
    # in a fresh interpreter: dash.testing's runner kills every thread started during a browser test,
    # this pool's workers included, and the pool then runs everything on the calling thread
    done = subprocess.run([sys.executable, "-c", CONCURRENT], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_an_error_in_a_side_call_reaches_the_caller():
    def fails():
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        at_once(lambda: 1, fails)


def test_a_single_call_runs_on_the_calling_thread():
    assert at_once(lambda: threading.current_thread().name) == [threading.current_thread().name]


CALLER_RUNS_QUEUED = """
import threading
from dashboard.queries.engine import at_once

started, released = threading.Semaphore(0), threading.Event()

def first():  # returns once both side threads are busy with `held`
    assert started.acquire(timeout=10) and started.acquire(timeout=10)
    return "first"

def held():  # keeps a side thread until the last call has run
    started.release()
    assert released.wait(timeout=10), "the caller waited on a running call while another was still queued"
    return "held"

def last():
    released.set()
    return threading.current_thread().name

assert at_once(first, held, held, last) == ["first", "held", "held", threading.current_thread().name]
"""


def test_the_caller_runs_queued_calls_before_waiting_for_running_ones():
    done = subprocess.run([sys.executable, "-c", CALLER_RUNS_QUEUED], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
