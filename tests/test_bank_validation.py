"""A bank's content is checked when the bank loads, never against a student's answer (issues 18, 20):
credit weights, unknown laws, recursive and exploding definitions, too many mistakes; each is a
bank error naming the table or key, and ``derivcheck`` exits 2 on it."""
import pytest

from derivcheck.grading.bank import BankError, parse_bank
from derivcheck.grading.limits import BANK

BASE = '''
[[question]]
id = "q1"
variables = { d = "positive_integer", sigma = "positive" }
reference = { formula = "d*sigma^2/2" }
example = "d*sigma^2/2"
model = "m"
MISTAKES

CREDIT

[[model]]
name = "m"
parameters = { d = "positive_integer", sigma = "positive" }
indices = { i = "d" }
random = { w = "normal(0, sigma^2)", z = "LAW" }
define = DEFINE
'''
GOOD_DEFINE = '{ "x_i" = "max(z_i, 0)", y = "sum_{i=1}^{d} w_i x_i" }'


def bank(define=GOOD_DEFINE, law="normal(0, 1)", credit="", mistakes=""):
    return BASE.replace("DEFINE", define).replace("LAW", law).replace("CREDIT", credit).replace("MISTAKES", mistakes)


def test_a_good_bank_loads():
    questions = parse_bank(bank(), "good.toml")
    assert questions["q1"].model.name == "m"


@pytest.mark.parametrize("credit, key", [
    ("[credit]\nfinal = 1.5", "final"),
    ("[credit]\nworking = -0.1", "working"),
    ("[credit]\nper_wrong_step = nan", "per_wrong_step"),
    ("[credit]\nfinal = inf", "final"),
    ('[credit]\nfinal = "half"', "final"),
    ("[credit]\nbonus = 0.5", "bonus"),
    ("[credit]\nfinal = 0.8\nworking = 0.5", "final + working"),
])
def test_credit_weights_outside_0_1_are_a_bank_error_naming_the_key(credit, key):
    with pytest.raises(BankError, match=r"\[credit\] " + key.replace("+", r"\+")):
        parse_bank(bank(credit=credit), "credit.toml")


def test_recursive_definitions_are_refused_at_load():
    with pytest.raises(BankError, match=r"recursive\.toml: model m: recursive definitions \(y -> u -> y\)"):
        parse_bank(bank(define='{ y = "u + 1", u = "2 y" }'), "recursive.toml")
    with pytest.raises(BankError, match="recursive definitions"):
        parse_bank(bank(define='{ "x_i" = "x_i + 1" }'), "recursive.toml")


def test_a_definition_bomb_is_refused_at_load():
    chain = ", ".join(['a0 = "w + z"'] + [f'a{k} = "a{k - 1} * a{k - 1} + a{k - 1}"' for k in range(1, 30)])
    with pytest.raises(BankError, match=f"expands to over {BANK.max_expanded_nodes:,} nodes"):
        parse_bank(bank(define="{ " + chain + " }"), "bomb.toml")
    many = ", ".join(f'c{k} = "w + {k}"' for k in range(BANK.max_definitions + 1))
    with pytest.raises(BankError, match="definitions"):
        parse_bank(bank(define="{ " + many + " }"), "many.toml")


def test_an_unknown_law_is_refused_at_load():
    with pytest.raises(BankError, match=r"law\.toml: model m: random z = 'cauchy\(0, 1\)': unknown law"):
        parse_bank(bank(law="cauchy(0, 1)"), "law.toml")
    with pytest.raises(BankError, match=r"the law is written normal\(mean, variance\)"):
        parse_bank(bank(law="normal(0)"), "law.toml")


def test_thousands_of_mistakes_are_refused_at_load():
    mistakes = "mistakes = [" + ", ".join(f'{{ code = "m{k}", formula = "d*sigma^2 + {k}" }}'
                                          for k in range(3000)) + "]"
    with pytest.raises(BankError, match=f"question q1: 3000 mistakes \\(at most {BANK.max_mistakes}\\)"):
        parse_bank(bank(mistakes=mistakes), "mistakes.toml")


def test_the_command_line_exits_2_naming_the_table(tmp_path, capsys):
    from derivcheck.cli import main

    path = tmp_path / "recursive.toml"
    path.write_text(bank(define='{ y = "u + 1", u = "2 y" }'))
    assert main(["check", "--bank", str(path), "q1", "d*sigma^2/2"]) == 2
    assert "model m: recursive definitions" in capsys.readouterr().err
