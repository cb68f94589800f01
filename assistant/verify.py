"""The citation check between any LLM and the user: an LLM sentence is shown only if its sources bear it out.

`Verifier` reads the model's answer as it streams and keeps a sentence only when:
* every [n] names a source that was given (other markers are removed; a sentence left
  without one is dropped);
* it is supported: at least `settings.support_threshold` of its content words occur in two
  neighbouring sentences of a cited source (its header and words that only frame who spoke
  count too), and every number in it occurs in that source;
* words it puts in quotation marks occur verbatim in the cited statement;
* it presents no one but the cited speaker (or the group it spoke for) as the one who said
  something, however it names them: by name ("China condemned … [1]" with [1] a statement of
  France), capital ("Paris said"), demonym ("the French delegation"), title ("the French
  President", "President Macron" unless the source names him) or possessive ("in France's words");
* it does not reverse its source: an opposite evaluative word ("free" election where the
  source says "sham"), or a negation the source does not have, or lacks one it has;
* each kept [n] is renumbered and becomes a `Citation` whose quote is the best-matching
  sentence of that statement (a verbatim span, reusing a draft citation when it is the same
  sentence).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant import gazetteer
from assistant.models import Citation, Sentence
from assistant.polarity import flip
from assistant.prompt import Source
from assistant.references import Mention, references
from assistant.text import content_words, normalise_for_match
from assistant.text import words as text_words

_NUMBERS = r"(?:sources?\s*)?\d{1,3}(?:\s*(?:,|;|and)\s*(?:sources?\s*)?\d{1,3})*"  # "1", "1, 3", "Source 2"
_MARKER = re.compile(r"\[\s*(" + _NUMBERS + r")\s*\]", re.I)
_MARKERS_AFTER_END = re.compile(r"([.!?][\"'”’)]*)([ \t]*)((?:\[\s*" + _NUMBERS + r"\s*\][ \t]*)+)", re.I)
_BULLET = re.compile(r"^\s*(?:[-*•]+|\d{1,2}[.)])\s+")
_CLAUSE_BREAK = re.compile(r"[;]|,\s*(?:and|but|while|whereas)\b|\b(?:while|whereas)\b", re.I)
_QUOTED = re.compile(r"[\"“”„]([^\"“”„]{3,})[\"“”]")
_ENDED = re.compile(r"(?:[.!?:;]|\])[\"'”’)*_]*\s*$")
_LEAD = re.compile(r"^[\s*_\"“-]*$")
_LABEL_AFTER = re.compile(r"^[*_]*\s*(?:\([^)]{0,80}\)\s*)?[*_]*\s*[:–—]")  # "- **China** (state, p. 12): …"

def _canon(name: str) -> str:
    from assistant.lookalike import fold

    known = gazetteer.canonical_name(name)
    return fold(known[0] if known else name)


@dataclass
class Verdict:
    text: str  # the sentence as the model wrote it
    kept: str | None  # the sentence as shown, with renumbered markers; None when dropped
    reason: str = ""  # why it was dropped


class Verifier:
    """Checks an LLM's answer sentence by sentence as it streams in."""

    def __init__(self, sources: list[Source], corpora, draft_citations=(), threshold: float = 0.5):
        from assistant.understand import speaker_index

        self.sources = {s.n: s for s in sources}
        self.threshold = threshold
        self.speakers = speaker_index(corpora)
        self.draft_citations = {(c.statement_id, c.char_start): c for c in draft_citations}
        self.windows = {s.n: _windows(s) for s in sources}
        self.source_numbers = {s.n: frozenset(w for w in text_words(s.header + " " + s.text) if w[0].isdigit()) for s in sources}
        self.citations: list[Citation] = []
        self.verdicts: list[Verdict] = []
        self.pieces: list[str] = []
        self.seen: set[str] = set()
        self.received = ""
        self._pending = ""

    # ------------------------------------------------------------ streaming

    def feed(self, delta: str) -> list[str]:
        """Add a delta; return the text deltas of the sentences completed and kept so far."""
        self._pending += delta
        self.received += delta
        return self._drain(final=False)

    @property
    def looping(self) -> bool:
        """The model repeats itself (small models do): the rest of the stream is not worth reading."""
        tail = self.received[-40:]
        return len(self.received) >= 240 and len(tail.strip()) >= 10 and self.received.count(tail) >= 3

    def finish(self) -> list[str]:
        return self._drain(final=True)

    @property
    def text(self) -> str:
        return "".join(self.pieces)

    @property
    def counted(self) -> int:
        return len(self.verdicts)

    @property
    def kept(self) -> int:
        return sum(1 for v in self.verdicts if v.kept is not None)

    def _drain(self, final: bool) -> list[str]:
        out = []
        while True:
            text = _MARKERS_AFTER_END.sub(lambda m: f" {m.group(3).strip()}{m.group(1)} ", self._pending)
            spans = _split(text)
            if not spans:
                self._pending = "" if final else text
                return out
            start, end = spans[0]
            if len(spans) == 1 and not final:
                self._pending = text
                return out
            if len(spans) > 1 and not final and not _has_content(text[spans[1][0]:]):
                self._pending = text  # a marker for this sentence may still follow its full stop
                return out
            newline = "\n" in text[:start]
            self._pending = text[end:]
            if final and len(spans) == 1 and not _ENDED.search(text[start:end]):
                continue  # cut off by the token limit: not a sentence
            piece = self._check(text[start:end])
            if piece is not None:
                separator = ("\n" if newline else " ") if self.pieces else ""
                self.pieces.append(separator + piece)
                out.append(separator + piece)

    # ------------------------------------------------------------ one sentence

    def _check(self, sentence: str) -> str | None:
        body = _MARKER.sub(" ", sentence)
        words = set(content_words(_BULLET.sub("", body)))
        if not words:
            return None  # "1." or a stray marker: nothing to check, nothing to show
        key = normalise_for_match(sentence)
        if key in self.seen:
            return None  # a repeat is neither shown nor counted again
        self.seen.add(key)
        verdict = Verdict(sentence, None)
        self.verdicts.append(verdict)
        marked = [int(n) for m in _MARKER.finditer(sentence) for n in re.findall(r"\d+", m.group(1))]
        valid = list(dict.fromkeys(n for n in marked if n in self.sources))
        if not valid:
            verdict.reason = "cites no given source"
            return None
        # Names (of speakers, states, groups) prove nothing: "France supports Belarus" must find "supports".
        names = set(content_words(" ".join(m.text for m in gazetteer.find_names(body))))
        words = (words - names) or words
        best = {n: max(self.windows[n], key=lambda window: len(words & window)) for n in valid}
        cited = [n for n in valid if len(words & best[n]) >= self.threshold / 2 * len(words)]
        union = set().union(*(best[n] for n in cited)) if cited else set()
        if not cited or len(words & union) < self.threshold * len(words):
            verdict.reason = "not supported by its sources"
            return None
        numbers = {w for w in text_words(body) if w[0].isdigit()}
        if numbers - set().union(*(self.source_numbers[n] for n in cited)):
            verdict.reason = "has a number its sources do not"
            return None
        for quoted in _QUOTED.findall(body):
            if len(quoted.split()) >= 3 and not any(
                normalise_for_match(quoted.strip(" .,;:")) in normalise_for_match(self.sources[n].statement.text) for n in cited
            ):
                verdict.reason = "quotes words its source does not contain"
                return None
        wrong = self.wrong_speaker(body, [self.sources[n] for n in cited])
        if wrong:
            verdict.reason = f"attributes words to {wrong}"
            return None
        for n in cited:
            reversal = flip(body, self.passage(n, words), self.sources[n].statement.text)
            if reversal:
                verdict.reason = f"reverses its source: {reversal}"
                return None
        renumbered = {n: self._cite(self.sources[n], words) for n in cited}

        def renumber(match: re.Match) -> str:
            kept = [renumbered[int(n)] for n in re.findall(r"\d+", match.group(1)) if int(n) in renumbered]
            return "".join(f"[{k}]" for k in dict.fromkeys(kept))

        shown = _MARKER.sub(renumber, sentence)
        shown = re.sub(r"[ \t]+([.,;:!?])", r"\1", re.sub(r"[ \t]{2,}", " ", shown)).strip()
        verdict.kept = shown
        return shown

    def wrong_speaker(self, body: str, cited: list[Source]) -> str | None:
        """The first speaker the sentence presents as saying something who is not a cited one, or None."""
        allowed = {_canon(s.statement.speaker) for s in cited} | {_canon(s.statement.on_behalf_of) for s in cited if s.statement.on_behalf_of}
        refs = references()
        countries = frozenset().union(*(refs.countries(s.statement.speaker) | refs.countries(s.statement.on_behalf_of) for s in cited))
        cited_text = " ".join(f"{s.header} {s.statement.text}" for s in cited)
        reported_from = None  # after "France said that …", names belong to what was said
        for start, end, name, mention in self.sayers(body):
            if reported_from is not None and not _CLAUSE_BREAK.search(body[reported_from:start]):
                continue
            if mention is None:
                right = _canon(name) in allowed
            elif mention.person:
                right = refs.is_named(mention.person, cited_text)
            else:
                right = bool(mention.countries & countries)
            if not right:
                return name
            reported_from = end
        return None

    def sayers(self, body: str) -> list[tuple[int, int, str, Mention | None]]:
        """(start, end, name, reference) of whoever the sentence presents as the one who said something, in order.

        Speakers are found by name (the documents' speakers, the gazetteer's states and groups) and by
        reference (capital, demonym, title, possessive: `assistant/references.py`)."""
        found: list[tuple[int, int, str, Mention | None, bool]] = [(s, e, name, None, False) for s, e, name in self.speakers.find(body)]
        for match in gazetteer.find_names(body, ("state", "igo", "group"), ignore_case=False, adjectives=True):
            if not any(s < match.end and match.start < e for s, e, *_ in found):
                found.append((match.start, match.end, match.canonical, None, match.form == "adjective"))
        for mention in references().mentions(body):
            if not any(s < mention.end and mention.start < e for s, e, *_ in found):
                found.append((mention.start, mention.end, mention.text, mention, mention.kind == "demonym"))
        cues = references()
        sayers = []
        for start, end, name, mention, adjective in sorted(found, key=lambda f: (f[0], f[3] is not None)):
            before, after = body[:start], body[end:]
            if adjective and not cues.role_after.match(after):
                continue
            if cues.speaking_after.match(after) or cues.speaking_before.search(before) or cues.voice_after.match(after) or (
                _LEAD.match(_BULLET.sub("", before)) and _LABEL_AFTER.match(after)
            ):
                sayers.append((start, end, name, mention))
        return sayers

    def passage(self, n: int, words: set[str]) -> str:
        """The text of the two neighbouring sentences of source n that best match the sentence's words."""
        sentences = self.sources[n].sentences
        pairs = [a.text + " " + b.text for a, b in zip(sentences, sentences[1:], strict=False)] or [s.text for s in sentences]
        return max(pairs, key=lambda text: len(words & set(content_words(text))))

    def _cite(self, source: Source, words: set[str]) -> int:
        """The number of the citation quoting the source sentence closest to the LLM's sentence."""

        def score(sentence: Sentence):
            return (len(words & set(content_words(sentence.text))), sentence.index in source.cited, -sentence.index)

        best = max(source.sentences, key=score)
        statement = source.statement
        for citation in self.citations:
            if citation.statement_id == statement.statement_id and citation.char_start == best.char_start:
                return citation.n
        n = len(self.citations) + 1
        reused = self.draft_citations.get((statement.statement_id, best.char_start))
        citation = reused.model_copy(update={"n": n}) if reused else Citation(
            n=n, statement_id=statement.statement_id, document_id=statement.document_id, speaker=statement.speaker,
            speaker_type=statement.speaker_type, on_behalf_of=statement.on_behalf_of,
            quote=statement.text[best.char_start:best.char_end], page=best.page,
            char_start=best.char_start, char_end=best.char_end,
        )
        self.citations.append(citation)
        return n


def _windows(source: Source) -> list[frozenset[str]]:
    """What one sentence may draw on: two neighbouring sentences of the source, its header, framing words.

    Support is measured against such a window, not the whole source, so that words picked from
    unrelated sentences ("supports" here, a country name there) do not add up to a claim."""
    base = frozenset(content_words(source.header)) | references().framing_words
    sentences = [frozenset(content_words(s.text)) for s in source.sentences]
    pairs = [a | b for a, b in zip(sentences, sentences[1:], strict=False)] or sentences
    return [base | pair for pair in pairs] or [base]


def _split(text: str) -> list[tuple[int, int]]:
    """Sentence spans, also ending at line breaks (lists, paragraphs)."""
    from assistant.text import sentence_spans

    spans, offset = [], 0
    for line in text.split("\n"):
        spans += [(offset + s, offset + e) for s, e in sentence_spans(line)]
        offset += len(line) + 1
    return spans


def _has_content(text: str) -> bool:
    return bool(re.search(r"[^\W\d_]", _MARKER.sub(" ", text)))
