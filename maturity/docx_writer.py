"""The report data as an editable Word document (python-docx): Word's own heading styles, real
tables and lists, and the picture as an image. Imported only by maturity.documents."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import docx
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_BREAK
from docx.shared import Cm, Emu, Pt, Twips


def write_docx(r: dict, reference: Path | None, picture_png: bytes | None, when: datetime) -> bytes:
    """The document as bytes; `reference` is a .docx whose styles (and header, footer) it uses."""
    d = docx.Document(str(reference)) if reference else docx.Document()
    if reference:  # keep the reference's styles, page set-up, header and footer, not its text
        body = d.element.body
        for child in list(body):
            if not child.tag.endswith("}sectPr"):
                body.remove(child)
    else:  # python-docx's own default is US Letter: A4 with the PDF's margins instead
        _a4(d.sections[0])
    props = d.core_properties
    props.title = r["title"]
    props.author = r["cover"]["consultant"] or ""
    props.last_modified_by = r["cover"]["consultant"] or ""
    props.subject = r["cover"]["model"]
    props.comments = ""
    props.keywords = ""
    props.revision = 1
    props.created = props.modified = props.last_printed = when.replace(tzinfo=None)

    c = r["cover"]
    d.add_heading(c["client"], 0)
    d.add_paragraph("Social recruitment marketing assessment")
    _pairs(d, [("Sector", c["sector"]), ("Size", c["size"]), ("Assessed on", c["date"] or "not recorded"),
               ("Consultant", c["consultant"]),
               ("Model", f"{c['model']} (pack {c['pack']}"
                         + (f" version {c['pack_version']})" if c["pack_version"] else ")"))])
    d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    s = r["summary"]
    d.add_heading("Summary", 1)
    d.add_paragraph(s["text"])
    d.add_paragraph(r["coverage"]["text"])
    d.add_paragraph("Stage ladder:")
    for step in reversed(s["ladder"]):
        p = d.add_paragraph()
        run = p.add_run(f"{step['rank']}. {step['label']}")
        if step["current"]:
            run.bold = True
            p.add_run("  \u25c0 you are here")

    if r["progress"]:
        _progress(d, r["progress"])

    d.add_heading("Strengths", 1)
    if r["strengths"]:
        for x in r["strengths"]:
            d.add_paragraph(x["text"], style="List Bullet")
        if r["strengths_more"]:
            more = r["strengths_more"]
            d.add_paragraph(f"And {more} more {'dot' if more == 1 else 'dots'} at a done level: the "
                            "scorecard gives each one's reason.")
    else:
        d.add_paragraph("No dot is connected yet, so there is no strength to build on.")

    d.add_heading("Priorities", 1)
    if r["priorities"]:
        for x in r["priorities"]:
            p = d.add_paragraph(style="List Number")
            p.add_run(f"{x['element_label']}: ").bold = True
            p.add_run(x["action"] + (f" ({x['when']})" if x["when"] else ""))
    else:
        d.add_paragraph("No advice of the model applies to these answers yet: the next dot, below, "
                        "says where to go on." if r["next"] else
                        "Nothing left to do: every dot is connected already.")

    landscape = r["picture"].get("layout") in ("slide", "wide")
    if landscape:  # a page of its own, turned, as in the PDF
        _turn(d.add_section(WD_SECTION.NEW_PAGE), WD_ORIENT.LANDSCAPE)
    d.add_heading("The picture", 1)
    if picture_png:
        d.add_picture(io.BytesIO(picture_png), width=_picture_width(d.sections[-1], picture_png))
        d.add_paragraph(r["picture"]["alt"], style="Caption")
    else:
        d.add_paragraph(f"The picture could not be drawn: {r['picture']['missing']}")
    if landscape:
        _turn(d.add_section(WD_SECTION.NEW_PAGE), WD_ORIENT.PORTRAIT)

    d.add_heading("Scorecard", 1)
    for group in r["scorecard_groups"]:
        if group["heading"]:
            d.add_heading(group["heading"], 2)
        _table(d, ["#", "Element", "Status", "Done", "Disconnected", "Reason"],
               [[str(e["n"]), e["label"] + (" (next)" if e["next"] else ""), e["status_label"],
                 e["done_label"], e["disconnected_label"], e["reason"]]
                for e in group["rows"]], [0.8, 4, 2.4, 1.4, 2.6, 7])
    if r["scorecard_note"]:
        d.add_paragraph(r["scorecard_note"])

    d.add_heading("Findings", 1)
    # under a group's heading, a finding's is one level down: Heading 3, if the reference
    # document has it (one made in Word holds only the heading styles used in it)
    below = 3 if any(style.name == "Heading 3" for style in d.styles) else 2
    for group in r["findings_groups"]:
        if group["heading"]:
            d.add_heading(group["heading"], 2)
        for f in group["findings"]:
            d.add_heading(f"[{f['severity']}] {f['message']}", below if group["heading"] else 2)
            answers = "; ".join(f"{x['question'] or x['fact']} {x['answer']}" for x in f["facts"])
            d.add_paragraph(f"{f['element_label']}." + (f" Why: {f['because']}" if f["because"] else "")
                            + (f" Answers: {answers}." if answers else ""))
    if not r["findings"]:
        d.add_paragraph("No findings.")

    d.add_heading("The next dot", 1)
    n = r["next"]
    if n:
        d.add_heading(f"{n['n']}. {n['label']}", 2)
        for w in n["why"]:
            d.add_paragraph(w, style="List Bullet")
        if n["needs"]:
            d.add_paragraph("To count as done:")
            for x in n["needs"]:
                d.add_paragraph(x, style="List Bullet")
        if n["actions"]:
            d.add_paragraph("What to do:")
            for x in n["actions"]:
                d.add_paragraph(x["action"], style="List Bullet")
    else:
        d.add_paragraph("None: every dot is connected already.")

    d.add_heading("Roadmap", 1)
    for p in r["roadmap"]:
        d.add_heading(p["label"] + (f" ({p['when']})" if p["when"] else ""), 2)
        if p["intro"]:
            d.add_paragraph(p["intro"])
        if p["quick_wins"]:
            for x in p["actions"]:
                para = d.add_paragraph(style="List Bullet")
                para.add_run(f"{x['element_label']}: ").bold = True
                para.add_run(x["action"])
        for step in p["elements"]:
            para = d.add_paragraph(style="List Bullet")
            para.add_run(f"{step['n']}. {step['label']}").bold = True
            if step["waits_for"]:
                para.add_run(f" (after {', '.join(step['waits_for'])})")
            for x in step["actions"]:
                d.add_paragraph(x["action"], style="List Bullet 2")
            if step["in_now"]:
                d.add_paragraph("Start with its quick wins under Now, above.", style="List Bullet 2")
    if not r["roadmap"]:
        d.add_paragraph("Nothing left: every dot is connected already.")

    if r["more_advice"]:
        d.add_heading("More advice", 1)
        d.add_paragraph("Advice the priorities and the roadmap do not list, mostly on dots connected already.")
        for group in r["more_advice"]:
            para = d.add_paragraph(style="List Bullet")
            para.add_run(group["element_label"]).bold = True
            for x in group["actions"]:
                d.add_paragraph(x["action"] + (f" ({x['when']})" if x["when"] else ""),
                                style="List Bullet 2")

    d.add_heading("Questions not answered", 1)
    if r["unanswered"]:
        _table(d, ["Element", "Question", "Fact"],
               [[u["element_label"], u["question"] + (" (could change the result)" if u.get("could_change") else ""),
                 u["fact"]] for u in r["unanswered"]], [3, 8, 4])
    else:
        d.add_paragraph("No question is left open." if r["not_needed"] else "Every question was answered.")
    if r["not_needed"]:
        d.add_paragraph("Not needed, given the answers (no answer to these could change this assessment): "
                        + " ".join(u["question"] or u["fact"] for u in r["not_needed"]))

    if r["benchmark"]:
        d.add_heading("Against peers", 1)
        d.add_paragraph(r["benchmark"]["text"])
        if r["benchmark"]["rows"] and r["benchmark"].get("could_be_higher"):
            _table(d, ["Element", "Status", "Ahead of", "Level with", "Behind", "Could be higher"],
                   [[e["label"], e["status_label"], e["ahead_of"], e["level_with"], e["behind"],
                     e["could_be_higher"]] for e in r["benchmark"]["rows"]], [3.5, 2.5, 2, 2, 2, 2.5])
        elif r["benchmark"]["rows"]:
            _table(d, ["Element", "Status", "Ahead of", "Level with", "Behind"],
                   [[e["label"], e["status_label"], e["ahead_of"], e["level_with"], e["behind"]]
                    for e in r["benchmark"]["rows"]], [4, 3, 2.5, 2.5, 2.5])

    if r["appendix"]:
        ap = r["appendix"]
        d.add_heading("Appendix: the evidence behind each conclusion", 1)
        d.add_paragraph(f"{ap['rules_fired']} rules fired; each of their conclusions is below.")
        _table(d, ["Conclusion", "Rule", "Facts"],
               [[x["conclusion"], x["rule"], "\n".join(f"{f['fact']} = {f['answer']}" for f in x["facts"])]
                for x in ap["conclusions"]], [5, 4, 7])
        d.add_heading("Answers given", 2)
        _table(d, ["Fact", "Question", "Answer"],
               [[x["fact"], x["question"], x["answer"] + (f" ({x['note']})" if x["note"] else "")]
                for x in ap["answers"]], [4, 8, 4])
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def _pairs(d, pairs: list[tuple[str, str]]) -> None:
    for key, value in pairs:
        if value:
            p = d.add_paragraph()
            p.add_run(f"{key}: ").bold = True
            p.add_run(str(value))


# The PDF's page (style.css's @page): A4, margins 18 mm top, 16 mm sides, 20 mm bottom.
PAGE_CM = (21.0, 29.7)
MARGINS_CM = {"top_margin": 1.8, "right_margin": 1.6, "bottom_margin": 2.0, "left_margin": 1.6}
PICTURE_HEIGHT = 0.85  # at most this share of the text height, leaving room for heading and caption


def _a4(section) -> None:
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(PAGE_CM[0]), Cm(PAGE_CM[1])
    for name, cm in MARGINS_CM.items():
        setattr(section, name, Cm(cm))


def _turn(section, orientation) -> None:
    """A new section's page turned to `orientation` (it starts as a copy of the one before)."""
    short, long = sorted((section.page_width, section.page_height))
    section.orientation = orientation
    if orientation == WD_ORIENT.LANDSCAPE:
        section.page_width, section.page_height = long, short
    else:
        section.page_width, section.page_height = short, long


def text_width(section) -> int:
    """The width between the section's margins (EMU)."""
    return section.page_width - section.left_margin - section.right_margin


def _picture_width(section, png: bytes) -> int:
    """As wide as the text, unless that makes the picture taller than PICTURE_HEIGHT of the
    text height (a tall page picture): then as wide as that height allows."""
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")  # IHDR
    room = section.page_height - section.top_margin - section.bottom_margin
    most = text_width(section)
    if width and height:
        most = min(most, int(room * PICTURE_HEIGHT * width / height))
    return Emu(most)


def _table(d, head: list[str], rows: list[list[str]], weights: list[float]) -> None:
    """A grid table whose columns share the text width by `weights` (a "#" column stays
    narrow and a "Reason" column wide, in Word and in LibreOffice alike)."""
    table = d.add_table(rows=1, cols=len(head))
    table.style = "Table Grid"
    table.autofit = False
    for cell, text in zip(table.rows[0].cells, head):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row):
            cell.text = text
    full = text_width(d.sections[-1]) // 635  # in twips, as Word keeps them: rounded down,
    widths = [Twips(int(full * w / sum(weights))) for w in weights]  # they never add up past it
    for column, width in zip(table.columns, widths):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = width
            for p in cell.paragraphs:
                for run in p.runs:
                    run.font.size = Pt(9)


def _progress(d, g: dict) -> None:
    d.add_heading(f"Progress since {g['previous']['date'] or 'the last assessment'}", 1)
    d.add_paragraph(g["summary"])
    _table(d, ["Dot", "Then", "Now", "Movement"],
           [[e["label"], e["from_label"], e["to_label"], e["movement_text"]] for e in g["elements"]],
           [4, 3, 3, 6])
    for title, items, key in (("Findings resolved", g["findings"]["resolved"], "message"),
                              ("New findings", g["findings"]["new"], "message"),
                              ("Advice no longer needed", g["advice_done"], "action"),
                              ("Findings no longer shown, resting on questions not answered now",
                               g["findings"]["not_known"], "message"),
                              ("Advice no longer shown, resting on questions not answered now",
                               g["advice_not_known"], "action")):
        if items:
            d.add_paragraph(title + ":")
            for x in items:
                d.add_paragraph(x[key], style="List Bullet")
    if g["newly_answered"]:
        d.add_paragraph("Questions newly answered:")
        for q in g["newly_answered"]:
            para = d.add_paragraph(f"{q['question'] or q['fact']} ", style="List Bullet")
            para.add_run(str(q["answer_label"])).bold = True
