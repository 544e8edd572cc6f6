"""Export: off the caller's path, bounded, batched, retried, flushed at exit, and failures that
surface from flush() instead of the traced code."""
import contextlib
import io
import json
import os
import socket
import time
import unittest

from collector_session import arrived_trace, collector, configure_for_tests, run_python
from flaky_proxy import RESET, FlakyProxy, slow, status

import stacklens

ONE_CALL = dict(model="gpt-4o", provider="openai", input_tokens=10, output_tokens=5)


class ThroughAFlakyNetwork(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.proxy = FlakyProxy(collector().url)

    @classmethod
    def tearDownClass(cls):
        cls.proxy.close()

    def setUp(self):
        self.errors = []

    def tearDown(self):
        self.proxy.fail_always(None)
        self.proxy.refuse_bodies_containing(None)
        with contextlib.suppress(stacklens.StackLensError):
            stacklens.flush()
        configure_for_tests()

    def via_proxy(self, **options):
        stacklens.configure(
            api_key=collector().token, endpoint=self.proxy.url, retry_base_delay_ms=5,
            on_export_error=self.errors.append, **options,
        )

    def outcomes_since(self, start):
        return [outcome for _, outcome in self.proxy.log[start:]]

    def test_retries_through_503_429_with_retry_after_and_a_reset_connection_then_delivers(self):
        self.via_proxy()
        self.proxy.fail_next(status(503), status(429, retry_after=0), RESET)
        start = len(self.proxy.log)
        trace_id = stacklens.trace("retried", **ONE_CALL)
        stacklens.flush()
        self.assertEqual(self.outcomes_since(start), ["503", "429", "reset", "200"])
        arrived_trace(trace_id)
        self.assertEqual(self.errors, [])

    def test_gives_up_after_max_attempts_with_api_error_from_flush(self):
        self.via_proxy(max_attempts=3)
        self.proxy.fail_always(status(503))
        failed_before = stacklens.export_stats().failed
        start = len(self.proxy.log)
        stacklens.trace("never-delivered", **ONE_CALL)
        with self.assertRaises(stacklens.ApiError) as caught:
            stacklens.flush()
        self.assertEqual(caught.exception.status_code, 503)
        self.assertRegex(str(caught.exception), r"answered HTTP 503 to POST /api/v1/spans: injected 503 \(1 span or score not delivered\)")
        self.assertEqual(self.outcomes_since(start), ["503", "503", "503"])
        self.assertEqual(stacklens.export_stats().failed, failed_before + 1)
        self.assertEqual(self.errors, [caught.exception], "on_export_error saw the same failure")
        stacklens.flush()  # reported once: the next flush has nothing to raise

    def test_delivers_every_valid_span_of_a_batch_refused_for_one_bad_span(self):
        self.via_proxy()
        self.proxy.refuse_bodies_containing("poison-span")
        good = [stacklens.trace(name, **ONE_CALL) for name in ("good-1", "good-2", "good-3")]
        stacklens.trace("poison-span", **ONE_CALL)
        with self.assertRaises(stacklens.ApiError) as caught:
            stacklens.flush()
        self.assertEqual(caught.exception.status_code, 400)
        self.assertIn("poison-span", str(caught.exception))
        for trace_id in good:
            arrived_trace(trace_id)

    def test_batches_by_size_1200_spans_go_out_in_three_requests(self):
        self.via_proxy(schedule_delay_ms=60_000)
        start = len(self.proxy.log)
        sent_before = stacklens.export_stats().sent_spans
        for n in range(1200):
            stacklens.trace(f"bulk-{n}", **ONE_CALL)
        stacklens.flush()
        self.assertEqual([path for path, _ in self.proxy.log[start:]], ["/api/v1/spans"] * 3)
        self.assertEqual(stacklens.export_stats().sent_spans - sent_before, 1200)

    def test_a_lone_span_waits_at_most_the_schedule_delay(self):
        self.via_proxy(schedule_delay_ms=50)
        start = len(self.proxy.log)
        stacklens.trace("scheduled", **ONE_CALL)
        deadline = time.monotonic() + 5
        while len(self.proxy.log) == start and time.monotonic() < deadline:
            time.sleep(0.01)
        self.assertEqual(self.outcomes_since(start), ["200"], "sent with no flush()")

    def test_a_large_batch_goes_gzipped_and_arrives_byte_for_byte(self):
        self.via_proxy()
        completion = "".join(f"Zeile {n}: «Köln» <b>&amp;</b>\n" for n in range(8000))  # ~260 KB
        start = len(self.proxy.encodings)
        trace_id = stacklens.trace("long-answer", completion=completion, **ONE_CALL)
        stacklens.flush()
        self.assertEqual(self.proxy.encodings[start:], ["gzip"])
        self.assertEqual(arrived_trace(trace_id)["spans"][0]["output"], completion)

    def test_flush_with_a_timeout_gives_up_waiting_but_export_goes_on(self):
        self.via_proxy()
        self.proxy.fail_next(slow(1.0))
        trace_id = stacklens.trace("slow-network", **ONE_CALL)
        with self.assertRaisesRegex(stacklens.StackLensError, r"flush\(\) gave up after 0.1 s"):
            stacklens.flush(timeout=0.1)
        arrived_trace(trace_id)


class Failures(unittest.TestCase):
    def tearDown(self):
        configure_for_tests()

    def test_a_refused_key_is_not_retried_and_surfaces_as_auth_error_from_flush_only(self):
        errors = []
        stacklens.configure(api_key="sl-wrong-key", endpoint=collector().url, on_export_error=errors.append)
        with stacklens.start_trace("with-wrong-key") as span:
            span.record_llm(**ONE_CALL)
            value = "still works"
        self.assertEqual(value, "still works")
        with self.assertRaises(stacklens.AuthError) as caught:
            stacklens.flush()
        error = caught.exception
        self.assertIsInstance(error, stacklens.StackLensError)
        self.assertEqual(error.status_code, 401)
        self.assertRegex(str(error), r"refused the API key \(HTTP 401")
        self.assertIn("stacklens.configure(api_key=...)", str(error))
        self.assertEqual(len(errors), 1)
        stacklens.flush()
        status_code, _ = collector().request("GET", f"/api/v1/traces/{span.trace_id}")
        self.assertEqual(status_code, 404, "nothing was stored with the wrong key")

    def test_an_unreachable_collector_is_api_error_0_saying_what_to_do(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]  # closed again: nothing listens there
        stacklens.configure(api_key="k", endpoint=f"http://127.0.0.1:{port}", max_attempts=2, retry_base_delay_ms=1, on_export_error=lambda e: None)
        stacklens.trace("nowhere", **ONE_CALL)
        with self.assertRaises(stacklens.ApiError) as caught:
            stacklens.flush()
        self.assertEqual(caught.exception.status_code, 0)
        self.assertRegex(str(caught.exception), rf"Could not reach the StackLens collector at http://127.0.0.1:{port} \(connection refused\) after 2 attempt\(s\)\. Is it running\?")

    def test_without_a_handler_each_distinct_failure_is_printed_once_to_stderr(self):
        stacklens.configure(api_key="sl-wrong-key", endpoint=collector().url)
        printed = io.StringIO()
        with contextlib.redirect_stderr(printed):
            for attempt in range(2):
                stacklens.trace(f"printed-{attempt}", **ONE_CALL)
                with self.assertRaises(stacklens.AuthError):
                    stacklens.flush()
        lines = printed.getvalue().splitlines()
        self.assertEqual(len(lines), 1, printed.getvalue())
        self.assertRegex(lines[0], r"^\[stacklens\] AuthError: The StackLens collector at http://127\.0\.0\.1:\d+ refused the API key")

    def test_drops_and_counts_spans_beyond_a_full_queue(self):
        configure_for_tests(max_queue_size=10, schedule_delay_ms=60_000)
        before = stacklens.export_stats()
        ids = [stacklens.trace(f"burst-{n}", **ONE_CALL) for n in range(25)]
        during = stacklens.export_stats()
        self.assertEqual(during.dropped - before.dropped, 15)
        self.assertEqual(during.queued, 10)
        stacklens.flush()
        self.assertEqual(stacklens.export_stats().sent_spans - before.sent_spans, 10)
        arrived_trace(ids[9])
        self.assertEqual(collector().request("GET", f"/api/v1/traces/{ids[10]}")[0], 404)

    def test_shutdown_flushes_and_tracing_afterwards_starts_afresh(self):
        configure_for_tests(schedule_delay_ms=60_000)
        first = stacklens.trace("before-shutdown", **ONE_CALL)
        stacklens.shutdown()
        self.assertEqual(stacklens.export_stats().queued, 0)
        arrived_trace(first)
        second = stacklens.trace("after-shutdown", **ONE_CALL)
        arrived_trace(second)


SHORT_SCRIPT = """
import stacklens
with stacklens.start_trace("short-script") as root:
    with stacklens.span("step") as step:
        step.record_llm(model="gpt-4o", provider="openai", input_tokens=3, output_tokens=2)
print(root.trace_id, flush=True)
"""

CRASHING_SCRIPT = """
import stacklens
stacklens.configure()  # key and endpoint from STACKLENS_API_KEY / STACKLENS_ENDPOINT
with stacklens.start_trace("crashing-script") as root:
    print(root.trace_id, flush=True)
    raise SystemExit("fatal: out of retries")
"""


class ExitFlush(unittest.TestCase):
    def environment(self):
        return {"STACKLENS_ENDPOINT": collector().url, "STACKLENS_API_KEY": collector().token}

    def test_a_script_configured_from_the_environment_delivers_its_spans_without_flush(self):
        result = run_python(SHORT_SCRIPT, self.environment())
        self.assertEqual(result.returncode, 0, result.stderr)
        trace_id = result.stdout.strip()
        self.assertRegex(trace_id, r"^[0-9a-f]{32}$")
        detail = arrived_trace(trace_id, 2)
        self.assertEqual(sorted(span["name"] for span in detail["spans"]), ["short-script", "step"])
        self.assertEqual(result.stderr, "")

    def test_a_script_ending_in_sys_exit_still_delivers_its_error_span(self):
        result = run_python(CRASHING_SCRIPT, self.environment())
        self.assertEqual(result.returncode, 1)
        self.assertIn("fatal: out of retries", result.stderr)
        span = arrived_trace(result.stdout.strip())["spans"][0]
        self.assertEqual((span["name"], span["status"], span["status_message"]), ("crashing-script", "error", "fatal: out of retries"))

    def test_an_exit_flush_that_fails_says_why_on_stderr(self):
        env = dict(self.environment(), STACKLENS_API_KEY="sl-wrong-key")
        result = run_python(SHORT_SCRIPT, env)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertRegex(result.stderr, r"\[stacklens\] AuthError: .*refused the API key.*\(2 spans or scores not delivered\)")


FORKING_SCRIPT = """
import json, os, stacklens
stacklens.configure(schedule_delay_ms=60_000)
parent = stacklens.trace("before-fork", model="gpt-4o", provider="openai", input_tokens=1, output_tokens=1)
read, write = os.pipe()
pid = os.fork()
if pid == 0:
    queued_after_fork = stacklens.export_stats().queued
    child = stacklens.trace("in-child", model="gpt-4o", provider="openai", input_tokens=1, output_tokens=1)
    stacklens.flush()
    os.write(write, json.dumps([queued_after_fork, child, stacklens.export_stats().sent_spans]).encode())
    os._exit(0)
os.waitpid(pid, 0)
queued_after_fork, child, child_sent = json.loads(os.read(read, 1000))
stacklens.flush()
print(json.dumps({"parent": parent, "child": child, "queued_in_child": queued_after_fork, "child_sent": child_sent,
                  "parent_sent": stacklens.export_stats().sent_spans}))
"""


@unittest.skipUnless(hasattr(os, "fork"), "os.fork() exists on POSIX only")
class Fork(unittest.TestCase):
    def test_a_forked_child_starts_with_an_empty_queue_and_sends_its_own_spans(self):
        env = {"STACKLENS_ENDPOINT": collector().url, "STACKLENS_API_KEY": collector().token}
        result = run_python(FORKING_SCRIPT, env)
        self.assertEqual(result.returncode, 0, result.stderr)
        outcome = json.loads(result.stdout)
        self.assertEqual((outcome["queued_in_child"], outcome["child_sent"], outcome["parent_sent"]), (0, 1, 1))
        arrived_trace(outcome["parent"])
        arrived_trace(outcome["child"])


class WireFormat(unittest.TestCase):
    def setUp(self):
        configure_for_tests(service_name="billing-worker")

    def test_times_are_epoch_milliseconds_and_the_service_name_is_sent(self):
        before = time.time() * 1000
        trace_id = stacklens.trace("timed", duration_ms=250, **ONE_CALL)
        after = time.time() * 1000
        span = arrived_trace(trace_id)["spans"][0]
        self.assertAlmostEqual(span["duration_ms"], 250, delta=1)
        self.assertLessEqual(before - 250 - 1, span["start_time"])
        self.assertLessEqual(span["end_time"], after + 1)
        self.assertEqual(span["service_name"], "billing-worker")
        json.dumps(span)  # what came back is plain JSON


if __name__ == "__main__":
    unittest.main()
