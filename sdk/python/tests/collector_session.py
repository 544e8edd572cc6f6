"""The real collector the tests send to, and ways to read back what arrived.

test/integration/python-sdk.test.ts starts the collector and passes it in STACKLENS_TEST_ENDPOINT,
STACKLENS_TEST_API_KEY and STACKLENS_TEST_PROMPTS_DIR. Run alone (``python3 -m unittest discover
-s sdk/python/tests``), the suite starts one itself from dist/cli.js (``npm run build`` first).
Its token is seed 001's own ``sl-xxxx``, so the seed's samples run as they are written."""
import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
SDK_ROOT = Path(__file__).resolve().parents[1]
REPO_ROOT = SDK_ROOT.parents[1]
sys.path.insert(0, str(SDK_ROOT))

import stacklens  # noqa: E402

SEED_KEY = "sl-xxxx"


class Collector:
    def __init__(self, url, token, prompts_dir):
        self.url = url
        self.token = token
        self.prompts_dir = Path(prompts_dir)

    def request(self, method, route, body=None, token=None):
        data = None if body is None else json.dumps(body).encode()
        headers = {"Authorization": f"Bearer {token or self.token}"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.url + route, data=data, headers=headers, method=method)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=10) as answer:
                return answer.status, json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as answer:
            return answer.code, json.loads(answer.read() or b"null")


_session = None


def collector():
    """The collector of this test run, started on first use."""
    global _session
    if _session is None:
        url = os.environ.get("STACKLENS_TEST_ENDPOINT")
        if url:
            _session = Collector(url, os.environ.get("STACKLENS_TEST_API_KEY", SEED_KEY), os.environ["STACKLENS_TEST_PROMPTS_DIR"])
        else:
            _session = _start_own_collector()
        if _session.token != SEED_KEY:
            raise RuntimeError(f"the test collector must use seed 001's token {SEED_KEY!r}, got {_session.token!r}")
    return _session


def _start_own_collector():
    cli = REPO_ROOT / "dist" / "cli.js"
    node = shutil.which("node")
    if node is None or not cli.exists():
        raise RuntimeError(f"cannot start a collector: need node and {cli} (run `npm run build` in {REPO_ROOT})")
    work = Path(tempfile.mkdtemp(prefix="stacklens-python-"))
    (work / "prompts").mkdir()
    process = subprocess.Popen(
        [node, str(cli), "serve", "--port", "0", "--data", str(work / "data"), "--token", SEED_KEY, "--prompts", str(work / "prompts")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    atexit.register(lambda: (process.terminate(), process.wait(10), shutil.rmtree(work, ignore_errors=True)))
    first = process.stdout.readline().strip()
    prefix = "StackLens collector listening on "
    if not first.startswith(prefix):
        raise RuntimeError(f"the collector did not start: {first} {process.stdout.read() if process.poll() is not None else ''}")
    return Collector(first[len(prefix):], SEED_KEY, work / "prompts")


def configure_for_tests(**options):
    """Points the SDK at the test collector (and quiets export errors a test provokes on purpose)."""
    c = collector()
    stacklens.configure(api_key=c.token, endpoint=c.url, **options)
    return c


def arrived_trace(trace_id, spans=1):
    """The trace as the collector stores it, once it holds at least ``spans`` spans (flushes first)."""
    stacklens.flush()
    deadline = time.monotonic() + 5
    while True:
        status, body = collector().request("GET", f"/api/v1/traces/{trace_id}")
        if status == 200 and len(body["spans"]) >= spans:
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"trace {trace_id} did not arrive with {spans} span(s) within 5 s; last answer {status} {str(body)[:300]}")
        time.sleep(0.05)


def span_named(detail, name):
    found = [span for span in detail["spans"] if span["name"] == name]
    if len(found) != 1:
        names = ", ".join(span["name"] for span in detail["spans"])
        raise AssertionError(f"expected one span named {name!r} in trace {detail['trace']['trace_id']}, found {len(found)}: {names}")
    return found[0]


def line_of(path, marker):
    """The 1-based line of the first line in ``path`` holding ``marker`` (a comment beside a call)."""
    for number, line in enumerate(Path(path).read_text().splitlines(), start=1):
        if marker in line:
            return number
    raise AssertionError(f"marker {marker} not found in {path}")


def run_python(code, env_extra=None, timeout=30):
    """Runs ``code`` in a fresh interpreter that imports the SDK from this tree, with no StackLens
    variables of the shell running the tests."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("STACKLENS_")}
    env["PYTHONPATH"] = str(SDK_ROOT)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=timeout)
