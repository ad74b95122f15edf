"""A stand-in for the derivation checker (issue 12) in the self-check page's tests."""
from derivcheck.web.mathml import to_mathml


def stub_derivation(question: str, answer: str) -> dict:
    """A contract-shaped derivation document (docs/interface.md "Derivations") with line 2 wrong."""
    def step(line, read, latex, verdict, status, diagnoses=(), note=""):
        return {"line": line, "read": read, "latex": latex, "verdict": verdict, "status": status,
                "diagnoses": list(diagnoses), "counterexample": None, "alpha": None, "note": note,
                "mathml": to_mathml(latex)}

    steps = [step("Var[y]", "Var(y)", r"\operatorname{Var}\left[y\right]", "start", "start"),
             step("= d sigma^2 E[ReLU(z)^2]", "d*sigma**2*E(Max(0, z)**2)", r"d \sigma^{2} E\left[z^{2}\right]",
                  "ok", "proven"),
             step("= d sigma^2", "d*sigma**2", r"d \sigma^{2}", "wrong", "counterexample", ["missing_relu_half"],
                  "E[ReLU(z)^2] is 1/2, not 1"),
             step("= d sigma^2", "d*sigma**2", r"d \sigma^{2}", "ok", "proven")]
    return {"question": question, "answer": answer, "verdict": "incorrect", "score": 0.0,
            "diagnoses": ["missing_relu_half"], "feedback": "Line 2 is wrong: the ReLU zeroes half of the inputs.",
            "parsed": "d*sigma**2", "latex": r"d \sigma^{2}", "steps": steps, "first_wrong": 2, "elapsed_ms": 1.0}
