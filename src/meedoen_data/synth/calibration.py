"""Target figures the generator is calibrated to, each with its published source.

docs/synth.md lists the same figures for readers; tests check that generated populations fall
inside the documented ranges. Shares are national unless stated otherwise.
"""

from __future__ import annotations

# --- Households (CBS StatLine 37975 and 37620, 1 January 2024) ---------------------------------
# 8,374,404 private households: 3,340,560 one-person (39.9%); multi-person without children
# 2,385,910 (28.5%); with children 2,647,934 (31.6%), of which one-parent 610,633 (7.3% of all,
# 2023, StatLine 71487ned). Persons: 17,942,942, of whom 289,176 (1.6%) in institutions.
HOUSEHOLD_TYPE_SHARES: dict[str, float] = {
    "eenpersoons": 0.399,
    "paar_zonder_kinderen": 0.276,
    "paar_met_kinderen": 0.243,
    "eenouder": 0.073,
    "overig": 0.009,
}
INSTITUTIONAL_PERSON_SHARE = 0.016
# Couples: 72% of couples without children and 77% with children are married or registered
# partners (StatLine 37620, 2024: 3,375,340 / 4,677,716 and 3,120,520 / 4,059,756 persons).
MARRIED_SHARE_NO_CHILDREN = 0.72
MARRIED_SHARE_WITH_CHILDREN = 0.77
# About one in twenty formalised unions is a registered partnership rather than a marriage.
REGISTERED_PARTNERSHIP_SHARE = 0.05
# Children per family (StatLine 71487ned, 2023): couples 1 child 38%, 2 children 44%, 3+ 18%;
# one-parent families 1 child 62%, 2 children 29%, 3+ 10%.
CHILDREN_COUPLE = ((1, 0.38), (2, 0.44), (3, 0.14), (4, 0.04))
CHILDREN_ONE_PARENT = ((1, 0.62), (2, 0.29), (3, 0.08), (4, 0.02))
# Mean age of mothers at first birth about 30 (CBS 2023: 30.3).
MOTHER_AGE_FIRST_BIRTH = (30.3, 4.5)
ONE_PARENT_MOTHER_SHARE = 0.80
SAME_SEX_COUPLE_SHARE = 0.015
STEPFAMILY_SHARE = 0.08

# --- Youth care (CBS Jeugdmonitor 2024, 2023 figures) ------------------------------------------
# 474k of young people under 23 (10.6%) received youth care; 447k help without residence, 41k
# with residence, 36k youth protection, 8k youth probation (overlapping).
YOUTH_CARE_SHARE_UNDER_23 = 0.106
YOUTH_CARE_KIND_SHARES: dict[str, float] = {
    "zonder_verblijf": 447 / 474,
    "met_verblijf": 41 / 474,
    "jeugdbescherming": 36 / 474,
    "jeugdreclassering": 8 / 474,
}
# Referrers (COD327) of youth help: gemeentelijke toegang and huisarts are the largest (CBS
# Beleidsinformatie Jeugd, "jeugdhulptrajecten naar verwijzer"); shares approximate.
YOUTH_REFERRER_SHARES: dict[str, float] = {
    "01": 0.38,  # gemeente
    "02": 0.30,  # huisarts
    "03": 0.04,  # jeugdarts
    "04": 0.07,  # gecertificeerde instelling
    "05": 0.10,  # medisch specialist
    "06": 0.09,  # zelfverwijzer / geen verwijzer
    "08": 0.02,  # rechter, Raad voor de Kinderbescherming, OvJ
}

# --- Wmo (CBS Monitor Sociaal Domein Wmo; about 1.1 million users, 6% of residents) -----------
# Use rises steeply with age; approximate shares of residents with a Wmo maatwerkvoorziening.
WMO_SHARE_BY_AGE: tuple[tuple[int, float], ...] = (
    (0, 0.004),
    (18, 0.025),
    (65, 0.08),
    (75, 0.22),
    (85, 0.50),
)

# --- Income support and debt (CBS; approximations, national) -----------------------------------
# About 415 thousand bijstand benefits (Participatiewet) on about 8.4 million households.
BIJSTAND_HOUSEHOLD_SHARE = 0.045
IOAW_HOUSEHOLD_SHARE = 0.002
IOAZ_HOUSEHOLD_SHARE = 0.0003
BIJZONDERE_BIJSTAND_HOUSEHOLD_SHARE = 0.03
# Debt help: about 1% of households start a trajectory a year (NVVK); five-year window.
SCHULDHULP_HOUSEHOLD_SHARE_5Y = 0.04
# Early-warning signals (Wgs): a few per cent of households a year.
VROEGSIGNAAL_HOUSEHOLD_SHARE = 0.05
VROEGSIGNAAL_PARTNER_SHARES: dict[str, float] = {
    "ZORGVERZEKERAAR": 0.35,
    "HUUR": 0.25,
    "ENERGIE": 0.24,
    "WATER": 0.14,
    "CAK": 0.02,
}

# --- CBS-style background variables -----------------------------------------------------------
# Education of 25-64-year-olds (CBS 2024): low about 20%, middle 38%, high 42%; older cohorts
# lower. Migration background about 73% none, 11% western, 16% non-western.
EDUCATION_SHARES_BY_AGE: tuple[tuple[int, tuple[float, float, float]], ...] = (
    (15, (0.30, 0.45, 0.25)),
    (25, (0.15, 0.38, 0.47)),
    (45, (0.22, 0.38, 0.40)),
    (65, (0.35, 0.38, 0.27)),
)
MIGRATION_ORIGIN_SHARES: dict[str, float] = {
    "nl": 0.73,
    "west": 0.07,
    "polish": 0.02,
    "indonesian": 0.02,
    "turkish": 0.045,
    "moroccan": 0.045,
    "surinamese": 0.035,
    "syrian": 0.035,
}
# Tenure (CBS 2022): owner-occupied 57%, social rent 29%, private rent 14%.
TENURE_SHARES = (("koop", 0.57), ("huur_corporatie", 0.29), ("huur_overig", 0.14))
# Rent allowance: about 1.4 million households (17%).
HUURTOESLAG_HOUSEHOLD_SHARE = 0.17
# WW about 2% and AO (WIA/WAO/Wajong) about 6% of 18-66-year-olds.
WW_SHARE = 0.02
AO_SHARE = 0.06
# Median disposable household income about 46 thousand euro (CBS 2023).
MEDIAN_INCOME = 46_000

# --- Food bank (Smart Start pilot, Gilze en Rijen; shared/context) ----------------------------
# 191 of 11,346 households (1.7%) were clients; 13% for less than six months, 55% over a year.
FOODBANK_HOUSEHOLD_SHARE = 0.017
FOODBANK_DURATION_SHARES = (("lt6m", 0.13), ("6to12m", 0.32), ("gt12m", 0.55))
# Five clusters with their sizes in the study.
FOODBANK_PROFILES: dict[str, int] = {
    "paar_zonder_uitkering": 35,
    "paar_met_ww_en_jeugdzorg": 38,
    "jong_eenouder_bijstand": 26,
    "huishouden_met_wmo": 30,
    "eenpersoons_bijstand": 62,
}

# --- Municipalities -------------------------------------------------------------------------
# Gilze en Rijen: 11,346 households (study above); at the national mean household size and
# institutional share this is about 24,300 residents.
DEFAULT_PERSONS: dict[str, int] = {"GM0784": 24_300}
FALLBACK_PERSONS = 24_300
