"""The report's words and numbers, without building it: findings read from the run with their
scope, values guarded before they reach the .tex, signs as a person writes them, mistakes with
one formula listed once, and the verification records shared with grading."""
import jinja2
import pytest
import sympy as sp

from derivcheck import store
from derivcheck.derivations.symbols import d, eps
from derivcheck.report.latex import UnsafeLatex, environment, guard, sig
from derivcheck.report.stages import common, sheet8


def _render(source: str, **values) -> str:
    return environment(jinja2.DictLoader({"t": source})).get_template("t").render(**values)


@pytest.mark.parametrize("payload", [r"\input{/etc/passwd}", r"x \write18{rm -rf ~}", r"\catcode`\^=7",
                                     r"\def\x{1}", r"a^^5cinput{b}", r"\csname input\endcsname", r"\immediate",
                                     r"\openin5=secret", r"\include{a}", r"\end{document}", r"\newcommand\a{}"])
def test_a_tampered_value_cannot_reach_the_tex(payload):
    with pytest.raises(UnsafeLatex):
        _render(r"Value: \VAR{x}", x=payload)
    with pytest.raises(UnsafeLatex):  # also inside a structure a template walks
        _render(r"\BLOCK{for s in steps}\VAR{s.latex}\BLOCK{endfor}", steps=[{"latex": "ok"}, {"latex": payload}])


def test_maths_and_prose_pass_the_guard():
    for text in (r"\frac{d \sigma^{2}}{2}", r"\operatorname{Var}\left[y\right]", r"\mathbb{E}[w_i]", r"\delta_{ij}",
                 r"\left(1 - \varepsilon\right)", r"\textstyle\sum", r"\definecolor", r"\letter", "x^2", 3, 0.5, None):
        assert guard(text) == text
    assert _render(r"$\VAR{x}$", x=r"\frac{1}{2}") == r"$\frac{1}{2}$"


def test_sig_keeps_the_figures_a_measurement_supports():
    assert (sig(1.419044), sig(10.96), sig(0.99767), sig(1.0)) == ("1.42", "11.0", "0.998", "1.00")


def test_a_negative_product_takes_its_sign_into_the_negative_factor():
    at = {"d": 2, "eps": 0.1}
    text = common.formula_latex(sp.log(-(d - 1) * (eps - 1) / eps), at)
    assert r"1 - \varepsilon" in text and r"\varepsilon - 1" not in text and "- (" not in text
    assert common.formula_latex((1 - d) * (eps - 1) / eps, at) == common.formula_latex((d - 1) * (1 - eps) / eps, at)
    assert common.formula_latex(sp.log(d * (1 - eps) / eps), at) == common.formula_latex(sp.log(d * (1 - eps) / eps))


def test_mistakes_with_one_formula_form_one_group():
    groups = common.mistake_groups({"gave_variance": 1.0, "lecun_scale": 1.0, "missing_relu_half": 0.9},
                                {"gave_variance": "a", "lecun_scale": "b", "missing_relu_half": "b"})
    assert groups == [{"codes": ["gave_variance"], "latex": "a", "power": 1.0},
                      {"codes": ["lecun_scale", "missing_relu_half"], "latex": "b", "power": 0.9}]


def test_fit2d_findings_are_read_from_the_sweep():
    def run(depth, width, mse):
        return {"depth": depth, "width": width, "final_mse": mse, "parameters": depth * width}

    sweep = [run(2, 8, 0.044), run(2, 64, 0.041), run(4, 8, 0.0034), run(4, 64, 1e-4), run(6, 8, 0.0035),
             run(6, 64, 5e-5)]
    found = sheet8.fit2d_findings(sweep, steps=1000)
    assert found["widths"] == [8, 64] and found["depths"] == [2, 4, 6] and found["steps"] == 1000
    assert found["shallow"] == {"depth": 2, "best": 0.041, "all_beaten": True}
    assert found["ties"] == [{"width": 8, "errors": [0.0034, 0.0035], "depths": [4, 6]}]
    sweep[1]["final_mse"] = 1e-5  # a shallow run that beats a deeper one: no "every deeper network" claim
    assert sheet8.fit2d_findings(sweep, steps=1000)["shallow"]["all_beaten"] is False


def test_the_report_and_grading_share_one_verification_record(monkeypatch):
    """What the report's verify stage computes is the record grading reads (so `grade` after
    `report` simulates nothing), and a record grading stored is what the report reuses."""
    from derivcheck.grading import evidence
    from derivcheck.simulations import record_name

    lines = []
    first = common.verify_all(["forward_mults"], 0, "cpu", lines.append)
    assert store.read(record_name("forward_mults", 0)) is not None
    assert evidence.missing(["forward_mults"]) == []

    def no_simulation(*args, **kwargs):
        raise AssertionError("simulated again")

    monkeypatch.setattr("derivcheck.simulations.verify", no_simulation)
    monkeypatch.setattr(common, "verify", no_simulation)
    monkeypatch.setattr("derivcheck.simulations.registry.verify", no_simulation)
    assert evidence.verification("forward_mults").passed
    again = common.verify_all(["forward_mults"], 0, "cpu", lines.append)
    assert again == first and lines[-1].endswith("(stored)")


def test_verify_stores_the_record_grading_reads(tmp_path, capsys):
    """`verify` with the default settings on the CPU leaves the claim's one record behind."""
    from derivcheck.cli import main
    from derivcheck.grading import evidence
    from derivcheck.simulations import record_name

    assert main(["verify", "inference_memory", "--device", "cpu", "--quiet", "--json"]) == 0
    assert store.read(record_name("inference_memory", 0)) is not None and evidence.missing(["inference_memory"]) == []
    before = store.read(record_name("training_memory", 0))
    assert main(["verify", "training_memory", "--device", "cpu", "--quiet", "--alpha", "1e-3", "--json"]) == 0
    assert store.read(record_name("training_memory", 0)) == before  # other settings: not the shared record
    capsys.readouterr()


def test_init_findings_claim_no_more_than_the_draws_give():
    """A gain within one spread of the draws' optima is reported as consistent, one farther is not;
    the printed optimum keeps only the decimals at which a rounding unit is at least the spread."""
    optima = {"relu": {"optimum": 1.419, "draws": [1.391, 1.417, 1.434, 1.435]},
              "tanh": {"optimum": 1.314, "draws": [1.300, 1.300, 1.313, 1.346]},
              "identity": {"optimum": 0.9977, "draws": [0.9965, 0.9975, 0.9975, 0.9993]}}
    found = sheet8.init_findings(optima, {"relu": 2 ** 0.5, "tanh": 5 / 3, "identity": 1.0})
    assert found["relu"]["gain_consistent"] and found["identity"]["gain_consistent"]
    assert not found["tanh"]["gain_consistent"]
    assert found["relu"]["decimals"] == 1 and found["tanh"]["decimals"] == 1 and found["identity"]["decimals"] == 2
    assert abs(found["identity"]["spread"] - 0.0028) < 1e-9
    narrow = sheet8.init_findings({"identity": {"optimum": 0.99, "draws": [0.989, 0.991]}}, {"identity": 1.0})
    assert not narrow["identity"]["gain_consistent"]  # 0.01 from the gain, spread 0.002


def test_one_answer_per_activation_printed_everywhere():
    """The answer of Problem 1.3 is made once: PyTorch's gain as the exact number it stands for when
    the draws cannot tell it from the optimum, else the optimum to the decimals the draws support,
    and none where the study recommends no scale."""
    optima = {"relu": {"optimum": 1.419, "draws": [1.391, 1.435]}, "tanh": {"optimum": 1.314, "draws": [1.300, 1.346]},
              "sigmoid": {"optimum": 10.96, "draws": [10.6, 11.9]}}
    gains = {"relu": 2 ** 0.5, "tanh": 5 / 3, "sigmoid": 1.0}
    found = sheet8.init_findings(optima, gains, {"relu": 1.414, "tanh": 1.313, "sigmoid": None})
    assert found["relu"]["answer_latex"] == r"\sqrt{2}" and found["tanh"]["answer_latex"] == r"\approx 1.3"
    assert found["sigmoid"]["answer_latex"] is None and found["tanh"]["gain_latex"] == "5 / 3"


def test_the_search_grid_spacing_is_read_from_the_search():
    """Points 2.5% apart on the fine grid: 25 log-spaced points over 0.25..16, then 15 across two of their intervals."""
    grid = sheet8.search_grid()
    assert grid["coarse_step"] == pytest.approx(64 ** (1 / 24) - 1) and grid["fine_step"] == pytest.approx(
        64 ** (2 / (24 * 14)) - 1)


def test_lecun_factor_is_derived():
    """LeCun's 1/sqrt(d) in the derived Var[y] = d sigma^2 / 2: a factor 1/2 per ReLU layer."""
    assert sheet8.lecun_factor() == {"latex": r"\frac{1}{2}", "value": 0.5}


def test_every_claim_of_the_sheet_has_its_three_blocks():
    """Page 1, the body and the appendix are made from each claim's template blocks, so a claim of
    the sheet without one of them would be missing there."""
    from derivcheck.report.latex import CLAIM_TEMPLATE
    from derivcheck.sheets import sheet

    env = environment(jinja2.PackageLoader("derivcheck.report", "templates"))
    for claim in sheet().claims:
        blocks = env.get_template(CLAIM_TEMPLATE.format(claim=claim)).blocks
        assert {"glance", "body", "appendix"} <= blocks.keys(), claim


def test_a_claim_block_is_rendered_in_the_callers_context_and_guarded():
    templates = {
        "claims/c.tex.j2": r"\BLOCK{block glance}\VAR{label} & $\VAR{d.c}$ (\VAR{claim}) \\" "\n"
                           r"\BLOCK{endblock}\BLOCK{block appendix}\includegraphics{x}\BLOCK{endblock}",
        "main": r"\BLOCK{for claim in claims}\VAR{part(claim, 'glance')}|\VAR{part(claim, 'appendix')}|"
                r"\VAR{part(claim, 'body')}\BLOCK{endfor}",
    }
    env = environment(jinja2.DictLoader(templates))
    out = env.get_template("main").render(claims=["c", "unknown"], label="2.1", d={"c": r"\frac{1}{2}"})
    assert out == r"2.1 & $\frac{1}{2}$ (c) \\|\includegraphics{x}|||"  # a block's own LaTeX is printed as it is
    with pytest.raises(UnsafeLatex):  # but a value inside a block still passes the guard
        env.get_template("main").render(claims=["c"], label=r"\input{/etc/passwd}", d={"c": "1"})


def test_stages_are_named_by_the_sheet_and_keyed_by_it(tmp_path):
    from derivcheck.report.stages import Build, StageError, declared, lookup
    from derivcheck.sheets import sheet

    for name in declared(sheet()):
        assert callable(lookup(name))
    with pytest.raises(StageError, match="unknown report stage"):
        lookup("sheet8.nothing")
    with pytest.raises(StageError, match="unknown report stage"):
        lookup("os.system")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "sheet.toml").write_text('[[question]]\nid = "q"\n')
    keys = {Build(s, 0, "cpu", tmp_path).key("derive", ("derivcheck.derivations",), 1)
            for s in (sheet(), sheet(str(tmp_path / "other")))}
    assert len(keys) == 2


def test_words_come_from_the_sheet(tmp_path):
    """The built-in sheet's words are its sheet.toml's; a sheet without [report] words keeps its
    bank's prompts and gets the generic names."""
    from derivcheck.report.wording import GENERIC, UNNAMED, words
    from derivcheck.sheets import sheet

    said = words()
    assert said.mistake_name("p2.variance", "missing_relu_half")[0] == "Forgetting the ReLU's half"
    assert said.glance("p2.variance") == r"2.1 Variance of $y$" and said.problem_heading("3").startswith("Problem 3")
    for qid in sheet().data["report"]["questions"]:
        assert said.questions[qid][0] and "$" not in said.questions[qid][0]  # titles are words, for screen readers
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "sheet.toml").write_text('[[question]]\nid = "area"\nprompt = "The area $A$."\n')
    plain = words(str(tmp_path / "plain"))
    assert plain.question_words("area", "The area $A$.") == ("The area A.", "The area A.")
    assert plain.mistake_name("area", "sign_flipped") == GENERIC["sign_flipped"]
    assert plain.mistake_name("area", "diameter") == UNNAMED and plain.problem_heading("") == "Questions"


def test_the_digits_run_also_follows_the_sheets_recipe():
    """The offline digits are reported first with the sheet's recipe (no shifted copies, the
    notebook's epochs), on the same test images as the augmented extra run."""
    import torch

    from derivcheck.simulations.exercises import digits

    plain, augmented = digits.load_digits_dataset(augment=False), digits.load_digits_dataset()
    assert plain.epochs == digits.NOTEBOOK["epochs"] and plain.augmented_from is None
    assert augmented.augmented_from == len(plain.train.x) and len(augmented.train.x) == 5 * len(plain.train.x)
    assert torch.equal(plain.test.x, augmented.test.x) and torch.equal(plain.val.y, augmented.val.y)


def test_mistake_labels_write_fractions_with_a_slash():
    """A mistake's formula sits in running text: no small stacked fraction, the same value read as a / b."""
    from derivcheck.report.latex import inline_fractions
    assert inline_fractions(r"\frac{e^{x_{i}}}{\sum_{k=1}^{d} e^{x_{k}}}") \
        == r"{e^{x_{i}}} / {\sum_{k=1}^{d} e^{x_{k}}}"
    assert inline_fractions(
        r"\log{\left(\frac{\left(1 - \varepsilon\right) \left(d - 1\right)}{\varepsilon} \right)}") \
        == r"\log{\left({\left(1 - \varepsilon\right) \left(d - 1\right)} / {\varepsilon} \right)}"
    assert inline_fractions(r"\frac{1 - x}{2 y}") == r"{\left(1 - x\right)} / {\left(2 y\right)}"
    assert inline_fractions(r"\frac{1}{\frac{a}{b + c}}") == r"{1} / {\left({a} / {\left(b + c\right)}\right)}"
    assert r"\frac" not in _render(r"$\VAR{x|inline}$", x=r"\frac{d \sigma^{2}}{2}")


def test_a_mistake_is_written_as_its_questions_answer():
    """Sheet 9's answers are one root, so are its mistakes that are products of roots alone; a mistake with
    another factor keeps it (2 sqrt 3/sqrt d: the 2 is the mistake); sheet 8's answer sqrt 2/sqrt d keeps its
    mistakes as they are."""
    from derivcheck.report.bank import bank
    nine, eight = bank("sheet9"), bank("sheet8")

    def shown(questions, qid, code):
        m = next(m for m in questions[qid].mistakes if m.code == code)
        return common.mistake_latex(questions[qid], code, m.formula, None)
    assert shown(nine, "p2.sigma", "keep_drop_swapped") == r"\sqrt{\frac{2 q}{d}}"
    assert shown(nine, "p1.bound", "width_formula") == r"\frac{2 \sqrt{3}}{\sqrt{d}}"
    assert shown(eight, "p2.sigma", "lecun_scale") == r"\frac{1}{\sqrt{d}}"
