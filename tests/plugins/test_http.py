"""brag.http.Client against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import email.utils
import subprocess
import sys
import time

import pytest
from werkzeug import Response

from brag.http import AuthError, Client, HttpError, RateLimited
from brag.importing import Progress

SECRET = "tok_test_SECRET000"
NOW = 1_780_000_000.0  # the client's clock in these tests


class Recorder(Progress):
    def __init__(self) -> None:
        self.lines: list[str] = []

    def log(self, message: str) -> None:
        self.lines.append(message)


@pytest.fixture
def progress() -> Recorder:
    return Recorder()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(httpserver, progress, sleeps):
    with Client(
        httpserver.url_for("/"),
        service="Example",
        headers={"Authorization": f"Bearer {SECRET}"},
        secrets=(SECRET,),
        token_hint="check EXAMPLE_TOKEN",
        progress=progress,
        max_wait=30,
        backoff=0.5,
        sleep=sleeps.append,
        clock=lambda: NOW,
    ) as c:
        yield c


def test_get_decodes_json_and_sends_the_token_only_in_the_header(client, httpserver):
    httpserver.expect_request(
        "/thing", headers={"Authorization": f"Bearer {SECRET}"}
    ).respond_with_json({"ok": True})
    response = client.get("thing", {"a": "1"})
    assert response.data == {"ok": True}
    request, _ = httpserver.log[-1]
    assert SECRET not in request.url


def test_retry_after_seconds_is_waited(client, httpserver, sleeps, progress):
    httpserver.expect_oneshot_request("/x").respond_with_data(
        "", status=429, headers={"Retry-After": "7"}
    )
    httpserver.expect_request("/x").respond_with_json([1])
    assert client.get("x").data == [1]
    assert sleeps == [7.0]
    assert progress.lines == ["Example: rate limited (HTTP 429); waiting 7 s"]


def test_retry_after_as_http_date(client, httpserver, sleeps):
    when = email.utils.formatdate(NOW + 20, usegmt=True)
    httpserver.expect_oneshot_request("/x").respond_with_data(
        "", status=403, headers={"Retry-After": when}
    )
    httpserver.expect_request("/x").respond_with_json([])
    client.get("x")
    assert sleeps == [20.0]


def test_ratelimit_reset_epoch_within_max_wait(client, httpserver, sleeps):
    reset = int(NOW) + 10
    httpserver.expect_oneshot_request("/x").respond_with_data(
        "", status=403, headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)}
    )
    httpserver.expect_request("/x").respond_with_json([])
    client.get("x")
    assert sleeps == [11.0]  # one second past the reset


def test_wait_longer_than_max_stops_without_sleeping(client, httpserver, sleeps):
    httpserver.expect_request("/x").respond_with_data("", status=429, headers={"Retry-After": "31"})
    with pytest.raises(
        RateLimited, match=r"^Example: rate limit reached \(HTTP 429\); it resets in 31 s"
    ):
        client.get("x")
    assert sleeps == []


def test_a_server_that_never_stops_asking_to_wait(client, httpserver, sleeps):
    httpserver.expect_request("/x").respond_with_data("", status=429, headers={"Retry-After": "1"})
    with pytest.raises(RateLimited, match="still rate limited after 10 waits"):
        client.get("x")
    assert sleeps == [1.0] * 10


def test_403_without_rate_limit_headers_is_access_denied(client, httpserver):
    httpserver.expect_request("/x").respond_with_json(
        {"message": "Resource not accessible by personal access token"}, status=403
    )
    with pytest.raises(HttpError) as err:
        client.get("x")
    assert str(err.value) == (
        "Example: access denied (HTTP 403) for /x: Resource not accessible by personal access token"
    )


def test_5xx_backoff_doubles_then_gives_up(client, httpserver, sleeps):
    httpserver.expect_request("/x").respond_with_data("no", status=502)
    with pytest.raises(HttpError, match=r"/x answered HTTP 502, 5 attempts; nothing was imported"):
        client.get("x")
    assert len(sleeps) == 4
    for i, delay in enumerate(sleeps):
        assert 0.5 * 2**i <= delay <= 0.5 * 2**i * 1.25


def test_timeout_is_retried(httpserver, progress):
    def slow(request):
        time.sleep(0.5)
        return Response("{}", content_type="application/json")

    httpserver.expect_oneshot_request("/slow").respond_with_handler(slow)
    httpserver.expect_request("/slow").respond_with_json({"fast": True})
    with Client(
        httpserver.url_for("/"), service="Example", progress=progress, timeout=0.2, backoff=0.01
    ) as c:
        assert c.get("slow").data == {"fast": True}
    assert "timed out; retrying" in progress.lines[0]


def test_connection_refused_gives_a_clear_error(progress):
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    with Client(
        f"http://127.0.0.1:{port}/", service="Example", progress=progress, backoff=0.001, retries=1
    ) as c:
        with pytest.raises(
            HttpError, match=r"^Example: /x connection failed \(ConnectError\), 2 attempts"
        ):
            c.get("x")


def test_401_message(client, httpserver):
    httpserver.expect_request("/x").respond_with_json({"message": "Bad credentials"}, status=401)
    with pytest.raises(AuthError) as err:
        client.get("x")
    assert str(err.value) == (
        "Example: the token was rejected (HTTP 401): token revoked or invalid; check EXAMPLE_TOKEN"
    )


def test_secrets_are_masked_in_every_message(client, httpserver, progress):
    httpserver.expect_oneshot_request("/x").respond_with_data("", status=500)
    httpserver.expect_request("/x").respond_with_json({"message": f"echo {SECRET}"}, status=422)
    with pytest.raises(HttpError) as err:
        client.get("x", {"q": SECRET})
    assert SECRET not in str(err.value) and "echo ***" in str(err.value)
    assert progress.lines and all(SECRET not in line for line in progress.lines)
    assert client.redact(f"https://user:{SECRET}@host/x") == "https://***@host/x"


def test_malformed_json(client, httpserver):
    httpserver.expect_request("/x").respond_with_data(
        "<html>Gateway</html>", content_type="text/html"
    )
    with pytest.raises(HttpError, match="answered HTTP 200 with a body that is not valid JSON"):
        client.get("x")


def test_link_pagination(client, httpserver):
    base = httpserver.url_for("/items")
    httpserver.expect_request("/items", query_string="page=2").respond_with_json(
        [3], headers={"Link": f'<{base}?page=1>; rel="first", <{base}?page=1>; rel="prev"'}
    )
    httpserver.expect_request("/items").respond_with_json(
        [1, 2], headers={"Link": f'<{base}?page=2>; rel="next", <{base}?page=2>; rel="last"'}
    )
    assert [p.data for p in client.pages("items")] == [[1, 2], [3]]


def test_gitlab_x_next_page(client, httpserver):
    httpserver.expect_request("/mrs", query_string="per_page=2&page=2").respond_with_json(
        [3], headers={"X-Next-Page": "", "X-Page": "2"}
    )
    httpserver.expect_request("/mrs", query_string="per_page=2").respond_with_json(
        [1, 2], headers={"X-Next-Page": "2", "X-Page": "1"}
    )
    pages = client.pages("mrs", {"per_page": 2}, gitlab_next_page=True)
    assert [p.data for p in pages] == [[1, 2], [3]]


def test_pagination_link_to_another_host_is_refused(client, httpserver):
    httpserver.expect_request("/items").respond_with_json(
        [1], headers={"Link": '<https://collector.example.net/steal?page=2>; rel="next"'}
    )
    pages = client.pages("items")
    assert next(pages).data == [1]
    with pytest.raises(
        HttpError, match="refusing to follow a link to https://collector.example.net"
    ):
        next(pages)


def test_a_next_link_that_loops_is_an_error(client, httpserver):
    url = httpserver.url_for("/items")
    httpserver.expect_request("/items").respond_with_json(
        [1], headers={"Link": f'<{url}>; rel="next"'}
    )
    with pytest.raises(HttpError, match="points to a page already read"):
        list(client.pages("items"))


def test_offset_pages_until_more_is_false(client, httpserver):
    httpserver.expect_request("/log", query_string="offset=2&limit=2").respond_with_json(
        {"log_entries": [3], "limit": 2, "offset": 2, "more": False, "total": None}
    )
    httpserver.expect_request("/log", query_string="offset=0&limit=2").respond_with_json(
        {"log_entries": [1, 2], "limit": 2, "offset": 0, "more": True, "total": None}
    )
    assert list(client.offset_pages("log", "log_entries", limit=2)) == [[1, 2], [3]]


def test_offset_page_with_more_but_no_items_ends(client, httpserver, progress):
    httpserver.expect_request("/log").respond_with_json(
        {"log_entries": [], "limit": 2, "offset": 0, "more": True, "total": None}
    )
    assert list(client.offset_pages("log", "log_entries", limit=2)) == [[]]
    assert "said there were more results but sent none" in progress.lines[-1]


def test_bad_api_url():
    with pytest.raises(HttpError, match="is not an http\\(s\\) URL"):
        Client("ftp://example.com", service="Example")


def test_httpx_is_not_imported_until_a_request_is_made(tmp_path):
    code = (
        "import sys\n"
        "from brag.cli import main\n"
        "sys.argv = ['brag', 'import', 'github', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "import brag.manager\n"
        "print('httpx' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "False"


def test_rate_limit_message_without_headers_waits_a_minute(httpserver, progress, sleeps):
    httpserver.expect_oneshot_request("/x").respond_with_json(
        {
            "message": "You have exceeded a secondary rate limit and have been temporarily "
            "blocked from content creation.",
            "documentation_url": "https://docs.github.com",
        },
        status=403,
    )
    httpserver.expect_request("/x").respond_with_json([])
    with Client(
        httpserver.url_for("/"),
        service="Example",
        progress=progress,
        max_wait=60,
        sleep=sleeps.append,
        clock=lambda: NOW,
    ) as c:
        c.get("x")
    assert sleeps == [60.0]


def test_same_host_with_explicit_default_port_is_followed(httpserver, progress):
    with Client("https://api.example.com", service="Example", progress=progress) as c:
        c._check_same_origin("https://api.example.com:443/search?page=2")
        with pytest.raises(HttpError, match="refusing to follow"):
            c._check_same_origin("http://api.example.com/search?page=2")


def test_github_validation_errors_say_why(client, httpserver):
    httpserver.expect_request("/search/issues").respond_with_json(
        {
            "message": "Validation Failed",
            "errors": [
                {
                    "message": "The listed users cannot be searched either because the "
                    "resources do not exist or you do not have permission to view them.",
                    "resource": "Search",
                    "field": "q",
                    "code": "invalid",
                }
            ],
            "documentation_url": "https://docs.github.com/v3/search/",
        },
        status=422,
    )
    with pytest.raises(HttpError) as err:
        client.get("search/issues", {"q": "author:nobody-here"})
    assert str(err.value).startswith(
        "Example: request refused (HTTP 422) for /search/issues?q=author%3Anobody-here: "
        "Validation Failed: The listed users cannot be searched"
    )
