"""The README's generated sections match their sources; its commands are the ones CI runs."""
from pathlib import Path

import run  # noqa: F401 - registers nothing, but importing proves the CLI module loads
from schema import readme_sections
from schema.config import PROJECT_ROOT

README = PROJECT_ROOT / "README.md"


def test_generated_sections_are_current():
    import schema.dictionary  # noqa: F401 - registers the section

    text = README.read_text(encoding="utf-8")
    assert readme_sections.update(text) == text, "run `python run.py dictionary --update-readme`"


def test_ci_runs_the_readme_test_command():
    text = README.read_text(encoding="utf-8")
    ci = (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = "bash .ci/install && python -m pytest"
    assert test_command in text
    assert test_command in ci


def test_dictionary_documents_the_status_flags():
    from schema.dictionary import render_markdown

    text = render_markdown()
    for flag in ("is_gross", "is_valid", "is_net"):
        assert f"`{flag}`" in text
    assert "### `orders`" in text and "### `order_items`" in text
