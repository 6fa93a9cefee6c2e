"""The client report as a document: HTML and Markdown from Jinja2 templates, PDF from the same
HTML (WeasyPrint), DOCX built with python-docx; each renders the one report data structure
(maturity.reportdata) and computes nothing of its own.

Only this module imports Jinja2, python-docx and WeasyPrint, each inside the function that
needs it, and only `dots report` imports this module. Templates are package data
(maturity/templates); a folder given with `--template DIR` (or a pack's `templates` folder)
replaces any of them file by file.
"""

from __future__ import annotations

import base64
import io
import os
import re
import zipfile
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import DataError, OutputError, Problem

DOCUMENT_FORMATS = ("html", "md", "docx", "pdf")
TEMPLATES = {"html": "report.html.j2", "md": "report.md.j2"}
REFERENCE_DOCX = "reference.docx"  # a template folder's Word styles, used as the DOCX's base


def document_format(path: Path | str) -> str:
    """The format an output path asks for, by its suffix."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix == "markdown":
        suffix = "md"
    if suffix not in DOCUMENT_FORMATS:
        raise OutputError(f"unknown report format '.{suffix}'" if suffix else "the output has no suffix",
                          "use one of: " + ", ".join("." + f for f in DOCUMENT_FORMATS), str(path))
    return suffix


def check_template_dir(folder: Path | str | None) -> Path | None:
    """The template folder, checked: it must exist and be a folder."""
    if folder is None:
        return None
    path = Path(folder)
    if not path.is_dir():
        raise OutputError("no such template folder" if not path.exists() else "the template is not a folder",
                          "give a folder holding report.html.j2, report.md.j2, style.css or "
                          "reference.docx (any of them)", str(folder))
    return path


def creation_time() -> datetime:
    """When a document was made: SOURCE_DATE_EPOCH when set (reproducible builds), else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise OutputError(f"SOURCE_DATE_EPOCH is not a number of seconds: {epoch!r}",
                              "unset it or give whole seconds since 1970") from None
    return datetime.now(timezone.utc).replace(microsecond=0)


def render_document(data: dict, fmt: str, template_dir: Path | None = None,
                    picture_png: bytes | None = None) -> bytes:
    """The report in `fmt` (html, md, docx or pdf), whole, as bytes."""
    if fmt == "html":
        return render_template(data, "html", template_dir).encode("utf-8")
    if fmt == "md":
        return render_template(data, "md", template_dir).encode("utf-8")
    if fmt == "pdf":
        return _pdf(render_template(data, "html", template_dir))
    if fmt == "docx":
        return _docx(data, template_dir, picture_png)
    raise OutputError(f"unknown report format '.{fmt}'")


# Templates ---------------------------------------------------------------------------------

def _environment(template_dir: Path | None, fmt: str):
    import jinja2

    builtin = jinja2.FileSystemLoader(str(resources.files("maturity") / "templates"))
    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(template_dir)), builtin]) \
        if template_dir else builtin
    env = jinja2.Environment(loader=loader, undefined=jinja2.StrictUndefined,
                             autoescape=fmt == "html", trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True)
    env.filters["cell"] = _cell
    env.filters["wbr"] = _wbr
    env.filters["base64"] = lambda text: base64.b64encode(text.encode("utf-8")).decode("ascii")
    return env


def _cell(value: Any) -> str:
    """Text safe inside a Markdown table cell: one line, pipes escaped."""
    return " ".join(str(value).split()).replace("|", "\\|")


_ID_BREAK = re.compile(r"([._])")


def _wbr(value: Any):
    """An id (rule, fact) as HTML that may break only after a "." or "_"
    ("stage.broadcasting_goals" -> "stage.<wbr>broadcasting_<wbr>goals"), escaped."""
    import markupsafe
    return markupsafe.Markup(_ID_BREAK.sub(r"\1<wbr>", str(markupsafe.escape(value))))


def render_template(data: dict, fmt: str, template_dir: Path | None = None) -> str:
    """The HTML or Markdown report from its template; template problems as DataError."""
    import jinja2

    name = TEMPLATES[fmt]
    env = _environment(template_dir, fmt)
    try:
        return env.get_template(name).render(r=data)
    except jinja2.TemplateSyntaxError as exc:
        raise DataError([Problem(_template_file(exc.filename, exc.name or name, template_dir),
                                 exc.lineno or 0, 0 if not exc.lineno else 1,
                                 f"template error: {exc.message}",
                                 "fix the template's syntax (Jinja2)")]) from None
    except jinja2.TemplateNotFound as exc:
        where = f"{template_dir} or the built-in templates" if template_dir else "the built-in templates"
        raise DataError([Problem(str(template_dir or "templates"), 0, 0,
                                 f"template '{exc.name}' not found in {where}",
                                 "check the name in the template's include or extends")]) from None
    except jinja2.TemplateError as exc:
        file, line = _failing_template_line(exc, template_dir)
        raise DataError([Problem(file or name, line, 1 if line else 0,
                                 f"template error: {exc}",
                                 "the report data's keys are listed in docs/report.md")]) from None


def _template_file(filename: str | None, name: str, template_dir: Path | None) -> str:
    if filename:
        return filename
    return str(Path(template_dir) / name) if template_dir else name


def _failing_template_line(exc: BaseException, template_dir: Path | None) -> tuple[str, int]:
    """The template file and line where a rendering error happened (Jinja2 puts template
    frames in the traceback)."""
    found = ("", 0)
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code.co_filename
        if code.endswith(".j2") or code.endswith(".css"):
            found = (code, tb.tb_lineno)
        tb = tb.tb_next
    return found


# PDF ---------------------------------------------------------------------------------------

def _pdf(html: str) -> bytes:
    """The HTML report printed to A4 PDF by WeasyPrint (page numbers come from style.css)."""
    try:
        import weasyprint
    except OSError as exc:  # Pango missing: WeasyPrint cannot load its libraries
        raise OutputError(f"WeasyPrint cannot run: {str(exc).splitlines()[0]}",
                          "install Pango and fonts (Debian/Ubuntu: sudo apt-get install "
                          "libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core)") from None
    import logging
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    document = weasyprint.HTML(string=html, base_url=None).render()
    stamp = creation_time().strftime("%Y-%m-%dT%H:%M:%SZ")
    document.metadata.created = stamp
    document.metadata.modified = stamp
    return document.write_pdf()


# DOCX --------------------------------------------------------------------------------------

def _docx(data: dict, template_dir: Path | None, picture_png: bytes | None) -> bytes:
    """An editable Word document: real headings, lists and tables, the picture as an image."""
    from .docx_writer import write_docx

    reference = template_dir / REFERENCE_DOCX if template_dir and (template_dir / REFERENCE_DOCX).is_file() else None
    raw = write_docx(data, reference, picture_png, creation_time())
    return _fixed_zip(raw, creation_time())


def _fixed_zip(raw: bytes, when: datetime) -> bytes:
    """The same zip with every entry stamped `when` (zip keeps local times to 2 seconds), so
    that SOURCE_DATE_EPOCH makes the DOCX byte-identical."""
    stamp = max(when, datetime(1980, 1, 1, tzinfo=timezone.utc)).timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


# The picture inside documents --------------------------------------------------------------

_SVG_START = re.compile(r"<svg\b")


def inline_svg(svg: bytes | str) -> str:
    """Graphviz's SVG made fit to sit inside HTML: no XML prolog, doctype or comments, and
    scaled to the page width by the stylesheet."""
    text = svg.decode("utf-8") if isinstance(svg, bytes) else svg
    match = _SVG_START.search(text)
    text = text[match.start():] if match else text
    text = re.sub(r"<!--.*?-->\n?", "", text, flags=re.S)
    return text.strip() + "\n"


__all__ = ["DOCUMENT_FORMATS", "check_template_dir", "creation_time", "document_format",
           "inline_svg", "render_document", "render_template"]


# The whole report ----------------------------------------------------------------------------

def write_report(assessment, path: Path | str, *, template_dir: Path | str | None = None,
                 appendix: bool = True, progress: dict | None = None,
                 benchmark: dict | None = None, layout: str = "page") -> Path:
    """Write the client report to `path` (format by suffix), whole or not at all."""
    from .files import check_output_path, write_atomic
    from .render import render_bytes
    from .reportdata import report_data
    from .views import document_view

    path = Path(path)
    fmt = document_format(path)
    check_output_path(path)
    folder = check_template_dir(template_dir) or pack_template_dir(assessment.model)
    svg, png, missing = None, None, ""
    view = document_view(assessment)
    only, summary = ("frontier" if view == "frontier" else None), view == "summary"
    try:
        svg = inline_svg(render_bytes(assessment, "svg", only, summary, layout=layout))
        if fmt == "docx":
            png = render_bytes(assessment, "png", only, summary, layout=layout, dpi=200)
    except OutputError as exc:
        if "not installed" not in exc.message:
            raise
        missing = f"{exc.message} ({exc.hint})"
    data = report_data(assessment, appendix=appendix, picture_svg=svg, picture_missing=missing,
                       picture_view=view, picture_layout=layout, progress=progress,
                       benchmark=benchmark)
    write_atomic(path, render_document(data, fmt, folder, png))
    return path


def pack_template_dir(model) -> Path | None:
    """A pack's own templates: the `templates` folder beside its pack.yaml, when there is one."""
    if not model.source:
        return None
    source = Path(model.source)
    folder = (source if source.is_dir() else source.parent) / "templates"
    return folder if folder.is_dir() else None
