"""The templates are rendered with ``trim_blocks``: the newline after a block tag is dropped, so a
line that ends in a tag after text, followed by a line that starts with a word, glues two words in
the PDF ("an extra run" + "adds" printed "runadds"). No template may do that."""
import itertools
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = sorted([*(ROOT / "report" / "templates").rglob("*.j2"),
                    *(ROOT / "derivcheck" / "sheets").glob("*/templates/**/*.j2")])
ENDS_IN_TAG_AFTER_TEXT = re.compile(r"[^\s}]\s*(\\BLOCK\{[^}]*\})+\s*$")


def glued_lines(text: str) -> list[int]:
    """Line numbers (1-based) of lines ending in a block tag after text whose next line starts
    with a letter or a digit."""
    lines = text.splitlines()
    return [k + 1 for k, (line, after) in enumerate(itertools.pairwise(lines))
            if ENDS_IN_TAG_AFTER_TEXT.search(line) and re.match(r"[\w(]", after)]


def test_no_template_glues_two_words():
    found = {f"{path.relative_to(ROOT)}:{n}" for path in TEMPLATES for n in glued_lines(path.read_text())}
    assert TEMPLATES and not found, sorted(found)


def test_the_rule_sees_the_fault_it_is_for():
    assert glued_lines("so \\BLOCK{if r}an extra run\\BLOCK{else}this run\\BLOCK{endif}\nadds each") == [1]
    assert glued_lines("so \\BLOCK{if r}an extra run\\BLOCK{endif} adds\neach") == []
    assert glued_lines("\\BLOCK{endif}\nadds") == []
