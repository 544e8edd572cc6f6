"""Seed 001's code samples as the reference prints them (indentation restored), run against the
real collector; and seed 004's rollup samples in stacklens terms, with a stub in place of the
provider client call."""
import contextlib
import io
import os
import unittest
from types import SimpleNamespace
from unittest import mock

from collector_session import SEED_KEY, arrived_trace, collector, configure_for_tests, line_of, span_named

import stacklens
from stacklens.config import DEFAULT_ENDPOINT, current_config


def stub_response(model, prompt_tokens, completion_tokens, content="ok"):
    """What a provider client returns, reduced to the fields a caller reads."""
    return SimpleNamespace(
        model=model,
        usage=SimpleNamespace(prompt_tokens=prompt_tokens, completion_tokens=completion_tokens),
        choices=[SimpleNamespace(message=SimpleNamespace(content=content), finish_reason="stop")],
    )


def terminal_environment():
    """The variables a terminal of VS Code with StackLens has: the collector's URL and token."""
    return mock.patch.dict(os.environ, {"STACKLENS_ENDPOINT": collector().url, "STACKLENS_API_KEY": SEED_KEY})


class SeedConfigurationSamples(unittest.TestCase):
    def tearDown(self):
        configure_for_tests()

    def test_configure_defaults_to_the_local_collector_and_takes_a_self_hosted_endpoint(self):
        with mock.patch.dict(os.environ, {}, clear=False):
            os.environ.pop("STACKLENS_ENDPOINT", None)
            stacklens.configure(api_key="sl-xxxx")
            self.assertEqual(current_config().endpoint, DEFAULT_ENDPOINT)
            self.assertEqual(current_config().api_key, "sl-xxxx")
            # For self-hosted deployments:
            stacklens.configure(api_key="sl-xxxx", endpoint="https://api.your-domain.com")
            self.assertEqual(current_config().endpoint, "https://api.your-domain.com")
            self.assertFalse(current_config().loopback, "a remote endpoint goes through the environment's proxy settings")

    def test_configure_in_a_stacklens_terminal_sends_to_its_collector(self):
        with terminal_environment():
            import stacklens
            stacklens.configure(api_key="sl-xxxx")
            trace_id = stacklens.trace(  # @seed-trace
                "document-summary",
                model="gpt-4o",
                provider="openai",
                input_tokens=850,
                output_tokens=120,
                cost_usd=0.0012,
                attributes={"document_id": "doc_abc123"},
                tags=["summarisation", "production"],
            )
        self.assertRegex(trace_id, r"^[0-9a-f]{32}$")
        span = span_named(arrived_trace(trace_id), "document-summary")
        self.assertEqual(span["kind"], "llm")
        self.assertEqual((span["model"], span["provider"]), ("gpt-4o", "openai"))
        self.assertEqual((span["input_tokens"], span["output_tokens"], span["total_tokens"]), (850, 120, 970))
        self.assertEqual((span["cost_usd"], span["cost_source"]), (0.0012, "reported"))
        self.assertEqual(span["attributes"]["document_id"], "doc_abc123")
        self.assertEqual(span["tags"], ["summarisation", "production"])
        self.assertEqual((span["status"], span["parent_span_id"]), ("ok", None))
        self.assertEqual(span["code_file"], __file__)
        self.assertEqual(span["code_line"], line_of(__file__, "@seed-trace"))


class SeedTracingSamples(unittest.TestCase):
    def setUp(self):
        configure_for_tests()

    def test_start_trace_with_record_llm_set_attribute_and_add_tag(self):
        with stacklens.start_trace("agent-run") as span:  # @seed-start-trace
            # ... do your work ...
            span.record_llm(model="gpt-4o", provider="openai",
                            input_tokens=200, output_tokens=150)
            span.set_attribute("user_id", "u_123")
            span.set_attribute("session_id", "sess_abc")
            span.add_tag("production", "rag-pipeline")
        stored = span_named(arrived_trace(span.trace_id), "agent-run")
        self.assertEqual(stored["kind"], "llm", "a span with an LLM call and no explicit kind is an llm span")
        self.assertEqual((stored["input_tokens"], stored["output_tokens"], stored["total_tokens"]), (200, 150, 350))
        self.assertNotEqual(stored["cost_source"], "reported", "seed 001's default cost_usd=0.0 leaves pricing to the collector")
        self.assertEqual(stored["cost_source"], "computed")
        self.assertGreater(stored["cost_usd"], 0)
        self.assertEqual(stored["attributes"]["user_id"], "u_123")
        self.assertEqual(stored["attributes"]["session_id"], "sess_abc")
        self.assertEqual(stored["tags"], ["production", "rag-pipeline"])
        self.assertEqual(stored["code_line"], line_of(__file__, "@seed-start-trace"))

    def test_an_exception_inside_start_trace_sets_error_status(self):
        with self.assertRaises(TimeoutError):
            with stacklens.start_trace("agent-run") as span:
                span.record_llm(model="gpt-4o", provider="openai", input_tokens=200, output_tokens=150)
                raise TimeoutError("the tool did not answer")
        stored = span_named(arrived_trace(span.trace_id), "agent-run")
        self.assertEqual(stored["status"], "error")
        self.assertEqual(stored["status_message"], "the tool did not answer")

    def test_set_status_marks_the_span(self):
        with stacklens.start_trace("agent-run") as span:
            span.set_status("error")
        self.assertEqual(span_named(arrived_trace(span.trace_id), "agent-run")["status"], "error")

    def test_prompts_get_production_by_default_and_another_env(self):
        prompts = collector().prompts_dir
        (prompts / "support-system-prompt.md").write_text("You are a helpful support agent.")
        (prompts / "onboarding-email.dev.md").write_text("Hi {{name}} (dev draft)")
        system_prompt = stacklens.prompts.get("support-system-prompt")
        dev_prompt = stacklens.prompts.get("onboarding-email", env="dev")
        self.assertEqual(system_prompt, "You are a helpful support agent.")
        self.assertEqual(dev_prompt, "Hi {{name}} (dev draft)")

    def test_exceptions_sample_runs_quietly_and_a_wrong_key_surfaces_at_flush(self):
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            try:
                stacklens.trace("my-call", model="gpt-4o", provider="openai",
                                input_tokens=100, output_tokens=50)
            except stacklens.AuthError:
                print("Check your API key")
            except stacklens.ApiError as e:
                print(f"API error {e.status_code}")
        stacklens.flush()
        self.assertEqual(printed.getvalue(), "")

        stacklens.configure(api_key="sl-not-the-key", endpoint=collector().url, on_export_error=lambda error: None)
        stacklens.trace("my-call", model="gpt-4o", provider="openai", input_tokens=100, output_tokens=50)
        try:
            stacklens.flush()
        except stacklens.AuthError:
            print("Check your API key", file=printed)
        except stacklens.ApiError as e:
            print(f"API error {e.status_code}", file=printed)
        self.assertEqual(printed.getvalue(), "Check your API key\n")


class Seed004Samples(unittest.TestCase):
    """seed 004's trace()/span(parent=...) and cost_breakdown(), as stacklens spells them."""

    def setUp(self):
        configure_for_tests()
        self.deepseek = SimpleNamespace(chat=SimpleNamespace(completions=SimpleNamespace(
            create=lambda **request: stub_response("deepseek-reasoner", 1200, 800))))
        self.anthropic = SimpleNamespace(messages=SimpleNamespace(
            create=lambda **request: stub_response("claude-haiku-4-5-20251001", 900, 150)))

    def test_multi_model_cost_breakdown(self):
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            with stacklens.start_trace("month-end-close", tags=["month-end-close"]) as t:
                with stacklens.span("reason", parent=t) as s:
                    r = self.deepseek.chat.completions.create(model="deepseek-reasoner")
                    s.record_llm(model=r.model, provider="deepseek", input_tokens=r.usage.prompt_tokens,
                                 output_tokens=r.usage.completion_tokens, cost_usd=0.0142)
                with stacklens.span("extract", parent=t) as s:
                    r = self.anthropic.messages.create(model="claude-haiku-4-5-20251001")
                    s.record_llm(model=r.model, provider="anthropic", input_tokens=r.usage.prompt_tokens,
                                 output_tokens=r.usage.completion_tokens, cost_usd=0.0038)
            print(f"Total: ${t.total_cost_usd:.6f} across {t.call_count} calls")
            for item in t.cost_breakdown():
                print(f" {item['model']}: ${item['cost_usd']:.6f} ({item['pct']}%)")
        self.assertEqual(printed.getvalue().splitlines(), [
            "Total: $0.018000 across 2 calls",
            " deepseek-reasoner: $0.014200 (78.9%)",
            " claude-haiku-4-5-20251001: $0.003800 (21.1%)",
        ])
        detail = arrived_trace(t.trace_id, 3)
        root = span_named(detail, "month-end-close")
        for name in ("reason", "extract"):
            self.assertEqual(span_named(detail, name)["parent_span_id"], root["span_id"])
        self.assertAlmostEqual(detail["trace"]["total_cost_usd"], 0.018, places=9)

    def test_child_spans_roll_up_into_the_root(self):
        client = self.anthropic
        with stacklens.start_trace("invoice-pipeline", tags=["invoice-pipeline"]) as root:
            for step, cost in (("validate", 0.001), ("classify", 0.002), ("post", 0.003)):
                with stacklens.span(step, parent=root) as s:
                    r = client.messages.create(model="claude-haiku-4-5-20251001")  # validation call
                    s.record_llm(model=r.model, provider="anthropic", input_tokens=r.usage.prompt_tokens,
                                 output_tokens=r.usage.completion_tokens, cost_usd=cost)
        # root.total_cost_usd = sum of all three spans
        self.assertAlmostEqual(root.total_cost_usd, 0.006, places=12)
        self.assertEqual(root.call_count, 3)
        self.assertEqual(arrived_trace(root.trace_id, 4)["trace"]["llm_call_count"], 3)


if __name__ == "__main__":
    unittest.main()
