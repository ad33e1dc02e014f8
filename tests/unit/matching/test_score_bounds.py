"""The fast scoring path (upper bounds, skipped merged-parts alignments)
gives the score of the explained path whenever it reaches the floor."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from opennotice.matching import PersonQuery, PersonRecord
from opennotice.matching.scoring import (
    _name_score,
    _name_value,
    explain_prepared,
    prepare_query,
    prepare_record,
    score_namesakes,
    score_prepared,
)

# fictional words: shared stems so that merged / split parts and near misses occur
_WORDS = ["li", "xiao", "ming", "xiaoming", "mingxiao", "ana", "maria", "anamaria", "jo", "j"]
_WORDS += ["petrov", "petrova", "petr", "ova", "van", "dam", "vandam", "vandamme", "de", "la"]
_name = st.lists(st.sampled_from(_WORDS), min_size=1, max_size=4).map(" ".join)
_dob = st.sampled_from([None, "1980", "1980-05", "1980-05-07", "1981-05-07", "1980-07-05"])


@settings(max_examples=400, deadline=None)
@given(
    _name,
    st.one_of(st.none(), _name),
    _name,
    st.one_of(st.none(), _name),
    _dob,
    _dob,
    st.sampled_from([None, "M", "F"]),
    st.sampled_from([(), ("DE",), ("FR",)]),
    st.sampled_from([(), ("DE",), ("FR",), ("DE", "FR")]),
    st.sampled_from([0.0, 0.5, 0.75, 0.8, 0.9, 0.95]),
)
def test_fast_score_equals_explained_score_above_floor(
    qf: str,
    qg: str | None,
    rf: str,
    rg: str | None,
    qdob: str | None,
    rdob: str | None,
    sex: str | None,
    nats: tuple[str, ...],
    record_nats: tuple[str, ...],
    floor: float,
) -> None:
    # record nationalities drawn apart from the query's: overlap, disjoint and unknown
    pq = prepare_query(PersonQuery(qf, qg, qdob, sex, nats))
    pr = prepare_record(
        PersonRecord("r", rf, rg, date_of_birth=rdob, sex="M", nationalities=record_nats)
    )
    full = explain_prepared(pq, pr).score
    fast = score_prepared(pq, pr, floor)
    assert fast == (full if full >= floor else 0.0)
    # without a cut the value path is the exact name score
    assert _name_value(pq.forms, pr.forms, -1.0) == _name_score(pq, pr)[0]


_sex = st.sampled_from([None, "M", "F"])
_holder = st.tuples(_dob, _sex, st.sampled_from([(), ("DE",), ("FR",)]))


@settings(max_examples=300, deadline=None)
@given(
    _name,
    st.one_of(st.none(), _name),
    st.sampled_from([("petrova", "anamaria"), ("li", "xiao ming"), ("van dam", "jo")]),
    st.lists(_holder, min_size=1, max_size=8),
    _dob,
    st.sampled_from([0.0, 0.5, 0.75, 0.8, 0.9]),
)
def test_namesakes_scored_together_score_as_alone(
    qf: str,
    qg: str | None,
    name: tuple[str, str],
    holders: list[tuple[str | None, str | None, tuple[str, ...]]],
    qdob: str | None,
    floor: float,
) -> None:
    """Holders of one name (other dates, sexes, nationalities) share one name computation:
    each gets the score it gets alone, and those below the floor are left out."""
    pq = prepare_query(PersonQuery(qf, qg, qdob, "M", ("DE",)))
    records = [
        prepare_record(PersonRecord(f"r{i}", *name, date_of_birth=dob, sex=sex, nationalities=nats))
        for i, (dob, sex, nats) in enumerate(holders)
    ]
    assert len({r.forms for r in records}) == 1  # namesakes share their forms
    together = {r.key: s for s, r in score_namesakes(pq, records, floor)}
    alone = {r.key: s for r in records if (s := score_prepared(pq, r, floor)) >= floor}
    assert together == alone
