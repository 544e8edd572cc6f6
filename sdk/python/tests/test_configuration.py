"""configure(), the environment a StackLens terminal provides, and ConfigurationError when
neither says where spans go."""
import json
import os
import unittest
from unittest import mock

from collector_session import arrived_trace, collector, configure_for_tests, run_python

import stacklens
from stacklens.config import DEFAULT_ENDPOINT, current_config

UNCONFIGURED = """
import json, stacklens
outcome = {}

@stacklens.traced  # decorating needs no configuration: modules are imported before configure()
def step():
    return "ran"

def attempt(label, call):
    try:
        call()
        outcome[label] = "no error"
    except stacklens.ConfigurationError as error:
        outcome[label] = {"base": isinstance(error, stacklens.StackLensError), "message": str(error)}

ran = []
def block():
    with stacklens.start_trace("never") as span:
        ran.append(True)

attempt("trace", lambda: stacklens.trace("x", model="gpt-4o", provider="openai", input_tokens=1, output_tokens=1))
attempt("start_trace", block)
attempt("span", lambda: stacklens.span("x"))
attempt("traced", step)
attempt("prompts", lambda: stacklens.prompts.get("support-system-prompt"))
outcome["block_ran"] = bool(ran)
outcome["flush"] = repr(stacklens.flush())
print(json.dumps(outcome))
"""


class Unconfigured(unittest.TestCase):
    def test_every_tracing_call_raises_configuration_error_saying_what_to_do(self):
        result = run_python(UNCONFIGURED)
        self.assertEqual(result.returncode, 0, result.stderr)
        outcome = json.loads(result.stdout)
        for call in ("trace", "start_trace", "span", "traced", "prompts"):
            with self.subTest(call=call):
                self.assertIsInstance(outcome[call], dict, f"{call} did not raise ConfigurationError")
                self.assertTrue(outcome[call]["base"])
                self.assertRegex(outcome[call]["message"], r"call stacklens\.configure\(api_key=\.\.\., endpoint=\.\.\.\).*STACKLENS_API_KEY")
        self.assertFalse(outcome["block_ran"], "the with block never started")
        self.assertEqual(outcome["flush"], "None", "flush() with nothing configured has nothing to do")


class FromTheEnvironment(unittest.TestCase):
    def tearDown(self):
        configure_for_tests()

    def test_configure_reads_key_and_endpoint_a_stacklens_terminal_provides(self):
        with mock.patch.dict(os.environ, {"STACKLENS_ENDPOINT": collector().url, "STACKLENS_API_KEY": collector().token}):
            stacklens.configure()
            trace_id = stacklens.trace("from-terminal", model="gpt-4o", provider="openai", input_tokens=1, output_tokens=1)
        self.assertEqual(current_config().endpoint, collector().url)
        arrived_trace(trace_id)

    def test_an_explicit_argument_wins_over_the_environment(self):
        with mock.patch.dict(os.environ, {"STACKLENS_ENDPOINT": "http://127.0.0.1:1", "STACKLENS_API_KEY": "sl-env"}):
            stacklens.configure(api_key="sl-given", endpoint="http://127.0.0.1:2/prefix/")
            config = current_config()
        self.assertEqual((config.api_key, config.endpoint), ("sl-given", "http://127.0.0.1:2/prefix/"))
        self.assertEqual(config.url("api/v1/spans"), "http://127.0.0.1:2/prefix/api/v1/spans", "a path prefix is kept")
        with mock.patch.dict(os.environ, {}):
            os.environ.pop("STACKLENS_ENDPOINT", None)
            stacklens.configure(api_key="sl-given")
            self.assertEqual(current_config().endpoint, DEFAULT_ENDPOINT)

    def test_a_bad_endpoint_in_the_environment_is_a_configuration_error_naming_it(self):
        result = run_python(
            "import stacklens\ntry:\n    stacklens.trace('x', model='m', provider='p', input_tokens=1, output_tokens=1)\n"
            "except stacklens.ConfigurationError as e:\n    print(e)",
            {"STACKLENS_ENDPOINT": "localhost:4318", "STACKLENS_API_KEY": "k"},
        )
        self.assertIn("STACKLENS_ENDPOINT is not usable: endpoint 'localhost:4318' must start with http:// or https://", result.stdout)


class ConfigureArguments(unittest.TestCase):
    def tearDown(self):
        configure_for_tests()

    def test_refuses_bad_arguments_naming_them(self):
        cases = [
            (dict(api_key=""), "api_key", r"api_key must be a non-empty string"),
            (dict(api_key=42), "api_key", r"got 42"),
            (dict(api_key="k", endpoint="localhost:4318"), "endpoint", r"must start with http:// or https://"),
            (dict(api_key="k", endpoint="http://127.0.0.1:99999"), "endpoint", r"invalid port"),
            (dict(api_key="k", endpoint="http://"), "endpoint", r"names no host"),
            (dict(api_key="k", max_queue_size=0), "max_queue_size", r"max_queue_size must be a positive integer, got 0"),
            (dict(api_key="k", timeout_ms=1.5), "timeout_ms", r"positive integer, got 1.5"),
            (dict(api_key="k", on_export_error="print"), "on_export_error", r"must be a function"),
        ]
        for options, field, message in cases:
            with self.subTest(options=options):
                with self.assertRaisesRegex(stacklens.ValidationError, message) as caught:
                    stacklens.configure(**options)
                self.assertEqual(caught.exception.field, field)

    def test_with_nothing_to_go_on_configure_asks_for_an_api_key(self):
        with mock.patch.dict(os.environ, {}):
            os.environ.pop("STACKLENS_ENDPOINT", None)
            os.environ.pop("STACKLENS_API_KEY", None)
            with self.assertRaisesRegex(stacklens.ValidationError, r"give at least an api_key"):
                stacklens.configure()

    def test_reconfiguring_sends_later_spans_to_the_new_place_and_flush_drains_both(self):
        stacklens.configure(api_key="sl-wrong-key", endpoint=collector().url, schedule_delay_ms=60_000, on_export_error=lambda e: None)
        stacklens.trace("to-the-old-place", model="gpt-4o", provider="openai", input_tokens=1, output_tokens=1)
        configure_for_tests(schedule_delay_ms=60_000)
        trace_id = stacklens.trace("to-the-new-place", model="gpt-4o", provider="openai", input_tokens=1, output_tokens=1)
        with self.assertRaises(stacklens.AuthError):
            stacklens.flush()
        arrived_trace(trace_id)


if __name__ == "__main__":
    unittest.main()
