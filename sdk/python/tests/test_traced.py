"""@stacklens.traced on functions, coroutines and methods: a span per call, named after the
function, nested in the running span, located at the function's definition."""
import asyncio
import sys
import unittest

from collector_session import arrived_trace, configure_for_tests, line_of, span_named

import stacklens


@stacklens.traced  # @def-retrieve
def retrieve(query, top_k=3):
    """Finds documents."""
    return [f"{query}-{n}" for n in range(top_k)]


@stacklens.traced("rank-documents", kind="retrieval")  # @def-rank
def rank(documents):
    return sorted(documents, reverse=True)


@stacklens.traced(kind="tool")  # @def-fetch
async def fetch_weather(city):
    await asyncio.sleep(0.001)
    return f"sunny in {city}"


@stacklens.traced
def refuse(reason):
    raise PermissionError(reason)


class Agent:
    @stacklens.traced  # @def-method
    def plan(self, goal):
        with stacklens.span("think"):
            return [goal, retrieve(goal, top_k=1)]

    @stacklens.traced
    @classmethod
    def create(cls):
        return cls()

    @staticmethod
    @stacklens.traced
    def version():
        return "1.0"


class Traced(unittest.TestCase):
    def setUp(self):
        configure_for_tests()

    def test_a_traced_function_is_a_child_span_located_at_its_definition(self):
        with stacklens.start_trace("search") as root:
            self.assertEqual(retrieve("köln", top_k=2), ["köln-0", "köln-1"])
        span = span_named(arrived_trace(root.trace_id, 2), "retrieve")
        self.assertEqual(span["parent_span_id"], root.span_id)
        self.assertEqual(span["kind"], "internal")
        self.assertEqual(span["code_file"], __file__)
        self.assertEqual(span["code_line"], line_of(__file__, "@def-retrieve"))
        self.assertEqual(span["code_function"], "retrieve")
        self.assertEqual((retrieve.__name__, retrieve.__doc__), ("retrieve", "Finds documents."))

    def test_name_and_kind_can_be_given(self):
        with stacklens.start_trace("ranking") as root:
            rank(["a", "b"])
        span = span_named(arrived_trace(root.trace_id, 2), "rank-documents")
        self.assertEqual(span["kind"], "retrieval")
        self.assertEqual(span["code_function"], "rank")
        self.assertEqual(span["code_line"], line_of(__file__, "@def-rank"))

    def test_a_traced_coroutine_spans_its_awaits_and_parallel_calls_get_the_right_parent(self):
        async def run():
            with stacklens.start_trace("weather-agent") as root:
                answers = await asyncio.gather(fetch_weather("Köln"), fetch_weather("Bonn"))
            return root, answers

        root, answers = asyncio.run(run())
        self.assertEqual(answers, ["sunny in Köln", "sunny in Bonn"])
        detail = arrived_trace(root.trace_id, 3)
        calls = [span for span in detail["spans"] if span["name"] == "fetch_weather"]
        self.assertEqual(len(calls), 2)
        for span in calls:
            self.assertEqual((span["parent_span_id"], span["kind"]), (root.span_id, "tool"))
            self.assertGreaterEqual(span["duration_ms"], 1)
            self.assertEqual(span["code_line"], line_of(__file__, "@def-fetch"))

    def test_methods_are_named_class_dot_method_and_nest(self):
        with stacklens.start_trace("agent") as root:
            agent = Agent.create()
            agent.plan("book a flight")
            self.assertEqual(Agent.version(), "1.0")
        detail = arrived_trace(root.trace_id, 6)
        plan = span_named(detail, "Agent.plan")
        self.assertEqual(plan["code_line"], line_of(__file__, "@def-method"))
        self.assertEqual(span_named(detail, "think")["parent_span_id"], plan["span_id"])
        self.assertEqual(span_named(detail, "retrieve")["parent_span_id"], span_named(detail, "think")["span_id"])
        self.assertEqual(span_named(detail, "Agent.create")["parent_span_id"], root.span_id)
        self.assertEqual(span_named(detail, "Agent.version")["parent_span_id"], root.span_id)

    def test_an_exception_marks_the_span_and_is_reraised(self):
        with self.assertRaisesRegex(PermissionError, "no access"):
            with stacklens.start_trace("guarded") as root:
                refuse("no access")
        span = span_named(arrived_trace(root.trace_id, 2), "refuse")
        self.assertEqual((span["status"], span["status_message"]), ("error", "no access"))
        self.assertEqual(span["events"][0]["attributes"]["exception.type"], "PermissionError")

    def test_outside_any_trace_a_call_is_a_trace_of_its_own(self):
        before = stacklens.export_stats().sent_spans
        self.assertEqual(retrieve("alone", top_k=0), [])
        stacklens.flush()
        self.assertEqual(stacklens.export_stats().sent_spans, before + 1)

    def test_refuses_generators_and_bad_options_at_decoration(self):
        with self.assertRaisesRegex(stacklens.ValidationError, r"cannot trace the generator .*stream"):
            @stacklens.traced
            def stream():
                yield 1
        with self.assertRaisesRegex(stacklens.ValidationError, r"kind must be one of agent, llm, tool"):
            stacklens.traced(kind="chain")
        with self.assertRaisesRegex(stacklens.ValidationError, r"name must be a non-empty string"):
            stacklens.traced(name="")


class CallSiteFunction(unittest.TestCase):
    def setUp(self):
        configure_for_tests()

    def test_start_trace_inside_a_method_records_the_method(self):
        with stacklens.start_trace("in-method") as root:
            pass
        span = span_named(arrived_trace(root.trace_id), "in-method")
        method = "test_start_trace_inside_a_method_records_the_method"
        # co_qualname, which says Class.method, exists from Python 3.11; before, the bare name
        expected = f"CallSiteFunction.{method}" if sys.version_info >= (3, 11) else method
        self.assertEqual(span["code_function"], expected)


if __name__ == "__main__":
    unittest.main()
