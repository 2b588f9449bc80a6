"""The words and tables metric recognition reads numbers with (stage 1's vocabulary).

Scales, currencies, duration and size units, periods, the nouns that make a
bare number a count, and the names after which a number is a version or an id.
Pure data: :mod:`brag.impact.metrics` compiles its regular expressions from it.
"""

from __future__ import annotations

_SCALES = {
    "k": 1e3, "thousand": 1e3, "m": 1e6, "mm": 1e6, "mn": 1e6, "million": 1e6,
    "b": 1e9, "bn": 1e9, "billion": 1e9, "t": 1e12, "tn": 1e12, "trillion": 1e12,
}  # fmt: skip

_WORD_NUMBERS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "a dozen": 12, "dozen": 12, "a hundred": 100,
}  # fmt: skip

_CURRENCIES = {
    "$": "$", "us$": "$", "usd": "$", "dollar": "$", "dollars": "$", "bucks": "$", "€": "€",
    "eur": "€", "euro": "€", "euros": "€", "£": "£", "gbp": "£", "pound": "£", "pounds": "£",
    "pounds sterling": "£", "quid": "£", "¥": "¥", "jpy": "¥", "₹": "₹", "inr": "₹", "a$": "A$",
    "au$": "A$", "c$": "C$", "ca$": "C$",
}  # fmt: skip

# (canonical unit, seconds per unit, spellings matched case-insensitively)
_DURATIONS = (
    ("ns", 1e-9, ("ns", "nanosecond", "nanoseconds")),
    ("µs", 1e-6, ("µs", "μs", "us", "microsecond", "microseconds")),
    ("ms", 1e-3, ("ms", "msec", "msecs", "millisecond", "milliseconds")),
    ("s", 1.0, ("s", "sec", "secs", "second", "seconds")),
    ("min", 60.0, ("m", "min", "mins", "minute", "minutes")),
    ("h", 3600.0, ("h", "hr", "hrs", "hour", "hours")),
    ("day", 86400.0, ("d", "day", "days")),
    ("week", 604800.0, ("wk", "wks", "week", "weeks")),
    ("month", 2629800.0, ("mo", "mos", "month", "months")),
    ("year", 31557600.0, ("yr", "yrs", "year", "years")),
)

_DURATION_BY_SPELLING = {s: (unit, secs) for unit, secs, spellings in _DURATIONS for s in spellings}

_SIZES = {"B": 1.0, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12, "PB": 1e15}

_SIZES.update({"KIB": 2.0**10, "MIB": 2.0**20, "GIB": 2.0**30, "TIB": 2.0**40, "PIB": 2.0**50})

_SIZE_WORDS = {"byte": "B", "kilobyte": "KB", "megabyte": "MB", "gigabyte": "GB", "terabyte": "TB"}

_PERIODS = {
    "second": "second", "sec": "second", "s": "second", "minute": "minute", "min": "minute",
    "hour": "hour", "hr": "hour", "h": "hour", "day": "day", "d": "day", "daily": "day",
    "week": "week", "wk": "week", "weekly": "week", "month": "month", "mo": "month",
    "monthly": "month", "mrr": "month", "quarter": "quarter", "qtr": "quarter",
    "quarterly": "quarter", "year": "year", "yr": "year", "annum": "year", "annually": "year",
    "yearly": "year", "per annum": "year", "arr": "year",
}  # fmt: skip

# Nouns that make a bare number a count worth reporting ("12 teams"). Phrases
# come first so "40 test cases" is read whole rather than as "40 test".
_COUNT_NOUNS = (
    r"business units?", r"data ?cent(?:er|re)s?", r"design docs?", r"direct reports?",
    r"feature flags?", r"lines of code", r"merge requests?", r"new hires?", r"page ?views?",
    r"pull requests?", r"support tickets?", r"test cases?", r"teams?", r"squads?", r"orgs?",
    r"organi[sz]ations?", r"departments?", r"divisions?", r"compan(?:y|ies)", r"customers?",
    r"clients?", r"users?", r"members?", r"subscribers?", r"merchants?", r"sellers?", r"buyers?",
    r"partners?", r"tenants?", r"accounts?", r"stores?", r"shops?", r"sites?", r"markets?",
    r"countr(?:y|ies)", r"regions?", r"languages?", r"locales?", r"engineers?", r"developers?",
    r"devs?", r"designers?", r"people", r"persons?", r"folks", r"employees?", r"staff", r"hires?",
    r"interns?", r"mentees?", r"candidates?", r"interviews?", r"students?", r"attendees?",
    r"contributors?", r"maintainers?", r"reviewers?", r"teammates?", r"colleagues?", r"reports?",
    r"services?", r"microservices?", r"repos?", r"repositor(?:y|ies)", r"apps?", r"applications?",
    r"endpoints?", r"APIs?", r"librar(?:y|ies)", r"packages?", r"dependenc(?:y|ies)", r"modules?",
    r"components?", r"systems?", r"databases?", r"DBs?", r"tables?", r"clusters?", r"nodes?",
    r"servers?", r"hosts?", r"machines?", r"instances?", r"VMs?", r"containers?", r"pods?",
    r"tests?", r"checks?", r"jobs?", r"pipelines?", r"builds?", r"deploys?", r"deployments?",
    r"releases?", r"features?", r"flags?", r"experiments?", r"bugs?", r"defects?", r"incidents?",
    r"outages?", r"alerts?", r"pages?", r"tickets?", r"issues?", r"escalations?",
    r"vulnerabilit(?:y|ies)", r"CVEs?", r"findings?", r"PRs?", r"MRs?", r"commits?", r"lines?",
    r"LOC", r"files?", r"docs?", r"documents?", r"RFCs?", r"runbooks?", r"playbooks?",
    r"dashboards?", r"quer(?:y|ies)", r"requests?", r"calls?", r"transactions?", r"orders?",
    r"events?", r"messages?", r"records?", r"rows?", r"sign-?ups?", r"installs?", r"downloads?",
    r"sessions?", r"visits?", r"projects?", r"products?", r"workflows?", r"integrations?",
    r"migrations?", r"sprints?", r"screens?", r"talks?", r"workshops?", r"courses?", r"posts?",
    r"articles?", r"patents?", r"papers?", r"crash(?:es)?", r"errors?", r"exceptions?",
    r"failures?", r"warnings?", r"tasks?", r"steps?", r"clicks?", r"seats?", r"licen[cs]es?",
    r"contracts?", r"deals?", r"leads?", r"trials?", r"renewals?", r"upgrades?", r"regressions?",
    r"points?",
)  # fmt: skip

# Words that may not sit between a number and its noun: up to two adjectives
# may ("40 flaky tests", "12 product teams"), but "3 days of tests" or "5 to
# our teams" must not be read as counts of tests or teams.
_STOP_WORDS = (
    "of to and or in on at for per from by with the a an than over under into across via vs "
    "each every which that this these those is are was were be been it its our my their his "
    "her we i they you after before during while when where so but not no as plus out up down "
    "ago later earlier since until times percent x"
).split()

_MONTHS = (
    r"(?:(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?|May)"
)

# Words after which a number is a version ("Python 3.11", "Node 18") ...
_VERSIONED_NAMES = frozenset(
    """
    python py node nodejs node.js java jdk openjdk golang ruby rails php perl rust rustc scala
    kotlin swift ios ipados android macos ubuntu debian centos rhel fedora alpine windows
    postgres postgresql mysql mariadb redis mongo mongodb elasticsearch opensearch kafka spark
    hadoop cassandra react angular vue django flask fastapi spring boot dotnet .net gcc clang llvm
    terraform kubernetes k8s helm docker tls ssl oauth webpack typescript ecmascript jquery
    bootstrap openssl log4j chrome firefox safari gradle maven npm yarn pip electron unity unreal
    pydantic numpy pandas sqlalchemy celery nginx envoy istio linux kernel version versions
    release releases
    """.split()
)

# ... or, only with a dotted number, ambiguous words ("Go 1.22", but "go 3 times").
_DOTTED_VERSION_NAMES = frozenset("go es ts ie api http".split())

# ... or an identifier: "PR 4521", "sprint 14", "pull request 77", "sev 1".
_ID_NAMES = frozenset(
    """
    pr prs mr mrs issue issues ticket tickets cve rfc inc sprint sprints phase phases milestone
    milestones chapter chapters section sections round rounds iteration iterations story stories
    epic epics cl changelist changelists jira sev severity tier level priority grade stage request
    requests
    """.split()
)

_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"

_PERIOD_WORDS = (
    r"(?i:year|yr|annum|month|mo|quarter|qtr|week|wk|day|d|hour|hr|h|minute|min|second|sec|s|"
    r"user|seat|customer|engineer|developer|dev|request|run|build|deploy|release|sprint)"
)

_PERIOD = (
    rf"(?P<period>\s?/\s?(?P<p1>{_PERIOD_WORDS})"
    rf"|\s+(?i:per|a|an|each|every)\s+(?P<p2>{_PERIOD_WORDS})"
    r"|\s+(?P<p3>(?i:annually|yearly|per\s+annum|monthly|quarterly|weekly|daily)|ARR|MRR))"
)

# (word stem, multiplier, relative change): "doubled" is 2x, up 100%.
_WORD_MULTIPLIERS: tuple[tuple[str, float, float | None], ...] = (
    ("doubl", 2.0, 1.0),
    ("tripl", 3.0, 2.0),
    ("quadrupl", 4.0, 3.0),
    ("halv", 0.5, -0.5),
    ("cut", 0.5, -0.5),
    ("by", 0.5, -0.5),  # "reduced pages by half"
    ("an", 10.0, None),  # "an order of magnitude": the direction is in the sentence
)
