"""The Jinja2 environment exporters render with.

Templates are looked up in the journal's own ``templates/`` folder first (so a
user overrides a built-in or a plugin's template by dropping in a file of the
same name), then in the folders plugins' exporters declare (``template_dir``),
then in the built-in ``brag.templates`` package. A plugin's folder adds
templates but cannot replace a built-in one (restyling brag's documents is the
user's call, made in the journal's folder), the same rule as for names of
importers and exporters. Plugins adjust the environment through the
``prepare_jinja2_environment`` hook. A template error names the file and line.
"""

from __future__ import annotations

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


def environment(journal_root: Path | None = None) -> jinja2.Environment:
    import jinja2

    loaders: list[jinja2.BaseLoader] = []
    if journal_root is not None and (journal_root / "templates").is_dir():
        loaders.append(jinja2.FileSystemLoader(str(journal_root / "templates")))
    plugin_dirs = [str(folder) for _, folder in plugin_template_dirs()]
    if plugin_dirs:
        loaders.append(_PluginLoader(plugin_dirs))
    loaders.append(jinja2.PackageLoader(BUILTIN_PACKAGE, "."))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=_autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    from .manager import get_plugin_manager

    get_plugin_manager().hook.prepare_jinja2_environment(env=env)
    return env


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

    env = env or environment(journal_root)
    try:
        return env.get_template(name).render(**context)
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
