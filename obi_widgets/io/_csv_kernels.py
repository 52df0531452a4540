"""numba kernel behind :mod:`obi_widgets.io._csv`: one pass over a block of CSV bytes (private).

The loaders' files (Tardis CSV, LOBSTER) are plain, unquoted, comma-separated text with a fixed
set of columns. :func:`parse_block` reads a block of whole lines into preallocated columns, one
kind per file column:

- ``SKIP``: ignored (e.g. Tardis trade ids);
- ``INT``: an optionally signed decimal integer of at most 18 digits -> int64;
- ``FLOAT``: ``[-]digits[.digits]`` -> float64, computed as ``m / 10**d`` with ``m`` the digits
  as an integer (``m <= 2**53``, ``d <= 22``): both are exact float64 values, so the quotient is
  the correctly rounded value of the decimal, the same float that ``strtod`` (pyarrow, pandas'
  high-precision parser) gives. An empty field is NaN;
- ``WORD``: a short string (at most ``WIDTH`` bytes) -> an int16 code, its index in a per-column
  table of distinct words kept across blocks (a side, a flag, an exchange or symbol name); the
  caller maps the few distinct words to values.

Anything else (a quote, an exponent, more digits, a blank line, a wrong field count, a word
table overflow) stops the kernel with ``status = FALLBACK``: the caller then reads that block with
pyarrow's general CSV reader, which either parses it or locates the offending line. The kernel is
the fast path for the common case, never the judge of what is valid.
"""

from __future__ import annotations

import numba
import numpy as np

SKIP, INT, FLOAT, WORD = 0, 1, 2, 3
OK, FALLBACK = 0, 1
WIDTH = 64  # longest word kept in a word table
WORDS = 64  # distinct words per column

POW10 = np.array([10.0**k for k in range(23)], dtype=np.float64)
_TWO53 = 9007199254740992


@numba.njit(cache=True, nogil=True)
def parse_block(buf, kinds, slots, out_i, out_f, out_c, tab, tab_len, tab_n, prev):
    """Parse whole lines of ``buf`` (uint8, ends with a newline) into the output columns.

    ``kinds[c]``/``slots[c]``: the kind of file column c and its column in ``out_i`` (INT),
    ``out_f`` (FLOAT) or ``out_c`` (WORD, also its table). ``tab`` (W, WORDS, WIDTH) uint8,
    ``tab_len`` (W, WORDS), ``tab_n`` (W,): the word tables (updated in place); ``prev`` (W,):
    the last code per word column (a cheap first guess). Returns ``(rows, status, column)``:
    rows parsed, OK or FALLBACK, and the file column where the fast path gave up.
    """
    n_cols = kinds.shape[0]
    end = buf.shape[0]
    cap = out_i.shape[0]
    i = 0
    r = 0
    while i < end:
        if r >= cap:
            return r, FALLBACK, 0
        for c in range(n_cols):
            kind = kinds[c]
            s = slots[c]
            if kind == INT:
                neg = False
                if i < end and buf[i] == 45:
                    neg = True
                    i += 1
                v = 0
                nd = 0
                while i < end:
                    ch = buf[i]
                    if ch < 48 or ch > 57:
                        break
                    v = v * 10 + (ch - 48)
                    nd += 1
                    i += 1
                if nd == 0 or nd > 18:
                    return r, FALLBACK, c
                out_i[r, s] = -v if neg else v
            elif kind == FLOAT:
                neg = False
                if i < end and buf[i] == 45:
                    neg = True
                    i += 1
                m = 0
                nd = 0
                d = 0
                dot = False
                while i < end:
                    ch = buf[i]
                    if ch >= 48 and ch <= 57:
                        if nd < 19:
                            m = m * 10 + (ch - 48)
                        nd += 1
                        if dot:
                            d += 1
                    elif ch == 46 and not dot:
                        dot = True
                    else:
                        break
                    i += 1
                if nd == 0:
                    if dot or neg:
                        return r, FALLBACK, c
                    out_f[r, s] = np.nan
                else:
                    if nd > 18 or m > _TWO53 or d > 22:
                        return r, FALLBACK, c
                    x = m / POW10[d]
                    out_f[r, s] = -x if neg else x
            else:  # WORD or SKIP: up to the next separator
                start = i
                while i < end:
                    ch = buf[i]
                    if ch == 44 or ch == 10 or ch == 13:
                        break
                    if ch == 34:  # a quoted field: the general reader's job
                        return r, FALLBACK, c
                    i += 1
                if kind == WORD:
                    n = i - start
                    if n > WIDTH:
                        return r, FALLBACK, c
                    code = prev[s]
                    found = False
                    if code >= 0 and tab_len[s, code] == n:
                        found = True
                        for j in range(n):
                            if tab[s, code, j] != buf[start + j]:
                                found = False
                                break
                    if not found:
                        for k in range(tab_n[s]):
                            if tab_len[s, k] == n:
                                same = True
                                for j in range(n):
                                    if tab[s, k, j] != buf[start + j]:
                                        same = False
                                        break
                                if same:
                                    code = k
                                    found = True
                                    break
                    if not found:
                        k = tab_n[s]
                        if k >= WORDS:
                            return r, FALLBACK, c
                        for j in range(n):
                            tab[s, k, j] = buf[start + j]
                        tab_len[s, k] = n
                        tab_n[s] = k + 1
                        code = k
                    prev[s] = code
                    out_c[r, s] = code
            # the separator: a comma between fields, a newline (or CR LF) after the last one
            if i >= end:
                return r, FALLBACK, c
            ch = buf[i]
            if ch == 13:
                if i + 1 < end and buf[i + 1] == 10:
                    i += 1
                    ch = 10
                else:
                    return r, FALLBACK, c
            if c == n_cols - 1:
                if ch != 10:
                    return r, FALLBACK, c
            elif ch != 44:
                return r, FALLBACK, c
            i += 1
        r += 1
    return r, OK, -1
