"""`dots interview` driven as a consultant drives it: in a pseudo-terminal (pexpect), typing
answers, making mistakes, stopping with Ctrl-C and being killed at random points. The facts file
must be whole and valid after any of it, and a new run goes on where the last one stopped."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest
import yaml

import maturity
from pty_child import ENV, Terminal, no_fork_with_threads  # noqa: F401 (a fixture used by every test)
from maturity.interview import ordered_facts

pytestmark = pytest.mark.terminal

ROOT = Path(__file__).resolve().parents[2]
DOTS = str(Path(sys.executable).parent / "dots")
PROMPT = "\r\n> "


def typed(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(value) if value else "none"
    return str(value)


@pytest.fixture
def replies() -> list[tuple[str, str]]:
    """(fact id, what to type) for every question of the default pack, in the order asked,
    from the mid-size example's answers (unanswered there: don't know here)."""
    facts = yaml.safe_load((ROOT / "examples" / "mid-size.yaml").read_text("utf-8"))["facts"]
    return [(f.id, typed(facts[f.id]) if f.id in facts else "?")
            for f in ordered_facts(maturity.load_pack())]


def spawn(*args: str, cwd: Path) -> Terminal:
    return Terminal([DOTS, "interview", *args], cwd)


def run(command: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(command.split(), cwd=str(cwd), env=ENV, capture_output=True, text=True)


def answer(child: Terminal, fact_id: str, text: str) -> None:
    child.expect_exact(f"({fact_id})")
    child.expect_exact(PROMPT)
    child.sendline(text)


TOTAL = len(maturity.load_pack().facts)


def header(child: Terminal, name: str = "Acme Care", consultant: str = "") -> None:
    """The two questions asked first about a file just started (its header holds the
    template's placeholders, which Enter never keeps): a name, and a consultant or none."""
    child.expect_exact("Organisation name> ")
    child.sendline(name)
    child.expect_exact("Consultant (Enter: none)> ")
    child.sendline(consultant)


def finish(child: Terminal) -> str:
    child.expect(pexpect.EOF)
    child.close()
    return child.before


def test_a_full_interview(tmp_path, replies):
    # As the example, but one answer not known and one not applicable.
    replies = [(f, "?" if f == "purpose.owner_named" else "n/a" if f == "engagement.results_feed_plan"
                else t) for f, t in replies]
    child = spawn("client.yaml", cwd=tmp_path)
    child.expect_exact("started client.yaml from the template of pack 'default'")
    header(child, "Fenwick Engineering", "Sam Jones")
    for fact_id, text in replies:
        answer(child, fact_id, text)
    end = finish(child)
    assert child.exitstatus == 0
    assert (f"Coverage: {TOTAL} of {TOTAL} questions have an answer ({TOTAL - 2} answered, 1 don't know, "
            "1 not applicable); 0 unanswered") in end
    a = maturity.assess(*maturity.load_facts(tmp_path / "client.yaml"))
    assert f"Stage: {a.stage.label} ({a.stage.rank + 1} of {len(a.model.stages)})\r\n" in end
    nxt = maturity.next_dot(a).result
    assert f"Next dot: {nxt.element.label} ({nxt.element.id}), now {nxt.status.label.lower()}\r\n" in end
    assert "Write the report: dots " in end and " client.yaml\r\n" in end
    # The file holds exactly the answers given, with the template's comments kept.
    text = (tmp_path / "client.yaml").read_text("utf-8")
    assert "  name: Fenwick Engineering\n" in text and "  consultant: Sam Jones\n" in text
    assert "# Are the goals of your social recruiting written down?\n  #   A document" in text
    got = yaml.safe_load(text)["facts"]
    want = yaml.safe_load((ROOT / "examples" / "mid-size.yaml").read_text("utf-8"))["facts"]
    want.update({"purpose.owner_named": "dont-know", "engagement.results_feed_plan": "not-applicable"})
    assert got == want


def test_a_wrong_answer_is_said_at_once_and_asked_again(tmp_path, replies):
    child = spawn("client.yaml", cwd=tmp_path)
    header(child)
    answer(child, "employer.size_band", "large")  # about the organisation as a whole, first
    child.expect_exact("(purpose.goals_written)")
    child.expect_exact(PROMPT)
    child.sendline("maybe")
    child.expect_exact("error: 'maybe' is not yes or no\r\n  hint: answer yes or no (y, n); Enter alone "
                       "skips the question; ? records don't know" + PROMPT)
    child.sendline("y")
    answer(child, "purpose.tied_to_hiring_plan", "no")
    child.expect_exact("(purpose.desired_actions)")
    child.expect_exact(PROMPT)
    child.sendline("1, 9")
    child.expect_exact("error: there is no choice 9\r\n  hint: choose 1 to 5" + PROMPT)
    child.sendline("apply, refr")
    child.expect_exact("error: 'refr' is not one of the choices\r\n  hint: did you mean 'Refer someone'?" + PROMPT)
    child.sendline("apply refer")
    child.expect_exact("(purpose.success_metrics)")
    child.expect_exact(PROMPT)
    child.sendline("51")
    child.expect_exact("error: 'purpose.success_metrics' is 51, above its maximum 50" + PROMPT)
    child.sendline("3 +")
    child.expect_exact("note (Enter: none)> ")
    child.sendline("Applicants, hires and cost per hire")
    child.expect_exact("(Enter: none)> ")
    child.sendline("https://example.invalid/plan.pdf; Plan 2026.docx")
    answer(child, "purpose.reviewed_with_results", "quit")
    end = finish(child)
    assert child.exitstatus == 0  # a stopped interview is a finished one (README, exit codes)
    assert "Stopped. Every answer given is saved in client.yaml" in end
    facts = yaml.safe_load((tmp_path / "client.yaml").read_text("utf-8"))["facts"]
    assert {k: v for k, v in facts.items() if v is not None} == {
        "employer.size_band": "large", "purpose.goals_written": True, "purpose.tied_to_hiring_plan": False,
        "purpose.desired_actions": ["apply", "refer"],
        "purpose.success_metrics": {"answer": 3, "note": "Applicants, hires and cost per hire",
                                    "evidence": ["https://example.invalid/plan.pdf", "Plan 2026.docx"]}}


def test_stopped_with_ctrl_c_and_resumed_at_the_first_unanswered_question(tmp_path, replies):
    child = spawn("client.yaml", cwd=tmp_path)
    header(child)
    for fact_id, text in replies[:3]:
        answer(child, fact_id, text)
    child.expect_exact(f"({replies[3][0]})")
    child.expect_exact(PROMPT)
    child.send("half an answ")
    child.sendintr()
    end = finish(child)
    assert child.exitstatus == 0  # a stopped interview is a finished one (README, exit codes)
    assert "Stopped. Every answer given is saved in client.yaml" in end
    assert f"Coverage: 3 of {TOTAL} questions have an answer" in end
    model, org = maturity.load_facts(tmp_path / "client.yaml")  # the header is filled in
    assert sorted(org.answers) == sorted(f for f, _ in replies[:3])

    child = spawn("client.yaml", cwd=tmp_path)
    child.expect_exact("Going on at the first unanswered question (3 answered before it).")
    child.expect_exact(f"[4/{TOTAL}] ")
    for fact_id, text in replies[3:]:
        answer(child, fact_id, text)
    end = finish(child)
    assert f"Coverage: {TOTAL} of {TOTAL} questions have an answer" in end


def test_killed_at_random_points_the_file_is_whole_and_valid(tmp_path, replies):
    rng = random.Random(7)
    done = 0
    for round_ in range(6):
        child = spawn("client.yaml", cwd=tmp_path)
        if round_ == 0:
            child.expect_exact("started client.yaml")
            header(child)
        todo = replies[done:]
        stop = rng.randrange(1, max(2, len(todo)))
        for fact_id, text in todo[:stop]:
            answer(child, fact_id, text)
        # Killed just after an answer was sent (maybe while it is being saved), or while one
        # is being typed.
        if rng.random() < 0.5:
            child.send("ye")
        child.kill(signal.SIGKILL)
        child.close(force=True)
        model, org = maturity.load_facts(tmp_path / "client.yaml", template_ok=True)  # whole, valid
        asked = [f for f, _ in replies]
        # Every answer saved is one that was given, in order, with nothing after a gap.
        given = [f for f in asked if f in org.answers]
        assert given == asked[:len(given)]
        assert done <= len(given) <= done + stop
        done = len(given)
        leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
        for name in leftovers:  # a temporary file of a save cut short, never the file itself
            assert name.startswith(".client.yaml.")
    child = spawn("client.yaml", cwd=tmp_path)
    for fact_id, text in replies[done:]:
        answer(child, fact_id, text)
    assert f"Coverage: {TOTAL} of {TOTAL}" in finish(child)


@pytest.mark.parametrize("from_template", [False, True], ids=["new-file", "template-file"])
def test_enter_never_keeps_a_placeholder(tmp_path, from_template):
    """Enter on the name while it is the template's 'Client name' asks again; on the
    consultant's 'Your name' leaves the consultant out; 'YYYY-MM-DD' becomes today. The file
    is then one every command takes (dots assess refused the placeholders before)."""
    if from_template:  # a template written first, then interviewed: its header is asked too
        assert run(f"{DOTS} facts --template -o client.yaml", tmp_path).returncode == 0
        assert "Client name" in (tmp_path / "client.yaml").read_text("utf-8")
    child = spawn("client.yaml", cwd=tmp_path)
    child.expect_exact("Organisation name> ")
    child.sendline("")
    child.expect_exact("error: 'Client name' is the template's placeholder\r\n"
                       "  hint: type the organisation name\r\nOrganisation name> ")
    child.sendline("Harbour Care Services")
    child.expect_exact("Consultant (Enter: none)> ")
    child.sendline("")
    answer(child, "employer.size_band", "quit")
    finish(child)
    header = yaml.safe_load((tmp_path / "client.yaml").read_text("utf-8"))["organisation"]
    assert header["name"] == "Harbour Care Services" and "consultant" not in header
    assert header["assessed_on"] == str(__import__("datetime").date.today())
    done = run(f"{DOTS} assess client.yaml", tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Harbour Care Services: ")
    # Started again, the header is whole: nothing about it is asked.
    child = spawn("client.yaml", cwd=tmp_path)
    child.expect_exact("(employer.size_band)")
    assert "Organisation name" not in child.before
    child.sendline("quit")
    finish(child)
