"""Invented words for the synthetic generator: names, streets, towns, phrases. No real person or place data.

Phone numbers come from Ofcom's ranges reserved for drama (020 7946 0xxx, 07700 900xxx), email addresses
from the reserved ``example.org`` domain, NHS numbers from the 999 range that is never issued.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "CAF_NEEDS",
    "CAF_STRENGTHS",
    "CAF_SUMMARIES",
    "COMMON_FACTORS",
    "FAMILY_NAMES",
    "GIVEN_NAMES_FEMALE",
    "GIVEN_NAMES_MALE",
    "PRACTITIONER_ROLES",
    "REFERRAL_SOURCES",
    "SHIELDING_REASONS",
    "STREETS",
    "STREET_SUFFIXES",
    "TOWNS",
]

GIVEN_NAMES_FEMALE: Final = (
    "Olivia", "Amelia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Isabella", "Rosie", "Sophia", "Grace",
    "Freya", "Aisha", "Zara", "Maryam", "Chloe", "Ella", "Evie", "Poppy", "Layla", "Hana", "Niamh",
    "Priya", "Amara", "Sienna", "Esme", "Ruby", "Daisy", "Fatima", "Leah",
)  # fmt: skip
GIVEN_NAMES_MALE: Final = (
    "Oliver", "George", "Noah", "Arthur", "Leo", "Muhammad", "Harry", "Oscar", "Archie", "Henry",
    "Theo", "Jack", "Charlie", "Jacob", "Freddie", "Alfie", "Finley", "Ibrahim", "Kai", "Reuben",
    "Tomasz", "Yusuf", "Ethan", "Samuel", "Joshua", "Kofi", "Aarav", "Rory", "Elijah", "Daniel",
)  # fmt: skip
FAMILY_NAMES: Final = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Robinson",
    "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Thomas", "Clarke",
    "Jackson", "Wood", "Harris", "Edwards", "Turner", "Martin", "Cooper", "Hill", "Ward", "Hughes",
    "Khan", "Ahmed", "Okafor", "Mensah", "Nowak", "Kowalski", "O'Brien", "Murphy", "Begum", "Ali",
)  # fmt: skip
STREETS: Final = (
    "Willow", "Station", "Church", "Victoria", "Park", "Mill", "Grove", "Kingsway", "Orchard", "Meadow",
    "Chestnut", "Rose", "Albert", "Queens", "Highfield", "Elm", "Cedar", "Beech", "Hawthorn", "Linden",
)  # fmt: skip
STREET_SUFFIXES: Final = ("Road", "Street", "Avenue", "Close", "Lane", "Gardens", "Way", "Terrace", "Crescent")
TOWNS: Final = ("Northbridge", "Eastholme", "Southmere", "Westcote", "Ashford Vale", "Kingsmoor", "Riverside")
SHIELDING_REASONS: Final = (
    "risk of harm from a family member; address withheld by court order",
    "domestic abuse: family in refuge",
    "police advice: witness protection arrangements",
)
PRACTITIONER_ROLES: Final = {
    "social-care": "social worker",
    "health-visiting": "health visitor",
    "school-nursing": "school nurse",
    "education": "designated safeguarding lead",
    "camhs": "CAMHS practitioner",
    "sexual-health": "sexual health nurse",
    "substance-misuse": "young people's substance misuse worker",
    "early-help": "family support worker",
}
REFERRAL_SOURCES: Final = ("1A", "1C", "2A", "2B", "3A", "3B", "3C", "3E", "5A", "5D", "6", "8", "9")
COMMON_FACTORS: Final = ("1B", "2B", "3B", "4B", "6B", "8B", "10A", "16A", "18B", "19B", "21", "22A", "24A")
CAF_SUMMARIES: Final = {
    "development_of_child": (
        "Meeting most developmental milestones; speech and language slightly behind peers.",
        "Attendance has fallen this term; teachers report the child seems tired and withdrawn.",
        "Good physical health; some difficulty making and keeping friendships.",
    ),
    "parents_and_carers": (
        "Parent is warm and engaged but struggling with routines since a change in work hours.",
        "Carers provide basic care well; boundaries are inconsistent between households.",
        "Parent is managing a long-term health condition and asks for practical help.",
    ),
    "family_and_environment": (
        "Family in temporary accommodation awaiting a housing decision.",
        "Income has dropped; the family is using a local food bank.",
        "Good support from grandparents living nearby; limited access to local activities.",
    ),
}
CAF_STRENGTHS: Final = (
    "Strong relationship with a grandparent",
    "Enjoys football and attends a weekly club",
    "Parent attends all appointments",
    "Settled at school with a trusted teacher",
)
CAF_NEEDS: Final = (
    "Support with speech and language",
    "Help to establish bedtime routines",
    "Advice on housing and benefits",
    "Support to rebuild school attendance",
)
