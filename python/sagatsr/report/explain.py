"""The sentences a report reader needs: what IC, complexity and the two SR modes mean, how the
selected formula is chosen, and — once, in plain words — why the Julia engine was not used."""

from __future__ import annotations

import re

__all__ = ["GLOSSARY", "SELECTION_SENTENCES", "glossary", "MODE_SENTENCES", "julia_notice"]

GLOSSARY = [
    ("E_p", "the SA-GAT network's prediction of the target. For the rows a formula is fitted on it comes "
            "from a model that did not see that row (out-of-fold), so a formula cannot inherit the "
            "network's over-fitting."),
    ("IC (importance coefficient)", "the weight the network's self-adaptable encoding (SAE) gives a "
            "crystal feature for one material; the weights of a material sum to 1. Features are ranked "
            "by their mean IC over all materials; a feature whose IC varies more than its mean "
            "(std > mean, marked *) has an unstable rank."),
    ("complexity", "the size of a formula: one for every variable, constant and operation in its "
            "expression tree, so larger numbers mean longer formulas."),
    ("MAE", "mean absolute error on the test rows, which no model or formula saw while fitting; every "
            "table and plot uses it."),
]

#: how each engine's selected formula is chosen (``sagatsr.sr.selection``; README "Symbolic regression")
SELECTION_SENTENCES = {
    "sisso": "the simplest of the near-best formulas. A formula is near-best when its error on rows "
             "held out from its fit (cross-validation on the fitting rows), plus a price for how many "
             "candidates the search tried, is within 2× of the lowest and, row by row, not "
             "significantly worse (a paired test, 2 standard errors); a longer formula is chosen only "
             "when it is measurably better. The test rows play no part.",
    "julia": "of the formulas whose error on the fitting rows is within 1.5× of the lowest, the one that "
             "bought the most accuracy per unit of complexity over the next simpler formula (PySR's "
             "'best' rule; formulas whose coefficients are pure numbers go first when they are "
             "near-best). Longer formulas that only shave a little error off are not chosen; the test "
             "rows play no part.",
}


def glossary(backends) -> list[tuple[str, str]]:
    """:data:`GLOSSARY` with the selection rule of each engine in ``backends`` (in that order)."""
    engines = [b for b in dict.fromkeys(backends) if b in SELECTION_SENTENCES]
    rules = [(f"selected formula ({b})" if len(engines) > 1 else "selected formula", SELECTION_SENTENCES[b])
             for b in engines]
    return GLOSSARY[:3] + rules + GLOSSARY[3:]


MODE_SENTENCES = {
    "gnn+features": "E_p plus the top-ranked features (the paper's mode): the formula may lean on the "
                    "network's prediction and correct it with physical features.",
    "features": "The top-ranked features alone, without E_p: the formula has to carry the physics "
                "itself, so it is easier to interpret but usually less accurate.",
}


def _cause(note: str) -> str:
    inner = re.search(r"julia unavailable \((.*)\); used", note)
    text = inner.group(1) if inner else note
    if re.search(r"URLError|Name or service not known|urlopen|download", text):
        return "no Julia is installed on this machine and it could not be downloaded (no network connection)"
    text = re.sub(r"\(?\b[\w.]*(Error|Exception): ", "", text)
    text = re.sub(r"<[^>]*>", "", text).strip()
    # drop only unmatched outer brackets: the cause may end with its own "(... remedy)"
    while text.startswith("(") and text.count("(") > text.count(")"):
        text = text[1:].strip()
    while text.endswith(")") and text.count(")") > text.count("("):
        text = text[:-1].strip()
    return text or "Julia could not start"


def julia_notice(notes) -> str | None:
    """One plain sentence (cause and fix) when the Julia engine was wanted but could not start."""
    for note in notes or []:
        if "julia unavailable" in note.lower() or "julia cannot start" in note.lower():
            return (f"The Julia engine (SymbolicRegression.jl) was not used: {_cause(note)}. The formulas "
                    "come from the embedded SISSO engine, which needs no Julia. To use Julia, "
                    "install Julia 1.10 (or let juliacall download it once, which needs network access) "
                    "and run `sagatsr doctor --julia-timeout 1800`; it says what is still missing.")
    return None
