"""stacklens.prompts.get(): prompt texts the collector serves from its prompts folder."""
import unittest

from collector_session import collector, configure_for_tests

import stacklens


class Prompts(unittest.TestCase):
    def setUp(self):
        configure_for_tests()
        self.folder = collector().prompts_dir

    def tearDown(self):
        configure_for_tests()

    def test_an_environment_file_wins_over_the_shared_one_byte_for_byte(self):
        (self.folder / "triage.md").write_text("Shared triage prompt.", encoding="utf-8")
        (self.folder / "triage.staging.md").write_text("Staging: <b>sei knapp</b> — «Antwort»\n", encoding="utf-8")
        self.assertEqual(stacklens.prompts.get("triage", env="staging"), "Staging: <b>sei knapp</b> — «Antwort»\n")
        self.assertEqual(stacklens.prompts.get("triage"), "Shared triage prompt.")
        self.assertEqual(stacklens.prompts.get("triage", env="dev"), "Shared triage prompt.")

    def test_a_missing_prompt_is_api_error_404_naming_it(self):
        with self.assertRaises(stacklens.ApiError) as caught:
            stacklens.prompts.get("no-such-prompt", env="staging")
        self.assertEqual(caught.exception.status_code, 404)
        self.assertRegex(str(caught.exception), r"No prompt 'no-such-prompt' for env staging .*prompts folder")

    def test_refuses_an_unknown_env_and_an_empty_name(self):
        with self.assertRaisesRegex(stacklens.ValidationError, r"env must be one of dev, staging, production, got 'prod'"):
            stacklens.prompts.get("triage", env="prod")
        with self.assertRaisesRegex(stacklens.ValidationError, r"prompt name must be a non-empty string"):
            stacklens.prompts.get("")

    def test_a_wrong_key_is_auth_error(self):
        stacklens.configure(api_key="sl-wrong-key", endpoint=collector().url)
        with self.assertRaises(stacklens.AuthError) as caught:
            stacklens.prompts.get("triage")
        self.assertEqual(caught.exception.status_code, 401)
        self.assertIn("while fetching prompt 'triage'", str(caught.exception))

    def test_a_name_the_collector_refuses_is_api_error_400_with_its_reason(self):
        with self.assertRaises(stacklens.ApiError) as caught:
            stacklens.prompts.get("../secrets")
        self.assertEqual(caught.exception.status_code, 400)
        self.assertIn('may only hold letters, digits', str(caught.exception))


if __name__ == "__main__":
    unittest.main()
