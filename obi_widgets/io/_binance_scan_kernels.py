"""Numba byte scanner for Binance capture lines (``<local_ts_ns> <json>``), see :mod:`._binance_fast`.

:func:`scan_block` walks decompressed bytes line by line and writes depth updates, their levels,
trades and bookTickers straight into preallocated columnar arrays. It handles the common, simple
lines only: anything it cannot decide with certainty (a REST snapshot, a backslash escape or a
non-ASCII byte, a number that is not a plain decimal, a missing field, a duplicate key, invalid
JSON, a symbol it has not been told about) stops the scan at that line with status ``SLOW`` and
the caller hands the line to the orjson reference parser, which either handles it or raises the
error naming the line. JSON key order does not matter: every key of the message object is read.

The kernels are compiled without numba's reference counting (``_nrt=False``: they allocate
nothing): with it, every call of a helper that takes arrays paid atomic increments and decrements
(measured 27 ns vs 2.4 ns for a call with 9 arrays), several microseconds per line.

Decimal strings become float64 exactly as ``float(s)`` does (Clinger's fast path): the digits
form an integer mantissa m (trailing zeros of the fraction dropped) and an exponent -k; when
m < 2**53 and k <= 22, ``m / 10.0**k`` is one correctly rounded IEEE division of two exact
numbers. Longer mantissas go to the slow path.
"""

from __future__ import annotations

from typing import Any

import numba
import numpy as np

_NO_NRT: dict[str, Any] = {"_nrt": False}  # no reference counting (see the module doc)

# status codes
DONE, FULL, SLOW = 0, 1, 2
# indices into the int64 state vector ``st`` (in and out)
POS, LINE, LEFT, ND, NL, NT, NB, BLANK, OTHER, IGNORED, SSTART, SEND, STATUS = range(13)
ST_SIZE = 16
# columns of the int64 output tables
D_LOCAL, D_E, D_U, D_u, D_PU, D_NBID, D_NASK, D_LINE = range(8)
T_LOCAL, T_T, T_E, T_ID = range(4)
B_LOCAL, B_E, B_u = range(3)
SYM_MAX = 48  # bytes of a known symbol

# message keys the scanner reads (anything else is validated and skipped)
K_e, K_E, K_s, K_U, K_u, K_pu, K_b, K_a, K_B, K_A, K_T, K_t, K_p, K_q, K_m, K_LAST = range(16)
N_KEYS = 16

_POW10 = np.array([10.0**i for i in range(23)])
_W_DATA = np.frombuffer(b"data", np.uint8)
_W_DEPTH = np.frombuffer(b"depthUpdate", np.uint8)
_W_TRADE = np.frombuffer(b"trade", np.uint8)
_W_TICKER = np.frombuffer(b"bookTicker", np.uint8)
_W_AGG = np.frombuffer(b"aggTrade", np.uint8)
_W_LAST = np.frombuffer(b"lastUpdateId", np.uint8)
_I64_MAX = 2**63 - 1
_TWO53 = 2**53
_MAXDIG = 18

# first bytes of value types
V_NONE, V_STR, V_NUM, V_ARR, V_OBJ, V_TRUE, V_FALSE, V_NULL, V_LEV = range(9)


@numba.njit(cache=True, nogil=True, **_NO_NRT)
def _skip_ws(buf, p, end):
    # (the loop condition in the header: an if/else-break body compiles to code ~30x slower here)
    while p < end and (buf[p] == 32 or buf[p] == 9 or buf[p] == 13):
        p += 1
    return p


@numba.njit(cache=True, nogil=True, **_NO_NRT)
def _string_end(buf, p, end):
    """p at the opening quote: (position after the closing quote or -1, had_escape)."""
    p += 1
    # the common case: printable ASCII up to the closing quote
    while p < end and buf[p] != 34 and buf[p] != 92 and 32 <= buf[p] < 128:
        p += 1
    if p < end and buf[p] == 34:
        return p + 1, False
    return _string_end_escaped(buf, p, end), True


@numba.njit(cache=True, nogil=True, **_NO_NRT)
def _escape_end(buf, p, end):
    """p at a backslash: position after the escape sequence, or -1."""
    if p + 1 >= end:
        return -1
    n = buf[p + 1]
    if n == 117:  # \uXXXX
        if p + 6 > end:
            return -1
        for j in range(p + 2, p + 6):
            h = buf[j]
            if not ((48 <= h <= 57) or (65 <= h <= 70) or (97 <= h <= 102)):
                return -1
        return p + 6
    if n == 34 or n == 92 or n == 47 or n == 98 or n == 102 or n == 110 or n == 114 or n == 116:
        return p + 2
    return -1


@numba.njit(cache=True, nogil=True, **_NO_NRT)
def _string_end_escaped(buf, p, end):
    """The rest of a string from p (not at a plain character): position after it, or -1. (No
    ``break``/``continue`` in these loops: with them numba's code is many times slower here.)"""
    while p >= 0 and p < end and buf[p] != 34:
        c = buf[p]
        if c == 92:
            p = _escape_end(buf, p, end)
        elif c < 32 or c >= 128:  # control character (invalid JSON) or non-ASCII: the slow path decides
            p = -1
        else:
            p += 1
    if p < 0 or p >= end:
        return -1
    return p + 1


@numba.njit(cache=True, nogil=True, **_NO_NRT)
def _number_end(buf, p, end):
    """JSON number grammar from p: position after it, or -1."""
    if p < end and buf[p] == 45:
        p += 1
    if p >= end:
        return -1
    c = buf[p]
    if c == 48:
        p += 1
    elif 49 <= c <= 57:
        while p < end and 48 <= buf[p] <= 57:
            p += 1
    else:
        return -1
    if p < end and buf[p] == 46:
        p += 1
        q = p
        while p < end and 48 <= buf[p] <= 57:
            p += 1
        if p == q:
            return -1
    if p < end and (buf[p] == 101 or buf[p] == 69):
        p += 1
        if p < end and (buf[p] == 43 or buf[p] == 45):
            p += 1
        q = p
        while p < end and 48 <= buf[p] <= 57:
            p += 1
        if p == q:
            return -1
    return p


@numba.njit(cache=True, nogil=True, **_NO_NRT)
def _literal_end(buf, p, end):
    c = buf[p]
    if c == 116 and p + 4 <= end and buf[p + 1] == 114 and buf[p + 2] == 117 and buf[p + 3] == 101:
        return p + 4
    if c == 102 and p + 5 <= end and buf[p + 1] == 97 and buf[p + 2] == 108 and buf[p + 3] == 115 and buf[p + 4] == 101:
        return p + 5
    if c == 110 and p + 4 <= end and buf[p + 1] == 117 and buf[p + 2] == 108 and buf[p + 3] == 108:
        return p + 4
    return -1


@numba.njit(cache=True, nogil=True, **_NO_NRT)
def _scalar_end(buf, p, end):
    c = buf[p]
    if c == 34:
        q, _ = _string_end(buf, p, end)
        return q
    if c == 45 or 48 <= c <= 57:
        return _number_end(buf, p, end)
    return _literal_end(buf, p, end)


@numba.njit(cache=True, nogil=True, **_NO_NRT)
def _value_end(buf, p, end):
    """Validate one JSON value from p (after whitespace): position after it, or -1 (invalid or too deep)."""
    if p < end and buf[p] != 123 and buf[p] != 91:
        return _scalar_end(buf, p, end)
    depth = 0
    mask = 0  # bit d set: the container at depth d is an object
    while True:
        # expect a value
        p = _skip_ws(buf, p, end)
        if p >= end:
            return -1
        c = buf[p]
        if c == 123 or c == 91:
            depth += 1
            if depth > 60:
                return -1
            p = _skip_ws(buf, p + 1, end)
            if p >= end:
                return -1
            if c == 123:
                mask |= 1 << depth
                if buf[p] == 125:
                    p += 1
                    depth -= 1
                else:
                    if buf[p] != 34:
                        return -1
                    p, _ = _string_end(buf, p, end)
                    if p < 0:
                        return -1
                    p = _skip_ws(buf, p, end)
                    if p >= end or buf[p] != 58:
                        return -1
                    p += 1
                    continue
            else:
                mask &= ~(1 << depth)
                if buf[p] == 93:
                    p += 1
                    depth -= 1
                else:
                    continue
        else:
            p = _scalar_end(buf, p, end)
            if p < 0:
                return -1
        # after a value: close containers or go on to the next element
        while True:
            if depth == 0:
                return p
            p = _skip_ws(buf, p, end)
            if p >= end:
                return -1
            c = buf[p]
            is_obj = (mask >> depth) & 1
            if c == 44:
                p = _skip_ws(buf, p + 1, end)
                if is_obj:
                    if p >= end or buf[p] != 34:
                        return -1
                    p, _ = _string_end(buf, p, end)
                    if p < 0:
                        return -1
                    p = _skip_ws(buf, p, end)
                    if p >= end or buf[p] != 58:
                        return -1
                    p += 1
                break
            if (c == 125 and is_obj) or (c == 93 and not is_obj):
                p += 1
                depth -= 1
                continue
            return -1


@numba.njit(cache=True, nogil=True, **_NO_NRT)
def _decimal(buf, s, e):
    """The content of a JSON string buf[s:e] as float64 when it is a plain decimal ``-?d+(.d+)?``
    that the fast path converts exactly; (ok, value)."""
    i = s
    neg = False
    if i < e and buf[i] == 45:
        neg = True
        i += 1
    m = 0
    sig = 0
    q = i
    while i < e and 48 <= buf[i] <= 57:
        d = buf[i] - 48
        if m > 0 or d > 0:
            sig += 1
            if sig > _MAXDIG:
                return False, 0.0
        m = m * 10 + d
        i += 1
    if i == q:
        return False, 0.0
    k = 0
    if i < e and buf[i] == 46:
        i += 1
        q = i
        zeros = 0
        while i < e and 48 <= buf[i] <= 57:
            d = buf[i] - 48
            if d == 0:
                zeros += 1
            else:
                if m > 0:
                    sig += zeros
                sig += 1
                if sig > _MAXDIG:
                    return False, 0.0
                for _ in range(zeros):
                    m *= 10
                m = m * 10 + d
                k += zeros + 1
                zeros = 0
            i += 1
        if i == q:
            return False, 0.0
    if i != e or m >= _TWO53 or k > 22:
        return False, 0.0
    v = m / _POW10[k]
    return True, -v if neg else v


@numba.njit(cache=True, nogil=True, **_NO_NRT)
def _int(buf, s, e):
    """A JSON integer token buf[s:e] (already grammar-checked) as int64 when <= 18 digits: (ok, value)."""
    neg = buf[s] == 45
    i = s + 1 if neg else s
    if e - i > 19 or e <= i:
        return False, 0
    v = 0
    while i < e:
        d = buf[i] - 48
        if d < 0 or d > 9 or v > (_I64_MAX - d) // 10:
            return False, 0
        v = v * 10 + d
        i += 1
    return True, -v if neg else v


@numba.njit(cache=True, nogil=True, **_NO_NRT)
def _levels(buf, p, end, side, lv_side, lv_px, lv_qty, n):
    """A ``[["price","qty"], ...]`` array from p into the level arrays at row n: (p after, rows) or (-1, 0)."""
    cap = lv_px.shape[0]
    p = _skip_ws(buf, p + 1, end)
    if p < end and buf[p] == 93:
        return p + 1, 0
    r = 0
    while True:
        if p >= end or buf[p] != 91:
            return -1, 0
        px = 0.0
        qty = 0.0
        p += 1
        for j in range(2):
            p = _skip_ws(buf, p, end)
            if p >= end or buf[p] != 34:
                return -1, 0
            q, esc = _string_end(buf, p, end)
            if q < 0 or esc:
                return -1, 0
            ok, v = _decimal(buf, p + 1, q - 1)
            if not ok:
                return -1, 0
            if j == 0:
                px = v
            else:
                qty = v
            p = _skip_ws(buf, q, end)
            if p >= end:
                return -1, 0
            if j == 0:
                if buf[p] != 44:
                    return -1, 0
                p += 1
        if buf[p] != 93:
            return -1, 0
        if n + r >= cap:
            return -1, 0
        lv_side[n + r] = side
        lv_px[n + r] = px
        lv_qty[n + r] = qty
        r += 1
        p = _skip_ws(buf, p + 1, end)
        if p >= end:
            return -1, 0
        if buf[p] == 93:
            return p + 1, r
        if buf[p] != 44:
            return -1, 0
        p = _skip_ws(buf, p + 1, end)


@numba.njit(cache=True, nogil=True, **_NO_NRT)
def _key_id(buf, s, e):
    """Index of the key buf[s:e] among the keys the scanner reads, or -1."""
    n = e - s
    c = buf[s] if n > 0 else 0
    if n == 1:
        if c == 101:
            return K_e
        if c == 69:
            return K_E
        if c == 115:
            return K_s
        if c == 85:
            return K_U
        if c == 117:
            return K_u
        if c == 98:
            return K_b
        if c == 97:
            return K_a
        if c == 66:
            return K_B
        if c == 65:
            return K_A
        if c == 84:
            return K_T
        if c == 116:
            return K_t
        if c == 112:
            return K_p
        if c == 113:
            return K_q
        if c == 109:
            return K_m
        return -1
    if n == 2 and c == 112 and buf[s + 1] == 117:
        return K_pu
    if n == 12:
        return K_LAST if _equals(buf, s, e, _W_LAST) else -1
    return -1


@numba.njit(cache=True, nogil=True, **_NO_NRT)
def _equals(buf, s, e, word):
    if e - s != word.shape[0]:
        return False
    for j in range(e - s):
        if buf[s + j] != word[j]:
            return False
    return True


@numba.njit(cache=True, nogil=True, **_NO_NRT)
def _object_fields(buf, p, end, fs, lv_side, lv_px, lv_qty, lv0):
    """Keys of the object at p: fs[k] = (type, start, end) of each key the scanner reads; ``b`` and
    ``a`` arrays of levels are parsed on the way into the level arrays from row lv0 on (type V_LEV,
    fs[k] = (V_LEV, first row, rows)). Returns the position after the object, or -1 (duplicate
    key, escape in a read key or string, invalid JSON)."""
    for k in range(N_KEYS):
        fs[k, 0] = V_NONE
    nxt = lv0
    p = _skip_ws(buf, p + 1, end)
    if p < end and buf[p] == 125:
        return p + 1
    while True:
        if p >= end or buf[p] != 34:
            return -1
        q, esc = _string_end(buf, p, end)
        if q < 0 or esc:
            return -1  # (an escaped key might spell one the scanner reads)
        kid = _key_id(buf, p + 1, q - 1)
        p = _skip_ws(buf, q, end)
        if p >= end or buf[p] != 58:
            return -1
        p = _skip_ws(buf, p + 1, end)
        if p >= end:
            return -1
        vs = p
        c = buf[vs]
        if kid < 0:
            ve = _value_end(buf, p, end)
            if ve < 0:
                return -1
        else:
            if fs[kid, 0] != V_NONE:
                return -1  # duplicate key: the reference decides which one counts
            t = V_NUM
            if c == 34:
                t = V_STR
                ve, vesc = _string_end(buf, vs, end)
                if ve < 0 or vesc:
                    return -1
            elif c == 91 and (kid == K_b or kid == K_a):
                ve, r = _levels(buf, vs, end, 1 if kid == K_b else -1, lv_side, lv_px, lv_qty, nxt)
                if ve >= 0:
                    fs[kid, 0] = V_LEV
                    fs[kid, 1] = nxt
                    fs[kid, 2] = r
                    nxt += r
                    t = V_LEV
                else:
                    t = V_ARR
                    ve = _value_end(buf, vs, end)
            else:
                ve = _value_end(buf, vs, end)
                if c == 91:
                    t = V_ARR
                elif c == 123:
                    t = V_OBJ
                elif c == 116:
                    t = V_TRUE
                elif c == 102:
                    t = V_FALSE
                elif c == 110:
                    t = V_NULL
            if ve < 0:
                return -1
            if t != V_LEV:
                fs[kid, 0] = t
                fs[kid, 1] = vs
                fs[kid, 2] = ve
        p = _skip_ws(buf, ve, end)
        if p >= end:
            return -1
        if buf[p] == 125:
            return p + 1
        if buf[p] != 44:
            return -1
        p = _skip_ws(buf, p + 1, end)


@numba.njit(cache=True, nogil=True, **_NO_NRT)
def _reverse(lv_side, lv_px, lv_qty, i, j):
    """Reverse rows [i, j) of the level arrays in place."""
    j -= 1
    while i < j:
        lv_side[i], lv_side[j] = lv_side[j], lv_side[i]
        lv_px[i], lv_px[j] = lv_px[j], lv_px[i]
        lv_qty[i], lv_qty[j] = lv_qty[j], lv_qty[i]
        i += 1
        j -= 1


@numba.njit(cache=True, nogil=True, **_NO_NRT)
def _bids_first(lv_side, lv_px, lv_qty, start, n_ask, n_bid):
    """Rows [start, start + n_ask) hold asks and the next n_bid rows bids: put the bids first
    (a rotation by three reversals, in place)."""
    _reverse(lv_side, lv_px, lv_qty, start, start + n_ask)
    _reverse(lv_side, lv_px, lv_qty, start + n_ask, start + n_ask + n_bid)
    _reverse(lv_side, lv_px, lv_qty, start, start + n_ask + n_bid)


@numba.njit(cache=True, nogil=True, **_NO_NRT)
def _get_int(buf, fs, k):
    if fs[k, 0] != V_NUM:
        return False, 0
    return _int(buf, fs[k, 1], fs[k, 2])


@numba.njit(cache=True, nogil=True, **_NO_NRT)
def _get_dec(buf, fs, k):
    if fs[k, 0] != V_STR:
        return False, 0.0
    return _decimal(buf, fs[k, 1] + 1, fs[k, 2] - 1)


@numba.njit(cache=True, nogil=True, **_NO_NRT)
def _known_symbol(buf, s, e, syms, sym_len, nsym):
    """Index of buf[s:e] among the known symbols (rows of ``syms``), or -1."""
    n = e - s
    for j in range(nsym):
        if sym_len[j] == n and _same_row(buf, s, syms, j, n):
            return j
    return -1


@numba.njit(cache=True, nogil=True, **_NO_NRT)
def _same_row(buf, s, syms, j, n):
    for i in range(n):
        if syms[j, i] != buf[s + i]:
            return False
    return True


@numba.njit(cache=True, nogil=True, **_NO_NRT)
def _same_symbol_ci(buf, s, e, want):
    """ASCII case-insensitive buf[s:e] == want (want is upper case)."""
    if e - s != want.shape[0]:
        return False
    for i in range(e - s):
        c = buf[s + i]
        if 97 <= c <= 122:
            c -= 32
        if c != want[i]:
            return False
    return True


@numba.njit(cache=True, nogil=True, **_NO_NRT)
def _envelope(buf, q, le, fs, lv_side, lv_px, lv_qty, nl):
    """The top-level object's keys from q (after its brace): its "data" object (the combined-stream
    envelope) read with :func:`_object_fields`, every other value validated. (end position or -1,
    start of "data" or -1)."""
    data = -1
    if q < le and buf[q] == 125:
        return q + 1, data
    while True:
        if q >= le or buf[q] != 34:
            return -1, data
        ke, esc = _string_end(buf, q, le)
        if ke < 0 or esc:
            return -1, data
        is_data = _equals(buf, q + 1, ke - 1, _W_DATA)
        q = _skip_ws(buf, ke, le)
        if q >= le or buf[q] != 58:
            return -1, data
        q = _skip_ws(buf, q + 1, le)
        if q >= le:
            return -1, data
        if is_data:
            if data >= 0 or buf[q] != 123:
                return -1, data
            data = q
            q = _object_fields(buf, q, le, fs, lv_side, lv_px, lv_qty, nl)
        else:
            q = _value_end(buf, q, le)
        if q < 0:
            return -1, data
        q = _skip_ws(buf, q, le)
        if q >= le:
            return -1, data
        if buf[q] == 125:
            return q + 1, data
        if buf[q] != 44:
            return -1, data
        q = _skip_ws(buf, q + 1, le)


@numba.njit(cache=True, nogil=True, **_NO_NRT)
def _message(
    buf,
    p,
    end,
    local,
    line,
    want,
    use_want,
    syms,
    sym_len,
    sym_hit,
    nsym,
    st,
    fs,
    di,
    lv_side,
    lv_px,
    lv_qty,
    ti,
    tf,
    tm,
    bi,
    bf,
):
    """One line's JSON from p: the position of the line's end when handled (written or counted), -1 for
    the slow path. Nothing is parsed across a newline (no JSON token or whitespace here contains one)."""
    le = end
    p = _skip_ws(buf, p, le)
    if p >= le or buf[p] != 123:
        return -1
    # top level: find "data" (the combined-stream envelope), validating the whole object
    top = p
    data = -1
    q = _skip_ws(buf, p + 1, le)
    q, data = _envelope(buf, q, le, fs, lv_side, lv_px, lv_qty, st[NL])
    if q < 0:
        return -1
    q = _skip_ws(buf, q, le)
    if q < le and buf[q] != 10:
        return -1  # trailing characters
    le = q
    if data < 0 and _object_fields(buf, top, le, fs, lv_side, lv_px, lv_qty, st[NL]) < 0:
        return -1
    if fs[K_LAST, 0] != V_NONE:
        return -1  # a REST snapshot: the reference parser takes it
    # symbol filter
    ts_ = fs[K_s, 0]
    if ts_ != V_NONE and ts_ != V_STR:
        return -1
    if use_want and ts_ == V_STR and not _same_symbol_ci(buf, fs[K_s, 1] + 1, fs[K_s, 2] - 1, want):
        st[OTHER] += 1
        return le
    # kind
    te = fs[K_e, 0]
    kind = 0  # 0 none, 1 depth, 2 trade, 3 bookTicker, 4 other
    if te == V_STR:
        s, e = fs[K_e, 1] + 1, fs[K_e, 2] - 1
        if _equals(buf, s, e, _W_DEPTH):
            kind = 1
        elif _equals(buf, s, e, _W_TRADE):
            kind = 2
        elif _equals(buf, s, e, _W_TICKER):
            kind = 3
        elif _equals(buf, s, e, _W_AGG):  # USD-M's trade stream: the reference path reads it
            return -1
        else:
            kind = 4
    elif te != V_NONE and te != V_NULL:
        return -1
    if kind == 1:
        if ts_ != V_STR:
            return -1
        js = _known_symbol(buf, fs[K_s, 1] + 1, fs[K_s, 2] - 1, syms, sym_len, nsym)
        if js < 0:
            return -1
        ok1, E = _get_int(buf, fs, K_E)
        ok2, U = _get_int(buf, fs, K_U)
        ok3, u = _get_int(buf, fs, K_u)
        if not (ok1 and ok2 and ok3) or fs[K_b, 0] != V_LEV or fs[K_a, 0] != V_LEV:
            return -1
        pu = -1
        if fs[K_pu, 0] != V_NONE:
            ok4, pu = _get_int(buf, fs, K_pu)
            if not ok4:
                return -1
        nd = st[ND]
        if nd >= di.shape[0]:
            return -1
        nl = st[NL]
        n_bid = fs[K_b, 2]
        n_ask = fs[K_a, 2]
        if fs[K_b, 1] != nl:  # "a" came before "b"
            _bids_first(lv_side, lv_px, lv_qty, nl, n_ask, n_bid)
        di[nd, D_LOCAL] = local
        di[nd, D_E] = E
        di[nd, D_U] = U
        di[nd, D_u] = u
        di[nd, D_PU] = pu
        di[nd, D_NBID] = n_bid
        di[nd, D_NASK] = n_ask
        di[nd, D_LINE] = line
        st[ND] = nd + 1
        st[NL] = nl + n_bid + n_ask
        sym_hit[js] = True
        return le
    if kind == 2:
        ok1, T = _get_int(buf, fs, K_T)
        ok2, E = _get_int(buf, fs, K_E)
        ok3, tid = _get_int(buf, fs, K_t)
        ok4, price = _get_dec(buf, fs, K_p)
        ok5, qty = _get_dec(buf, fs, K_q)
        tmv = fs[K_m, 0]
        nt = st[NT]
        if not (ok1 and ok2 and ok3 and ok4 and ok5) or (tmv != V_TRUE and tmv != V_FALSE) or nt >= ti.shape[0]:
            return -1
        ti[nt, T_LOCAL] = local
        ti[nt, T_T] = T
        ti[nt, T_E] = E
        ti[nt, T_ID] = tid
        tf[nt, 0] = price
        tf[nt, 1] = qty
        tm[nt] = tmv == V_TRUE
        st[NT] = nt + 1
        return le
    if kind == 3 or (kind == 0 and fs[K_B, 0] != V_NONE and fs[K_A, 0] != V_NONE and fs[K_u, 0] != V_NONE):
        ok1, u = _get_int(buf, fs, K_u)
        E = -1
        ok2 = True
        if fs[K_E, 0] != V_NONE:
            ok2, E = _get_int(buf, fs, K_E)
        ok3, b = _get_dec(buf, fs, K_b)
        ok4, B = _get_dec(buf, fs, K_B)
        ok5, a = _get_dec(buf, fs, K_a)
        ok6, A = _get_dec(buf, fs, K_A)
        nb = st[NB]
        if not (ok1 and ok2 and ok3 and ok4 and ok5 and ok6) or nb >= bi.shape[0]:
            return -1
        bi[nb, B_LOCAL] = local
        bi[nb, B_E] = E
        bi[nb, B_u] = u
        bf[nb, 0] = b
        bf[nb, 1] = B
        bf[nb, 2] = a
        bf[nb, 3] = A
        st[NB] = nb + 1
        return le
    st[IGNORED] += 1
    return le


@numba.njit(cache=True, nogil=True, **_NO_NRT)
def scan_block(
    buf, end, want, use_want, syms, sym_len, sym_hit, nsym, st, fs, di, lv_side, lv_px, lv_qty, ti, tf, tm, bi, bf
):
    """Scan lines of buf[st[POS]:end] into the output tables (counters in ``st``).

    Stops with st[STATUS] = DONE at ``end``, FULL when st[LEFT] lines were consumed, or SLOW at a
    line the reference parser must take: buf[st[SSTART]:st[SEND]] (without its newline), line
    number st[LINE] + 1, not consumed. ``end`` is the end of the block; lines end at b'\\n'.
    """
    pos = st[POS]
    line = st[LINE]
    left = st[LEFT]
    status = DONE
    while pos < end:
        if left <= 0:
            status = FULL
            break
        c = buf[pos]
        le = -1
        if 48 <= c <= 57:
            # local timestamp: digits up to the first space
            i = pos
            local = 0
            while i < end and 48 <= buf[i] <= 57 and local <= (_I64_MAX - (buf[i] - 48)) // 10:
                local = local * 10 + (buf[i] - 48)
                i += 1
            if i < end and buf[i] == 32:
                le = _message(
                    buf, i + 1, end, local, line + 1, want, use_want, syms, sym_len, sym_hit, nsym,
                    st, fs, di, lv_side, lv_px, lv_qty, ti, tf, tm, bi, bf,
                )  # fmt: skip
        else:
            # blank (ASCII whitespace only), or something the reference reports
            i = pos
            while i < end and (buf[i] == 32 or buf[i] == 9 or buf[i] == 13 or buf[i] == 11 or buf[i] == 12):
                i += 1
            if i == end or buf[i] == 10:
                st[BLANK] += 1
                le = i
        if le < 0:
            le = pos
            while le < end and buf[le] != 10:
                le += 1
            st[SSTART] = pos
            st[SEND] = le
            status = SLOW
            break
        line += 1
        left -= 1
        pos = le + 1 if le < end else le
    st[POS] = pos
    st[LINE] = line
    st[LEFT] = left
    st[STATUS] = status
