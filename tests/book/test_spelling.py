"""American English everywhere: the audience is US campaigns ("program", "organizer", "color")."""

from __future__ import annotations

import re
import subprocess

import pytest
from book_support import REPO

#: British form (a regular expression, matched as a whole word, any case) -> the American one.
BRITISH = {
    r"organis(e|es|ed|ing|er|ers|ation|ations|ational)": "organiz...",
    r"(standard|summar|analy|recogn|categor|priorit|optim|minim|maxim|normal|custom|visual|"
    r"initial|author|util|memor|apolog|critic|final|special|general|familiar|real|vectori|"
    r"canonical|serial|character)is(e|es|ed|ing|ation|ations)": "-ize, -ization",
    r"analys(e|ed|ing)": "analyze",  # not "analyses", which is also the American plural noun
    r"(colour|flavour|favour|honour|labour|neighbour|behaviour|humour|harbour|rumour|vapour)"
    r"(s|ed|ing|ite|ites|able|hood|hoods|ly|ful|less)?": "-or",
    r"programmes?": "program",
    r"(centre|metre|litre|theatre|fibre)s?": "-er",
    r"catalogues?": "catalog",
    r"(travell|cancell|modell|labell|signall|fuell|counsell)(ed|ing|er|ers)": "single l",
    r"grey|greys|greyscale": "gray",
    r"(licence|defence|offence|pretence)s?": "-se",
    r"practis(e|es|ed|ing)": "practice (the verb too)",
    r"(misspelt|spelt|learnt|dreamt|burnt|spoilt)": "-ed",
    r"(whilst|amongst|amidst)": "while, among, amid",
    r"maths|ageing|enrol|enrols|fulfil|fulfils": "math, aging, enroll, fulfill",
    r"judgement|enrolment|fulfilment|instalment": "judgment, enrollment, ...",
    r"cheques?|kerbs?|tyres?|aluminium|artefacts?|sceptic\w*|manoeuvr\w*": "the US form",
}
PATTERN = re.compile(r"\b(" + "|".join(f"(?:{p})" for p in BRITISH) + r")\b", re.I)
SUFFIXES = (".md", ".yml", ".yaml", ".py", ".ipynb", ".toml", ".cff", ".cfg", ".txt", ".html")
SKIP = {"requirements-lock.txt", "environment.yml", "tests/book/test_spelling.py"}


def sources() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [
        name
        for name in out
        if name.endswith(SUFFIXES) and name not in SKIP and (REPO / name).exists()
    ]


def british_words(text: str) -> list[str]:
    return [m.group(0) for m in PATTERN.finditer(text)]


@pytest.mark.parametrize(
    "text, found",
    [
        ("Organisers summarise the colour of each programme.", 4),
        ("Organizers summarize the color of each program.", 0),
        ("A neighbour's favourite grey catalogue, misspelt.", 5),
        ("The analyses were vectorized; standardize it.", 0),
    ],
)
def test_the_list_catches_british_forms(text, found):
    assert len(british_words(text)) == found, british_words(text)


def test_the_sources_use_american_spelling():
    files = sources()
    assert len(files) > 50, f"only {len(files)} source files found"
    found = []
    for name in files:
        for number, line in enumerate((REPO / name).read_text(encoding="utf-8").splitlines(), 1):
            for word in british_words(line):
                found.append(f"{name}:{number}: {word}")
    assert not found, "British spellings (write American English):\n" + "\n".join(found)
