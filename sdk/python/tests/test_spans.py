"""start_trace(), span() and the Span handle: every field record_llm() takes, attributes, tags,
status, errors, events, scores, and the cost rollups of seed 004."""
import unittest

from collector_session import arrived_trace, configure_for_tests, line_of, span_named

import stacklens

ONE_CALL = dict(model="gpt-4o", provider="openai", input_tokens=100, output_tokens=10)


class RecordLlm(unittest.TestCase):
    def setUp(self):
        configure_for_tests()

    def test_stores_every_field_of_the_seed_table(self):
        with stacklens.start_trace("support-agent") as span:
            span.record_llm(
                model="gpt-4o",
                provider="openai",
                input_tokens=200,
                output_tokens=150,
                total_tokens=360,
                cost_usd=0.0015,
                temperature=0.2,
                max_tokens=512,
                prompt="Where is my order?",
                completion="Your order ships tomorrow.",
                is_streaming=True,
                finish_reason="stop",
                cache_read_tokens=50,
                cache_write_tokens=20,
                reasoning_tokens=7,
            )
        stored = span_named(arrived_trace(span.trace_id), "support-agent")
        self.assertEqual((stored["model"], stored["provider"]), ("gpt-4o", "openai"))
        self.assertEqual((stored["input_tokens"], stored["output_tokens"], stored["total_tokens"]), (200, 150, 360))
        self.assertEqual((stored["cost_usd"], stored["cost_source"]), (0.0015, "reported"))
        self.assertEqual(stored["attributes"]["gen_ai.request.temperature"], 0.2)
        self.assertEqual(stored["attributes"]["gen_ai.request.max_tokens"], 512)
        self.assertIs(stored["attributes"]["stacklens.is_streaming"], True)
        self.assertEqual(stored["attributes"]["gen_ai.response.finish_reasons"], ["stop"])
        self.assertEqual((stored["input"], stored["output"]), ("Where is my order?", "Your order ships tomorrow."))
        self.assertEqual((stored["cache_read_tokens"], stored["cache_write_tokens"], stored["reasoning_tokens"]), (50, 20, 7))

    def test_an_explicit_zero_cost_is_reported_unlike_the_default(self):
        with stacklens.start_trace("local-model") as span:
            span.record_llm(model="gpt-4o", provider="openai", input_tokens=1000, output_tokens=100, cost_usd=0.0)
        stored = span_named(arrived_trace(span.trace_id), "local-model")
        self.assertEqual((stored["cost_usd"], stored["cost_source"]), (0, "reported"))

    def test_a_message_list_prompt_is_kept_as_json_text(self):
        messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Wie ist das Wetter in Köln?"}]
        with stacklens.start_trace("chat") as span:
            span.record_llm(prompt=messages, completion="Sonnig.", **ONE_CALL)
        stored = span_named(arrived_trace(span.trace_id), "chat")
        self.assertIn('"Wie ist das Wetter in Köln?"', stored["input"])
        self.assertIn("Be brief.", stored["input"])

    def test_a_second_record_llm_replaces_the_first(self):
        with stacklens.start_trace("retry") as span:
            span.record_llm(model="gpt-4o-mini", provider="openai", input_tokens=1, output_tokens=1)
            span.record_llm(**ONE_CALL)
        self.assertEqual(span.call_count, 1)
        self.assertEqual(span_named(arrived_trace(span.trace_id), "retry")["model"], "gpt-4o")

    def test_refuses_bad_values_naming_the_field(self):
        with stacklens.start_trace("bad-values") as span:
            cases = [
                (dict(ONE_CALL, input_tokens=-1), "input_tokens", r"input_tokens must be an integer ≥ 0, got -1"),
                (dict(ONE_CALL, output_tokens="ten"), "output_tokens", r"got 'ten'"),
                (dict(ONE_CALL, input_tokens=True), "input_tokens", r"got True"),
                (dict(ONE_CALL, model=""), "model", r"model must be a non-empty string"),
                (dict(ONE_CALL, provider=None), "provider", r"provider is required"),
                (dict(ONE_CALL, cost_usd=float("nan")), "cost_usd", r"cost_usd must be a number ≥ 0"),
                (dict(ONE_CALL, temperature="hot"), "temperature", r"finite number"),
                (dict(ONE_CALL, is_streaming="yes"), "is_streaming", r"True or False"),
                (dict(ONE_CALL, prompt=42), "prompt", r"a string \(or a list of messages\)"),
            ]
            for call, field, message in cases:
                with self.subTest(field=field):
                    with self.assertRaisesRegex(stacklens.ValidationError, message) as caught:
                        span.record_llm(**call)
                    self.assertEqual(caught.exception.field, field)
                    self.assertIsInstance(caught.exception, stacklens.StackLensError)
            self.assertIsNone(span.llm, "a refused call records nothing")


class AttributesTagsStatus(unittest.TestCase):
    def setUp(self):
        configure_for_tests()

    def test_keeps_attribute_values_as_json_and_copies_containers(self):
        filters = {"lang": "de", "top_k": 5}
        with stacklens.start_trace("rag") as span:
            span.set_attribute("user_id", "u_123").set_attribute("retries", 2).set_attribute("score", 0.5)
            span.set_attribute("cached", False).set_attribute("none", None).set_attribute("filters", filters)
            span.set_attribute("ids", ("a", "b")).set_attribute("inf", float("inf"))
            filters["lang"] = "fr"  # changed after recording: the span keeps what it was given
        attributes = span_named(arrived_trace(span.trace_id), "rag")["attributes"]
        self.assertEqual(attributes["user_id"], "u_123")
        self.assertEqual((attributes["retries"], attributes["score"], attributes["cached"]), (2, 0.5, False))
        self.assertIsNone(attributes["none"])
        self.assertEqual(attributes["filters"], {"lang": "de", "top_k": 5})
        self.assertEqual(attributes["ids"], ["a", "b"])
        self.assertEqual(attributes["inf"], "inf")

    def test_refuses_attribute_values_json_cannot_hold(self):
        loop = []
        loop.append(loop)
        with stacklens.start_trace("bad-attributes") as span:
            with self.assertRaisesRegex(stacklens.ValidationError, r"attribute 'when' must be a str, int, float, bool, None, list or dict, got a object"):
                span.set_attribute("when", object())
            with self.assertRaisesRegex(stacklens.ValidationError, r"attribute 'loop' cannot be turned into JSON"):
                span.set_attribute("loop", loop)
            with self.assertRaisesRegex(stacklens.ValidationError, r"key must be a non-empty string"):
                span.set_attribute("", "x")
        self.assertIsNone(span.attributes)

    def test_adds_tags_once_each_in_order(self):
        with stacklens.start_trace("tagged", tags=["a"]) as span:
            span.add_tag("b", "a", "c")
            span.add_tag("b")
            with self.assertRaisesRegex(stacklens.ValidationError, r"tags must be non-empty strings, got 3"):
                span.add_tag("d", 3)
        self.assertEqual(span_named(arrived_trace(span.trace_id), "tagged")["tags"], ["a", "b", "c"])

    def test_set_status_error_with_a_message_and_kind(self):
        with stacklens.start_trace("graceful-failure", kind="tool") as span:
            span.set_status("error", "no answer found")
            span.set_kind("eval")
            with self.assertRaisesRegex(stacklens.ValidationError, r'status must be "ok" or "error", got \'failed\''):
                span.set_status("failed")
            with self.assertRaisesRegex(stacklens.ValidationError, r"kind must be one of agent, llm, tool, retrieval, embedding, eval, internal; got 'chain'"):
                span.set_kind("chain")
        stored = span_named(arrived_trace(span.trace_id), "graceful-failure")
        self.assertEqual((stored["status"], stored["status_message"], stored["kind"]), ("error", "no answer found", "eval"))

    def test_changes_after_the_span_ended_are_ignored(self):
        with stacklens.start_trace("ended") as span:
            pass
        span.set_attribute("late", 1).add_tag("late").set_status("error").record_llm(**ONE_CALL)
        stored = span_named(arrived_trace(span.trace_id), "ended")
        self.assertEqual((stored["attributes"], stored["tags"], stored["status"], stored["model"]), ({}, [], "ok", None))


class Errors(unittest.TestCase):
    def setUp(self):
        configure_for_tests()

    def test_an_exception_marks_every_span_it_leaves_and_is_reraised_unchanged(self):
        error = KeyError("order-17")
        with self.assertRaises(KeyError) as caught:
            with stacklens.start_trace("lookup") as root:
                with stacklens.span("fetch-order", kind="tool") as child:
                    raise error  # @raise
        self.assertIs(caught.exception, error)
        detail = arrived_trace(root.trace_id, 2)
        for name in ("lookup", "fetch-order"):
            stored = span_named(detail, name)
            self.assertEqual(stored["status"], "error")
            self.assertEqual(stored["status_message"], "'order-17'")
            [event] = stored["events"]
            self.assertEqual(event["name"], "exception")
            self.assertEqual(event["attributes"]["exception.type"], "KeyError")
            self.assertEqual(event["attributes"]["exception.message"], "'order-17'")
            self.assertIn(f'line {line_of(__file__, "@raise")}', event["attributes"]["exception.stacktrace"])
        self.assertEqual(detail["trace"]["status"], "error")
        self.assertEqual(span_named(detail, "fetch-order")["parent_span_id"], root.span_id)

    def test_an_exception_caught_inside_leaves_the_outer_span_ok(self):
        with stacklens.start_trace("resilient") as root:
            try:
                with stacklens.span("flaky-tool"):
                    raise ConnectionError("tool down")
            except ConnectionError:
                pass
        detail = arrived_trace(root.trace_id, 2)
        self.assertEqual(span_named(detail, "flaky-tool")["status"], "error")
        self.assertEqual(span_named(detail, "resilient")["status"], "ok")

    def test_a_custom_exception_is_named_with_its_module_and_an_empty_message_falls_back_to_its_name(self):
        class QuotaExceeded(Exception):
            pass

        with self.assertRaises(QuotaExceeded):
            with stacklens.start_trace("quota") as root:
                raise QuotaExceeded()
        stored = span_named(arrived_trace(root.trace_id), "quota")
        self.assertEqual(stored["status_message"], "QuotaExceeded")
        self.assertEqual(stored["events"][0]["attributes"]["exception.type"], f"{__name__}.Errors.{QuotaExceeded.__qualname__.split('.', 1)[1]}")

    def test_add_event_records_a_timed_event(self):
        with stacklens.start_trace("evented") as span:
            span.add_event("cache.miss", {"key": "k1"})
        [event] = span_named(arrived_trace(span.trace_id), "evented")["events"]
        self.assertEqual((event["name"], event["attributes"]), ("cache.miss", {"key": "k1"}))
        self.assertGreaterEqual(event["time"], span.start_time)


class NestingRollupsScores(unittest.TestCase):
    def setUp(self):
        configure_for_tests()

    def test_nested_spans_share_the_trace_and_hang_under_their_parent(self):
        with stacklens.start_trace("planner") as root:
            self.assertIs(stacklens.current_span(), root)
            with stacklens.span("search", kind="retrieval") as search:  # @nested
                inner_trace = stacklens.trace("rerank", **ONE_CALL)
            with stacklens.span("answer") as answer:
                pass
        self.assertIsNone(stacklens.current_span())
        self.assertEqual(inner_trace, root.trace_id)
        detail = arrived_trace(root.trace_id, 4)
        self.assertEqual(span_named(detail, "planner")["kind"], "agent")
        self.assertEqual(span_named(detail, "search")["parent_span_id"], root.span_id)
        self.assertEqual(span_named(detail, "search")["kind"], "retrieval")
        self.assertEqual(span_named(detail, "search")["code_line"], line_of(__file__, "@nested"))
        self.assertEqual(span_named(detail, "rerank")["parent_span_id"], search.span_id)
        self.assertEqual(span_named(detail, "answer")["kind"], "internal")
        self.assertEqual(answer.parent_span_id, root.span_id)

    def test_a_span_outside_any_trace_starts_a_new_one_and_start_trace_always_does(self):
        with stacklens.span("standalone") as alone:
            with stacklens.start_trace("fresh-root") as fresh:
                pass
        self.assertIsNone(alone.parent_span_id)
        self.assertNotEqual(fresh.trace_id, alone.trace_id)
        self.assertIsNone(fresh.parent_span_id)
        self.assertEqual(span_named(arrived_trace(alone.trace_id), "standalone")["kind"], "internal")

    def test_rolls_cost_and_calls_up_as_descendants_end(self):
        with stacklens.start_trace("month-end-close") as t:
            with stacklens.span("reason") as s:
                s.record_llm(model="deepseek-reasoner", provider="deepseek", input_tokens=100, output_tokens=10, cost_usd=0.0142)
            seen_inside = (t.total_cost_usd, t.call_count)
            with stacklens.span("extract"):
                with stacklens.span("extract-call") as s:
                    s.record_llm(model="claude-haiku-4-5", provider="anthropic", input_tokens=100, output_tokens=10, cost_usd=0.0038)
                with stacklens.span("extract-unpriced") as s:
                    s.record_llm(model="claude-haiku-4-5", provider="anthropic", input_tokens=100, output_tokens=10)
        self.assertEqual(seen_inside, (0.0142, 1), "the root sees a child's cost as soon as the child ends")
        self.assertAlmostEqual(t.total_cost_usd, 0.018, places=12)
        self.assertEqual((t.call_count, t.unpriced_call_count), (3, 1))
        self.assertEqual(t.cost_breakdown(), [
            {"model": "deepseek-reasoner", "cost_usd": 0.0142, "pct": 78.9, "calls": 1},
            {"model": "claude-haiku-4-5", "cost_usd": 0.0038, "pct": 21.1, "calls": 2},
        ])
        detail = arrived_trace(t.trace_id, 5)
        self.assertEqual(detail["trace"]["llm_call_count"], 3)
        self.assertGreater(detail["trace"]["total_cost_usd"], 0.018, "the collector prices the call the SDK could not")

    def test_scores_arrive_for_their_span_before_and_after_it_ends(self):
        with stacklens.start_trace("graded") as span:
            span.score("helpfulness", 0.87, reason="answered the question")
        span.score("correct", 1, label="pass")
        with self.assertRaisesRegex(stacklens.ValidationError, r"must be a finite number, got 'high'"):
            span.score("x", "high")
        detail = arrived_trace(span.trace_id)
        deadline_scores = sorted(detail["scores"], key=lambda score: score["name"])
        self.assertEqual([(s["name"], s["value"], s["reason"], s["label"], s["span_id"], s["source"]) for s in deadline_scores], [
            ("correct", 1, None, "pass", span.span_id, "sdk"),
            ("helpfulness", 0.87, "answered the question", None, span.span_id, "sdk"),
        ])

    def test_async_with_works_like_with(self):
        import asyncio

        async def run():
            async with stacklens.start_trace("async-root") as root:
                async with stacklens.span("async-child") as child:
                    await asyncio.sleep(0)
            return root, child

        root, child = asyncio.run(run())
        self.assertEqual(child.parent_span_id, root.span_id)
        self.assertEqual(len(arrived_trace(root.trace_id, 2)["spans"]), 2)


if __name__ == "__main__":
    unittest.main()
