"""Pairwise scoring with explanations.

score = clamp(name_score + dob_adjustment + sex_adjustment + nationality_adjustment)

* name_score: best over (query form x record form) of a token alignment
  (greedy, per-part similarity, weighted coverage of both names; middle names
  and initials weigh less) or, when the number of parts differs, the
  similarity of the concatenated names (merged / split parts).
* per-part similarity: 1.0 when a spelling is shared (any scheme, variant
  table), 0.9 when the consonant skeletons agree, else an
  optimal-string-alignment similarity; an initial scores 0.7 against a
  name with the same first letter.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Final

from rapidfuzz.distance import OSA, Levenshtein

from .dates import DOB_ADJUSTMENT, PartialDate, compare_parsed, parse_dob
from .forms import (
    INITIAL_WEIGHT,
    MIDDLE_WEIGHT,
    ROLE_FAMILY,
    AltsInfo,
    NameForm,
    Part,
    alts_info,
    build_forms,
)
from .model import Match, PersonQuery, PersonRecord
from .phonetic import skeleton

__all__ = [
    "DOB_CONFLICT_CEILING",
    "INITIAL_SIMILARITY",
    "INITIAL_WEIGHT",
    "MIDDLE_WEIGHT",
    "SEX_CONFLICT",
    "SKELETON_SIMILARITY",
    "PreparedPerson",
    "adjustment_ceiling",
    "clear_similarity_memo",
    "dedupe_forms",
    "explain_prepared",
    "name_cut",
    "name_may_reach",
    "prepare_query",
    "prepare_record",
    "query_forms",
    "same_person_score",
    "score_namesakes",
    "score_pair",
    "score_prepared",
]

INITIAL_SIMILARITY: Final = 0.7
SKELETON_SIMILARITY: Final = 0.9
SEX_CONFLICT: Final = -0.15
NAT_OVERLAP: Final = 0.02
NAT_DISJOINT: Final = -0.03
MIN_PART_SIM: Final = 0.5


class PreparedPerson:
    """Forms and attributes of a record or a query, computed once.

    Immutable by convention; a plain class rather than a frozen dataclass, whose generated
    ``__init__`` would stay interpreted Python when this module is compiled (one is made for
    every query)."""

    __slots__ = (
        "born",
        "date_of_birth",
        "forms",
        "key",
        "nationalities",
        "restricted_from",
        "sex",
    )

    def __init__(
        self,
        key: str,
        forms: tuple[NameForm, ...],
        date_of_birth: str | None,
        sex: str | None,
        nationalities: frozenset[str],
        restricted_from: frozenset[str],
        born: PartialDate | None = None,
    ) -> None:
        self.key = key
        self.forms = forms
        self.date_of_birth = date_of_birth
        self.sex = sex
        self.nationalities = nationalities
        self.restricted_from = restricted_from
        #: ``date_of_birth`` parsed (compared with every candidate: parsed once).
        self.born = born

    def __repr__(self) -> str:
        return f"PreparedPerson(key={self.key!r}, forms={len(self.forms)})"


def _sex(value: str | None) -> str | None:
    if not value:
        return None
    v = value.strip().upper()[:1]
    return v if v in ("M", "F") else None


def _nats(values: tuple[str, ...]) -> frozenset[str]:
    return frozenset(v.strip().upper() for v in values if v and v.strip())


def prepare_record(record: PersonRecord) -> PreparedPerson:
    forms: list[NameForm] = list(build_forms(record.family_name, record.given_names, "name"))
    if record.original_family_name or record.original_given_names:
        forms.extend(
            build_forms(record.original_family_name, record.original_given_names, "original")
        )
    for i, alias in enumerate(record.aliases):
        forms.extend(build_forms(alias, None, f"alias:{i}"))
    return PreparedPerson(
        record.key,
        dedupe_forms(forms),
        record.date_of_birth,
        _sex(record.sex),
        _nats(record.nationalities),
        frozenset(record.restricted_from),
        parse_dob(record.date_of_birth),
    )


@lru_cache(maxsize=1 << 16)
def query_forms(family: str | None, given: str | None) -> tuple[NameForm, ...]:
    """Forms of a query name, cached by the input (travellers repeat names)."""
    return dedupe_forms(build_forms(family, given, "query"))


def prepare_query(query: PersonQuery, forms: tuple[NameForm, ...] | None = None) -> PreparedPerson:
    """The query prepared for scoring; ``forms``: its name's forms when the caller has them
    (:func:`query_forms` otherwise)."""
    return PreparedPerson(
        "",
        query_forms(query.family_name, query.given_names) if forms is None else forms,
        query.date_of_birth,
        _sex(query.sex),
        _nats(query.nationalities),
        frozenset(),
        parse_dob(query.date_of_birth),
    )


#: Best possible score when the dates of birth conflict (``compare_dob`` kind
#: "conflict", e.g. birth years more than one apart): a perfect name plus the
#: only positive adjustment left (nationality overlap).
DOB_CONFLICT_CEILING: Final = 1.0 + DOB_ADJUSTMENT["conflict"] + NAT_OVERLAP


def dedupe_forms(forms: Sequence[NameForm]) -> tuple[NameForm, ...]:
    """The forms without those that repeat another's spellings and roles."""
    if len(forms) < 2:
        return tuple(forms)
    seen: set[tuple[tuple[tuple[str, ...], int], ...]] = set()
    out: list[NameForm] = []
    for f in forms:
        sig = tuple((p.alts, p.role) for p in f.parts)
        if sig not in seen:
            seen.add(sig)
            out.append(f)
    return tuple(out)


# --------------------------------------------------------------------------- parts
#: Bound once: compiled code then calls them without looking up a module and an attribute.
_OSA_SIMILARITY: Final = OSA.normalized_similarity
_LEVENSHTEIN_SIMILARITY: Final = Levenshtein.normalized_similarity


def _skeleton_similarity(sk: str) -> float:
    """Weight of a skeleton agreement: short skeletons collide more often."""
    n = len(sk)
    return SKELETON_SIMILARITY if n >= 3 else 0.82 if n == 2 else 0.6


def _similarity(ia: AltsInfo, ib: AltsInfo) -> float:
    """Similarity of two parts given their spellings' :func:`~.forms.alts_info`.

    Exact whenever it is >= ``MIN_PART_SIM``; below that (a pair the aligner
    ignores) it may be 0.0 instead of the true value: string comparisons that
    cannot raise the result (length bound of OSA) are skipped.
    """
    ini_a, set_a, ska, len_a, first_a = ia
    ini_b, set_b, skb, len_b, first_b = ib
    if ini_a or ini_b:
        if ini_a and ini_b:
            return 1.0 if not set_a.isdisjoint(set_b) else 0.0
        return INITIAL_SIMILARITY if not first_a.isdisjoint(first_b) else 0.0
    if not set_a.isdisjoint(set_b):
        return 1.0
    best = 0.0
    if not ska.isdisjoint(skb):
        # _skeleton_similarity grows with the length: the longest common one wins
        best = _skeleton_similarity(max(ska & skb, key=len))
    osa = _OSA_SIMILARITY
    for x, lx in len_a:
        for y, ly in len_b:
            # OSA similarity <= 1 - |lx - ly| / max(lx, ly): skip pairs that can
            # neither beat ``best`` nor reach MIN_PART_SIM.
            if lx != ly:
                d, longest = (lx - ly, lx) if lx > ly else (ly - lx, ly)
                if d + d > longest or 1.0 - d / longest <= best:
                    continue
            sim = osa(x, y)
            if sim > best:
                best = sim
    return best


def _alts_sim(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """:func:`_similarity` of two parts with these spellings."""
    return _similarity(alts_info(a), alts_info(b))


class _SimilarityMemo:
    """Similarities already computed: query part serial -> record part serial -> similarity.

    Two small integers instead of two tuples of spellings to hash: this lookup runs for every
    pair of parts of every candidate. Emptied when it holds ``_MEMO_LIMIT`` values. An object
    rather than module globals: compiled code reads and counts it as plain fields."""

    __slots__ = ("rows", "size")

    def __init__(self) -> None:
        self.rows: dict[int, dict[int, float]] = {}
        self.size = 0

    def clear(self) -> None:
        self.rows.clear()
        self.size = 0

    def row(self, part: Part) -> dict[int, float]:
        """The memo of ``part``'s similarities with the parts it was compared with."""
        if self.size >= _MEMO_LIMIT:
            self.clear()
        rows = self.rows
        row = rows.get(part.serial)
        if row is None:
            row = rows[part.serial] = {}
        return row


#: 2,097,152 similarities, up to about 130 MB per process: against 524,288, a batch computes
#: 10.2 instead of 13.3 new part similarities per query, 3-4 % of its time (docs/benchmarks.md).
_MEMO_LIMIT: Final = 1 << 21
_MEMO: Final = _SimilarityMemo()


def clear_similarity_memo() -> None:
    """Forget the part similarities computed so far (benchmarks of cold runs)."""
    _MEMO.clear()


def _candidate_pairs(q: NameForm, r: NameForm) -> list[tuple[float, int, int]]:
    """(similarity, query part, record part) of every pair the aligner may
    use (similarity >= MIN_PART_SIM), best first (ties: higher indices first)."""
    memo = _MEMO
    rparts = r.parts
    pairs: list[tuple[float, int, int]] = []
    for i, a in enumerate(q.parts):
        row = memo.row(a)
        for j, b in enumerate(r.serials):
            s = row.get(b)
            if s is None:
                s = row[b] = _similarity(a.info, rparts[j].info)
                memo.size += 1
            if s >= MIN_PART_SIM:
                pairs.append((s, i, j))
    if len(pairs) > 1:
        pairs.sort(reverse=True)
    return pairs


def _greedy_score(q: NameForm, r: NameForm, pairs: list[tuple[float, int, int]]) -> float:
    """Score of the greedy alignment of ``_candidate_pairs(q, r)``.

    Same additions in the same order as ``_align`` (assignment order), so
    both give bit-identical scores.
    """
    if not pairs:
        return 0.0
    wq, wr = q.weights, r.weights
    used_q = 0
    used_r = 0
    sq = 0.0
    sr = 0.0
    for s, i, j in pairs:
        bi = 1 << i
        bj = 1 << j
        if used_q & bi or used_r & bj:
            continue
        used_q |= bi
        used_r |= bj
        sq += wq[i] * s
        sr += wr[j] * s
    tq, tr = q.total_weight, r.total_weight
    if tq == 0 or tr == 0:
        return 0.0
    return 0.5 * (sq / tq + sr / tr)


def _align_score(q: NameForm, r: NameForm) -> float:
    """``_align(q, r)[0]`` without building the assignment (scoring hot path)."""
    return _greedy_score(q, r, _candidate_pairs(q, r))


def _align(q: NameForm, r: NameForm) -> tuple[float, list[tuple[int, int, float]]]:
    pairs = _candidate_pairs(q, r)
    if not pairs:
        return 0.0, []
    used_q = 0
    used_r = 0
    assignment: list[tuple[int, int, float]] = []
    for s, i, j in pairs:
        if (used_q >> i) & 1 or (used_r >> j) & 1:
            continue
        used_q |= 1 << i
        used_r |= 1 << j
        assignment.append((i, j, s))
    wq, wr = q.weights, r.weights
    # same additions in the same order as _greedy_score (not ``sum``, whose
    # float algorithm changed in Python 3.12): both give bit-identical scores
    sq = 0.0
    sr = 0.0
    for i, j, s in assignment:
        sq += wq[i] * s
        sr += wr[j] * s
    tq, tr = q.total_weight, r.total_weight
    if tq == 0 or tr == 0:
        return 0.0, assignment
    return 0.5 * (sq / tq + sr / tr), assignment


def _concat(q: NameForm, r: NameForm) -> float:
    if len(q.parts) == len(r.parts):
        return 0.0
    qs = q.concat_family_first
    if len(qs) < 4:
        return 0.0
    lev = _LEVENSHTEIN_SIMILARITY
    best = max(lev(qs, r.concat_family_first), lev(qs, r.concat_given_first))
    return best if best >= 0.85 else 0.0


def _merge_parts(a: Part, b: Part) -> Part:
    alts: list[str] = []
    for x in a.alts[:3]:
        for y in b.alts[:3]:
            xy = x + y
            if xy not in alts:
                alts.append(xy)
    t = tuple(alts)
    skels = frozenset(skeleton(x) for x in t)
    return Part(t, ("merged",) * len(t), a.role, a.source + " " + b.source, skels, a.initials)


def _mergeable(form: NameForm) -> list[int]:
    """Positions k where parts k and k+1 may be merged: same kind
    (family/given), neither an initial."""
    parts = form.parts
    out: list[int] = []
    for k in range(len(parts) - 1):
        a, b = parts[k], parts[k + 1]
        same_kind = (a.role == ROLE_FAMILY) == (b.role == ROLE_FAMILY)
        if same_kind and not a.is_initial and not b.is_initial:
            out.append(k)
    return out


def _merged_variants(form: NameForm) -> tuple[NameForm, ...]:
    """The form with two adjacent parts of the same kind (family/given) merged,
    one variant per position of :func:`_mergeable` (memoised on the form)."""
    memo = form.merged_memo
    if memo is not None:
        return memo
    parts = form.parts
    result = tuple(
        NameForm(
            (*parts[:k], _merge_parts(parts[k], parts[k + 1]), *parts[k + 2 :]),
            form.origin,
            form.script,
        )
        for k in _mergeable(form)
    )
    form.merged_memo = result
    return result


MERGED_PENALTY: Final = 0.02


def _name_score(q: PreparedPerson, r: PreparedPerson) -> tuple[float, int, int, str]:
    best = 0.0
    best_qi = best_ri = -1
    method = "token-alignment"
    for qi, qf in enumerate(q.forms):
        nq = len(qf.parts)
        for ri, rf in enumerate(r.forms):
            s = _align_score(qf, rf)
            if s > best:
                best, best_qi, best_ri, method = s, qi, ri, "token-alignment"
            if best >= 0.999:
                return best, best_qi, best_ri, method
            nr = len(rf.parts)
            if nq != nr and s < 0.95:
                c = _concat(qf, rf)
                if c > best:
                    best, best_qi, best_ri, method = c, qi, ri, "concatenated"
                if nq > nr:
                    for mq in _merged_variants(qf):
                        m = _align_score(mq, rf) - MERGED_PENALTY
                        if m > best:
                            best, best_qi, best_ri, method = m, qi, ri, "merged-parts"
                else:
                    for mr in _merged_variants(rf):
                        m = _align_score(qf, mr) - MERGED_PENALTY
                        if m > best:
                            best, best_qi, best_ri, method = m, qi, ri, "merged-parts"
    return best, best_qi, best_ri, method


#: Added to computed upper bounds: covers float rounding (the bound sums the
#: weights in another order than the exact score).
_BOUND_SLACK: Final = 1e-9


def _merge_bound(
    sims: list[list[float]],
    wm: tuple[float, ...],
    wo: tuple[float, ...],
    tm: float,
    to: float,
    k: int,
) -> float:
    """Upper bound of the alignment score once parts k and k+1 of one side
    ("merged side", weights ``wm``, total ``tm``) are merged into one part.

    ``sims[a][b]``: similarity of part a of the merged side with part b of the
    other side (0.0 below MIN_PART_SIM).  The merged part (weight ``wm[k]``:
    same role, not an initial) may match at most one part of the other side,
    with similarity <= 1; every other part keeps its similarities, and the
    alignment is a matching, so each part counts at most its best similarity.
    """
    cover_m = wm[k]
    best_o = [0.0] * len(wo)
    for a, row in enumerate(sims):
        if a == k or a == k + 1:
            continue
        cover_m += wm[a] * max(row)
        for b, s in enumerate(row):
            if s > best_o[b]:
                best_o[b] = s
    cover_o = 0.0
    gain = 0.0
    for b, w in enumerate(wo):
        cover_o += w * best_o[b]
        g = w * (1.0 - best_o[b])
        if g > gain:
            gain = g
    return 0.5 * (cover_m / (tm - wm[k + 1]) + (cover_o + gain) / to) + _BOUND_SLACK


def _merged_value(
    qf: NameForm,
    rf: NameForm,
    pairs: list[tuple[float, int, int]],
    best: float,
    cut: float,
) -> float:
    """``max(best, merged-parts scores of qf x rf)``, where merged-parts
    alignments whose upper bound is below ``cut`` (or cannot beat ``best``)
    are not computed: then the result may be too low, but only when it is
    below ``cut`` anyway."""
    merge_query = len(qf.parts) > len(rf.parts)
    form, other = (qf, rf) if merge_query else (rf, qf)
    ks = _mergeable(form)
    if not ks:
        return best
    n_other = len(other.parts)
    sims = [[0.0] * n_other for _ in form.parts]
    for s, i, j in pairs:
        if merge_query:
            sims[i][j] = s
        else:
            sims[j][i] = s
    wm, wo, tm, to = form.weights, other.weights, form.total_weight, other.total_weight
    variants: tuple[NameForm, ...] | None = None
    for n, k in enumerate(ks):
        bound = _merge_bound(sims, wm, wo, tm, to, k) - MERGED_PENALTY
        if bound < cut or bound <= best:
            continue
        if variants is None:
            variants = _merged_variants(form)
        v = variants[n]
        m = (_align_score(v, rf) if merge_query else _align_score(qf, v)) - MERGED_PENALTY
        if m > best:
            best = m
    return best


def _name_value(qforms: tuple[NameForm, ...], rforms: tuple[NameForm, ...], cut: float) -> float:
    """``_name_score(q, r)[0]`` of people with these forms whenever that is >= ``cut``;
    otherwise some value < ``cut`` (merged-parts alignments that cannot reach ``cut`` are
    skipped).  Same loop as ``_name_score``; ``cut`` must be <= 0.999 so that
    the early exit happens at the same form pair."""
    best = 0.0
    for qf in qforms:
        nq = len(qf.parts)
        for rf in rforms:
            pairs = _candidate_pairs(qf, rf)
            s = _greedy_score(qf, rf, pairs)
            if s > best:
                best = s
            if best >= 0.999:
                return best
            if nq != len(rf.parts) and s < 0.95:
                c = _concat(qf, rf)
                if c > best:
                    best = c
                best = _merged_value(qf, rf, pairs, best, cut)
    return best


# ------------------------------------------------------------------ attributes
def _sex_kind(a: str | None, b: str | None) -> tuple[str, float]:
    if a is None or b is None:
        return "unknown", 0.0
    return ("agree", 0.0) if a == b else ("conflict", SEX_CONFLICT)


def _nat_kind(a: frozenset[str], b: frozenset[str]) -> tuple[str, float, list[str]]:
    if not a or not b:
        return "unknown", 0.0, []
    common = sorted(a & b)
    if common:
        return "overlap", NAT_OVERLAP, common
    return "disjoint", NAT_DISJOINT, []


def _adjustment(q: PreparedPerson, r: PreparedPerson) -> float:
    """Sum of the attribute adjustments (as in ``explain_prepared``, same
    order of additions), without building the explanation parts.

    The sex and nationality rules are restated from ``_sex_kind`` and ``_nat_kind`` to spare
    the hot path their tuples; the property test of ``score_prepared`` against
    ``explain_prepared`` fails if the two ever disagree."""
    qs, rs = q.sex, r.sex
    sex = SEX_CONFLICT if qs is not None and rs is not None and qs != rs else 0.0
    qn, rn = q.nationalities, r.nationalities
    nat = 0.0 if not qn or not rn else NAT_DISJOINT if qn.isdisjoint(rn) else NAT_OVERLAP
    return DOB_ADJUSTMENT[compare_parsed(q.born, r.born)] + sex + nat


def _clamp(x: float) -> float:
    return 0.0 if x < 0.0 else 1.0 if x > 1.0 else round(x, 6)


#: ``_clamp`` rounds to 6 decimals: a sum this far below ``floor`` stays below it.
_ROUNDING_SLACK: Final = 2e-6


def _cut(floor: float, adjustment: float) -> float:
    """The name score below which a record with this adjustment cannot score ``floor`` (the
    slack covers the rounding of _clamp), capped so that ``_name_value`` may use it."""
    return min(floor - adjustment - _ROUNDING_SLACK, 0.999)


def score_prepared(q: PreparedPerson, r: PreparedPerson, floor: float = 0.0) -> float:
    """Score only (fast path): the score of ``explain_prepared`` when it is
    >= ``floor``, else 0.0."""
    adj = _adjustment(q, r)
    if 1.0 + adj < floor:
        return 0.0
    # Name scores below ``cut`` cannot reach ``floor`` (the slack covers the
    # rounding of _clamp), so _name_value may skip work that only matters there.
    cut = _cut(floor, adj)
    score = _clamp(_name_value(q.forms, r.forms, cut) + adj)
    return score if score >= floor else 0.0


def adjustment_ceiling(q: PreparedPerson) -> float:
    """The highest sum of attribute adjustments any record can get against ``q``: a query
    without a (valid) date of birth gets "missing" against every record, a sex adjustment is
    never positive, and a nationality overlap needs the query to name one."""
    dob = DOB_ADJUSTMENT["missing"] if q.born is None else max(DOB_ADJUSTMENT.values())
    return dob + (NAT_OVERLAP if q.nationalities else 0.0)


def name_cut(q: PreparedPerson, floor: float) -> float | None:
    """The name score below which no record, whatever its date of birth, sex and
    nationalities, scores ``floor`` against ``q`` (None: none can at all). For
    :func:`name_may_reach`, which skips the records of names that fall below it."""
    ceiling = adjustment_ceiling(q)
    if 1.0 + ceiling < floor:
        return None
    return _cut(floor, ceiling)


def name_may_reach(q: PreparedPerson, forms: tuple[NameForm, ...], cut: float) -> bool:
    """False only when no holder of the name ``forms`` can reach the floor that ``cut``
    (from :func:`name_cut`) was made for: its records need not even be read."""
    return _name_value(q.forms, forms, cut) >= cut


def score_namesakes(
    q: PreparedPerson, records: list[PreparedPerson], floor: float
) -> list[tuple[float, PreparedPerson]]:
    """(score, record) of the records that reach ``floor``, for records that share one name
    (the same forms: the many holders of a common name, with other dates of birth): the
    name is scored once, with the lowest cut any of them needs. Same scores as
    :func:`score_prepared` one record at a time."""
    adjs = [_adjustment(q, r) for r in records]
    best = max(adjs)
    if 1.0 + best < floor:
        return []
    cut = _cut(floor, best)
    value = _name_value(q.forms, records[0].forms, cut)
    if value < cut:
        # Below the lowest cut, so below every record's own: each score is under the floor,
        # which with a floor of 0 or less means clamped to 0.0.
        return [(0.0, r) for r in records] if floor <= 0.0 else []
    out: list[tuple[float, PreparedPerson]] = []
    for adj, r in zip(adjs, records, strict=True):
        # value >= cut: it is the exact name score, so each record's score is exact
        score = _clamp(value + adj)
        if score >= floor:
            out.append((score, r))
    return out


def _how(x: str, y: str, sim: float) -> str:
    if x == y:
        return "exact"
    if len(x) == 1 or len(y) == 1:
        return "initial" if sim <= INITIAL_SIMILARITY else "exact"
    if skeleton(x) == skeleton(y) and sim <= SKELETON_SIMILARITY:
        return "phonetic-skeleton"
    return "fuzzy"


def _best_alt_pair(a: Part, b: Part) -> tuple[int, int, float]:
    best = (0, 0, -1.0)
    for i, x in enumerate(a.alts):
        for j, y in enumerate(b.alts):
            if x == y:
                return (i, j, 1.0)
            s = _alts_sim((x,), (y,))
            if s > best[2]:
                best = (i, j, s)
    return best


def explain_prepared(q: PreparedPerson, r: PreparedPerson) -> Match:
    name, qi, ri, method = _name_score(q, r)
    dob_kind = compare_parsed(q.born, r.born)
    sex_kind, sex_adj = _sex_kind(q.sex, r.sex)
    nat_kind, nat_adj, common = _nat_kind(q.nationalities, r.nationalities)
    adj = DOB_ADJUSTMENT[dob_kind] + sex_adj + nat_adj
    score = _clamp(name + adj)
    expl: dict[str, object] = {"name_score": round(name, 4), "method": method}
    if qi >= 0:
        qf, rf = q.forms[qi], r.forms[ri]
        _, assignment = _align(qf, rf)
        parts: list[dict[str, object]] = []
        for i, j, s in sorted(assignment):
            a, b = qf.parts[i], rf.parts[j]
            ai, bj, _ = _best_alt_pair(a, b)
            parts.append(
                {
                    "query": a.alts[ai],
                    "query_scheme": a.schemes[ai],
                    "record": b.alts[bj],
                    "record_source": b.source,
                    "record_scheme": b.schemes[bj],
                    "record_role": "family" if b.role == ROLE_FAMILY else "given",
                    "similarity": round(s, 4),
                    "how": _how(a.alts[ai], b.alts[bj], s),
                }
            )
        matched_q = {i for i, _, _ in assignment}
        matched_r = {j for _, j, _ in assignment}
        expl.update(
            {
                "query_form": qf.display,
                "record_form": rf.display,
                "record_form_origin": rf.origin,
                "record_script": rf.script,
                "parts": parts,
                "unmatched_query_parts": [
                    p.alts[0] for k, p in enumerate(qf.parts) if k not in matched_q
                ],
                "unmatched_record_parts": [
                    p.alts[0] for k, p in enumerate(rf.parts) if k not in matched_r
                ],
            }
        )
    expl["date_of_birth"] = {
        "kind": dob_kind,
        "query": q.date_of_birth,
        "record": r.date_of_birth,
        "adjustment": DOB_ADJUSTMENT[dob_kind],
    }
    expl["sex"] = {"kind": sex_kind, "adjustment": sex_adj}
    expl["nationality"] = {"kind": nat_kind, "common": common, "adjustment": nat_adj}
    return Match(r.key, score, expl)


def score_pair(query: PersonQuery, record: PersonRecord) -> Match:
    """Brute-force scorer: same scores as :meth:`NameIndex.search`."""
    return explain_prepared(prepare_query(query), prepare_record(record))


def same_person_score(a: PersonRecord, b: PersonRecord) -> Match:
    """Compare two records (e.g. a new notice against a refused one).

    Uses every form of both records (names, original script, aliases) and is
    symmetric: ``same_person_score(a, b).score == same_person_score(b, a).score``.
    The returned key is ``b.key``.
    """
    pa, pb = prepare_record(a), prepare_record(b)
    m1 = explain_prepared(pa, pb)
    m2 = explain_prepared(pb, pa)
    best = m1 if m1.score >= m2.score else m2
    return Match(b.key, best.score, dict(best.explanation))
