"""Extract: an article's text in, dated facts out. Pure: no I/O, no database.

    normalize  de-spinning and typography, so later stages see one spelling
    timex      time expressions and durations
    gazetteer  places and companies, resolved to reference data
    mentions   who acts in a sentence
    cues       event verbs, measure nouns, modality and negation
    extract    the orchestration: sentences -> mentions -> cues -> facts
"""
