"""The Jinja2 environment exporters render with.

Templates are looked up in the journal's own ``templates/`` folder first (so a
user overrides a built-in or a plugin's template by dropping in a file of the
same name), then in the folders plugins' exporters declare (``template_dir``),
then in the built-in ``brag.templates`` package. A plugin's folder adds
templates but cannot replace a built-in one (restyling brag's documents is the
user's call, made in the journal's folder), the same rule as for names of
importers and exporters. Plugins adjust the environment through the
``prepare_jinja2_environment`` hook. A template error names the file and line.

Templates are untrusted: the journal's folder arrives through ``brag sync``
from other machines. Every template runs in Jinja's immutable sandbox (no
attribute starting with ``_``, no method that changes a value), so a template
can format the data it is given and nothing else; an attempt to reach Python's
internals stops the export with one line naming the template. Output is inert
by default: HTML templates escape every value, Markdown templates escape what
would make raw HTML (``<`` opening a tag, ``&`` forming an entity) or a
clickable link with an unsafe scheme, and the ``href`` filter turns a link into
one a reader may click (http(s) or relative) or into nothing.

Compiled templates are kept in the user's cache folder (``jinja/`` under
platformdirs' ``user_cache_dir("brag")``), never in the journal: a synced file
of Python bytecode would run as code. A cached template is used only for the
same name, file, source text (checksum), Jinja version and environment options
(sandbox, syntax, finalize, autoescape, filters and tests), so an edited
template or override is compiled again; the sandbox checks run when the
template runs, cached or not. Without a usable cache folder (missing,
unwritable, not the user's own, or inside the journal) templates are compiled
on every run as before.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ExportError

if TYPE_CHECKING:
    from collections.abc import Callable

    import jinja2

BUILTIN_PACKAGE = "brag.templates"


def _autoescape(name: str | None) -> bool:
    # Entry text is untrusted (imported PR titles): everything HTML is escaped.
    return bool(name) and str(name).removesuffix(".j2").endswith((".html", ".htm", ".xml"))


def _is_markdown(name: str | None) -> bool:
    return bool(name) and str(name).removesuffix(".j2").endswith((".md", ".markdown"))


def environment(
    journal_root: Path | None = None, plugin_dirs: list[str] | None = None, hooks: bool = True
) -> jinja2.Environment:
    """The environment templates render in. ``plugin_dirs`` (default: the installed
    exporters' :func:`plugin_template_dirs`) and ``hooks=False`` (no plugin implements
    ``prepare_jinja2_environment``) say what plugins add, without loading them."""
    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    loaders: list[jinja2.BaseLoader] = []
    if journal_root is not None and (journal_root / "templates").is_dir():
        loaders.append(jinja2.FileSystemLoader(str(journal_root / "templates")))
    if plugin_dirs is None:
        plugin_dirs = [str(folder) for _, folder in plugin_template_dirs()]
    if plugin_dirs:
        loaders.append(_PluginLoader(plugin_dirs))
    loaders.append(jinja2.PackageLoader(BUILTIN_PACKAGE, "."))
    env = ImmutableSandboxedEnvironment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=_autoescape,
        finalize=jinja2.pass_context(_finalize),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        bytecode_cache=_bytecode_cache(journal_root),
    )
    env.filters["href"] = jinja2.pass_context(_href_filter)
    env.filters["md_escape"] = markdown_escape
    if hooks:
        _prepare_hook().prepare_jinja2_environment(env=env)
    return env


def _prepare_hook() -> Any:
    from .manager import get_plugin_manager

    return get_plugin_manager(hooks=("prepare_jinja2_environment",)).hook


def _cache_folder(journal_root: Path | None) -> Path | None:
    """The user's own folder for compiled templates, made if missing; None if unsafe."""
    from platformdirs import user_cache_dir

    folder = Path(user_cache_dir("brag")) / "jinja"
    try:
        if journal_root is not None and folder.resolve().is_relative_to(journal_root.resolve()):
            return None  # a synced folder: its bytecode could come from anywhere
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = os.lstat(folder)
    except (OSError, ValueError):
        return None
    if not stat.S_ISDIR(st.st_mode):
        return None  # a link or a file where the folder should be
    if hasattr(os, "getuid") and (st.st_uid != os.getuid() or stat.S_IMODE(st.st_mode) & 0o022):
        return None  # someone else's folder, or one others may write into
    if not os.access(folder, os.W_OK | os.X_OK):
        return None
    return folder


def _bytecode_cache(journal_root: Path | None) -> jinja2.BytecodeCache | None:
    """A bytecode cache in the user's cache folder, or None (compile every run)."""
    folder = _cache_folder(journal_root)
    if folder is None:
        return None
    import jinja2
    from jinja2.bccache import Bucket

    class TemplateCache(jinja2.FileSystemBytecodeCache):
        def get_bucket(
            self, environment: jinja2.Environment, name: str, filename: str | None, source: str
        ) -> Bucket:
            # Jinja keys a bucket by name and file and rejects it when the source's
            # checksum differs; the code also depends on the environment's options.
            key = self.get_cache_key(f"{name}\0{_environment_fingerprint(environment)}", filename)
            bucket = Bucket(environment, key, self.get_source_checksum(source))
            self.load_bytecode(bucket)
            return bucket

        def load_bytecode(self, bucket: Bucket) -> None:
            try:
                super().load_bytecode(bucket)
            except Exception:  # a damaged or unreadable file: compile instead
                bucket.reset()

        def dump_bytecode(self, bucket: Bucket) -> None:
            try:
                super().dump_bytecode(bucket)
            except OSError:  # full disk, folder gone: the export goes on without it
                pass

    return TemplateCache(str(folder), "%s.cache")


def _callable_id(func: Any) -> str:
    if not callable(func):
        return repr(func)
    name = f"{getattr(func, '__module__', '')}.{getattr(func, '__qualname__', type(func))}"
    return f"{name}:{getattr(func, 'jinja_pass_arg', '')}"


def _environment_fingerprint(env: jinja2.Environment) -> str:
    """What, besides a template's source, the compiled code depends on."""
    import jinja2

    from .hashing import hex_digest

    parts = (
        jinja2.__version__,
        _callable_id(type(env)),
        env.sandboxed,
        sorted(getattr(env, "intercepted_binops", ())),
        sorted(getattr(env, "intercepted_unops", ())),
        env.block_start_string,
        env.block_end_string,
        env.variable_start_string,
        env.variable_end_string,
        env.comment_start_string,
        env.comment_end_string,
        env.line_statement_prefix,
        env.line_comment_prefix,
        env.trim_blocks,
        env.lstrip_blocks,
        env.newline_sequence,
        env.keep_trailing_newline,
        env.optimized,
        env.is_async,
        _callable_id(env.finalize),
        _callable_id(env.autoescape),
        _callable_id(env.code_generator_class),
        sorted(env.extensions),
        sorted((k, _callable_id(f)) for k, f in env.filters.items()),
        sorted((k, _callable_id(f)) for k, f in env.tests.items()),
    )
    return hex_digest(repr(parts))


def _context_name(context: Any) -> str:
    return str(getattr(context, "name", "") or "")


def _finalize(context: Any, value: Any) -> Any:
    """What every ``{{ … }}`` of a Markdown template prints: text made inert."""
    if isinstance(value, str) and _is_markdown(_context_name(context)):
        from markupsafe import Markup

        if isinstance(value, Markup):  # the template said "| safe": its call
            return value
        return markdown_escape(value)
    return value


def _href_filter(context: Any, url: Any) -> str:
    """``{{ url | href }}``: the link if a reader may click it, else ""."""
    from .links import export_href

    return export_href(url if isinstance(url, str) else "")


def markdown_escape(text: str) -> str:
    """``text`` with only what would become raw HTML or an unsafe link escaped.

    ``<`` is escaped where it would open a tag, comment or autolink (``<b``,
    ``</``, ``<!``, ``<?``), ``&`` where it would form an entity (``&amp;``,
    ``&#58;``); an inline link or a link definition whose target is not http(s)
    or relative loses its link syntax. The words stay the user's: "p99 < 200ms"
    and "R&D" print as written.
    """
    from .links import safe_href

    text = _ENTITY.sub("&amp;", text)
    text = _TAG_OPEN.sub("&lt;", text)

    def inline(m: re.Match[str]) -> str:
        target = m.group("target").strip().lstrip("<")
        return m.group(0) if safe_href(target) is not None else m.group(0).replace("](", "]\\(", 1)

    def definition(m: re.Match[str]) -> str:
        target = m.group("target").lstrip("<")
        return m.group(0) if safe_href(target) is not None else "\\" + m.group(0).lstrip()

    text = _INLINE_LINK.sub(inline, text)
    return _LINK_DEFINITION.sub(definition, text)


_TAG_OPEN = re.compile(r"<(?=[A-Za-z/!?])")
_ENTITY = re.compile(r"&(?=#[0-9]{1,7};|#[xX][0-9A-Fa-f]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};)")
_INLINE_LINK = re.compile(r"\]\((?P<target>[^)\n]*)")
_LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*(?P<target>\S*)", re.MULTILINE)


def _is_builtin(name: str) -> bool:
    from importlib.resources import files

    return files(BUILTIN_PACKAGE).joinpath(name).is_file()


def _PluginLoader(folders: list[str]) -> jinja2.BaseLoader:  # noqa: N802 - a loader class
    """Plugins' template folders, minus the names of built-in templates."""
    import jinja2

    class PluginLoader(jinja2.FileSystemLoader):
        def get_source(
            self, environment: jinja2.Environment, template: str
        ) -> tuple[str, str, Callable[[], bool]]:
            if _is_builtin(template):
                raise jinja2.TemplateNotFound(template)
            return super().get_source(environment, template)

    return PluginLoader(folders)


def plugin_template_dirs() -> list[tuple[str, Path]]:
    """``(exporter name, folder)`` for every exporter that ships a template folder."""
    from .manager import exporters

    found: list[tuple[str, Path]] = []
    for exporter in exporters().values():
        folder = getattr(exporter, "template_dir", None)
        if folder is None:
            continue
        path = Path(str(folder))
        if not path.is_dir():
            raise ExportError(
                f"exporter {exporter.name!r}: template_dir {str(folder)!r} is not a folder"
            )
        if all(path != seen for _, seen in found):
            found.append((exporter.name, path))
    return found


def template_origin(name: str, journal_root: Path | None = None) -> str:
    """Where ``name`` would be loaded from: the journal's override, a plugin, or built-in."""
    if journal_root is not None and (journal_root / "templates" / name).is_file():
        return str(journal_root / "templates" / name)
    for exporter, folder in [] if _is_builtin(name) else plugin_template_dirs():
        if (folder / name).is_file():
            return f"plugin exporter {exporter} ({folder / name})"
    return f"built-in ({BUILTIN_PACKAGE}/{name})"


def render(
    name: str,
    context: dict[str, Any],
    journal_root: Path | None = None,
    env: jinja2.Environment | None = None,
) -> str:
    """Render template ``name``; any template error becomes one ExportError naming file:line."""
    import jinja2

    from .text import strip_control

    env = env or environment(journal_root)
    try:
        # No escape sequence reaches a terminal or a file from entry text.
        return strip_control(env.get_template(name).render(**context))
    except jinja2.TemplateSyntaxError as exc:
        where = exc.filename or exc.name or name
        raise ExportError(f"template {where}:{exc.lineno}: {exc.message}") from None
    except jinja2.TemplateNotFound as exc:
        raise ExportError(f"template {exc.name} not found") from None
    except jinja2.TemplateError as exc:
        where, line = _template_frame(exc, name)
        raise ExportError(f"template {where}:{line}: {exc}") from None
    except (TypeError, ValueError, AttributeError, KeyError, ZeroDivisionError) as exc:
        # A template calling something wrongly ("a.items" on a dict): still name the line.
        where, line = _template_frame(exc, name)
        if line == "?":
            raise
        raise ExportError(f"template {where}:{line}: {type(exc).__name__}: {exc}") from None


#: From this many entries in a document, its template is made ready by a helper
#: process while the document is built (see :class:`Beside`).
BESIDE_MIN = 2000

# The helper's program: the parent's module path, then brag.render.serve with the
# journal, the template and the plugins' template folders.
_SERVE = (
    "import sys, marshal; path, root, name, dirs = marshal.loads(bytes.fromhex(sys.argv[1])); "
    "sys.path[:] = path; from brag.render import serve; serve(root, name, dirs)"
)


class Beside:
    """A template rendered by a helper process that got it ready beforehand.

    Importing Jinja2 and loading a template take about 25 ms, as long as a
    fifth of a year's self-review once the analyses are cached, and they do not
    wait for the document's data. :func:`beside` starts a fresh ``python`` that
    imports Jinja2 and loads the template on the other core while this process
    builds the document; :meth:`render` hands it the data (pickled, through its
    standard input) and reads the text back. The helper loads the template the
    way :func:`render` would: the same environment, the journal's overrides and
    the plugins' template folders (found here: the helper loads no plugin, so
    there is none when one prepares the environment). Any failure there, or
    here, gives ``None`` and the caller renders in-process, which then names
    any template error in its own words."""

    def __init__(self, pid: int, to_helper: int, from_helper: int):
        self.pid, self.to_helper, self.from_helper = pid, to_helper, from_helper

    def render(self, context: dict[str, Any]) -> str | None:
        """The text of the template with ``context``, or None (render it in-process)."""
        import pickle

        try:
            payload = memoryview(pickle.dumps(context, protocol=pickle.HIGHEST_PROTOCOL))
            while payload:
                payload = payload[os.write(self.to_helper, payload) :]
            os.close(self.to_helper)
            self.to_helper = -1
            chunks = []
            while chunk := os.read(self.from_helper, 1 << 16):
                chunks.append(chunk)
            answer = pickle.loads(b"".join(chunks)) if chunks else None
        except Exception:  # a helper that failed or died: render in-process
            answer = None
        finally:
            self.close()
        return answer if isinstance(answer, str) else None

    def close(self) -> None:
        """Stop the helper (if still running) and reap it."""
        for fd in (self.to_helper, self.from_helper):
            if fd >= 0:
                os.close(fd)
        self.to_helper = self.from_helper = -1
        if self.pid:
            pid, self.pid = self.pid, 0
            import signal

            try:
                os.kill(pid, signal.SIGKILL)  # done already, unless abandoned
            except ProcessLookupError:
                pass
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass


def beside(name: str, journal_root: Path | None) -> Beside | None:
    """A :class:`Beside` helper getting template ``name`` ready, or None where a
    process cannot be started that way (the caller renders in-process)."""
    import marshal
    import sys

    if not hasattr(os, "posix_spawn") or not sys.executable:
        return None
    if _prepare_hook().prepare_jinja2_environment.get_hookimpls():
        return None  # a plugin's own code changes the environment: here only
    dirs = [str(folder) for _, folder in plugin_template_dirs()]
    path = [p for p in sys.path if isinstance(p, str)]
    try:
        request = marshal.dumps((path, str(journal_root or ""), name, dirs)).hex()
    except ValueError:
        return None
    args = [sys.executable, "-c", _SERVE, request]
    to_read, to_helper = os.pipe()
    from_helper, to_write = os.pipe()
    try:
        null = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        null = -1
    try:
        pid = os.posix_spawn(
            sys.executable,
            args,
            os.environ,
            file_actions=[
                (os.POSIX_SPAWN_DUP2, to_read, 0),
                (os.POSIX_SPAWN_DUP2, to_write, 1),
                *([(os.POSIX_SPAWN_DUP2, null, 2)] if null >= 0 else []),
            ],
        )
    except OSError:
        os.close(to_helper)
        os.close(from_helper)
        return None
    finally:
        for fd in (to_read, to_write, null):
            if fd >= 0:
                os.close(fd)
    return Beside(pid, to_helper, from_helper)


def serve(root: str, name: str, plugin_dirs: list[str]) -> None:
    """The helper's side of :class:`Beside`: load template ``name`` for the journal
    at ``root`` (with the plugins' template folders ``plugin_dirs``), then render it
    with the context read from standard input and write the text (pickled; None
    on any failure) to standard output."""
    import pickle
    import signal
    import sys

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    from .text import strip_control

    text = None
    try:
        env = environment(Path(root) if root else None, plugin_dirs, hooks=False)
        template = env.get_template(name)
        context = pickle.loads(sys.stdin.buffer.read())
        text = strip_control(template.render(**context))
    except Exception:
        text = None
    sys.stdout.buffer.write(pickle.dumps(text, protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.flush()
    # The parent reads until the pipe closes: not after tearing the interpreter down.
    os._exit(0)


def _template_frame(exc: BaseException, name: str) -> tuple[str, int | str]:
    """The template file and line a runtime error happened on (from the traceback)."""
    tb = exc.__traceback__
    found: tuple[str, int | str] = (name, "?")
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2") or "/templates/" in filename:
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found
