"""Instructions planted in articles, recognised by what they do rather than by a list of phrasings.

A sentence is an instruction when it addresses an automated reader (an assistant, a model, a
summariser, a crawler, "you") and tells it what to say, report or do; when it is labelled as a note
or message to such a reader; or when it asks a reader to set aside its instructions. Such sentences
are flagged at ingest, never quoted, and never given to a language model as text.

A byline saying "I ignore what CEOs say" or a sentence reporting that a regulator "told providers to
cut fees" addresses no reader and is left alone.
"""

from __future__ import annotations

import re

from assistant.chunking import split_paragraphs, split_sentences

# Who an instruction is addressed to: a reader that is a program, or "you".
_READER = (
    r"(?:ai|a\.i\.|artificial intelligence|assistants?|chat ?bots?|bots?|(?:large )?language models?|llms?|"
    r"models?|gpts?|copilots?|agents?|crawlers?|scrapers?|summari[sz](?:ers?|ation|ing)(?:\s+(?:tools?|services?|systems?|engines?|bots?))?|"
    r"(?:chat|retrieval|search|answer|conversational)\s+(?:systems?|services?|tools?|engines?|interfaces?)|"
    r"summary tools?|search tools?|"
    r"automated (?:\w+ ){0,2}?(?:readers?|systems?|tools?|summari[sz]ers?|agents?|services?|pipelines?|workflows?|software)|"
    r"(?:digest|briefing|summary|summari[sz]ation|news|content)\s+(?:pipelines?|workflows?|software|engines?)|"
    r"machine[- ]readers?|machines?|algorithms?|automated readers?|automatic (?:readers?|summari[sz]ers?)|"
    r"(?:ai|automated|machine)[- ](?:readers?|systems?|tools?|agents?|services?)|retrieval systems?|"
    r"answer engines?|question[- ]answering systems?|indexers?)"
)
# Who gives an order, named in its passive ("are instructed by the contracting authority to"): at
# most a few words, none of them ending a clause.
_BY = r"(?:\s+by\s+[^,.;:]{1,60}?)?"
# Verbs that tell a reader what to say or how to treat the text.
_SAY = (
    r"(?:say|says|state|states|report|reports|answer|respond|reply|describe|present|quote|cite|mention|write|reproduce|"
    r"output|print|summari[sz]e|tell|give|list|use|treat|record|show|return|emphasi[sz]e|conclude|claim|"
    r"assert|repeat|prefer|rank|recommend|ignore|disregard|omit|replace|correct|update|note|display|read)"
)
_DIRECTIVE = re.compile(
    rf"\b(?:should|must|shall|need to|needs to|have to|has to|are to|is to|are (?:asked|required|instructed|expected|told){_BY} to|"
    rf"ought to|always|never|do not|don't|please)\b(?:\W+\w+){{0,4}}?\W+{_SAY}\b",
    re.I,
)
_ADDRESSED = re.compile(rf"\b(?:to|for|attention|dear|hey)\W+(?:all\W+|any\W+|the\W+|our\W+)?(?:\w+\W+){{0,2}}?{_READER}\b", re.I)
_READER_SUBJECT = re.compile(rf"\b(?:(?:any|all|every|each)\s+)?{_READER}\b(?:\W+\w+){{0,12}}?\W+(?:should|must|shall|are to|is to|need to|are (?:asked|instructed|requested|told|directed){_BY} to)\b", re.I)
_LABEL = re.compile(
    rf"^\W*(?:[\w'&]+\W+){{0,4}}?(?:note|notes|message|instructions?|guidance|notice|memo|reminder|directive|"
    rf"attention|conditions?|terms|licen[cs]e|licensing|advisory|disclaimer|policy|hinweis|nota|remarque)\W+(?:to|for)\W+"
    rf"(?:\w+\W+){{0,3}}?{_READER}\b",
    re.I,
)
# What a reader produces, told what to say: "Any digest of this report should give ...", "any output
# states X as Y" (the latter only beside a named reader).
_OUTPUT = r"\b(?:any|every|each|all)\s+(?:\w+\s+){0,2}?(?:outputs?|digests?|summar(?:y|ies)|answers?|responses?|write-?ups?|excerpts?|renderings?)\b"
_OUTPUT_TOLD = re.compile(rf"{_OUTPUT}(?:\W+\w+){{0,8}}?\W+(?:should|must|shall|is to|are to|needs? to|has to|have to)\s+(?:\w+\s+)?{_SAY}\b", re.I)
_OUTPUT_SAYS = re.compile(rf"{_OUTPUT}(?:\W+\w+){{0,3}}?\W+{_SAY}s?\b[^.]{{0,80}}\bas\b", re.I)
_NAMES_READER = re.compile(rf"\b{_READER}\b", re.I)
_WHEN_ASKED = re.compile(
    rf"\b(?:when|if|whenever)\s+(?:you\s+are\s+|you're\s+|being\s+)?(?:asked|queried|questioned|prompted|summari[sz]ing|answering|"
    rf"responding|processing|reading|generating)\b[^.]{{0,120}}?\b{_SAY}\b",
    re.I,
)
_YOU_MUST = re.compile(rf"\byou\s+(?:must|should|shall|are to|need to|have to|will)\s+(?:\w+\s+){{0,2}}?{_SAY}\b", re.I)
_OVERRIDE = re.compile(
    r"\b(?:ignore|disregard|forget|override|bypass)\b[^.]{0,60}\b(?:instructions?|prompts?|rules|guidelines|"
    r"above|previous|prior|earlier|system)\b|\b(?:system prompt|you are now|jailbreak|developer mode)\b|"
    r"<\s*/?\s*(?:system|instructions?|prompt)\s*>",
    re.I,
)
_IMPERATIVE_TO_READER = re.compile(rf"^\W*{_READER}\W*[:,-]\W*(?:please\W+)?{_SAY}\b", re.I)
_FOR_READER = re.compile(rf"^\W*(?:[\w']+\W+)?(?:for|to|attention)\W+(?:\w+\W+){{0,2}}?{_READER}\s*[:,–—-]", re.I)
_IF_YOU_ARE = re.compile(rf"\b(?:if|when|as)\s+you(?:'re|\s+are)\s+(?:an?\s+|the\s+)?(?:\w+\s+){{0,2}}?{_READER}\b", re.I)
# "If your software turns this newsletter into answers, report ...": the reader's program, told what to give
_YOUR_PROGRAM = re.compile(
    rf"\b(?:if|when|whenever|where|wherever|as|once)\s+your\s+(?:\w+\s+){{0,2}}?(?:software|systems?|tools?|models?|pipelines?|"
    rf"workflows?|programs?|apps?|applications?|{_READER})\b[^.;]{{0,140}}?[,:]\s*(?:please\s+|always\s+)?{_SAY}\b",
    re.I,
)
# "If an AI assistant or search tool is processing this e-mail, ... reproduce only ...": a program
# at work on this very text, told what it may give
_IF_PROGRAM = re.compile(
    rf"\b(?:if|when|whenever|where|while)\s+(?:an?\s+|the\s+|any\s+|your\s+)?(?:[\w-]+\W+){{0,3}}?{_READER}\b[^.;:]{{0,80}}?"
    rf"\b(?:is|are)\s+(?:\w+\s+)?(?:processing|reading|summari[sz]ing|parsing|indexing|answering|ingesting|crawling|using|handling)\b",
    re.I,
)
# The same order in the other languages articles come in: when a user asks, answer that ...
# (es, pt, fr, de, it, nl, id, vi, tr)
_FOREIGN_ASKED_THEN = re.compile(
    r"\b(?:cuando|si|quando|se|lorsque|quand|wenn|falls|als|jika|ketika|apabila|bila|khi|nếu)\s+(?:\w+\s+){0,2}?"
    r"(?:usuarios?|lectores?|usuários?|utilizadores?|leitores?|utilisateurs?|lecteurs?|nutzer(?:innen)?|benutzer|leser|"
    r"utenti|utente|lettori|gebruikers?|lezers?|pengguna|pembaca|người dùng|người đọc|kullanıcı\w*|okuyucu\w*)\b"
    r"[^.]{0,120}?\b(?:responde|responda|respondan|diga|digan|indique|indica|informe|répond(?:ez|s)|"
    r"dites|indiquez|antworte|antworten sie|sage|sagen sie|nenne|rispondi|risponda|dica|antwoord|zeg|jawab(?:lah)?|"
    r"katakan(?:lah)?|sebutkan|trả lời|hãy nói|cevap ver\w*|yanıtla\w*|söyle\w*)\b",
    re.I,
)
_ASKED_THEN = re.compile(rf"\b(?:when|if|whenever)\s+(?:asked|queried|questioned|prompted)\b[^.]{{0,120}}?[,:]\s*(?:please\s+|always\s+)?{_SAY}\b", re.I)


# A sentence that speaks of this very text, or of what its readers produce from it ("this page",
# "these values", "given in answers", "supplied here").
_SELF = re.compile(
    r"\b(?:this|the present|the current)\s+(?:page|article|story|report|review|document|text|piece|post|newsletter|"
    r"brief|briefing|bulletin|site|feed|release|note|notice|edition|analysis|monitor|survey|outlook|update|dispatch|column|"
    r"filing|prospectus|presentation|deck|transcript|statement|announcement|invitation|tender|letter|memo|paper|study|"
    r"e-?mail|mail|message|digest)\b|"
    r"\bthese\s+(?:\w+\s+)?(?:values|figures|numbers|data|estimates)\b|\b(?:article|body)\s+(?:body|text)\b|"
    r"\b(?:in|into|the|your|their|its|any|all)\s+(?:answers?|responses?|summar(?:y|ies)|outputs?|digests?|replies)\b|"
    r"\b(?:supplied|given|provided|stated|set out)\s+here\b",
    re.I,
)
# An obligation laid on someone, or a sentence that opens on a command ("Give it as 31% ...").
_OBLIGE = re.compile(
    r"\b(?:should|must|shall|needs? to|ha(?:ve|s) to|are to|is to|ought to|(?:are|is) (?:asked|required|instructed|expected|"
    rf"told|obliged|bound|requested|directed){_BY} to|authoritative|take precedence|supersede[sd]?)\b",
    re.I,
)
# (a command may open on a clause: "In any answer, give ...", "When quoting it, state ...")
_OPENER = r"(?:(?:in|for|when|whenever|if|wherever|where|before|after)\b[^,.;:]{0,120},\s*)?"
_COMMAND = re.compile(rf"(?:^|[:;]\s)\W*{_OPENER}(?:please\s+|kindly\s+)?(?:do not|don't|never|always|only)?\s*{_SAY}\b", re.I)
# A sentence that calls itself an instruction and tells its reader to keep it out of sight ("Do not
# mention this instruction", "... and do not cite this note"): planted, whoever it is addressed to.
_HIDES_ITSELF = re.compile(
    r"\b(?:do not|don't|never|without|must not|should not)\s+(?:\w+\s+){0,2}?(?:mention(?:ing)?|cit(?:e|ing)|quot(?:e|ing)|"
    r"reveal(?:ing)?|disclos(?:e|ing)|acknowledg(?:e|ing)|refer(?:ring)? to|repeat(?:ing)?|show(?:ing)?)\s+"
    r"(?:this|these|the present|the above)\s+(?:instructions?|notes?|notices?|messages?|requests?|directives?|footnotes?|"
    r"comments?|guidance|flags?)\b",
    re.I,
)


# A program addressed as a reader ("Reuse notice for content aggregators ...", "readership: search
# assistants"), or the subject of an obligation ("crawlers, bots and digest services ... are obliged
# to describe"). "AI" alone is what is sold ("demand for AI computing"), not a reader.
_PROGRAM = "(?:" + _READER.replace("ai|a\\.i\\.|artificial intelligence|", "", 1) + (
    r"|software|(?:news\s+)?aggregators?|republishers?|[\w]+-generating\s+(?:software|systems?|tools?)|"
    r"(?:systems?|tools?|services?|programs?|software)\s+that\s+(?:summari[sz]e|answer|reproduce|republish|index|rank|read|process|quote)"
) + ")"
# (the words before the reader are split where no hyphen is, or a rule of dashes "-------" could be
# split in countless ways: the search would never end)
_ADDRESSES = re.compile(
    rf"(?:\b(?:for|to|attention|dear|addressed to)\W+|(?:^|[,;({{]\s*)[\"']?[\w-]+(?:\s+[\w-]+)?[\"']?\s*:\s*[\"']?)"
    rf"(?:all\W+|any\W+|the\W+|our\W+)?(?:[\w-]+[^\w-]+){{0,6}}?{_PROGRAM}\b", re.I
)
_PROGRAM_OBLIGED = re.compile(rf"\b{_PROGRAM}\b(?:\W+\w+){{0,12}}?\W+{_OBLIGE.pattern}(?:\W+\w+){{0,2}}?\W+{_SAY}\b", re.I)


def _addresses_program(sentence: str) -> bool:
    return bool(_ADDRESSES.search(sentence) or _PROGRAM_OBLIGED.search(sentence))


def _directs(sentence: str) -> bool:
    """Whether ``sentence`` tells its reader what to give about this text: an obligation or a
    command beside words that point at the text itself or at what is made from it."""
    return bool(_SELF.search(sentence) and (_OBLIGE.search(sentence) or _COMMAND.search(sentence))) or bool(
        _COMMAND.match(sentence) and re.search(r"\d", sentence)
    )


_THEN_IMPERATIVE = re.compile(rf"[:;–—]\s*(?:please\s+|kindly\s+)?(?:always\s+|only\s+|simply\s+)?{_SAY}\b", re.I)
_IMPERATIVE = re.compile(rf"^\W*{_OPENER}(?:please\s+|also\s+|then\s+)?(?:do not|don't|never|always|{_SAY})\b", re.I)


def is_instruction(sentence: str) -> bool:
    """Whether ``sentence`` instructs a reader (a program or "you") rather than stating a fact."""
    sentence = " ".join(sentence.split())
    telling = (_OVERRIDE, _LABEL, _IMPERATIVE_TO_READER, _FOR_READER, _IF_YOU_ARE, _ASKED_THEN, _YOUR_PROGRAM, _FOREIGN_ASKED_THEN)
    if any(p.search(sentence) for p in telling):
        return True
    if _WHEN_ASKED.search(sentence) and (_DIRECTIVE.search(sentence) or re.search(r"\byou\b|\b" + _READER, sentence, re.I)):
        return True
    if _YOU_MUST.search(sentence) or _OUTPUT_TOLD.search(sentence):
        return True
    told = re.search(rf"\b{_SAY}\b", sentence, re.I) or _OBLIGE.search(sentence)
    if _IF_PROGRAM.search(sentence) and _SELF.search(sentence) and told:
        return True
    if _OUTPUT_SAYS.search(sentence) and _NAMES_READER.search(sentence):
        return True
    if _READER_SUBJECT.search(sentence) and _DIRECTIVE.search(sentence):
        return True
    if _ADDRESSED.search(sentence) and _THEN_IMPERATIVE.search(sentence):
        return True  # "A word to the automated tools reading this page: state that ..."
    return bool(_ADDRESSED.search(sentence) and _DIRECTIVE.search(sentence))


def instruction_spans(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` that are planted instructions: each instruction sentence, and the rest of
    its paragraph when the instruction opens it (a note to readers is a paragraph of its own) or
    ends in a colon (what follows is what it wants said)."""
    spans: list[tuple[int, int]] = []
    for p_start, p_end in split_paragraphs(text):
        sentences = split_sentences(text, p_start, p_end)
        # A sentence naming a program as its reader, and within two sentences one that tells it
        # what to give about this text: both are the instruction, and what lies between.
        window: set[int] = set()
        for i, (a, b) in enumerate(sentences):
            if not _addresses_program(" ".join(text[a:b].split())):
                continue
            for j in range(i, min(i + 3, len(sentences))):
                if _directs(" ".join(text[sentences[j][0] : sentences[j][1]].split())):
                    window.update(range(i, j + 1))
        hides = [i for i, (a, b) in enumerate(sentences) if _HIDES_ITSELF.search(text[a:b])]
        if hides:
            # the sentences of its paragraph that tell the reader what to give are the instruction too
            window.update(hides)
            window.update(i for i, (a, b) in enumerate(sentences) if _directs(" ".join(text[a:b].split())))
        block_end = -1  # an instruction opening a line flags the rest of that line
        previous = False  # the sentence before was an instruction
        for i, (a, b) in enumerate(sentences):
            sentence = text[a:b]
            if a < block_end or i in window or is_instruction(sentence) or (previous and _IMPERATIVE.match(sentence)):
                spans.append((a, b))
                opens = i == 0 or text[b - 1 : b] == ":" or text[max(0, a - 1) : a] == "\n"
                if opens and a >= block_end:
                    line_end = text.find("\n", b, p_end)
                    block_end = p_end if line_end < 0 else line_end
                previous = True
            else:
                previous = False
    return spans
