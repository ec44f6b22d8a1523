# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The compiled core of compare(): part similarities and the pairing of two names' parts.

comparison.py builds a PartCode per part (its phonetic keys as letter codes, once) and a NameCode
per prepared name; everything here works on those, so comparing two prepared names allocates
nothing but the result. The rules and constants are comparison.py's module docstring and
docs/names.md; this file only makes them fast.

Indel similarity is rapidfuzz's normalised Indel similarity, computed here with the same
bit-parallel longest-common-subsequence algorithm (Hyyrö 2004) rapidfuzz uses, so that no Python
call is made per key pair; tests hold the two equal.
"""

cimport cython
from cpython cimport array
from libc.stdint cimport uint8_t, uint64_t
from libc.stdlib cimport calloc, malloc, free, qsort
from libc.string cimport memset
from libc.math cimport fabs, floor, pow, rint

cdef extern from *:
    int popcount64 "__builtin_popcountll"(unsigned long long) noexcept nogil

cdef double THRESHOLD = 0.5
cdef double UNPAIRED_FACTOR = 0.9
cdef double SIMILARITY_FLOOR = 0.2
cdef double INITIAL_SIMILARITY = 0.75
cdef double WHOLE_FACTOR = 0.95
cdef double CROSS_POSITION_FACTOR = 0.8
cdef double FIRST_SOUND_FACTOR = 0.8
cdef double FATHER_FACTOR = 0.5
cdef double CHARACTER_FLOOR = 0.4
cdef double GENDER_FACTOR = 0.4

cdef enum:
    LETTERS = 26
cdef uint8_t VOWEL_A = 0, VOWEL_I = 8, VOWEL_U = 20   # 'A', 'I', 'U' - 'A'


def configure(double threshold, double unpaired, double floor, double initial, double whole, double cross,
              double first_sound, double father, double character_floor, double gender):
    """Set the scoring constants (comparison.py passes its documented ones at import)."""
    global THRESHOLD, UNPAIRED_FACTOR, SIMILARITY_FLOOR, INITIAL_SIMILARITY, WHOLE_FACTOR
    global CROSS_POSITION_FACTOR, FIRST_SOUND_FACTOR, FATHER_FACTOR, CHARACTER_FLOOR, GENDER_FACTOR
    THRESHOLD, UNPAIRED_FACTOR, SIMILARITY_FLOOR, INITIAL_SIMILARITY = threshold, unpaired, floor, initial
    WHOLE_FACTOR, CROSS_POSITION_FACTOR, FIRST_SOUND_FACTOR, FATHER_FACTOR = whole, cross, first_sound, father
    CHARACTER_FLOOR, GENDER_FACTOR = character_floor, gender


cdef inline bint is_vowel(uint8_t c) nogil:
    return c == VOWEL_A or c == VOWEL_I or c == VOWEL_U


cdef double indel(const uint8_t* a, int la, const uint8_t* b, int lb) except -1.0:
    """rapidfuzz's Indel.normalized_similarity of two letter-code strings: 1 - (la + lb - 2 LCS) / (la + lb)."""
    cdef int total = la + lb
    if total == 0:
        return 1.0
    if la > lb:
        a, la, b, lb = b, lb, a, la
    cdef int lcs = lcs_short(a, la, b, lb) if la <= 64 else lcs_long(a, la, b, lb)
    return 1.0 - <double>(total - 2 * lcs) / total


def indel_similarity(str a, str b):
    """indel() on two phonetic keys given as text (tests hold it equal to rapidfuzz's)."""
    cdef KeySet keys = KeySet((a, b), ("", ""), ((-1, 0), (-1, 0)), ((-1, 0), (-1, 0)))
    return indel(keys.letters + keys.key_start[0], keys.key_length[0], keys.letters + keys.key_start[1],
                 keys.key_length[1])


cdef inline int lcs_short(const uint8_t* a, int la, const uint8_t* b, int lb) noexcept nogil:
    """Length of the longest common subsequence, a no longer than 64 letters: one machine word."""
    cdef uint64_t pm[26]
    cdef uint64_t v = ~(<uint64_t>0), u, mask
    cdef int i
    memset(pm, 0, sizeof(pm))
    for i in range(la):
        pm[a[i]] |= (<uint64_t>1) << i
    for i in range(lb):
        u = v & pm[b[i]]
        v = (v + u) | (v - u)
    mask = ~(<uint64_t>0) if la == 64 else (((<uint64_t>1) << la) - 1)
    return popcount64(~v & mask)


cdef int lcs_long(const uint8_t* a, int la, const uint8_t* b, int lb) except -1:
    """The same for longer keys (garbage input, never a real name part): a word per 64 letters of a,
    the carry of each word's addition passed to the next."""
    cdef int words = (la + 63) // 64, i, w, lcs = 0
    cdef uint64_t* pm = <uint64_t*>malloc(words * (LETTERS + 1) * sizeof(uint64_t))
    if pm == NULL:
        raise MemoryError()
    cdef uint64_t* v = pm + words * LETTERS
    cdef uint64_t u, vw, total, carry
    memset(pm, 0, words * LETTERS * sizeof(uint64_t))
    for i in range(la):
        pm[(i // 64) * LETTERS + a[i]] |= (<uint64_t>1) << (i % 64)
    for w in range(words):
        v[w] = ~(<uint64_t>0)
    for i in range(lb):
        carry = 0
        for w in range(words):
            vw = v[w]
            u = vw & pm[w * LETTERS + b[i]]
            total = vw + u
            next_carry = total < vw
            total += carry
            next_carry |= total < carry
            carry = next_carry
            v[w] = total | (vw - u)
    for w in range(words):
        vw = ~v[w]
        if w == words - 1 and la % 64:
            vw &= ((<uint64_t>1) << (la % 64)) - 1
        lcs += popcount64(vw)
    free(pm)
    return lcs


cdef class KeySet:
    """Phonetic keys of a part with what their comparisons need: the letter codes of each key and of
    its consonants, and its shared prefix and suffix (by number in the affix lists, -1 for none)."""

    cdef readonly tuple keys
    cdef int n
    cdef uint8_t* letters   # every key's codes, then every key's consonants' codes
    cdef int* fields        # n each: key start, key length, consonants' start and length, prefix, its
                            # length, suffix, its length
    cdef int* key_start
    cdef int* key_length
    cdef int* consonant_start
    cdef int* consonant_length
    cdef int* prefix
    cdef int* prefix_length
    cdef int* suffix
    cdef int* suffix_length

    def __cinit__(self, tuple keys, tuple consonants, tuple prefixes, tuple suffixes):
        """keys and consonants: a str each; prefixes and suffixes: (number or -1, length) each."""
        cdef int n = len(keys), k, total = 0, at = 0
        self.keys, self.n = keys, n
        for k in range(n):
            total += len(keys[k]) + len(consonants[k])
        self.letters = <uint8_t*>malloc(max(total, 1))
        self.fields = <int*>malloc(max(n, 1) * 8 * sizeof(int))
        if self.letters == NULL or self.fields == NULL:
            raise MemoryError()
        self.key_start, self.key_length = self.fields, self.fields + n
        self.consonant_start, self.consonant_length = self.fields + 2 * n, self.fields + 3 * n
        self.prefix, self.prefix_length = self.fields + 4 * n, self.fields + 5 * n
        self.suffix, self.suffix_length = self.fields + 6 * n, self.fields + 7 * n
        for k in range(n):
            self.key_start[k], self.key_length[k] = at, len(keys[k])
            at = self._copy(keys[k], at)
            self.consonant_start[k], self.consonant_length[k] = at, len(consonants[k])
            at = self._copy(consonants[k], at)
            self.prefix[k], self.prefix_length[k] = prefixes[k]
            self.suffix[k], self.suffix_length[k] = suffixes[k]

    cdef int _copy(self, str text, int at) except -1:
        cdef Py_UCS4 letter
        cdef long code
        for letter in text:
            code = <long>letter - 65
            if not 0 <= code < LETTERS:
                raise ValueError(f"a phonetic key is letters A-Z, not {text!r}")
            self.letters[at] = <uint8_t>code
            at += 1
        return at

    def __dealloc__(self):
        free(self.letters)
        free(self.fields)


cdef class PartCode:
    """One name part for the kernel: its keys, its keys read without vowels, and its kind."""

    cdef readonly KeySet keys
    cdef readonly KeySet consonant_keys
    cdef readonly bint initial, vowelless, optional, patronymic
    # The syllables of a part (surname or given name) of a name written the Chinese way (each a frozenset
    # of its pinyin readings), else None.
    cdef readonly tuple chinese_syllables
    # A part written in Chinese characters: each character's sounds (a frozenset of phonetic keys), else None.
    cdef readonly tuple character_sounds
    cdef uint64_t number  # unique for the life of the process: the similarity cache's key

    def __cinit__(self, KeySet keys, KeySet consonant_keys, bint initial, bint vowelless, bint optional,
                  bint patronymic, tuple chinese_syllables=None, tuple character_sounds=None):
        global parts_made
        self.keys, self.consonant_keys, self.chinese_syllables = keys, consonant_keys, chinese_syllables
        self.character_sounds = character_sounds
        self.initial, self.vowelless, self.optional, self.patronymic = initial, vowelless, optional, patronymic
        parts_made += 1
        self.number = parts_made


cdef uint64_t parts_made = 0


# Part similarities already measured, in a direct-mapped table: a pair's slot comes from its two
# part numbers; a newer pair that lands on a taken slot replaces the older one. Bounded (24 MiB),
# no eviction to manage, and a registry's parts repeat, so most lookups hit. Similarity is symmetric,
# so a pair is kept once whichever side it comes from.
cdef enum:
    CACHE_BITS = 20
cdef struct CacheSlot:
    uint64_t low    # the pair's smaller part number (0: empty)
    uint64_t high
    double similarity
cdef CacheSlot* cache = <CacheSlot*>calloc(1 << CACHE_BITS, sizeof(CacheSlot))
if cache == NULL:
    raise MemoryError()


def clear_cache():
    """Forget every part similarity measured (benchmarks time the cold case with it)."""
    memset(cache, 0, (1 << CACHE_BITS) * sizeof(CacheSlot))


cdef double cached_similarity(PartCode a, PartCode b, bint whole) except -2.0:
    """part_best's similarity of two parts or, `whole`, key_similarity's (a run read as one word has
    only keys): the two kinds are told apart in the cache by the top bit of the larger number."""
    cdef uint64_t low = a.number if a.number < b.number else b.number
    cdef uint64_t high = b.number if a.number < b.number else a.number
    high |= (<uint64_t>whole) << 63
    cdef uint64_t mixed = (low * <uint64_t>0x9E3779B97F4A7C15) ^ (high * <uint64_t>0xC2B2AE3D27D4EB4F)
    cdef CacheSlot* slot = cache + (mixed >> (64 - CACHE_BITS))
    if slot.low != low or slot.high != high:
        slot.similarity = key_similarity(a.keys, b.keys).similarity if whole else part_best(a, b).similarity
        slot.low, slot.high = low, high
    return slot.similarity


cdef class NameCode:
    """A prepared name for the kernel: its parts (PartCode), their texts, its gender as its surname or
    father's name tells it (0 untold, 1 a man's, 2 a woman's), and the runs of two or more adjacent parts
    read as one word, as (PartCode, text, name parts outside the run): built by set_helpers' function the
    first time a one-part name meets this one."""

    cdef readonly tuple parts
    cdef readonly tuple texts
    cdef readonly int gender
    cdef object runs

    def __cinit__(self, tuple parts, tuple texts, int gender=0):
        self.parts, self.texts, self.gender, self.runs = parts, texts, gender, None


_read_runs = None
_explain = None


def set_helpers(read_runs, explain):
    """Register comparison.py's functions that read a NameCode's runs (they need the readers) and
    explain a comparison (matches, unpaired parts of each name, notes)."""
    global _read_runs, _explain
    _read_runs, _explain = read_runs, explain


@cython.no_gc  # scoring many pairs makes many of these; they refer to names, never to each other
cdef class Comparison:
    """A score in [0, 1], the verdict at the threshold, and how it was reached.

    The explanation (matches, unpaired parts, notes) is worked out when first asked for, so scoring
    many pairs pays only for the score.
    """

    cdef readonly double score
    cdef readonly bint same
    cdef readonly object a, b   # the two PreparedName
    cdef tuple _explained

    def __cinit__(self, double score, a, b):
        self.score, self.same, self.a, self.b = score, score >= THRESHOLD, a, b

    cdef tuple explanation(self):
        if self._explained is None:
            self._explained = _explain(self.a, self.b)
        return self._explained

    @property
    def matches(self):
        """The parts paired, as PartMatch: their similarity and the keys that gave it."""
        return self.explanation()[0]

    @property
    def unpaired_a(self):
        """Name parts of the first name left unpaired (honorifics are not listed)."""
        return self.explanation()[1]

    @property
    def unpaired_b(self):
        return self.explanation()[2]

    @property
    def notes(self):
        """How the score was reached when not part by part (a name read as one word …)."""
        return self.explanation()[3]

    def __repr__(self):
        return f"Comparison(score={self.score}, same={self.same}, matches={self.matches}, notes={self.notes})"


cdef tuple runs_of(NameCode name):
    if name.runs is None:
        name.runs = tuple(_read_runs(name))
    return name.runs


cdef struct Best:
    double similarity
    int key_a
    int key_b


cdef Best key_similarity(KeySet a, KeySet b) except *:
    """The best similarity between any key of a and any key of b (comparison.py's rule), and which."""
    cdef Best best
    best.similarity, best.key_a, best.key_b = -1.0, -1, -1
    cdef int i, j, la, lb, pa, pb, sa, sb
    cdef const uint8_t* ka
    cdef const uint8_t* kb
    cdef double similarity, other, factor
    for i in range(a.n):
        ka, la = a.letters + a.key_start[i], a.key_length[i]
        pa, sa = a.prefix_length[i], a.suffix_length[i]
        for j in range(b.n):
            kb, lb = b.letters + b.key_start[j], b.key_length[j]
            # each step below can only lower the similarity: stop as soon as it cannot beat the best
            factor = FIRST_SOUND_FACTOR if ka[0] != kb[0] and not (is_vowel(ka[0]) and is_vowel(kb[0])) else 1.0
            similarity = indel(ka, la, kb, lb) * factor
            if similarity <= best.similarity:
                continue
            other = indel(a.letters + a.consonant_start[i], a.consonant_length[i],
                          b.letters + b.consonant_start[j], b.consonant_length[j]) * factor
            if other < similarity:
                similarity = other
            if similarity <= best.similarity:
                continue
            if a.prefix[i] >= 0 and a.prefix[i] == b.prefix[j]:
                pb = b.prefix_length[j]
                other = indel(ka + pa, la - pa, kb + pb, lb - pb)
                if other < similarity:
                    similarity = other
            if a.suffix[i] >= 0 and a.suffix[i] == b.suffix[j]:
                sb = b.suffix_length[j]
                other = indel(ka, la - sa, kb, lb - sb)
                if other < similarity:
                    similarity = other
            if similarity > best.similarity:
                best.similarity, best.key_a, best.key_b = similarity, i, j
    return best


cdef bint same_syllables(tuple a, tuple b):
    """Two parts of Chinese names agree syllable by syllable (步芳 / "Bufang"; not 步芳 / 步青): one
    character for another of another sound makes another name, however alike the letters."""
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if (<frozenset>x).isdisjoint(<frozenset>y):
            return False
    return True


cdef double characters_agreement(tuple a, tuple b) except -1.0:
    """How far two parts written in Chinese characters correspond character by character, as Indel
    similarity over their characters, two characters agreeing when they share a sound (麦/买 mai,
    逊/孙 sun; not 麦迪娜 / 依木兰, however alike their Turkic readings)."""
    cdef int la = len(a), lb = len(b), i, j
    cdef list previous = [0] * (lb + 1), current
    for i in range(la):
        current = [0] * (lb + 1)
        for j in range(lb):
            if not (<frozenset>a[i]).isdisjoint(<frozenset>b[j]):
                current[j + 1] = <int>previous[j] + 1
            else:
                current[j + 1] = max(<int>previous[j + 1], <int>current[j])
        previous = current
    return 2.0 * <int>previous[lb] / (la + lb) if la + lb else 1.0


cdef Best part_best(PartCode a, PartCode b) except *:
    cdef Best best
    cdef int i, j
    best.key_a = best.key_b = 0
    if a.chinese_syllables is not None and b.chinese_syllables is not None and \
            not same_syllables(a.chinese_syllables, b.chinese_syllables):
        best.similarity = 0.0
        return best
    if a.character_sounds is not None and b.character_sounds is not None and \
            characters_agreement(a.character_sounds, b.character_sounds) < CHARACTER_FLOOR:
        best.similarity = 0.0
        return best
    if a.initial and b.initial:
        best.similarity = 1.0 if a.keys.keys[0] == b.keys.keys[0] else 0.0
        return best
    if a.initial or b.initial:
        best.similarity = 0.0
        for i in range(a.keys.n):
            for j in range(b.keys.n):
                if a.keys.letters[a.keys.key_start[i]] == b.keys.letters[b.keys.key_start[j]]:
                    best.similarity = INITIAL_SIMILARITY
                    return best
        return best
    if a.vowelless or b.vowelless:
        return key_similarity(a.consonant_keys, b.consonant_keys)
    return key_similarity(a.keys, b.keys)


def part_similarity(PartCode a, PartCode b):
    """(similarity, key of a, key of b) of two parts: the keys that gave the similarity."""
    cdef Best best = part_best(a, b)
    vowelless = (a.vowelless or b.vowelless) and not (a.initial or b.initial)
    keys_a = a.consonant_keys.keys if vowelless else a.keys.keys
    keys_b = b.consonant_keys.keys if vowelless else b.keys.keys
    return best.similarity, keys_a[best.key_a], keys_b[best.key_b]


cdef struct Candidate:
    double similarity
    int i
    int j


cdef int by_similarity_descending(const void* x, const void* y) noexcept nogil:
    """Python's sorted(reverse=True) on (similarity, i, j) tuples."""
    cdef const Candidate* a = <const Candidate*>x
    cdef const Candidate* b = <const Candidate*>y
    if a.similarity != b.similarity:
        return -1 if a.similarity > b.similarity else 1
    if a.i != b.i:
        return -1 if a.i > b.i else 1
    if a.j != b.j:
        return -1 if a.j > b.j else 1
    return 0


cdef bint fathers_name(tuple parts, const char* used, int i, tuple other, int j) except -1:
    """True when part i, a patronymic ("Serikovich", "Serikuly", "Serikov"), is paired with the given
    name (first part, no patronymic) of another name of two parts or more, while this name's own given
    name is left over and unlike the other's: "Arman Serikovich Tulegenov" against "Serik Tulegenov" is
    the son against his father ("Serik Serikovich" against "Serik" is not)."""
    cdef PartCode first = parts[0]
    if i == 0 or j != 0 or len(other) < 2 or used[0] or first.optional or first.patronymic:
        return False
    if not (<PartCode>parts[i]).patronymic or (<PartCode>other[0]).patronymic:
        return False
    return cached_similarity(first, <PartCode>other[0], False) < THRESHOLD


cdef inline double rescaled(double similarity):
    """A part similarity moved from [SIMILARITY_FLOOR, 1] to [0, 1]: below the floor, nothing agrees."""
    cdef double x = (similarity - SIMILARITY_FLOOR) / (1 - SIMILARITY_FLOOR)
    return x if x > 0.0 else 0.0


cdef double pair_parts(NameCode a, NameCode b, list pairs) except -1.0:
    """The score before the one-word reading (comparison.py's rule); the pairs made, as (i, j,
    similarity), appended to `pairs` unless it is None."""
    cdef tuple parts_a = a.parts, parts_b = b.parts
    cdef int na = len(parts_a), nb = len(parts_b), n = na * nb, i, j, k, second_pass
    cdef int n_used_a = 0, n_used_b = 0, n_pairs = 0, n_counted = 0, unpaired = 0
    cdef PartCode pa, pb
    cdef double score = 0.0, total, x, smallest
    cdef bint optional_a, optional_b
    # candidates, the similarities paired and counted (at most min(na, nb) each), the parts of each pair,
    # then used flags
    cdef int most = min(na, nb)
    cdef Candidate* candidates = <Candidate*>malloc(n * sizeof(Candidate) + 2 * most * sizeof(double)
                                                     + 2 * most * sizeof(int) + (na + nb) * sizeof(char))
    if candidates == NULL:
        raise MemoryError()
    cdef double* paired = <double*>(candidates + n)
    cdef double* counted = paired + most
    cdef int* pair_i = <int*>(counted + most)
    cdef int* pair_j = pair_i + most
    cdef char* used_a = <char*>(pair_j + most)
    cdef char* used_b = used_a + na
    try:
        k = 0
        for i in range(na):
            pa = parts_a[i]
            for j in range(nb):
                candidates[k].similarity, candidates[k].i, candidates[k].j = cached_similarity(pa, parts_b[j], False), i, j
                k += 1
        qsort(candidates, n, sizeof(Candidate), by_similarity_descending)
        memset(used_a, 0, na + nb)
        # First pass: parts that agree; an honorific pairs only with one it agrees with, and then does
        # not count. Second pass: an honorific left over faces a name part left over, and counts.
        for second_pass in range(2):
            for k in range(n):
                i, j = candidates[k].i, candidates[k].j
                if used_a[i] or used_b[j]:
                    continue
                pa, pb = parts_a[i], parts_b[j]
                optional_a, optional_b = pa.optional, pb.optional
                if second_pass:
                    if optional_a == optional_b or pa.patronymic or pb.patronymic:
                        continue
                elif (optional_a or optional_b) and candidates[k].similarity < THRESHOLD:
                    continue
                used_a[i] = used_b[j] = 1
                n_used_a += 1
                n_used_b += 1
                pair_i[n_pairs], pair_j[n_pairs] = i, j
                paired[n_pairs] = candidates[k].similarity
                n_pairs += 1
                if pairs is not None:
                    pairs.append((i, j, candidates[k].similarity))
                if second_pass or not (optional_a or optional_b):
                    counted[n_counted] = candidates[k].similarity
                    n_counted += 1
            if n_used_a == na or n_used_b == nb:
                break
        if n_counted == 0:  # a name of honorifics only ("Haji") is compared by them
            for k in range(n_pairs):
                counted[k] = paired[k]
            n_counted = n_pairs
        for i in range(na):
            pa = parts_a[i]
            if not used_a[i] and not (pa.optional or pa.patronymic):
                unpaired += 1
        for j in range(nb):
            pb = parts_b[j]
            if not used_b[j] and not (pb.optional or pb.patronymic):
                unpaired += 1
        if n_counted:
            # harmonic mean of the rescaled similarities: one part that disagrees weighs most
            total, smallest = 0.0, 1.0
            for k in range(n_counted):
                x = rescaled(counted[k])
                if x < smallest:
                    smallest = x
                if x > 0.0:
                    total += 1 / x
            score = 0.0 if smallest == 0.0 else n_counted / total
            score *= pow(UNPAIRED_FACTOR, unpaired)
        if n_counted == 1 and unpaired and (pair_i[0] == 0) != (pair_j[0] == 0):
            score *= CROSS_POSITION_FACTOR  # a lone pair joins a given name to another part of the other
        for k in range(n_pairs):
            if fathers_name(parts_a, used_a, pair_i[k], parts_b, pair_j[k]) or \
                    fathers_name(parts_b, used_b, pair_j[k], parts_a, pair_i[k]):
                score *= FATHER_FACTOR
                break
    finally:
        free(candidates)
    return score


cdef double whole_word(NameCode single, NameCode other, int* which) except -1.0:
    """Best similarity of the one-part name to a run of the other's parts read as one word."""
    cdef PartCode part = single.parts[0]
    cdef double best = 0.0, similarity
    cdef int k = 0
    which[0] = -1
    for run, _, outside in runs_of(other):
        similarity = cached_similarity(part, <PartCode>run, True) * pow(UNPAIRED_FACTOR, outside)
        if similarity > best:
            best, which[0] = similarity, k
        k += 1
    return best * WHOLE_FACTOR


cdef inline bint needs_runs(NameCode a, NameCode b):
    cdef int na = len(a.parts), nb = len(b.parts)
    return na != nb and (na == 1 or nb == 1)


cpdef bint genders_differ(NameCode a, NameCode b):
    """One name is a man's and the other a woman's: two people (comparison.py's rule)."""
    return a.gender != 0 and b.gender != 0 and a.gender != b.gender


cdef double rounded(double score) except -1.0:
    """Four decimals, at most 1, as Python's round(score, 4) gives them: the score compare() reports.
    Near a tie, where scaling by 10,000 may land on the wrong side, Python's own round decides."""
    if score >= 1.0:
        return 1.0
    cdef double scaled = score * 10000.0
    if fabs(scaled - floor(scaled) - 0.5) < 1e-6:
        return round(score, 4)
    return rint(scaled) / 10000.0


cpdef double score(NameCode a, NameCode b):
    """The score of two prepared names, rounded."""
    return score_up_to(a, b, 2.0)


cdef double score_up_to(NameCode a, NameCode b, double enough) except -1.0:
    """score(a, b), or a score of at least `enough` whenever the true one is: the runs of parts read as
    one word (the costly part, read the first time a name meets a one-part name) are not read once the
    parts alone reach `enough`."""
    if not a.parts or not b.parts:
        return 0.0
    cdef double result = pair_parts(a, b, None), whole
    cdef int which
    if result < enough and needs_runs(a, b):
        whole = whole_word(a, b, &which) if len(a.parts) == 1 else whole_word(b, a, &which)
        if whole > result:
            result = whole
    if genders_differ(a, b):
        result *= GENDER_FACTOR
    return rounded(result)


def explained(NameCode a, NameCode b):
    """(score, pairs as (i, j, similarity), text of the run read as one word or None)."""
    if not a.parts or not b.parts:
        return 0.0, (), None
    cdef list pairs = []
    cdef double result = pair_parts(a, b, pairs), whole
    cdef int which = -1
    run = None
    if needs_runs(a, b):
        single, other = (a, b) if len(a.parts) == 1 else (b, a)
        whole = whole_word(single, other, &which)
        if whole > result:
            result, run = whole, runs_of(other)[which][1]
    if genders_differ(a, b):
        result *= GENDER_FACTOR
    return rounded(result), tuple(pairs), run


def best_score(tuple forms_a, tuple forms_b, double single_part_cap):
    """The best compare() score between any form of one person and any of the other's, as the codes
    of prepared names (PreparedName.code); a pair where either form has one part counts at most
    single_part_cap (linking's tm_names). -1 when either has no form."""
    return best_of(forms_a, forms_b, single_part_cap, 1.0)


cdef double best_of(tuple forms_a, tuple forms_b, double single_part_cap, double enough) except? -2.0:
    """best_score, or as soon as a pair of forms reaches `enough`, that pair's score."""
    cdef double best = -1.0, result
    cdef NameCode x, y
    for x in forms_a:
        for y in forms_b:
            if len(x.parts) < 2 or len(y.parts) < 2:  # capped: no need to know how far above the cap
                if best >= single_part_cap:
                    continue
                result = score_up_to(x, y, single_part_cap)
                if result > single_part_cap:
                    result = single_part_cap
            else:
                result = score(x, y)
            if result > best:
                best = result
                if best >= enough:  # no pair of forms scores higher, or the caller needs to know no more
                    return best
    return best


cdef array.array _doubles = array.array("d")


def best_scores(list codes, object prepare, const int[:] left, const int[:] right, double single_part_cap,
                dict recent, double enough=1.0, double keep=0.0):
    """best_score for many pairs of persons at once, by their positions in `codes` (each person's tuple
    of name codes, or None until `prepare(position)` has made it): an array of doubles, one per pair.
    A pair whose best score is at least `enough` may be given any score from `enough` up (the first
    pair of forms to reach it): a caller that only compares scores with thresholds up to `enough` loses
    nothing, and a person's other forms are not compared.

    `recent` keeps the scores of at least `keep` by pair across calls: a database calling this again for
    the same pairs (once per level of a comparison, as DuckDB does; in scoring, for the pairs a blocking
    rule let through) pays a lookup, not a comparison."""
    cdef Py_ssize_t k, n = left.shape[0]
    cdef array.array out = array.clone(_doubles, n, zero=False)
    cdef double* scores = out.data.as_doubles
    cdef int a, b
    cdef object key, hit, forms_a, forms_b
    for k in range(n):
        a, b = left[k], right[k]
        key = (<long long>a << 32) | b
        hit = recent.get(key)
        if hit is not None:
            scores[k] = hit
            continue
        forms_a = codes[a]
        if forms_a is None:
            forms_a = codes[a] = prepare(a)
        forms_b = codes[b]
        if forms_b is None:
            forms_b = codes[b] = prepare(b)
        scores[k] = best_of(forms_a, forms_b, single_part_cap, enough)
        if scores[k] >= keep:
            recent[key] = scores[k]
    return out
