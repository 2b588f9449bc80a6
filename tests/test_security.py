"""A journal that arrives from another machine is untrusted input.

Templates and brag.toml travel through ``brag sync``; entry text comes from
imports. These tests drive the hostile versions through the real CLI, a real
``git`` remote between two clones and a real HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from brag import machine
from brag.errors import ExportError
from brag.render import markdown_escape, render

from conftest import git

TOKEN = "ghp_securitySECRET0123456789"
HOSTILE_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(document.domain)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "\x01javascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "DATA:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "VBScript:msgbox(1)",
    "javascript&#58;alert(1)",
    "//evil.example/x",
]
ESCAPES = "\x1b]0;pwned\x07\x1b[2J\x1b[31m"


# -- two machines sharing a journal ---------------------------------------------------


@pytest.fixture
def bare(tmp_path: Path) -> Path:
    path = tmp_path / "remotes" / "journal.git"
    path.parent.mkdir()
    subprocess.run(["git", "init", "--quiet", "--bare", "-b", "main", str(path)], check=True)
    return path


def at(brag, where: Path, *args: str, expect: int | None = 0):
    return brag("--dir", str(where), *args, expect=expect)


@pytest.fixture
def two_clones(brag, journal_dir: Path, tmp_path: Path, bare: Path) -> tuple[Path, Path]:
    """The user's machine and another one (where the hostile files are written)."""
    other = tmp_path / "other"
    at(brag, journal_dir, "init", "--remote", str(bare))
    at(brag, other, "init", "--remote", str(bare))
    at(brag, journal_dir, "add", "Cut checkout p99 from 800ms to 200ms", "--date", "2026-03-02")
    at(brag, journal_dir, "sync")
    at(brag, other, "sync")
    return journal_dir, other


def arrive(brag, mine: Path, other: Path, files: dict[str, str]) -> None:
    """Commit ``files`` on the other machine, sync it there, then sync here."""
    for rel, text in files.items():
        path = other / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        git(other, "add", rel)
    git(other, "commit", "-q", "-m", "a change made elsewhere")
    at(brag, other, "sync")
    at(brag, mine, "sync")
    for rel, text in files.items():
        assert (mine / rel).read_text(encoding="utf-8") == text, rel


def test_template_from_sync_cannot_run_commands(brag, two_clones, tmp_path):
    mine, other = two_clones
    marker = tmp_path / "pwned"
    payload = f"{{{{ cycler.__init__.__globals__.os.popen('touch {marker}').read() }}}}\n"
    arrive(brag, mine, other, {"templates/self-review.md.j2": "# Review\n" + payload})
    result = at(brag, mine, "export", "self-review", "--period", "2026H1", expect=1)
    assert not marker.exists()
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, result.stderr
    assert "self-review.md.j2:2" in lines[0] and "unsafe" in lines[0]
    assert "Traceback" not in result.output + result.stderr
    # Other ways out of the sandbox are closed the same way.
    for attack in (
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ self._TemplateReference__context }}",
        "{{ lipsum.__globals__['os'].system('id') }}",
        "{% set x = [] %}{{ x.append(1) }}",
    ):
        (mine / "templates" / "self-review.md.j2").write_text(attack)
        out = at(brag, mine, "export", "self-review", "--period", "2026H1", expect=1)
        assert "self-review.md.j2:1" in out.stderr, (attack, out.stderr)


def test_user_templates_still_override_and_format(brag, journal):
    brag("add", "Shipped the <b>new</b> flow & R&D notes", "--date", "2026-03-02")
    folder = journal.root / "templates"
    folder.mkdir()
    (folder / "self-review.md.j2").write_text(
        "{% for a in areas %}{% for b in a.bullets %}* {{ b.title | upper }} "
        "({{ '%.1f' | format(b.score) }}){% endfor %}{% endfor %}\n"
    )
    out = brag("export", "self-review", "--period", "2026H1").stdout
    assert out.startswith("* SHIPPED THE &lt;B>NEW&lt;/B> FLOW & R&D NOTES (")


@pytest.fixture
def api_server(httpserver):
    """A GitHub-shaped API on 127.0.0.1 that records every request it gets."""
    httpserver.expect_request(re.compile(".*")).respond_with_json(
        {"login": "octocat", "total_count": 0, "incomplete_results": False, "items": []}
    )
    return httpserver


def authorizations(server) -> list[str]:
    return [req.headers["Authorization"] for req, _ in server.log if "Authorization" in req.headers]


def test_brag_toml_from_sync_cannot_send_the_token_elsewhere(
    brag, two_clones, api_server, monkeypatch
):
    mine, other = two_clones
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    hostile = api_server.url_for("/").rstrip("/")
    toml = (other / "brag.toml").read_text(encoding="utf-8")
    toml += f'\n[import.github]\napi_url = "{hostile}"\nuser = "octocat"\n'
    arrive(brag, mine, other, {"brag.toml": toml})

    result = at(brag, mine, "import", "--quiet", expect=1)
    assert authorizations(api_server) == []
    assert api_server.log == []
    out = result.output + result.stderr
    assert "not approved" in out and "brag config --machine approved_hosts localhost" in out
    assert TOKEN not in out and "Traceback" not in out
    named = at(brag, mine, "import", "github", "--quiet", expect=1)
    assert api_server.log == [] and TOKEN not in named.output + named.stderr

    # Approved on this machine (never synced): the token goes there.
    machine.add_to_list("approved_hosts", f"localhost:{api_server.port}")
    at(brag, mine, "import", "github", "--since", "2026-01-01", "--until", "2026-01-31")
    assert authorizations(api_server) and all(TOKEN in a for a in authorizations(api_server))
    assert not (mine / ".git" / "brag").joinpath("machine.toml").exists()
    assert "approved_hosts" not in git(mine, "log", "-p", "--all")


def test_api_url_on_the_command_line_approves_it_for_that_run(
    brag, journal, api_server, monkeypatch
):
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    url = api_server.url_for("/")
    result = brag(
        "import", "github", "--api-url", url, "--since", "2026-01-01", "--until", "2026-01-31"
    )
    assert authorizations(api_server)
    assert f"brag config --machine approved_hosts localhost:{api_server.port}" in result.stderr
    assert machine.get("approved_hosts", []) == []  # offered, not stored


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://[::1", "not a valid URL"),
        ("http://api.example.com", "plain http"),
        ("ftp://api.example.com", "not an http(s) URL"),
        ("https://user:sekrit-pass@api.example.com/", "user name or password"),
    ],
)
def test_bad_api_urls_get_one_line_and_no_request(brag, journal, monkeypatch, url, says):
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    result = brag("import", "github", "--api-url", url, expect=1)
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and says in lines[0], result.stderr
    assert "sekrit-pass" not in result.output + result.stderr
    assert TOKEN not in result.output + result.stderr


def test_loopback_is_the_only_plain_http_and_still_needs_approval(
    brag, journal, api_server, monkeypatch
):
    from brag.http import HttpError, check_api_url, is_loopback

    for host in ("127.0.0.1", "127.8.9.10", "::1", "[::1]", "localhost"):
        assert is_loopback(host), host
    for host in ("10.0.0.1", "example.com", "127.0.0.1.nip.io", "::2"):
        assert not is_loopback(host), host
    pin = {"service": "GitHub", "default_url": "https://api.github.com"}
    assert check_api_url("https://api.github.com", **pin) == "https://api.github.com"
    with pytest.raises(HttpError, match="approved_hosts 127.0.0.1"):
        check_api_url("http://127.0.0.1:9/api", **pin)
    assert check_api_url("http://127.0.0.1:9/api", approved=["127.0.0.1"], **pin)
    assert check_api_url("http://[::1]:9/api", approved=["[::1]:9"], **pin)
    assert check_api_url(
        "https://ghe.example.com/api/v3", approved=["https://GHE.example.com/"], **pin
    )
    with pytest.raises(HttpError, match="not approved"):
        check_api_url("https://ghe.example.com.evil.io/api/v3", approved=["ghe.example.com"], **pin)
    with pytest.raises(HttpError, match="plain http"):
        check_api_url("http://ghe.example.com", approved=["ghe.example.com"], **pin)
    with pytest.raises(HttpError, match="plain http"):
        check_api_url("http://ghe.example.com", from_command_line=True, **pin)


# -- credentials in URLs -----------------------------------------------------------------


def test_url_credentials_are_refused_in_brag_toml(brag, journal):
    from brag.errors import ConfigError
    from brag.journal import Journal

    with (journal.root / "brag.toml").open("a") as fh:
        fh.write('\n[import.github]\napi_url = "https://me:tok-in-url-123@ghe.example.com/"\n')
    result = brag("list", expect=1)
    out = result.output + result.stderr
    assert "tok-in-url-123" not in out
    assert "import.github.api_url" in out and "credentials" in out
    with pytest.raises(ConfigError):
        _ = Journal(journal.root).config


def test_url_credentials_are_masked_in_output(brag, journal):
    from brag.secrets import mask, url_credentials

    assert mask("see https://me:tok-123456@host/x") == "see https://***@host/x"
    assert url_credentials("https://me:tok@host/") and not url_credentials("https://host/a@b")
    brag("add", "Shipped the thing", "--url", "https://me:tok-in-url-999@example.com/pr/1")
    first = brag("list", "--json").stdout
    assert "tok-in-url-999" not in first and "https://***@example.com/pr/1" in first
    entry_id = json.loads(first)[0]["id"]
    for args in (
        ("list",),
        ("show", entry_id),
        ("show", entry_id, "--json"),
        ("search", "thing", "--json"),
        ("export", "status", "-f", "md"),
        ("export", "status", "-f", "json"),
    ):
        out = brag(*args, expect=0)
        assert "tok-in-url-999" not in out.output + out.stderr, args


# -- output is inert ---------------------------------------------------------------------


@pytest.fixture
def hostile_journal(brag, journal, monkeypatch):
    monkeypatch.setenv("BRAG_TODAY", "2026-03-20")
    # Written the way an import or a synced file brings them (brag add refuses such links).
    import datetime as dt

    from brag.entry import Entry
    from brag.journal import Journal

    target = Journal(journal.root)
    for i, url in enumerate(HOSTILE_URLS):
        target.add(
            Entry(
                title=f"Shipped thing {i} {ESCAPES}<script>alert({i})</script> & "
                "<img src=x onerror=alert()>",
                date=dt.date(2026, 3, 2),
                impact=f"cut p99 < 200ms [x](javascript:alert({i}))",
                url=url,
            )
        )
    brag("add", "Good evidence", "--url", "https://github.com/o/r/pull/1", "--date", "2026-03-03")
    return journal


EXPORTS = [
    ("one-on-one", "--since", "2026-03-01", "--no-remember"),
    ("self-review", "--period", "2026H1"),
    ("promo-brief", "--target", "staff"),
    ("status", "--since", "2026-03-01"),
]


def _formats(kind: str) -> list[str]:
    from brag.manager import exporters

    return list(exporters()[kind].formats)


def _assert_no_unsafe_link(doc: str, fmt: str) -> None:
    lowered = re.sub(r"\s", "", doc.lower())
    if fmt == "json":
        data = json.loads(doc)
        for link in re.findall(r'"(?:link|url|urls)":\s*"([^"]*)"', doc):
            assert link == "" or link.startswith(("http://", "https://")), link
        assert data is not None
    if fmt == "html":
        for href in re.findall(r'href="([^"]*)"', doc):
            assert href.startswith(("https://", "http://", "#")) or href == "data:,", href
        assert "<script>alert" not in doc and "<img" not in doc
    if fmt == "md":
        for target in re.findall(r"\]\(([^)]*)\)", doc):
            assert target.startswith(("https://", "http://")), target
        assert "<script" not in doc and "<img" not in doc
    for bad in ("javascript:", "vbscript:", "data:text"):
        # Entry text keeps the words (escaped), but never as a link target.
        assert f'href="{bad}' not in lowered and f'src="{bad}' not in lowered
        if fmt == "md":
            assert f"]({bad}" not in lowered
    assert "\x1b" not in doc and "\x07" not in doc


@pytest.mark.parametrize("args", EXPORTS, ids=[a[0] for a in EXPORTS])
def test_hostile_urls_and_escapes_through_every_export_format(brag, hostile_journal, args):
    for fmt in _formats(args[0]):
        doc = brag("export", *args, "-f", fmt).stdout
        _assert_no_unsafe_link(doc, fmt)
        if args[0] != "promo-brief":  # a one-pager keeps only the top stories
            assert "https://github.com/o/r/pull/1" in doc, (args, fmt)


def test_report_html_links_and_scripts(brag, hostile_journal, tmp_path):
    out = tmp_path / "report.html"
    brag("export", "report", "-f", "html", "-o", str(out))
    doc = out.read_text(encoding="utf-8")
    _assert_no_unsafe_link(doc, "html")


def test_report_csp_never_allows_a_script_from_entry_text(brag, journal, tmp_path):
    import base64
    import hashlib
    from importlib.resources import files

    evil = "alert(document.cookie)"
    brag("add", f"<script>{evil}</script>", "--date", "2026-03-02")
    folder = journal.root / "templates"
    folder.mkdir()
    builtin = files("brag.templates").joinpath("report.html.j2").read_text(encoding="utf-8")
    # A user's copy of the template that prints titles with "| safe".
    patched = builtin.replace("{{ e.title }}", "{{ e.title | safe }}")
    assert patched != builtin
    (folder / "report.html.j2").write_text(patched, encoding="utf-8")
    out = tmp_path / "r.html"
    brag("export", "report", "-f", "html", "-o", str(out))
    doc = out.read_text(encoding="utf-8")
    assert f"<script>{evil}</script>" in doc  # the user's template chose to print it raw
    policy = re.search(r'Content-Security-Policy" content="([^"]*)"', doc).group(1)
    bad = "'sha256-" + base64.b64encode(hashlib.sha256(evil.encode()).digest()).decode() + "'"
    assert bad not in policy
    assert "script-src 'sha256-" in policy  # brag's own filter script still runs


def test_markdown_escapes_only_what_makes_html_or_unsafe_links():
    assert markdown_escape("p99 < 200ms & R&D > plan") == "p99 < 200ms & R&D > plan"
    assert markdown_escape("<script>x</script>") == "&lt;script>x&lt;/script>"
    assert markdown_escape("Vec<T> &amp; &#58;") == "Vec&lt;T> &amp;amp; &amp;#58;"
    assert markdown_escape("<!-- hidden -->") == "&lt;!-- hidden -->"
    assert markdown_escape("see [PR](https://x/1)") == "see [PR](https://x/1)"
    assert markdown_escape("[x](JavaScript:alert(1))") == "[x]\\(JavaScript:alert(1))"
    assert markdown_escape("[x]( data:text/html,1)") == "[x]\\( data:text/html,1)"
    assert markdown_escape("[a]: javascript:alert(1)") == "\\[a]: javascript:alert(1)"
    assert markdown_escape("<javascript:alert(1)>") == "&lt;javascript:alert(1)>"


def test_href_filter_and_markdown_finalize_in_user_templates(journal):
    folder = journal.root / "templates"
    folder.mkdir()
    (folder / "x.md.j2").write_text("[e]({{ u | href }}) {{ t }} {{ t | safe }}")
    (folder / "x.html.j2").write_text('<a href="{{ u | href }}">{{ t }}</a>')
    ctx = {"u": "https://w/Go_(game)", "t": "<b>"}
    assert render("x.md.j2", ctx, journal.root) == "[e](https://w/Go_%28game%29) &lt;b> <b>"
    assert render("x.html.j2", ctx, journal.root) == (
        '<a href="https://w/Go_%28game%29">&lt;b&gt;</a>'
    )
    for url in HOSTILE_URLS:
        assert render("x.md.j2", {"u": url, "t": ""}, journal.root).startswith("[e]() ")


def test_sandbox_error_names_the_template(journal):
    folder = journal.root / "templates"
    folder.mkdir()
    (folder / "evil.md.j2").write_text("ok\n{{ cycler.__init__.__globals__ }}\n")
    with pytest.raises(ExportError, match=r"evil\.md\.j2:2: .*unsafe"):
        render("evil.md.j2", {}, journal.root)


def test_terminal_output_strips_escape_sequences(brag, hostile_journal):
    first = json.loads(brag("list", "--json").stdout)[0]["id"]
    ambiguous = brag("show", "", expect=None)
    assert "\x1b" not in ambiguous.output + ambiguous.stderr
    for args in (("list",), ("search", "Shipped"), ("show", first), ("show", first, "--raw")):
        out = brag(*args).stdout
        assert "\x1b" not in out and "\x07" not in out, args
    for args in (("status", "-f", "txt"), ("one-on-one", "-f", "txt", "--no-remember")):
        out = brag("export", *args).stdout
        assert "\x1b" not in out and "\x07" not in out, args


# -- hostile imports and stored numbers ---------------------------------------------------


def _one_line(result) -> str:
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output + result.stderr
    return lines[0]


def test_json_import_skips_a_lone_surrogate_row_and_strips_escapes(brag, journal, tmp_path):
    data = tmp_path / "wins.json"
    data.write_text(
        '[{"date": "2026-03-01", "title": "Kept one"},'
        ' {"date": "2026-03-02", "title": "Broken \\ud800 row"},'
        ' {"date": "2026-03-03", "title": "Red \\u001b[31mtitle\\u001b]0;x\\u0007",'
        '  "impact": "cut \\u009b2J cost", "tags": ["a\\u001b[1m"]}]',
        encoding="utf-8",
    )
    result = brag("import", "file", str(data))
    assert "lone surrogate" in result.output + result.stderr
    titles = sorted(e["title"] for e in json.loads(brag("list", "--json").stdout))
    assert titles == ["Kept one", "Red title"]
    text = "".join(p.read_text(encoding="utf-8") for p in (journal.root / "entries").rglob("*.md"))
    assert "\x1b" not in text and "\x9b" not in text and "\x07" not in text


def test_csv_import_strips_escape_sequences(brag, journal, tmp_path):
    data = tmp_path / "wins.csv"
    data.write_text("date,title\n2026-03-01,Shipped \x1b[2Jthe thing\n", encoding="utf-8")
    brag("import", "file", str(data))
    assert [e["title"] for e in json.loads(brag("list", "--json").stdout)] == ["Shipped the thing"]


def test_deeply_nested_json_is_one_line(brag, journal, tmp_path):
    for body in (
        "[" * 200_000 + "]" * 200_000,
        '[{"title": ' + "[" * 200_000 + "]" * 200_000 + "}]",
    ):
        data = tmp_path / "deep.json"
        data.write_text(body)
        line = _one_line(brag("import", "file", str(data), expect=1))
        assert "nested too deeply" in line
    assert json.loads(brag("list", "--json").stdout) == []


def test_import_file_reads_only_bounded_regular_files(brag, journal, tmp_path, monkeypatch):
    import os

    from brag.plugins import file_import

    line = _one_line(brag("import", "file", "/dev/zero", expect=1))
    assert "not a regular file" in line
    fifo = tmp_path / "wins.json"
    os.mkfifo(fifo)
    assert "not a regular file" in _one_line(brag("import", "file", str(fifo), expect=1))
    monkeypatch.setattr(file_import, "MAX_BYTES", 1000)
    big = tmp_path / "big.csv"
    big.write_text("date,title\n" + "2026-03-01,Shipped it\n" * 100)
    assert "larger than" in _one_line(brag("import", "file", str(big), expect=1))
    piped = brag("import", "file", "-", input=big.read_text(), expect=1)
    assert "larger than" in _one_line(piped)
    assert json.loads(brag("list", "--json").stdout) == []


def test_fifo_in_a_docs_folder_is_skipped_not_waited_on(brag, journal, tmp_path):
    import os

    docs = tmp_path / "docs"
    docs.mkdir()
    git(docs, "init", "-q")
    (docs / "cache.md").write_text("# Design: cache layer\n\nCut p99 from 800ms to 200ms.\n")
    git(docs, "add", "cache.md")
    git(docs, "commit", "-q", "-m", "design")
    os.mkfifo(docs / "x.md")
    result = subprocess.run(
        [*_brag_command(), "import", "docs", str(docs)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "BRAG_DIR": str(journal.root)},
    )
    assert result.returncode == 0, result.stderr
    assert "x.md" in result.stderr and "not a regular file" in result.stderr
    assert "added 1" in result.stdout + result.stderr


def _brag_command() -> list[str]:
    import shutil
    import sys

    exe = Path(sys.executable).with_name("brag")
    return [str(exe)] if exe.exists() else [shutil.which("brag") or "brag"]


def test_huge_metric_in_a_file_never_breaks_an_export(brag, journal, monkeypatch):
    monkeypatch.setenv("BRAG_TODAY", "2026-03-20")
    brag("add", "Cut cloud cost", "--metric", "cost: $5", "--date", "2026-03-02")
    brag("add", "Saved $" + "9" * 400 + " a year", "--date", "2026-03-03")
    (path,) = [p for p in (journal.root / "entries").rglob("*.md") if "cloud" in p.read_text()]
    text = path.read_text(encoding="utf-8")
    huge = re.sub(r"value = 5(\.0)?\b", "value = 1" + "0" * 400, text)
    assert huge != text
    path.write_text(huge, encoding="utf-8")
    git(journal.root, "commit", "-qam", "hand edit")
    for args in [*EXPORTS, ("report",)]:
        for fmt in _formats(args[0]):
            result = brag("export", *args, "-f", fmt, "-o", "-", expect=None)
            assert result.exit_code == 0, (args, fmt, result.stderr)
            assert "0" * 30 not in result.stdout  # the title keeps its words; no metric
    brag("list")
    brag("stats")


def test_refused_connection_to_a_url_with_401_is_not_called_authentication(brag, journal):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    brag("remote", "set", f"http://127.0.0.1:{port}/401/403.git")
    result = brag("sync", expect=1)
    assert "could not reach the remote" in result.stderr
    assert "authentication failed" not in result.stderr


def test_config_set_refuses_a_url_with_credentials_without_echoing_it(brag, journal):
    before = git(journal.root, "rev-parse", "HEAD")
    result = brag(
        "config",
        "set",
        "import.github.api_url",
        "https://user:tok-cfg-4242@ghe.example.com/",
        expect=1,
    )
    line = _one_line(result)
    assert "import.github.api_url" in line and "credentials" in line
    assert "tok-cfg-4242" not in result.output + result.stderr
    assert git(journal.root, "rev-parse", "HEAD") == before
    assert "tok-cfg-4242" not in (journal.root / "brag.toml").read_text()
    assert "tok-cfg-4242" not in git(journal.root, "log", "-p", "--all")
