"""Hypothesis strategies for child records of every shape the rules judge."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import strategies as st

from gateway.codes import DFE_ETHNICITY

__all__ = ["records"]

dates = (
    st.none()
    | st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31))
    | st.sampled_from([date.min, date(1, 1, 5), date(9999, 12, 20), date.max])  # a schema allows any year
)
flags = st.none() | st.booleans()
episode_ids = st.sampled_from([None, "E1", "E2", "E9"])


def _optional(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional=fields)


children = _optional(
    local_ids=st.lists(
        st.fixed_dictionaries({"la_code": st.sampled_from(["201", "999"]), "la_child_id": st.text(max_size=25)}),
        max_size=2,
    ),
    nhs_number=st.text(max_size=12),
    upn=st.text(alphabet="AXQ0123456789", max_size=14),
    former_upns=st.lists(st.text(max_size=14), max_size=2),
    upn_unknown_reason=st.sampled_from(["UN1", "UN7", "UN9"]),
    birth_date=dates,
    expected_birth_date=dates,
    death_date=dates,
    sex=st.sampled_from(["M", "F", "U"]),
    disabilities=st.lists(st.sampled_from(["NONE", "HAND", "HEAR", "XX"]), max_size=3),
    ethnicity=st.fixed_dictionaries(
        {"system": st.just(DFE_ETHNICITY), "code": st.sampled_from(["WBRI", "REFU", "XXXX"])}
    ),
    shielded=st.booleans(),
)
records = st.fixed_dictionaries(
    {"child": children},
    optional={
        "cin_episodes": st.lists(
            st.fixed_dictionaries(
                {"episode_id": st.sampled_from(["E1", "E2"])},
                optional={
                    "referral_date": dates,
                    "closure_date": dates,
                    "closure_reason": st.sampled_from(["RC1", "RC2", "RC8", "RC9", "RCX"]),
                    "referral_nfa": flags,
                    "primary_need": st.sampled_from(["N1", "N0", "NX"]),
                    "referral_source": st.sampled_from(["1A", "5D", "9", "X"]),
                    "initial_cp_conference_date": dates,
                },
            ),
            max_size=3,
        ),
        "assessments": st.lists(
            st.fixed_dictionaries(
                {"assessment_id": st.just("A"), "episode_id": episode_ids},
                optional={
                    "kind": st.sampled_from(["initial", "core", "single", "other"]),
                    "start_date": dates,
                    "completed_date": dates,
                    "authorised_date": dates,
                    "internal_review_date": dates,
                    "child_seen_dates": st.lists(st.dates(), max_size=2),
                    "child_seen_known": st.booleans(),
                    "factors": st.lists(st.sampled_from(["21", "1A", "18A", "ZZ"]), max_size=3),
                },
            ),
            max_size=3,
        ),
        "section47_enquiries": st.lists(
            st.fixed_dictionaries(
                {"enquiry_id": st.just("S"), "episode_id": episode_ids},
                optional={
                    "start_date": dates,
                    "icpc_date": dates,
                    "icpc_target_date": dates,
                    "icpc_not_required": flags,
                    "end_date": dates,
                },
            ),
            max_size=3,
        ),
        "child_protection_plans": st.lists(
            st.fixed_dictionaries(
                {"plan_id": st.just("P"), "episode_id": episode_ids},
                optional={
                    "start_date": dates,
                    "end_date": dates,
                    "review_dates": st.lists(st.dates(), max_size=2),
                    "initial_category": st.sampled_from(["NEG", "PHY", "XXX"]),
                    "latest_category": st.sampled_from(["NEG", "MUL", "XXX"]),
                    "previous_plans": st.integers(0, 5),
                },
            ),
            max_size=3,
        ),
        "cin_plans": st.lists(
            st.fixed_dictionaries(
                {"plan_id": st.just("N"), "episode_id": episode_ids},
                optional={"start_date": dates, "end_date": dates},
            ),
            max_size=3,
        ),
        "involvements": st.lists(
            st.fixed_dictionaries(
                {"service_type": st.just("camhs")},
                optional={
                    "sensitive_category": st.sampled_from(["mental_health", "sexual_health"]),
                    "consent_id": st.sampled_from(["K1", "K9"]),
                    "safeguarding_reason": st.sampled_from(["", "plan"]),
                    "start": dates,
                },
            ),
            max_size=2,
        ),
        "caf_assessments": st.lists(
            st.fixed_dictionaries(
                {"caf_id": st.just("F")},
                optional={"status": st.sampled_from(["draft", "completed", "closed"]), "review_date": dates},
            ),
            max_size=2,
        ),
    },
)
