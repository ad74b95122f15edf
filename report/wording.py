r"""Words for students, one source for the PDF, the self-check page and the notebook: the known
mistakes by human names, the questions' titles and typeset prompts, and the typeset names of the
sheet's parameters.

The grading bank names a mistake by a diagnosis code (``missing_relu_half``) and explains it in
plain text for the grader's feedback; students see it named as a teacher would ("forgetting the
ReLU's half") and explained with typeset maths (``$...$``: LaTeX in the PDF, MathML on the page
and in the notebook). Every mistake of the bank has an entry here (``tests/test_report.py``
checks it), so no code reaches a student. This module imports nothing heavy.
"""
from __future__ import annotations

from typing import Any

#: (question id, diagnosis code) -> (human name, one sentence in LaTeX saying what went wrong).
MISTAKES: dict[tuple[str, str], tuple[str, str]] = {
    ("p2.variance", "missing_relu_half"): (
        "Forgetting the ReLU's half", r"$\mathbb{E}[\mathrm{ReLU}(z)^2] = 1/2$, not 1."),
    ("p2.variance", "used_relu_variance"): (
        "The ReLU's variance in place of its second moment",
        r"the cross terms vanish because $\mathbb{E}[w_i] = 0$, so $\mathbb{E}[x_i^2]$ enters, not "
        r"$\operatorname{Var}[x_i]$."),
    ("p2.variance", "sigma_as_variance"): (
        r"Reading $\mathcal{N}(0, \sigma)$ as variance $\sigma$",
        r"the mistake uses $\mathbb{E}[w_i^2] = \sigma$; in fact $\mathbb{E}[w_i^2] = \sigma^2$."),
    ("p2.variance", "missing_dimension"): (
        "Dropping the sum over the $d$ inputs", r"each of the $d$ terms adds $\sigma^2/2$."),
    ("p2.sigma", "gave_variance"): (
        r"Giving the variance $\sigma^2$ instead of $\sigma$", "the question asks for the standard deviation."),
    ("p2.sigma", "lecun_scale"): (
        "LeCun's scale", r"right for a linear layer; after a ReLU only half the variance survives."),
    ("p2.sigma", "missing_relu_half"): (
        "Forgetting the ReLU's half", r"solving $d\sigma^2 = 1$."),
    ("p3.stable_softmax", "not_stable"): (
        "Not shifting by the maximum", "equal to the softmax, but not stable."),
    ("p3.stable_softmax", "inconsistent_shift"): (
        "Shifting only the numerator", r"it gives $\mathrm{softmax}(x)_i\, e^{-m}$."),
    ("p3.gradient", "sign_flipped"): (
        r"The flipped sign $y - z$",
        r"$y - z$ would say raising the true logit raises the loss, but $\partial L / \partial x_y = z_y - 1 < 0$."),
    ("p3.smoothing_gap", "alt_smoothing_convention"): (
        r"The other smoothing convention, $\varepsilon/(d - 1)$ on the wrong classes only",
        r"PyTorch and the sheet spread $\varepsilon/d$ over all $d$ classes."),
    ("p3.smoothing_gap", "true_class_mass_missed"): (
        r"Forgetting the true class's share $\varepsilon/d$", r"it gets $1 - \varepsilon + \varepsilon/d$."),
    ("p4.forward_mults", "counted_flops"): (
        "Counting FLOPs instead of multiplications", "a multiply and an add per term."),
    ("p4.forward_mults", "missing_batch"): (
        "Forgetting the batch", r"each of the $n$ examples passes every layer."),
    ("p4.training_mults", "counted_flops"): (
        "Counting FLOPs instead of multiplications", "a multiply and an add per term."),
    ("p4.training_mults", "missing_backward_matmul"): (
        "Forgetting one backward matmul", "backward needs the input and the weight gradient."),
    ("p4.inference_memory", "kept_all_activations"): (
        "Keeping every activation", "inference frees each activation once the next layer has read it."),
    ("p4.inference_memory", "missing_weights"): (
        "Forgetting the weights", r"the $L K^2$ weights are stored too."),
    ("p4.training_memory", "freed_activations"): (
        "Freeing activations as in inference", "backward needs every layer's input."),
    ("p4.training_memory", "missing_weights"): (
        "Forgetting the weights", r"the $L K^2$ weights are stored too."),
    # Step mistakes of derivations (the bank's step_mistakes and the checker's generic ones).
    ("p3.gradient", "missing_chain_rule"): (
        "Forgetting the chain rule", r"the derivative of $\log u$ is $u'/u$, not $1/u$."),
    ("p3.gradient", "dropped_one_hot_sum"): (
        r"Replacing $\sum_i y_i \delta_{ij}$ by $\sum_i y_i = 1$",
        r"the sum is $y_j$, which is 0 unless $j$ is the label."),
    # Relations to the reference the grader names when no known mistake matches.
    ("*", "sign_flipped"): ("The sign flipped", "your answer is the negative of the right one."),
    ("*", "constant_factor"): (
        "A constant factor off", "your answer is a constant multiple of the right one: check the constant factors."),
    ("*", "additive_constant"): ("Off by a constant", "your answer differs from the right one by a constant."),
    ("*", "random_equals_number"): (
        "A random quantity set equal to a number", r"the two agree at best in expectation."),
    ("*", "leaked_index"): (
        "An index used outside its sum", r"the line then depends on which entry is meant."),
}

#: What each question's simulation measures, as a phrase for "the simulation measured ...".
MEASURED: dict[str, str] = {
    "p2.variance": r"$\operatorname{Var}[y]$",
    "p2.sigma": r"$\operatorname{Var}[y]$ at your $\sigma$ (the question asks for 1)",
    "p3.unsmoothed_gap": "the gap",
    "p3.smoothing_gap": "the gap at the minimiser found by L-BFGS",
    "p4.forward_mults": "PyTorch's FLOP counter (halved)",
    "p4.training_mults": "PyTorch's FLOP counter (halved)",
    "p4.inference_memory": "the measured peak (weights plus live activations)",
    "p4.training_memory": "the measured count (weights plus what autograd saves)",
}

#: Other right answers (a derivation's variants), as a phrase for "Also right, ...".
VARIANTS: dict[str, str] = {
    "no_input_grad": "exactly, when the network's input needs no gradient",
    "with_input": r"counting every activation $a_0, \dots, a_L$",
    "with_weight_gradients": "counting the weight gradients too (the official solution's answer)",
}

#: Each question of the sheet's bank: a title in words (no maths: it names the question for screen
#: readers too) and the prompt with typeset maths.
QUESTIONS: dict[str, tuple[str, str]] = {
    "p2.variance": ("The variance of a ReLU layer's output",
                    r"$\operatorname{Var}[y]$ for $y = w^\top \mathrm{ReLU}(z)$ with $z, w \in \mathbb{R}^d$, "
                    r"$z_i \sim \mathcal{N}(0, 1)$, $w_i \sim \mathcal{N}(0, \sigma^2)$, all independent."),
    "p2.sigma": ("The weight scale that keeps the variance at one",
                 r"The standard deviation $\sigma$ of the weights that gives $\operatorname{Var}[y] = 1$, as a "
                 r"function of $d$."),
    "p3.stable_softmax": ("A softmax that never overflows",
                          r"Write $z_i = \mathrm{softmax}(x)_i$ so that $\exp$ never receives a positive argument."),
    "p3.gradient": ("The gradient of the cross-entropy",
                    r"The gradient $\partial L / \partial x$ of $L = -\sum_i y_i \log z_i$, where "
                    r"$z = \mathrm{softmax}(x)$ and $y$ is one-hot."),
    "p3.unsmoothed_gap": ("The best logit gap without label smoothing",
                          r"The optimal gap $x_y - x_j$ ($j \ne y$) of the cross-entropy with a one-hot $y$."),
    "p3.smoothing_gap": ("The best logit gap with label smoothing",
                         r"The optimal gap $x_y - x_j$ ($j \ne y$) for the smoothed target "
                         r"$\hat y = (1 - \varepsilon) y + \varepsilon / d$ ($\log$ is the natural logarithm)."),
    "p4.forward_mults": ("Multiplications of a forward pass",
                         r"Multiplications in the forward pass of $L$ layers of width $K$ on an $n \times K$ "
                         r"minibatch (matrix products only)."),
    "p4.training_mults": ("Multiplications of a training step",
                          "Multiplications in a forward and a backward pass (a training step) of the same network."),
    "p4.inference_memory": ("Memory for inference", "Numbers stored during inference (weights and activations)."),
    "p4.training_memory": ("Memory for training",
                           "Numbers stored for training (weights and the activations the backward pass needs)."),
}

#: Typeset names of the sheet's parameters, for "at d = 64, sigma = 0.5".
PARAMETERS: dict[str, str] = {"sigma": r"\sigma", "eps": r"\varepsilon"}


def mistake_name(question: str, code: str) -> tuple[str, str]:
    """(human name, explanation) of a known mistake; a generic pair for one not listed."""
    return MISTAKES.get((question, code)) or MISTAKES.get(("*", code), ("Another known mistake", ""))


def question_words(question: str, prompt: str = "") -> tuple[str, str]:
    """(title, prompt with ``$...$`` maths) of a question; a question of another bank keeps its own
    prompt (plain text, no maths markup) and is titled by it."""
    if question in QUESTIONS:
        return QUESTIONS[question]
    plain = prompt.replace("$", "")
    return (plain if len(plain) <= 60 else plain[:57].rsplit(" ", 1)[0] + " ..."), plain


def at_point(at: dict[str, Any], digits: int = 4) -> str:
    """A parameter point in LaTeX: ``$d = 64$, $\\sigma = 0.5$``."""
    from .latex import num

    return ", ".join(f"${PARAMETERS.get(k, k)} = {num(v, digits)}$" for k, v in at.items())
