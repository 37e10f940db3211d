"""Self-training data: unlabeled news read by the recognizer, as training sentences.

The network learns from FANE's 2006-era gold sentences; the news it reads names
people, parties and towns those sentences never saw. ``kg train-ner --unlabeled``
therefore trains twice: a first network on the gold corpora (the *teacher*), then
the shipped one on the gold corpora plus the sentences of a slice of unlabeled
news labelled by the full recognizer with that teacher (lexicon, cues, model and
document consistency). The second network so learns, in the gold corpora's
token conventions, the names and contexts the lexicon and the cues know, and
words of today's news it has embeddings for.

Labels follow FANE's conventions where the recognizer can: a nationality
adjective (الروسي) and a title standing for its holder (الرئيس الروسي) are left
outside (O), as FANE leaves them. A sentence with a name mention the recognizer
is unsure of (below :data:`MIN_CONFIDENCE`) is left out, so that an unsure
reading is neither taught as a name nor as no name.
"""

from __future__ import annotations

from typing import Callable, Iterable

from .fane import Sentence
from .io import Article

#: the unlabeled articles read (the first of the folder's files, in name order)
ARTICLES = 1500
#: a sentence with a name mention less sure than this is not used
MIN_CONFIDENCE = 0.7
#: sentences shorter or longer than these (in tokens) are not used: headlines, captions, lists
MIN_TOKENS, MAX_TOKENS = 4, 80


def article_sentences(recognizer, article: Article) -> list[Sentence]:
    """The sentences of one article as tokens with BIO labels of the recognizer's
    name mentions (see the module's notes on what is left out)."""
    doc, mentions = recognizer.recognize(article.content, article.published_date)
    labels = ["O"] * len(doc.tokens)
    unsure = set()
    for m in mentions:
        if not m.is_name:
            continue  # a title standing for a person: FANE marks no name there
        if m.confidence < MIN_CONFIDENCE:
            unsure.add(doc.sent_of_token[m.tok_start])
            continue
        labels[m.tok_start] = "B-" + m.type
        for t in range(m.tok_start + 1, m.tok_end):
            labels[t] = "I-" + m.type
    by_sentence: dict[int, list[int]] = {}
    for t, s in enumerate(doc.sent_of_token):
        by_sentence.setdefault(s, []).append(t)
    out = []
    for s, idx in by_sentence.items():
        if s in unsure or not MIN_TOKENS <= len(idx) <= MAX_TOKENS:
            continue
        out.append(Sentence([doc.tokens[t].text for t in idx], [labels[t] for t in idx]))
    return out


def silver_sentences(articles: Iterable[Article], model, lex=None,
                     progress: Callable[[], None] | None = None) -> list[Sentence]:
    """Training sentences from ``articles``, labelled by the recognizer with
    ``model`` (the teacher). Nationality adjectives are not read as mentions of
    their country (FANE does not annotate them)."""
    from .recognize import Recognizer

    recognizer = Recognizer(lex, model=model, adjectives=False)
    out: list[Sentence] = []
    for article in articles:
        out += article_sentences(recognizer, article)
        if progress:
            progress()
    return out
