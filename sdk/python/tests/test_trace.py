"""stacklens.trace(): one LLM call as one span, and its call site."""
import unittest

from collector_session import arrived_trace, configure_for_tests, line_of, span_named

import stacklens

ONE_CALL = dict(model="gpt-4o", provider="openai", input_tokens=1000, output_tokens=100)


class Trace(unittest.TestCase):
    def setUp(self):
        configure_for_tests()

    def test_returns_the_trace_id_of_one_llm_span_located_at_the_call(self):
        trace_id = stacklens.trace("one-call", **ONE_CALL)  # @trace-call
        self.assertRegex(trace_id, r"^[0-9a-f]{32}$")
        span = span_named(arrived_trace(trace_id), "one-call")
        self.assertEqual(span["kind"], "llm")
        self.assertEqual(span["total_tokens"], 1100, "total_tokens defaults to input + output")
        self.assertEqual(span["code_file"], __file__)
        self.assertEqual(span["code_line"], line_of(__file__, "@trace-call"))
        self.assertTrue(span["code_function"].endswith("test_returns_the_trace_id_of_one_llm_span_located_at_the_call"))

    def test_without_cost_usd_the_collector_prices_the_tokens_instead_of_a_reported_zero(self):
        span = span_named(arrived_trace(stacklens.trace("priced-by-collector", **ONE_CALL)), "priced-by-collector")
        self.assertEqual(span["cost_source"], "computed")
        self.assertGreater(span["cost_usd"], 0)

    def test_an_unknown_model_is_unpriced_never_zero(self):
        trace_id = stacklens.trace("in-house", model="acme-llm-7", provider="acme", input_tokens=10, output_tokens=5)
        span = span_named(arrived_trace(trace_id), "in-house")
        self.assertEqual(span["cost_source"], "unpriced")
        self.assertIsNone(span["cost_usd"])

    def test_records_status_error_duration_content_and_cache_tokens(self):
        trace_id = stacklens.trace(
            "failed-call", status="error", status_message="rate limited", duration_ms=250, prompt="Hi", completion="",
            cache_read_tokens=400, total_tokens=1200, **ONE_CALL,
        )
        span = span_named(arrived_trace(trace_id), "failed-call")
        self.assertEqual((span["status"], span["status_message"]), ("error", "rate limited"))
        self.assertAlmostEqual(span["duration_ms"], 250, delta=1)
        self.assertEqual((span["input"], span["output"]), ("Hi", ""))
        self.assertEqual((span["cache_read_tokens"], span["total_tokens"]), (400, 1200))

    def test_inside_a_running_span_it_is_a_child_in_the_same_trace_and_rollup(self):
        with stacklens.start_trace("one-liner-inside") as root:
            inner = stacklens.trace("inner-call", cost_usd=0.002, **ONE_CALL)
        self.assertEqual(inner, root.trace_id)
        self.assertEqual((root.call_count, root.total_cost_usd), (1, 0.002))
        self.assertEqual(span_named(arrived_trace(inner, 2), "inner-call")["parent_span_id"], root.span_id)

    def test_refuses_bad_arguments_naming_the_field_and_sends_nothing(self):
        before = stacklens.export_stats()
        cases = [
            (dict(ONE_CALL, input_tokens=-1), "input_tokens", r"trace\(\): input_tokens must be an integer ≥ 0, got -1"),
            (dict(ONE_CALL, output_tokens=2.5), "output_tokens", r"got 2.5"),
            (dict(ONE_CALL, model=""), "model", r"model must be a non-empty string"),
            (dict(ONE_CALL, cost_usd=-0.1), "cost_usd", r"a number ≥ 0 \(US dollars\)"),
            (dict(ONE_CALL, status="failed"), "status", r'status must be "ok" or "error"'),
            (dict(ONE_CALL, tags="production"), "tags", r"tags must be a list of strings, not one string"),
            (dict(ONE_CALL, attributes=["a"]), "attributes", r"attributes must be a dict"),
            (dict(ONE_CALL, duration_ms=float("nan")), "duration_ms", r"duration_ms must be a number ≥ 0"),
        ]
        for options, field, message in cases:
            with self.subTest(field=field):
                with self.assertRaisesRegex(stacklens.ValidationError, message) as caught:
                    stacklens.trace("bad", **options)
                self.assertEqual(caught.exception.field, field)
        with self.assertRaisesRegex(stacklens.ValidationError, r"the first argument is the span's name"):
            stacklens.trace("", **ONE_CALL)
        with self.assertRaisesRegex(TypeError, r"output_tokens"):
            stacklens.trace("missing", model="gpt-4o", provider="openai", input_tokens=1)
        after = stacklens.export_stats()
        self.assertEqual((after.queued + after.sent_spans, after.dropped), (before.queued + before.sent_spans, before.dropped))


if __name__ == "__main__":
    unittest.main()
