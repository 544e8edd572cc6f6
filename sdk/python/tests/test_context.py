"""The running span follows asyncio tasks and stays apart per thread (contextvars): parallel
children get the right parent, concurrent traces never mix."""
import asyncio
import contextvars
import threading
import unittest
from concurrent.futures import ThreadPoolExecutor

from collector_session import arrived_trace, configure_for_tests, span_named

import stacklens


class AsyncioContext(unittest.TestCase):
    def setUp(self):
        configure_for_tests()

    def test_children_under_gather_and_tasks_they_create_get_the_right_parent(self):
        async def tool(name, delay):
            with stacklens.span(f"tool:{name}", kind="tool"):
                await asyncio.sleep(delay)  # finish in reverse order of starting
                # a task created inside the span starts with a copy of its context
                await asyncio.create_task(inner(name))

        async def inner(name):
            with stacklens.span(f"inner:{name}"):
                await asyncio.sleep(0.001)

        async def planner():
            with stacklens.start_trace("planner") as root:
                await asyncio.gather(tool("search", 0.03), tool("weather", 0.02), tool("calendar", 0.01))
            return root

        root = asyncio.run(planner())
        detail = arrived_trace(root.trace_id, 7)
        self.assertEqual(len(detail["spans"]), 7)
        self.assertIsNone(span_named(detail, "planner")["parent_span_id"])
        for name in ("search", "weather", "calendar"):
            tool_span = span_named(detail, f"tool:{name}")
            self.assertEqual(tool_span["parent_span_id"], root.span_id, f"tool:{name} hangs under the root")
            self.assertEqual(span_named(detail, f"inner:{name}")["parent_span_id"], tool_span["span_id"])

    def test_two_concurrent_traces_stay_apart(self):
        async def run(name):
            with stacklens.start_trace(name) as root:
                await asyncio.sleep(0.005)
                with stacklens.span(f"{name}/step"):
                    await asyncio.sleep(0.005)
                stacklens.trace(f"{name}/call", model="gpt-4o", provider="openai", input_tokens=1, output_tokens=1)
            return root

        async def both():
            return await asyncio.gather(run("trace-a"), run("trace-b"))

        a, b = asyncio.run(both())
        self.assertNotEqual(a.trace_id, b.trace_id)
        for root in (a, b):
            names = sorted(span["name"] for span in arrived_trace(root.trace_id, 3)["spans"])
            self.assertEqual(names, sorted([root.name, f"{root.name}/step", f"{root.name}/call"]))

    def test_asyncio_to_thread_carries_the_running_span(self):
        def blocking_lookup():
            with stacklens.span("blocking-lookup"):
                return threading.get_ident()

        async def run():
            with stacklens.start_trace("offloaded") as root:
                worker = await asyncio.to_thread(blocking_lookup)
            return root, worker

        root, worker = asyncio.run(run())
        self.assertNotEqual(worker, threading.get_ident())
        child = span_named(arrived_trace(root.trace_id, 2), "blocking-lookup")
        self.assertEqual(child["parent_span_id"], root.span_id)


class ThreadContext(unittest.TestCase):
    def setUp(self):
        configure_for_tests()

    def test_traces_running_at_once_in_threads_do_not_mix(self):
        barrier = threading.Barrier(4)
        roots = {}

        def request(n):
            with stacklens.start_trace(f"request-{n}") as root:
                barrier.wait(5)  # all four are open at the same time
                with stacklens.span(f"request-{n}/db"):
                    barrier.wait(5)
                roots[n] = root

        threads = [threading.Thread(target=request, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        self.assertEqual(len({root.trace_id for root in roots.values()}), 4)
        for n, root in roots.items():
            detail = arrived_trace(root.trace_id, 2)
            self.assertEqual(len(detail["spans"]), 2)
            self.assertEqual(span_named(detail, f"request-{n}/db")["parent_span_id"], root.span_id)

    def test_a_thread_run_in_a_copied_context_or_given_the_parent_nests_under_it(self):
        def in_copied_context():
            with stacklens.span("copied-context"):
                pass

        def with_parent(parent):
            with stacklens.span("explicit-parent", parent=parent):
                pass

        with stacklens.start_trace("fan-out") as root:
            with ThreadPoolExecutor(2) as pool:
                pool.submit(contextvars.copy_context().run, in_copied_context).result(5)
                pool.submit(with_parent, root).result(5)
        detail = arrived_trace(root.trace_id, 3)
        for name in ("copied-context", "explicit-parent"):
            self.assertEqual(span_named(detail, name)["parent_span_id"], root.span_id)
        self.assertEqual(root.call_count, 0)

    def test_a_plain_thread_starts_with_no_running_span(self):
        seen = []

        def plain():
            seen.append(stacklens.current_span())
            with stacklens.span("own-trace") as own:
                seen.append(own)

        with stacklens.start_trace("elsewhere") as root:
            thread = threading.Thread(target=plain)
            thread.start()
            thread.join(5)
        self.assertIsNone(seen[0])
        self.assertNotEqual(seen[1].trace_id, root.trace_id)
        self.assertIsNone(seen[1].parent_span_id)

    def test_children_ending_on_many_threads_roll_up_every_cost(self):
        with stacklens.start_trace("parallel-calls") as root:
            def call(n):
                with stacklens.span(f"call-{n}", parent=root) as s:
                    s.record_llm(model="gpt-4o", provider="openai", input_tokens=10, output_tokens=1, cost_usd=0.001)

            with ThreadPoolExecutor(8) as pool:
                list(pool.map(call, range(200)))
        self.assertEqual(root.call_count, 200)
        self.assertAlmostEqual(root.total_cost_usd, 0.2, places=9)
        self.assertEqual(root.cost_breakdown(), [{"model": "gpt-4o", "cost_usd": root.total_cost_usd, "pct": 100.0, "calls": 200}])
        self.assertEqual(arrived_trace(root.trace_id, 201)["trace"]["llm_call_count"], 200)


if __name__ == "__main__":
    unittest.main()
