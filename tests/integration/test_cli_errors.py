"""Bad input on the command line: one line on stderr, a non-zero exit code, never a traceback."""
import subprocess
import sys

import pytest

from schema.config import PROJECT_ROOT


def run_cli(*args: str, env_url: str | None = None) -> subprocess.CompletedProcess:
    import os

    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    if env_url:
        env["DATABASE_URL"] = env_url
    return subprocess.run([sys.executable, "run.py", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["generate", "--orders", "0"], "--orders: must be at least 1"),
        (["generate", "--orders", "-3"], "--orders: must be at least 1"),
        (["generate", "--orders", "many"], "not a whole number"),
        (["generate", "--start", "2024-02-30"], "not a date"),
        (["generate", "--months", "0"], "--months: must be at least 1"),
        (["nonsense"], "invalid choice"),
        (["init-db", "--database-url", "oracle://x/y"], "unsupported database URL scheme 'oracle'"),
        (["init-db", "--database-url", "::not a url::"], "cannot parse database URL"),
        (["init-db", "--database-url", "mysql+pymysql://root@127.0.0.1:1/test"], "cannot connect"),
        (["init-db", "--database-url", "mysql+pymysql://nobody:wrong@127.0.0.1:3306/test"], "Access denied"),
    ],
)
def test_bad_input_gives_one_line(args, fragment):
    result = run_cli(*args)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert fragment in lines[0]
    assert result.stdout == ""


def test_password_is_not_printed():
    result = run_cli("init-db", "--database-url", "mysql+pymysql://nobody:s3cret-pw@127.0.0.1:3306/test")
    assert result.returncode != 0
    assert "s3cret-pw" not in result.stderr


def test_bad_environment_url_is_reported_too():
    result = run_cli("init-db", env_url="sqlserver://x")
    assert result.returncode != 0 and "unsupported database URL scheme" in result.stderr
